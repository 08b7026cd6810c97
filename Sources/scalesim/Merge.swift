import ArgumentParser
import Foundation
import ScaleSim

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Put the partial results of a sharded sweep or plan together into its report.",
        discussion: """
            PARTS are the sweep.part-I-of-N.json files written by `scalesim sweep ... --shard I/N` \
            (or with the shard from $JOB_COMPLETION_INDEX or $SLURM_ARRAY_TASK_ID), in any \
            order. They must come from the same scenario file (its FNV-1a 64 hash), the same \
            sweep (stage, axes, seed, run settings, SLO), the same scalesim and the same N, and \
            every shard 1...N must be given once; otherwise merge says which file or shard is \
            wrong or missing and exits 65 (66 when a part cannot be read).

            The report is the one a single `scalesim sweep` run writes, byte for byte: printed \
            in --format and written as sweep.json, sweep.md, sweep.csv and sweep.html to --out \
            (default reports/<scenario file name>-sweep/).

            PARTS may instead be the plan.part-I-of-N.json files of `scalesim plan ... --shard I/N`. \
            merge then reads the scenario file again (--scenario, default the path the parts \
            name), checks that it is the one the shards planned (its hash), redoes the analytic \
            search and prints and writes the plan that one `scalesim plan` run gives, byte for \
            byte: plan.json, plan.md and plan.html in --out (default reports/<scenario file name>/).
            """)

    @Argument(help: "The partial results, one per shard (sweep.part-I-of-N.json).")
    var parts: [String]

    @Option(help: "What to print on standard output: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: OutputFormat = .table

    @Option(help: "Folder for the report (default: reports/<scenario file name without extension>-sweep for a sweep, reports/<scenario file name without extension> for a plan).")
    var out: String?

    @Option(help: "Plan parts: the scenario file the shards planned (default: the path the parts name).")
    var scenario: String?

    @Flag(help: "Print the result only; write no files.")
    var noReports = false

    @Flag(name: .shortAndLong, help: "Say nothing on standard error but errors.")
    var quiet = false

    func validate() throws {
        guard !parts.isEmpty else { throw ValidationError("give the part files, e.g. scalesim merge out/sweep.part-*-of-4.json") }
    }

    func run() throws {
        let contents = try parts.map { ($0, try readInput($0)) }
        if contents.contains(where: { PlanPart.isPlanPart($0.1) }) { return try mergePlan(contents) }
        if scenario != nil { throw ValidationError("--scenario is for plan parts; sweep parts need no scenario file") }
        var loaded: [(name: String, part: SweepPart)] = []
        for (path, bytes) in contents {
            do {
                loaded.append((path, try SweepPart(bytes: bytes, name: path)))
            } catch {
                note("scalesim: \(error)")
                throw Exit.invalidScenario
            }
        }
        let report: SweepReport
        do {
            report = try SweepPart.merge(loaded)
        } catch {
            note("scalesim: \(error)")
            throw Exit.invalidScenario
        }
        let file = loaded[0].part.file
        let directory = out ?? "reports/" + (file as NSString).deletingPathExtension + "-sweep"
        try report.output(format, writingTo: noReports ? nil : directory,
                         saying: quiet ? nil : "sweep of \(loaded.count) parts written to \(directory)/sweep.{json,md,csv,html}")
    }

    /// The plan from its parts (`PlanPart.merge`), with the scenario file read again.
    func mergePlan(_ contents: [(String, [UInt8])]) throws {
        var loaded: [(name: String, part: PlanPart)] = []
        for (path, bytes) in contents {
            do {
                loaded.append((path, try PlanPart(bytes: bytes, name: path)))
            } catch {
                note("scalesim: \(error)" + (SweepPart.isSweepPart(bytes) ? " (plan and sweep parts cannot be merged together)" : ""))
                throw Exit.invalidScenario
            }
        }
        let first = loaded[0].part
        let file = scenario ?? first.file
        if scenario == nil, FileManager.default.contents(atPath: file) == nil {
            note("scalesim: the parts plan \(file), which cannot be read from here (\(whyUnreadable(file))): give it with --scenario FILE")
            throw Exit.noInput
        }
        guard case .architecture(let architecture) = try loadScenario(file) else {
            note("scalesim: \(file) is a network scenario; plan parts come from an architecture scenario")
            throw Exit.invalidScenario
        }
        let result: PlanResult
        do {
            result = try PlanPart.merge(loaded, scenario: architecture, fileHash: SweepPart.hash(of: try readInput(file)))
        } catch {
            note("scalesim: \(error)")
            throw Exit.invalidScenario
        }
        let directory = out ?? "reports/" + ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        try result.output(format, writingTo: noReports ? nil : directory,
                          saying: quiet ? nil : "plan of \(loaded.count) parts written to \(directory)/plan.{json,md,html}")
    }
}
