import Foundation

/// A stage's realtime connections, reported apart from its requests: a connection's
/// "latency" is its lifetime, so it is not in the stage's latency, throughput, errors, SLO or
/// capacity.
public struct WebSocketFigures: Sendable {
    /// Where the connections are held: `websockets` (their own service) or `api` (API workers).
    public var heldBy: String
    /// New connections per second offered (all regions).
    public var offeredPerSecond: Double
    /// Mean lifetime of a connection, seconds.
    public var connectionDuration: Double
    /// Messages per connection per minute, fan-out included (the mean rate).
    public var messagesPerMinute: Double
    /// Connections at most open at once over all instances (the API: its workers, which
    /// requests share).
    public var limit: Int
    /// Instances holding connections at the start.
    public var instances: Int
    /// Connections open at once (time-weighted mean, all instances).
    public var meanOpen: Estimate
    /// Connections refused (at once, or after giving up on the queue) over those offered.
    public var rejectedShare: Estimate
    /// Connections that waited for a slot over those that got one (queue mode).
    public var waitedShare: Estimate?
    /// Mean wait for a slot of those that waited, seconds.
    public var meanWait: Estimate?
    /// The most connections one instance held at once (the busiest instance, per replication);
    /// websocket service only.
    public var peakPerInstance: Estimate?
    /// Memory the mean open connections of one instance take, bytes (websocket service only).
    public var memoryPerInstance: Estimate?
    /// Mean CPU utilization of the instances that hold connections (those at the start).
    public var cpuUtilization: Estimate
    /// The analytic figures (nil where no formula applies: API workers shared with requests).
    public var analytic: Analytic?

    /// Erlang's loss formula for a websocket service that rejects when full (a queueing one:
    /// the share that balks is not given).
    public struct Analytic: Sendable {
        /// Erlang B per instance, B(limit, offered / instances): each instance sees an even
        /// share of the connections as a Poisson stream.
        public var rejectedShare: Double?
        /// Little's law: rate × duration × (1 − rejected share); without a rejected share, the
        /// offered connections (rate × duration) up to the limit.
        public var meanOpen: Double
        /// Accepted connections' messages × CPU per message over the cores.
        public var cpuUtilization: Double
    }

    /// The connections' figures of stage `index` from its replications (nil without
    /// `workload.realtime`).
    static func measure(_ scenario: ArchitectureScenario, _ index: Int, _ compiled: CompiledStage,
                        _ results: [ReplicationResult]) -> WebSocketFigures? {
        guard let realtime = scenario.workload.realtime else { return nil }
        let stage = scenario.stages[index], model = compiled.model, workload = scenario.workload
        let confidence = scenario.run.confidence
        func estimate(_ value: (ReplicationResult) -> Double) -> Estimate { Estimate.of(results.map(value), confidence: confidence) }
        func ratio(_ a: Double, _ b: Double) -> Double { b == 0 ? .nan : a / b }
        let connectionClasses = model.classes.indices.filter { model.classes[$0].background }
        let rate = realtime.connectionRate(users: compiled.users, workload: workload)
        let perMinute = realtime.effectiveMessagesPerMinute(users: compiled.users, workload: workload)
        let hold = model.delays.firstIndex { $0.name == "realtime.open connections" }!
        let ws = stage.websockets
        let poolName = ws == nil ? "api.workers" : "websockets.connections"
        let cpuName = ws == nil ? (stage.host == nil ? "api.cpu" : "host.cpu") : "websockets.cpu"
        let pools = model.pools.indices.filter { ArchitectureReport.baseName(model.pools[$0].name) == poolName }
        let cpus = model.cpus.indices.filter { ArchitectureReport.baseName(model.cpus[$0].name) == cpuName }
        let instances = ws?.instances ?? (stage.host == nil ? stage.api.instances : 1)
        let cores = Double(model.cpus[cpus[0]].cores * instances)
        let limit = (ws?.connectionsPerInstance ?? stage.api.workersPerInstance) * instances

        var figures = WebSocketFigures(
            heldBy: ws == nil ? "api" : "websockets", offeredPerSecond: rate,
            connectionDuration: realtime.connectionDuration, messagesPerMinute: perMinute, limit: limit,
            instances: instances,
            meanOpen: estimate { ratio($0.delays[hold].inStationArea, $0.measuredTime) },
            rejectedShare: estimate { r in
                ratio(Double(connectionClasses.reduce(0) { $0 + r.classes[$1].errors }),
                      Double(connectionClasses.reduce(0) { $0 + r.classes[$1].arrivals }))
            },
            cpuUtilization: estimate { r in ratio(cpus.reduce(0) { $0 + r.cpus[$1].busyArea }, r.measuredTime * cores) })
        if ws?.whenFull == .queue {
            figures.waitedShare = estimate { r in
                ratio(Double(pools.reduce(0) { $0 + r.pools[$1].waited }), Double(pools.reduce(0) { $0 + r.pools[$1].acquisitions }))
            }
            figures.meanWait = estimate { r in
                ratio(pools.reduce(0) { $0 + r.pools[$1].sumWait }, Double(pools.reduce(0) { $0 + r.pools[$1].waited }))
            }
        }
        if let ws {
            figures.peakPerInstance = estimate { r in Double(pools.map { r.pools[$0].maximumInUse }.max() ?? 0) }
            figures.memoryPerInstance = estimate { r in
                ratio(pools.reduce(0) { $0 + r.pools[$1].inUseArea }, r.measuredTime * Double(ws.instances)) * ws.memoryPerConnection
            }
            let offered = rate * realtime.connectionDuration
            let blocking = ws.whenFull == .reject && ws.autoscaling == nil
                ? QueueingFormulas.erlangB(servers: ws.connectionsPerInstance, offeredLoad: offered / Double(ws.instances)) : nil
            // Without a formula (a queue, autoscaling): the offered connections, at most the limit.
            let open = blocking.map { offered * (1 - $0) } ?? min(offered, Double(ws.connectionsPerInstance * ws.instances))
            figures.analytic = Analytic(
                rejectedShare: blocking, meanOpen: open,
                cpuUtilization: open * perMinute / 60 * ws.cpuPerMessage.mean / cores)
        }
        return figures
    }

    /// The analytic utilizations of the websocket service's resources (the analytic model of
    /// requests leaves the connections out), per instance with the load split evenly.
    func analyticUtilizations(_ resources: inout [ArchitectureReport.Resource]) {
        guard heldBy == "websockets", let analytic else { return }
        for r in resources.indices {
            switch ArchitectureReport.baseName(resources[r].name) {
            case "websockets.cpu": resources[r].analytic = analytic.cpuUtilization
            case "websockets.connections": resources[r].analytic = analytic.meanOpen / Double(limit)
            default: break
            }
        }
    }

    var json: JSONValue {
        var members: [JSONValue.Member] = [
            .init("heldBy", .string(heldBy)),
            .init("offeredPerSecond", .number(offeredPerSecond)),
            .init("connectionDuration", .number(connectionDuration)),
            .init("messagesPerMinute", .number(messagesPerMinute)),
            .init("instances", .number(Double(instances))),
            .init("limit", .number(Double(limit))),
            .init("meanOpen", meanOpen.json),
            .init("rejectedShare", rejectedShare.json),
        ]
        if let waitedShare { members.append(.init("waitedShare", waitedShare.json)) }
        if let meanWait { members.append(.init("meanWait", meanWait.json)) }
        if let peakPerInstance { members.append(.init("peakPerInstance", peakPerInstance.json)) }
        if let memoryPerInstance { members.append(.init("memoryPerInstance", memoryPerInstance.json)) }
        members.append(.init("cpuUtilization", cpuUtilization.json))
        if let analytic {
            members.append(.init("analytic", .object([
                .init("rejectedShare", analytic.rejectedShare.map(JSONValue.number) ?? .null),
                .init("meanOpen", .number(analytic.meanOpen)),
                .init("cpuUtilization", .number(analytic.cpuUtilization)),
            ])))
        }
        return .object(members)
    }

    /// The table of `report.md` and `report.html`: one row per figure, simulated and analytic.
    var table: ArchitectureReport.ChangeTable {
        var rows: [[String]] = [
            ["connections offered/s", Format.amount(offeredPerSecond), ""],
            ["connections open (mean)", Format.estimate(meanOpen, Format.amount), analytic.map { Format.amount($0.meanOpen) } ?? ""],
            ["limit (all instances)", Format.count(limit), ""],
            ["rejected", Format.estimate(rejectedShare, Format.percent), analytic?.rejectedShare.map(Format.percent) ?? ""],
        ]
        if let waitedShare { rows.append(["waited for a slot", Format.estimate(waitedShare, Format.percent), ""]) }
        if let meanWait { rows.append(["mean wait of those", Format.estimate(meanWait, Format.time), ""]) }
        if let peakPerInstance { rows.append(["peak per instance", Format.estimate(peakPerInstance, Format.amount), ""]) }
        if let memoryPerInstance {
            rows.append(["memory per instance", Format.estimate(memoryPerInstance) { Format.number($0 / 1e6) + " MB" }, ""])
        }
        rows.append(["CPU utilization", Format.estimate(cpuUtilization, Format.percent), analytic.map { Format.percent($0.cpuUtilization) } ?? ""])
        let lead = heldBy == "api"
            ? "Realtime connections held by the API instances (no websocket service): each holds an API worker for its lifetime, "
                + "\(Format.time(connectionDuration)) on average, and its \(Format.number(messagesPerMinute)) messages a minute use the API's CPU. "
                + "Not counted as requests."
            : "Realtime connections on their own service: \(Format.number(messagesPerMinute)) messages a minute each (fan-out included, "
                + "its mean rate), \(Format.time(connectionDuration)) on average. Not counted as requests; analytic: "
                + (analytic?.rejectedShare != nil ? "Erlang B per instance." : "the offered connections up to the limit.")
        return .init(title: "Websockets", lead: lead, header: ["figure", "simulated", "analytic"], rows: rows)
    }

    /// One line for the printed table's notes.
    var note: String {
        "websockets (\(heldBy)): \(Format.estimate(meanOpen, Format.amount)) connections open of \(Format.count(limit)), "
            + "\(Format.estimate(rejectedShare, Format.percent)) rejected"
    }
}
