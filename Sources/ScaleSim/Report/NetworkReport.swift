/// Everything known after running a network scenario: the scenario, the simulated estimates
/// and the analytic solution. The JSON contract (DESIGN.md section 6), Markdown and the
/// console table are rendered from it.
public struct NetworkReport: Sendable {
    public var scenario: NetworkScenario
    public var summary: NetworkSummary
    public var analytic: NetworkAnalytic
    /// The run's windows over time (`timeseries.csv`, the charts); nil when not kept.
    public var timeSeries: TimeSeries?

    public init(scenario: NetworkScenario, summary: NetworkSummary, analytic: NetworkAnalytic,
                timeSeries: TimeSeries? = nil) {
        self.scenario = scenario
        self.summary = summary
        self.analytic = analytic
        self.timeSeries = timeSeries
    }

    /// Runs `scenario` (replications in parallel on `jobs` threads) and solves it analytically.
    public static func run(_ scenario: NetworkScenario, jobs: Int, limits: EngineLimits = EngineLimits(),
                           control: RunControl? = nil,
                           progress: (@Sendable (Int, ReplicationResult) -> Void)? = nil) -> NetworkReport {
        let compiled = scenario.compile()
        let results = Simulation.run(compiled.model, seed: scenario.seed, run: scenario.run, jobs: jobs,
                                     limits: limits, control: control, progress: progress)
        return NetworkReport(scenario: scenario,
                             summary: NetworkSummary(scenario: scenario, compiled: compiled, results: results),
                             analytic: NetworkAnalytic.solve(scenario),
                             timeSeries: TimeSeries(name: scenario.name, model: compiled.model, run: scenario.run, results: results))
    }

    /// The report as the JSON contract: every estimate is `{mean, halfWidth}`; figures that do
    /// not apply to a station are left out; numbers that are not finite are `null`.
    public var json: JSONValue {
        var stations: [JSONValue] = []
        for (station, result) in zip(summary.stations, analytic.stations) {
            var members: [JSONValue.Member] = [.init("name", .string(station.name))]
            func add(_ key: String, _ estimate: Estimate?) {
                if let estimate { members.append(.init(key, estimate.json)) }
            }
            add("utilization", station.utilization)
            add("throughput", station.throughput)
            add("meanResponse", station.meanResponse)
            add("meanWait", station.meanWait)
            add("waitProbability", station.waitProbability)
            add("meanQueueLength", station.meanQueueLength)
            add("meanInStation", station.meanInStation)
            add("blockingProbability", station.blockingProbability)
            add("hitRatio", station.hitRatio)
            members.append(.init("analytic", result.json))
            stations.append(.object(members))
        }
        var system: [JSONValue.Member] = [
            .init("throughput", summary.system.throughput.json),
            .init("meanResponse", summary.system.meanResponse.json),
            .init("p50", summary.system.p50.json),
            .init("p95", summary.system.p95.json),
            .init("p99", summary.system.p99.json),
            .init("errorRate", summary.system.errorRate.json),
        ]
        var systemAnalytic: [JSONValue.Member] = []
        if let x = analytic.systemThroughput { systemAnalytic.append(.init("throughput", .number(x))) }
        if let r = analytic.systemMeanResponse { systemAnalytic.append(.init("meanResponse", .number(r))) }
        system.append(.init("analytic", .object(systemAnalytic)))

        let run = scenario.run
        var members: [JSONValue.Member] = [
            .init("kind", .string("network")),
            .init("scenario", .string(scenario.name)),
            .init("seed", .number(Double(scenario.seed))),
            .init("replications", .number(Double(summary.replications))),
            .init("confidence", .number(run.confidence)),
            .init("run", .object([
                .init("duration", .number(run.duration)),
                .init("warmup", .number(run.warmup)),
                .init("events", .number(Double(summary.events))),
                .init("version", .string(ScaleSimVersion.current)),
            ])),
            .init("stability", stabilityJSON),
            .init("stations", .array(stations)),
            .init("system", .object(system)),
        ]
        // What happened in the first replication (faults, health checks, scaling), when anything did.
        if !timeline.isEmpty { members.append(.init("timeline", .array(timeline.map(\.json)))) }
        members.append(.init("notes", .array(notes.map(JSONValue.string))))
        return .object(members)
    }

    /// What happened in the first replication, in time order (empty when nothing did).
    var timeline: [ReplicationResult.Marker] { timeSeries?.markers ?? [] }



    /// Plain-English notes: overloaded stations, replications that stopped early, and where
    /// the formulas are approximations or do not apply.
    public var notes: [String] {
        var notes = overloaded.map { o in
            "\(o.name) is overloaded: \(Format.number(o.offered)) requests/s offered, at most "
                + "\(Format.number(o.maximum)) requests/s served (\(Format.percent(o.offered / o.maximum)) of capacity); "
                + "its queue grows without bound and the simulated figures describe a transient, not a steady state"
        }
        notes += unreached.map { i in
            "stations[\(i)] (\(scenario.stations[i].name)): no request reaches it (no arrival with a positive rate, "
                + "and no route from a station that requests reach, leads to it); its figures are zero"
        }
        notes += summary.stoppedEarly
        notes += analytic.notes
        return notes
    }

    /// The stations no request reaches: neither an arrival with a positive rate nor the closed
    /// population leads to them through routes of positive probability. Their figures (all
    /// zero) are right, but such a station is more often a mistake in the routes than meant.
    public var unreached: [Int] {
        let stations = scenario.stations
        var reached = [Bool](repeating: false, count: stations.count)
        var work = scenario.arrivals.filter { $0.rate > 0 }.map(\.to) + (scenario.population.map { [$0.to] } ?? [])
        while let index = work.popLast() {
            guard !reached[index] else { continue }
            reached[index] = true
            let routes: [NetworkScenario.Route]
            switch stations[index].kind {
            case .queue(_, _, _, _, let next), .delay(_, let next): routes = next
            case .cache(_, _, _, _, _, let hit, let miss): routes = hit + miss
            }
            work += routes.filter { $0.p > 0 }.map(\.to)
        }
        return stations.indices.filter { !reached[$0] }
    }

    /// A station whose offered load exceeds what it can serve (open networks).
    public struct Overload: Sendable {
        public var name: String
        /// Requests per second that arrive at the station.
        public var offered: Double
        /// Requests per second it can serve at most (servers / mean service time).
        public var maximum: Double
    }

    /// The stations the analytic model finds overloaded, worst first.
    public var overloaded: [Overload] {
        zip(scenario.stations, analytic.stations).compactMap { station, result -> Overload? in
            guard !result.stable, let rho = result.utilization, rho >= 1, result.arrivalRate.isFinite else { return nil }
            return Overload(name: station.name, offered: result.arrivalRate, maximum: result.arrivalRate / rho)
        }.sorted { $0.offered / $0.maximum > $1.offered / $1.maximum }
    }

    /// `{ "stable": true }`, or the overloaded stations with offered and maximum throughput.
    var stabilityJSON: JSONValue {
        var members: [JSONValue.Member] = [.init("stable", .bool(overloaded.isEmpty))]
        if !overloaded.isEmpty {
            members.append(.init("overloaded", .array(overloaded.map { o in
                .object([.init("station", .string(o.name)), .init("offered", .number(o.offered)),
                         .init("maximum", .number(o.maximum))])
            })))
        }
        return .object(members)
    }
}

extension Estimate {
    /// `{ "mean": x, "halfWidth": h }`, `h` null with one replication.
    public var json: JSONValue {
        .object([.init("mean", .number(mean)), .init("halfWidth", halfWidth.map(JSONValue.number) ?? .null)])
    }
}

extension NetworkAnalytic.StationResult {
    var json: JSONValue {
        var members: [JSONValue.Member] = [.init("method", .string(method)), .init("stable", .bool(stable))]
        func add(_ key: String, _ value: Double?) {
            if let value { members.append(.init(key, .number(value))) }
        }
        add("throughput", throughput)
        add("utilization", utilization)
        add("meanResponse", meanResponse)
        add("meanWait", meanWait)
        add("waitProbability", waitProbability)
        add("meanQueueLength", meanQueueLength)
        add("meanInStation", meanInStation)
        add("blockingProbability", blockingProbability)
        add("hitRatio", hitRatio)
        return .object(members)
    }
}

/// The version written into every report so a reader can reproduce it.
public enum ScaleSimVersion {
    public static let current = "0.1.0"
}
