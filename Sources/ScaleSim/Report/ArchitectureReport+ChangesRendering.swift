/// The figures of a stage that changes during its run, as JSON members and as tables for
/// `report.md` and `report.html` (see `StageResult.addChanges`).
extension ArchitectureReport {
    /// `retriesPerRequest` and `failureRate`, those that are given.
    static func retryMembers(retries: Estimate?, failures: Estimate?) -> [JSONValue.Member] {
        var members: [JSONValue.Member] = []
        if let retries { members.append(.init("retriesPerRequest", retries.json)) }
        if let failures { members.append(.init("failureRate", failures.json)) }
        return members
    }

    /// A table of a changing stage: its title, a sentence before it, and its cells.
    struct ChangeTable {
        var title: String
        var lead: String?
        var header: [String]
        var rows: [[String]]
    }

    /// The tables of `s` that only a changing stage has, in this order: retries and failures
    /// per class, the instances of routers whose count changes, coalesced and hot-key cache
    /// misses, and what happened in the first replication; first of all, the realtime
    /// connections' (`WebSocketFigures.table`) when the workload has them. Empty for a stage
    /// that does not change and has no connections.
    func changeTables(_ s: StageResult) -> [ChangeTable] {
        var tables: [ChangeTable] = s.websockets.map { [$0.table] } ?? []
        let retries = s.retriesPerRequest != nil, failures = s.failureRate != nil
        if retries || failures {
            var header = ["class", "throughput/s", "errors"]
            if retries { header.append("retries per request") }
            if failures { header.append("attempts failed") }
            var rows = s.classes.map { c in
                [c.name, Format.estimate(c.throughput, Format.number), Format.estimate(c.errorRate, Format.percent)]
                    + (retries ? [Format.estimate(c.retriesPerRequest, Format.number)] : [])
                    + (failures ? [Format.estimate(c.failureRate, Format.percent)] : [])
            }
            rows.append(["all", Format.estimate(s.throughput, Format.number), Format.estimate(s.errorRate, Format.percent)]
                        + (retries ? [Format.estimate(s.retriesPerRequest, Format.number)] : [])
                        + (failures ? [Format.estimate(s.failureRate, Format.percent)] : []))
            tables.append(ChangeTable(
                title: "Retries and failures",
                lead: "Errors are requests that failed for good, after their retries; attempts failed are those lost to a component that was down.",
                header: header, rows: rows))
        }
        if !s.routers.isEmpty {
            let running = s.routers.contains { $0.meanRunning != nil }
            let priced = s.routers.filter { $0.costPerHour != nil }
            var header = ["router", "mean in service", "peak in service"]
            if running { header.append("mean running") }
            if !priced.isEmpty { header.append("$/hour") }
            let rows = s.routers.map { r in
                [r.name, Format.estimate(r.meanInService, Format.number), Format.estimate(r.peakInService, Format.number)]
                    + (running ? [Format.estimate(r.meanRunning, Format.number)] : [])
                    + (priced.isEmpty ? [] : [r.costPerHour.map(Format.number) ?? ""])
            }
            let lead = priced.isEmpty ? nil
                : "The stage's cost counts the instances that ran (in service or being provisioned), on average, of "
                    + priced.map(\.name).joined(separator: ", ") + ", not the most there can be."
            tables.append(ChangeTable(title: "Instances", lead: lead, header: header, rows: rows))
        }
        let caches = s.resources.filter { $0.coalescedPerSecond != nil || $0.hotMissesPerSecond != nil }
        if !caches.isEmpty {
            tables.append(ChangeTable(
                title: "Cache misses", lead: "Per second: misses that joined a fill already under way (coalesced), "
                    + "and misses of the hot keys that went to the backend.",
                header: ["cache", "hit ratio", "coalesced/s", "hot-key misses/s"],
                rows: caches.map { r in
                    [r.name, Format.estimate(r.hitRatio, Format.percent), Format.estimate(r.coalescedPerSecond, Format.number),
                     Format.estimate(r.hotMissesPerSecond, Format.number)]
                }))
        }
        if let timeline = s.timeline, !timeline.isEmpty {
            let table = ReplicationResult.Marker.table(timeline, warmup: scenario.run.warmup)
            tables.append(ChangeTable(title: "What happened", lead: table.lead, header: ["time", "event"], rows: table.rows))
        }
        return tables
    }
}

extension ArchitectureReport.RouterFigures {
    /// `{name, meanInService, peakInService, meanRunning?, costPerHour?}`.
    var json: JSONValue {
        var members: [JSONValue.Member] = [.init("name", .string(name)), .init("meanInService", meanInService.json),
                                           .init("peakInService", peakInService.json)]
        if let meanRunning { members.append(.init("meanRunning", meanRunning.json)) }
        if let costPerHour { members.append(.init("costPerHour", .number(costPerHour))) }
        return .object(members)
    }
}

extension ReplicationResult.Marker {
    /// `{time, kind, label}`, the kind as `Kind`'s raw value (`fault_start`, `scale_out`, ...).
    var json: JSONValue {
        .object([.init("time", .number(time)), .init("kind", .string(kind.rawValue)), .init("label", .string(label))])
    }

    /// A marker read back from its `json` (nil when it is not one).
    init?(json: JSONValue) {
        guard case .number(let time)? = json["time"], case .string(let kind)? = json["kind"],
              let parsed = Kind(rawValue: kind), case .string(let label)? = json["label"] else { return nil }
        self.init(time: time, kind: parsed, label: label)
    }
}
