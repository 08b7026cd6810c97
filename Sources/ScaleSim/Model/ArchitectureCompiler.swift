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
    ///   compared under the same arrivals (common random numbers).
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
    var a: ModelAssembler

    /// Most keys one CDN edge tracks: the image catalogue beyond it is folded onto these keys
    /// (memory stays bounded; the popular images, which decide the hit ratio, are all kept).
    static let maximumEdgeKeys = 200_000

    init(scenario: ArchitectureScenario, stage: ArchitectureScenario.Stage, users: Int) {
        workload = scenario.workload
        self.stage = stage
        self.users = users
        a = ModelAssembler(name: stage.name)
    }

    // Resource indices, filled by `addResources`.
    var network = 0, lbDelay: Int?, apiRouter = 0, apiCPU = 0, apiWorkers = 0, apiLink = 0
    var dbCPU = 0, dbConnections = 0, dbNetwork = 0
    var replicaRouter: Int?, replicaCPU = 0, replicaConnections = 0
    var cache: Int?, cacheDelay = 0
    var webRouter: Int?, webCPU = 0
    var storageDelay: Int?, storageLink = 0
    var edges: [Int] = [], edgeDelay = 0, originDelay = 0

    mutating func compile() -> CompiledStage {
        addResources()
        let rate = workload.requestRate(users: users)
        var mix: [Model.SessionChoice] = []
        for c in workload.classes {
            let classIndex = a.requestClass(c.name, timeout: c.timeout)
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
        let n = stage.api.instances
        apiRouter = a.router("api", policy: stage.loadBalancer.map { Model.Router.Policy(rawValue: $0.policy.rawValue)! } ?? .roundRobin,
                             instances: n, slot: 0)
        if let host = stage.host {
            // One machine: the API and the database share its cores.
            apiCPU = a.cpus("host.cpu", cores: host.cores)
            dbCPU = apiCPU
        } else {
            apiCPU = a.cpus("api.cpu", count: n, cores: stage.api.coresPerInstance)
            dbCPU = a.cpus("db.primary.cpu", cores: stage.database.cores)
        }
        apiWorkers = a.pools("api.workers", count: n, capacity: stage.api.workersPerInstance)
        apiLink = a.cpus("api.network", count: n, cores: 1)
        dbConnections = a.pools("db.primary.connections", capacity: stage.database.connections)
        dbNetwork = a.delays("db.network")
        if let r = stage.replicas, r.count > 0 {
            replicaRouter = a.router("replicas", policy: .roundRobin, instances: r.count, slot: 1)
            replicaCPU = a.cpus("db.replica.cpu", count: r.count, cores: r.coresEach)
            replicaConnections = a.pools("db.replica.connections", count: r.count, capacity: r.connectionsEach)
        }
        // Caches start warm (in their steady state at the stage's lookup rate): the run
        // measures the system in service, not one just switched on.
        let rate = workload.requestRate(users: users)
        if let c = stage.cache {
            let readers = workload.classes.filter { $0.cacheKey != .none }.reduce(0) { $0 + $1.share }
            cache = a.cache(.init(name: "cache", keys: users + workload.hotKeys.count, zipf: workload.userKeys.zipf,
                                  ttl: c.ttl, capacity: c.capacityPerNode.map { $0 * c.nodes },
                                  streamName: "cache:keys", hotShares: workload.hotKeys.map(\.share),
                                  warmLookupRate: rate * readers))
            cacheDelay = a.delays("cache.network")
        }
        if let web = stage.webHosts {
            webRouter = a.router("web", policy: .roundRobin, instances: web.instances, slot: 0)
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

        let afterReads = a.newLabel()
        if c.cacheKey != .none, let cache, let cacheConfig = stage.cache {
            a.use(.delay(cacheDelay), .deterministic(value: 2 * cacheConfig.latency), stream: "const")
            a.lookup(cache: cache, hit: afterReads)
            emitReads(c, prefix: prefix)
            a.use(.delay(cacheDelay), .deterministic(value: 2 * cacheConfig.latency), stream: "const")
            a.emit(.fill(cache: cache))
        } else {
            emitReads(c, prefix: prefix)
        }
        a.place(afterReads)
        for _ in 0..<c.dbWrites {
            emitQuery(cpu: dbCPU, connections: dbConnections, on: nil, c.writeCpu, stream: "\(prefix):write cpu")
        }
        a.use(.cpu(apiLink), Self.transfer(bytesThroughAPI, stage.api.networkBandwidth), stream: "const", on: apiRouter)
        a.emit(.release(pool: apiWorkers, on: apiRouter))
        a.emit(.leave(router: apiRouter))
        a.use(.delay(network), .deterministic(value: region.latencyToDataCentre), stream: "const")
    }

    mutating func emitReads(_ c: ArchitectureScenario.RequestClass, prefix: String) {
        for _ in 0..<c.dbReads {
            if let replicaRouter {
                a.emit(.route(router: replicaRouter))
                emitQuery(cpu: replicaCPU, connections: replicaConnections, on: replicaRouter, c.queryCpu,
                          stream: "\(prefix):query cpu")
                a.emit(.leave(router: replicaRouter))
            } else {
                emitQuery(cpu: dbCPU, connections: dbConnections, on: nil, c.queryCpu, stream: "\(prefix):query cpu")
            }
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
