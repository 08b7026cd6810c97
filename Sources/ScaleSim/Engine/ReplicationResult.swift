import Histogram

/// Latency histogram in integer microseconds, with the exact count, sum and sum of squares
/// kept beside it (the histogram's own mean is approximate).
public struct LatencyRecorder: Sendable {
    /// Latencies above an hour are recorded as an hour.
    public static let highestMicroseconds: UInt64 = 3_600_000_000
    public private(set) var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: highestMicroseconds,
        numberOfSignificantValueDigits: .three)
    public private(set) var count: UInt64 = 0
    public private(set) var sum: Double = 0
    public private(set) var sumOfSquares: Double = 0

    public init() {}

    /// Records one latency in seconds.

    public mutating func record(_ seconds: Double) {
        record(seconds, microseconds: Self.microseconds(seconds))
    }

    /// Records one latency given in seconds and as `microseconds(seconds)` (computed once by a
    /// caller that records it in a second histogram too).
    @inline(__always)
    mutating func record(_ seconds: Double, microseconds micros: UInt64) {
        count += 1
        sum += seconds
        sumOfSquares += seconds * seconds
        let recorded = histogram.record(micros)
        assert(recorded, "latency \(micros) µs is outside the histogram")
    }

    /// A latency in seconds as the histograms record it: rounded to the nearest microsecond
    /// (+0.5 then truncation: cheaper than rounded()), at most `highestMicroseconds`.
    @inline(__always)
    static func microseconds(_ seconds: Double) -> UInt64 {
        seconds <= 0 ? 0 : min(UInt64(seconds * 1e6 + 0.5), highestMicroseconds)
    }

    /// Adds another recorder's values (merging replications or shards).
    public mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
        count += other.count
        sum += other.sum
        sumOfSquares += other.sumOfSquares
    }

    /// Exact mean in seconds (NaN when empty).
    public var mean: Double { count == 0 ? .nan : sum / Double(count) }

    /// The `percentile` (0...100) in seconds, from the histogram (NaN when empty).
    public func percentile(_ percentile: Double) -> Double {
        count == 0 ? .nan : Double(histogram.valueAtPercentile(percentile)) / 1e6
    }
}

/// Everything one replication measured after its warm-up.
public struct ReplicationResult: Sendable {
    /// Simulated seconds covered by the statistics (duration minus warm-up, or less when
    /// the run stopped early).
    public var measuredTime: Double = 0
    public var events: UInt64 = 0
    /// Why the replication stopped before its duration, if it did.
    public var stoppedEarly: String?
    /// Which replication this is (0 for the first).
    public var replication: Int = 0
    public var classes: [ClassResult] = []
    public var cpus: [CPUResult] = []
    public var delays: [DelayResult] = []
    public var pools: [PoolResult] = []
    public var caches: [CacheResult] = []
    public var routers: [RouterResult] = []
    /// The whole run, warm-up included, window by window (see `Window`).
    public var windows: [Window] = []
    /// Faults and scaling actions as they happened, warm-up included, in time order.
    public var markers: [Marker] = []

    /// Something that happened at one moment, to mark on a time series.
    public struct Marker: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            case faultStart = "fault_start", faultEnd = "fault_end"
            /// A load balancer's health checks took an instance out of rotation / put it back.
            case removed, restored
            /// The autoscaler asked for more / fewer instances; new instances took traffic.
            case scaleOut = "scale_out", scaleIn = "scale_in", provisioned
        }
        public var time: Double
        public var kind: Kind
        /// What it happened to: a component or a router and its instance count.
        public var label: String
        public init(time: Double, kind: Kind, label: String) { self.time = time; self.kind = kind; self.label = label }
    }

    public struct ClassResult: Sendable {
        public var arrivals: UInt64 = 0
        public var completed: UInt64 = 0
        /// Requests that failed for good (after any retries): blocked at a full resource,
        /// refused by or lost with a failed component, an injected error, or timed out at the
        /// client.
        public var errors: UInt64 = 0
        /// Attempts whose client gave up waiting (final or retried).
        public var timeouts: UInt64 = 0
        /// Attempts after the first (each also counts in the resources' arrivals).
        public var retries: UInt64 = 0
        /// Attempts that failed because a component was down (refused or lost in flight).
        public var failures: UInt64 = 0
        /// Requests the servers finished after their client had given up (wasted work).
        public var abandonedCompleted: UInt64 = 0
        public var latency = LatencyRecorder()
    }

    /// Time-weighted areas are integrals over the measured time (divide by `measuredTime`).
    public struct CPUResult: Sendable {
        public var arrivals: UInt64 = 0
        public var blocked: UInt64 = 0
        /// Arrivals that found every core busy (FCFS) or more jobs than cores (PS).
        public var waited: UInt64 = 0
        public var started: UInt64 = 0
        public var completions: UInt64 = 0
        public var sumWait: Double = 0
        public var sumResponse: Double = 0
        public var busyArea: Double = 0
        public var queueArea: Double = 0
        public var inStationArea: Double = 0
    }

    public struct DelayResult: Sendable {
        public var arrivals: UInt64 = 0
        public var completions: UInt64 = 0
        public var sumResponse: Double = 0
        public var inStationArea: Double = 0
    }

    public struct PoolResult: Sendable {
        public var acquisitions: UInt64 = 0
        /// Requests turned away because the wait queue was full (`Model.Pool.queueLimit`).
        public var rejected: UInt64 = 0
        public var waited: UInt64 = 0
        public var sumWait: Double = 0
        public var inUseArea: Double = 0
        public var queueArea: Double = 0
        /// The most units in use at once (from the warm-up's end, at least those in use then).
        public var maximumInUse: Int32 = 0
    }

    public struct CacheResult: Sendable {
        public var lookups: UInt64 = 0
        public var hits: UInt64 = 0
        /// Misses that joined a fill already under way (coalescing) instead of going to the backend.
        public var coalesced: UInt64 = 0
        /// Misses of the hot keys (and of a flash crowd's key) that went to the backend.
        public var hotMisses: UInt64 = 0
    }

    public struct RouterResult: Sendable {
        public var picks: [UInt64] = []
        /// The integral of the instances in service (in rotation) over the measured time.
        public var instanceArea: Double = 0
        /// The integral of the instances running (in service or being provisioned), what a
        /// bill counts.
        public var runningArea: Double = 0
        public var maximumInService: Int = 0
    }
}

extension ReplicationResult {
    /// `replication 2: <why it stopped>` (numbered from 1) when it stopped early, else nil.
    /// Numbered by the replication itself, not by its place among those that stopped: with a
    /// budget or a cap, some replications may stop and others run to the end.
    public var numberedStop: String? {
        stoppedEarly.map { "replication \(replication + 1): \($0)" }
    }
}
