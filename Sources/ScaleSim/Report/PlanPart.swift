/// A partial result of a sharded plan (`scalesim plan --shard I/N`): the simulations of one
/// shard, with what `scalesim merge` needs to check that parts belong together and to rebuild
/// the plan, byte for byte as one process writes it.
///
/// A plan's search is analytic and the same in every shard (milliseconds an evaluation); its
/// simulations (`Planner.simulationTargets`: the scenario's stage, the plan, the runners-up)
/// are what takes time, and they are independent: a shard simulates the targets whose index
/// `i` has `i % N == I - 1`. Merge runs the search again from the scenario file (which must
/// hash to the parts' `fileHash`) and applies the parts' verdicts (`Planner.applying`).
///
/// The file (`plan.part-I-of-N.json`) is a JSON object:
/// - `kind`: `"plan-part"`; `format`: `PlanPart.formatVersion`; `version`: scalesim's;
/// - `file`: the scenario file as the command named it (where merge reads it by default);
///   `fileHash`: `fnv1a64:` and the 16 hex digits of the FNV-1a 64 hash of its bytes;
/// - `request`: `{users, stage, stageName, slo: {p99, errorRate}, headroom, grid}` (`grid`: the
///   values the search tries, `PlanGrid`'s fields);
/// - `shard`: `{index, count}` (from 1); `targets`: how many candidates the whole plan simulates;
/// - `simulations`: the shard's, in index order, each `{index, knobs, verified}` with
///   `verified` `{p99, errorRate, met}` or null (no request completed).
///
/// Numbers are exact, as in `SweepPart`.
public struct PlanPart: Sendable {
    /// Raised when the layout of the file changes; merge refuses other versions.
    public static let formatVersion = 1

    /// One simulated candidate: its place among the plan's targets, its knobs (merge checks
    /// them against its own search) and the simulation's verdict.
    public struct Simulation: Sendable, Hashable {
        public var index: Int
        public var knobs: PlanKnobs
        public var verified: PlanVerification?
        public init(index: Int, knobs: PlanKnobs, verified: PlanVerification?) {
            self.index = index; self.knobs = knobs; self.verified = verified
        }
    }

    public var version: String
    public var file: String
    public var fileHash: String
    public var request: PlanRequest
    /// The stage's name, for people and for messages (the request names it by index).
    public var stageName: String
    public var shard: SweepShard
    public var targets: Int
    public var simulations: [Simulation]

    public init(version: String = ScaleSimVersion.current, file: String, fileHash: String, request: PlanRequest,
                stageName: String, shard: SweepShard, targets: Int, simulations: [Simulation]) {
        self.version = version
        self.file = file
        self.fileHash = fileHash
        self.request = request
        self.stageName = stageName
        self.shard = shard
        self.targets = targets
        self.simulations = simulations.sorted { $0.index < $1.index }
    }

    /// `plan.part-2-of-4.json`.
    public static func fileName(_ shard: SweepShard) -> String { "plan.part-\(shard.index)-of-\(shard.count).json" }

    /// Runs the search, then simulates only `shard`'s targets.
    ///
    /// - Parameters:
    ///   - result: the analytic plan (`Planner.plan`).
    ///   - file, fileHash: the scenario file as named and its hash (`SweepPart.hash`).
    public static func simulate(_ result: PlanResult, shard: SweepShard, file: String, fileHash: String, jobs: Int,
                                limits: EngineLimits = EngineLimits(), control: RunControl? = nil) -> PlanPart {
        let targets = Planner.simulationTargets(result)
        let simulations = shard.indices(of: targets.count).map { i in
            Simulation(index: i, knobs: targets[i].knobs,
                       verified: Planner.simulate(targets[i], of: result, jobs: jobs, limits: limits, control: control))
        }
        return PlanPart(file: file, fileHash: fileHash, request: result.request, stageName: result.stageName,
                        shard: shard, targets: targets.count, simulations: simulations)
    }

    var requestJSON: JSONValue {
        .object([
            .init("users", .number(Double(request.users))),
            .init("stage", .number(Double(request.stage))),
            .init("stageName", .string(stageName)),
            .init("slo", .object([.init("p99", request.slo.p99.map(SweepPart.exact) ?? .null),
                                  .init("errorRate", request.slo.errorRate.map(SweepPart.exact) ?? .null)])),
            .init("headroom", SweepPart.exact(request.headroom)),
            .init("grid", Self.gridJSON(request.grid)),
        ])
    }

    static func gridJSON(_ g: PlanGrid) -> JSONValue {
        func ints(_ a: [Int]) -> JSONValue { .array(a.map { .number(Double($0)) }) }
        return .object([
            .init("databaseCores", ints(g.databaseCores)), .init("replicas", ints(g.replicas)),
            .init("cacheNodes", ints(g.cacheNodes)), .init("cacheTTLs", .array(g.cacheTTLs.map(SweepPart.exact))),
            .init("workerFactors", ints(g.workerFactors)), .init("toggleCDN", .bool(g.toggleCDN)),
            .init("maximumInstances", .number(Double(g.maximumInstances))),
        ])
    }

    static func grid(_ json: JSONValue, _ r: SweepPart.Reader) throws(SweepPartError) -> PlanGrid {
        func ints(_ key: String) throws(SweepPartError) -> [Int] {
            try r.array(json, key).map { v throws(SweepPartError) in try r.whole(v, key) }
        }
        var g = PlanGrid()
        g.databaseCores = try ints("databaseCores")
        g.replicas = try ints("replicas")
        g.cacheNodes = try ints("cacheNodes")
        g.cacheTTLs = try r.array(json, "cacheTTLs").map { v throws(SweepPartError) in try r.exact(v, "cacheTTLs") }
        g.workerFactors = try ints("workerFactors")
        g.toggleCDN = try r.bool(json, "toggleCDN")
        g.maximumInstances = try r.int(json, "maximumInstances")
        return g
    }

    public var json: JSONValue {
        .object([
            .init("kind", .string("plan-part")),
            .init("format", .number(Double(Self.formatVersion))),
            .init("version", .string(version)),
            .init("file", .string(file)),
            .init("fileHash", .string(fileHash)),
            .init("request", requestJSON),
            .init("shard", .object([.init("index", .number(Double(shard.index))), .init("count", .number(Double(shard.count)))])),
            .init("targets", .number(Double(targets))),
            .init("simulations", .array(simulations.map(Self.simulationJSON))),
        ])
    }

    static func simulationJSON(_ s: Simulation) -> JSONValue {
        let k = s.knobs
        let knobs: JSONValue = .object([
            .init("apiInstances", .number(Double(k.apiInstances))),
            .init("workersPerInstance", .number(Double(k.workersPerInstance))),
            .init("databaseCores", .number(Double(k.databaseCores))),
            .init("replicas", .number(Double(k.replicas))),
            .init("cacheNodes", .number(Double(k.cacheNodes))),
            .init("cacheTTL", SweepPart.exact(k.cacheTTL)),
            .init("cdn", .bool(k.cdn)),
        ])
        let verified: JSONValue = s.verified.map {
            .object([.init("p99", SweepPart.estimateJSON($0.p99)), .init("errorRate", SweepPart.estimateJSON($0.errorRate)),
                     .init("met", .bool($0.met))])
        } ?? .null
        return .object([.init("index", .number(Double(s.index))), .init("knobs", knobs), .init("verified", verified)])
    }

    /// Whether `bytes` hold a plan part (rather than a sweep part): what `merge` looks at first.
    public static func isPlanPart(_ bytes: [UInt8]) -> Bool { SweepPart.isPart(bytes, kind: "plan-part") }

    /// Reads a part file's bytes.
    ///
    /// - Parameter name: the file's name, for messages.
    /// - Throws: `SweepPartError` saying what is wrong (not JSON, not a plan part, another format).
    public init(bytes: [UInt8], name: String) throws(SweepPartError) {
        let json: JSONValue
        (json, version, file, fileHash) = try SweepPart.header(bytes, name: name, kind: "plan-part", formatVersion: Self.formatVersion,
                                                               what: "a partial plan", writer: "scalesim plan --shard I/N")
        let r = SweepPart.Reader(path: name)
        let q = try r.member(json, "request")
        let rq = SweepPart.Reader(path: name + ": request")
        let slo = try rq.member(q, "slo")
        let rs = SweepPart.Reader(path: name + ": request: slo")
        request = PlanRequest(users: try rq.int(q, "users"), stage: try rq.int(q, "stage"),
                              slo: .init(p99: try rs.optionalDouble(slo, "p99"), errorRate: try rs.optionalDouble(slo, "errorRate")),
                              headroom: try rq.double(q, "headroom"),
                              grid: try Self.grid(try rq.member(q, "grid"), SweepPart.Reader(path: name + ": request: grid")))
        stageName = try rq.string(q, "stageName")
        let shardJSON = try r.member(json, "shard")
        let index = try r.int(shardJSON, "index"), count = try r.int(shardJSON, "count")
        do {
            shard = try SweepShard(index: index, count: count)
        } catch {
            throw r.bad("shard", error.message)
        }
        targets = try r.int(json, "targets")
        var simulations: [Simulation] = []
        for (position, s) in try r.array(json, "simulations").enumerated() {
            let rs = SweepPart.Reader(path: "\(name): simulations[\(position)]")
            let k = try rs.member(s, "knobs")
            let rk = SweepPart.Reader(path: "\(name): simulations[\(position)].knobs")
            let knobs = PlanKnobs(apiInstances: try rk.int(k, "apiInstances"), workersPerInstance: try rk.int(k, "workersPerInstance"),
                                  databaseCores: try rk.int(k, "databaseCores"), replicas: try rk.int(k, "replicas"),
                                  cacheNodes: try rk.int(k, "cacheNodes"), cacheTTL: try rk.double(k, "cacheTTL"),
                                  cdn: try rk.bool(k, "cdn"))
            let v = try rs.member(s, "verified")
            let verified: PlanVerification? = v == .null ? nil
                : PlanVerification(p99: try SweepPart.estimate(v, rs, "p99"), errorRate: try SweepPart.estimate(v, rs, "errorRate"),
                                   met: try rs.bool(v, "met"))
            simulations.append(Simulation(index: try rs.int(s, "index"), knobs: knobs, verified: verified))
        }
        self.simulations = simulations
    }
}
