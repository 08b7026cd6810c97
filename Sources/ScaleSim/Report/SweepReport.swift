/// The report of a sweep (`scalesim sweep`): per point its figures, and per curve its knee.
///
/// A curve is the points along the first axis for one combination of the values of the other
/// axes. Its knee is the first point on it, in the order of the first axis's values, where the
/// SLO is not met; `lastMet` is the point just before the knee when that one meets the SLO
/// (nil when the curve fails from its first point).
///
/// Built from any set of points (`init` sorts them by index), so points evaluated in several
/// processes and put together give the same report as one process.
public struct SweepReport: Sendable {
    public var scenario: String
    public var seed: UInt64
    public var run: RunSettings
    /// The swept stage as the scenario names it.
    public var stage: String
    public var slo: ArchitectureScenario.SLO
    public var axes: [SweepAxis]
    /// Sorted by index.
    public var points: [SweepPoint]
    public var knees: [Knee]

    /// The knee of one curve.
    public struct Knee: Sendable {
        /// The values of the axes after the first (empty with one axis).
        public var fixed: [Double]
        /// Index of the first point on the curve that fails the SLO (nil: none fails).
        public var knee: Int?
        /// Index of the point before the knee, when it meets the SLO.
        public var lastMet: Int?
        /// Index of the last point of the curve, when no point fails.
        public var last: Int?
    }

    public init(sweep: Sweep, points: [SweepPoint]) {
        self.init(scenario: sweep.scenario.name, seed: sweep.scenario.seed, run: sweep.scenario.run,
                  stage: sweep.scenario.stages[sweep.stage].name, slo: sweep.slo, grid: sweep.grid, points: points)
    }

    /// The report from the sweep's definition alone (what a partial result file keeps, so
    /// `scalesim merge` needs no scenario file): the same report as `init(sweep:points:)`.
    public init(scenario: String, seed: UInt64, run: RunSettings, stage: String, slo: ArchitectureScenario.SLO,
                grid: SweepGrid, points: [SweepPoint]) {
        self.scenario = scenario
        self.seed = seed
        self.run = run
        self.stage = stage
        self.slo = slo
        axes = grid.axes
        self.points = points.sorted { $0.index < $1.index }
        var curves: [Int: [SweepPoint]] = [:]
        for point in self.points { curves[grid.curve(of: point.index), default: []].append(point) }
        knees = curves.keys.sorted().map { curve in
            let along = curves[curve]!  // sorted by index, so by position on the curve
            let fixed = Array(along[0].values.dropFirst())
            guard let k = along.firstIndex(where: { !$0.sloMet }) else {
                return Knee(fixed: fixed, knee: nil, lastMet: nil, last: along.last?.index)
            }
            let before = k > 0 && grid.position(of: along[k - 1].index) == grid.position(of: along[k].index) - 1
            return Knee(fixed: fixed, knee: along[k].index, lastMet: before ? along[k - 1].index : nil, last: nil)
        }
    }

    /// The point with grid index `index`, if the report has it.
    public func point(_ index: Int) -> SweepPoint? {
        points.first { $0.index == index }
    }
}

// MARK: - Rendering

extension SweepReport {
    /// `sweep.json`: deterministic (the same file and seed give the same bytes, whatever `--jobs`).
    public var json: JSONValue {
        var sloMembers: [JSONValue.Member] = []
        sloMembers.append(.init("p99", slo.p99.map(JSONValue.number) ?? .null))
        sloMembers.append(.init("errorRate", slo.errorRate.map(JSONValue.number) ?? .null))
        return .object([
            .init("kind", .string("sweep")),
            .init("scenario", .string(scenario)),
            .init("seed", .number(Double(seed))),
            .init("replications", .number(Double(run.replications))),
            .init("confidence", .number(run.confidence)),
            .init("run", .object([.init("duration", .number(run.duration)), .init("warmup", .number(run.warmup)),
                                  .init("version", .string(ScaleSimVersion.current))])),
            .init("stage", .string(stage)),
            .init("slo", .object(sloMembers)),
            .init("axes", .array(axes.map { .object([.init("parameter", .string($0.parameter.rawValue)),
                                                      .init("values", .array($0.values.map(JSONValue.number)))]) })),
            .init("points", .array(points.map(\.json))),
            .init("knees", .array(knees.map { k in
                .object([
                    .init("fixed", .object(zip(axes.dropFirst(), k.fixed).map { JSONValue.Member($0.parameter.rawValue, .number($1)) })),
                    .init("knee", k.knee.map { .number(Double($0)) } ?? .null),
                    .init("kneeValue", k.knee.flatMap { point($0)?.values[0] }.map(JSONValue.number) ?? .null),
                    .init("lastMet", k.lastMet.map { .number(Double($0)) } ?? .null),
                    .init("lastMetValue", k.lastMet.flatMap { point($0)?.values[0] }.map(JSONValue.number) ?? .null),
                ])
            })),
        ])
    }

    /// A value of `axis` for people: `46,416`, `30 s`.
    func value(_ v: Double, _ axis: SweepAxis) -> String {
        axis.parameter == .cacheTTL ? Format.time(v) : (v == v.rounded() ? Format.count(Int(v)) : Format.number(v))
    }

    /// One row per point.
    func rows(markdown: Bool) -> (header: [String], rows: [[String]]) {
        let showUsers = !axes.contains { $0.parameter == .users }
        var header = axes.map(\.parameter.rawValue)
        if showUsers { header.append("users") }
        header += ["offered/s", "throughput/s", "mean", "p99", "errors", "busiest", "SLO"]
        let rows = points.map { p in
            var row = zip(p.values, axes).map { value($0, $1) }
            if showUsers { row.append(Format.count(p.users)) }
            row += [Format.number(p.requestRate),
                    Format.estimate(p.throughput, Format.number),
                    Format.estimate(p.meanLatency, Format.time),
                    Format.estimate(p.p99, Format.time),
                    Format.estimate(p.errorRate, Format.percent),
                    p.busiest.prefix(markdown ? 3 : 2).map { "\($0.resource) \(Format.percent($0.utilization.mean))" }
                        .joined(separator: ", "),
                    p.sloMet ? "met" : "FAILS"]
            return row
        }
        return (header, rows)
    }

    /// The knees in words, one line per curve.
    public var kneeLines: [String] {
        knees.map { k in
            let first = axes[0]
            var prefix = zip(axes.dropFirst(), k.fixed).map { "\($0.parameter.rawValue) = \(value($1, $0))" }.joined(separator: ", ")
            if !prefix.isEmpty { prefix += ": " }
            guard let kneeIndex = k.knee, let knee = point(kneeIndex) else {
                let last = k.last.flatMap(point).map { value($0.values[0], first) } ?? "?"
                return prefix + "the SLO holds at every point, up to \(first.parameter.rawValue) = \(last)."
            }
            var line = prefix + "the SLO breaks at \(first.parameter.rawValue) = \(value(knee.values[0], first))"
            if !knee.violations.isEmpty { line += " (\(knee.violations.joined(separator: "; ")))" }
            if let met = k.lastMet.flatMap(point) {
                line += "; it holds at \(value(met.values[0], first))"
            } else if kneeIndex % first.values.count == 0 {
                line += "; it fails from the first point"
            }
            if let b = knee.bottleneck { line += "; bottleneck \(b)" }
            return line + "."
        }
    }

    var sloText: String {
        var parts: [String] = []
        if let p99 = slo.p99 { parts.append("p99 ≤ \(Format.time(p99))") }
        if let e = slo.errorRate { parts.append("errors ≤ \(Format.percent(e))") }
        return parts.isEmpty ? "no SLO" : "SLO " + parts.joined(separator: ", ")
    }

    var title: String {
        "Sweep of \"\(stage)\" (\(scenario)) over " + axes.map { "\($0.parameter.rawValue) (\($0.values.count) values)" }
            .joined(separator: " × ") + ": \(points.count) points, \(run.replications) replications each, \(sloText)"
    }

    /// The table printed by `scalesim sweep`.
    public var table: String {
        let (header, rows) = rows(markdown: false)
        return title + "\n\n" + Format.table(header, rows, markdown: false) + "\n" + kneeLines.map { "Knee: " + $0 }.joined(separator: "\n") + "\n"
    }

    /// `sweep.md`.
    public var markdown: String {
        let (header, rows) = rows(markdown: true)
        var text = "# \(title)\n\n"
        text += "Seed \(seed), \(Format.time(run.duration)) per replication (\(Format.time(run.warmup)) warm-up), "
            + "confidence \(Format.percent(run.confidence)); figures are means ± the interval's half-width.\n\n"
        text += Format.table(header, rows, markdown: true) + "\n## Knees\n\n"
        text += kneeLines.map { "- " + $0 }.joined(separator: "\n") + "\n"
        let stopped = points.filter { !$0.stoppedEarly.isEmpty }
        if !stopped.isEmpty {
            text += "\n## Notes\n\n" + stopped.map { "- point \($0.index): " + $0.stoppedEarly.joined(separator: "; ") }.joined(separator: "\n") + "\n"
        }
        return text
    }

    /// `sweep.csv`: one row per point; estimates as a mean and a half-width column (empty
    /// with one replication), utilizations and rates as fractions, times in seconds.
    public var csv: String {
        func number(_ v: Double?) -> String {
            guard let v, v.isFinite else { return "" }
            return "\(v)"
        }
        func quoted(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        let showUsers = !axes.contains { $0.parameter == .users }
        var header = ["point"] + axes.map(\.parameter.rawValue) + (showUsers ? ["users"] : []) + ["requestRate"]
        for name in ["throughput", "meanLatency", "p99", "errorRate"] { header += [name, name + "HalfWidth"] }
        for k in 1...SweepPoint.busiestShown { header += ["busiest\(k)", "busiest\(k)Utilization"] }
        header += ["bottleneck", "sloMet"]
        var lines = [header.joined(separator: ",")]
        for p in points {
            var cells = [String(p.index)] + p.values.map { SweepAxis.text($0) } + (showUsers ? [String(p.users)] : [])
            cells.append(number(p.requestRate))
            for e in [p.throughput, p.meanLatency, p.p99, p.errorRate] { cells += [number(e.mean), number(e.halfWidth)] }
            for k in 0..<SweepPoint.busiestShown {
                let b = k < p.busiest.count ? p.busiest[k] : nil
                cells += [quoted(b?.resource ?? ""), number(b?.utilization.mean)]
            }
            cells += [quoted(p.bottleneck ?? ""), p.sloMet ? "true" : "false"]
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
