import ArgumentParser
import Foundation
import ScaleSim

@main
struct ScaleSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scalesim",
        abstract: "Capacity planning for web architectures by discrete-event simulation.",
        discussion: """
            `scalesim FILE` runs a scenario, prints a short comparison table and writes its \
            reports under reports/<file name>/ (report.json, report.md, report.html, \
            timeseries.csv). `scalesim plan FILE --users N` finds the cheapest configuration \
            of a stage that meets its SLO at N users; `scalesim compare OLD.json NEW.json` \
            says what changed between two reports; `scalesim sweep FILE --vary users=10k..1M:log:12` \
            runs a stage over a grid and finds where its SLO breaks (`--shard I/N` and \
            `scalesim merge` split it over processes or a cluster).

            Exit status: 0 success, 64 usage error, 65 invalid scenario (every problem is \
            listed with its JSON path), 66 scenario file unreadable, 73 reports not writable, 74 standard output not writable.
            """,
        version: ScaleSimVersion.current,
        subcommands: [Run.self, Validate.self, Schema.self, Compare.self, Plan.self, SweepCommand.self, MergeCommand.self],
        defaultSubcommand: Run.self)
}

/// What a command prints on standard output: a table for people, Markdown for a pull request
/// or a wiki, JSON for tools.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, md
}

/// Exit statuses from sysexits.h, which scripts and CI read.
enum Exit {
    static let invalidScenario = ExitCode(65)
    static let noInput = ExitCode(66)
    static let cannotCreate = ExitCode(73)
    static let cannotWriteOutput = ExitCode(74)
}

/// Writes `text` to standard output, unbuffered and in full, or says on standard error why it
/// could not (a full disk, say) and exits 74: a result that did not reach its reader must not
/// look like a success.
func writeStandardOutput(_ text: String) throws {
    do {
        try ReportWriter.writeAll(Data(text.utf8), to: STDOUT_FILENO)
    } catch {
        note("scalesim: cannot write standard output: \(String(cString: strerror(error.code.rawValue)))")
        throw Exit.cannotWriteOutput
    }
}

/// Writes a line to standard error.
func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Checks `--replications` and `--seed`, which override the scenario's (run and sweep).
func validateOverrides(replications: Int?, seed: UInt64?) throws {
    if let replications, !(1...RunSettings.maximumReplications).contains(replications) {
        throw ValidationError("--replications must be in 1...\(RunSettings.maximumReplications), got \(replications)")
    }
    if let seed, seed > NetworkScenario.maximumSeed {
        throw ValidationError("--seed must be at most \(NetworkScenario.maximumSeed) (2^53 - 1, exact in the JSON report), got \(seed)")
    }
}

/// Why `path` could not be read: no such file, a folder, or permission denied.
func whyUnreadable(_ path: String) -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
    return isDirectory.boolValue ? "it is a folder" : "permission denied"
}

/// The bytes of an input file, or says why it cannot be read and exits 66.
func readInput(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        note("scalesim: cannot read \(path): \(whyUnreadable(path))")
        throw Exit.noInput
    }
    return [UInt8](data)
}

/// The index of an architecture scenario's stage given by name or by its index in `stages`
/// (`nil`: the last stage), or lists the stages and exits 65.
func stageIndex(_ stage: String?, in scenario: ArchitectureScenario, file: String) throws -> Int {
    guard let stage else { return scenario.stages.count - 1 }
    if let found = scenario.stages.firstIndex(where: { $0.name == stage }) { return found }
    if let number = Int(stage), scenario.stages.indices.contains(number) { return number }
    note("scalesim: no stage named \"\(stage)\" in \(file) (nor an index in 0...\(scenario.stages.count - 1)); its stages: "
         + scenario.stages.map { "\"\($0.name)\"" }.joined(separator: ", "))
    throw Exit.invalidScenario
}

/// Reads and validates a scenario file, or prints why not and exits (66 unreadable, 65 invalid).
func loadScenario(_ path: String) throws -> Scenario {
    let bytes = try readInput(path)
    do {
        return try Scenario.load(bytes: bytes)
    } catch {
        note("scalesim: \(path) is not a valid scenario (\(error.problemCount) problem\(error.problemCount == 1 ? "" : "s")):")
        for issue in error.issues { note("  \(issue)") }
        throw Exit.invalidScenario
    }
}
