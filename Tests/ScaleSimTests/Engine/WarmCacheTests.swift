import Testing
@testable import ScaleSim

/// Caches that start in their steady state (`Model.Cache.warmLookupRate`): measured from time
/// 0 with no warm-up, their hit ratio is already the formula's, where a cold cache's is not.
@Suite struct EngineWarmCacheTests {
    static func cacheModel(ttl: Double?, capacity: Int?, rate: Double, warm: Bool) -> Model {
        var b = ModelBuilder("warm \(warm) ttl \(ttl ?? -1) capacity \(capacity ?? -1)")
        b.requestClass("req")
        b.model.caches.append(.init(name: "cache", keys: 5_000, zipf: 0.8, ttl: ttl, capacity: capacity,
                                    streamName: "keys", warmLookupRate: warm ? rate : nil))
        // lookup: a hit ends the request; a miss fills the key.
        let entry = b.program([.lookup(cache: 0, hit: 2, miss: 1), .fill(cache: 0), .done])
        b.open(rate: rate, entry: entry)
        return b.model
    }

    /// (TTL, capacity): TTL only, LRU only, both (-1 = none).
    @Test(arguments: [(60.0, -1), (-1, 2_000), (600, 2_000)])
    func aWarmCacheStartsAtItsSteadyState(ttlOrNone: Double, capacityOrNone: Int) {
        let ttl = ttlOrNone < 0 ? nil : ttlOrNone, capacity = capacityOrNone < 0 ? nil : capacityOrNone
        let seed: UInt64 = 31
        let rate = 100.0
        let p = Self.cacheModel(ttl: ttl, capacity: capacity, rate: rate, warm: true).caches[0].keyProbabilities
        let theory: Double
        switch (ttl, capacity) {
        case let (ttl?, nil): theory = CacheFormulas.ttlHitRatio(popularity: p, arrivalRate: rate, ttl: ttl)
        case let (nil, capacity?): theory = CacheFormulas.lruHitRatio(popularity: p, capacity: capacity)
        case let (ttl?, capacity?): theory = CacheFormulas.ttlLRUHitRatio(popularity: p, arrivalRate: rate, ttl: ttl, capacity: capacity)
        default: theory = 1
        }
        let hit = { (r: ReplicationResult) in Double(r.caches[0].hits) / Double(r.caches[0].lookups) }
        // A short run from time 0: 30 s is half the TTL, and the cache sees 3,000 lookups over 5,000 keys.
        let warm = EngineCheck.replicate(Self.cacheModel(ttl: ttl, capacity: capacity, rate: rate, warm: true),
                                         seed: seed, duration: 30, warmup: 0, replications: 20)
        EngineCheck.expect(EngineCheck.estimate(warm, hit), theory, slack: 0.02, "warm hit ratio", seed: seed)
        let cold = EngineCheck.replicate(Self.cacheModel(ttl: ttl, capacity: capacity, rate: rate, warm: false),
                                         seed: seed, duration: 30, warmup: 0, replications: 20)
        let coldHit = EngineCheck.estimate(cold, hit).mean
        #expect(coldHit < theory - 0.1, "cold hit ratio \(coldHit), steady state \(theory) (seed \(seed))")
    }
}
