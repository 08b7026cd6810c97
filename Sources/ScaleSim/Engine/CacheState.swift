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
    /// A miss needs more than the default path: coalescing, hot keys to count, or nodes down.
    let special: Bool
    let coalesce: Bool
    /// Keys below this are hot (their misses are counted).
    let hotKeys: Int
    let flash: Model.FlashCrowd?
    /// Nodes of the cache for faults (key k on node k % nodes), and which are down.
    var nodes = 1
    var nodeDown: [Bool] = [false]
    var nodesDown = 0
    /// Coalescing: per key whose fill is under way, the first request waiting for it (-1: none yet).
    var pendingFills: [Int32: Int32] = [:]

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
        coalesce = cache.coalesce
        hotKeys = cache.hotShares.count
        flash = cache.flash
        special = cache.coalesce || hotKeys > 0 || cache.flash != nil
    }

    /// Lays out the cache over `count` nodes (faults take one node's keys); the largest
    /// `nodes` of any `CachePart` of this cache.
    mutating func setNodes(_ count: Int) {
        nodes = max(nodes, count)
        nodeDown = Array(repeating: false, count: nodes)
    }

    /// Node `node` goes down (emptied: its keys miss until it is back and filled again) or
    /// comes back.
    mutating func setNode(_ node: Int, down: Bool) {
        guard nodeDown[node] != down else { return }
        nodeDown[node] = down
        nodesDown += down ? 1 : -1
        guard down else { return }
        for key in stride(from: node, to: expiry.count, by: nodes) where expiry[key] != -.infinity {
            expiry[key] = -.infinity
            if bounded && previous[key] != -2 {
                unlink(Int32(key))
                size -= 1
            }
        }
    }

    /// Whether `key` is on a node that is down.
    @inline(__always)
    func isDown(_ key: Int) -> Bool { nodesDown > 0 && nodeDown[key % nodes] }

    /// Whether a miss of `key` counts as a hot key's.
    @inline(__always)
    func isHot(_ key: Int) -> Bool { key < hotKeys || key == flash?.key }

    var bounded: Bool { capacity != Int.max }

    /// The key of a lookup at `now`: during a flash crowd its key with its share, otherwise
    /// from the popularity.
    @inline(__always)
    func drawKey(now: Double) -> Int {
        if let flash, now >= flash.from, now < flash.until ?? .infinity, stream.uniform() < flash.share {
            return flash.key
        }
        return keys.next(stream)
    }

    /// Whether `key` is cached and fresh at `now`; a hit makes it the most recently used.
    @inline(__always)
    mutating func lookup(_ key: Int, now: Double) -> Bool {
        guard expiry[key] > now, !isDown(key) else { return false }
        if bounded { moveToFront(Int32(key)) }
        return true
    }

    /// Inserts (or refreshes) `key`; it expires `ttl` from `now`. A full cache evicts its
    /// least recently used entry.
    mutating func fill(_ key: Int, now: Double) {
        guard !isDown(key) else { return }
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

    mutating func unlink(_ k: Int32) {
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
    /// The instances that take traffic (running, and healthy to the load balancer's checks),
    /// in increasing order; every instance when nothing changes.
    var rotation: [Int32]
    var inRotation: [Bool]
    /// Instances running (in rotation or not, or being provisioned): what is paid for.
    var running: Int
    var lastChange: Double = 0
    /// Picks since the autoscaler last looked (never reset by the warm-up).
    var picksSinceEvaluation: UInt64 = 0
    let keyPlacement: Model.KeyPlacement?
    /// Per group, the next instance to try within it (`pick(within:of:)`).
    var groupNext: [Int] = []

    init(_ router: Model.Router, stream: RandomStream) {
        policy = router.policy
        keyPlacement = router.keyPlacement
        active = Array(repeating: 0, count: router.instances)
        stats = .init(picks: Array(repeating: 0, count: router.instances))
        self.stream = stream
        let initial = router.autoscaling?.initial ?? router.instances
        rotation = (0..<initial).map(Int32.init)
        inRotation = (0..<router.instances).map { $0 < initial }
        running = initial
        stats.maximumInService = initial
    }

    /// Adds the time since the last change to the instance areas.
    mutating func account(until time: Double) {
        let dt = time - lastChange
        if dt > 0 {
            stats.instanceArea += dt * Double(rotation.count)
            stats.runningArea += dt * Double(running)
        }
        lastChange = time
    }

    /// Zeroes what was measured (the warm-up ended); the instances stay as they are.
    mutating func restartStatistics() {
        stats = .init(picks: Array(repeating: 0, count: active.count), maximumInService: rotation.count)
    }

    /// Puts `instance` in rotation or takes it out; the caller accounts first.
    mutating func setInRotation(_ instance: Int, _ on: Bool) {
        guard inRotation[instance] != on else { return }
        inRotation[instance] = on
        rotation = inRotation.indices.filter { inRotation[$0] }.map(Int32.init)
        stats.maximumInService = max(stats.maximumInService, rotation.count)
    }

    /// The chosen instance among those in rotation, or -1 when none is. Every choice is a
    /// function of the stream and the counts, so runs repeat exactly; with every instance in
    /// rotation the choices are those of a fixed set of instances.
    mutating func pick() -> Int {
        let n = active.count
        let k = rotation.count
        guard k > 0 else { return -1 }
        let chosen: Int
        switch policy {
        case .random:
            chosen = Int(rotation[stream.uniformInt(k)])
        case .roundRobin:
            var i = nextRoundRobin
            while !inRotation[i] { i = (i + 1) % n }
            chosen = i
            nextRoundRobin = (i + 1) % n
        case .leastConnections:
            // Ties go round robin (as nginx least_conn and HAProxy leastconn do): scanning from
            // a rotating start keeps low-numbered instances from taking every tie.
            var best = nextRoundRobin
            while !inRotation[best] { best = (best + 1) % n }
            for step in 1..<n {
                let i = (nextRoundRobin + step) % n
                if inRotation[i] && active[i] < active[best] { best = i }
            }
            chosen = best
            nextRoundRobin = (best + 1) % n
        case .powerOfTwo:
            if k == 1 {
                chosen = Int(rotation[0])
            } else {
                let a = stream.uniformInt(k)
                var b = stream.uniformInt(k - 1)
                if b >= a { b += 1 }
                let x = Int(rotation[a]), y = Int(rotation[b])
                // On a tie the first draw wins; it is itself uniform, so no instance is favoured.
                chosen = active[y] < active[x] ? y : x
            }
        }
        take(chosen)
        return chosen
    }

    /// Counts a request on `instance`, chosen by a pick or by a fork.
    @inline(__always)
    mutating func take(_ instance: Int) {
        active[instance] += 1
        stats.picks[instance] += 1
        picksSinceEvaluation &+= 1
    }

    /// The instance that holds `key` (`Model.KeyPlacement`), in rotation or not: a key has
    /// one home.
    @inline(__always)
    mutating func pick(key: Int) -> Int {
        let chosen = keyPlacement!.instance(key: key, of: active.count)
        take(chosen)
        return chosen
    }

    /// One of the `active.count / groups` instances of group `group`, round robin among those
    /// in rotation; -1 when none of them is.
    mutating func pick(within group: Int, of groups: Int) -> Int {
        let m = active.count / groups, base = group * m
        if groupNext.isEmpty { groupNext = Array(repeating: 0, count: groups) }
        for step in 0..<m {
            let i = base + (groupNext[group] + step) % m
            if inRotation[i] {
                groupNext[group] = (i - base + 1) % m
                take(i)
                return i
            }
        }
        return -1
    }
}
