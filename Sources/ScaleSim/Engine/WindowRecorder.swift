/// Gathers one replication's statistics per time window (`ReplicationResult.Window`).
///
/// The engine's counters (arrivals, completions, errors, cache lookups) and time-weighted
/// areas only grow until the warm-up restarts them, so a window's figures are the differences
/// of their values at its two edges (`read`); the warm-up restart reads them once more before
/// it zeroes them, and starts from the new values (`rebase`).
///
/// Edges are passed lazily: the event loop compares each event's time with `horizon` (the
/// next edge, or the end of the run), a comparison it made with the end of the run anyway.
/// When an event lies at or past an edge, the windows that ended are read first, at their
/// edges' times: nothing changed since the previous event, so the figures are those an event
/// at the edge would have read, and an event at an edge's exact time counts in the window that
/// starts there. An edge event in the queue would instead cost every event a deeper heap (about
/// 15 instructions per event on M/M/1, 3% of all, measured with callgrind), and its place
/// among events at the same time would depend on when it was scheduled. So nothing is added to
/// the per-event path but one histogram record per completed request, for the window's p99.
///
/// Areas are read as they would stand at the edge: the open interval since a resource's last
/// change is added to a copy, and the engine's own interval is not closed. Closing it would
/// split one addition into two and change the rounding of the run's figures; the time series
/// must not change any figure of the run.
///
/// Memory: windows × resources, whatever the number of requests.
struct WindowRecorder {
    /// The engine's cumulative figures at one moment.
    struct Totals {
        var arrivals: UInt64 = 0
        var completed: UInt64 = 0
        var errors: UInt64 = 0
        var timeouts: UInt64 = 0
        var latencySum: Double = 0
        var cpuBusyArea: [Double] = []
        var poolInUseArea: [Double] = []
        var cacheLookups: [UInt64] = []
        var cacheHits: [UInt64] = []
        var retries: UInt64 = 0
        var routerInstanceArea: [Double] = []
    }

    /// The window edges, from 0 to the duration; window `i` is `[edges[i], edges[i + 1])`.
    let edges: [Double]
    /// The window being gathered.
    private(set) var current = 0
    /// The totals at the last read: the next read adds what changed since.
    private var base: Totals
    /// The current window so far.
    private var gathered: ReplicationResult.Window
    /// Latencies (µs) of the requests completed in the current window.
    private var latency = WindowHistogram()
    /// The windows closed so far.
    private(set) var closed: [ReplicationResult.Window] = []

    init(edges: [Double], cpus: Int, pools: Int, caches: Int, routers: Int = 0) {
        precondition(edges.count >= 2, "a run has at least one window")
        self.edges = edges
        base = Totals(cpuBusyArea: Array(repeating: 0, count: cpus), poolInUseArea: Array(repeating: 0, count: pools),
                      cacheLookups: Array(repeating: 0, count: caches), cacheHits: Array(repeating: 0, count: caches),
                      routerInstanceArea: Array(repeating: 0, count: routers))
        gathered = Self.empty(start: edges[0], end: edges[1], like: base)
        closed.reserveCapacity(edges.count - 1)
    }

    private static func empty(start: Double, end: Double, like totals: Totals) -> ReplicationResult.Window {
        var window = ReplicationResult.Window(start: start, end: end)
        window.cpuBusyArea = Array(repeating: 0, count: totals.cpuBusyArea.count)
        window.poolInUseArea = Array(repeating: 0, count: totals.poolInUseArea.count)
        window.cacheLookups = Array(repeating: 0, count: totals.cacheLookups.count)
        window.cacheHits = Array(repeating: 0, count: totals.cacheHits.count)
        window.routerInstanceArea = Array(repeating: 0, count: totals.routerInstanceArea.count)
        return window
    }

    /// The edge where the current window ends, when an event must pass it (the last window
    /// ends with the run, at its duration).
    var nextEdge: Double? { current + 2 < edges.count ? edges[current + 1] : nil }

    /// Records the latency of a request completed now, in microseconds.
    @inline(__always)
    mutating func record(microseconds: UInt64) {
        latency.record(microseconds)
    }

    /// Adds to the current window what changed since the last read.
    mutating func read(_ totals: Totals) {
        gathered.arrivals += totals.arrivals &- base.arrivals
        gathered.completed += totals.completed &- base.completed
        gathered.errors += totals.errors &- base.errors
        gathered.timeouts += totals.timeouts &- base.timeouts
        gathered.latencySum += totals.latencySum - base.latencySum
        gathered.retries += totals.retries &- base.retries
        for i in totals.routerInstanceArea.indices {
            gathered.routerInstanceArea[i] += totals.routerInstanceArea[i] - base.routerInstanceArea[i]
        }
        for i in totals.cpuBusyArea.indices { gathered.cpuBusyArea[i] += totals.cpuBusyArea[i] - base.cpuBusyArea[i] }
        for i in totals.poolInUseArea.indices { gathered.poolInUseArea[i] += totals.poolInUseArea[i] - base.poolInUseArea[i] }
        for i in totals.cacheLookups.indices {
            gathered.cacheLookups[i] += totals.cacheLookups[i] &- base.cacheLookups[i]
            gathered.cacheHits[i] += totals.cacheHits[i] &- base.cacheHits[i]
        }
        base = totals
    }

    /// Takes `totals` as the starting point of the next read (after the engine restarted its
    /// statistics; what came before was read already).
    mutating func rebase(_ totals: Totals) { base = totals }

    /// Ends the current window at `time` (its edge, or where the run stopped) and starts the
    /// next one.
    mutating func close(at time: Double) {
        gathered.end = time
        if let p99 = latency.value(atPercentile: 99) {
            gathered.p99 = Double(p99) / 1e6
            latency.clear()
        }
        closed.append(gathered)
        current += 1
        if current + 1 < edges.count {
            gathered = Self.empty(start: edges[current], end: edges[current + 1], like: base)
        }
    }

    /// The window edges of a run: `width` apart, laid out from the end of the warm-up both
    /// ways, so that no window straddles it (the warm-up ends on an edge).
    ///
    /// The first and the last window take what is left over: each is between half a width
    /// and one and a half widths long (or the whole warm-up, or the whole measured period,
    /// when that is shorter). The default width is a sixtieth of the duration, which gives
    /// exactly 60 windows whenever the warm-up is a whole number of sixtieths (the default
    /// warm-up, 10%, is six).
    ///
    /// - Parameter width: seconds per window (nil: `duration / RunSettings.defaultWindows`).
    /// - Returns: increasing edges from 0 to `duration`.
    static func edges(duration: Double, warmup: Double, width: Double?) -> [Double] {
        let w = width ?? duration / Double(RunSettings.defaultWindows)
        precondition(w > 0 && duration / w <= Double(RunSettings.maximumWindows),
                     "window of \(w) s over a run of \(duration) s")
        let anchor = min(max(warmup, 0), duration)
        var edges: [Double] = [0]
        var inside: [Double] = []
        var k = 1.0
        while anchor - k * w > w / 2 {
            inside.append(anchor - k * w)
            k += 1
        }
        edges += inside.reversed()
        if anchor > 0 && anchor < duration { edges.append(anchor) }
        k = 1
        while anchor + k * w < duration - w / 2 {
            edges.append(anchor + k * w)
            k += 1
        }
        edges.append(max(duration, 0))
        return edges
    }
}

extension Engine {
    /// The engine's cumulative figures at `time` (no earlier than any resource's last change),
    /// time-weighted areas extended to `time` in a copy.
    func windowTotals(at time: Double) -> WindowRecorder.Totals {
        var totals = WindowRecorder.Totals()
        for c in classes {
            totals.arrivals += c.arrivals
            totals.completed += c.completed
            totals.errors += c.errors
            totals.timeouts += c.timeouts
            totals.latencySum += c.latency.sum
            totals.retries += c.retries
        }
        totals.routerInstanceArea = routers.map { router in
            let dt = time - router.lastChange
            return dt > 0 ? router.stats.instanceArea + dt * Double(router.rotation.count) : router.stats.instanceArea
        }
        // The same products `account(until:)` would add.
        totals.cpuBusyArea = cpus.map { cpu in
            let dt = time - cpu.lastChange
            return dt > 0 ? cpu.stats.busyArea + dt * Double(min(cpu.n, cpu.cores)) : cpu.stats.busyArea
        }
        totals.poolInUseArea = pools.map { pool in
            let dt = time - pool.lastChange
            return dt > 0 ? pool.stats.inUseArea + dt * Double(pool.inUse) : pool.stats.inUseArea
        }
        totals.cacheLookups = caches.map(\.stats.lookups)
        totals.cacheHits = caches.map(\.stats.hits)
        return totals
    }

    /// Closes every window that ends at or before `time` (the time of the event about to be
    /// handled, or the end of the run), each read at its own edge. Reads state only: the run's
    /// figures do not change.
    ///
    /// - Returns: the next time the event loop must call it: the next edge, or just past the
    ///   duration (an event after the duration ends the run).
    @inline(never)
    mutating func passWindowEdges(upTo time: Double) -> Double {
        while let edge = windows.nextEdge, edge <= time {
            windows.read(windowTotals(at: edge))
            windows.close(at: edge)
        }
        return windows.nextEdge ?? duration.nextUp
    }
}
