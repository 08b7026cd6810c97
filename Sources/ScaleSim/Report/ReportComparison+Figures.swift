extension ReportComparison {
    /// What a comparison knows about a figure of a report, by its key: the words for it, its
    /// unit, which side is better and whether it guards against regressions.
    ///
    /// A key not listed here (a figure added to reports later) is still compared, as a plain
    /// number with no better side.
    struct FigureInfo: Sendable {
        /// How the value is written in the report.
        enum Shape: Sendable {
            case estimate, exact, text, flag, group

            /// The words for a wrong-type message.
            var expected: String {
                switch self {
                case .estimate: #"an estimate {"mean": x, "halfWidth": h}"#
                case .exact: "a number"
                case .text: "a string or null"
                case .flag: "true or false"
                case .group: "an object"
                }
            }
        }

        enum Unit: Sendable {
            /// Seconds.
            case time
            /// A fraction shown as a percentage; changes in percentage points.
            case fraction
            /// Per second.
            case rate
            /// Dollars per hour.
            case money
            case number
        }

        enum Better: Sendable {
            case lower, higher, neither
        }

        var label: String
        var shape: Shape
        var unit: Unit = .number
        var better: Better = .neither
        /// A significant worsening is a regression (latency, errors, utilization, SLO).
        var guarded = false
        /// How a flag's two values are shown (`met` and `fails` for the SLO).
        var words = (yes: "true", no: "false")

        /// A figure this version does not know.
        static let unknown = FigureInfo(label: "", shape: .exact)

        static func of(_ key: String) -> FigureInfo? { table[key] }

        static let table: [String: FigureInfo] = [
            // Architecture stages.
            "users": FigureInfo(label: "users", shape: .exact),
            "requestRate": FigureInfo(label: "request rate", shape: .exact, unit: .rate),
            "costPerHour": FigureInfo(label: "cost", shape: .exact, unit: .money, better: .lower),
            "latency": FigureInfo(label: "latency", shape: .group),
            "mean": FigureInfo(label: "mean", shape: .estimate, unit: .time, better: .lower, guarded: true),
            "p50": FigureInfo(label: "p50", shape: .estimate, unit: .time, better: .lower, guarded: true),
            "p95": FigureInfo(label: "p95", shape: .estimate, unit: .time, better: .lower, guarded: true),
            "p99": FigureInfo(label: "p99", shape: .estimate, unit: .time, better: .lower, guarded: true),
            "throughput": FigureInfo(label: "throughput", shape: .estimate, unit: .rate, better: .higher),
            "errorRate": FigureInfo(label: "error rate", shape: .estimate, unit: .fraction, better: .lower, guarded: true),
            "timeoutRate": FigureInfo(label: "timeout rate", shape: .estimate, unit: .fraction, better: .lower, guarded: true),
            "utilization": FigureInfo(label: "utilization", shape: .estimate, unit: .fraction, better: .lower, guarded: true),
            "meanQueueLength": FigureInfo(label: "queue length", shape: .estimate, better: .lower),
            "hitRatio": FigureInfo(label: "hit ratio", shape: .estimate, unit: .fraction, better: .higher),
            "bottleneck": FigureInfo(label: "bottleneck", shape: .text),
            "slo": FigureInfo(label: "SLO", shape: .flag, better: .higher, guarded: true, words: ("met", "fails")),
            "capacity": FigureInfo(label: "capacity", shape: .group),
            "maxUsers": FigureInfo(label: "max users", shape: .exact, better: .higher),
            "binding": FigureInfo(label: "binding", shape: .text),
            "method": FigureInfo(label: "method", shape: .text),
            // A changing system: retries, failed components, autoscaled routers, caches under a stampede.
            "retriesPerRequest": FigureInfo(label: "retries per request", shape: .estimate, better: .lower),
            "failureRate": FigureInfo(label: "attempts failed", shape: .estimate, unit: .fraction, better: .lower),
            "meanInService": FigureInfo(label: "mean instances in service", shape: .estimate),
            "peakInService": FigureInfo(label: "peak instances in service", shape: .estimate),
            "meanRunning": FigureInfo(label: "mean instances running", shape: .estimate),
            "coalescedPerSecond": FigureInfo(label: "coalesced misses", shape: .estimate, unit: .rate),
            "hotMissesPerSecond": FigureInfo(label: "hot-key misses", shape: .estimate, unit: .rate, better: .lower),
            // Network stations and system.
            "meanResponse": FigureInfo(label: "response", shape: .estimate, unit: .time, better: .lower, guarded: true),
            "meanWait": FigureInfo(label: "wait", shape: .estimate, unit: .time, better: .lower, guarded: true),
            "waitProbability": FigureInfo(label: "P(wait)", shape: .estimate, unit: .fraction, better: .lower),
            "meanInStation": FigureInfo(label: "in station", shape: .estimate, better: .lower),
            "blockingProbability": FigureInfo(label: "blocking", shape: .estimate, unit: .fraction, better: .lower, guarded: true),
            "stable": FigureInfo(label: "stability", shape: .flag, better: .higher, guarded: true, words: ("stable", "overloaded")),
        ]

        /// Whether a change by `difference` is for the better; nil when neither side is better.
        func direction(of difference: Double) -> Direction? {
            switch better {
            case .neither: nil
            case .lower: difference < 0 ? .better : .worse
            case .higher: difference > 0 ? .better : .worse
            }
        }
    }
}
