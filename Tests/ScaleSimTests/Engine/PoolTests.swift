import Testing
@testable import ScaleSim

/// Held resources (pools): an M/M/c station built from a pool, nested holds, and what a
/// request still holds when it ends early.
@Suite struct EnginePoolTests {
    /// `acquire(pool c) -> use(delay, exp 1) -> release -> done` under Poisson arrivals.
    static func mmcPool(servers: Int, lambda: Double) -> Model {
        var b = ModelBuilder("pool M/M/\(servers)")
        b.requestClass("req")
        let pool = b.pool("slots", capacity: servers)
        let hold = b.delay("hold")
        let service = b.sampler(.exponential(mean: 1), stream: "service")
        let entry = b.program([
            .acquire(pool: pool, on: nil),
            .use(.delay(hold), sampler: service, on: nil),
            .release(pool: pool, on: nil),
            .done,
        ])
        b.open(rate: lambda, entry: entry)
        return b.model
    }

    @Test(arguments: [(1, 0.7, 20_000.0), (4, 0.8, 10_000.0)])
    func poolIsAnMMcQueue(servers: Int, rho: Double, duration: Double) {
        let seed: UInt64 = 101
        let lambda = rho * Double(servers)
        let results = EngineCheck.replicate(Self.mmcPool(servers: servers, lambda: lambda), seed: seed,
                                            duration: duration, warmup: duration / 10)
        let ratio = EngineCheck.ratio
        let pool = { (r: ReplicationResult) in r.pools[0] }
        // Erlang C (Erlang 1917; Kleinrock vol. 1, eq. 3.40): P(wait) = C(c, a); Wq = C / (cμ - λ).
        let c = Validation.erlangC(servers: servers, load: lambda)
        let name = "M/M/\(servers) pool at ρ \(rho)"
        EngineCheck.expect(EngineCheck.estimate(results) { ratio(Double(pool($0).waited), Double(pool($0).acquisitions)) },
                           c, slack: 0.01, "\(name) wait probability", seed: seed)
        EngineCheck.expect(EngineCheck.estimate(results) { ratio(pool($0).sumWait, Double(pool($0).acquisitions)) },
                           c / (Double(servers) - lambda), slack: 0.02, "\(name) mean wait", seed: seed)
        EngineCheck.expect(EngineCheck.estimate(results) { pool($0).inUseArea / $0.measuredTime },
                           lambda, slack: 0.005, "\(name) mean units in use", seed: seed)
        EngineCheck.expect(EngineCheck.estimate(results) { Double(pool($0).acquisitions) / $0.measuredTime },
                           lambda, slack: 0.005, "\(name) acquisition rate", seed: seed)
        // Mean queue length, M/M/c: Lq = λ Wq.
        EngineCheck.expect(EngineCheck.estimate(results) { pool($0).queueArea / $0.measuredTime },
                           lambda * c / (Double(servers) - lambda), slack: 0.02, "\(name) mean queue", seed: seed)

        // Little's law on the pool, per replication: units in use = acquisition rate × hold
        // time (the delay's mean response), queue length = acquisition rate × mean wait.
        for (r, result) in results.enumerated() {
            let t = result.measuredTime
            let p = result.pools[0], hold = result.delays[0]
            let inUse = p.inUseArea / t
            let lambdaW = Double(p.acquisitions) / t * (hold.sumResponse / Double(hold.completions))
            #expect(abs(inUse - lambdaW) <= 0.01 * inUse,
                    "\(name) replication \(r): in use \(inUse), λW \(lambdaW) (seed \(seed))")
            let queue = p.queueArea / t
            let queueLittle = p.sumWait / t
            #expect(abs(queue - queueLittle) <= 0.02 * max(queue, 0.05),
                    "\(name) replication \(r): queue \(queue), λWq \(queueLittle) (seed \(seed))")
        }
    }

    /// `acquire(workers) -> use(cpu) -> acquire(dbconn) -> use(db) -> release(dbconn) ->
    /// release(workers)` in front of a slow database; with `holdWorkers == false` the worker is
    /// released before the database call.
    static func nestedHold(holdWorkers: Bool) -> Model {
        var b = ModelBuilder("nested hold \(holdWorkers)")
        b.requestClass("req")
        let workers = b.pool("api.workers", capacity: 4)
        let dbconn = b.pool("db.conn", capacity: 2)
        let cpu = b.cpu("api.cpu")
        let db = b.delay("db")
        let think = b.sampler(.exponential(mean: 0.1), stream: "think")
        let cpuTime = b.sampler(.exponential(mean: 0.005), stream: "cpu")
        let dbTime = b.sampler(.exponential(mean: 0.2), stream: "db")
        let entry: Int
        if holdWorkers {
            entry = b.program([
                .acquire(pool: workers, on: nil),
                .use(.cpu(cpu), sampler: cpuTime, on: nil),
                .acquire(pool: dbconn, on: nil),
                .use(.delay(db), sampler: dbTime, on: nil),
                .release(pool: dbconn, on: nil),
                .release(pool: workers, on: nil),
                .done,
            ])
        } else {
            entry = b.program([
                .acquire(pool: workers, on: nil),
                .use(.cpu(cpu), sampler: cpuTime, on: nil),
                .release(pool: workers, on: nil),
                .acquire(pool: dbconn, on: nil),
                .use(.delay(db), sampler: dbTime, on: nil),
                .release(pool: dbconn, on: nil),
                .done,
            ])
        }
        b.closed(size: 20, think: think, entry: entry)
        return b.model
    }

    @Test func heldWorkersRunOutWhileTheCPUIsIdle() {
        // The 100k-users symptom: the database (2 connections, 0.2 s) allows 10 requests/s; the
        // API's 4 workers wait on it while holding, so they are all in use, yet the API CPU
        // (5 ms per request) is about 5% busy.
        let seed: UInt64 = 102
        let held = EngineCheck.replicate(Self.nestedHold(holdWorkers: true), seed: seed, duration: 1_000, warmup: 100)
        let workersInUse = EngineCheck.estimate(held) { $0.pools[0].inUseArea / $0.measuredTime }
        let workersQueue = EngineCheck.estimate(held) { $0.pools[0].queueArea / $0.measuredTime }
        let dbInUse = EngineCheck.estimate(held) { $0.pools[1].inUseArea / $0.measuredTime }
        let cpuUtilization = EngineCheck.estimate(held) { $0.cpus[0].busyArea / $0.measuredTime }
        let throughput = EngineCheck.estimate(held) { Double($0.classes[0].completed) / $0.measuredTime }
        #expect(workersInUse.mean >= 0.97 * 4, "workers in use \(workersInUse.mean) of 4 (seed \(seed))")
        #expect(workersInUse.mean <= 4 + 1e-9, "workers in use \(workersInUse.mean) beyond capacity (seed \(seed))")
        #expect(workersQueue.mean > 5, "requests should queue for workers: \(workersQueue.mean) (seed \(seed))")
        #expect(dbInUse.mean >= 0.97 * 2, "db connections in use \(dbInUse.mean) of 2 (seed \(seed))")
        #expect(cpuUtilization.mean < 0.3, "API CPU utilization \(cpuUtilization.mean) (seed \(seed))")
        // The database bounds throughput: 2 connections / 0.2 s.
        EngineCheck.expect(throughput, 10, slack: 0.03, "throughput bounded by the database", seed: seed)
        // The CPU sees that throughput: utilization = X × 5 ms (utilization law).
        EngineCheck.expect(cpuUtilization, throughput.mean * 0.005, slack: 0.03, "CPU utilization law", seed: seed)

        // Releasing the worker before the database call frees the workers: same throughput,
        // but only about X × (5 ms + CPU queueing) of the workers are busy.
        let released = EngineCheck.replicate(Self.nestedHold(holdWorkers: false), seed: seed, duration: 1_000, warmup: 100)
        let freeWorkers = EngineCheck.estimate(released) { $0.pools[0].inUseArea / $0.measuredTime }
        #expect(freeWorkers.mean < 0.5, "workers in use without holding \(freeWorkers.mean) (seed \(seed))")
    }

    @Test func blockedRequestReleasesWhatItHolds() {
        // A request blocked at a full CPU ends with an error (DESIGN §2). It must give back the
        // pool unit and the router connection it holds, as a worker thread does when its
        // request fails; otherwise the pool shrinks for good and least connections avoids the
        // instance forever.
        let seed: UInt64 = 103
        var b = ModelBuilder("blocked while holding")
        b.requestClass("req")
        let router = b.router("lb", policy: .leastConnections, instances: 2)
        let pool = b.pool("workers[0]", capacity: 2)
        b.pool("workers[1]", capacity: 2)
        let cpu = b.cpu("cpu[0]", capacity: 1)
        b.cpu("cpu[1]", capacity: 1)
        let service = b.sampler(.exponential(mean: 1), stream: "service")
        let entry = b.program([
            .route(router: router),
            .acquire(pool: pool, on: router),
            .use(.cpu(cpu), sampler: service, on: router),
            .release(pool: pool, on: router),
            .leave(router: router),
            .done,
        ])
        b.open(rate: 3, entry: entry)
        var engine = Engine(model: b.model, seed: seed, replication: 0, duration: 2_000, warmup: 0)
        let result = engine.run()

        let blocked = result.cpus.reduce(0) { $0 + $1.blocked }
        #expect(blocked > 100, "with 2 workers per 1-slot CPU at 3/s, blocking is frequent; saw \(blocked) (seed \(seed))")
        #expect(result.classes[0].errors == blocked, "every blocked request is an error (seed \(seed))")

        // Who really holds what at the end of the run.
        let free = Set(engine.freeSlots.map(Int.init))
        let live = engine.requests.indices.filter { !free.contains($0) }
        for instance in 0..<2 {
            let here = live.filter { Int(engine.requests[$0].instance) == instance }
            let waiting = engine.pools[pool + instance].waiting.count
            // Every live request is past its route step and before leave (nothing else rests
            // between them); each holds a unit unless it waits in the pool's queue (a request
            // handed a unit whose resume is pending holds it).
            let routed = here.count
            let holders = routed - waiting
            #expect(Int(engine.routers[router].active[instance]) == routed,
                    "instance \(instance): router counts \(engine.routers[router].active[instance]) active, \(routed) requests are routed there (seed \(seed))")
            #expect(Int(engine.pools[pool + instance].inUse) == holders,
                    "instance \(instance): pool has \(engine.pools[pool + instance].inUse) units in use, \(holders) requests hold one (seed \(seed))")
        }
    }
}
