import Foundation
import Testing
@testable import ScaleSim

/// Statistics per time window (`ReplicationResult.windows`): where the edges lie, exact
/// figures on a deterministic model, and windows that add up to the run's own figures.
@Suite struct EngineTimeWindowTests {
    // MARK: Edges

    @Test func edgesAreAnchoredAtTheEndOfTheWarmup() {
        // The default: 60 windows of a sixtieth of the duration, 6 of them in a 10% warm-up.
        let standard = WindowRecorder.edges(duration: 600, warmup: 60, width: nil)
        #expect(standard.count == 61, "edges: \(standard.count)")
        for (i, edge) in standard.enumerated() { EngineCheck.expectClose(edge, Double(i) * 10, "edge \(i)") }
        // A warm-up that is not a whole number of windows: the warm-up end is still an edge, and
        // the first and last windows take the rest (between half and one and a half widths).
        let odd = WindowRecorder.edges(duration: 100, warmup: 23, width: 10)
        let expected: [Double] = [0, 13, 23, 33, 43, 53, 63, 73, 83, 93, 100]
        #expect(odd.count == expected.count, "edges \(odd)")
        for (a, b) in zip(odd, expected) { EngineCheck.expectClose(a, b, "edges \(odd)") }
        // No warm-up; a measured period shorter than half a window; a warm-up shorter than one.
        let none = WindowRecorder.edges(duration: 25, warmup: 0, width: 10)
        #expect(none.count == 3 && abs(none[1] - 10) < 1e-12 && abs(none[2] - 25) < 1e-12, "edges \(none)")
        let short = WindowRecorder.edges(duration: 100, warmup: 98, width: 10)
        #expect(short.count >= 3 && abs(short[short.count - 2] - 98) < 1e-12, "edges \(short)")
        let early = WindowRecorder.edges(duration: 100, warmup: 2, width: 10)
        #expect(abs(early[1] - 2) < 1e-12 && abs(early[2] - 12) < 1e-12, "edges \(early)")
        for edges in [standard, odd, none, short, early] {
            #expect(zip(edges, edges.dropFirst()).allSatisfy { $0 < $1 }, "edges must increase: \(edges)")
        }
    }

    // MARK: Exact figures

    /// One user: think 1 s, then hold a unit of a pool of 2 while 1 s of work runs on one
    /// core; requests start at 1, 3, 5, 7, 9 and complete at 2, 4, 6, 8, 10.
    static func metronome() -> Model {
        var b = ModelBuilder("metronome")
        b.requestClass("req")
        let cpu = b.cpu("cpu")
        let pool = b.pool("workers", capacity: 2)
        let one = b.sampler(.deterministic(value: 1), stream: "one")
        b.closed(size: 1, think: one, entry: b.program([
            .acquire(pool: pool, on: nil), .use(.cpu(cpu), sampler: one, on: nil), .release(pool: pool, on: nil), .done,
        ]))
        return b.model
    }

    @Test func aDeterministicModelGivesExactWindows() {
        // Windows of 2 s over [0, 10] with a warm-up of 4 s: [0,2) [2,4) [4,6) [6,8) [8,10].
        // An event at an edge counts in the window that starts there; the completion at 10 (the
        // duration) counts in the last one.
        var engine = Engine(model: Self.metronome(), seed: 1, replication: 0, duration: 10, warmup: 4, window: 2)
        let r = engine.run()
        #expect(r.windows.count == 5, "windows: \(r.windows.count)")
        guard r.windows.count == 5 else { return }
        let arrivals: [UInt64] = [1, 1, 1, 1, 1]
        let completions: [UInt64] = [0, 1, 1, 1, 2]
        for (k, w) in r.windows.enumerated() {
            EngineCheck.expectClose(w.start, 2 * Double(k), "window \(k) start")
            EngineCheck.expectClose(w.end, 2 * Double(k) + 2, "window \(k) end")
            #expect(w.arrivals == arrivals[k], "window \(k): \(w.arrivals) arrivals")
            #expect(w.completed == completions[k], "window \(k): \(w.completed) completions")
            #expect(w.errors == 0 && w.timeouts == 0, "window \(k): errors")
            // The core is busy 1 s of every 2: utilization 1/2; the pool of 2 is a quarter used.
            EngineCheck.expectClose(w.cpuBusyArea[0] / (w.width * 1), 0.5, "window \(k) cpu utilization")
            EngineCheck.expectClose(w.poolInUseArea[0] / (w.width * 2), 0.25, "window \(k) pool utilization")
            if w.completed > 0 {
                EngineCheck.expectClose(w.latencyMean, 1, "window \(k) mean latency")
                EngineCheck.expectClose(w.p99, 1, "window \(k) p99")
            } else {
                #expect(w.p99.isNaN && w.latencyMean.isNaN, "window \(k) without completions: p99 \(w.p99)")
            }
        }
        // The measured windows (from the warm-up end) hold exactly what the run measured.
        let measured = r.windows.filter { $0.start >= 4 }
        #expect(measured.reduce(0) { $0 + $1.completed } == r.classes[0].completed, "completions after the warm-up")
        #expect(measured.reduce(0) { $0 + $1.arrivals } == r.classes[0].arrivals, "arrivals after the warm-up")
    }

    @Test func aColdCacheMissesOnceInItsFirstWindow() {
        // One key that never expires: the first lookup misses, every later one hits.
        for seed in UInt64(0)..<5 {
            var engine = Engine(model: EngineWarmupTests.coldCache(keys: 1), seed: seed, replication: 0,
                                duration: 10, warmup: 0, window: 1)
            let r = engine.run()
            let misses = r.windows.map { $0.cacheLookups[0] - $0.cacheHits[0] }
            let first = r.windows.firstIndex { $0.cacheLookups[0] > 0 } ?? -1
            #expect(first >= 0 && misses[first] == 1 && misses.reduce(0, +) == 1,
                    "seed \(seed): misses per window \(misses)")
            #expect(r.windows.reduce(0) { $0 + $1.cacheLookups[0] } == r.caches[0].lookups, "seed \(seed): lookups")
        }
    }

    // MARK: Windows add up to the run

    /// Open arrivals through a TTL cache; misses hold a pool unit while an FCFS CPU works; then
    /// a PS CPU with a capacity (blocking) under a client timeout: every kind of count and area.
    static func busyModel() -> Model {
        var b = ModelBuilder("busy")
        b.model.classes.append(.init(name: "req", timeout: 1))
        let fcfs = b.cpu("fcfs", cores: 1)
        let ps = b.cpu("ps", cores: 2, discipline: .ps, capacity: 4)
        let pool = b.pool("workers", capacity: 3)
        b.model.caches.append(.init(name: "cache", keys: 50, zipf: 0.8, ttl: 5, capacity: nil, streamName: "keys"))
        let fast = b.sampler(.exponential(mean: 0.08), stream: "fast")
        let slow = b.sampler(.lognormal(mean: 0.2, scv: 2), stream: "slow")
        let entry = b.program([
            .lookup(cache: 0, hit: 5, miss: 1),
            .acquire(pool: pool, on: nil), .use(.cpu(fcfs), sampler: fast, on: nil), .release(pool: pool, on: nil),
            .fill(cache: 0),
            .use(.cpu(ps), sampler: slow, on: nil), .done,
        ])
        b.open(rate: 8, entry: entry)
        return b.model
    }

    @Test func measuredWindowsAddUpToTheReplication() {
        for seed in UInt64(1)...4 {
            // A warm-up that is not a whole number of windows, so the first window is partial.
            var engine = Engine(model: Self.busyModel(), seed: seed, replication: 0, duration: 600, warmup: 123.4, window: 17)
            let r = engine.run()
            #expect(r.stoppedEarly == nil, "seed \(seed): \(r.stoppedEarly ?? "")")
            let w = r.windows
            EngineCheck.expectClose(w.first?.start ?? -1, 0, "seed \(seed): first window start")
            EngineCheck.expectClose(w.last?.end ?? -1, 600, "seed \(seed): last window end")
            for (a, b) in zip(w, w.dropFirst()) {
                #expect(a.end.bitPattern == b.start.bitPattern, "seed \(seed): windows not contiguous at \(a.end)")
            }
            #expect(w.contains { abs($0.start - 123.4) < 1e-9 }, "seed \(seed): the warm-up end is no edge")
            let measured = w.filter { $0.start >= 123.4 - 1e-9 }
            let classes = r.classes[0]
            #expect(measured.reduce(0) { $0 + $1.arrivals } == classes.arrivals, "seed \(seed): arrivals")
            #expect(measured.reduce(0) { $0 + $1.completed } == classes.completed, "seed \(seed): completions")
            #expect(measured.reduce(0) { $0 + $1.errors } == classes.errors, "seed \(seed): errors")
            #expect(measured.reduce(0) { $0 + $1.timeouts } == classes.timeouts, "seed \(seed): timeouts")
            #expect(classes.errors > classes.timeouts && classes.timeouts > 0, "seed \(seed): the model must block and time out")
            #expect(measured.reduce(0) { $0 + $1.cacheLookups[0] } == r.caches[0].lookups, "seed \(seed): lookups")
            #expect(measured.reduce(0) { $0 + $1.cacheHits[0] } == r.caches[0].hits, "seed \(seed): hits")
            EngineCheck.expectClose(measured.reduce(0) { $0 + $1.latencySum }, classes.latency.sum, "seed \(seed): latency sum")
            // The time average of the windows' utilizations is the run's utilization.
            for (i, cpu) in Self.busyModel().cpus.enumerated() {
                let average = measured.reduce(0) { $0 + $1.cpuBusyArea[i] / Double(cpu.cores) } / r.measuredTime
                let overall = r.cpus[i].busyArea / (r.measuredTime * Double(cpu.cores))
                EngineCheck.expectClose(average, overall, "seed \(seed): \(cpu.name) utilization")
                #expect(overall > 0.2, "seed \(seed): \(cpu.name) is idle")
            }
            let poolAverage = measured.reduce(0) { $0 + $1.poolInUseArea[0] } / r.measuredTime
            EngineCheck.expectClose(poolAverage, r.pools[0].inUseArea / r.measuredTime, "seed \(seed): pool utilization")
            // Whatever the window, the whole run's counts are the same.
            var coarse = Engine(model: Self.busyModel(), seed: seed, replication: 0, duration: 600, warmup: 123.4, window: 200)
            let c = coarse.run()
            #expect(c.windows.reduce(0) { $0 + $1.arrivals } == w.reduce(0) { $0 + $1.arrivals }, "seed \(seed): arrivals")
            #expect(c.windows.reduce(0) { $0 + $1.completed } == w.reduce(0) { $0 + $1.completed }, "seed \(seed): completions")
        }
    }

    @Test func windowsChangeNoFigureOfTheRun() {
        // The edges only read state: a run's figures are bit for bit the same whatever the window.
        for seed in UInt64(1)...3 {
            var fine = Engine(model: Self.busyModel(), seed: seed, replication: 0, duration: 300, warmup: 30, window: 0.1)
            var coarse = Engine(model: Self.busyModel(), seed: seed, replication: 0, duration: 300, warmup: 30, window: 300)
            let a = fine.run(), b = coarse.run()
            #expect(a.windows.count == 3_000 && b.windows.count == 2, "seed \(seed): \(a.windows.count) and \(b.windows.count) windows")
            #expect(a.events == b.events, "seed \(seed): events \(a.events) vs \(b.events)")
            #expect(a.classes[0].completed == b.classes[0].completed && a.classes[0].errors == b.classes[0].errors,
                    "seed \(seed): counts differ")
            #expect(a.classes[0].latency.sum.bitPattern == b.classes[0].latency.sum.bitPattern, "seed \(seed): latency sum differs")
            for i in a.cpus.indices {
                #expect(a.cpus[i].busyArea.bitPattern == b.cpus[i].busyArea.bitPattern, "seed \(seed): cpu \(i) busy area differs")
                #expect(a.cpus[i].queueArea.bitPattern == b.cpus[i].queueArea.bitPattern, "seed \(seed): cpu \(i) queue area differs")
            }
            #expect(a.pools[0].inUseArea.bitPattern == b.pools[0].inUseArea.bitPattern, "seed \(seed): pool area differs")
        }
    }

    @Test func oneWindowHasTheReplicationsP99() {
        // The window histogram has the report histogram's bins and percentile rule.
        for seed in UInt64(1)...5 {
            var engine = Engine(model: Self.busyModel(), seed: seed, replication: 0, duration: 500, warmup: 0, window: 500)
            let r = engine.run()
            #expect(r.windows.count == 1, "seed \(seed): \(r.windows.count) windows")
            let p99 = r.classes[0].latency.percentile(99)
            EngineCheck.expectClose(r.windows[0].p99, p99, tolerance: 1e-12, "seed \(seed): window p99")
            EngineCheck.expectClose(r.windows[0].latencyMean, r.classes[0].latency.mean, "seed \(seed): window mean")
        }
    }

    @Test func windowHistogramMatchesTheHDRPercentiles() {
        // Random latencies over six decades: the same value at every percentile as the HDR
        // histogram of LatencyRecorder, and empty again after `clear`.
        for seed in UInt64(0)..<20 {
            var generator = SplitMix(seed: seed)
            var window = WindowHistogram()
            for round in 0..<2 {
                var reference = LatencyRecorder()
                let n = 1 + Int(generator.next() % 3_000)
                for _ in 0..<n {
                    let seconds = pow(10, -6 + 6 * Double(generator.next() % 1_000_000) / 1e6)
                    reference.record(seconds)
                    window.record(LatencyRecorder.microseconds(seconds))
                }
                #expect(window.count == UInt64(n), "seed \(seed) round \(round): count \(window.count) of \(n)")
                for p in [1.0, 50, 90, 99, 99.9] {
                    let expected = UInt64((reference.percentile(p) * 1e6).rounded())
                    #expect(window.value(atPercentile: p) == expected,
                            "seed \(seed) round \(round): p\(p) \(window.value(atPercentile: p) ?? 0) µs, HDR \(expected) µs")
                }
                window.clear()
                #expect(window.isEmpty && window.value(atPercentile: 99) == nil, "seed \(seed): not empty after clear")
            }
        }
    }

    @Test func aRunThatStopsEarlyEndsItsLastWindowThere() {
        let seed: UInt64 = 402
        var engine = Engine(model: EngineLimitsTests.mm1(rate: 500), seed: seed, replication: 0, duration: 100, warmup: 0,
                            limits: EngineLimits(maxEvents: 20_000), window: 1)
        let r = engine.run()
        #expect(r.stoppedEarly != nil, "seed \(seed): the budget was not reached")
        #expect(r.windows.count > 5 && r.windows.count < 100, "seed \(seed): \(r.windows.count) windows")
        EngineCheck.expectClose(r.windows.last?.end ?? -1, r.measuredTime, "seed \(seed): the last window ends at the stop")
        #expect(r.windows.reduce(0) { $0 + $1.completed } == r.classes[0].completed, "seed \(seed): completions")
    }
}

/// A tiny seeded generator for test data (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
