import Foundation

extension TimeSeries {
    /// The columns every row has, after the key column (`stage` or `network`).
    static let fixedColumns = [
        "replication", "window", "window_start_s", "window_end_s", "measured", "arrivals", "completions",
        "errors", "timeouts", "throughput_per_s", "latency_mean_s", "latency_p99_s",
    ]

    /// `timeseries.csv`: one row per model (stage or network), replication and window, in that
    /// order; wide, with one column per figure and per resource.
    ///
    /// Columns: the key column (named `keyColumn`: the stage's or the network's name),
    /// `replication` and `window` (both from 1), `window_start_s` and `window_end_s`,
    /// `measured` (1 when the window lies after the warm-up, 0 in it), the counts `arrivals`,
    /// `completions`, `errors` (blocked or timed out, timeouts included) and `timeouts`,
    /// `throughput_per_s` (completions per second), `latency_mean_s` and `latency_p99_s`
    /// (empty without completions), then `<resource>_utilization` for every CPU and pool of
    /// any of the models and `<cache>_hit_ratio` for every cache (empty in the rows of a model
    /// that does not have the resource, and a hit ratio is empty without lookups). Numbers
    /// have six decimals (microseconds for times), so the same run gives the same bytes.
    static func csv(_ series: [TimeSeries], keyColumn: String) -> String {
        func column(_ r: Resource) -> String { r.name + (r.kind == .cache ? "_hit_ratio" : "_utilization") }
        // Every resource column of any model: utilizations first, then hit ratios.
        var resourceColumns: [String] = []
        for caches in [false, true] {
            for r in series.flatMap(\.resources) where (r.kind == .cache) == caches && !resourceColumns.contains(column(r)) {
                resourceColumns.append(column(r))
            }
        }
        var out = ([keyColumn] + fixedColumns + resourceColumns).map(csvField).joined(separator: ",") + "\n"
        for s in series {
            let byColumn = Dictionary(s.resources.map { (column($0), $0) }) { first, _ in first }
            for (replication, windows) in s.replications.enumerated() {
                for (k, w) in windows.enumerated() {
                    var row = [csvField(s.name), "\(replication + 1)", "\(k + 1)", fixed(w.start), fixed(w.end),
                               w.start >= s.warmup ? "1" : "0", "\(w.arrivals)", "\(w.completed)", "\(w.errors)",
                               "\(w.timeouts)", fixed(Self.throughput(w)), fixed(w.latencyMean), fixed(w.p99)]
                    for name in resourceColumns {
                        // Empty where the model has no such resource.
                        row.append(byColumn[name].map { fixed(s.utilization($0, in: w) ?? s.hitRatio($0, in: w) ?? .nan) } ?? "")
                    }
                    out += row.joined(separator: ",") + "\n"
                }
            }
        }
        return out
    }

    /// Six decimals; empty when not finite (no completions, no lookups).
    private static func fixed(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        // -0.0 would print as "-0.000000".
        return String(format: "%.6f", value == 0 ? 0 : value)
    }

    /// A field quoted when it holds a comma, a quote or a line break (RFC 4180).
    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
