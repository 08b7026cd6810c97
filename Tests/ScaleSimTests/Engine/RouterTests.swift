import Foundation
import Testing
@testable import ScaleSim

/// Routers in front of per-instance resources:
/// `route(r) -> use(cpu perInstance, exp 1) -> leave(r) -> done` over n instances.
@Suite struct EngineRouterTests {
    static let lambda = 1.4          // total; each of 2 instances at ρ = 0.7 when split evenly
    static let duration = 20_000.0

    static func balanced(_ policy: Model.Router.Policy, instances: Int = 2, cores: [Int]? = nil,
                         pools: Bool = false, lambda: Double = lambda) -> Model {
        var b = ModelBuilder("lb \(policy.rawValue)")
        b.requestClass("req")
        let router = b.router("lb", policy: policy, instances: instances)
        var firstCPU = 0, firstPool = 0
        for i in 0..<instances {
            let cpu = b.cpu("api[\(i)]", cores: cores?[i] ?? 1)
            if i == 0 { firstCPU = cpu }
            if pools {
                let pool = b.pool("workers[\(i)]", capacity: 1_000)
                if i == 0 { firstPool = pool }
            }
        }
        let service = b.sampler(.exponential(mean: 1), stream: "service")
        var steps: [Model.Step] = [.route(router: router)]
        if pools { steps.append(.acquire(pool: firstPool, on: router)) }
        steps.append(.use(.cpu(firstCPU), sampler: service, on: router))
        if pools { steps.append(.release(pool: firstPool, on: router)) }
        steps += [.leave(router: router), .done]
        b.open(rate: lambda, entry: b.program(steps))
        return b.model
    }

    static func meanResponse(_ r: ReplicationResult, instance i: Int) -> Double {
        EngineCheck.ratio(r.cpus[i].sumResponse, Double(r.cpus[i].completions))
    }

    static func share(_ r: ReplicationResult, instance i: Int) -> Double {
        let picks = r.routers[0].picks
        return EngineCheck.ratio(Double(picks[i]), Double(picks.reduce(0, +)))
    }

    @Test func randomSplitGivesEachInstanceAnMM1() {
        // Bernoulli thinning of a Poisson stream is Poisson: each instance is M/M/1 at λ/2,
        // T = 1 / (μ - λ/2) (Kleinrock vol. 1, §3.2), exactly.
        let seed: UInt64 = 201
        let results = EngineCheck.replicate(Self.balanced(.random), seed: seed, duration: Self.duration,
                                            warmup: Self.duration / 10)
        for i in 0..<2 {
            EngineCheck.expect(EngineCheck.estimate(results) { Self.meanResponse($0, instance: i) },
                               1 / (1 - Self.lambda / 2), slack: 0.01, "random: instance \(i) mean response", seed: seed)
            EngineCheck.expect(EngineCheck.estimate(results) { Self.share($0, instance: i) },
                               0.5, slack: 0.002, "random: instance \(i) share of picks", seed: seed)
            EngineCheck.expect(EngineCheck.estimate(results) { $0.cpus[i].busyArea / $0.measuredTime },
                               Self.lambda / 2, slack: 0.005, "random: instance \(i) utilization", seed: seed)
        }
    }

    /// σ of GI/M/1 with Erlang-2 interarrivals (two Poisson(λ) gaps): the root in (0, 1) of
    /// σ = A*(μ(1 - σ)), A*(s) = (λ / (λ + s))² (Kleinrock vol. 1, §6.4), by fixed-point iteration.
    static func e2m1Sigma(lambda: Double, mu: Double) -> Double {
        var sigma = 0.5
        for _ in 0..<10_000 {
            let next = pow(lambda / (lambda + mu * (1 - sigma)), 2)
            if abs(next - sigma) < 1e-15 { return next }
            sigma = next
        }
        return sigma
    }

    @Test func roundRobinGivesEachInstanceAnE2M1() {
        // Every other arrival of a Poisson(λ) stream: Erlang-2 interarrival times at each
        // instance. GI/M/1: mean response 1 / (μ (1 - σ)) (Kleinrock vol. 1, eq. 6.30).
        let seed: UInt64 = 202
        let sigma = Self.e2m1Sigma(lambda: Self.lambda, mu: 1)
        #expect(abs(sigma - pow(Self.lambda / (Self.lambda + 1 - sigma), 2)) < 1e-12)
        #expect(sigma > 0 && sigma < 0.7, "E2 arrivals are more regular than Poisson: σ < ρ")
        let results = EngineCheck.replicate(Self.balanced(.roundRobin), seed: seed, duration: Self.duration,
                                            warmup: Self.duration / 10)
        for i in 0..<2 {
            EngineCheck.expect(EngineCheck.estimate(results) { Self.meanResponse($0, instance: i) },
                               1 / (1 - sigma), slack: 0.01, "round robin: instance \(i) mean response (E2/M/1)", seed: seed)
            // GI/M/1: an arrival waits with probability σ.
            EngineCheck.expect(EngineCheck.estimate(results) { Double($0.cpus[i].waited) / Double($0.cpus[i].arrivals) },
                               sigma, slack: 0.01, "round robin: instance \(i) wait probability", seed: seed)
        }
        for (r, result) in results.enumerated() {
            let picks = result.routers[0].picks
            #expect(max(picks[0], picks[1]) - min(picks[0], picks[1]) <= 1,
                    "round robin replication \(r): picks \(picks) (seed \(seed))")
        }
    }

    @Test(arguments: [Model.Router.Policy.leastConnections, .powerOfTwo])
    func loadAwarePoliciesBeatRandom(policy: Model.Router.Policy) {
        // Join-the-shortest-queue style policies: at the same load the mean response is lower
        // than random's and the intervals are apart; by symmetry each instance gets a fair share.
        let seed: UInt64 = 203
        let instances = 4
        let lambda = 0.7 * Double(instances)
        let random = EngineCheck.replicate(Self.balanced(.random, instances: instances, lambda: lambda), seed: seed,
                                           duration: Self.duration / 2, warmup: Self.duration / 20)
        let aware = EngineCheck.replicate(Self.balanced(policy, instances: instances, lambda: lambda), seed: seed,
                                          duration: Self.duration / 2, warmup: Self.duration / 20)
        let randomMean = EngineCheck.estimate(random) { $0.classes[0].latency.mean }
        let awareMean = EngineCheck.estimate(aware) { $0.classes[0].latency.mean }
        EngineCheck.expect(randomMean, 1 / (1 - 0.7), slack: 0.01, "random over \(instances): mean response", seed: seed)
        #expect(awareMean.mean + awareMean.halfWidth! < randomMean.mean - randomMean.halfWidth!,
                "\(policy.rawValue): \(awareMean.mean) ± \(awareMean.halfWidth!) vs random \(randomMean.mean) ± \(randomMean.halfWidth!) (seed \(seed))")
        for i in 0..<instances {
            EngineCheck.expect(EngineCheck.estimate(aware) { Self.share($0, instance: i) },
                               1 / Double(instances), slack: 0.04,
                               "\(policy.rawValue): instance \(i) share of picks", seed: seed)
            EngineCheck.expect(EngineCheck.estimate(aware) { $0.cpus[i].busyArea / $0.measuredTime },
                               0.7, slack: 0.03, "\(policy.rawValue): instance \(i) utilization", seed: seed)
        }
    }

    @Test func perInstanceResourcesAreIndependent() {
        // Instance 0 has 1 core, instance 1 has 2; random routing makes them M/M/1 and M/M/2
        // at λ/2 each. Each instance's pool tracks exactly its own CPU.
        let seed: UInt64 = 204
        let model = Self.balanced(.random, cores: [1, 2], pools: true)
        let results = EngineCheck.replicate(model, seed: seed, duration: Self.duration, warmup: Self.duration / 10)
        let a = Self.lambda / 2
        let mm2 = Validation.erlangC(servers: 2, load: a) / (2 - a) + 1
        EngineCheck.expect(EngineCheck.estimate(results) { Self.meanResponse($0, instance: 0) },
                           1 / (1 - a), slack: 0.01, "instance 0 (1 core): M/M/1 mean response", seed: seed)
        EngineCheck.expect(EngineCheck.estimate(results) { Self.meanResponse($0, instance: 1) },
                           mm2, slack: 0.01, "instance 1 (2 cores): M/M/2 mean response", seed: seed)
        EngineCheck.expect(EngineCheck.estimate(results) { $0.cpus[1].busyArea / $0.measuredTime },
                           a, slack: 0.005, "instance 1 busy cores", seed: seed)
        for (r, result) in results.enumerated() {
            for i in 0..<2 {
                let picks = result.routers[0].picks[i]
                #expect(result.pools[i].acquisitions == picks && result.cpus[i].arrivals == picks,
                        "replication \(r) instance \(i): picks \(picks), pool \(result.pools[i].acquisitions), cpu \(result.cpus[i].arrivals) (seed \(seed))")
                #expect(result.pools[i].waited == 0, "replication \(r) instance \(i): nobody waits for a 1000-unit pool (seed \(seed))")
                EngineCheck.expectClose(result.pools[i].inUseArea, result.cpus[i].inStationArea,
                                        "replication \(r) instance \(i): pool in use vs CPU in station (seed \(seed))")
            }
        }
    }
}
