import ArgumentParser
import Foundation
import ScaleSim

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the cheapest configuration of a stage (or the fewest servers of a network) that meets an SLO.",
        discussion: """
            Searches the knobs a team turns (API instances and workers, database cores, read \
            replicas, cache nodes and TTL, CDN on or off) with the analytic model, then \
            simulates the cheapest plan and the runners-up within 25% of its cost at --users \
            with the scenario's run settings, and keeps the cheapest one the simulation confirms \
            (the SLO must hold at the confidence interval's worse end). Costs come from the \
            scenario: per component; a database's cost scales with its cores; a component the \
            stage lacks is priced as another stage of the scenario prices it. --headroom 0.3 asks \
            the plan to hold the SLO at 30% more users than --users. An architecture plan is \
            printed and written as plan.json, plan.md and plan.html beside the scenario's reports.

            Sharding (architecture plans): --shard I/N (numbered 1...N) runs the search, then \
            simulates only the candidates whose index i (0: the scenario's stage, 1: the plan, \
            then the runners-up) has i % N == I-1, and writes plan.part-I-of-N.json to --out; \
            `scalesim merge` puts the N parts together into the same plan.json, plan.md and \
            plan.html as one run, byte for byte (it reads the scenario file again to redo the \
            search). As for sweep, without --shard the shard comes from $JOB_COMPLETION_INDEX or \
            $SLURM_ARRAY_TASK_ID (0-based) when --shards N or $SCALESIM_SHARDS gives the number.

            For a network scenario the knobs are the servers of each queue station and the cost \
            is the number of servers: --slo p99=500ms (end to end, loop-free networks), \
            wait-p99=100ms (the wait before service at every FCFS station) and errors=0.1% \
            (stations with a capacity); --scale F multiplies every arrival rate (instead of \
            --users), and --headroom asks the plan to hold at F × (1 + headroom).
            """)

    @Argument(help: "The scenario file (JSON): an architecture or an open network.")
    var file: String

    @Option(help: "Users the plan must serve (architecture scenarios, where it is required).")
    var users: Int?

    @Option(help: "Network scenarios: multiply every arrival rate by this (default 1).")
    var scale: Double?

    @Option(help: "The stage to plan, by name or by its index in stages (from 0; default: the last stage).")
    var stage: String?

    @Option(help: "Targets, e.g. p99=300ms,errors=0.1% (default: the stage's SLO); networks also wait-p99=100ms.")
    var slo: String?

    @Option(help: "Spare capacity: the SLO must hold at users × (1 + headroom).")
    var headroom: Double = 0.3

    @Option(help: "What to print: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: OutputFormat = .table

    @Option(help: "Replications run at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Skip the simulation of the plan (analytic answer only).")
    var noVerify = false

    @Option(help: "Folder for plan.json, plan.md and plan.html (default: reports/<file name without extension>).")
    var out: String?

    @Flag(help: "Print the plan only; write no files.")
    var noReports = false

    @Option(help: ArgumentHelp("Simulate only shard I of N of the plan's candidates (numbered from 1) and write plan.part-I-of-N.json (see above).", valueName: "I/N"))
    var shard: String?

    @Option(help: "The number of shards when the shard's index comes from $JOB_COMPLETION_INDEX or $SLURM_ARRAY_TASK_ID (default: $SCALESIM_SHARDS).")
    var shards: Int?

    func validate() throws {
        if let users, !(1...1_000_000_000).contains(users) { throw ValidationError("--users must be in 1...1000000000, got \(users)") }
        if let scale, !(scale > 0 && scale <= 1e6) { throw ValidationError("--scale must be a factor in (0, 1000000], got \(scale)") }
        guard headroom >= 0, headroom <= 10 else { throw ValidationError("--headroom must be in 0...10, got \(headroom)") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if let slo { _ = try Self.parseNetworkSLO(slo) }       // the syntax; which targets apply depends on the scenario
        if let shard = try selectedShard(), noVerify {
            throw ValidationError("shard \(shard) of a plan splits its simulations, and --no-verify runs none: drop one of them")
        }
    }

    /// The shard of the plan's simulations to run, nil for all (`selectShard`).
    func selectedShard() throws -> SweepShard? {
        try selectShard(shard, shards: shards, environment: ProcessInfo.processInfo.environment)
    }

    /// `p99=300ms,errors=0.1%`: each target optional; `none` drops one.
    static func parseSLO(_ text: String, base: ArchitectureScenario.SLO) throws -> ArchitectureScenario.SLO {
        var slo = base
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { throw ValidationError("--slo: expected key=value, got \"\(part)\" (e.g. p99=300ms,errors=0.1%)") }
            switch pair[0] {
            case "p99":
                if pair[1] == "none" { slo.p99 = nil; continue }
                guard let seconds = ArchitectureScenario.parseTime(pair[1]), seconds > 0 else {
                    throw ValidationError("--slo: p99 must be a positive time such as 300ms or 1.5s, got \"\(pair[1])\"")
                }
                slo.p99 = seconds
            case "errors", "errorRate":
                if pair[1] == "none" { slo.errorRate = nil; continue }
                let percent = pair[1].hasSuffix("%")
                guard let value = Double(percent ? String(pair[1].dropLast()) : pair[1]) else {
                    throw ValidationError("--slo: errors must be a share such as 0.1% or 0.001, got \"\(pair[1])\"")
                }
                let share = percent ? value / 100 : value
                guard (0...1).contains(share) else { throw ValidationError("--slo: errors must be between 0 and 100%, got \"\(pair[1])\"") }
                slo.errorRate = share
            default:
                throw ValidationError("--slo: unknown target \"\(pair[0])\" (p99 or errors)")
            }
        }
        return slo
    }

    func run() throws {
        let loaded = try loadScenario(file)
        if case .network(let network) = loaded { return try planNetwork(network) }
        guard case .architecture(let scenario) = loaded else { return }
        guard let users else { throw ValidationError("--users is required for an architecture scenario") }
        if scale != nil { throw ValidationError("--scale applies to network scenarios; for an architecture scenario use --users") }
        let index = try stageIndex(stage, in: scenario, file: file)
        let slo = try self.slo.map { try Self.parseSLO($0, base: scenario.stages[index].slo) } ?? scenario.stages[index].slo
        let request = PlanRequest(users: users, stage: index, slo: slo, headroom: headroom)
        var result: PlanResult
        do {
            result = try Planner.plan(scenario, request)
        } catch {
            note("scalesim: \(error)")
            throw Exit.invalidScenario
        }
        let directory = out ?? "reports/" + ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        if let shard = try selectedShard() {
            return try runShard(shard, of: result, directory: directory)
        }
        if !noVerify {
            if !quietProgress { note("scalesim: \(result.evaluations) analytic evaluations; simulating the plan and its runners-up...") }
            result = try interruptible { Planner.verify(result, jobs: jobs, control: $0) }
        }
        try result.output(format, writingTo: noReports ? nil : directory,
                          saying: quietProgress ? nil : "plan written to \(directory)/plan.{json,md,html}")
    }

    /// Simulates the shard's candidates and writes its partial result (`PlanPart`) to
    /// `directory`; prints it with --format json, else one line saying what was written.
    func runShard(_ shard: SweepShard, of result: PlanResult, directory: String) throws {
        let hash = try scenarioHash(file)
        let targets = Planner.simulationTargets(result).count
        let mine = shard.indices(of: targets).count
        if !quietProgress {
            note("scalesim: \(result.evaluations) analytic evaluations; shard \(shard) simulates \(mine) of the plan's \(targets) candidates...")
        }
        let part = try interruptible {
            PlanPart.simulate(result, shard: shard, file: file, fileHash: hash, jobs: jobs, control: $0)
        }
        try writeShardPart(part.json, named: PlanPart.fileName(shard), to: noReports ? nil : directory, format: format,
                      summary: "shard \(shard): \(mine) of the plan's \(targets) simulations")
    }

    var quietProgress: Bool { isatty(STDERR_FILENO) != 1 }

    /// Runs `simulate` with Ctrl-C turned into a request to stop (as `run` does): the
    /// simulations end within a fraction of a second, nothing is printed or written, and the
    /// command exits 130.
    func interruptible<Result>(_ simulate: (RunControl) -> Result) throws -> Result {
        let control = RunControl()
        let interrupt = InterruptHandler(control)
        let result = simulate(control)
        withExtendedLifetime(interrupt) {}
        if control.isInterrupted {
            note("scalesim: interrupted; no plan written")
            throw ExitCode(130)
        }
        return result
    }
}

extension PlanResult {
    /// Prints the plan in `format`, then writes plan.json, plan.md and plan.html to `directory`
    /// (none when nil; exit 73 when they cannot be written) and notes `message`: what `plan`
    /// and `merge` both end with.
    func output(_ format: OutputFormat, writingTo directory: String?, saying message: String?) throws {
        let json = self.json.serialized() + "\n"
        switch format {
        case .table: try writeStandardOutput(table)
        case .md: try writeStandardOutput(markdown)
        case .json: try writeStandardOutput(json)
        }
        guard let directory else { return }
        do {
            try ReportWriter.write([("plan.json", json), ("plan.md", markdown), ("plan.html", html)], to: directory)
        } catch {
            note("scalesim: \(error)")
            throw Exit.cannotCreate
        }
        if let message { note(message) }
    }
}
