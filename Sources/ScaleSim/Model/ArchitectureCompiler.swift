/// Latencies in a scenario are one-way: a call pays each twice (there and back).
///
/// A stage of an architecture scenario compiled to the Model, with what the report needs to
/// name its resources.
public struct CompiledStage: Sendable {
    public var model: Model
    /// The stage's users and the request rate they send.
    public var users: Int
    public var requestRate: Double
}

extension ArchitectureScenario {
    /// Compiles stage `index` at `users` users (default: the stage's own) into one program per
    /// request class and region.
    ///
    /// What the programs capture (DESIGN.md sections 1-2):
    /// - an API request holds its worker from the start of its API work until its response is
    ///   sent, so it holds it while it waits on the cache and the database;
    /// - a query holds a database connection while it runs;
    /// - CPUs serve by processor sharing; on a stage with a `host` (one machine) the API and the
    ///   database use the same CPU;
    /// - bytes through the API cost time on the instance's network link (a PS server at the
    ///   instance's bandwidth); once object storage and a CDN exist, images come from the edge
    ///   of the user's region (a key-level cache; a miss fetches from object storage) and
    ///   uploads go straight to storage;
    /// - cache lookups and fills are per key with the TTL, so the hit ratio follows from key
    ///   popularity and TTL; reads go to a replica chosen by a router when replicas exist;
    /// - every random choice draws from a stream named after what it models (arrivals of a
    ///   class from a region, API CPU of a class, ...), the same in every stage, so stages are
    ///   compared under the same arrivals (common random numbers);
    /// - what changes during a run: the stage's profile (a daily curve laid out over
    ///   `run.duration`), a hot key's flash crowd, retries, health checks, autoscaling (the
    ///   API's resources laid out for its maximum) and faults, each on a `Model.Component`.
    ///   Components are made for every stage (faults or not), in a fixed order: the API
    ///   instances (on a `host` stage, the one machine, API and database), the replicas, the
    ///   database primary, the cache nodes, the CDN edges (by region), the web hosts.
    ///
    /// The stage is taken as decoded (valid). A stage edited afterwards, as the planner edits
    /// its candidates, still compiles: autoscaling's bounds widen to take `api.instances`, and
    /// a fault on a component the stage no longer has is left out.
    public func compile(stage index: Int, users: Int? = nil) -> CompiledStage {
        var compiler = StageCompiler(scenario: self, stage: stages[index], users: users ?? stages[index].users)
        return compiler.compile()
    }
}

/// Builds one stage's Model; see `ArchitectureScenario.compile(stage:users:)`.
struct StageCompiler {
    let workload: ArchitectureScenario.Workload
    let stage: ArchitectureScenario.Stage
    let users: Int
    /// The run's duration, over which a daily profile is laid out.
    let duration: Double
    var a: ModelAssembler

    /// Most keys one CDN edge tracks: the image catalogue beyond it is folded onto these keys
    /// (memory stays bounded; the popular images, which decide the hit ratio, are all kept).
    static let maximumEdgeKeys = 200_000

    /// Most user keys the cache (or a hot key's key draw) tracks one by one: about 24 bytes a
    /// key in a replication, so 240 MB here. Beyond it the least popular users are folded onto
    /// these keys, which overstates the hit ratio a little (with Zipf 1 and 100 million users,
    /// the 10 million most popular get 88% of the lookups). Without the fold a file with a
    /// billion users would need tens of gigabytes.
    static let maximumUserKeys = 10_000_000

    init(scenario: ArchitectureScenario, stage: ArchitectureScenario.Stage, users: Int) {
        workload = scenario.workload
        self.stage = stage
        self.users = users
        duration = scenario.run.duration
        a = ModelAssembler(name: stage.name)
    }

    // Resource indices, filled by `addResources`.
    var network = 0, lbDelay: Int?, apiRouter = 0, apiCPU = 0, apiWorkers = 0, apiLink = 0
    var dbCPU = 0, dbConnections = 0, dbNetwork = 0
    var replicaRouter: Int?, replicaCPU = 0, replicaConnections = 0
    /// On a sharded database: the shard of a request's key, and the fan-out's shards.
    var shardRouter: Int?, fanOutRouter: Int?
    var cache: Int?, cacheDelay = 0
    /// Without a cache, where reads draw their key when a hot key costs more to fetch or the
    /// database is sharded.
    var keySource: Int?
    /// On a sharded database, where a request that reads no cache key draws its user (the
    /// one who sends it: every user alike), whose shard its queries go to.
    var requesterKeys: Int?
    var webRouter: Int?, webCPU = 0
    var storageDelay: Int?, storageLink = 0
    var edges: [Int] = [], edgeDelay = 0, originDelay = 0
    // Component indices, filled by `addComponents` (on a host stage the API's one component
    // is the database's too).
    var apiComponents: [Int] = [], replicaComponents: [Int] = [], databaseComponent = 0
    var cacheComponents: [Int] = [], edgeComponents: [Int] = [], webComponents: [Int] = []
    /// The realtime connections' resources (see `ArchitectureCompiler+WebSockets.swift`).
    var ws = WebSocketLayout()

    mutating func compile() -> CompiledStage {
        addResources()
        addComponents()
        addWebSockets()
        addFaults()
        a.profile(stage.profile.map { Self.rateProfile($0, duration: duration) })
        let rate = workload.requestRate(users: users)
        var mix: [Model.SessionChoice] = []
        for c in workload.classes {
            let classIndex = a.requestClass(c.name, timeout: c.timeout, retry: c.retries.map(Self.retryPolicy))
            for (g, region) in workload.regions.enumerated() {
                let entry = a.here
                emitProgram(c, region: g)
                a.emit(.done)
                if workload.thinkTime == nil {
                    a.source(.open(classIndex: classIndex, rate: rate * c.share * region.share, entry: entry,
                                   streamName: "arrivals:\(c.name):\(region.name)"))
                } else {
                    mix.append(.init(classIndex: classIndex, entry: entry, probability: c.share * region.share))
                }
            }
        }
        emitConnections()
        if let thinkTime = workload.thinkTime {
            a.source(.sessions(size: workload.sessions(users: users),
                               think: a.sampler(thinkTime, stream: "sessions:think"),
                               mix: mix, streamName: "sessions:mix"))
        }
        return CompiledStage(model: a.finish(), users: users, requestRate: rate)
    }

    mutating func addResources() {
        network = a.delays("client network")
        if let lb = stage.loadBalancer, lb.latency > 0 { lbDelay = a.delays("load balancer") }
        // With autoscaling the API's resources are laid out for its most instances.
        let n = stage.api.autoscaling.map { max($0.maximum, stage.api.instances) } ?? stage.api.instances
        apiRouter = a.router("api", policy: stage.loadBalancer.map { Model.Router.Policy(rawValue: $0.policy.rawValue)! } ?? .roundRobin,
                             instances: n, slot: 0, healthCheck: stage.loadBalancer?.healthCheck.map(Self.healthCheck),
                             autoscaling: stage.api.autoscaling.map { Self.autoscaling($0, initial: stage.api.instances) })
        let primaries = stage.database.primaries
        if let host = stage.host {
            // One machine: the API and the database share its cores.
            apiCPU = a.cpus("host.cpu", cores: host.cores)
            dbCPU = apiCPU
        } else {
            apiCPU = a.cpus("api.cpu", count: n, cores: stage.api.coresPerInstance)
            dbCPU = a.cpus("db.primary.cpu", count: primaries, cores: stage.database.cores)
        }
        apiWorkers = a.pools("api.workers", count: n, capacity: stage.api.workersPerInstance, queueLimit: stage.api.backlog)
        apiLink = a.cpus("api.network", count: n, cores: 1)
        dbConnections = a.pools("db.primary.connections", count: primaries, capacity: stage.database.connections)
        dbNetwork = a.delays("db.network")
        if let shards = stage.database.shards {
            // Slot 2: a request is at most at one shard at a time (by key, or a fan-out's branch).
            shardRouter = a.router("shards", policy: .roundRobin, instances: shards.count, slot: 2,
                                   keyPlacement: Model.KeyPlacement(method: shards.placement == .hash ? .hash : .range,
                                                                    users: min(users, Self.maximumUserKeys),
                                                                    hotKeys: workload.hotKeys.count))
            if workload.classes.contains(where: { $0.dbReads > 0 && $0.shardFanOut != .shards(1) }) {
                fanOutRouter = a.router("shard fan-out", policy: .random, instances: shards.count, slot: 2)
            }
        }
        if let r = stage.replicas, r.count > 0 {
            // On a sharded database shard s has replicas s × count ..< (s + 1) × count.
            let count = primaries * r.count
            replicaRouter = a.router("replicas", policy: .roundRobin, instances: count, slot: 1,
                                     healthCheck: r.healthCheck.map(Self.healthCheck))
            replicaCPU = a.cpus("db.replica.cpu", count: count, cores: r.coresEach)
            replicaConnections = a.pools("db.replica.connections", count: count, capacity: r.connectionsEach)
        }
        // Caches start warm (in their steady state at the stage's lookup rate): the run
        // measures the system in service, not one just switched on.
        let rate = workload.requestRate(users: users)
        // A flash crowd's key has no share until the crowd arrives.
        let flash = workload.hotKeys.firstIndex { $0.from != nil }.map { i in
            Model.FlashCrowd(key: i, share: workload.hotKeys[i].share, from: workload.hotKeys[i].from!,
                             until: workload.hotKeys[i].until)
        }
        if stage.cache == nil, workload.hotKeys.contains(where: { $0.queryCpu != nil })
            || (stage.cache == nil && shardRouter != nil && workload.classes.contains { $0.cacheKey != .none }) {
            // No cache, but a key that costs more to fetch or a shard to find: reads draw
            // their key (nothing is looked up) so the costly one takes its own query.
            keySource = a.cache(.init(name: "user keys (no cache)", keys: min(users, Self.maximumUserKeys) + workload.hotKeys.count,
                                      zipf: workload.userKeys.zipf, ttl: 0, capacity: nil, streamName: "cache:keys",
                                      hotShares: workload.hotKeys.map { $0.from == nil ? $0.share : 0 }, flash: flash))
        }
        if shardRouter != nil, workload.classes.contains(where: { $0.cacheKey == .none && Self.queriesByKey($0) }) {
            requesterKeys = a.cache(.init(name: "user keys (requesters)", keys: min(users, Self.maximumUserKeys) + workload.hotKeys.count,
                                          zipf: 0, ttl: 0, capacity: nil, streamName: "shard keys:requesters",
                                          hotShares: workload.hotKeys.map { _ in 0 }))
        }
        if let c = stage.cache {
            let readers = workload.classes.filter { $0.cacheKey != .none }.reduce(0) { $0 + $1.share }
            cache = a.cache(.init(name: "cache", keys: min(users, Self.maximumUserKeys) + workload.hotKeys.count, zipf: workload.userKeys.zipf,
                                  ttl: c.ttl, capacity: c.capacityPerNode.map { $0 * c.nodes },
                                  streamName: "cache:keys", hotShares: workload.hotKeys.map { $0.from == nil ? $0.share : 0 },
                                  warmLookupRate: rate * readers, flash: flash, coalesce: c.coalesce))
            cacheDelay = a.delays("cache.network")
        }
        if let web = stage.webHosts {
            webRouter = a.router("web", policy: .roundRobin, instances: web.instances, slot: 0,
                                 healthCheck: stage.loadBalancer?.healthCheck.map(Self.healthCheck))
            webCPU = a.cpus("web.cpu", count: web.instances, cores: web.coresPerInstance)
        }
        if stage.objectStorage != nil {
            storageDelay = a.delays("object storage")
            storageLink = a.cpus("object storage.network", cores: 1)
        }
        if let cdn = stage.cdn, stage.objectStorage != nil {
            let keys = max(1, min(users * workload.images.perUser, Self.maximumEdgeKeys))
            let images = workload.classes.filter { $0.kind == .image }.reduce(0) { $0 + $1.share }
            edges = workload.regions.map { region in
                a.cache(.init(name: "cdn.\(region.name)", keys: keys, zipf: workload.images.zipf, ttl: cdn.ttl,
                              capacity: cdn.capacityPerEdge, streamName: "cdn:\(region.name):keys",
                              warmLookupRate: rate * images * region.share))
            }
            edgeDelay = a.delays("cdn.edge network")
            originDelay = a.delays("cdn.origin fetch")
        }
    }

    /// The parts that fail as a whole, in the order `compile(stage:users:)` gives, and the
    /// routers' instances on them.
    mutating func addComponents() {
        let n = a.model.routers[apiRouter].instances
        if stage.host != nil {
            // One machine: the API (its CPU, link and workers) and the database's connections.
            apiComponents = [a.component(.init(name: "host", cpus: [apiCPU, apiLink], pools: [apiWorkers, dbConnections]))]
            databaseComponent = apiComponents[0]
        } else {
            apiComponents = (0..<n).map { i in
                a.component(.init(name: ModelAssembler.instanceName("api", i, n), cpus: [apiCPU + i, apiLink + i],
                                  pools: [apiWorkers + i]))
            }
        }
        a.route(apiRouter, over: apiComponents)
        if let replicaRouter {
            let count = a.model.routers[replicaRouter].instances
            replicaComponents = (0..<count).map { j in
                a.component(.init(name: ModelAssembler.instanceName("replica", j, count), cpus: [replicaCPU + j],
                                  pools: [replicaConnections + j]))
            }
            a.route(replicaRouter, over: replicaComponents)
        }
        if stage.host == nil {
            // On a sharded database, each shard's primary fails on its own; a `database` fault
            // takes down the first.
            let primaries = stage.database.primaries
            let components = (0..<primaries).map { s in
                a.component(.init(name: ModelAssembler.instanceName("database", s, primaries), cpus: [dbCPU + s],
                                  pools: [dbConnections + s]))
            }
            databaseComponent = components[0]
            if let shardRouter { a.route(shardRouter, over: components) }
            if let fanOutRouter { a.route(fanOutRouter, over: components) }
        }
        if let cache, let c = stage.cache {
            cacheComponents = (0..<c.nodes).map { j in
                a.component(.init(name: ModelAssembler.instanceName("cache", j, c.nodes),
                                  cacheParts: [.init(cache: cache, node: j, nodes: c.nodes)]))
            }
        }
        edgeComponents = zip(workload.regions, edges).map { region, edge in
            a.component(.init(name: "cdn.\(region.name)", cacheParts: [.init(cache: edge)]))
        }
        if let webRouter, let web = stage.webHosts {
            webComponents = (0..<web.instances).map { i in
                a.component(.init(name: ModelAssembler.instanceName("web", i, web.instances), cpus: [webCPU + i]))
            }
            a.route(webRouter, over: webComponents)
        }
    }

    /// The stage's faults on the components; one on a component the stage lacks is left out.
    mutating func addFaults() {
        for fault in stage.faults {
            let component: Int?
            switch fault.target {
            case .api(let i): component = apiComponents.indices.contains(i) ? apiComponents[i] : nil
            case .database: component = databaseComponent
            case .replica(let j): component = replicaComponents.indices.contains(j) ? replicaComponents[j] : nil
            case .cache(let node): component = cacheComponents.indices.contains(node) ? cacheComponents[node] : nil
            case .cdn(let region):
                component = workload.regions.firstIndex { $0.name == region }
                    .flatMap { edgeComponents.indices.contains($0) ? edgeComponents[$0] : nil }
            case .web(let i): component = webComponents.indices.contains(i) ? webComponents[i] : nil
            case .websocket(let i): component = ws.components.indices.contains(i) ? ws.components[i] : nil
            }
            if let component { a.fault(.init(component: component, at: fault.at, duration: fault.duration)) }
        }
    }

    static func rateProfile(_ profile: ArchitectureScenario.Profile, duration: Double) -> Model.RateProfile {
        switch profile.shape {
        case .points(let points):
            return Model.RateProfile(points: points.map { .init(time: $0.at, factor: $0.factor) })
        case let .spike(at, factor, length, ramp):
            return .spike(at: at, factor: factor, length: length, ramp: ramp)
        case let .daily(peak, trough, peakAt, period):
            return .daily(peak: peak, trough: trough, peakAt: peakAt, period: period, until: duration)
        }
    }

    static func retryPolicy(_ r: ArchitectureScenario.Retries) -> Model.RetryPolicy {
        Model.RetryPolicy(attempts: r.attempts, backoff: r.backoff, multiplier: r.multiplier, cap: r.cap,
                          jitter: r.jitter, budget: r.budget, budgetBurst: r.budgetBurst)
    }

    static func healthCheck(_ h: ArchitectureScenario.Stage.HealthCheck) -> Model.HealthCheck {
        Model.HealthCheck(interval: h.interval, unhealthyThreshold: h.unhealthyThreshold,
                          healthyThreshold: h.healthyThreshold)
    }

    /// `initial` instances at the start; the bounds widen to take it (see `compile`).
    static func autoscaling(_ s: ArchitectureScenario.Stage.Autoscaling, initial: Int) -> Model.Autoscaling {
        let metric: Model.Autoscaling.Metric = switch s.metric {
        case .cpu: .cpu
        case .requestsPerInstance: .requestsPerInstance
        case .connections: .inFlightPerInstance
        }
        return Model.Autoscaling(metric: metric, target: s.target,
                          minimum: min(s.minimum, initial), maximum: max(s.maximum, initial), initial: initial,
                          interval: s.interval, cooldown: s.cooldown, provisioningDelay: s.provisioningDelay)
    }

    /// The time to move `bytes` at `bandwidth` bytes per second.
    static func transfer(_ bytes: Double, _ bandwidth: Double) -> Distribution {
        .deterministic(value: bandwidth > 0 ? bytes / bandwidth : 0)
    }

    mutating func emitProgram(_ c: ArchitectureScenario.RequestClass, region g: Int) {
        let region = workload.regions[g]
        let prefix = "class:\(c.name)"
        let bytes = c.requestBytes + c.responseBytes

        // Images from the edge near the user once a CDN (and object storage) exist.
        if c.kind == .image, !edges.isEmpty, let cdn = stage.cdn, let storage = stage.objectStorage {
            let edgeLatency = cdn.edgeLatency ?? region.latencyToEdge
            a.use(.delay(edgeDelay), .deterministic(value: 2 * edgeLatency), stream: "const")
            let hit = a.newLabel()
            a.lookup(cache: edges[g], hit: hit)
            a.use(.delay(originDelay), .deterministic(value: 2 * cdn.originFetchLatency + storage.latency), stream: "const")
            a.use(.cpu(storageLink), Self.transfer(c.responseBytes, storage.bandwidth), stream: "const")
            a.emit(.fill(cache: edges[g]))
            a.place(hit)
            return
        }

        a.use(.delay(network), .deterministic(value: region.latencyToDataCentre), stream: "const")

        // The web client's files from their own hosts once they exist.
        if c.kind == .staticAsset, let web = stage.webHosts, let router = webRouter {
            if let lbDelay { a.use(.delay(lbDelay), .deterministic(value: 2 * stage.loadBalancer!.latency), stream: "const") }
            a.emit(.route(router: router))
            a.use(.cpu(webCPU), web.cpuPerRequest, stream: "\(prefix):web cpu", on: router)
            a.emit(.leave(router: router))
            a.use(.delay(network), .deterministic(value: region.latencyToDataCentre), stream: "const")
            return
        }

        // An upload goes straight to object storage once it exists; the API records it.
        var bytesThroughAPI = bytes
        if c.kind == .upload, let storage = stage.objectStorage, let storageDelay {
            a.use(.delay(storageDelay), .deterministic(value: storage.latency), stream: "const")
            a.use(.cpu(storageLink), Self.transfer(c.requestBytes, storage.bandwidth), stream: "const")
            bytesThroughAPI = 0
        }

        // The API: the worker is held from here until the response is sent.
        if let lbDelay { a.use(.delay(lbDelay), .deterministic(value: 2 * stage.loadBalancer!.latency), stream: "const") }
        a.emit(.route(router: apiRouter))
        a.emit(.acquire(pool: apiWorkers, on: apiRouter))
        a.use(.cpu(apiCPU), c.apiCpu, stream: "\(prefix):api cpu", on: apiRouter)
        if let requesterKeys, c.cacheKey == .none, Self.queriesByKey(c) { a.emit(.drawKey(cache: requesterKeys)) }

        let afterReads = a.newLabel()
        if c.cacheKey != .none, let cache, let cacheConfig = stage.cache {
            a.use(.delay(cacheDelay), .deterministic(value: 2 * cacheConfig.latency), stream: "const")
            a.lookup(cache: cache, hit: afterReads)
            let filling = a.newLabel()
            emitCostlyKeyReads(c, prefix: prefix, cache: cache, then: filling)
            emitReads(c, prefix: prefix)
            a.place(filling)
            a.use(.delay(cacheDelay), .deterministic(value: 2 * cacheConfig.latency), stream: "const")
            a.emit(.fill(cache: cache))
        } else if c.cacheKey != .none, let keySource {
            a.emit(.drawKey(cache: keySource))
            let done = a.newLabel()
            emitCostlyKeyReads(c, prefix: prefix, cache: keySource, then: done)
            emitReads(c, prefix: prefix)
            a.place(done)
        } else {
            emitReads(c, prefix: prefix)
        }
        a.place(afterReads)
        for _ in 0..<c.dbWrites {
            if let shardRouter {
                a.emit(.routeByKey(router: shardRouter))
                emitQuery(cpu: dbCPU, connections: dbConnections, on: shardRouter, c.writeCpu, stream: "\(prefix):write cpu")
                a.emit(.leave(router: shardRouter))
            } else {
                emitQuery(cpu: dbCPU, connections: dbConnections, on: nil, c.writeCpu, stream: "\(prefix):write cpu")
            }
        }
        a.use(.cpu(apiLink), Self.transfer(bytesThroughAPI, stage.api.networkBandwidth), stream: "const", on: apiRouter)
        a.emit(.release(pool: apiWorkers, on: apiRouter))
        a.emit(.leave(router: apiRouter))
        a.use(.delay(network), .deterministic(value: region.latencyToDataCentre), stream: "const")
    }

    /// A hot key that costs more to fetch takes its own query, then the usual reads, and
    /// continues at `then`; any other key goes on to the step after these.
    mutating func emitCostlyKeyReads(_ c: ArchitectureScenario.RequestClass, prefix: String, cache: Int,
                                     then: ModelAssembler.Label) {
        for (key, hot) in workload.hotKeys.enumerated() {
            guard let work = hot.queryCpu else { continue }
            let block = a.newLabel(), skip = a.newLabel()
            a.ifKey(cache: cache, key: key, to: block)
            a.jump(to: skip)
            a.place(block)
            emitRead(work, stream: "hot key:\(hot.name):query cpu")
            emitReads(c, prefix: prefix)
            a.jump(to: then)
            a.place(skip)
        }
    }

    /// Whether a class's queries go to the shard of a key: its writes, and its reads unless
    /// they fan out.
    static func queriesByKey(_ c: ArchitectureScenario.RequestClass) -> Bool {
        c.dbWrites > 0 || (c.dbReads > 0 && c.shardFanOut == .shards(1))
    }

    mutating func emitReads(_ c: ArchitectureScenario.RequestClass, prefix: String) {
        guard let fanOutRouter, let shards = stage.database.shards, c.shardFanOut != .shards(1), c.dbReads > 0 else {
            for _ in 0..<c.dbReads { emitRead(c.queryCpu, stream: "\(prefix):query cpu") }
            return
        }
        // A fan-out: the reads run on each of several shards at once, and the request waits
        // for the slowest.
        let branches: Int
        switch c.shardFanOut {
        case .all: branches = shards.count
        case .shards(let k): branches = min(k, shards.count)
        }
        let joined = a.newLabel()
        a.fork(router: fanOutRouter, branches: branches, then: joined)
        for _ in 0..<c.dbReads { emitShardRead(of: fanOutRouter, c.queryCpu, stream: "\(prefix):query cpu") }
        a.emit(.leave(router: fanOutRouter))
        a.emit(.join)
        a.place(joined)
    }

    /// One SELECT: on a replica when there are replicas, else on the primary; on a sharded
    /// database, those of the shard of the request's key.
    mutating func emitRead(_ work: Distribution?, stream: String) {
        if let shardRouter {
            a.emit(.routeByKey(router: shardRouter))
            emitShardRead(of: shardRouter, work, stream: stream)
            a.emit(.leave(router: shardRouter))
        } else if let replicaRouter {
            a.emit(.route(router: replicaRouter))
            emitQuery(cpu: replicaCPU, connections: replicaConnections, on: replicaRouter, work, stream: stream)
            a.emit(.leave(router: replicaRouter))
        } else {
            emitQuery(cpu: dbCPU, connections: dbConnections, on: nil, work, stream: stream)
        }
    }

    /// One SELECT on the shard that `router` chose: on one of its replicas, else its primary.
    mutating func emitShardRead(of router: Int, _ work: Distribution?, stream: String) {
        if let replicaRouter {
            a.emit(.routeWithin(router: replicaRouter, group: router))
            emitQuery(cpu: replicaCPU, connections: replicaConnections, on: replicaRouter, work, stream: stream)
            a.emit(.leave(router: replicaRouter))
        } else {
            emitQuery(cpu: dbCPU, connections: dbConnections, on: router, work, stream: stream)
        }
    }

    /// One query: hold a connection over the round trip and the query's CPU time.
    mutating func emitQuery(cpu: Int, connections: Int, on router: Int?, _ work: Distribution?, stream: String) {
        a.emit(.acquire(pool: connections, on: router))
        a.use(.delay(dbNetwork), .deterministic(value: 2 * stage.database.latencyFromApi), stream: "const")
        if let work { a.use(.cpu(cpu), work, stream: stream, on: router) }
        a.emit(.release(pool: connections, on: router))
    }
}
