import Foundation
import Testing
@testable import ScaleSim

/// What a replication measures after its warm-up, and how it stops at its limits.
@Suite struct EngineWarmupTests {
    /// One user: think 1 s, then 1 s at a delay centre; requests at 1, 3, 5, ... end at 2, 4, 6, ...
    static func metronome() -> Model {
        var b = ModelBuilder("metronome")
        b.requestClass("req")
        let net = b.delay("net")
        let one = b.sampler(.deterministic(value: 1), stream: "one")
        b.closed(size: 1, think: one, entry: b.program([.use(.delay(net), sampler: one, on: nil), .done]))
        return b.model
    }

    @Test func statisticsStartAtTheEndOfTheWarmup() {
        // Warm-up 4, duration 10: the warm-up end (scheduled first) precedes the completion at
        // 4, so completions at 4, 6, 8, 10 count; arrivals at 5, 7, 9; the delay is occupied
        // during [5,6], [7,8], [9,10] of the measured [4, 10].
        var engine = Engine(model: Self.metronome(), seed: 1, replication: 0, duration: 10, warmup: 4)
        let r = engine.run()
        #expect(r.stoppedEarly == nil)
        EngineCheck.expectClose(r.measuredTime, 6, "measured time = duration - warm-up")
        #expect(r.classes[0].completed == 4, "completions after warm-up: \(r.classes[0].completed)")
        #expect(r.classes[0].arrivals == 3, "arrivals after warm-up: \(r.classes[0].arrivals)")
        #expect(r.delays[0].completions == 4 && r.delays[0].arrivals == 3)
        EngineCheck.expectClose(r.delays[0].inStationArea, 3, "delay occupancy after warm-up")
        EngineCheck.expectClose(r.classes[0].latency.mean, 1, "latency")
    }

    @Test func warmupZeroMeasuresEverything() {
        var engine = Engine(model: Self.metronome(), seed: 1, replication: 0, duration: 10, warmup: 0)
        let r = engine.run()
        EngineCheck.expectClose(r.measuredTime, 10, "measured time without warm-up")
        #expect(r.classes[0].completed == 5 && r.classes[0].arrivals == 5,
                "completed \(r.classes[0].completed), arrivals \(r.classes[0].arrivals)")
        EngineCheck.expectClose(r.delays[0].inStationArea, 5, "delay occupancy")
        #expect(r.events == 10, "5 think ends and 5 completions: \(r.events) events")
    }

    /// A cold cache of `keys` keys that never expire: every key misses exactly once, then hits.
    static func coldCache(keys: Int) -> Model {
        var b = ModelBuilder("cold cache")
        b.requestClass("req")
        b.model.caches.append(.init(name: "cache", keys: keys, zipf: 0, ttl: nil, capacity: nil, streamName: "keys"))
        // 0: lookup (hit -> 2, miss -> 1); 1: fill; 2: done.
        let entry = b.program([.lookup(cache: 0, hit: 2, miss: 1), .fill(cache: 0), .done])
        b.open(rate: 100, entry: entry)
        return b.model
    }

    @Test func coldStartIsDroppedWithTheWarmup() {
        for seed in UInt64(0)..<10 {
            // Without warm-up the first lookup of each key is a miss: exactly `keys` misses.
            var cold = Engine(model: Self.coldCache(keys: 10), seed: seed, replication: 0, duration: 50, warmup: 0)
            let all = cold.run()
            #expect(all.caches[0].lookups - all.caches[0].hits == 10,
                    "seed \(seed): \(all.caches[0].lookups - all.caches[0].hits) misses without warm-up")
            // With 10 s of warm-up (about 100 lookups per key) every key is in: only hits.
            var warm = Engine(model: Self.coldCache(keys: 10), seed: seed, replication: 0, duration: 50, warmup: 10)
            let measured = warm.run()
            #expect(measured.caches[0].hits == measured.caches[0].lookups,
                    "seed \(seed): \(measured.caches[0].lookups - measured.caches[0].hits) misses after warm-up")
            EngineCheck.expectClose(measured.measuredTime, 40, "seed \(seed): measured time")
            // Poisson(100 × 40) arrivals: within 5 standard deviations.
            let arrivals = Double(measured.classes[0].arrivals)
            #expect(abs(arrivals - 4_000) < 5 * 4_000.0.squareRoot(), "seed \(seed): \(arrivals) arrivals in 40 s")
            #expect(measured.caches[0].lookups == measured.classes[0].arrivals, "seed \(seed): one lookup per request")
            // Same seed, same arrivals: the warm run saw the same requests, minus the warm-up.
            #expect(all.classes[0].arrivals > measured.classes[0].arrivals, "seed \(seed): the warm-up drops arrivals")
        }
    }

    @Test func utilizationIsMeasuredOverTheMeasuredTimeOnly() {
        // M/M/1 at ρ = 0.5 whose replications all start empty: utilization over the measured
        // time, however long the warm-up, matches ρ; and measuredTime = duration - warmup.
        let seed: UInt64 = 301
        var b = ModelBuilder("mm1")
        b.requestClass("req")
        let cpu = b.cpu("cpu")
        let service = b.sampler(.exponential(mean: 1), stream: "service")
        b.open(rate: 0.5, entry: b.program([.use(.cpu(cpu), sampler: service, on: nil), .done]))
        for warmup in [0.0, 1_234.5] {
            let results = EngineCheck.replicate(b.model, seed: seed, duration: 10_000, warmup: warmup)
            for r in results { EngineCheck.expectClose(r.measuredTime, 10_000 - warmup, "measured time (warm-up \(warmup))") }
            EngineCheck.expect(EngineCheck.estimate(results) { $0.cpus[0].busyArea / $0.measuredTime }, 0.5,
                               slack: 0.01, "utilization with warm-up \(warmup)", seed: seed)
            EngineCheck.expect(EngineCheck.estimate(results) { Double($0.classes[0].arrivals) / $0.measuredTime }, 0.5,
                               slack: 0.01, "arrival rate with warm-up \(warmup)", seed: seed)
        }
    }
}

@Suite struct EngineLimitsTests {
    /// M/M/1 with service rate 1000/s.
    static func mm1(rate: Double) -> Model {
        var b = ModelBuilder("mm1 at \(rate)")
        b.requestClass("req")
        let cpu = b.cpu("cpu")
        let service = b.sampler(.exponential(mean: 0.001), stream: "service")
        b.open(rate: rate, entry: b.program([.use(.cpu(cpu), sampler: service, on: nil), .done]))
        return b.model
    }

    @Test func overloadStopsAtMaxInFlightQuickly() {
        // Arrivals at twice the capacity: the backlog grows by about 1000 per second, so 10,000
        // in flight are reached after about 10 s of a 10^6 s run.
        let seed: UInt64 = 401
        let limits = EngineLimits(maxInFlight: 10_000)
        let clock = ContinuousClock()
        let start = clock.now
        var engine = Engine(model: Self.mm1(rate: 2_000), seed: seed, replication: 0, duration: 1_000_000,
                            warmup: 1, limits: limits)
        let r = engine.run()
        let elapsed = clock.now - start
        let message = r.stoppedEarly ?? ""
        #expect(message.contains("overloaded") && message.contains("10000"), "seed \(seed): stoppedEarly = \(message)")
        #expect(elapsed < .seconds(5), "seed \(seed): stopping took \(elapsed)")
        #expect(r.events < 100_000, "seed \(seed): \(r.events) events before stopping")
        #expect(r.measuredTime > 5 && r.measuredTime < 20, "seed \(seed): measured \(r.measuredTime) s")
        // Memory follows the requests in flight: the slab, the CPU queue and the event list.
        #expect(engine.inFlight == limits.maxInFlight + 1, "seed \(seed): \(engine.inFlight) in flight")
        #expect(engine.requests.count <= limits.maxInFlight + 1, "seed \(seed): \(engine.requests.count) request slots")
        #expect(engine.cpus[0].waiting.buffer.count <= 2 * limits.maxInFlight, "seed \(seed): FIFO of \(engine.cpus[0].waiting.buffer.count)")
        #expect(engine.queue.count <= 3, "seed \(seed): \(engine.queue.count) pending events")

        // Through the runner: every replication stops, none hangs.
        let results = Simulation.run(Self.mm1(rate: 2_000), seed: seed,
                                     run: RunSettings(duration: 1_000_000, warmup: 0, replications: 4, confidence: 0.99),
                                     jobs: 2, limits: limits)
        for (i, result) in results.enumerated() {
            #expect(result.stoppedEarly?.contains("overloaded") == true, "seed \(seed) replication \(i): \(result.stoppedEarly ?? "nil")")
        }
    }

    @Test func maxEventsStopsAtTheBudget() {
        let seed: UInt64 = 402
        for budget: UInt64 in [1, 2, 12_345] {
            var engine = Engine(model: Self.mm1(rate: 500), seed: seed, replication: 0, duration: 1_000_000, warmup: 0,
                                limits: EngineLimits(maxEvents: budget))
            let r = engine.run()
            #expect(r.events == budget, "seed \(seed): \(r.events) events for a budget of \(budget)")
            #expect(r.stoppedEarly?.contains("event budget") == true, "seed \(seed): \(r.stoppedEarly ?? "nil")")
            #expect(r.measuredTime < 1_000_000, "seed \(seed): measured \(r.measuredTime) s")
        }
        // A budget the run does not reach changes nothing.
        var free = Engine(model: Self.mm1(rate: 500), seed: seed, replication: 0, duration: 10, warmup: 0)
        var capped = Engine(model: Self.mm1(rate: 500), seed: seed, replication: 0, duration: 10, warmup: 0,
                            limits: EngineLimits(maxEvents: 1_000_000))
        let a = free.run(), b = capped.run()
        #expect(b.stoppedEarly == nil, "seed \(seed): \(b.stoppedEarly ?? "")")
        #expect(a.events == b.events && a.classes[0].completed == b.classes[0].completed, "seed \(seed): an unreached budget changed the run")
    }
}
