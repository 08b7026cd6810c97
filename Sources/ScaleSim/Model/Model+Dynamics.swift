import Foundation

/// What changes during a run: the load over time, components that fail, instances that
/// come and go, clients that retry.
extension Model {
    /// A factor on the load over time: piecewise linear through `points` (time in seconds,
    /// factor), constant before the first point and after the last.
    ///
    /// Open sources send at `rate × factor(t)` (a non-homogeneous Poisson process, drawn by
    /// thinning at the profile's maximum); closed sources have `size × factor(t)` users
    /// (rounded), re-read every `RateProfile.populationStep` seconds.
    public struct RateProfile: Sendable, Hashable {
        public struct Point: Sendable, Hashable {
            public var time: Double
            public var factor: Double
            public init(time: Double, factor: Double) { self.time = time; self.factor = factor }
        }

        /// Increasing times, factors at least 0.
        public var points: [Point]

        public init(points: [Point]) {
            precondition(!points.isEmpty, "a rate profile has at least one point")
            self.points = points
        }

        /// How often a closed source's user count follows the profile, in seconds.
        public static let populationStep = 1.0

        /// A constant load of `factor`.
        public static func constant(_ factor: Double) -> RateProfile { .init(points: [.init(time: 0, factor: factor)]) }

        /// A spike: 1 until `at`, up to `factor` over `ramp`, held for `length`, back to 1 over `ramp`.
        public static func spike(at: Double, factor: Double, length: Double, ramp: Double) -> RateProfile {
            .init(points: [.init(time: at, factor: 1), .init(time: at + ramp, factor: factor),
                           .init(time: at + ramp + length, factor: factor),
                           .init(time: at + 2 * ramp + length, factor: 1)])
        }

        /// A daily curve: a cosine between `trough` and `peak` with its peak at `peakAt` and
        /// period `period`, as a line through `perPeriod` points per period over `0...until`.
        public static func daily(peak: Double, trough: Double, peakAt: Double, period: Double,
                                 until: Double, perPeriod: Int = 96) -> RateProfile {
            let step = period / Double(perPeriod)
            var points: [Point] = []
            var t = 0.0
            while true {
                let phase = 2 * Double.pi * (t - peakAt) / period
                points.append(.init(time: t, factor: trough + (peak - trough) * (1 + cos(phase)) / 2))
                if t >= until { break }
                t = min(t + step, until)
            }
            return .init(points: points)
        }

        /// The factor at time `t`.
        public func factor(at t: Double) -> Double {
            guard t > points[0].time else { return points[0].factor }
            guard t < points[points.count - 1].time else { return points[points.count - 1].factor }
            // Binary search for the segment [points[lo], points[lo + 1]] holding t.
            var lo = 0, hi = points.count - 1
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if points[mid].time <= t { lo = mid } else { hi = mid }
            }
            let a = points[lo], b = points[hi]
            guard b.time > a.time else { return b.factor }
            return a.factor + (b.factor - a.factor) * (t - a.time) / (b.time - a.time)
        }

        /// The largest factor (the thinning bound).
        public var maximum: Double { points.map(\.factor).max()! }

        /// The integral of the factor over `[from, to]` (exact for the piecewise-linear curve).
        public func integral(from: Double, to: Double) -> Double {
            guard to > from else { return 0 }
            // Breakpoints inside (from, to), then trapezoids between consecutive ones.
            let cuts = [from] + points.map(\.time).filter { $0 > from && $0 < to } + [to]
            var total = 0.0
            for i in 1..<cuts.count {
                total += (cuts[i] - cuts[i - 1]) * (factor(at: cuts[i - 1]) + factor(at: cuts[i])) / 2
            }
            return total
        }
    }

    /// From `from` (until `until`, nil = the end), lookups of a cache draw `key` with
    /// probability `share` and otherwise from the usual popularity: a flash crowd on one key.
    public struct FlashCrowd: Sendable, Hashable {
        public var key: Int
        public var share: Double
        public var from: Double
        public var until: Double?
        public init(key: Int, share: Double, from: Double, until: Double? = nil) {
            self.key = key; self.share = share; self.from = from; self.until = until
        }
    }

    /// A part of the system that fails as a whole: an API instance, a replica, the database
    /// primary, a cache node, a CDN edge.
    ///
    /// While it is down, requests that arrive at its CPUs or pools fail at once (connection
    /// refused), and the requests it was serving when it went down fail: those at its CPUs
    /// or waiting for its pools end with an error there; those holding one of its pool units
    /// while elsewhere (an API worker waiting on the database) end with an error at their
    /// next step. A cache part loses its keys when it goes down and stores nothing while down
    /// (every lookup of its keys misses): a miss storm.
    public struct Component: Sendable, Hashable {
        public var name: String
        public var cpus: [Int]
        public var pools: [Int]
        public var cacheParts: [CachePart]
        public init(name: String, cpus: [Int] = [], pools: [Int] = [], cacheParts: [CachePart] = []) {
            self.name = name; self.cpus = cpus; self.pools = pools; self.cacheParts = cacheParts
        }
    }

    /// The keys of `caches[cache]` held by node `node` of `nodes` (key `k` lives on node
    /// `k % nodes`; one node: the whole cache).
    public struct CachePart: Sendable, Hashable {
        public var cache: Int
        public var node: Int
        public var nodes: Int
        public init(cache: Int, node: Int = 0, nodes: Int = 1) { self.cache = cache; self.node = node; self.nodes = nodes }
    }

    /// `components[component]` goes down at `at` for `duration` seconds.
    public struct Fault: Sendable, Hashable {
        public var component: Int
        public var at: Double
        public var duration: Double
        public init(component: Int, at: Double, duration: Double) {
            self.component = component; self.at = at; self.duration = duration
        }
    }

    /// A load balancer's active health checks: every `interval` it probes each instance; an
    /// instance in rotation that fails `unhealthyThreshold` probes in a row is taken out, one
    /// out of rotation that passes `healthyThreshold` in a row is put back. A probe passes when
    /// the instance's component is up.
    public struct HealthCheck: Sendable, Hashable {
        public var interval: Double
        public var unhealthyThreshold: Int
        public var healthyThreshold: Int
        public init(interval: Double, unhealthyThreshold: Int, healthyThreshold: Int) {
            self.interval = interval; self.unhealthyThreshold = unhealthyThreshold; self.healthyThreshold = healthyThreshold
        }
    }

    /// Target tracking of a router's instance count (as AWS target tracking or the Kubernetes
    /// HPA do): every `interval` the metric over the last interval gives the desired count
    /// `ceil(running × metric / target)`, clamped to `minimum...maximum`. A scale-out starts
    /// instances that take traffic after `provisioningDelay`; a scale-in takes the newest
    /// instances out of rotation at once (their requests in flight finish). After a scaling
    /// action, scale-ins wait `cooldown`; scale-outs are never held back by it.
    public struct Autoscaling: Sendable, Hashable {
        public enum Metric: String, Sendable, Hashable, CaseIterable {
            /// Mean utilization of the instances' first CPU (0...1).
            case cpu
            /// Requests per second per instance in service.
            case requestsPerInstance = "requests_per_instance"
            /// Requests in flight (for websockets: connections open) per instance in service,
            /// counted at each decision.
            case inFlightPerInstance = "connections"
        }
        public var metric: Metric
        public var target: Double
        public var minimum: Int
        /// At most the router's `instances` (the resources are laid out for the maximum).
        public var maximum: Int
        /// Instances in service at the start.
        public var initial: Int
        public var interval: Double
        public var cooldown: Double
        public var provisioningDelay: Double
        public init(metric: Metric, target: Double, minimum: Int, maximum: Int, initial: Int,
                    interval: Double, cooldown: Double, provisioningDelay: Double) {
            self.metric = metric; self.target = target; self.minimum = minimum; self.maximum = maximum
            self.initial = initial; self.interval = interval; self.cooldown = cooldown
            self.provisioningDelay = provisioningDelay
        }
    }

    /// How a client retries a failed request (an error or its own timeout): at most
    /// `attempts` retries, the k-th after `min(cap, backoff × multiplier^(k-1))` seconds, or a
    /// uniform time up to that with full jitter (as AWS recommends). With a budget, each first
    /// attempt of the class earns `budget` of a retry (up to `budgetBurst` saved) and each
    /// retry spends one: a token bucket as in gRPC's retry throttling; with none left, the
    /// failure is final.
    public struct RetryPolicy: Sendable, Hashable {
        public var attempts: Int
        public var backoff: Double
        public var multiplier: Double
        public var cap: Double
        public var jitter: Bool
        public var budget: Double?
        public var budgetBurst: Double
        public init(attempts: Int, backoff: Double, multiplier: Double = 2, cap: Double = 30, jitter: Bool = true,
                    budget: Double? = nil, budgetBurst: Double = 10) {
            self.attempts = attempts; self.backoff = backoff; self.multiplier = multiplier; self.cap = cap
            self.jitter = jitter; self.budget = budget; self.budgetBurst = budgetBurst
        }

        /// The longest wait before retry `k` (1-based).
        public func delayBound(retry k: Int) -> Double {
            min(cap, backoff * pow(multiplier, Double(k - 1)))
        }
    }
}
