import Foundation
import Testing
@testable import ScaleSim

/// The analytic model of compiled Models (`ModelAnalytic`) on cases with exact answers, and
/// against the simulation of a whole architecture stage.
@Suite struct ModelAnalyticTests {
    static func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance * max(1, abs(b))
    }

    /// One station, `acquire(pool c) -> use(delay) -> release` or `use(cpu)`, Poisson arrivals.
    static func station(servers: Int, rate: Double, service: Double, kind: String) -> Model {
        var b = ModelBuilder("\(kind) M/M/\(servers)")
        b.requestClass("req")
        let work = b.sampler(.exponential(mean: service), stream: "work")
        let entry: Int
        switch kind {
        case "pool":
            let pool = b.pool("slots", capacity: servers)
            let hold = b.delay("hold")
            entry = b.program([.acquire(pool: pool, on: nil), .use(.delay(hold), sampler: work, on: nil),
                               .release(pool: pool, on: nil), .done])
        default:
            let cpu = b.cpu("cpu", cores: servers, discipline: kind == "ps" ? .ps : .fcfs)
            entry = b.program([.use(.cpu(cpu), sampler: work, on: nil), .done])
        }
        b.open(rate: rate, entry: entry)
        return b.model
    }

    @Test(arguments: ["pool", "fcfs", "ps"], [1, 4])
    func aSingleStationIsMMc(kind: String, servers: Int) throws {
        let (s, rho) = (0.1, 0.8)
        let lambda = rho * Double(servers) / s
        let model = Self.station(servers: servers, rate: lambda, service: s, kind: kind)
        let a = try #require(ModelAnalytic.solve(model))
        let wait = try #require(QueueingFormulas.mmcMeanWait(arrivalRate: lambda, meanService: s, servers: servers))
        #expect(a.stable)
        #expect(Self.close(a.meanLatency, s + wait), "\(kind): mean \(a.meanLatency ?? -1), M/M/c \(s + wait)")
        // Bottleneck: the station saturates at c / s.
        #expect(Self.close(a.maxThroughput, Double(servers) / s, 1e-6), "\(kind): limit \(a.maxThroughput)")
        if kind == "pool" {
            #expect(Self.close(a.pools[0].meanResponse, wait))
            #expect(Self.close(a.pools[0].utilization, rho))
        } else {
            #expect(Self.close(a.cpus[0].utilization, rho))
        }
        if kind == "fcfs", servers == 1 {
            // M/M/1: the sojourn is exponential with rate μ - λ (Kleinrock vol. 1, 3.26); the
            // mixture of waiting and service has exactly its mean and variance, so a gamma of
            // shape 1 gives the exact percentiles.
            #expect(Self.close(a.p99, -log(0.01) / (1 / s - lambda), 1e-6), "p99 \(a.p99 ?? -1)")
            #expect(Self.close(a.p50, log(2) / (1 / s - lambda), 1e-6), "p50 \(a.p50 ?? -1)")
        }
        // Past capacity: unstable, no latency, and at least the excess fails.
        let over = try #require(ModelAnalytic.solve(Self.station(servers: servers, rate: 2 * Double(servers) / s,
                                                                 service: s, kind: kind)))
        #expect(!over.stable && over.p99 == nil)
        #expect(Self.close(over.errorRate, 0.5, 1e-6), "\(kind): error rate \(over.errorRate)")
    }

    /// A worker pool whose holders wait on a slower resource saturates before its own CPU:
    /// the layered model finds the pool's limit below the bottleneck law's.
    @Test func heldWorkersRunOutBeforeTheirCPU() throws {
        var b = ModelBuilder("workers wait on a database")
        b.requestClass("req")
        let workers = b.pool("workers", capacity: 4)
        let api = b.cpu("api", cores: 4, discipline: .ps)
        let db = b.cpu("db", cores: 1, discipline: .ps)
        let apiWork = b.sampler(.exponential(mean: 0.01), stream: "api")
        let dbWork = b.sampler(.exponential(mean: 0.02), stream: "db")
        let entry = b.program([.acquire(pool: workers, on: nil), .use(.cpu(api), sampler: apiWork, on: nil),
                               .use(.cpu(db), sampler: dbWork, on: nil), .release(pool: workers, on: nil), .done])
        b.open(rate: 30, entry: entry)
        let a = try #require(ModelAnalytic.solve(b.model))
        // The database alone would allow 50/s; workers hold 0.03 s + queueing at the database.
        #expect(a.maxThroughput < 50 && a.maxThroughput > 30, "limit \(a.maxThroughput)")
        #expect(a.bottleneck == .pool(workers) || a.bottleneck == .cpu(db), "\(String(describing: a.bottleneck))")
        // The hold is the CPU sojourns in between: api M/M/4-PS + db M/M/1-PS.
        let hold = QueueingFormulas.mgcPSMeanResponse(arrivalRate: 30, meanService: 0.01, servers: 4)!
            + QueueingFormulas.mg1PSMeanResponse(arrivalRate: 30, meanService: 0.02)!
        #expect(Self.close(a.pools[0].utilization, 30 * hold / 4, 1e-9))
    }

    /// The 100k stage at its own load: the analytic model and the simulation agree on
    /// utilizations, the cache's hit ratio and the mean latency (seeded; prints its seed).
    /// The simulation is `ArchitectureStoryTests.openStory`'s (100 s, three replications),
    /// shared with the story tests rather than run again.
    @Test func theCacheStageAgreesWithItsSimulation() throws {
        let (s, report) = try ArchitectureStoryTests.openStory.get()
        let compiled = s.compile(stage: 1)
        #expect(s.stages[1].name.hasPrefix("100k"), "\(s.stages[1].name)")
        let a = try #require(ModelAnalytic.solve(compiled.model))
        let stage = report.stages[1]
        for (i, cpu) in compiled.model.cpus.enumerated() {
            let simulated = try #require(ArchitectureStoryTests.resource(stage, cpu.name)?.utilization)
            let predicted = try #require(a.cpus[i].utilization)
            #expect(abs(simulated.mean - predicted) <= (simulated.halfWidth ?? 0) + 0.02 * max(predicted, 0.05),
                    "\(cpu.name): simulated \(simulated.mean) ± \(simulated.halfWidth ?? 0), analytic \(predicted) (seed \(s.seed))")
        }
        let hit = try #require(ArchitectureStoryTests.resource(stage, "cache")?.hitRatio)
        let cache = try #require(compiled.model.caches.firstIndex { $0.name == "cache" })
        #expect(abs(hit.mean - a.hitRatios[cache]) <= (hit.halfWidth ?? 0) + 0.01,
                "hit ratio: simulated \(hit.mean), analytic \(a.hitRatios[cache]) (seed \(s.seed))")
        let mean = try #require(stage.latency["mean"]).mean
        #expect(abs(mean - (a.meanLatency ?? 0)) <= 0.15 * mean, "mean latency: simulated \(mean), analytic \(a.meanLatency ?? -1)")
        let p99 = try #require(stage.latency["p99"]).mean
        #expect(abs(p99 - (a.p99 ?? 0)) <= 0.15 * p99, "p99: simulated \(p99), analytic \(a.p99 ?? -1)")
    }

    /// Closed sessions: the solved throughput satisfies the response time law and stays below
    /// the stability limit however many users there are.
    @Test func closedSessionsSolveTheResponseTimeLaw() throws {
        var s = try ArchitectureStoryTests.scenario(stages: ["10k"])
        s.workload.thinkTime = .exponential(mean: 10)
        for users in [20_000, 100_000, 400_000] {
            let a = try #require(ModelAnalytic.solve(s.compile(stage: 0, users: users).model))
            let sessions = Double(s.workload.sessions(users: users))
            #expect(a.throughput <= a.maxThroughput * (1 + 1e-6), "\(users) users: \(a.throughput) > \(a.maxThroughput)")
            if let r = a.meanLatency {
                #expect(abs(a.throughput * (10 + r) - sessions) <= 1e-3 * sessions, "\(users) users: X (Z + R) \(a.throughput * (10 + r))")
            }
        }
    }

    /// Zipf's keys in groups give the same cache formulas as the keys one by one.
    @Test(arguments: [0.0, 0.8, 1.0, 1.3])
    func groupedZipfKeysGiveTheSameHitRatios(exponent: Double) {
        let keys = 60_000
        let exact = ZipfPopularity.probabilities(keys: keys, exponent: exponent)
        let grouped = ZipfPopularity.groups(keys: keys, exponent: exponent, tolerance: 5e-3)
        #expect(grouped.groups.count < 3_000, "\(grouped.groups.count) groups")
        #expect(Self.close(grouped.groups.reduce(0) { $0 + $1.count }, Double(keys)))
        #expect(Self.close(grouped.groups.reduce(0) { $0 + $1.value * $1.count }, 1, 1e-12))
        let one = CacheFormulas.KeyGroups(exact)
        for (rate, ttl) in [(50.0, 30.0), (2_000.0, 5.0)] {
            let a = CacheFormulas.ttlHitRatio(grouped, arrivalRate: rate, ttl: ttl)
            let b = CacheFormulas.ttlHitRatio(one, arrivalRate: rate, ttl: ttl)
            #expect(abs(a - b) <= 1e-4, "TTL: grouped \(a), exact \(b)")
        }
        for capacity in [500, 20_000] {
            let a = CacheFormulas.lruHitRatio(grouped, capacity: capacity)
            let b = CacheFormulas.lruHitRatio(one, capacity: capacity)
            #expect(abs(a - b) <= 1e-4, "LRU \(capacity): grouped \(a), exact \(b)")
        }
    }

    @Test func loopsHaveNoAnalyticModelHere() {
        var b = ModelBuilder("loop")
        b.requestClass("req")
        let d = b.delay("d")
        let one = b.sampler(.deterministic(value: 1), stream: "one")
        b.model.branches.append(.init(probabilities: [0.5], targets: [0], streamName: "loop"))
        let entry = b.program([.use(.delay(d), sampler: one, on: nil), .branch(table: 0), .done])
        b.open(rate: 1, entry: entry)
        #expect(ModelAnalytic.solve(b.model) == nil)
    }
}
