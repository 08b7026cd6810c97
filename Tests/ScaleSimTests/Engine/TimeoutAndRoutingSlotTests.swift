import Foundation
import Testing
@testable import ScaleSim

/// Client timeouts, several routers per request, and hot keys in caches.
@Suite struct EngineTimeoutTests {
    /// A client that gives up does not stop the server, so the queue is still M/M/1: the share
    /// of requests that time out is P(T > τ) = e^{-(μ-λ)τ}, and the completed ones have the
    /// sojourn time conditioned on T <= τ: E[T | T <= τ] = 1/θ - τ e^{-θτ} / (1 - e^{-θτ}),
    /// θ = μ - λ.
    @Test(arguments: [(UInt64(5), 2.0), (UInt64(6), 5.0), (UInt64(7), 12.0)])
    func timeoutsOfAnMM1MatchItsSojournTail(seed: UInt64, timeout: Double) {
        var b = ModelBuilder("M/M/1 with timeouts")
        b.model.classes.append(.init(name: "req", timeout: timeout))
        let cpu = b.cpu("server")
        let service = b.sampler(.exponential(mean: 1), stream: "service")
        b.open(rate: 0.8, entry: b.program([.use(.cpu(cpu), sampler: service, on: nil), .done]))
        let results = EngineCheck.replicate(b.model, seed: seed, duration: 60_000, warmup: 2_000)
        let theta = 0.2
        let tail = exp(-theta * timeout)
        let conditionalMean = 1 / theta - timeout * tail / (1 - tail)
        let c = \ReplicationResult.classes
        let errorRate = EngineCheck.estimate(results) { r in
            EngineCheck.ratio(Double(r[keyPath: c][0].errors), Double(r[keyPath: c][0].errors + r[keyPath: c][0].completed))
        }
        EngineCheck.expect(errorRate, tail, slack: 0.01, "share timed out (τ = \(timeout))", seed: seed)
        let timeouts = EngineCheck.estimate(results) { EngineCheck.ratio(Double($0.classes[0].timeouts), Double($0.classes[0].errors)) }
        EngineCheck.expectClose(timeouts.mean, 1, "every error is a timeout")
        EngineCheck.expect(EngineCheck.estimate(results) { $0.classes[0].latency.mean }, conditionalMean, slack: 0.01,
                           "mean latency of completed requests", seed: seed)
        // The server does all the work: utilization stays λ/μ.
        EngineCheck.expect(EngineCheck.estimate(results) { $0.cpus[0].busyArea / $0.measuredTime }, 0.8, slack: 0.005,
                           "utilization", seed: seed)
        // Abandoned requests are finished later by the server (all but those in flight at the end).
        let abandoned = EngineCheck.estimate(results) {
            EngineCheck.ratio(Double($0.classes[0].abandonedCompleted), Double($0.classes[0].timeouts))
        }
        EngineCheck.expect(abandoned, 1, slack: 0.01, "abandoned requests finished by the server", seed: seed)
    }

    /// A closed user whose request times out thinks again at once; with a timeout far below the
    /// service time every request times out and users cycle through think + timeout.
    @Test func closedUsersRetryAfterATimeout() {
        var b = ModelBuilder("closed with timeouts")
        b.model.classes.append(.init(name: "req", timeout: 1))
        let delay = b.delay("slow")
        let slow = b.sampler(.deterministic(value: 5), stream: "slow")
        let think = b.sampler(.deterministic(value: 1), stream: "think")
        b.closed(size: 10, think: think, entry: b.program([.use(.delay(delay), sampler: slow, on: nil), .done]))
        var engine = Engine(model: b.model, seed: 1, replication: 0, duration: 100, warmup: 0)
        let result = engine.run()
        // Each user sends a request every 2 s (1 s think + 1 s until the timeout).
        #expect(result.classes[0].completed == 0)
        #expect(result.classes[0].timeouts == 10 * 50, "timeouts \(result.classes[0].timeouts)")
        // Every request stays 5 s at the delay: 2.5 requests per user in flight on average.
        EngineCheck.expectClose(result.delays[0].inStationArea / 100, 10 * 5 / 2, tolerance: 0.03, "requests still being served")
    }
}

@Suite struct EngineRoutingSlotTests {
    /// A request passes two routers (API instance, then database replica); steps name which
    /// router's choice offsets them, so each tier sees only its own router's split.
    @Test func twoRoutersKeepTheirOwnChoices() {
        let seed: UInt64 = 8
        var b = ModelBuilder("two tiers")
        b.requestClass("req")
        let api = b.router("api", policy: .roundRobin, instances: 2)
        b.model.routers.append(.init(name: "replicas", policy: .random, instances: 3, streamName: "router:replicas", slot: 1))
        let replicas = b.model.routers.count - 1
        let apiCPU = b.cpu("api0"); _ = b.cpu("api1")
        let replicaCPU = b.cpu("replica0"); _ = b.cpu("replica1"); _ = b.cpu("replica2")
        let sentinel = b.cpu("nobody")
        let work = b.sampler(.exponential(mean: 0.1), stream: "work")
        b.open(rate: 6, entry: b.program([
            .route(router: api),
            .use(.cpu(apiCPU), sampler: work, on: api),
            .route(router: replicas),
            .use(.cpu(replicaCPU), sampler: work, on: replicas),
            .leave(router: replicas),
            .use(.cpu(apiCPU), sampler: work, on: api),
            .leave(router: api),
            .done,
        ]))
        let results = EngineCheck.replicate(b.model, seed: seed, duration: 5_000, warmup: 500)
        for i in 0..<2 {
            // Each API instance is visited twice per request it gets: 2 × 6/2 per second.
            EngineCheck.expect(EngineCheck.estimate(results) { Double($0.cpus[apiCPU + i].completions) / $0.measuredTime },
                               6, slack: 0.01, "api\(i) visits/s", seed: seed)
        }
        for j in 0..<3 {
            EngineCheck.expect(EngineCheck.estimate(results) { Double($0.cpus[replicaCPU + j].completions) / $0.measuredTime },
                               2, slack: 0.02, "replica\(j) visits/s", seed: seed)
        }
        #expect(results.allSatisfy { $0.cpus[sentinel].arrivals == 0 }, "a choice leaked into another tier (seed \(seed))")
        #expect(results.allSatisfy { $0.routers[replicas].picks.reduce(0, +) > 0 })
    }
}

@Suite struct EngineHotKeyTests {
    /// A celebrity's key takes a fixed share of lookups; the TTL formula still holds per key
    /// with the key's own rate: hit = Σ p_i λ p_i T / (1 + λ p_i T).
    @Test(arguments: [0.0, 0.3])
    func hotKeyShareFollowsTheTTLFormula(hotShare: Double) {
        let seed: UInt64 = 12
        var b = ModelBuilder("hot key")
        b.requestClass("view")
        b.model.caches.append(.init(name: "cache", keys: 5_000, zipf: 0.7, ttl: 10, capacity: nil,
                                    streamName: "cache:keys", hotShares: hotShare > 0 ? [hotShare] : []))
        let entry = b.program([.lookup(cache: 0, hit: 2, miss: 1), .fill(cache: 0), .done])
        b.open(rate: 200, entry: entry)
        let p = b.model.caches[0].keyProbabilities
        #expect(abs(p.reduce(0, +) - 1) < 1e-9)
        if hotShare > 0 { #expect(abs(p[0] - hotShare) < 1e-12) }
        let rate = 200.0, ttl = 10.0
        let hit = p.reduce(0) { $0 + $1 * rate * $1 * ttl / (1 + rate * $1 * ttl) }
        let results = EngineCheck.replicate(b.model, seed: seed, duration: 2_000, warmup: 200)
        EngineCheck.expect(EngineCheck.estimate(results) { Double($0.caches[0].hits) / Double($0.caches[0].lookups) },
                           hit, slack: 0.002, "hit ratio with hot share \(hotShare)", seed: seed)
    }
}
