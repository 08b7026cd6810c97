import Foundation

/// Key-level cache state: an expiry time per key and, with a capacity, an LRU list.
///
/// Entries expire lazily: an entry whose expiry has passed is a miss when looked up (as
/// Redis does on access). With a capacity, expired entries keep their place in the LRU list
/// until they are filled again or evicted.
struct CacheState {
    /// When each key's entry expires; `-infinity` when the key is not cached.
    var expiry: [Double]
    let ttl: Double
    let capacity: Int
    var size = 0
    /// LRU list through the keys: `previous`/`next` key, -1 at the ends; -2 = not in the list.
    var previous: [Int32]
    var next: [Int32]
    var head: Int32 = -1
    var tail: Int32 = -1
    let keys: ZipfKeySampler
    let stream: RandomStream
    /// Lookups and hits since the warm-up (kept here: one array access per update).
    var stats = ReplicationResult.CacheResult()

    init(_ cache: Model.Cache, stream: RandomStream) {
        expiry = Array(repeating: -.infinity, count: cache.keys)
        ttl = cache.ttl ?? .infinity
        capacity = cache.capacity ?? Int.max
        if cache.capacity != nil {
            previous = Array(repeating: -2, count: cache.keys)
            next = Array(repeating: -2, count: cache.keys)
        } else {
            previous = []
            next = []
        }
        keys = cache.hotShares.isEmpty ? ZipfKeySampler(keys: cache.keys, exponent: cache.zipf)
            : ZipfKeySampler(probabilities: cache.keyProbabilities)
        self.stream = stream
    }

    var bounded: Bool { capacity != Int.max }

    @inline(__always)
    func drawKey() -> Int { keys.next(stream) }

    /// Whether `key` is cached and fresh at `now`; a hit makes it the most recently used.
    @inline(__always)
    mutating func lookup(_ key: Int, now: Double) -> Bool {
        guard expiry[key] > now else { return false }
        if bounded { moveToFront(Int32(key)) }
        return true
    }

    /// Inserts (or refreshes) `key`; it expires `ttl` from `now`. A full cache evicts its
    /// least recently used entry.
    mutating func fill(_ key: Int, now: Double) {
        expiry[key] = now + ttl
        guard bounded else { return }
        let k = Int32(key)
        if previous[key] != -2 {
            moveToFront(k)
            return
        }
        pushFront(k)
        size += 1
        if size > capacity {
            let victim = tail
            unlink(victim)
            expiry[Int(victim)] = -.infinity
            size -= 1
        }
    }

    /// Fills the empty cache with its steady state at `lookupRate` lookups per second (see
    /// `Model.Cache.warmLookupRate`), at time 0.
    ///
    /// Key i is present with its steady-state probability (`CacheFormulas.ttlLRUKeyHitProbability`:
    /// the TTL formula, capped by Che's characteristic time when the capacity binds), with a
    /// remaining lifetime uniform over the TTL; with a capacity, the LRU order follows a time
    /// since the last request drawn from the key's rate (exponential), most recent first.
    mutating func warm(lookupRate: Double, probabilities p: [Double], groups: CacheFormulas.KeyGroups, stream: RandomStream) {
        guard lookupRate > 0 else { return }
        let draw = BorrowedStream(stream)
        let t = bounded ? CacheFormulas.ttlLRUCharacteristicTime(groups, arrivalRate: lookupRate, ttl: ttl, capacity: capacity)
            : nil
        var present: [(key: Int, expiry: Double, sinceLast: Double)] = []
        for key in p.indices {
            let rate = lookupRate * p[key]
            let probability = CacheFormulas.ttlLRUKeyHitProbability(rate: rate, ttl: ttl, characteristicTime: t)
            guard draw.uniform() < probability else { continue }
            let expiry = ttl.isInfinite ? Double.infinity : draw.uniform() * ttl
            let sinceLast = bounded ? -log(draw.uniformPositive()) / rate : 0
            present.append((key, expiry, sinceLast))
        }
        if bounded {
            // Most recent first (ties by key: the order never depends on the sort's internals),
            // at most `capacity` entries; then pushed least recent first.
            present.sort { $0.sinceLast != $1.sinceLast ? $0.sinceLast < $1.sinceLast : $0.key < $1.key }
            if present.count > capacity { present.removeLast(present.count - capacity) }
        }
        for entry in present.reversed() {
            expiry[entry.key] = entry.expiry
            if bounded {
                pushFront(Int32(entry.key))
                size += 1
            }
        }
    }

    private mutating func unlink(_ k: Int32) {
        let p = previous[Int(k)], n = next[Int(k)]
        if p >= 0 { next[Int(p)] = n } else { head = n }
        if n >= 0 { previous[Int(n)] = p } else { tail = p }
        previous[Int(k)] = -2
        next[Int(k)] = -2
    }

    private mutating func pushFront(_ k: Int32) {
        previous[Int(k)] = -1
        next[Int(k)] = head
        if head >= 0 { previous[Int(head)] = k } else { tail = k }
        head = k
    }

    private mutating func moveToFront(_ k: Int32) {
        guard head != k else { return }
        unlink(k)
        pushFront(k)
    }
}

/// Picks an instance for each request by the router's policy, counting the requests each
/// instance holds between `route` and `leave` (for least connections and power of two).
struct RouterState {
    let policy: Model.Router.Policy
    var active: [Int32]
    var nextRoundRobin = 0
    let stream: RandomStream
    /// Picks per instance since the warm-up.
    var stats: ReplicationResult.RouterResult

    init(_ router: Model.Router, stream: RandomStream) {
        policy = router.policy
        active = Array(repeating: 0, count: router.instances)
        stats = .init(picks: Array(repeating: 0, count: router.instances))
        self.stream = stream
    }

    /// The chosen instance. Every choice is a function of the stream and the counts, so runs
    /// repeat exactly.
    mutating func pick() -> Int {
        let n = active.count
        let chosen: Int
        switch policy {
        case .random:
            chosen = stream.uniformInt(n)
        case .roundRobin:
            chosen = nextRoundRobin
            nextRoundRobin = (nextRoundRobin + 1) % n
        case .leastConnections:
            // Ties go round robin (as nginx least_conn and HAProxy leastconn do): scanning from
            // a rotating start keeps low-numbered instances from taking every tie.
            var best = nextRoundRobin
            for k in 1..<n {
                let i = (nextRoundRobin + k) % n
                if active[i] < active[best] { best = i }
            }
            chosen = best
            nextRoundRobin = (best + 1) % n
        case .powerOfTwo:
            if n == 1 {
                chosen = 0
            } else {
                let a = stream.uniformInt(n)
                var b = stream.uniformInt(n - 1)
                if b >= a { b += 1 }
                // On a tie the first draw wins; it is itself uniform, so no instance is favoured.
                chosen = active[b] < active[a] ? b : a
            }
        }
        active[chosen] += 1
        stats.picks[chosen] += 1
        return chosen
    }
}
