/// What changes during a run, as a scenario states it: the load over time, clients that
/// retry, health checks, autoscaling and scheduled faults. Every one is optional; a scenario
/// without them describes a system that stays as it starts.
///
/// Times are seconds from the start of a replication (the warm-up included). The compiler
/// turns these into the Model's `RateProfile`, `RetryPolicy`, `HealthCheck`, `Autoscaling`
/// and `Fault` (see `Model+Dynamics.swift` for what the engine does with them).
extension ArchitectureScenario {
    /// A factor on the load over time: an open workload sends `rate × factor(t)`, a closed
    /// one has `sessions × factor(t)` users.
    public struct Profile: Sendable, Hashable {
        public enum Shape: Sendable, Hashable {
            /// Piecewise linear through the points (times non-decreasing; two points at one
            /// time make a step), constant before the first and after the last.
            case points([Point])
            /// 1 until `at`, up to `factor` over `ramp`, held for `length`, back to 1 over `ramp`.
            case spike(at: Double, factor: Double, length: Double, ramp: Double)
            /// A cosine between `trough` and `peak`, highest at `peakAt` and again every `period`.
            case daily(peak: Double, trough: Double, peakAt: Double, period: Double)
        }

        public struct Point: Sendable, Hashable {
            public var at: Double
            /// At least 0.
            public var factor: Double
        }

        public var shape: Shape
        public var notes: String?
    }

    /// How a client retries a failed request (an error or its own timeout); see
    /// `Model.RetryPolicy`.
    public struct Retries: Sendable, Hashable {
        /// Most retries after the first attempt (0: none).
        public var attempts: Int
        /// The wait before the first retry, seconds.
        public var backoff: Double
        /// Each retry waits `multiplier` times longer than the one before (at least 1)...
        public var multiplier: Double
        /// ...up to `cap` seconds (at least `backoff`).
        public var cap: Double
        /// Full jitter: the wait is uniform between 0 and the bound above.
        public var jitter: Bool
        /// Retries earned per first attempt, in (0, 1] (a retry budget); nil: no budget.
        public var budget: Double?
        /// Most retries a budget saves up (at least 1).
        public var budgetBurst: Double
        public var notes: String?
    }
}

extension ArchitectureScenario.Stage {
    /// A load balancer's active health checks of its instances; see `Model.HealthCheck`.
    public struct HealthCheck: Sendable, Hashable {
        /// Seconds between two probes of an instance (> 0).
        public var interval: Double
        /// Failed probes in a row that take an instance out of rotation (>= 1).
        public var unhealthyThreshold: Int
        /// Passed probes in a row that put it back (>= 1).
        public var healthyThreshold: Int
        public var notes: String?
    }

    /// Target tracking of the API's instance count; see `Model.Autoscaling`.
    ///
    /// `API.instances` is the count at the start, within `minimum...maximum`; the API's
    /// resources are laid out for `maximum` instances.
    public struct Autoscaling: Sendable, Hashable {
        public enum Metric: String, Sendable, Hashable, CaseIterable {
            /// Mean utilization of the instances' CPUs, in (0, 1].
            case cpu
            /// Requests per second per instance in service (> 0).
            case requestsPerInstance = "requests_per_instance"
            /// Connections open per instance in service (> 0); websockets only, and their default.
            case connections
        }
        public var metric: Metric
        /// The value of the metric the count is kept at.
        public var target: Double
        public var minimum: Int
        public var maximum: Int
        /// Seconds between two decisions.
        public var interval: Double
        /// Seconds a scale-in waits after a scaling action.
        public var cooldown: Double
        /// Seconds from a scale-out until the new instances take traffic.
        public var provisioningDelay: Double
        public var notes: String?
    }

    /// A component that goes down at `at` for `duration` seconds.
    public struct Fault: Sendable, Hashable {
        /// What fails. On a stage with a `host` the API and the database are one machine:
        /// `.api(instance: 0)` and `.database` name the same component.
        public enum Target: Sendable, Hashable {
            /// API instance `instance` (below `API.instances`, or `Autoscaling.maximum`).
            case api(instance: Int)
            /// Read replica `instance`.
            case replica(instance: Int)
            /// The database primary.
            case database
            /// Cache node `node` (with its keys).
            case cache(node: Int)
            /// The CDN edge of the workload's region named `region`.
            case cdn(region: String)
            /// Web host `instance`.
            case web(instance: Int)
            /// Websocket service instance `instance` (its open connections fail with it).
            case websocket(instance: Int)
        }
        public var target: Target
        public var at: Double
        /// > 0.
        public var duration: Double
        public var notes: String?

        /// When it is up again.
        public var end: Double { at + duration }
    }
}
