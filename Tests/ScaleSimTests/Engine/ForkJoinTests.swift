import Foundation
import Testing
@testable import ScaleSim

/// Fork-join (`Model.Step.fork` / `join`): a request waits for the slowest of its branches.
@Suite struct EngineForkJoinTests {
    /// `delay(pre) -> fork(r, branches) [use(delay[i] on r, branch) -> leave(r) -> join] -> done`
    /// over `instances` delay centres (no queueing: the branches are independent).
    static func forkOverDelays(instances: Int, branches: Int, branch: Distribution, before: Double = 0,
                               rate: Double = 2) -> Model {
        var b = ModelBuilder("fork \(branches) of \(instances)")
        b.requestClass("req")
        let router = b.router("shards", policy: .random, instances: instances)
        let pre = b.delay("pre")
        let first = (0..<instances).map { b.delay("branch[\($0)]") }[0]
        let preTime = b.sampler(.deterministic(value: before), stream: "const")
        let work = b.sampler(branch, stream: "branch")
        let entry = b.model.steps.count
        let forkStep = entry + (before > 0 ? 1 : 0)
        var steps: [Model.Step] = before > 0 ? [.use(.delay(pre), sampler: preTime, on: nil)] : []
        steps += [.fork(router: router, branches: branches, next: forkStep + 4),
                  .use(.delay(first), sampler: work, on: router), .leave(router: router), .join, .done]
        b.program(steps)
        b.open(rate: rate, entry: entry)
        return b.model
    }

    static func harmonic(_ k: Int) -> Double { (1...k).reduce(0) { $0 + 1 / Double($1) } }

    @Test func latencyIsTheMaximumOfIndependentBranches() {
        // k independent exponential branches of mean m: P(max <= t) = (1 - e^{-t/m})^k, so the
        // mean is m H_k (the k-th harmonic number) and the q-quantile -m ln(1 - q^{1/k}).
        let seed: UInt64 = 4_101, m = 0.05, k = 4
        print("fork-join of \(k) exponential branches, seed \(seed)")
        let results = EngineCheck.replicate(Self.forkOverDelays(instances: k, branches: k, branch: .exponential(mean: m)),
                                            seed: seed, duration: 4_000, warmup: 100)
        EngineCheck.expect(EngineCheck.estimate(results) { $0.classes[0].latency.mean }, m * Self.harmonic(k),
                           slack: 0, "mean of the maximum", seed: seed)
        for q in [0.5, 0.99] {
            let exact = -m * log(1 - pow(q, 1 / Double(k)))
            // The histogram keeps 3 significant digits: 0.1% on top of the interval.
            EngineCheck.expect(EngineCheck.estimate(results) { $0.classes[0].latency.percentile(q * 100) }, exact,
                               slack: 0.001, "quantile \(q) of the maximum", seed: seed)
        }
        // Not the mean of one branch, nor their sum: the maximum (H_4 m = 2.08 m against m and 4 m).
        #expect(results.allSatisfy { $0.classes[0].completed > 1_000 && $0.classes[0].errors == 0 }, "seed \(seed)")
    }

    @Test func fewerBranchesThanInstancesTakeDistinctInstancesEvenly() {
        // Two branches of four instances: the maximum of two (H_2 m = 1.5 m), each instance in half
        // of the forks (2 of 4, from a uniform start).
        let seed: UInt64 = 4_102, m = 0.05
        print("fork-join of 2 branches over 4 instances, seed \(seed)")
        let results = EngineCheck.replicate(Self.forkOverDelays(instances: 4, branches: 2, branch: .exponential(mean: m)),
                                            seed: seed, duration: 4_000, warmup: 100)
        EngineCheck.expect(EngineCheck.estimate(results) { $0.classes[0].latency.mean }, 1.5 * m,
                           slack: 0, "mean of the maximum of two", seed: seed)
        for i in 0..<4 {
            EngineCheck.expect(EngineCheck.estimate(results) { r in Double(r.routers[0].picks[i]) / Double(r.classes[0].completed) },
                               0.5, slack: 0.002, "instance \(i) branches per request", seed: seed)
        }
    }

    @Test func theBranchesOfAForkTakeDistinctInstances() {
        // Each branch holds a unit of its instance's pool of one, with no queue (a second
        // branch on the same instance would be rejected), for 0.1 µs: forks far apart never
        // meet, so a rejection could only come from two branches of one fork on one instance.
        let seed: UInt64 = 4_106
        print("fork-join branches on distinct instances, seed \(seed)")
        var b = ModelBuilder("distinct branches")
        b.requestClass("req")
        let router = b.router("shards", policy: .random, instances: 5)
        let first = (0..<5).map { b.pool("slot[\($0)]", capacity: 1) }[0]
        for i in 0..<5 { b.model.pools[i].queueLimit = 0 }
        let delay = b.delay("hold")
        let hold = b.sampler(.deterministic(value: 1e-7), stream: "const")
        let entry = b.program([.fork(router: router, branches: 3, next: 7),
                               .acquire(pool: first, on: router), .use(.delay(delay), sampler: hold, on: nil),
                               .release(pool: first, on: router), .leave(router: router), .join, .done, .done])
        b.open(rate: 0.5, entry: entry)
        let results = EngineCheck.replicate(b.model, seed: seed, duration: 20_000, warmup: 0, replications: 2)
        for r in results {
            #expect(r.classes[0].errors == 0 && r.classes[0].completed > 9_000,
                    "seed \(seed): \(r.classes[0].errors) errors in \(r.classes[0].completed)")
            #expect(r.pools.map(\.rejected).reduce(0, +) == 0, "seed \(seed)")
            #expect(r.pools.map(\.acquisitions).reduce(0, +) == 3 * r.classes[0].completed, "seed \(seed)")
        }
    }

    @Test func deterministicBranchesGiveExactlyTheirTime() {
        // Every branch takes 0.2 s after a fixed 0.1 s: every request takes 0.3 s, to the microsecond.
        let seed: UInt64 = 4_103
        print("fork-join of deterministic branches, seed \(seed)")
        let results = EngineCheck.replicate(Self.forkOverDelays(instances: 3, branches: 3, branch: .deterministic(value: 0.2),
                                                                before: 0.1),
                                            seed: seed, duration: 200, warmup: 10, replications: 2)
        for r in results {
            EngineCheck.expectClose(r.classes[0].latency.mean, 0.3, "mean")
            #expect(r.classes[0].latency.percentile(0) == 0.3 && r.classes[0].latency.percentile(100) == 0.3,
                    "seed \(seed): latencies from \(r.classes[0].latency.percentile(0)) to \(r.classes[0].latency.percentile(100))")
        }
    }

    @Test func twoMM1QueuesMatchNelsonAndTantawi() {
        // Every arrival forks to both of two FCFS exponential servers (each an M/M/1 at ρ); the
        // request leaves when both are done. For two servers the mean is exact (Flatto & Hahn
        // 1984; Nelson & Tantawi 1988, eq. 2): R = (12 - ρ)/8 · 1/(μ - λ).
        let seed: UInt64 = 4_104, lambda = 0.5, mu = 1.0
        print("fork-join of two M/M/1 queues, seed \(seed)")
        var b = ModelBuilder("fork-join M/M/1")
        b.requestClass("req")
        let router = b.router("pair", policy: .random, instances: 2)
        let cpu = b.cpu("server[0]")
        b.cpu("server[1]")
        let service = b.sampler(.exponential(mean: 1 / mu), stream: "service")
        let entry = b.program([.fork(router: router, branches: 2, next: b.model.steps.count + 4),
                               .use(.cpu(cpu), sampler: service, on: router), .leave(router: router), .join, .done])
        b.open(rate: lambda, entry: entry)
        let results = EngineCheck.replicate(b.model, seed: seed, duration: 40_000, warmup: 2_000)
        let rho = lambda / mu
        EngineCheck.expect(EngineCheck.estimate(results) { $0.classes[0].latency.mean }, (12 - rho) / 8 / (mu - lambda),
                           slack: 0.01, "fork-join mean response", seed: seed)
        for i in 0..<2 {
            EngineCheck.expect(EngineCheck.estimate(results) { EngineCheck.ratio($0.cpus[i].sumResponse, Double($0.cpus[i].completions)) },
                               1 / (mu - lambda), slack: 0.01, "server \(i): M/M/1 response", seed: seed)
        }
        // The analytic model takes the branches as independent: 3/2 of one queue's response,
        // above the exact value by ρ/8 of it.
        let analytic = ModelAnalytic.solve(b.model)!
        EngineCheck.expectClose(analytic.meanLatency!, 1.5 / (mu - lambda), tolerance: 2e-3, "analytic fork-join mean")
    }

    @Test func aFailedBranchFailsTheRequestAndReleasesWhatItHeld() {
        // A worker (pool of 2) is held across a fork whose branches may be blocked at a full
        // CPU (capacity 1). A blocked branch fails its request; the worker must come back, or
        // the pool would leak and throughput fall to nothing. A client timeout of 3 s lets
        // some requests be abandoned while their branches run on.
        let seed: UInt64 = 4_105
        print("fork-join with blocked branches and timeouts, seed \(seed)")
        var b = ModelBuilder("fork failures")
        b.model.classes.append(.init(name: "req", timeout: 3))
        let router = b.router("shards", policy: .random, instances: 3)
        let workers = b.pool("workers", capacity: 2)
        let cpu = b.cpu("shard[0]", capacity: 1)
        b.cpu("shard[1]", capacity: 1)
        b.cpu("shard[2]", capacity: 1)
        let service = b.sampler(.exponential(mean: 0.5), stream: "service")
        let entry = b.program([.acquire(pool: workers, on: nil),
                               .fork(router: router, branches: 2, next: 6),
                               .use(.cpu(cpu), sampler: service, on: router), .leave(router: router), .join,
                               .done,  // never reached: the fork goes on at step 6
                               .release(pool: workers, on: nil), .done])
        b.open(rate: 1.5, entry: entry)
        let results = EngineCheck.replicate(b.model, seed: seed, duration: 4_000, warmup: 0, replications: 4)
        for r in results {
            let c = r.classes[0]
            #expect(c.errors > 100 && c.completed > 1_000, "seed \(seed): \(c.completed) done, \(c.errors) errors")
            // Every arrival ends once: done or failed (a few are in flight at the end).
            #expect(c.arrivals >= c.completed + c.errors && c.arrivals - c.completed - c.errors < 20,
                    "seed \(seed): \(c.arrivals) arrivals, \(c.completed) done, \(c.errors) errors")
            // Branches are never counted as requests of their own.
            #expect(r.cpus.map(\.completions).reduce(0, +) <= 2 * c.arrivals, "seed \(seed)")
        }
        // The workers keep turning over (a leaked unit would stop them for good).
        let rates = results.map { Double($0.classes[0].completed) / $0.measuredTime }
        #expect(rates.allSatisfy { $0 > 0.5 }, "seed \(seed): completions per second \(rates)")
    }

    @Test func aRequestStaysSeventyTwoBytes() {
        // The fork's fields fill the padding of `Request`: the slab of requests in flight
        // (and its cache misses) does not grow with them.
        #expect(MemoryLayout<Request>.stride == 72, "Request is \(MemoryLayout<Request>.stride) bytes")
    }

    @Test func analyticMaximumOfAlikeExponentialsIsTheHarmonicNumber() {
        for k in [2, 4, 16] {
            let branch = LatencyMixture.Component(fixed: 0.001, mean: 0.02, variance: 0.0004)
            let max = LatencyMixture.Component.maximum(of: Array(repeating: branch, count: k), copies: 1)
            EngineCheck.expectClose((max.fixed + max.mean) / (0.001 + 0.02 * Self.harmonic(k)), 1, tolerance: 1e-5, "E[max of \(k)]")
            let variance = (1...k).reduce(0) { $0 + 0.02 * 0.02 / Double($1 * $1) }
            EngineCheck.expectClose(max.variance / variance, 1, tolerance: 1e-4, "Var[max of \(k)]")
            // One body run k times is the same as k bodies.
            let copies = LatencyMixture.Component.maximum(of: [branch], copies: k)
            EngineCheck.expectClose(copies.mean, max.mean, tolerance: 1e-9, "copies")
        }
    }
}
