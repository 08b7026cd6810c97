/// The intermediate form every front end compiles to, and the only thing the engine runs.
///
/// Resources live in arrays by kind and are referred to by index; a request executes a
/// program: a run of `steps` starting at an entry step. All programs share one step array.
/// Every random choice names its stream (`streamName`) so that adding a component does not
/// change the numbers drawn by the others.
public struct Model: Sendable {
    public var name: String
    public var classes: [RequestClass] = []
    public var cpus: [CPU] = []
    public var delays: [DelayCenter] = []
    public var pools: [Pool] = []
    public var caches: [Cache] = []
    public var routers: [Router] = []
    /// Distributions drawn by `use` steps and thinking users, each with its own stream.
    public var samplers: [SamplerSpec] = []
    /// Probability tables drawn by `branch` steps, each with its own stream.
    public var branches: [BranchTable] = []
    public var steps: [Step] = []
    public var sources: [Source] = []
    /// The load over time (nil: constant); see `RateProfile`.
    public var profile: RateProfile?
    /// Parts that fail as a whole, and the faults scheduled on them.
    public var components: [Component] = []
    public var faults: [Fault] = []

    public init(name: String) { self.name = name }

    /// How many routers' choices a request can hold at once.
    public static let instanceSlots = 4

    /// A class of requests: latency, throughput and errors are reported per class.
    public struct RequestClass: Sendable, Hashable {
        public var name: String
        /// The client gives up after this many seconds: the request counts as an error (a
        /// timeout) and a closed user thinks again, while the servers finish the work they
        /// started (nobody tells them). nil = the client waits forever.
        public var timeout: Double?
        /// How a client retries a failed request (nil: it does not).
        public var retry: RetryPolicy?
        /// Not a request but a long-lived connection (a websocket): its "latency" is its
        /// lifetime, so reports leave it out of the latency, throughput, errors, SLO and
        /// capacity of requests and show it apart. The engine runs it as any other class.
        public var background = false
        public init(name: String, timeout: Double? = nil, retry: RetryPolicy? = nil) {
            self.name = name; self.timeout = timeout; self.retry = retry
        }
    }

    /// `cores` servers that serve work by processor sharing or first come, first served.
    public struct CPU: Sendable, Hashable {
        public enum Discipline: String, Sendable, Hashable { case fcfs, ps }
        public var name: String
        public var cores: Int
        public var discipline: Discipline
        /// Most requests at the resource (waiting and in service); an arrival beyond it is
        /// blocked and its request ends with an error.
        public var capacity: Int?
        public init(name: String, cores: Int, discipline: Discipline, capacity: Int? = nil) {
            self.name = name; self.cores = cores; self.discipline = discipline; self.capacity = capacity
        }
    }

    /// Infinite servers: network latency, think time, anything that does not queue.
    public struct DelayCenter: Sendable, Hashable {
        public var name: String
        public init(name: String) { self.name = name }
    }

    /// A counting semaphore with a FIFO wait queue (worker threads, connections).
    public struct Pool: Sendable, Hashable {
        public var name: String
        public var capacity: Int
        /// Most requests waiting for a unit; one more is rejected at once with an error (a
        /// server's accept backlog answering 503). nil = unbounded.
        public var queueLimit: Int?
        public init(name: String, capacity: Int, queueLimit: Int? = nil) {
            self.name = name; self.capacity = capacity; self.queueLimit = queueLimit
        }
    }

    /// Key-level cache state over keys `0..<keys`, drawn with Zipf popularity.
    public struct Cache: Sendable, Hashable {
        public var name: String
        public var keys: Int
        /// Zipf exponent of key popularity (0 = uniform).
        public var zipf: Double
        /// Seconds an entry lives after insertion; nil = forever.
        public var ttl: Double?
        /// Most entries held; the least recently used goes first. nil = unbounded.
        public var capacity: Int?
        public var streamName: String
        /// Hot keys: key `i` (0-based, below `hotShares.count`) takes `hotShares[i]` of all
        /// lookups (a celebrity's profile); the rest are spread over the other keys by Zipf.
        public var hotShares: [Double]
        /// When set, every replication starts with the cache in its steady state for this many
        /// lookups per second instead of empty: key i is cached with the TTL formula's
        /// probability `λ p_i T / (1 + λ p_i T)` (1 without a TTL), with a remaining lifetime
        /// uniform over the TTL (the age of a present entry is uniform over its life), the most
        /// popular first up to the capacity and most recently used first. A CDN edge with a
        /// 24-hour TTL would otherwise spend the whole run filling (a cold cache), which is not
        /// the system a capacity planner asks about.
        public var warmLookupRate: Double?
        /// A key that becomes hot during the run (nil: none).
        public var flash: FlashCrowd?
        /// Request coalescing: a miss on a key whose fill is already under way waits for that
        /// fill and continues as a hit, instead of going to the backend too (one fill per key
        /// in flight). Without it, every concurrent miss of a hot key that just expired goes
        /// to the backend: a cache stampede.
        public var coalesce: Bool
        public init(name: String, keys: Int, zipf: Double, ttl: Double?, capacity: Int?, streamName: String,
                    hotShares: [Double] = [], warmLookupRate: Double? = nil, flash: FlashCrowd? = nil,
                    coalesce: Bool = false) {
            self.name = name; self.keys = keys; self.zipf = zipf; self.ttl = ttl
            self.capacity = capacity; self.streamName = streamName; self.hotShares = hotShares
            self.warmLookupRate = warmLookupRate; self.flash = flash; self.coalesce = coalesce
        }

        /// The keys' probabilities grouped by popularity (`ZipfPopularity.groups`): the hot keys
        /// one by one, then Zipf's ranks in groups; cheap whatever the number of keys.
        public func keyGroups(tolerance: Double) -> CacheFormulas.KeyGroups {
            let hot = hotShares.reduce(0, +)
            let cold = keys - hotShares.count
            var groups = hotShares.map { (value: $0, count: 1.0) }
            if cold > 0 {
                groups += ZipfPopularity.groups(keys: cold, exponent: zipf, tolerance: tolerance).groups
                    .map { (value: $0.value * (1 - hot), count: $0.count) }
            } else if hot > 0 {
                groups = groups.map { (value: $0.value / hot, count: 1) }
            }
            return CacheFormulas.KeyGroups(groups: groups)
        }

        /// The probability of each key being looked up: the hot shares, then Zipf over the rest.
        public var keyProbabilities: [Double] {
            let hot = hotShares.reduce(0, +)
            let cold = keys - hotShares.count
            guard cold > 0 else { return hotShares.map { $0 / max(hot, .leastNonzeroMagnitude) } }
            return hotShares + ZipfPopularity.probabilities(keys: cold, exponent: zipf).map { $0 * (1 - hot) }
        }
    }

    /// Picks one of `instances` instances for a request.
    public struct Router: Sendable, Hashable {
        public enum Policy: String, Sendable, Hashable, CaseIterable {
            case random
            case roundRobin = "round_robin"
            case leastConnections = "least_connections"
            case powerOfTwo = "power_of_two"
        }
        public var name: String
        public var policy: Policy
        public var instances: Int
        public var streamName: String
        /// Which of a request's `Model.instanceSlots` slots holds this router's choice: routers
        /// that one request passes through together need different slots.
        public var slot: Int
        /// Per instance, the index of its `Component` (empty: instances never fail). Health
        /// checks probe it; autoscaling reads its first CPU.
        public var components: [Int] = []
        public var healthCheck: HealthCheck?
        /// With autoscaling, `instances` is the most there can be; `autoscaling.initial` are in
        /// service at the start.
        public var autoscaling: Autoscaling?
        /// Instances in service at the start: all of them, or the autoscaler's initial count.
        public var serving: Int { autoscaling?.initial ?? instances }
        /// How a `routeByKey` step places a request's key on an instance (a database shard);
        /// nil for a router that never routes by key.
        public var keyPlacement: KeyPlacement?
        public init(name: String, policy: Policy, instances: Int, streamName: String, slot: Int = 0) {
            self.name = name; self.policy = policy; self.instances = instances; self.streamName = streamName
            self.slot = slot
        }
    }

    /// Where a key lives among `n` instances (the shards of a database).
    ///
    /// Keys are those of a `Cache`'s popularity: `hotKeys` hot keys first, then the users in
    /// order of popularity. A key is a user id: hot key i is user i (a celebrity is among the
    /// most followed users), and key `hotKeys + r` is user r. `hash` spreads user ids by a
    /// fixed integer hash (splitmix64's finalizer), as consistent or modulo hashing on an id
    /// does; `range` gives instance s the ids `s × users / n ..< (s + 1) × users / n`. Ids are
    /// numbered by popularity (the first users are the most followed, as on a site whose
    /// early accounts gathered the most followers), so range placement puts the popular users
    /// on the first shard: the hot range that range partitioning is known for.
    public struct KeyPlacement: Sendable, Hashable {
        public enum Method: String, Sendable, Hashable, CaseIterable { case hash, range }
        public var method: Method
        /// Users in the key space (the keys after the hot ones).
        public var users: Int
        public var hotKeys: Int
        public init(method: Method, users: Int, hotKeys: Int) {
            self.method = method; self.users = max(1, users); self.hotKeys = hotKeys
        }

        /// The instance (of `n`) that holds `key`.
        @inline(__always)
        public func instance(key: Int, of n: Int) -> Int {
            let user = key < hotKeys ? key : key - hotKeys
            switch method {
            case .hash: return Int(Self.mix(UInt64(truncatingIfNeeded: user)) % UInt64(n))
            case .range: return min(n - 1, Int(UInt64(user) * UInt64(n) / UInt64(users)))
            }
        }

        /// splitmix64's finalizer: a bijection of 64-bit integers that spreads neighbours apart.
        @inline(__always)
        static func mix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// The share of lookups of `cache` that land on each of `n` instances: the sum of
        /// the probabilities of the keys each one holds (O(keys), once per compile).
        public func shares(of cache: Cache, instances n: Int) -> [Double] {
            var shares = [Double](repeating: 0, count: n)
            for (key, p) in cache.keyProbabilities.enumerated() { shares[instance(key: key, of: n)] += p }
            return shares
        }
    }

    public struct SamplerSpec: Sendable, Hashable {
        public var distribution: Distribution
        public var streamName: String
        public init(_ distribution: Distribution, streamName: String) {
            self.distribution = distribution; self.streamName = streamName
        }
    }

    /// Jump to `targets[i]` with probability `probabilities[i]`; with what is left of 1, end
    /// the request (it leaves the network).
    public struct BranchTable: Sendable, Hashable {
        public var probabilities: [Double]
        /// Step indices.
        public var targets: [Int]
        public var streamName: String
        public init(probabilities: [Double], targets: [Int], streamName: String) {
            self.probabilities = probabilities; self.targets = targets; self.streamName = streamName
        }
    }

    /// A resource a `use` step occupies for a sampled time.
    public enum Server: Sendable, Hashable {
        case cpu(Int)
        case delay(Int)
    }

    /// One instruction of a request program. Steps run in order unless they jump.
    ///
    /// `on: r` offsets a resource index by the instance that router `r` chose for the request
    /// (API instance i uses `cpus[base + i]`); nil uses the resource itself.
    public enum Step: Sendable, Hashable {
        /// Occupy `server` for a time drawn from `samplers[sampler]`.
        case use(Server, sampler: Int, on: Int?)
        /// Take one unit of `pools[pool]`, waiting FIFO when none is free.
        case acquire(pool: Int, on: Int?)
        case release(pool: Int, on: Int?)
        /// Choose an instance with `routers[router]`; it stays chosen until `leave`.
        case route(router: Int)
        case leave(router: Int)
        /// Draw a key from `caches[cache]`'s popularity and look it up: a hit goes to step
        /// `hit`, a miss to step `miss`.
        case lookup(cache: Int, hit: Int, miss: Int)
        /// Draw a key from `caches[cache]`'s popularity without looking it up (a read that
        /// has no cache in front of it, but whose cost depends on the key).
        case drawKey(cache: Int)
        /// Insert the request's key into `caches[cache]`.
        case fill(cache: Int)
        /// Probabilistic jump (see `BranchTable`).
        case branch(table: Int)
        case jump(to: Int)
        /// The request fails (an injected error: a flaky dependency, a bug).
        case fail
        /// Choose the instance of `routers[router]` that holds the request's key (by its
        /// `keyPlacement`); it stays chosen until `leave`. The request has drawn a key.
        case routeByKey(router: Int)
        /// Choose one of the instances of `routers[router]` that belong to the instance `group`
        /// chose: instance `g` of `group` owns instances `g × m ..< (g + 1) × m` of `router`
        /// (m = its instances over `group`'s), taken round robin among those in rotation (a
        /// shard's read replicas).
        case routeWithin(router: Int, group: Int)
        /// Fork-join: start `branches` branches, each a request that runs from the next step
        /// to a `join` on its own instance of `routers[router]` (distinct instances, from a
        /// random one on; every instance when `branches` is their number), holding that
        /// router's choice as a `route` would. The request waits until every branch has
        /// joined, then continues at step `next`; it fails when any branch failed. A branch has
        /// no client: its latency and errors are its request's (a scatter-gather query).
        case fork(router: Int, branches: Int, next: Int)
        /// A branch of a `fork` ends here.
        case join
        /// Jump to `to` when the request drew key `key` from `caches[cache]`; otherwise go on.
        /// A hot key can cost more to fetch than the others (a celebrity's follower count).
        case ifKey(cache: Int, key: Int, to: Int)
        /// The request is complete.
        case done
    }

    /// Where requests come from.
    public enum Source: Sendable, Hashable {
        /// Poisson arrivals at `rate` per second of requests of `classIndex` starting at `entry`.
        case open(classIndex: Int, rate: Double, entry: Int, streamName: String)
        /// `size` users who think for a time from `samplers[think]`, then send a request of
        /// `classIndex` starting at `entry`; when it completes they think again.
        case closed(classIndex: Int, size: Int, think: Int, entry: Int)
        /// `size` users in sessions: each thinks for a time from `samplers[think]`, then sends
        /// one request whose class and entry are drawn from `mix` (from the stream
        /// `streamName`); when it completes (or its client gives up) the user thinks again.
        /// A closed workload with a mix of classes.
        case sessions(size: Int, think: Int, mix: [SessionChoice], streamName: String)
    }

    /// One kind of request a session user may send, with its probability (the probabilities
    /// of a mix sum to 1).
    public struct SessionChoice: Sendable, Hashable {
        public var classIndex: Int
        public var entry: Int
        public var probability: Double
        public init(classIndex: Int, entry: Int, probability: Double) {
            self.classIndex = classIndex; self.entry = entry; self.probability = probability
        }
    }
}
