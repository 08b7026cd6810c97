extension ReplicationResult {
    /// What one replication measured in one time window `[start, end)`.
    ///
    /// Windows cover the whole run, warm-up included, so a report can show how the system
    /// warmed up; the windows are laid out so that the warm-up ends on a window edge (see
    /// `WindowRecorder.edges`), and a window is measured (after the warm-up) when
    /// `start >= warmup`. An event at an edge's exact time counts in the window that starts
    /// there. Counts are of what happened in the window: a request that arrives in one window
    /// and completes in the next counts as an arrival in the first and a completion in the
    /// second. Time-weighted areas are integrals over the window (divide by `width` and the
    /// resource's capacity for a utilization).
    public struct Window: Sendable {
        public var start: Double
        /// The window's end: the next edge, or where the run stopped when it stopped early.
        public var end: Double
        /// Requests that arrived (all classes).
        public var arrivals: UInt64 = 0
        /// Requests that completed, each with its latency.
        public var completed: UInt64 = 0
        /// Requests that failed for good (after any retries), counted when they failed.
        public var errors: UInt64 = 0
        /// Attempts whose client gave up waiting (final or retried).
        public var timeouts: UInt64 = 0
        /// Sum of the latencies of the completed requests, in seconds (exact, not binned).
        public var latencySum: Double = 0
        /// The 99th percentile of those latencies in seconds, from an HDR histogram of the
        /// window with the bins of `LatencyRecorder`'s (`WindowHistogram`); NaN without completions.
        public var p99: Double = .nan
        /// Per CPU of the model, the integral of its busy cores over the window.
        public var cpuBusyArea: [Double] = []
        /// Per pool of the model, the integral of its units in use over the window.
        public var poolInUseArea: [Double] = []
        /// Per cache of the model, its lookups and hits in the window.
        public var cacheLookups: [UInt64] = []
        public var cacheHits: [UInt64] = []
        /// Attempts after the first, in the window.
        public var retries: UInt64 = 0
        /// Per router of the model, the integral of its instances in service over the window.
        public var routerInstanceArea: [Double] = []

        public init(start: Double, end: Double) {
            self.start = start
            self.end = end
        }

        /// The window's length in seconds.
        public var width: Double { end - start }

        /// Mean latency of the completions in the window, seconds (NaN without completions).
        public var latencyMean: Double { completed == 0 ? .nan : latencySum / Double(completed) }
    }
}
