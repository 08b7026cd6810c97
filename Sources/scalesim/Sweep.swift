import ArgumentParser
import Foundation
import ScaleSim

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run one architecture stage over a grid of users, instances, connections... and find where its SLO breaks.",
        discussion: """
            Each --vary PARAM=SPEC is one axis; the grid is their cartesian product, the first \
            axis varying fastest. SPEC is a..b:log:N (N values spaced on a log scale, rounded to \
            whole numbers for whole-number parameters; a value repeated by rounding is run once), \
            a..b:lin:N (N evenly spaced values), a..b (every integer from a to b) or a list a,b,c. \
            a may exceed b (a descending sweep). Numbers may end in k (thousand) or M (million); \
            cache.ttl also takes times (30s, 5m). PARAM: \
            \(SweepParameter.allCases.map(\.rawValue).joined(separator: ", ")) (users sets the \
            stage's users, so the request rate; the others the stage's component of that name: \
            api.workers is per instance).

            Every point runs the stage with the scenario's run settings and replications, on \
            --jobs threads (the replications of all points share one queue). Every point draws \
            from the scenario's seed (common random numbers: replication r of every point sees \
            the same arrivals), so a point's figures depend only on the file, the stage and the \
            point's values, never on the other points or --jobs: the same file and seed give \
            the same sweep.json, byte for byte.

            The report gives per point the offered rate, throughput, mean and p99 latency and \
            error rate (mean ± confidence half-width), the three busiest components (each by \
            its busiest instance) and whether the SLO is met; and per curve (the points along \
            the first axis for one value of the others) the knee: the first point, in the \
            order of the first axis's values, where the SLO breaks, with the last point before \
            it that meets it. It is printed in --format and written as sweep.json, sweep.md, \
            sweep.csv and sweep.html (the curves as charts) to --out (default reports/<file name>-sweep/).

            Network scenarios cannot be swept yet (exit 64). Ctrl-C stops the sweep: nothing \
            is written, exit 130.

            Sharding: --shard I/N (shards numbered 1...N) runs only the points whose index i has \
            i % N == I-1 and writes a partial result, sweep.part-I-of-N.json, to --out; \
            `scalesim merge` puts the N parts together into the same sweep.json, .md, .csv and \
            .html as one run, byte for byte. Without --shard, the shard comes from the \
            environment when the number of shards is given (--shards N, else $SCALESIM_SHARDS): \
            $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job, 0...N-1) is shard index+1, else \
            $SLURM_ARRAY_TASK_ID (a Slurm job array, which must run --array=0-(N-1)) is shard \
            id+1. --shard wins over the environment; a bad value is a usage error (exit 64).
            """)

    @Argument(help: "The scenario file (JSON): an architecture scenario.")
    var file: String

    @Option(name: .customLong("vary"), help: ArgumentHelp("An axis of the grid, e.g. users=10k..1M:log:12 or api.instances=2..40 (repeatable; see above).", valueName: "param=spec"))
    var vary: [String] = []

    @Option(help: "The stage to sweep, by name or by index as in stages[INDEX] (default: the last stage).")
    var stage: String?

    @Option(help: "Targets, e.g. p99=300ms,errors=0.1% (default: the stage's SLO).")
    var slo: String?

    @Option(help: "Seed of every random stream (overrides the scenario's).")
    var seed: UInt64?

    @Option(help: "Replications per point (overrides the scenario's).")
    var replications: Int?

    @Option(help: "Simulations run at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "What to print on standard output: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: OutputFormat = .table

    @Option(help: "Folder for sweep.json, sweep.md, sweep.csv and sweep.html (default: reports/<file name without extension>-sweep).")
    var out: String?

    @Option(help: ArgumentHelp("Run only shard I of N (numbered from 1) and write sweep.part-I-of-N.json (see above).", valueName: "I/N"))
    var shard: String?

    @Option(help: "The number of shards when the shard's index comes from $JOB_COMPLETION_INDEX or $SLURM_ARRAY_TASK_ID (default: $SCALESIM_SHARDS).")
    var shards: Int?

    @Flag(help: "Print the result only; write no files.")
    var noReports = false

    @Flag(name: .shortAndLong, help: "No progress on standard error.")
    var quiet = false

    func validate() throws {
        guard !vary.isEmpty else { throw ValidationError("--vary is required, e.g. --vary users=10k..1M:log:12") }
        _ = try grid()
        try validateOverrides(replications: replications, seed: seed)
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if let slo { _ = try Plan.parseSLO(slo, base: .init(p99: nil, errorRate: nil)) }
        _ = try selectedShard(environment: ProcessInfo.processInfo.environment)
    }

    /// The shard to run, nil for the whole sweep (`selectShard`).
    func selectedShard(environment: [String: String]) throws -> SweepShard? {
        try selectShard(shard, shards: shards, environment: environment)
    }

    func grid() throws -> SweepGrid {
        do {
            return try SweepGrid(axes: vary.map { spec throws(SweepError) in try SweepAxis.parse(spec) })
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let shard = try selectedShard(environment: ProcessInfo.processInfo.environment)
        guard case .architecture(var scenario) = try loadScenario(file) else {
            throw ValidationError("sweep runs architecture scenarios; \(file) is a network scenario (not supported yet)")
        }
        if let seed { scenario.seed = seed }
        if let replications { scenario.run.replications = replications }
        let index = try stageIndex(stage, in: scenario, file: file)
        let slo = try self.slo.map { try Plan.parseSLO($0, base: scenario.stages[index].slo) }
        let sweep: Sweep, grid = try grid()
        do {
            sweep = try Sweep(scenario: scenario, stage: index, grid: grid, slo: slo)
        } catch {
            throw ValidationError(error.description)
        }
        let control = RunControl()
        let interrupt = InterruptHandler(control)
        let interactive = !quiet && isatty(STDERR_FILENO) == 1
        let indices = shard?.indices(of: sweep.grid.count)
        let progress = Progress(total: (indices?.count ?? sweep.grid.count) * scenario.run.replications, duration: scenario.run.duration,
                                enabled: interactive, control: control)
        progress.start()
        let points = sweep.evaluate(points: indices, jobs: jobs, control: control, progress: progress.countingUpdate)
        progress.finish()
        withExtendedLifetime(interrupt) {}
        if control.isInterrupted {
            note("scalesim: interrupted; no sweep written")
            throw ExitCode(130)
        }
        let directory = out ?? "reports/" + ((file as NSString).lastPathComponent as NSString).deletingPathExtension + "-sweep"
        if let shard {
            try writePart(shard: shard, sweep: sweep, points: points, directory: directory)
            return
        }
        try SweepReport(sweep: sweep, points: points).output(format, writingTo: noReports ? nil : directory,
                                                           saying: quiet ? nil : "sweep written to \(directory)/sweep.{json,md,csv,html}")
    }

    /// Writes the shard's partial result (`SweepPart`) to `directory`; prints it with
    /// --format json, else one line saying what was written.
    func writePart(shard: SweepShard, sweep: Sweep, points: [SweepPoint], directory: String) throws {
        let part = SweepPart(file: (file as NSString).lastPathComponent, fileHash: try scenarioHash(file),
                             definition: SweepDefinition(sweep: sweep), shard: shard, points: points)
        try writeShardPart(part.json, named: shard.fileName, to: noReports ? nil : directory, format: format,
                      summary: "shard \(shard): \(points.count) of the sweep's \(sweep.grid.count) points")
    }
}

extension SweepReport {
    /// Prints the report in `format`, then writes sweep.json, .md, .csv and .html to
    /// `directory` (none when nil; exit 73 when they cannot be written) and notes `message`:
    /// what `sweep` and `merge` both end with.
    func output(_ format: OutputFormat, writingTo directory: String?, saying message: String?) throws {
        let json = self.json.serialized() + "\n"
        switch format {
        case .table: try writeStandardOutput(table)
        case .json: try writeStandardOutput(json)
        case .md: try writeStandardOutput(markdown)
        }
        fflush(nil)
        guard let directory else { return }
        do {
            try ReportWriter.write([("sweep.json", json), ("sweep.md", markdown), ("sweep.csv", csv), ("sweep.html", html)], to: directory)
        } catch {
            note("scalesim: \(error)")
            throw Exit.cannotCreate
        }
        if let message { note(message) }
    }
}
