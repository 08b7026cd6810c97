import Foundation

/// `--metrics FILE`: every time series of a run in the OpenMetrics 1.0 text format, so that
/// the results open in monitoring tools (Prometheus' `promtool tsdb create-blocks-from
/// openmetrics`, Grafana through Prometheus, pandas).
///
/// The format, as decided here:
/// - Every metric family is named `scalesim_<figure>`: counters (`# TYPE scalesim_arrivals
///   counter`, samples `scalesim_arrivals_total`) for the counts, cumulative from the start of
///   the replication; gauges for everything else. A unit that OpenMetrics knows is given in a
///   `# UNIT` line and is the name's suffix (`_seconds`, `_ratio`); rates per second have no
///   OpenMetrics unit and are gauges whose `# HELP` says "per second".
/// - Labels: `stage` (architecture scenarios: the stage's name; a network scenario has one
///   model and no such label), `replication` (from 1; every replication starts again at time
///   0, so each is a series of its own), and for a resource's figure `resource` (its name) and,
///   for utilizations, `kind` (`cpu` or `pool`).
/// - Every sample is stamped with the end of its window in simulated seconds (six decimals at
///   most, as `timeseries.csv`): the run starts at timestamp 0, which a tool reads as the Unix
///   epoch (1970-01-01T00:00:00Z). A value is the window's (a rate, a time-weighted mean, a
///   ratio) or the count up to the window's end.
/// - A value that does not exist in a window (a latency without completions, a hit ratio
///   without lookups) is left out rather than written as NaN, so charts show a gap.
/// - Families in a fixed order, each written only when it has samples; within a family, the
///   stages in the scenario's order, then replications, then resources in the model's order,
///   each series contiguous and in time order. Numbers are Swift's shortest round-trip
///   rendering: the same run gives the same bytes.
/// - The last line is `# EOF`.
extension TimeSeries {
    /// One metric family of the output: its metadata and how to read its value from a window.
    struct MetricFamily: Sendable {
        enum Kind: String, Sendable { case counter, gauge }

        /// Where the value of a sample comes from.
        enum Source: Sendable {
            /// A count per window, written cumulatively (a counter's total).
            case count(@Sendable (ReplicationResult.Window) -> UInt64)
            /// A figure of the window (nil or not finite: no sample).
            case window(@Sendable (TimeSeries, ReplicationResult.Window) -> Double?)
            /// A figure of every resource of `kinds` in the window (nil or not finite: no sample).
            case resource([Resource.Kind], @Sendable (TimeSeries, Resource, ReplicationResult.Window) -> Double?)
        }

        var name: String
        var kind: Kind
        var unit: String?
        var help: String
        var source: Source
    }

    /// The families, in the order they are written.
    static let metricFamilies: [MetricFamily] = [
        MetricFamily(name: "scalesim_arrivals", kind: .counter, help: "Requests that arrived (all classes) since the start of the replication, at the end of each window; timestamps are simulated seconds from the start of the run (epoch 0).",
                     source: .count { $0.arrivals }),
        MetricFamily(name: "scalesim_completions", kind: .counter, help: "Requests completed since the start of the replication, at the end of each window; timestamps are simulated seconds from the start of the run (epoch 0).",
                     source: .count { $0.completed }),
        MetricFamily(name: "scalesim_errors", kind: .counter, help: "Requests that failed for good (blocked, refused, timed out, after any retries) since the start of the replication; timestamps are simulated seconds from the start of the run (epoch 0).",
                     source: .count { $0.errors }),
        MetricFamily(name: "scalesim_timeouts", kind: .counter, help: "Attempts whose client gave up waiting since the start of the replication; timestamps are simulated seconds from the start of the run (epoch 0).",
                     source: .count { $0.timeouts }),
        MetricFamily(name: "scalesim_retries", kind: .counter, help: "Attempts after the first since the start of the replication; timestamps are simulated seconds from the start of the run (epoch 0).",
                     source: .count { $0.retries }),
        MetricFamily(name: "scalesim_measured", kind: .gauge, help: "1 when the window ending at the timestamp lies after the warm-up (counted in the report), 0 in the warm-up; timestamps are simulated seconds (epoch 0).",
                     source: .window { $1.start >= $0.warmup ? 1 : 0 }),
        MetricFamily(name: "scalesim_throughput", kind: .gauge, help: "Completed requests per second in the window ending at the timestamp (simulated seconds, epoch 0).",
                     source: .window { TimeSeries.throughput($1) }),
        MetricFamily(name: "scalesim_offered_rate", kind: .gauge, help: "Attempts (arrivals plus retries) per second in the window ending at the timestamp (simulated seconds, epoch 0).",
                     source: .window { TimeSeries.offeredRate($1) }),
        MetricFamily(name: "scalesim_error_rate", kind: .gauge, help: "Requests that failed for good per second in the window ending at the timestamp (simulated seconds, epoch 0).",
                     source: .window { TimeSeries.errorRate($1) }),
        MetricFamily(name: "scalesim_timeout_rate", kind: .gauge, help: "Attempts timed out per second in the window ending at the timestamp (simulated seconds, epoch 0).",
                     source: .window { TimeSeries.timeoutRate($1) }),
        MetricFamily(name: "scalesim_retry_rate", kind: .gauge, help: "Retries per second in the window ending at the timestamp (simulated seconds, epoch 0).",
                     source: .window { TimeSeries.retryRate($1) }),
        MetricFamily(name: "scalesim_latency_mean_seconds", kind: .gauge, unit: "seconds", help: "Mean latency of the requests completed in the window ending at the timestamp (simulated seconds, epoch 0); no sample without completions.",
                     source: .window { $1.latencyMean }),
        MetricFamily(name: "scalesim_latency_p99_seconds", kind: .gauge, unit: "seconds", help: "99th percentile latency of the requests completed in the window ending at the timestamp (simulated seconds, epoch 0); no sample without completions.",
                     source: .window { $1.p99 }),
        MetricFamily(name: "scalesim_utilization_ratio", kind: .gauge, unit: "ratio", help: "Time-weighted utilization (busy cores or units in use over capacity) of a CPU or pool in the window ending at the timestamp (simulated seconds, epoch 0).",
                     source: .resource([.cpu, .pool]) { $0.utilization($1, in: $2) }),
        MetricFamily(name: "scalesim_cache_hit_ratio", kind: .gauge, unit: "ratio", help: "Hits over lookups of a cache in the window ending at the timestamp (simulated seconds, epoch 0); no sample without lookups.",
                     source: .resource([.cache]) { $0.hitRatio($1, in: $2) }),
        MetricFamily(name: "scalesim_instances", kind: .gauge, help: "Time-weighted mean of the instances in service behind a router whose count can change (autoscaling, health checks, faults) in the window ending at the timestamp (simulated seconds, epoch 0).",
                     source: .resource([.router]) { $0.instances($1, in: $2) }),
    ]

    /// The OpenMetrics text of `series` (see the extension's comment for the format).
    ///
    /// - Parameters:
    ///   - series: the models' time series, in report order.
    ///   - modelLabel: the label naming each model (`stage`), or nil to leave it out (a network
    ///     scenario has one model).
    /// - Returns: the whole exposition, ending with `# EOF\n`.
    static func openMetrics(_ series: [TimeSeries], modelLabel: String?) -> String {
        var out = ""
        for family in metricFamilies {
            var body = ""
            /// Appends the samples of one series: `points` in time order, each at its window's
            /// end, a point without a value left out. A timestamp must be greater than the
            /// series' previous one, so a window that ends on it (no width: a run stopped on
            /// an edge) is left out too.
            func append(_ name: String, _ labels: [(String, String)], _ points: [(end: Double, value: String?)]) {
                let set = labelSet(labels)
                var last = -Double.infinity
                for point in points {
                    let stamp = timestamp(point.end)
                    guard let value = point.value, let time = Double(stamp), time > last else { continue }
                    last = time
                    body += "\(name)\(set) \(value) \(stamp)\n"
                }
            }
            for s in series {
                for (replication, windows) in s.replications.enumerated() {
                    var labels: [(String, String)] = modelLabel.map { [($0, s.name)] } ?? []
                    labels.append(("replication", "\(replication + 1)"))
                    switch family.source {
                    case .count(let count):
                        var total: UInt64 = 0
                        append(family.name + "_total", labels, windows.map { w in
                            total += count(w)
                            return (w.end, "\(total)")
                        })
                    case .window(let value):
                        append(family.name, labels, windows.map { w in (w.end, value(s, w).flatMap(number)) })
                    case .resource(let kinds, let value):
                        for r in s.resources where kinds.contains(r.kind) {
                            var own = labels + [("resource", r.name)]
                            if kinds.count > 1 { own.append(("kind", r.kind.rawValue)) }
                            append(family.name, own, windows.map { w in (w.end, value(s, r, w).flatMap(number)) })
                        }
                    }
                }
            }
            guard !body.isEmpty else { continue }
            out += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            if let unit = family.unit { out += "# UNIT \(family.name) \(unit)\n" }
            out += "# HELP \(family.name) \(escaped(family.help))\n"
            out += body
        }
        return out + "# EOF\n"
    }

    /// `{name="value",...}` with the values escaped.
    private static func labelSet(_ labels: [(String, String)]) -> String {
        "{" + labels.map { "\($0.0)=\"\(escaped($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// A label value or help text with backslash, double quote and line feed escaped
    /// (OpenMetrics, "Escaping"); by Unicode scalar, so that `\r\n` (one Swift `Character`)
    /// keeps its line feed escaped.
    static func escaped(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": out.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// A value: Swift's shortest rendering that reads back as the same `Double` (`0.25`,
    /// `1.0`, `3e-05`), with -0 written as 0; nil when not finite (no sample).
    static func number(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        return (value == 0 ? 0.0 : value).description
    }

    /// A timestamp in seconds with at most six decimals (microseconds, as `window_end_s` in
    /// `timeseries.csv`), trailing zeros dropped but one decimal kept (`1000.0`,
    /// `333.333333`): no exponent, which OpenMetrics advises against for timestamps.
    static func timestamp(_ seconds: Double) -> String {
        var text = String(format: "%.6f", seconds == 0 ? 0 : seconds)
        while text.hasSuffix("0") && !text.hasSuffix(".0") { text.removeLast() }
        return text
    }
}

extension NetworkReport {
    /// The run's time series in the OpenMetrics text format (`--metrics`; see
    /// `TimeSeries.openMetrics`), without a model label. A report without time series (one
    /// read back from JSON) gives an exposition with only `# EOF`.
    public var openMetrics: String { TimeSeries.openMetrics(timeSeries.map { [$0] } ?? [], modelLabel: nil) }
}

extension ArchitectureReport {
    /// Every stage's time series in the OpenMetrics text format (`--metrics`; see
    /// `TimeSeries.openMetrics`), labelled `stage`.
    public var openMetrics: String { TimeSeries.openMetrics(timeSeries, modelLabel: "stage") }
}
