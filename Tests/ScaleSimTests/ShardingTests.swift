import Foundation
import Testing
@testable import ScaleSim

/// A database split into shards by user id: each shard's load follows the keys it holds.
@Suite struct ShardingTests {
    // MARK: Placement in the engine

    /// `drawKey(keys) -> routeByKey(shards) -> use(cpu[shard], 10 ms) -> leave -> done` at `rate`.
    static func keyedModel(users: Int, hotShares: [Double], zipf: Double, shards: Int,
                           method: Model.KeyPlacement.Method, rate: Double = 40) -> Model {
        var b = ModelBuilder("shards by key")
        b.requestClass("req")
        b.model.caches.append(Model.Cache(name: "keys", keys: users + hotShares.count, zipf: zipf, ttl: 0, capacity: nil,
                                          streamName: "keys", hotShares: hotShares))
        let router = b.router("shards", policy: .roundRobin, instances: shards)
        b.model.routers[router].keyPlacement = Model.KeyPlacement(method: method, users: users, hotKeys: hotShares.count)
        let first = (0..<shards).map { b.cpu("shard[\($0)]", cores: 4, discipline: .ps) }[0]
        let query = b.sampler(.exponential(mean: 0.01), stream: "query")
        let entry = b.program([.drawKey(cache: 0), .routeByKey(router: router),
                               .use(.cpu(first), sampler: query, on: router), .leave(router: router), .done])
        b.open(rate: rate, entry: entry)
        return b.model
    }

    /// Each shard's share of the requests, simulated, against the shares its keys give it
    /// (`KeyPlacement.shares`), and the analytic utilizations against rate × share × work.
    static func expectSharesFollowPlacement(_ model: Model, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) -> [Double] {
        let router = model.routers[0], placement = router.keyPlacement!
        let shares = placement.shares(of: model.caches[0], instances: router.instances)
        EngineCheck.expectClose(shares.reduce(0, +), 1, tolerance: 1e-9, "shares sum to 1", sourceLocation: sourceLocation)
        let results = EngineCheck.replicate(model, seed: seed, duration: 2_000, warmup: 0)
        for (i, share) in shares.enumerated() {
            EngineCheck.expect(EngineCheck.estimate(results) { r in
                Double(r.routers[0].picks[i]) / Double(r.routers[0].picks.reduce(0, +))
            }, share, slack: 0, "\(model.name) \(placement.method): shard \(i) share", seed: seed, sourceLocation: sourceLocation)
        }
        let analytic = ModelAnalytic.solve(model)!
        let rate = { if case .open(_, let rate, _, _) = model.sources[0] { return rate }; return 0 }()
        for (i, share) in shares.enumerated() {
            // The analytic model sums keys in groups of nearly equal popularity (within 0.5%).
            EngineCheck.expectClose(analytic.cpus[i].utilization! / (rate * share * 0.01 / 4), 1, tolerance: 1e-5,
                                    "analytic utilization of shard \(i)", sourceLocation: sourceLocation)
        }
        return shares
    }

    @Test func uniformKeysGiveEqualShards() {
        let seed: UInt64 = 5_201
        print("uniform keys over 8 shards, seed \(seed)")
        // By range, 80,000 users over 8 shards: exactly 1/8 each.
        let byRange = Self.expectSharesFollowPlacement(Self.keyedModel(users: 80_000, hotShares: [], zipf: 0, shards: 8, method: .range),
                                                       seed: seed)
        #expect(byRange.allSatisfy { abs($0 - 0.125) < 1e-12 }, "range shares \(byRange)")
        // By hash: each shard's count of users is binomial(80,000, 1/8) for a good hash: within
        // 4 standard deviations (0.5% of a shard) of 1/8.
        let byHash = Self.expectSharesFollowPlacement(Self.keyedModel(users: 80_000, hotShares: [], zipf: 0, shards: 8, method: .hash),
                                                      seed: seed + 1)
        let sd = (0.125 * 0.875 / 80_000).squareRoot()
        #expect(byHash.allSatisfy { abs($0 - 0.125) < 4 * sd }, "hash shares \(byHash) (sd \(sd))")
    }

    @Test func aHotKeyMakesAHotShard() {
        // A celebrity with 30% of the reads, the other 70% uniform over 40,000 users: the
        // celebrity's shard takes 0.3 plus its part of the rest.
        let seed: UInt64 = 5_202
        print("a hot key over 4 shards, seed \(seed)")
        for method in Model.KeyPlacement.Method.allCases {
            let model = Self.keyedModel(users: 40_000, hotShares: [0.3], zipf: 0, shards: 4, method: method)
            let shares = Self.expectSharesFollowPlacement(model, seed: seed)
            let placement = model.routers[0].keyPlacement!
            let hot = placement.instance(key: 0, of: 4)
            let usersOnHot = (0..<40_000).filter { placement.instance(key: 1 + $0, of: 4) == hot }.count
            EngineCheck.expectClose(shares[hot], 0.3 + 0.7 * Double(usersOnHot) / 40_000, tolerance: 1e-7,
                                    "\(method): the hot shard's share")
            #expect(shares[hot] > 0.45, "\(method): hot shard \(hot) has \(shares[hot])")
        }
        // By range with Zipf popularity the first shard holds the most popular users.
        let zipf = Self.keyedModel(users: 40_000, hotShares: [], zipf: 1, shards: 4, method: .range)
        let shares = Self.expectSharesFollowPlacement(zipf, seed: seed + 2)
        #expect(shares[0] > 0.7 && shares == shares.sorted(by: >), "range over Zipf: \(shares)")
    }

    // MARK: Sharded stages

    /// One stage of 2,000 users sending 200 requests a second: profile reads by user key
    /// (a celebrity takes `hotShare` of them), writes by the requester, and a feed that reads
    /// `fanOut` shards; the database split into 4 shards.
    static func scenario(seed: UInt64, cache: Bool, replicas: Int? = nil, placement: String = "hash", hotShare: Double = 0.3,
                         fanOut: String = "2", classes: String? = nil) throws -> ArchitectureScenario {
        let cacheText = cache ? #", "cache": {"ttl": "30s", "latency": 0}"# : ""
        let replicasText = replicas.map { #", "replicas": {"count": \#($0)}"# } ?? ""
        let text = """
            {"kind": "architecture", "name": "sharded", "seed": \(seed),
             "run": {"duration": 400, "warmup": 40, "replications": 4},
             "workload": {"users": 2000, "activeShare": 1, "requestsPerActiveUserPerMinute": 6,
               "userKeys": {"zipf": 0.8},
               "hotKeys": [{"name": "user:celebrity", "share": \(hotShare)}],
               "classes": \(classes ?? """
                 [{"name": "profile", "share": 0.5, "kind": "api", "apiCpu": "1ms", "cacheKey": "user",
                  "dbReads": 1, "queryCpu": "4ms"},
                 {"name": "post", "share": 0.2, "kind": "api", "apiCpu": "1ms", "dbWrites": 1, "writeCpu": "5ms"},
                 {"name": "feed", "share": 0.3, "kind": "api", "apiCpu": "1ms", "dbReads": 2, "queryCpu": "2ms",
                  "shardFanOut": \(fanOut)}]
                 """)},
             "stages": [{"name": "sharded", "api": {"coresPerInstance": 8, "workersPerInstance": 400},
               "database": {"cores": 2, "connections": 50, "latencyFromApi": "0.5ms",
                            "shards": {"count": 4, "placement": "\(placement)"}}\(replicasText)\(cacheText)}]}
            """
        guard case .architecture(let s) = try Scenario.load(bytes: Array(text.utf8)) else { throw ScenarioError(issues: []) }
        return s
    }

    /// Runs `scenario`'s one stage (printing its seed) and checks every database CPU against
    /// the analytic model (`expectUtilizationsMatch`).
    static func run(_ scenario: ArchitectureScenario, _ what: String, slack: Double,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> ArchitectureReport.StageResult {
        print("\(what), seed \(scenario.seed)")
        let stage = try #require(ArchitectureReport.run(scenario, jobs: 2, capacity: .none).stages.first)
        expectUtilizationsMatch(stage, slack: slack, seed: scenario.seed, sourceLocation: sourceLocation)
        return stage
    }

    /// Every database CPU's simulated utilization against the analytic model's, within the
    /// confidence interval and `slack` (relative) for what the analytic model approximates.
    static func expectUtilizationsMatch(_ stage: ArchitectureReport.StageResult, slack: Double, seed: UInt64,
                                        sourceLocation: SourceLocation = #_sourceLocation) {
        for r in stage.resources where r.name.hasPrefix("db.") && r.kind == "cpu" {
            guard let utilization = r.utilization, let analytic = r.analytic else {
                Issue.record("\(r.name): no utilization or analytic figure", sourceLocation: sourceLocation)
                continue
            }
            EngineCheck.expect(utilization, analytic, slack: slack, "\(stage.name): \(r.name)", seed: seed,
                               sourceLocation: sourceLocation)
        }
    }

    @Test func withoutACacheEachShardCarriesItsKeys() throws {
        // Without a cache the reads go to the shard of the key drawn (the celebrity's takes 30%
        // of them and its part of the rest), writes to the requester's (uniform), the feed to 2
        // of the 4 shards: utilizations are exact rate × work sums, the analytic model's.
        let seed: UInt64 = 5_203
        let s = try Self.scenario(seed: seed, cache: false)
        let stage = try Self.run(s, "a sharded stage without a cache", slack: 0.01)
        let model = s.compile(stage: 0).model
        let placement = try #require(model.routers.first { $0.name == "shards" }?.keyPlacement)
        let read = placement.shares(of: try #require(model.caches.first { $0.name == "user keys (no cache)" }), instances: 4)
        let written = placement.shares(of: try #require(model.caches.first { $0.name == "user keys (requesters)" }), instances: 4)
        let hot = placement.instance(key: 0, of: 4)
        // Per shard: 100 profile reads/s × 4 ms by the key read, 40 posts/s × 5 ms by the
        // requester (every user alike), 60 feeds/s × 2 reads × 2 ms on 2 of the 4; over 2 cores.
        for i in 0..<4 {
            let busy = 100 * read[i] * 0.004 + 40 * written[i] * 0.005 + 60 * 0.5 * 2 * 0.002
            let name = "db.primary.cpu[\(i)]"
            let r = try #require(stage.resources.first { $0.name == name })
            EngineCheck.expect(try #require(r.utilization), busy / 2, slack: 0.01, name, seed: seed)
        }
        #expect(stage.bottleneck == "db.primary.cpu[\(hot)]", "the celebrity's shard \(hot) is the busiest: \(stage.bottleneck ?? "none")")
    }

    @Test func behindACacheTheShardsSeeOnlyTheMisses() throws {
        // With a cache in front the celebrity's key almost always hits: its shard is no longer
        // hot for reads. The analytic model weighs each shard by its keys' misses (the TTL
        // formula per key); the simulation must agree.
        let s = try Self.scenario(seed: 5_204, cache: true)
        let stage = try Self.run(s, "a sharded stage behind a cache", slack: 0.03)
        let hot = s.compile(stage: 0).model.routers.first { $0.name == "shards" }!.keyPlacement!.instance(key: 0, of: 4)
        let utilizations = (0..<4).map { i in stage.resources.first { $0.name == "db.primary.cpu[\(i)]" }!.utilization!.mean }
        #expect(utilizations[hot] < 1.5 * utilizations.min()!, "behind a cache the hot shard evens out: \(utilizations)")
    }

    @Test func writesAfterACacheHitGoToTheKeysShard() throws {
        // A like reads the post (cached under its owner's key) and writes on the owner's shard,
        // hit or miss: the celebrity's shard takes 30% of the writes and its part of the rest,
        // although the cache spares it the reads.
        let likes = """
            [{"name": "like", "share": 1, "kind": "api", "apiCpu": "1ms", "cacheKey": "user",
              "dbReads": 1, "queryCpu": "1ms", "dbWrites": 1, "writeCpu": "6ms"}]
            """
        let s = try Self.scenario(seed: 5_206, cache: true, classes: likes)
        let stage = try Self.run(s, "writes after a cache lookup", slack: 0.03)
        let model = s.compile(stage: 0).model
        let placement = try #require(model.routers.first { $0.name == "shards" }?.keyPlacement)
        let written = placement.shares(of: try #require(model.caches.first { $0.name == "cache" }), instances: 4)
        let hot = placement.instance(key: 0, of: 4)
        #expect(stage.bottleneck == "db.primary.cpu[\(hot)]" && written[hot] > 0.4,
                "the celebrity's shard \(hot) (\(written[hot]) of the writes) is the busiest: \(stage.bottleneck ?? "none")")
    }

    @Test func replicasAreTheirShardsOwn() throws {
        // Two replicas per shard: a shard's reads go to its own two (evenly), writes to its primary.
        let s = try Self.scenario(seed: 5_205, cache: false, replicas: 2, placement: "range", fanOut: #""all""#)
        let stage = try Self.run(s, "a sharded stage with replicas", slack: 0.01)
        let replicas = (0..<8).map { j in stage.resources.first { $0.name == "db.replica.cpu[\(j)]" }!.utilization!.mean }
        for shard in 0..<4 {
            let pair = replicas[2 * shard], other = replicas[2 * shard + 1]
            #expect(abs(pair - other) < 0.05 * max(pair, other) + 0.002, "shard \(shard)'s replicas: \(pair) and \(other)")
        }
        // By range with Zipf and the celebrity on user 0, shard 0 holds the popular users.
        let perShard = (0..<4).map { replicas[2 * $0] + replicas[2 * $0 + 1] }
        #expect(perShard[0] == perShard.max(), "range placement: shard 0's replicas are the busiest: \(replicas)")
        let feed = try #require(stage.classes.first { $0.name == "feed" })
        let profile = try #require(stage.classes.first { $0.name == "profile" })
        // The feed waits for the slowest of 4 shards, the profile for one.
        #expect(feed.latency["mean"]!.mean > profile.latency["mean"]!.mean, "feed \(feed.latency["mean"]!.mean), profile \(profile.latency["mean"]!.mean)")
    }

    @Test func aSweepVariesTheShardCount() throws {
        var stage = try Self.scenario(seed: 1, cache: false).stages[0]
        try SweepParameter.databaseShards.apply(16, to: &stage)
        var s = try Self.scenario(seed: 1, cache: false)
        s.stages[0] = stage
        let model = s.compile(stage: 0).model
        #expect(model.routers.first { $0.name == "shards" }?.instances == 16)
        #expect(model.cpus.filter { $0.name.hasPrefix("db.primary.cpu[") }.count == 16)
        var plain = try Self.scenario(seed: 1, cache: false).stages[0]
        plain.database.shards = nil
        #expect(throws: SweepError.self) { try SweepParameter.databaseShards.apply(4, to: &plain) }
    }

    // MARK: Scenario files

    @Test func badShardingSettingsAreNamed() {
        func problems(_ database: String, fanOut: String = "1", host: Bool = false) -> [String] {
            let text = """
                {"kind": "architecture", "name": "x",
                 "workload": {"users": 100, "activeShare": 1, "requestsPerActiveUserPerMinute": 6,
                   "classes": [{"name": "feed", "share": 1, "kind": "api", "apiCpu": "1ms", "dbReads": 1,
                                "queryCpu": "1ms", "shardFanOut": \(fanOut)}]},
                 "stages": [{"name": "s", \(host ? #""host": {"cores": 2},"# : "") "api": {\(host ? "" : #""coresPerInstance": 1"#)},
                             "database": \(database)}]}
                """
            do {
                _ = try Scenario.load(bytes: Array(text.utf8))
                return []
            } catch {
                return error.issues.map { "\($0.path): \($0.message)" }
            }
        }
        func expectProblem(_ found: [String], _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(found.contains { $0.contains(expected) }, "expected \(expected) in \(found)", sourceLocation: sourceLocation)
        }
        expectProblem(problems(#"{"cores": 2, "shards": {"count": 0}}"#), "stages[0].database.shards.count: must be at least 1")
        expectProblem(problems(#"{"cores": 2, "shards": {"count": 4, "placement": "hashed"}}"#),
                      #"stages[0].database.shards.placement: expected one of "hash", "range", got "hashed""#)
        expectProblem(problems(#"{"cores": 2, "shards": {"placement": "range"}}"#), "stages[0].database.shards.count: missing required key")
        expectProblem(problems(#"{"cores": 2, "shards": {"count": 2000}}"#), "must be at most 1024")
        expectProblem(problems(#"{"cores": 2, "shards": {"count": 2}}"#, fanOut: "0"), "workload.classes[0].shardFanOut: must be at least 1")
        expectProblem(problems(#"{"cores": 2, "shards": {"count": 2}}"#, fanOut: #""every""#),
                      #"workload.classes[0].shardFanOut: expected a whole number >= 1 or "all""#)
        expectProblem(problems(#"{"shards": {"count": 2}}"#, host: true), "stages[0].database.shards: not allowed while the stage has a \"host\"")
        #expect(problems(#"{"cores": 2, "shards": {"count": 2}}"#, fanOut: #""all""#).isEmpty)
    }
}
