/// A validated architecture scenario: one workload and the architecture stages that serve it
/// (DESIGN.md sections 1 and 2).
///
/// Produced by `ArchitectureScenario.decode`, which fills defaults, resolves stage inheritance
/// (`"extends"`) and checks every value, so each `Stage` is complete and valid. Units are
/// normalized: times in seconds, sizes in bytes, bandwidths in bytes per second, shares as
/// fractions of 1, costs in the file's currency per hour. Every component keeps the free-text
/// `notes` of the file, so that reports can show why a number was chosen.
public struct ArchitectureScenario: Sendable, Hashable {
    public var name: String
    public var seed: UInt64
    public var run: RunSettings
    public var notes: String?
    /// The targets of every stage, unless a stage overrides them (`Stage.slo` is resolved).
    public var slo: SLO
    public var workload: Workload
    /// The stages in file order, inheritance resolved.
    public var stages: [Stage]

    /// Service level objectives; a nil target is not checked.
    public struct SLO: Sendable, Hashable {
        /// Largest acceptable 99th percentile of end-to-end latency, seconds.
        public var p99: Double?
        /// Largest acceptable share of requests that fail (time out or are rejected), in [0, 1].
        public var errorRate: Double?

        public init(p99: Double?, errorRate: Double?) { self.p99 = p99; self.errorRate = errorRate }
    }
}

// MARK: - Workload

extension ArchitectureScenario {
    /// The traffic that every stage serves (a stage may change only the number of users).
    public struct Workload: Sendable, Hashable {
        /// Registered users; a stage may override it (`Stage.users`).
        public var users: Int
        /// Share of the users active at once, in (0, 1].
        public var activeShare: Double
        /// Requests an active user sends per minute (> 0); for a closed workload, 60 s over the
        /// mean think time (what a user would send if every response were instant).
        public var requestsPerActiveUserPerMinute: Double
        /// When set, the workload is closed: `sessions(users:)` users each think for a time
        /// drawn from it, send one request (class and region drawn by their shares), wait for
        /// the response (or their timeout), and think again. So the rate falls when responses
        /// slow down, as real users' does. When nil, requests arrive as a Poisson process at
        /// `requestRate(users:)` whatever the latency (an open workload).
        public var thinkTime: Distribution?
        /// Popularity of the per-user cache keys `user:<id>` (one key per user).
        public var userKeys: UserKeys
        /// Popularity of the images (the CDN's objects).
        public var images: Images
        /// Keys far hotter than any user's (a celebrity's profile), each with its share of all
        /// cache reads of classes with `cacheKey == .user`.
        public var hotKeys: [HotKey]
        /// Where the users are; shares sum to 1.
        public var regions: [Region]
        /// The request mix; shares sum to 1.
        public var classes: [RequestClass]
        /// The load over time for every stage that does not set its own (nil: constant).
        public var profile: Profile?
        public var notes: String?
        /// Users that hold a realtime connection (nil: none); see `Realtime`.
        public var realtime: Realtime? = nil

        /// Requests per second that `users` users send: users × activeShare × per-minute rate / 60.
        /// For a closed workload this is the rate with instant responses, an upper bound: the
        /// sessions send `sessions / (think + response time)`.
        public func requestRate(users: Int) -> Double {
            Double(users) * activeShare * requestsPerActiveUserPerMinute / 60
        }

        /// The users active at once (at least 1): the sessions of a closed workload.
        public func sessions(users: Int) -> Int {
            max(1, Int((Double(users) * activeShare).rounded()))
        }
    }

    /// Popularity of the keys `user:<id>`: user ids are drawn from a Zipf law over the stage's users.
    public struct UserKeys: Sendable, Hashable {
        /// Zipf exponent s >= 0 (0 is uniform): the user of rank k is read with weight k^-s.
        public var zipf: Double
    }

    /// The images users view: `perUser` images per user, popularity by a Zipf law over all of them.
    public struct Images: Sendable, Hashable {
        public var perUser: Int
        public var zipf: Double
        public var notes: String?
    }

    /// One hot cache key with its share of all cache reads.
    public struct HotKey: Sendable, Hashable {
        public var name: String
        /// Share of the cache reads of classes with `cacheKey == .user` that read this key instead.
        public var share: Double
        /// When set, a flash crowd: the key has no share before `from` and `share` from then
        /// (until `until`, nil: the end of the run). At most one hot key has one.
        public var from: Double?
        /// Later than `from`; only with `from`.
        public var until: Double?
        public var notes: String?
        /// The database CPU of one more query a miss of this key needs (nil: none): a key that
        /// costs more to fetch than the others, like a celebrity's follower count.
        public var queryCpu: Distribution? = nil
    }

    /// A place the users are, with its network latencies (one way, seconds).
    public struct Region: Sendable, Hashable {
        public var name: String
        /// Share of all users, in [0, 1].
        public var share: Double
        /// One-way latency from a user in this region to the data centre.
        public var latencyToDataCentre: Double
        /// One-way latency from a user to the nearest CDN edge (defaults to `latencyToDataCentre`).
        public var latencyToEdge: Double
        public var notes: String?
    }

    /// One kind of request, its share of the traffic and the work it does.
    public struct RequestClass: Sendable, Hashable {
        public var name: String
        /// Share of all requests, in [0, 1].
        public var share: Double
        public var kind: Kind
        /// CPU time on an API instance (for `.staticAsset` before web hosts exist: on the API machine).
        public var apiCpu: Distribution
        /// Which cache key the class reads when the stage has a cache (`dbReads` run on a miss only).
        public var cacheKey: CacheKey
        /// SELECT statements per request (0 or more); each costs `queryCpu` on the database that serves it.
        public var dbReads: Int
        /// CPU time of one SELECT; non-nil when `dbReads > 0`.
        public var queryCpu: Distribution?
        /// INSERT/UPDATE statements per request, always on the primary; each costs `writeCpu`.
        public var dbWrites: Int
        /// CPU time of one write; non-nil when `dbWrites > 0`.
        public var writeCpu: Distribution?
        /// Bytes the client sends (an upload's photo), >= 0.
        public var requestBytes: Double
        /// Bytes the client receives (an image, the web client's files), >= 0.
        public var responseBytes: Double
        /// The client gives up after this many seconds (> 0) and counts an error; the server's
        /// work goes on.
        public var timeout: Double
        /// How the client retries a failed request (nil: it does not).
        public var retries: Retries?
        public var notes: String?
        /// On a sharded database, how many shards the `dbReads` go to at once (a feed that
        /// gathers the posts of the users one follows, who live on many shards): `.shards(1)`
        /// reads the shard of the request's key; more fan out and wait for the slowest
        /// (fork-join). Ignored without shards.
        public var shardFanOut: ShardFanOut = .shards(1)

        public enum ShardFanOut: Sendable, Hashable {
            case shards(Int)
            /// Every shard.
            case all
        }

        /// Where a class's requests go.
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            /// Served by the API.
            case api
            /// Image bytes: through the API until the stage has a CDN, then from the CDN edge of
            /// the user's region (a miss fetches from object storage).
            case image
            /// The web client's files: from the API machine until the stage has web hosts, then from them.
            case staticAsset = "static_asset"
            /// Bytes uploaded: through the API, or straight to object storage once it exists.
            case upload
        }

        /// The cache key a class reads.
        public enum CacheKey: String, Sendable, Hashable, CaseIterable {
            /// No cache read.
            case none
            /// `user:<id>` with the id drawn from `Workload.userKeys`, or a hot key with its share.
            case user
            /// One of `Workload.hotKeys`, drawn in proportion to their shares.
            case hot
        }
    }
}

// MARK: - Stages

extension ArchitectureScenario {
    /// One architecture, complete (inheritance resolved) and valid.
    ///
    /// `api` and `database` are always present; the other components are nil when the stage
    /// lacks them. When `host` is present the API (one instance) and the database run on that
    /// one machine and share its cores: then `api.coresPerInstance == host.cores`,
    /// `database.cores == host.cores` and `database.sharesApiHost` is true.
    public struct Stage: Sendable, Hashable {
        public var name: String
        /// The name of the stage this one extends, as written (nil: none).
        public var extends: String?
        /// Users served in this stage (the stage's `users`, else the workload's).
        public var users: Int
        /// The scenario's SLO with this stage's overrides applied.
        public var slo: SLO
        public var notes: String?
        public var host: Host?
        public var api: API
        public var loadBalancer: LoadBalancer?
        public var webHosts: WebHosts?
        public var database: Database
        public var replicas: Replicas?
        public var cache: Cache?
        public var objectStorage: ObjectStorage?
        public var cdn: CDN?
        /// The load over time: the stage's own `profile`, else the workload's (nil: constant).
        public var profile: ArchitectureScenario.Profile?
        /// Faults scheduled during the run, each on a component the stage has.
        public var faults: [Fault] = []
        /// The service that holds the workload's realtime connections (nil: the API holds them).
        public var websockets: WebSockets? = nil

        /// One machine that runs the API and the database together (the 1-user stage).
        public struct Host: Sendable, Hashable {
            public var cores: Int
            public var costPerHour: Double
            public var notes: String?
        }

        /// The API service: identical instances, each with its cores and a pool of workers.
        ///
        /// A request holds a worker from the moment it reaches the instance until it leaves,
        /// waits on the cache and the database included.
        public struct API: Sendable, Hashable {
            public var instances: Int
            public var coresPerInstance: Int
            public var workersPerInstance: Int
            /// Bytes per second each instance can send and receive (payloads through the API).
            public var networkBandwidth: Double
            public var costPerInstancePerHour: Double
            public var notes: String?
            /// When set, the count changes during the run: `instances` are in service at the
            /// start, within `autoscaling.minimum...maximum`. Costs still count `instances`.
            public var autoscaling: Autoscaling?
            /// Most requests an instance keeps waiting for a worker (its accept backlog); one
            /// more is answered at once with an error (503). nil = unbounded.
            public var backlog: Int? = nil
        }

        /// Spreads requests over the API instances (and the web hosts).
        public struct LoadBalancer: Sendable, Hashable {
            public var policy: Policy
            /// One-way latency the load balancer adds, seconds.
            public var latency: Double
            public var costPerHour: Double
            public var notes: String?
            /// Health checks of the API instances and web hosts (nil: none; a failed
            /// instance stays in rotation).
            public var healthCheck: HealthCheck? = nil

            public enum Policy: String, Sendable, Hashable, CaseIterable {
                case random
                case roundRobin = "round_robin"
                case leastConnections = "least_connections"
                /// Two instances drawn at random; the one with fewer requests in flight wins.
                case powerOfTwo = "power_of_two"
            }
        }

        /// Hosts that serve the web client's static files (`RequestClass.Kind.staticAsset`).
        public struct WebHosts: Sendable, Hashable {
            public var instances: Int
            public var coresPerInstance: Int
            public var cpuPerRequest: Distribution
            public var costPerInstancePerHour: Double
            public var notes: String?
        }

        /// The database primary: every write, and every read when the stage has no replicas.
        public struct Database: Sendable, Hashable {
            public var cores: Int
            /// Most connections at once; a query holds one while it runs.
            public var connections: Int
            /// Whether the database runs on the API's machine (`Stage.host`), sharing its cores.
            public var sharesApiHost: Bool
            /// One-way network latency between an API instance and the database, seconds (0 when shared).
            public var latencyFromApi: Double
            /// Per shard (or for the one database when unsharded).
            public var costPerHour: Double
            public var notes: String?
            /// When set, the data is split into shards by user id: each shard has a primary with
            /// `cores` and `connections` (and `costPerHour`), and `Stage.replicas` replicas of
            /// its own. A request's reads and writes go to the shard of its key (the user it
            /// reads, or the user who sends it); see `RequestClass.shardFanOut`.
            public var shards: Shards? = nil

            /// The number of primaries: the shards, or 1.
            public var primaries: Int { shards?.count ?? 1 }
        }

        /// How a database is split (`Database.shards`).
        public struct Shards: Sendable, Hashable {
            public var count: Int
            public var placement: Placement
            public var notes: String?

            /// Which shard holds a user (see `Model.KeyPlacement`).
            public enum Placement: String, Sendable, Hashable, CaseIterable {
                /// A hash of the user id, modulo the shards.
                case hash
                /// Ranges of user ids; ids are numbered by popularity, so the first shard holds the
                /// most followed users.
                case range
            }
        }

        /// Read replicas: SELECTs are spread over them, writes stay on the primary. On a sharded
        /// database every shard has `count` replicas of its own.
        public struct Replicas: Sendable, Hashable {
            public var count: Int
            public var coresEach: Int
            public var connectionsEach: Int
            /// How far a replica is behind the primary, seconds.
            public var replicationLag: Double
            public var costPerReplicaPerHour: Double
            public var notes: String?
            /// Health checks of the replicas by whatever spreads reads over them (nil: none).
            public var healthCheck: HealthCheck? = nil
        }

        /// A key-value cache in front of the database reads (Redis-like).
        public struct Cache: Sendable, Hashable {
            /// Nodes the keys are sharded over.
            public var nodes: Int
            /// Seconds an entry lives after it is filled (0: never a hit); a hit does not extend it.
            public var ttl: Double
            /// Most entries per node (LRU beyond it); nil: unbounded.
            public var capacityPerNode: Int?
            /// One-way latency between an API instance and the cache, seconds.
            public var latency: Double
            public var costPerNodePerHour: Double
            public var notes: String?
            /// Request coalescing: concurrent misses of one key wait for a single fill.
            public var coalesce = false
        }

        /// Object storage for images (S3-like): the CDN's origin and the target of uploads.
        public struct ObjectStorage: Sendable, Hashable {
            /// Time to first byte of one request, seconds.
            public var latency: Double
            /// Bytes per second of one transfer.
            public var bandwidth: Double
            public var costPerHour: Double
            public var notes: String?
        }

        /// A CDN with one edge per region, each caching images with a TTL.
        public struct CDN: Sendable, Hashable {
            /// Seconds an object stays at an edge after it was fetched.
            public var ttl: Double
            /// Most objects per edge (LRU beyond it); nil: unbounded.
            public var capacityPerEdge: Int?
            /// One-way latency from a user to the edge; nil: the region's `latencyToEdge`.
            public var edgeLatency: Double?
            /// One-way latency from an edge to object storage, paid twice by a miss.
            public var originFetchLatency: Double
            public var costPerHour: Double
            public var notes: String?
        }

        /// The cost of one component per hour.
        public struct ComponentCost: Sendable, Hashable {
            public var component: String
            public var perHour: Double
        }

        /// The cost per hour of each component the stage has, in a fixed order.
        ///
        /// The API is priced at `api.instances`: with autoscaling, the count at the start.
        public var costs: [ComponentCost] {
            var costs: [ComponentCost] = []
            func add(_ component: String, _ perHour: Double?) {
                if let perHour { costs.append(ComponentCost(component: component, perHour: perHour)) }
            }
            add("host", host?.costPerHour)
            add("api", Double(api.instances) * api.costPerInstancePerHour)
            add("loadBalancer", loadBalancer?.costPerHour)
            add("webHosts", webHosts.map { Double($0.instances) * $0.costPerInstancePerHour })
            add("database", Double(database.primaries) * database.costPerHour)
            add("replicas", replicas.map { Double(database.primaries * $0.count) * $0.costPerReplicaPerHour })
            add("cache", cache.map { Double($0.nodes) * $0.costPerNodePerHour })
            add("objectStorage", objectStorage?.costPerHour)
            add("cdn", cdn?.costPerHour)
            add("websockets", websockets.map { Double($0.instances) * $0.costPerInstancePerHour })
            add("websockets.loadBalancer", websockets?.loadBalancer.costPerHour)
            return costs
        }

        /// The stage's total cost per hour.
        public var costPerHour: Double { costs.reduce(0) { $0 + $1.perHour } }
    }
}
