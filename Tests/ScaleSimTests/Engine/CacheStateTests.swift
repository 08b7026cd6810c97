import Testing
@testable import ScaleSim

/// `CacheState` driven directly (the engine draws keys at random, so exact sequences are set
/// up here): LRU order, TTL boundaries, refresh on fill, lazy expiry.
@Suite struct EngineCacheStateTests {
    /// A `CacheState` in a box, so that its mutating calls can sit inside `#expect`.
    final class Box {
        var state: CacheState
        init(_ state: CacheState) { self.state = state }
        func lookup(_ key: Int, now: Double) -> Bool { state.lookup(key, now: now) }
        func fill(_ key: Int, now: Double) { state.fill(key, now: now) }
        var size: Int { state.size }
        var head: Int32 { state.head }
        var tail: Int32 { state.tail }
        var expiry: [Double] { state.expiry }
    }

    static func cache(keys: Int, ttl: Double?, capacity: Int?) -> Box {
        Box(CacheState(.init(name: "c", keys: keys, zipf: 0, ttl: ttl, capacity: capacity, streamName: "test:cache"),
                       stream: RandomStream(seed: 1, name: "test:cache", replication: 0)))
    }

    /// The keys in the LRU list, most recently used first.
    static func lruOrder(_ box: Box) -> [Int] {
        let c = box.state
        var order: [Int] = []
        var k = c.head
        while k >= 0 && order.count <= c.expiry.count {
            order.append(Int(k))
            k = c.next[Int(k)]
        }
        return order
    }

    @Test func fillLookupAndEvictTheLeastRecentlyUsed() {
        let c = Self.cache(keys: 3, ttl: nil, capacity: 2)
        #expect(!c.lookup(0, now: 0), "an empty cache misses")
        c.fill(0, now: 0)
        c.fill(1, now: 1)
        #expect(Self.lruOrder(c) == [1, 0])
        #expect(c.lookup(0, now: 2), "0 was filled")
        #expect(Self.lruOrder(c) == [0, 1], "a hit makes 0 the most recently used")
        c.fill(2, now: 3)   // full: evicts 1, the least recently used
        #expect(c.size == 2)
        #expect(Self.lruOrder(c) == [2, 0])
        #expect(!c.lookup(1, now: 4), "1 was evicted")
        #expect(c.lookup(0, now: 4) && c.lookup(2, now: 4))
        #expect(Self.lruOrder(c) == [2, 0], "lookup order 0 then 2 leaves 2 most recent")
        #expect(c.tail == 0 && c.head == 2)
        // Filling an evicted key again evicts the new least recently used (0).
        c.fill(1, now: 5)
        #expect(Self.lruOrder(c) == [1, 2])
        #expect(!c.lookup(0, now: 5) && c.lookup(1, now: 5) && c.lookup(2, now: 5))
        #expect(c.size == 2)
    }

    @Test func refreshOnFillMovesToFrontWithoutGrowing() {
        let c = Self.cache(keys: 3, ttl: nil, capacity: 2)
        c.fill(0, now: 0)
        c.fill(1, now: 1)
        c.fill(0, now: 2)   // refresh: 0 becomes most recent, size stays 2
        #expect(c.size == 2)
        #expect(Self.lruOrder(c) == [0, 1])
        c.fill(2, now: 3)   // evicts 1, not 0
        #expect(c.lookup(0, now: 4))
        #expect(!c.lookup(1, now: 4))
    }

    @Test func ttlExpiresExactlyAtTheBoundary() {
        let c = Self.cache(keys: 2, ttl: 30, capacity: nil)
        c.fill(0, now: 10)                   // expires at 40
        #expect(c.lookup(0, now: 10), "fresh at insertion")
        #expect(c.lookup(0, now: 39.999_999), "just before expiry")
        #expect(c.lookup(0, now: 40.0.nextDown), "one ulp before expiry")
        #expect(!c.lookup(0, now: 40), "expiry > now is a hit, so now == expiry is a miss")
        #expect(!c.lookup(0, now: 41))
        #expect(!c.lookup(1, now: 0), "never filled")
        // A hit does not extend the TTL (entries expire T after insertion)...
        c.fill(1, now: 0)
        #expect(c.lookup(1, now: 29))
        #expect(!c.lookup(1, now: 30))
        // ...a fill does.
        c.fill(0, now: 50)
        #expect(c.lookup(0, now: 79.5))
        c.fill(0, now: 70)
        #expect(c.lookup(0, now: 99.5), "refreshed at 70, expires at 100")
        #expect(!c.lookup(0, now: 100))
    }

    @Test func expiredKeyIsAMissAndKeepsItsLRUPlace() {
        let c = Self.cache(keys: 4, ttl: 10, capacity: 2)
        c.fill(0, now: 0)     // expires 10
        c.fill(1, now: 5)     // expires 15
        #expect(!c.lookup(0, now: 12), "0 expired")
        #expect(Self.lruOrder(c) == [1, 0], "a miss does not move the entry")
        #expect(c.lookup(1, now: 12))
        c.fill(2, now: 12)    // full: the expired 0 is the least recently used
        #expect(Self.lruOrder(c) == [2, 1])
        #expect(c.expiry[0] == -.infinity)
        c.fill(0, now: 13)    // refill of the evicted key: evicts 1
        #expect(Self.lruOrder(c) == [0, 2])
        #expect(c.lookup(0, now: 22.5), "refilled at 13, expires 23")
        #expect(!c.lookup(1, now: 13))
    }

    /// The reference: a dictionary of expiry times and a recency list, most recent first.
    struct ReferenceCache {
        var expiry: [Int: Double] = [:]
        var order: [Int] = []
        let ttl: Double
        let capacity: Int?

        mutating func lookup(_ key: Int, now: Double) -> Bool {
            guard let e = expiry[key], e > now else { return false }
            if capacity != nil, let i = order.firstIndex(of: key) {
                order.remove(at: i)
                order.insert(key, at: 0)
            }
            return true
        }

        mutating func fill(_ key: Int, now: Double) {
            expiry[key] = now + ttl
            guard let capacity else { return }
            if let i = order.firstIndex(of: key) { order.remove(at: i) }
            order.insert(key, at: 0)
            if order.count > capacity { expiry[order.removeLast()] = nil }
        }
    }

    @Test func randomOperationsMatchTheReference() {
        for seed in EngineQueuePropertyTests.seeds {
            let rng = RandomStream(seed: seed, name: "test:cache:ops", replication: 0)
            let keys = 1 + rng.uniformInt(8)
            let capacity: Int? = rng.uniform() < 0.8 ? 1 + rng.uniformInt(keys) : nil
            let ttl: Double? = rng.uniform() < 0.7 ? Double(1 + rng.uniformInt(4)) * 0.5 : nil
            let c = Self.cache(keys: keys, ttl: ttl, capacity: capacity)
            var reference = ReferenceCache(ttl: ttl ?? .infinity, capacity: capacity)
            var now = 0.0
            for step in 0..<(1 + rng.uniformInt(300)) {
                // Time on a grid of 1/4 so that lookups land exactly on expiry boundaries.
                now += Double(rng.uniformInt(3)) * 0.25
                let key = rng.uniformInt(keys)
                let context = "seed \(seed) step \(step) keys \(keys) capacity \(String(describing: capacity)) ttl \(String(describing: ttl))"
                if rng.uniform() < 0.5 {
                    let got = c.lookup(key, now: now)
                    let expected = reference.lookup(key, now: now)
                    if got != expected {
                        Issue.record("\(context): lookup(\(key), \(now)) = \(got), reference \(expected)")
                        break
                    }
                } else {
                    c.fill(key, now: now)
                    reference.fill(key, now: now)
                }
                if capacity != nil {
                    if Self.lruOrder(c) != reference.order || c.size != reference.order.count {
                        Issue.record("\(context): LRU \(Self.lruOrder(c)) size \(c.size), reference \(reference.order)")
                        break
                    }
                }
                let cached = Set((0..<keys).filter { c.expiry[$0] != -.infinity })
                if cached != Set(reference.expiry.keys) {
                    Issue.record("\(context): cached keys \(cached.sorted()), reference \(reference.expiry.keys.sorted())")
                    break
                }
            }
        }
    }
}
