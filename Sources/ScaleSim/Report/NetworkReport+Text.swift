import Foundation

/// Formats figures for people: times with a unit, ratios as percentages, intervals as `± h`.
enum Format {
    /// `0.0123` -> `12.3 ms`.
    static func time(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "n/a" }
        let magnitude = abs(seconds)
        if magnitude == 0 { return "0 s" }
        if magnitude < 1e-3 { return String(format: "%.3g µs", seconds * 1e6) }
        if magnitude < 1 { return String(format: "%.3g ms", seconds * 1e3) }
        if magnitude >= 1000 { return String(format: "%.0f s", seconds) }
        return String(format: "%.4g s", seconds)
    }

    static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "n/a" }
        return String(format: "%.1f%%", fraction * 100)
    }

    /// A count of people or things with thousands separators: `25585` -> `25,585`.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// A quantity to read at a glance: whole, with thousands separators, from 100 up; else
    /// three significant digits (`21814.6` -> `21,815`, `15.31` -> `15.3`).
    static func amount(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        return abs(value) >= 100 ? count(Int(value.rounded())) : String(format: "%.3g", value)
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        return String(format: "%.4g", value)
    }

    static func estimate(_ e: Estimate?, _ unit: (Double) -> String) -> String {
        guard let e else { return "" }
        guard let h = e.halfWidth else { return unit(e.mean) }
        // A spread that is only rounding noise (a deterministic figure) shows as 0.
        let shown = h <= 1e-9 * abs(e.mean) ? 0 : h
        return "\(unit(e.mean)) ± \(unit(shown))"
    }

    /// A table with aligned columns; the first column is left-aligned, the others right.
    static func table(_ header: [String], _ rows: [[String]], markdown: Bool) -> String {
        if markdown {
            var lines = ["| " + header.joined(separator: " | ") + " |",
                         "|" + header.indices.map { $0 == 0 ? "---" : "---:" }.joined(separator: "|") + "|"]
            lines += rows.map { "| " + $0.joined(separator: " | ") + " |" }
            return lines.joined(separator: "\n") + "\n"
        }
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return i == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        var lines = [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        lines += rows.map(line)
        return lines.joined(separator: "\n") + "\n"
    }
}

extension NetworkReport {
    func stationRows() -> [[String]] {
        zip(summary.stations, analytic.stations).map { s, a in
            [s.name,
             Format.estimate(s.utilization, Format.percent),
             a.utilization.map(Format.percent) ?? "",
             Format.estimate(s.throughput, Format.number),
             Format.estimate(s.meanResponse, Format.time),
             a.meanResponse.map(Format.time) ?? (a.stable ? "" : "unstable"),
             Format.estimate(s.meanWait, Format.time),
             Format.estimate(s.blockingProbability ?? s.hitRatio, Format.percent)]
        }
    }

    static let systemHeader = ["system", "simulated", "theory"]

    static let stationHeader = ["station", "util", "util (theory)", "throughput/s", "response",
                                        "response (theory)", "wait", "blocked / hit"]

    func systemRows() -> [[String]] {
        let s = summary.system
        return [
            ["throughput/s", Format.estimate(s.throughput, Format.number),
             analytic.systemThroughput.map(Format.number) ?? ""],
            ["mean response", Format.estimate(s.meanResponse, Format.time),
             analytic.systemMeanResponse.map(Format.time) ?? ""],
            ["p50", Format.estimate(s.p50, Format.time), ""],
            ["p95", Format.estimate(s.p95, Format.time), ""],
            ["p99", Format.estimate(s.p99, Format.time), ""],
            ["errors (blocked)", Format.estimate(s.errorRate, Format.percent), ""],
        ]
    }

    var settingsLine: String {
        let run = scenario.run
        let interval = summary.replications > 1
            ? "± is the \(Format.number(run.confidence * 100))% confidence half-width"
            : "one replication: no confidence interval"
        return "seed \(scenario.seed), \(summary.replications) replications of \(Format.time(run.duration)) "
            + "(warm-up \(Format.time(run.warmup))), \(summary.events) events; \(interval)"
    }

    /// The console table `scalesim run` prints.
    public var table: String {
        var out = "\(scenario.name): network, \(settingsLine)\n\n"
        out += Format.table(Self.stationHeader, stationRows(), markdown: false)
        out += "\n" + Format.table(Self.systemHeader, systemRows(), markdown: false)
        if !notes.isEmpty { out += "\nnotes:\n" + notes.map { "- \($0)\n" }.joined() }
        return out
    }

    /// The report as Markdown, for a pull request or a wiki page.
    public var markdown: String {
        var out = "# \(scenario.name)\n\nNetwork scenario; \(settingsLine).\n\n## Stations\n\n"
        out += Format.table(Self.stationHeader, stationRows(), markdown: true)
        out += "\n## End to end\n\n" + Format.table(Self.systemHeader, systemRows(), markdown: true)
        if !timeline.isEmpty {
            let table = ReplicationResult.Marker.table(timeline, warmup: scenario.run.warmup)
            out += "\n## What happened\n\n\(table.lead)\n\n" + Format.table(["time", "event"], table.rows, markdown: true)
        }
        if !notes.isEmpty { out += "\n## Notes\n\n" + notes.map { "- \($0)\n" }.joined() }
        return out
    }
}
