/// What defines a sweep, besides the scenario file: the stage, the axes, the seed, the run
/// settings and the SLO. Two parts can be merged only when their definitions are equal.
public struct SweepDefinition: Sendable {
    /// The scenario's name (from the file).
    public var scenario: String
    /// Index of the swept stage in the file's `stages`, and its name.
    public var stageIndex: Int
    public var stage: String
    public var seed: UInt64
    public var run: RunSettings
    public var slo: ArchitectureScenario.SLO
    public var grid: SweepGrid

    public init(sweep: Sweep) {
        scenario = sweep.scenario.name
        stageIndex = sweep.stage
        stage = sweep.scenario.stages[sweep.stage].name
        seed = sweep.scenario.seed
        run = sweep.scenario.run
        slo = sweep.slo
        grid = sweep.grid
    }

    /// The report of these points (`SweepReport.init(sweep:points:)` without the scenario).
    public func report(points: [SweepPoint]) -> SweepReport {
        SweepReport(scenario: scenario, seed: seed, run: run, stage: stage, slo: slo, grid: grid, points: points)
    }

    /// Every number exactly (see `SweepPart.exact`).
    public var json: JSONValue {
        .object([
            .init("scenario", .string(scenario)),
            .init("stageIndex", .number(Double(stageIndex))),
            .init("stage", .string(stage)),
            .init("seed", .string(String(seed))),
            .init("run", .object([
                .init("duration", SweepPart.exact(run.duration)),
                .init("warmup", SweepPart.exact(run.warmup)),
                .init("replications", .number(Double(run.replications))),
                .init("confidence", SweepPart.exact(run.confidence)),
                .init("window", run.window.map(SweepPart.exact) ?? .null),
            ])),
            .init("slo", .object([.init("p99", slo.p99.map(SweepPart.exact) ?? .null),
                                  .init("errorRate", slo.errorRate.map(SweepPart.exact) ?? .null)])),
            .init("axes", .array(grid.axes.map { .object([.init("parameter", .string($0.parameter.rawValue)),
                                                          .init("values", .array($0.values.map(SweepPart.exact)))]) })),
        ])
    }

    init(json: JSONValue, at path: String) throws(SweepPartError) {
        let r = SweepPart.Reader(path: path)
        scenario = try r.string(json, "scenario")
        stageIndex = try r.int(json, "stageIndex")
        stage = try r.string(json, "stage")
        guard let seed = UInt64(try r.string(json, "seed")) else { throw r.bad("seed", "not a whole number") }
        self.seed = seed
        let run = try r.member(json, "run")
        let window = try r.member(run, "window")
        self.run = RunSettings(duration: try r.double(run, "duration"), warmup: try r.double(run, "warmup"),
                               replications: try r.int(run, "replications"), confidence: try r.double(run, "confidence"),
                               window: window == .null ? nil : try r.double(run, "window"))
        let slo = try r.member(json, "slo")
        self.slo = .init(p99: try r.optionalDouble(slo, "p99"), errorRate: try r.optionalDouble(slo, "errorRate"))
        var axes: [SweepAxis] = []
        for axis in try r.array(json, "axes") {
            let name = try r.string(axis, "parameter")
            guard let parameter = SweepParameter(rawValue: name) else { throw r.bad("axes", "unknown parameter \"\(name)\"") }
            let values = try r.array(axis, "values").map { v throws(SweepPartError) in try r.exact(v, "axes.values") }
            guard !values.isEmpty else { throw r.bad("axes", "\(name) has no values") }
            axes.append(SweepAxis(parameter: parameter, values: values))
        }
        guard !axes.isEmpty else { throw r.bad("axes", "no axes") }
        do {
            grid = try SweepGrid(axes: axes)
        } catch {
            throw r.bad("axes", error.description)
        }
    }
}
