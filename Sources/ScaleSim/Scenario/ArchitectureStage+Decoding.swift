/// Decodes one stage (inheritance already merged) and its components, with their defaults.
struct StageDecoder {
    typealias Stage = ArchitectureScenario.Stage
    /// One-way latency of a network hop inside one data centre: 0.25 ms (a 0.5 ms round trip).
    static let defaultHopLatency = 0.000_25
    /// API bandwidth per instance: 1 Gbit/s.
    static let defaultNetworkBandwidth = 125e6
    /// API workers per core.
    static let defaultWorkersPerCore = 4
    /// Database connections: PostgreSQL's default `max_connections`.
    static let defaultConnections = 100
    /// Object storage time to first byte (S3-like) and bandwidth of one transfer.
    static let defaultObjectLatency = 0.02
    static let defaultObjectBandwidth = 100e6
    /// CDN TTL: one day, CloudFront's default.
    static let defaultCDNTTL = 86_400.0
    /// One-way latency from a CDN edge to the data centre.
    static let defaultOriginFetchLatency = 0.05
    static let maximumCount = 1_000_000

    let log: IssueLog
    let slo: ArchitectureScenario.SLO
    let workload: ArchitectureScenario.Workload?

    private var time: NumberRule { NumberRule.nonNegative.limited(to: ArchitectureScenario.maximumSeconds) }

    func stage(_ reader: JSONReader) -> Stage? {
        guard let object = reader.object(allowedKeys: StageResolver.stageKeys, expected: "a stage object") else { return nil }
        let name = object.required("name")?.string()
        let extends = object.optional("extends")?.string()
        let users = object.optional("users").map { $0.wholeNumber(minimum: 1, maximum: ArchitectureScenario.maximumUsers) }
            ?? workload?.users
        let slo = ArchitectureDecoder(log: log).readSLO(object.optional("slo"), base: slo)

        let hostReader = object.optional("host")
        let onHost = hostReader != nil
        let host = hostReader.map(readHost)
        let api = object.required("api").flatMap { readAPI($0, onHost: onHost, hostCores: host??.cores) }
        let loadBalancer = object.optional("loadBalancer").map(readLoadBalancer)
        let webHosts = object.optional("webHosts").map(readWebHosts)
        let database = object.required("database").flatMap { readDatabase($0, onHost: onHost, hostCores: host??.cores) }
        if onHost, let replicas = object.optional("replicas") {
            replicas.report(#"read replicas need the database on its own host; remove "host" ("host": null) first"#)
        }
        let replicas = onHost ? nil : object.optional("replicas").map { readReplicas($0, database: database) }
        let cache = object.optional("cache").map(readCache)
        let objectStorage = object.optional("objectStorage").map(readObjectStorage)
        let cdn = object.optional("cdn").map(readCDN)
        let websockets = object.optional("websockets").map(readWebSockets)
        if let workload, workload.realtime == nil, let reader = object.optional("websockets") {
            reader.report(#"a websocket service needs "realtime" in the workload (the connections it holds)"#)
        }
        let profile = readProfile(object)
        let faults = object.optional("faults").map { reader in
            readFaults(reader, targets: FaultTargets(
                api: api.map { .count($0.autoscaling?.maximum ?? $0.instances) } ?? .unknown,
                apiScales: api?.autoscaling != nil, onHost: onHost,
                replicas: Self.extent(replicas) { $0.count }, cacheNodes: Self.extent(cache) { $0.nodes },
                webHosts: Self.extent(webHosts) { $0.instances }, cdn: Self.extent(cdn) { (_: Stage.CDN) in 1 },
                regions: workload?.regions.map(\.name),
                websockets: Self.extent(websockets) { ws in ws.autoscaling.map { max($0.maximum, ws.instances) } ?? ws.instances }))
        }

        if let api, api.instances > 1, loadBalancer == nil, let instances = object.optional("api").flatMap({ JSONObjectReader.member($0, "instances") }) {
            instances.report("\(api.instances) API instances need a \"loadBalancer\" in front of them")
        }
        if case let webHosts?? = webHosts, webHosts.instances > 1, loadBalancer == nil,
           let instances = object.optional("webHosts").flatMap({ JSONObjectReader.member($0, "instances") }) {
            instances.report("\(webHosts.instances) web hosts need a \"loadBalancer\" in front of them")
        }
        if let cdnReader = object.optional("cdn"), objectStorage == nil {
            cdnReader.report(#"a CDN needs "objectStorage" as its origin"#)
        }
        if api?.autoscaling != nil, loadBalancer == nil,
           let autoscaling = object.optional("api").flatMap({ JSONObjectReader.member($0, "autoscaling") }) {
            autoscaling.report(#"autoscaling needs a "loadBalancer" to spread requests over the instances"#)
        }

        guard let name, let users, let slo, let api, let database, let profile else { return nil }
        guard let host = unwrap(host), let loadBalancer = unwrap(loadBalancer), let webHosts = unwrap(webHosts),
              let replicas = unwrap(replicas), let cache = unwrap(cache), let objectStorage = unwrap(objectStorage),
              let cdn = unwrap(cdn), let faults = unwrap(faults), let websockets = unwrap(websockets) else { return nil }
        if api.autoscaling != nil, loadBalancer == nil { return nil }
        return Stage(name: name, extends: extends, users: users, slo: slo, notes: object.notes(), host: host,
                     api: api, loadBalancer: loadBalancer, webHosts: webHosts, database: database, replicas: replicas,
                     cache: cache, objectStorage: objectStorage, cdn: cdn, profile: profile, faults: faults ?? [],
                     websockets: websockets)
    }

    /// The stage's `profile`: its own, none when it says `null`, else the workload's.
    /// Returns nil when rejected, `.some(nil)` for no profile.
    private func readProfile(_ object: JSONObjectReader) -> ArchitectureScenario.Profile?? {
        if object.members.contains(where: { $0.key == "profile" && $0.value == .null }) { return .some(nil) }
        guard let reader = object.optional("profile") else { return .some(workload?.profile) }
        return ArchitectureDecoder(log: log).readProfile(reader).map { .some($0) }
    }

    /// How many of an optional component the stage has, for the faults that name it.
    private static func extent<T>(_ component: T??, _ count: (T) -> Int) -> FaultTargets.Extent {
        switch component {
        case .none: return .absent
        case .some(.none): return .unknown
        case .some(.some(let value)): return .count(count(value))
        }
    }

    /// For an optional component: nil (absent) → `.some(nil)`; `.some(nil)` (rejected) → nil.
    private func unwrap<T>(_ value: T??) -> T?? {
        switch value {
        case .none: return .some(nil)
        case .some(.none): return nil
        case .some(.some(let component)): return .some(component)
        }
    }

    // MARK: Components

    func readHost(_ reader: JSONReader) -> Stage.Host? {
        guard let object = reader.object(allowedKeys: ["cores", "costPerHour", "notes"]) else { return nil }
        let cores = object.required("cores")?.wholeNumber(minimum: 1, maximum: Self.maximumCount)
        let cost = object.cost("costPerHour")
        guard let cores, let cost else { return nil }
        return Stage.Host(cores: cores, costPerHour: cost, notes: object.notes())
    }

    func readAPI(_ reader: JSONReader, onHost: Bool, hostCores: Int?) -> Stage.API? {
        let hostNote = #"not allowed while the stage has a "host": the API uses the host's cores (set host.cores, or remove the host with "host": null)"#
        let scalingNote = #"not allowed while the stage has a "host": one machine does not scale (remove the host with "host": null)"#
        guard let object = reader.object(
            allowedKeys: ["instances", "workersPerInstance", "backlog", "networkBandwidth", "costPerInstancePerHour", "notes"]
                + (onHost ? [] : ["coresPerInstance", "autoscaling"]),
            misplacedKeys: onHost ? ["coresPerInstance": hostNote, "autoscaling": scalingNote] : [:]) else { return nil }
        let instances = object.count("instances", default: 1, minimum: 1, maximum: Self.maximumCount)
        if onHost, let instances, instances > 1, let reader = object.optional("instances") {
            reader.report("must be 1 while the stage has a \"host\" (one machine), got \(instances)")
        }
        let cores = onHost ? hostCores : object.required("coresPerInstance", note: "(or give the stage a \"host\")")?
            .wholeNumber(minimum: 1, maximum: Self.maximumCount)
        let workers = object.optional("workersPerInstance").map { $0.wholeNumber(minimum: 1, maximum: Self.maximumCount) }
        let backlog = object.optional("backlog").map { $0.wholeNumber(minimum: 0, maximum: Self.maximumCount) }
        let bandwidth = object.optional("networkBandwidth", default: Self.defaultNetworkBandwidth) {
            $0.bandwidth(NumberRule.positive.limited(to: 1e15))
        }
        let cost = object.cost("costPerInstancePerHour")
        let autoscaling = onHost ? nil : object.optional("autoscaling").map {
            readAutoscaling($0, instances: instances, instancesReader: object.optional("instances"))
        }
        guard let instances, let cores, let bandwidth, let cost else { return nil }
        if let workers, workers == nil { return nil }
        if let backlog, backlog == nil { return nil }
        if let autoscaling, autoscaling == nil { return nil }
        return Stage.API(instances: instances, coresPerInstance: cores,
                         workersPerInstance: (workers ?? nil) ?? Self.defaultWorkersPerCore * cores,
                         networkBandwidth: bandwidth, costPerInstancePerHour: cost, notes: object.notes(),
                         autoscaling: autoscaling ?? nil, backlog: backlog ?? nil)
    }

    func readLoadBalancer(_ reader: JSONReader) -> Stage.LoadBalancer? {
        guard let object = reader.object(allowedKeys: ["policy", "latency", "costPerHour", "healthCheck", "notes"]) else { return nil }
        typealias Policy = Stage.LoadBalancer.Policy
        let policy = object.optional("policy", default: Policy.roundRobin.rawValue) { $0.choice(Policy.allCases.map(\.rawValue)) }
            .flatMap(Policy.init(rawValue:))
        let latency = object.optional("latency", default: Self.defaultHopLatency) { $0.time(time) }
        let cost = object.cost("costPerHour")
        let healthCheck = object.optional("healthCheck").map(readHealthCheck)
        guard let policy, let latency, let cost else { return nil }
        if let healthCheck, healthCheck == nil { return nil }
        return Stage.LoadBalancer(policy: policy, latency: latency, costPerHour: cost, notes: object.notes(),
                                  healthCheck: healthCheck ?? nil)
    }

    func readWebHosts(_ reader: JSONReader) -> Stage.WebHosts? {
        guard let object = reader.object(allowedKeys: ["instances", "coresPerInstance", "cpuPerRequest",
                                                       "costPerInstancePerHour", "notes"]) else { return nil }
        let instances = object.count("instances", default: 1, minimum: 1, maximum: Self.maximumCount)
        let cores = object.count("coresPerInstance", default: 1, minimum: 1, maximum: Self.maximumCount)
        let cpu = object.required("cpuPerRequest")?.work()
        let cost = object.cost("costPerInstancePerHour")
        guard let instances, let cores, let cpu, let cost else { return nil }
        return Stage.WebHosts(instances: instances, coresPerInstance: cores, cpuPerRequest: cpu,
                              costPerInstancePerHour: cost, notes: object.notes())
    }

    func readDatabase(_ reader: JSONReader, onHost: Bool, hostCores: Int?) -> Stage.Database? {
        let hostNote = #"not allowed while the stage has a "host": the database runs on it (remove the host with "host": null to give the database its own)"#
        let hostOnly = ["cores", "latencyFromApi", "shards"]
        guard let object = reader.object(
            allowedKeys: ["connections", "costPerHour", "notes"] + (onHost ? [] : hostOnly),
            misplacedKeys: onHost ? Dictionary(uniqueKeysWithValues: hostOnly.map { ($0, hostNote) }) : [:]) else { return nil }
        let cores = onHost ? hostCores : object.required("cores", note: "(or give the stage a \"host\")")?
            .wholeNumber(minimum: 1, maximum: Self.maximumCount)
        let connections = object.count("connections", default: Self.defaultConnections, minimum: 1, maximum: Self.maximumCount)
        let latency = onHost ? 0 : object.optional("latencyFromApi", default: Self.defaultHopLatency) { $0.time(time) }
        let cost = object.cost("costPerHour")
        let shards = onHost ? nil : object.optional("shards").map(readShards)
        guard let cores, let connections, let latency, let cost else { return nil }
        if let shards, shards == nil { return nil }
        return Stage.Database(cores: cores, connections: connections, sharesApiHost: onHost, latencyFromApi: latency,
                              costPerHour: cost, notes: object.notes(), shards: shards ?? nil)
    }

    /// Most shards: a fork waits for at most this many branches.
    static let maximumShards = 1_024

    func readShards(_ reader: JSONReader) -> Stage.Shards? {
        guard let object = reader.object(allowedKeys: ["count", "placement", "notes"]) else { return nil }
        let count = object.required("count", note: "(the number of shards)")?.wholeNumber(minimum: 1, maximum: Self.maximumShards)
        let placement = object.optional("placement", default: Stage.Shards.Placement.hash.rawValue) {
            $0.choice(Stage.Shards.Placement.allCases.map(\.rawValue))
        }.flatMap(Stage.Shards.Placement.init(rawValue:))
        guard let count, let placement else { return nil }
        return Stage.Shards(count: count, placement: placement, notes: object.notes())
    }

    func readReplicas(_ reader: JSONReader, database: Stage.Database?) -> Stage.Replicas? {
        guard let object = reader.object(allowedKeys: ["count", "coresEach", "connectionsEach", "replicationLag",
                                                       "costPerReplicaPerHour", "healthCheck", "notes"]) else { return nil }
        let count = object.required("count")?.wholeNumber(minimum: 1, maximum: Self.maximumCount)
        let cores = object.optional("coresEach").map { $0.wholeNumber(minimum: 1, maximum: Self.maximumCount) }
        let connections = object.optional("connectionsEach").map { $0.wholeNumber(minimum: 1, maximum: Self.maximumCount) }
        let lag = object.optional("replicationLag", default: 0) { $0.time(time) }
        let cost = object.cost("costPerReplicaPerHour")
        let healthCheck = object.optional("healthCheck").map(readHealthCheck)
        guard let count, let lag, let cost, let database else { return nil }
        guard let coresEach = cores ?? database.cores, let connectionsEach = connections ?? database.connections else { return nil }
        if let healthCheck, healthCheck == nil { return nil }
        return Stage.Replicas(count: count, coresEach: coresEach, connectionsEach: connectionsEach,
                              replicationLag: lag, costPerReplicaPerHour: cost, notes: object.notes(),
                              healthCheck: healthCheck ?? nil)
    }

    func readCache(_ reader: JSONReader) -> Stage.Cache? {
        guard let object = reader.object(allowedKeys: ["nodes", "ttl", "capacityPerNode", "latency",
                                                       "costPerNodePerHour", "coalesce", "notes"]) else { return nil }
        let nodes = object.count("nodes", default: 1, minimum: 1, maximum: Self.maximumCount)
        let ttl = object.required("ttl", note: "(seconds an entry lives; 0 caches nothing)")?.time(time)
        let capacity = object.optional("capacityPerNode").map { $0.wholeNumber(minimum: 1, maximum: 1_000_000_000) }
        let latency = object.optional("latency", default: Self.defaultHopLatency) { $0.time(time) }
        let cost = object.cost("costPerNodePerHour")
        let coalesce = object.optional("coalesce", default: false) { $0.bool() }
        guard let nodes, let ttl, let latency, let cost, let coalesce else { return nil }
        if let capacity, capacity == nil { return nil }
        return Stage.Cache(nodes: nodes, ttl: ttl, capacityPerNode: capacity ?? nil, latency: latency,
                           costPerNodePerHour: cost, notes: object.notes(), coalesce: coalesce)
    }

    func readObjectStorage(_ reader: JSONReader) -> Stage.ObjectStorage? {
        guard let object = reader.object(allowedKeys: ["latency", "bandwidth", "costPerHour", "notes"]) else { return nil }
        let latency = object.optional("latency", default: Self.defaultObjectLatency) { $0.time(time) }
        let bandwidth = object.optional("bandwidth", default: Self.defaultObjectBandwidth) {
            $0.bandwidth(NumberRule.positive.limited(to: 1e15))
        }
        let cost = object.cost("costPerHour")
        guard let latency, let bandwidth, let cost else { return nil }
        return Stage.ObjectStorage(latency: latency, bandwidth: bandwidth, costPerHour: cost, notes: object.notes())
    }

    func readCDN(_ reader: JSONReader) -> Stage.CDN? {
        guard let object = reader.object(allowedKeys: ["ttl", "capacityPerEdge", "edgeLatency", "originFetchLatency",
                                                       "costPerHour", "notes"]) else { return nil }
        let ttl = object.optional("ttl", default: Self.defaultCDNTTL) { $0.time(time) }
        let capacity = object.optional("capacityPerEdge").map { $0.wholeNumber(minimum: 1, maximum: 1_000_000_000) }
        let edgeLatency = object.optional("edgeLatency").map { $0.time(time) }
        let origin = object.optional("originFetchLatency", default: Self.defaultOriginFetchLatency) { $0.time(time) }
        let cost = object.cost("costPerHour")
        guard let ttl, let origin, let cost else { return nil }
        if let capacity, capacity == nil { return nil }
        if let edgeLatency, edgeLatency == nil { return nil }
        return Stage.CDN(ttl: ttl, capacityPerEdge: capacity ?? nil, edgeLatency: edgeLatency ?? nil,
                         originFetchLatency: origin, costPerHour: cost, notes: object.notes())
    }
}

extension JSONObjectReader {
    /// The member `key` of the object at `reader`, without recording anything (nil when
    /// `reader` is not an object or has no such member).
    static func member(_ reader: JSONReader, _ key: String) -> JSONReader? {
        guard case .object(let members) = reader.value else { return nil }
        return JSONObjectReader(members: members, path: reader.path, log: reader.log).optional(key)
    }
}
