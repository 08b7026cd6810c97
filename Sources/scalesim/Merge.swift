import ArgumentParser
import Foundation
import ScaleSim

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Put the partial results of a sharded sweep together into its report.",
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
            """)

    @Argument(help: "The partial results, one per shard (sweep.part-I-of-N.json).")
    var parts: [String]

    @Option(help: "What to print on standard output: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: OutputFormat = .table

    @Option(help: "Folder for sweep.json, sweep.md, sweep.csv and sweep.html (default: reports/<scenario file name without extension>-sweep).")
    var out: String?

    @Flag(help: "Print the result only; write no files.")
    var noReports = false

    @Flag(name: .shortAndLong, help: "Say nothing on standard error but errors.")
    var quiet = false

    func validate() throws {
        guard !parts.isEmpty else { throw ValidationError("give the part files, e.g. scalesim merge out/sweep.part-*-of-4.json") }
    }

    func run() throws {
        var loaded: [(name: String, part: SweepPart)] = []
        for path in parts {
            let bytes = try readInput(path)
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
}
