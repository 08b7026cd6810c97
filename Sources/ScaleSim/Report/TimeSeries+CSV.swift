import Foundation

extension TimeSeries {
    /// The columns every row has, after the key column (`stage` or `network`).
    static let fixedColumns = [
        "replication", "window", "window_start_s", "window_end_s", "measured", "arrivals", "completions",
        "errors", "timeouts", "throughput_per_s", "latency_mean_s", "latency_p99_s",
    ]

    /// The columns a file has after the resources' when any of its models changes during the
    /// run (`TimeSeries.changes`), before the routers' instance columns.
    static let changingColumns = ["errors_per_s", "timeouts_per_s", "retries", "retries_per_s", "offered_per_s"]

    /// `timeseries.csv`: one row per model (stage or network), replication and window, in that
    /// order; wide, with one column per figure and per resource.
    ///
    /// Columns: the key column (named `keyColumn`: the stage's or the network's name),
    /// `replication` and `window` (both from 1), `window_start_s` and `window_end_s`,
    /// `measured` (1 when the window lies after the warm-up, 0 in it), the counts `arrivals`,
    /// `completions`, `errors` (failed for good: blocked, refused, timed out, after any
    /// retries) and `timeouts` (attempts), `throughput_per_s` (completions per second),
    /// `latency_mean_s` and `latency_p99_s` (empty without completions), then
    /// `<resource>_utilization` for every CPU and pool of any of the models and
    /// `<cache>_hit_ratio` for every cache (empty in the rows of a model that does not have the
    /// resource, and a hit ratio is empty without lookups). When any model changes during the
    /// run, `changingColumns` follow (errors, timeouts and retries per second, the retries,
    /// and the attempts offered per second: arrivals plus retries), then
    /// `<router>_instances` (mean instances in service) for every router whose count can
    /// change. New columns are only ever appended, so that readers by position keep working.
    /// Numbers have six decimals (microseconds for times), so the same run gives the same bytes.
    static func csv(_ series: [TimeSeries], keyColumn: String) -> String {
        func column(_ r: Resource) -> String {
            switch r.kind {
            case .cpu, .pool: r.name + "_utilization"
            case .cache: r.name + "_hit_ratio"
            case .router: r.name + "_instances"
            }
        }
        // Every resource column of any model: utilizations first, then hit ratios (and the
        // routers' instances after the columns of a changing system).
        var resourceColumns: [String] = [], routerColumns: [String] = []
        for kinds in [[Resource.Kind.cpu, .pool], [.cache]] {
            for r in series.flatMap(\.resources) where kinds.contains(r.kind) && !resourceColumns.contains(column(r)) {
                resourceColumns.append(column(r))
            }
        }
        for r in series.flatMap(\.resources) where r.kind == .router && !routerColumns.contains(column(r)) {
            routerColumns.append(column(r))
        }
        let changing = series.contains(where: \.changes)
        var header = [keyColumn] + fixedColumns + resourceColumns
        if changing { header += changingColumns + routerColumns }
        var out = header.map(csvField).joined(separator: ",") + "\n"
        for s in series {
            let byColumn = Dictionary(s.resources.map { (column($0), $0) }) { first, _ in first }
            func cells(_ names: [String], _ w: ReplicationResult.Window) -> [String] {
                // Empty where the model has no such resource.
                names.map { name in
                    byColumn[name].map { r in
                        fixed(s.utilization(r, in: w) ?? s.hitRatio(r, in: w) ?? s.instances(r, in: w) ?? .nan)
                    } ?? ""
                }
            }
            for (replication, windows) in s.replications.enumerated() {
                for (k, w) in windows.enumerated() {
                    var row = [csvField(s.name), "\(replication + 1)", "\(k + 1)", fixed(w.start), fixed(w.end),
                               w.start >= s.warmup ? "1" : "0", "\(w.arrivals)", "\(w.completed)", "\(w.errors)",
                               "\(w.timeouts)", fixed(Self.throughput(w)), fixed(w.latencyMean), fixed(w.p99)]
                    row += cells(resourceColumns, w)
                    if changing {
                        row += [fixed(Self.errorRate(w)), fixed(Self.timeoutRate(w)), "\(w.retries)",
                                fixed(Self.retryRate(w)), fixed(Self.offeredRate(w))]
                        row += cells(routerColumns, w)
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
