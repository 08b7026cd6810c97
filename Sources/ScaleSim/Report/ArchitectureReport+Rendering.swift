extension ArchitectureReport {
    /// The report as the JSON contract (DESIGN.md section 6, architecture scenario).
    public var json: JSONValue {
        func latency(_ l: [String: Estimate]) -> JSONValue {
            .object(["mean", "p50", "p95", "p99"].map { JSONValue.Member($0, (l[$0] ?? Estimate(mean: .nan, halfWidth: nil)).json) })
        }
        let stageValues: [JSONValue] = stages.map { s in
            var resources: [JSONValue] = []
            for r in s.resources {
                var members: [JSONValue.Member] = [.init("name", .string(r.name)), .init("kind", .string(r.kind))]
                if let u = r.utilization { members.append(.init("utilization", u.json)) }
                if let q = r.meanQueueLength { members.append(.init("meanQueueLength", q.json)) }
                if let h = r.hitRatio { members.append(.init("hitRatio", h.json)) }
                if let c = r.coalescedPerSecond { members.append(.init("coalescedPerSecond", c.json)) }
                if let h = r.hotMissesPerSecond { members.append(.init("hotMissesPerSecond", h.json)) }
                if let a = r.analytic {
                    members.append(.init("analytic", .object([.init(r.kind == "cache" ? "hitRatio" : "utilization", .number(a))])))
                }
                resources.append(.object(members))
            }
            var members: [JSONValue.Member] = [
                .init("name", .string(s.name)),
                .init("users", .number(Double(s.users))),
                .init("requestRate", .number(s.requestRate)),
                .init("costPerHour", .number(s.costPerHour)),
                .init("latency", latency(s.latency)),
                .init("throughput", s.throughput.json),
                .init("errorRate", s.errorRate.json),
                .init("timeoutRate", s.timeoutRate.json),
            ]
            members += Self.retryMembers(retries: s.retriesPerRequest, failures: s.failureRate)
            members += [
                .init("classes", .array(s.classes.map { c in
                    .object([.init("name", .string(c.name)), .init("latency", latency(c.latency)),
                             .init("throughput", c.throughput.json), .init("errorRate", c.errorRate.json)]
                            + Self.retryMembers(retries: c.retriesPerRequest, failures: c.failureRate))
                })),
                .init("resources", .array(resources)),
            ]
            if !s.routers.isEmpty { members.append(.init("routers", .array(s.routers.map(\.json)))) }
            if let w = s.websockets { members.append(.init("websockets", w.json)) }
            members += [
                .init("bottleneck", s.bottleneck.map(JSONValue.string) ?? .null),
                .init("slo", .object([.init("met", .bool(s.slo.met)),
                                      .init("violations", .array(s.slo.violations.map(JSONValue.string)))])),
            ]
            if let c = s.capacity {
                members.append(.init("capacity", .object([
                    .init("maxUsers", .number(Double(c.maxUsers))),
                    .init("binding", c.binding.map(JSONValue.string) ?? .null),
                    .init("method", .string(c.method.rawValue)),
                    .init("failsOn", c.failsOn.map(JSONValue.string) ?? .null),
                ])))
            }
            if let a = s.analytic {
                members.append(.init("analytic", .object([
                    .init("stable", .bool(a.stable)),
                    .init("throughput", .number(a.throughput)),
                    .init("maxThroughput", .number(a.maxThroughput)),
                    .init("bottleneck", a.bottleneck.map(JSONValue.string) ?? .null),
                    .init("latency", .object(["mean", "p50", "p95", "p99"].map { JSONValue.Member($0, a.latency[$0].map(JSONValue.number) ?? .null) })),
                    .init("errorRate", .number(a.errorRate)),
                ])))
            }
            if let timeline = s.timeline { members.append(.init("timeline", .array(timeline.map(\.json)))) }
            members += [
                .init("events", .number(Double(s.events))),
                .init("notes", .array(s.stoppedEarly.map(JSONValue.string))),
            ]
            return .object(members)
        }
        let run = scenario.run
        return .object([
            .init("kind", .string("architecture")),
            .init("scenario", .string(scenario.name)),
            .init("seed", .number(Double(scenario.seed))),
            .init("replications", .number(Double(run.replications))),
            .init("confidence", .number(run.confidence)),
            .init("run", .object([.init("duration", .number(run.duration)), .init("warmup", .number(run.warmup)),
                                  .init("version", .string(ScaleSimVersion.current))])),
            .init("stages", .array(stageValues)),
        ])
    }

    static let stageHeader = ["stage", "users", "req/s", "mean", "p99", "errors", "bottleneck", "SLO", "capacity", "$/hour"]

    func stageRows() -> [[String]] {
        stages.map { s in
            let bottleneck = s.bottleneck.map { name in
                let u = s.resources.first { $0.name == name }?.utilization?.mean ?? .nan
                return "\(name) \(Format.percent(u))"
            } ?? ""
            return [s.name, Format.count(s.users), Format.number(s.requestRate),
                    Format.estimate(s.latency["mean"], Format.time), Format.estimate(s.latency["p99"], Format.time),
                    Format.estimate(s.errorRate, Format.percent), bottleneck, s.slo.met ? "met" : "FAILS",
                    Self.capacityText(s.capacity), Format.number(s.costPerHour)]
        }
    }

    /// How the capacities were found, in words.
    var capacityMethodText: String {
        stages.contains { $0.capacity?.method == .simulation }
            ? "found by simulation (a load passes when the SLO holds at the confidence interval's worse end), starting from the analytic model"
            : "found with the analytic model"
    }

    static func capacityText(_ c: StageCapacity?) -> String {
        guard let c else { return "" }
        return c.failsOn == nil ? "≥ \(Format.count(c.maxUsers))" : Format.count(c.maxUsers)
    }

    static let latencyHeader = ["stage", "mean", "p50", "p95", "p99", "throughput/s", "errors", "timeouts", "$/month"]

    func latencyRows() -> [[String]] {
        stages.map { s in
            [s.name] + ["mean", "p50", "p95", "p99"].map { Format.estimate(s.latency[$0], Format.time) }
                + [Format.estimate(s.throughput, Format.number), Format.estimate(s.errorRate, Format.percent),
                   Format.estimate(s.timeoutRate, Format.percent), Format.number(s.costPerHour * 730)]
        }
    }

    static let capacityHeader = ["stage", "most users within the SLO", "then binds", "fails on", "method"]

    func capacityRows() -> [[String]] {
        stages.compactMap { s in
            s.capacity.map { c in [s.name, Self.capacityText(c), c.binding ?? "", c.failsOn ?? "", c.method.rawValue] }
        }
    }

    static let analyticHeader = ["stage", "req/s", "limit req/s", "mean sim", "mean analytic", "p99 sim", "p99 analytic", "saturates first"]

    func analyticRows() -> [[String]] {
        stages.compactMap { s in
            s.analytic.map { a in
                [s.name, Format.number(a.throughput), Format.number(a.maxThroughput),
                 Format.estimate(s.latency["mean"], Format.time), a.latency["mean"].map(Format.time) ?? "overloaded",
                 Format.estimate(s.latency["p99"], Format.time), a.latency["p99"].map(Format.time) ?? "overloaded",
                 a.bottleneck ?? ""]
            }
        }
    }

    var settingsLine: String {
        let run = scenario.run
        return "seed \(scenario.seed), \(run.replications) replications of \(Format.time(run.duration)) "
            + "(warm-up \(Format.time(run.warmup))) per stage; ± is the \(Format.number(run.confidence * 100))% confidence half-width"
    }

    /// How to run the report again, for its reader.
    var reproduceLine: String {
        "scalesim \(ScaleSimVersion.current); reproduce with `scalesim run <scenario file> --seed \(scenario.seed)` "
            + "(same file, same seed: the same report, byte for byte)"
    }

    /// The stage comparison `scalesim` prints.
    public var table: String {
        var out = "\(scenario.name): architecture, \(settingsLine)\n\n"
        out += Format.table(Self.stageHeader, stageRows(), markdown: false)
        let failing = stages.filter { !$0.slo.met }
        if !failing.isEmpty {
            out += "\nSLO violations:\n" + failing.map { "- \($0.name): \($0.slo.violations.joined(separator: "; "))\n" }.joined()
        }
        // Overloads and replications that stopped early: what a reader of the table alone must
        // know to trust its figures (the network table prints the same notes).
        let notes = stages.flatMap { s in
            (Self.overloadNote(s).map { [$0] } ?? []).map { "\(s.name): \($0)" } + s.stoppedEarly.map { "\(s.name): \($0)" }
                + (s.websockets.map { ["\(s.name): \($0.note)"] } ?? [])
        }
        if !notes.isEmpty { out += "\nnotes:\n" + notes.map { "- \($0)\n" }.joined() }
        if stages.contains(where: { $0.capacity != nil }) {
            out += "\ncapacity: the most users that meet the SLO, \(capacityMethodText) (details in report.md)\n"
        }
        return out
    }

    /// Per stage, the resources with their utilization or hit ratio, simulated and analytic.
    func resourceRows(_ s: StageResult) -> [[String]] {
        s.resources.map { r in
            [r.name, r.kind, Format.estimate(r.utilization, Format.percent), Format.estimate(r.meanQueueLength, Format.number),
             Format.estimate(r.hitRatio, Format.percent), r.analytic.map(Format.percent) ?? ""]
        }
    }

    static let resourceHeader = ["resource", "kind", "utilization", "queue", "hit ratio", "analytic"]

    public var markdown: String {
        var out = "# \(scenario.name)\n\nArchitecture scenario; \(settingsLine).\n\n## Summary\n\n"
        out += summary.map { "- \($0)\n" }.joined()
        out += "\n## Stages\n\n" + Format.table(Self.stageHeader, stageRows(), markdown: true)
        out += "\n## Latency, throughput, errors and cost\n\n" + Format.table(Self.latencyHeader, latencyRows(), markdown: true)
        if !capacityRows().isEmpty {
            out += "\n## Capacity\n\nThe most users each stage serves within its SLO (p99 and error rate), \(capacityMethodText).\n\n"
            out += Format.table(Self.capacityHeader, capacityRows(), markdown: true)
        }
        out += "\n## Simulation and analytic model\n\n" + Format.table(Self.analyticHeader, analyticRows(), markdown: true)
        for s in stages {
            out += "\n## \(s.name)\n\n"
            if !s.slo.violations.isEmpty { out += "SLO fails: " + s.slo.violations.joined(separator: "; ") + ".\n\n" }
            out += s.stoppedEarly.map { "Stopped early, \($0).\n\n" }.joined()
            out += Format.table(Self.resourceHeader, resourceRows(s), markdown: true)
            let notes = analyticNotes(s)
            if !notes.isEmpty { out += "\nAnalytic model: " + notes.joined(separator: " ") + "\n" }
            for table in changeTables(s) {
                out += "\n### \(table.title)\n\n" + (table.lead.map { $0 + "\n\n" } ?? "")
                    + Format.table(table.header, table.rows, markdown: true)
            }
        }
        out += "\n## Run settings\n\n\(settingsLine.prefix(1).uppercased() + settingsLine.dropFirst()). \(reproduceLine).\n"
        return out
    }
}
