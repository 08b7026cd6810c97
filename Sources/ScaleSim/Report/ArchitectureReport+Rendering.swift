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
                resources.append(.object(members))
            }
            return .object([
                .init("name", .string(s.name)),
                .init("users", .number(Double(s.users))),
                .init("requestRate", .number(s.requestRate)),
                .init("costPerHour", .number(s.costPerHour)),
                .init("latency", latency(s.latency)),
                .init("throughput", s.throughput.json),
                .init("errorRate", s.errorRate.json),
                .init("timeoutRate", s.timeoutRate.json),
                .init("classes", .array(s.classes.map { c in
                    .object([.init("name", .string(c.name)), .init("latency", latency(c.latency)),
                             .init("throughput", c.throughput.json), .init("errorRate", c.errorRate.json)])
                })),
                .init("resources", .array(resources)),
                .init("bottleneck", s.bottleneck.map(JSONValue.string) ?? .null),
                .init("slo", .object([.init("met", .bool(s.slo.met)),
                                      .init("violations", .array(s.slo.violations.map(JSONValue.string)))])),
                .init("events", .number(Double(s.events))),
                .init("notes", .array(s.stoppedEarly.enumerated().map { .string("replication \($0.offset + 1): \($0.element)") })),
            ])
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

    static let stageHeader = ["stage", "users", "req/s", "mean", "p99", "errors", "bottleneck", "SLO", "$/hour"]

    func stageRows() -> [[String]] {
        stages.map { s in
            let bottleneck = s.bottleneck.map { name in
                let u = s.resources.first { $0.name == name }?.utilization?.mean ?? .nan
                return "\(name) \(Format.percent(u))"
            } ?? ""
            return [s.name, "\(s.users)", Format.number(s.requestRate),
                    Format.estimate(s.latency["mean"], Format.time), Format.estimate(s.latency["p99"], Format.time),
                    Format.estimate(s.errorRate, Format.percent), bottleneck, s.slo.met ? "met" : "FAILS",
                    Format.number(s.costPerHour)]
        }
    }

    var settingsLine: String {
        let run = scenario.run
        return "seed \(scenario.seed), \(run.replications) replications of \(Format.time(run.duration)) "
            + "(warm-up \(Format.time(run.warmup))) per stage; ± is the \(Format.number(run.confidence * 100))% confidence half-width"
    }

    /// The stage comparison `scalesim` prints.
    public var table: String {
        var out = "\(scenario.name): architecture, \(settingsLine)\n\n"
        out += Format.table(Self.stageHeader, stageRows(), markdown: false)
        let failing = stages.filter { !$0.slo.met }
        if !failing.isEmpty {
            out += "\nSLO violations:\n" + failing.map { "- \($0.name): \($0.slo.violations.joined(separator: "; "))\n" }.joined()
        }
        return out
    }

    /// Per stage, the resources with their utilization or hit ratio.
    func resourceRows(_ s: StageResult) -> [[String]] {
        s.resources.map { r in
            [r.name, r.kind, Format.estimate(r.utilization, Format.percent), Format.estimate(r.meanQueueLength, Format.number),
             Format.estimate(r.hitRatio, Format.percent)]
        }
    }

    static let resourceHeader = ["resource", "kind", "utilization", "queue", "hit ratio"]

    public var markdown: String {
        var out = "# \(scenario.name)\n\nArchitecture scenario; \(settingsLine).\n\n## Stages\n\n"
        out += Format.table(Self.stageHeader, stageRows(), markdown: true)
        for s in stages {
            out += "\n## \(s.name)\n\n"
            if !s.slo.violations.isEmpty { out += "SLO fails: " + s.slo.violations.joined(separator: "; ") + ".\n\n" }
            out += Format.table(Self.resourceHeader, resourceRows(s), markdown: true)
        }
        return out
    }

    public var html: String {
        var body = "<h1>\(htmlEscaped(scenario.name))</h1>\n<p class=\"settings\">Architecture scenario; \(htmlEscaped(settingsLine)).</p>\n"
        body += "<h2>Stages</h2>\n" + HTML.table(Self.stageHeader, stageRows())
        for s in stages {
            body += "<h2>\(htmlEscaped(s.name))</h2>\n"
            if !s.slo.violations.isEmpty {
                body += "<p>SLO fails: \(htmlEscaped(s.slo.violations.joined(separator: "; "))).</p>\n"
            }
            let bars = s.resources.compactMap { r -> SVGChart.Bar? in
                guard let u = r.utilization, u.mean > 0.005 else { return nil }
                return SVGChart.Bar(label: r.name, value: u.mean, halfWidth: u.halfWidth, reference: nil)
            }
            body += "<figure>\n" + SVGChart.bars(title: "Utilization: \(s.name)", bars, maximum: 1, marker: (0.8, "80%"),
                                                 format: Format.percent) + "</figure>\n"
            body += HTML.table(Self.resourceHeader, resourceRows(s))
        }
        return HTML.page(title: "scalesim: \(scenario.name)", body: body)
    }
}
