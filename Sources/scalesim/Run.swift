import ArgumentParser
import Foundation
import ScaleSim
import Synchronization

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario and write its reports.",
        discussion: """
            Runs every replication (in parallel on --jobs threads), solves the same model \
            analytically, prints the result on standard output in --format and writes \
            report.json, report.md and report.html to --out (default reports/<file name>/). \
            Progress and notes go to standard error. The same file and seed give the same \
            report.json, byte for byte, whatever --jobs is.
            """)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json, md
    }

    @Argument(help: "The scenario file (JSON).")
    var file: String

    @Option(help: "What to print on standard output: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: OutputFormat = .table

    @Option(help: "Seed of every random stream (overrides the scenario's).")
    var seed: UInt64?

    @Option(help: "Number of independent replications (overrides the scenario's).")
    var replications: Int?

    @Option(help: "Replications run at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Folder for the reports (default: reports/<file name without extension>).")
    var out: String?

    @Flag(help: "Print the result only; write no report files.")
    var noReports = false

    @Flag(name: .shortAndLong, help: "No progress on standard error.")
    var quiet = false

    func validate() throws {
        if let replications, !(1...RunSettings.maximumReplications).contains(replications) {
            throw ValidationError("--replications must be in 1...\(RunSettings.maximumReplications), got \(replications)")
        }
        if let seed, seed > NetworkScenario.maximumSeed {
            throw ValidationError("--seed must be at most \(NetworkScenario.maximumSeed) (2^53 - 1, exact in the JSON report), got \(seed)")
        }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
    }

    func run() throws {
        switch try loadScenario(file) {
        case .network(var network):
            if let seed { network.seed = seed }
            if let replications { network.run.replications = replications }
            let progress = Progress(total: network.run.replications, enabled: !quiet && isatty(STDERR_FILENO) == 1)
            let report = NetworkReport.run(network, jobs: jobs, progress: progress.update)
            progress.finish()
            let json = report.json.serialized() + "\n"
            switch format {
            case .table: print(report.table, terminator: "")
            case .json: print(json, terminator: "")
            case .md: print(report.markdown, terminator: "")
            }
            fflush(nil)  // stdout before the notes on stderr
            if !noReports {
                let directory = out ?? "reports/" + ((file as NSString).lastPathComponent as NSString).deletingPathExtension
                do {
                    try ReportWriter.write([("report.json", json), ("report.md", report.markdown),
                                            ("report.html", report.html)], to: directory)
                } catch {
                    note("scalesim: \(error)")
                    throw Exit.cannotCreate
                }
                if !quiet { note("reports written to \(directory)/") }
            }
        }
    }
}

/// Replications done, on one line of standard error that rewrites itself (terminals only).
final class Progress: Sendable {
    let total: Int
    let enabled: Bool
    let start = Date()
    let events = Mutex<UInt64>(0)

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    @Sendable func update(done: Int, result: ReplicationResult) {
        guard enabled else { return }
        let all = events.withLock { $0 += result.events; return $0 }
        let seconds = max(Date().timeIntervalSince(start), 1e-9)
        let line = String(format: "\r  replication %d/%d  %.1f M events  %.1f M events/s ",
                          done, total, Double(all) / 1e6, Double(all) / seconds / 1e6)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
