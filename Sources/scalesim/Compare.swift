import ArgumentParser
import Foundation
import ScaleSim

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what changed between two JSON reports.",
        discussion: """
            Compares two report.json files written by scalesim (architecture reports stage by \
            stage, network reports station by station and end to end), matching stages, \
            stations, request classes and resources by name; those in one report only are \
            listed as such.

            A change is significant (*) when |new - old| > sqrt(h_old^2 + h_new^2), h the \
            confidence half-widths of the two estimates: the half-width of the interval of \
            the difference of two independent estimates at the same confidence. With one \
            replication there is no half-width and a change is shown as "no interval". At 95% \
            confidence about one figure in twenty that did not change is still marked by \
            chance; two runs with the same seed are correlated, which makes the rule \
            conservative.

            By default only significant changes, changes without an interval and exact changes \
            (settings, bottleneck, SLO) are listed, with a count of the rest per stage; --all \
            lists every figure.

            Exit status: 0 whether or not anything changed (1 with --fail-on-regression when \
            a latency, error rate, blocking probability or utilization got significantly worse, \
            or an SLO or the stability of a network was lost), 65 a file that is not a \
            scalesim report or reports of different kinds, 66 a file that cannot be read.
            """)

    @Argument(help: "The report before the change (report.json).")
    var old: String

    @Argument(help: "The report after the change (report.json).")
    var new: String

    @Option(help: "What to print: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")) (md for a pull request comment).")
    var format: OutputFormat = .table

    @Flag(help: "List every figure, also those within their confidence intervals and the unchanged ones.")
    var all = false

    @Flag(help: "Exit 1 when a latency, error rate or utilization got significantly worse, or an SLO was lost.")
    var failOnRegression = false

    func run() throws {
        let files = [old, new].map { path in (path, FileManager.default.contents(atPath: path)) }
        for (path, data) in files where data == nil {
            note("scalesim: cannot read \(path): \(whyUnreadable(path))")
        }
        guard let oldData = files[0].1, let newData = files[1].1 else { throw Exit.noInput }
        let comparison: ReportComparison
        do {
            var errors: [ReportFileError] = []
            var snapshots: [ReportSnapshot] = []
            for (path, data) in [(old, oldData), (new, newData)] {
                do { snapshots.append(try ReportSnapshot.read(bytes: [UInt8](data), file: path)) } catch { errors.append(error) }
            }
            if !errors.isEmpty { throw ReportFiles(errors: errors) }
            comparison = try ReportComparison(old: snapshots[0], new: snapshots[1])
        } catch let error as ReportFiles {
            for file in error.errors { report(file) }
            throw Exit.invalidScenario
        } catch let error as ReportFileError {
            report(error)
            throw Exit.invalidScenario
        }
        switch format {
        case .table: try writeStandardOutput(comparison.table(all: all))
        case .md: try writeStandardOutput(comparison.markdown(all: all))
        case .json: try writeStandardOutput(comparison.json(all: all).serialized() + "\n")
        }
        let regressions = comparison.regressions
        if failOnRegression, !regressions.isEmpty {
            fflush(nil)  // stdout before the note on stderr
            note("scalesim: \(regressions.count) regression\(regressions.count == 1 ? "" : "s") (--fail-on-regression)")
            throw ExitCode(1)
        }
    }

    /// Every file's problems, so that both files are checked before giving up.
    struct ReportFiles: Error {
        var errors: [ReportFileError]
    }

    func report(_ error: ReportFileError) {
        note("scalesim: \(error.file) is not a scalesim report that can be compared (\(error.issues.count) problem\(error.issues.count == 1 ? "" : "s")):")
        for issue in error.issues { note("  \(issue)") }
    }
}
