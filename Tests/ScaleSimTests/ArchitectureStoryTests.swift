import Foundation
import Testing
@testable import ScaleSim

/// `scenarios/100k.json` tells the story of DESIGN.md section 1 with its own figures, and
/// turning a knob moves the figures the way queueing theory says. Runs are shortened (a few
/// simulated minutes, three replications) so the suite stays fast in a debug build.
@Suite struct ArchitectureStoryTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func scenario(duration: Double = 150, stages keep: [String]? = nil) throws -> ArchitectureScenario {
        let bytes = [UInt8](try Data(contentsOf: root.appendingPathComponent("scenarios/100k.json")))
        guard case .architecture(var s) = try Scenario.load(bytes: bytes) else { throw ScenarioError(issues: []) }
        s.run = RunSettings(duration: duration, warmup: duration / 5, replications: 3, confidence: 0.99)
        if let keep { s.stages = s.stages.filter { stage in keep.contains { stage.name.hasPrefix($0) } } }
        return s
    }

    /// The 10k and 100k stages with the open workload, 100 simulated seconds, three
    /// replications: run once and read by every test that needs that run (here and in
    /// `ModelAnalyticTests`). A stage's result depends only on the stage, the workload, the
    /// run settings and the seed (every stage starts from the scenario's seed; see
    /// `ArchitectureReport.run`), not on the other stages of the run, so a test may also
    /// compare one of these stages with a changed copy run on its own.
    static let openStory: Result<(scenario: ArchitectureScenario, report: ArchitectureReport), Error> = Result {
        let s = try scenario(duration: 100, stages: ["10k", "100k"])
        return (s, ArchitectureReport.run(s, jobs: 2, capacity: .none))
    }

    static func resource(_ stage: ArchitectureReport.StageResult, _ name: String) -> ArchitectureReport.Resource? {
        stage.resources.first { $0.name == name }
    }

    @Test func theDatabaseBreaksBeforeTheCacheStageAndTheCacheStageHolds() throws {
        let (s, report) = try Self.openStory.get()
        let (before, after) = (report.stages[0], report.stages[1])
        let seed = s.seed

        // 10k: the database CPU saturates while the API's CPUs idle and its workers are all held.
        let db = try #require(Self.resource(before, "db.primary.cpu")?.utilization)
        #expect(db.mean >= 0.8, "db CPU \(db.mean) (seed \(seed))")
        for r in before.resources where r.name.hasPrefix("api.cpu") {
            #expect(r.utilization!.mean < 0.5, "\(r.name) \(r.utilization!.mean) (seed \(seed))")
        }
        #expect(try #require(Self.resource(before, "api.workers[0]")?.utilization).mean > 0.95)
        #expect(before.timeoutRate.mean > 0.01, "timeouts \(before.timeoutRate.mean) (seed \(seed))")
        #expect(!before.slo.met && before.bottleneck == "db.primary.cpu", "\(before.slo) \(before.bottleneck ?? "")")

        // 100k: the SLO holds, the primary is nearly idle, and the cache hit ratio is the TTL
        // formula's for this popularity and rate (Jung, Berger & Balakrishnan 2003).
        #expect(after.slo.met, "\(after.slo.violations) (seed \(seed))")
        #expect(try #require(Self.resource(after, "db.primary.cpu")?.utilization).mean < 0.3)
        let hit = try #require(Self.resource(after, "cache")?.hitRatio)
        let profileRate = s.workload.requestRate(users: s.stages[1].users)
            * s.workload.classes.filter { $0.cacheKey != .none }.reduce(0) { $0 + $1.share }
        let compiled = s.compile(stage: 1)
        let ttl = try #require(compiled.model.caches.first { $0.name == "cache" }?.ttl)
        let p = compiled.model.caches.first { $0.name == "cache" }!.keyProbabilities
        let formula = p.reduce(0) { $0 + $1 * profileRate * $1 * ttl / (1 + profileRate * $1 * ttl) }
        // The fill comes a few milliseconds after the miss (the database read), so lookups in
        // that window miss too; 1% covers it.
        #expect(abs(hit.mean - formula) <= (hit.halfWidth ?? 0) + 0.01,
                "hit ratio \(hit.mean) ± \(hit.halfWidth ?? 0), TTL formula \(formula) (seed \(seed))")
    }

    @Test func twiceTheAPIInstancesHalvesAPIUtilization() throws {
        let (story, storyReport) = try Self.openStory.get()
        // The 100k stage as it is comes from the shared run; the doubled copy runs alone.
        var s = story
        var doubled = s.stages[1]
        doubled.name += " (x2 API)"
        doubled.api.instances *= 2
        s.stages = [doubled]
        let base = storyReport.stages[1], twice = ArchitectureReport.run(s, jobs: 2, capacity: .none).stages[0]
        func meanAPI(_ stage: ArchitectureReport.StageResult) -> Double {
            let cpus = stage.resources.filter { $0.name.hasPrefix("api.cpu") }
            return cpus.reduce(0) { $0 + $1.utilization!.mean } / Double(cpus.count)
        }
        let ratio = meanAPI(twice) / meanAPI(base)
        #expect(abs(ratio - 0.5) < 0.03, "utilization ratio \(ratio) (seed \(s.seed))")
    }

    @Test func aTTLOfZeroNeverHitsAndNoReplicasSendsEveryReadToThePrimary() throws {
        var s = try Self.scenario(duration: 100, stages: ["100k"])
        var noTTL = s.stages[0]
        noTTL.name = "ttl 0"
        noTTL.cache!.ttl = 0
        var noReplicas = s.stages[0]
        noReplicas.name = "no replicas"
        noReplicas.replicas = nil
        noReplicas.database.cores = 8
        // A hit ratio of exactly 0 needs no long run: 20 s (16 measured, three replications)
        // make about 7,700 cache lookups (160 a second), any one of which would hit if a TTL
        // of 0 kept its entry.
        var short = s
        short.run = RunSettings(duration: 20, warmup: 4, replications: 3, confidence: s.run.confidence)
        short.stages = [noTTL]
        let lookupsPerSecond = s.workload.requestRate(users: noTTL.users)
            * s.workload.classes.filter { $0.cacheKey != .none }.reduce(0) { $0 + $1.share }
        #expect(lookupsPerSecond * 16 * 3 > 5_000, "\(lookupsPerSecond) cache lookups a second")
        let zeroTTL = ArchitectureReport.run(short, jobs: 2, capacity: .none).stages[0]
        #expect(try #require(Self.resource(zeroTTL, "cache")?.hitRatio).mean == 0, "seed \(s.seed)")
        s.stages = [noReplicas]
        let primaryOnly = ArchitectureReport.run(s, jobs: 2, capacity: .none).stages[0]
        // Without replicas the primary does every read and write: its utilization is the whole
        // database demand (utilization law, U = λ D / c).
        let w = s.workload
        let demand = w.classes.reduce(0.0) { total, c in
            // With a CDN, images come from the edge: no API, no database.
            if c.kind == .image && noReplicas.cdn != nil { return total }
            let reads = Double(c.dbReads) * (c.queryCpu?.mean ?? 0)
            let readsAfterCache = c.cacheKey == .none ? reads : reads * (1 - primaryOnly.resources.first { $0.name == "cache" }!.hitRatio!.mean)
            return total + c.share * (readsAfterCache + Double(c.dbWrites) * (c.writeCpu?.mean ?? 0))
        }
        let expected = w.requestRate(users: noReplicas.users) * demand / 8
        let u = try #require(Self.resource(primaryOnly, "db.primary.cpu")?.utilization)
        #expect(abs(u.mean - expected) <= (u.halfWidth ?? 0) + 0.02 * expected,
                "primary utilization \(u.mean), utilization law \(expected) (seed \(s.seed))")
        #expect(!primaryOnly.resources.contains { $0.name.hasPrefix("db.replica") })
    }

    @Test func onOneMachineTheCPUCarriesAPIAndDatabaseDemand() throws {
        var s = try Self.scenario(duration: 300, stages: ["1: one machine"])
        s.stages[0].users = 2_000
        let report = ArchitectureReport.run(s, jobs: 2, capacity: .none)
        let w = s.workload
        let demand = w.classes.reduce(0.0) { total, c in
            total + c.share * (c.apiCpu.mean + Double(c.dbReads) * (c.queryCpu?.mean ?? 0)
                               + Double(c.dbWrites) * (c.writeCpu?.mean ?? 0))
        }
        let cores = Double(s.stages[0].host!.cores)
        let expected = w.requestRate(users: 2_000) * demand / cores
        let u = try #require(Self.resource(report.stages[0], "host.cpu")?.utilization)
        #expect(abs(u.mean - expected) <= (u.halfWidth ?? 0) + 0.03 * expected,
                "host CPU \(u.mean), API + database demand \(expected) (seed \(s.seed))")
    }

    @Test func aSlowerDatabaseRunsTheAPIOutOfWorkersWhileAPICPUStaysLow() throws {
        // 42,000 users: 336 requests/s; the database at 2 cores is 47% busy, at 1 core 95%.
        var s = try Self.scenario(duration: 200, stages: ["1k"])
        s.stages[0].users = 42_000
        var slow = s.stages[0]
        slow.name = "slow database"
        slow.database.cores = 1
        s.stages.append(slow)
        let report = ArchitectureReport.run(s, jobs: 2, capacity: .none)
        let (fast, slowed) = (report.stages[0], report.stages[1])
        func u(_ stage: ArchitectureReport.StageResult, _ name: String) -> Double { Self.resource(stage, name)!.utilization!.mean }
        func queue(_ stage: ArchitectureReport.StageResult, _ name: String) -> Double { Self.resource(stage, name)!.meanQueueLength!.mean }
        // Held workers: with the database at half its cores, requests wait longer holding their
        // workers, so the pool fills and requests queue for a worker, while API CPU work per
        // request (and so API CPU utilization) does not grow.
        #expect(u(slowed, "api.workers[0]") > u(fast, "api.workers[0]") + 0.15,
                "workers \(u(fast, "api.workers[0]")) -> \(u(slowed, "api.workers[0]")) (seed \(s.seed))")
        #expect(queue(slowed, "api.workers[0]") > queue(fast, "api.workers[0]"), "seed \(s.seed)")
        #expect(u(slowed, "api.cpu[0]") <= u(fast, "api.cpu[0]") + 0.02,
                "API CPU \(u(fast, "api.cpu[0]")) -> \(u(slowed, "api.cpu[0]")) (seed \(s.seed))")
    }

    @Test func everyBundledArchitectureScenarioLoadsAndMeetsItsSLOAtItsOwnScale() throws {
        for name in ["1", "10", "100", "1k", "10k"] {
            let bytes = [UInt8](try Data(contentsOf: Self.root.appendingPathComponent("scenarios/\(name).json")))
            guard case .architecture(var s) = try Scenario.load(bytes: bytes) else {
                Issue.record("\(name).json is not an architecture scenario")
                continue
            }
            #expect(s.stages.count == 1, "\(name).json")
            s.run = RunSettings(duration: min(s.run.duration, 600), warmup: min(s.run.warmup, 60), replications: 2, confidence: 0.95)
            let report = ArchitectureReport.run(s, jobs: 2, capacity: .none)
            #expect(report.stages[0].errorRate.mean == 0, "\(name).json: errors \(report.stages[0].errorRate.mean)")
        }
    }

    /// The same story with closed sessions (each active user thinks 10 s between requests, as
    /// the open workload's 6 per minute): the interactive response time law N = X (Z + R) holds
    /// on every stage, and where the database saturates the sessions slow down with it, so
    /// throughput stops at the database's capacity instead of errors piling up.
    @Test func closedSessionsObeyTheResponseTimeLawAndSlowDownAtTheBottleneck() throws {
        var (s, open) = try Self.openStory.get()
        s.workload.thinkTime = .exponential(mean: 10)
        let closed = ArchitectureReport.run(s, jobs: 2, capacity: .none)
        let sessions = Double(s.workload.sessions(users: s.workload.users))
        for stage in closed.stages {
            // Each cycle is think time plus the response, or plus the timeout for a request
            // whose client gave up (its share of the cycles is the error rate).
            let x = stage.throughput.mean / (1 - stage.errorRate.mean)
            let response = try #require(stage.latency["mean"]).mean
            let timeout = 10.0, e = stage.errorRate.mean
            let cycle = 10 + (1 - e) * response + e * timeout
            #expect(abs(x * cycle - sessions) <= 0.03 * sessions,
                    "\(stage.name): X (Z + R) = \(x * cycle), N = \(sessions) (seed \(s.seed))")
        }
        let (openDB, closedDB) = (open.stages[0], closed.stages[0])
        #expect(closedDB.errorRate.mean < openDB.errorRate.mean / 2,
                "errors: closed \(closedDB.errorRate.mean), open \(openDB.errorRate.mean) (seed \(s.seed))")
        #expect(closedDB.throughput.mean < 0.95 * s.workload.requestRate(users: s.workload.users),
                "closed sessions kept sending at \(closedDB.throughput.mean)/s through a saturated database (seed \(s.seed))")
        #expect(try #require(Self.resource(closedDB, "db.primary.cpu")?.utilization).mean > 0.9)
    }

    /// The capacity ladder: each stage meets its SLO (at the interval's worse end) at a user
    /// count where the stage before it fails (at the interval's better end). The count is found
    /// by stepping up from the previous stage's analytic capacity by 10% until it fails.
    @Test func eachStageSustainsTheUsersWhereThePreviousOneFails() throws {
        var s = try Self.scenario(duration: 100)
        s.run.confidence = 0.95
        func lower(_ e: Estimate?) -> Double { (e?.mean ?? .infinity) - (e?.halfWidth ?? 0) }
        func upper(_ e: Estimate?) -> Double { (e?.mean ?? .infinity) + (e?.halfWidth ?? 0) }
        func atUsers(_ stage: ArchitectureScenario.Stage, _ users: Int) -> ArchitectureReport.StageResult {
            var one = s
            one.stages = [stage]
            one.stages[0].users = users
            return ArchitectureReport.run(one, jobs: 2, capacity: .none).stages[0]
        }
        for i in 1..<s.stages.count {
            let (previous, next) = (s.stages[i - 1], s.stages[i])
            let target = try #require(previous.slo.p99), errorTarget = previous.slo.errorRate ?? 1
            let capacity = try #require(s.analyticCapacity(stage: i - 1))
            var users = capacity.maxUsers, failed = false
            for _ in 0..<3 where !failed {
                users = Int(Double(users) * 1.1)
                let result = atUsers(previous, users)
                failed = lower(result.latency["p99"]) > target || lower(result.errorRate) > errorTarget
            }
            #expect(failed, "\(previous.name) never failed up to \(users) users (analytic capacity \(capacity.maxUsers), seed \(s.seed))")
            let after = atUsers(next, users)
            let nextTarget = try #require(next.slo.p99)
            #expect(upper(after.latency["p99"]) <= nextTarget && upper(after.errorRate) <= (next.slo.errorRate ?? 1),
                    "\(next.name) at \(users) users: p99 \(after.latency["p99"]?.mean ?? -1), errors \(after.errorRate.mean) (seed \(s.seed))")
        }
    }

    /// Little's law, L = λW, for every CPU and delay centre of a compiled stage (per replication:
    /// time in station over completions, against the time-weighted number present).
    @Test func littlesLawHoldsForEveryResourceOfAStage() throws {
        let s = try Self.scenario(duration: 60, stages: ["100k"])
        let compiled = s.compile(stage: 0)
        let results = Simulation.run(compiled.model, seed: s.seed, run: s.run, jobs: 2)
        var checked = 0
        for r in results {
            let names = compiled.model.cpus.map(\.name) + compiled.model.delays.map(\.name)
            let figures: [(area: Double, sumResponse: Double, completions: UInt64)] =
                r.cpus.map { ($0.inStationArea, $0.sumResponse, $0.completions) }
                + r.delays.map { ($0.inStationArea, $0.sumResponse, $0.completions) }
            for (name, (area, sumResponse, completions)) in zip(names, figures) where completions > 100 {
                let l = area / r.measuredTime
                let lambdaW = Double(completions) / r.measuredTime * (sumResponse / Double(completions))
                // Visits still in progress at the ends of the window make the only difference.
                #expect(abs(l - lambdaW) <= 0.02 * l + 0.01, "\(name): L = \(l), λW = \(lambdaW) (seed \(s.seed))")
                checked += 1
            }
        }
        // 60 s (48 measured) are enough for every resource to see more than 100 visits.
        let all = results.count * (compiled.model.cpus.count + compiled.model.delays.count)
        #expect(checked == all, "only \(checked) of \(all) resources had more than 100 completions (seed \(s.seed))")
    }
}
