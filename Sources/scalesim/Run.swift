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
            report.json, report.md, report.html and timeseries.csv to --out (default \
            reports/<file name>/). \
            Progress and notes go to standard error. The same file and seed give the same \
            report.json, byte for byte, whatever --jobs is.

            --metrics FILE also writes every time series of the run (the figures of \
            timeseries.csv) in the OpenMetrics 1.0 text format, even with --no-reports: \
            families named scalesim_<figure> (counters for the counts, cumulative from the \
            start of each replication; gauges for rates per second, latencies in seconds, \
            utilizations and hit ratios), labelled stage (architecture scenarios), \
            replication and resource; each sample is stamped with the end of its window in \
            simulated seconds (the run starts at timestamp 0, the Unix epoch); the file ends \
            with "# EOF". The same file and seed give the same bytes.
            """)

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

    @Option(help: "Stop every replication after this many events (a budget against runaway models).")
    var maxEvents: UInt64?

    @Option(help: "Stop the run after this many seconds of wall-clock time; the report says which replications stopped early.")
    var timeLimit: Double?

    enum CapacityOption: String, ExpressibleByArgument, CaseIterable {
        case analytic, simulation, none
        var search: StageCapacity.Search {
            switch self {
            case .analytic: return .analytic
            case .simulation: return .simulation
            case .none: return .none
            }
        }
    }

    @Option(help: "How to find each architecture stage's capacity (the most users within its SLO): analytic (instant), simulation (the analytic answer confirmed by about ten runs per stage), or none.")
    var capacity: CapacityOption = .analytic

    @Option(help: ArgumentHelp("Also write every time series of the run to this file in the OpenMetrics text format (timestamps in simulated seconds from 0; see below).", valueName: "file"))
    var metrics: String?

    @Flag(help: "Print the result only; write no report files (--metrics is still written).")
    var noReports = false

    @Flag(name: .shortAndLong, help: "No progress on standard error.")
    var quiet = false

    func validate() throws {
        try validateOverrides(replications: replications, seed: seed)
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if let maxEvents, maxEvents < 1 { throw ValidationError("--max-events must be at least 1, got \(maxEvents)") }
        if let metrics, metrics.isEmpty || metrics == "-" || metrics.hasSuffix("/") {
            throw ValidationError("--metrics takes the path of a file to write, got \"\(metrics)\"")
        }
        if let timeLimit, !(timeLimit > 0) { throw ValidationError("--time-limit must be a positive number of seconds, got \(timeLimit)") }
    }

    func run() throws {
        let scenario = try loadScenario(file)
        let control = RunControl(timeLimit: timeLimit)
        let interrupt = InterruptHandler(control)
        var limits = EngineLimits()
        if let maxEvents { limits.maxEvents = maxEvents }
        let interactive = !quiet && isatty(STDERR_FILENO) == 1
        let rendered: (json: String, table: String, markdown: String, html: String, csv: String, metrics: String?)
        switch scenario {
        case .network(var network):
            if let seed { network.seed = seed }
            if let replications { network.run.replications = replications }
            let progress = Progress(total: network.run.replications, duration: network.run.duration, enabled: interactive, control: control)
            progress.start()
            let report = NetworkReport.run(network, jobs: jobs, limits: limits, control: control, progress: progress.update)
            progress.finish()
            rendered = (report.json.serialized() + "\n", report.table, report.markdown, report.html, report.timeSeriesCSV,
                        metrics == nil ? nil : report.openMetrics)
        case .architecture(var architecture):
            if let seed { architecture.seed = seed }
            if let replications { architecture.run.replications = replications }
            let total = architecture.run.replications * architecture.stages.count
            let progress = Progress(total: total, duration: architecture.run.duration, enabled: interactive, control: control)
            progress.start()
            let report = ArchitectureReport.run(architecture, jobs: jobs, limits: limits, control: control,
                                                capacity: capacity.search, progress: progress.countingUpdate)
            progress.finish()
            rendered = (report.json.serialized() + "\n", report.table, report.markdown, report.html, report.timeSeriesCSV,
                        metrics == nil ? nil : report.openMetrics)
        }
        withExtendedLifetime(interrupt) {}
        if control.isInterrupted {
            note("scalesim: interrupted; no report written")
            throw ExitCode(130)
        }
        switch format {
        case .table: try writeStandardOutput(rendered.table)
        case .json: try writeStandardOutput(rendered.json)
        case .md: try writeStandardOutput(rendered.markdown)
        }
        fflush(nil)  // stdout before the notes on stderr
        if !noReports {
            let directory = out ?? "reports/" + ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            do {
                try ReportWriter.write([("report.json", rendered.json), ("report.md", rendered.markdown),
                                        ("report.html", rendered.html), ("timeseries.csv", rendered.csv)], to: directory)
            } catch {
                note("scalesim: \(error)")
                throw Exit.cannotCreate
            }
            if !quiet { note("reports written to \(directory)/") }
        }
        if let metrics, let text = rendered.metrics {
            // Written whole under a temporary name and renamed, like the reports.
            let folder = (metrics as NSString).deletingLastPathComponent
            do {
                try ReportWriter.write([((metrics as NSString).lastPathComponent, text)], to: folder.isEmpty ? "." : folder)
            } catch {
                note("scalesim: \(error)")
                throw Exit.cannotCreate
            }
            if !quiet { note("metrics written to \(metrics)") }
        }
    }
}

/// One line of progress on standard error, redrawn four times a second while a run goes on
/// (terminals only): replications done, events processed and the rate.
final class Progress: Sendable {
    let total: Int
    let enabled: Bool
    let control: RunControl
    let done = Atomic<Int>(0)
    let finished = Atomic<Bool>(false)

    /// Simulated seconds of one replication.
    let duration: Double

    init(total: Int, duration: Double, enabled: Bool, control: RunControl) {
        self.total = total
        self.duration = duration
        self.enabled = enabled
        self.control = control
    }

    func start() {
        guard enabled else { return }
        let start = DispatchTime.now().uptimeNanoseconds
        Thread.detachNewThread { [self] in
            while !finished.load(ordering: .relaxed) {
                usleep(250_000)
                if finished.load(ordering: .relaxed) { break }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let events = Double(control.eventsProcessed)
                // A simulated capacity search runs more than the planned replications.
                let count = done.load(ordering: .relaxed), planned = max(total, count)
                let line = String(format: "\r  %d/%d replications done  %.0f of %.0f s simulated  %.1f M events  %.1f M events/s  %.0f s ",
                                  count, planned, control.simulatedSeconds, max(Double(planned) * duration, control.simulatedSeconds),
                                  events / 1e6, events / max(seconds, 1e-9) / 1e6, seconds)
                FileHandle.standardError.write(Data(line.utf8))
            }
        }
    }

    @Sendable func update(done count: Int, result: ReplicationResult) {
        done.store(count, ordering: .relaxed)
    }

    /// For runs of several simulations (stages): counts every replication that ends.
    @Sendable func countingUpdate(done _: Int, result: ReplicationResult) {
        done.add(1, ordering: .relaxed)
    }

    func finish() {
        finished.store(true, ordering: .relaxed)
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// Turns Ctrl-C into a request to stop: replications end at their next progress report (within
/// a fraction of a second), and the run writes no report.
final class InterruptHandler {
    private let source: DispatchSourceSignal

    init(_ control: RunControl) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            control.interrupt()
            note("\nscalesim: interrupted, stopping (the previous reports stay as they were)")
        }
        source.resume()
    }

    deinit {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
