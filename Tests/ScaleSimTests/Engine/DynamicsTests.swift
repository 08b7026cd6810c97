import Foundation
import Testing
@testable import ScaleSim

/// Rate profiles, flash crowds and closed populations that follow a profile.
@Suite struct EngineProfileTests {
    /// Thinning gives a Poisson process with intensity λ f(t): the count over [0, T] is Poisson
    /// with mean λ ∫f, so the mean over replications lies within its interval (variance = mean).
    @Test(arguments: [UInt64(21), 22])
    func arrivalsMatchTheProfilesIntegral(seed: UInt64) {
        var b = ModelBuilder("spike")
        b.requestClass("req")
        let net = b.delay("net")
        let d = b.sampler(.deterministic(value: 0.01), stream: "d")
        b.open(rate: 50, entry: b.program([.use(.delay(net), sampler: d, on: nil), .done]))
        let profile = Model.RateProfile.spike(at: 100, factor: 4, length: 60, ramp: 20)
        b.model.profile = profile
        let results = EngineCheck.replicate(b.model, seed: seed, duration: 300, warmup: 0, replications: 20)
        let expected = 50 * profile.integral(from: 0, to: 300)
        EngineCheck.expectClose(expected, 50 * (300 + 3 * 60 + 2 * 1.5 * 20), "the spike's integral")
        let counts = results.map { Double($0.classes[0].arrivals) }
        let mean = counts.reduce(0, +) / Double(counts.count)
        // 99.9% normal interval of the mean of 20 Poisson counts.
        let half = 3.29 * (expected / Double(counts.count)).squareRoot()
        #expect(abs(mean - expected) <= half, "arrivals \(mean), λ∫f = \(expected) ± \(half) (seed \(seed))")
        // Inside the spike the rate is 4λ: the windows of its plateau carry four times the traffic.
        let perWindow = { (from: Double, to: Double) -> Double in
            let ws = results.flatMap(\.windows).filter { $0.start >= from && $0.end <= to }
            return Double(ws.reduce(0) { $0 + $1.arrivals }) / ws.reduce(0) { $0 + $1.width }
        }
        let plateau = perWindow(125, 175), before = perWindow(0, 95)
        #expect(abs(plateau / before - 4) < 0.25, "plateau rate \(plateau) vs before \(before) (seed \(seed))")
    }

    /// A closed population follows the profile: with a think time of 1 s and no service,
    /// throughput is the number of users.
    @Test func closedUsersFollowTheProfile() {
        let seed: UInt64 = 23
        var b = ModelBuilder("closed step")
        b.requestClass("req")
        let think = b.sampler(.exponential(mean: 1), stream: "think")
        let net = b.delay("net")
        let d = b.sampler(.deterministic(value: 0), stream: "d")
        b.closed(size: 100, think: think, entry: b.program([.use(.delay(net), sampler: d, on: nil), .done]))
        b.model.profile = .init(points: [.init(time: 0, factor: 1), .init(time: 100, factor: 1),
                                         .init(time: 100, factor: 2), .init(time: 200, factor: 2),
                                         .init(time: 200, factor: 0.5)])
        let results = EngineCheck.replicate(b.model, seed: seed, duration: 300, warmup: 0, replications: 8)
        func rate(_ from: Double, _ to: Double) -> Double {
            let ws = results.flatMap(\.windows).filter { $0.start >= from && $0.end <= to }
            return Double(ws.reduce(0) { $0 + $1.arrivals }) / ws.reduce(0) { $0 + $1.width }
        }
        #expect(abs(rate(10, 95) - 100) < 5, "100 users: \(rate(10, 95)) req/s (seed \(seed))")
        #expect(abs(rate(115, 195) - 200) < 8, "200 users: \(rate(115, 195)) req/s (seed \(seed))")
        #expect(abs(rate(215, 300) - 50) < 3, "50 users: \(rate(215, 300)) req/s (seed \(seed))")
    }

    /// From `from`, a flash crowd's key takes its share of lookups on top of the usual draw.
    @Test func aFlashCrowdTakesItsShareFromItsStart() {
        let seed: UInt64 = 24
        var b = ModelBuilder("flash")
        b.requestClass("req")
        b.model.caches.append(.init(name: "cache", keys: 1000, zipf: 0, ttl: nil, capacity: nil, streamName: "keys",
                                    hotShares: [0], flash: .init(key: 0, share: 0.3, from: 100)))
        let hit = 2
        let entry = b.program([.lookup(cache: 0, hit: hit, miss: 1), .fill(cache: 0), .done])
        b.open(rate: 200, entry: entry)
        let results = EngineCheck.replicate(b.model, seed: seed, duration: 200, warmup: 100, replications: 4)
        // After the warm-up (t >= 100) the flash key takes 30% of lookups: its misses are one
        // per replication (the first fill), and the hot-miss counter sees exactly that.
        for r in results {
            #expect(r.caches[0].hotMisses <= 1, "hot key misses \(r.caches[0].hotMisses) (seed \(seed))")
        }
        let hits = EngineCheck.estimate(results) { Double($0.caches[0].hits) / Double($0.caches[0].lookups) }
        // Uniform keys: every key is cached after the first lookup of it; 1000 keys over
        // 20,000 lookups leave the hit ratio near 1 either way, so check the key draw directly.
        #expect(hits.mean > 0.9, "hit ratio \(hits.mean) (seed \(seed))")
        let engine = Engine(model: b.model, seed: seed, replication: 0, duration: 200, warmup: 0)
        var before = 0, after = 0, beforeAll = 0, afterAll = 0
        for t in stride(from: 0.0, to: 200, by: 0.01) {
            let key = engine.caches[0].drawKey(now: t)
            if t < 100 { beforeAll += 1; if key == 0 { before += 1 } } else { afterAll += 1; if key == 0 { after += 1 } }
        }
        #expect(before == 0, "the flash key is drawn \(before) times before its start")
        let share = Double(after) / Double(afterAll)
        #expect(abs(share - 0.3) < 3.29 * (0.3 * 0.7 / Double(afterAll)).squareRoot(), "flash share \(share)")
    }
}

/// Components that fail, load balancers that notice, autoscaling.
@Suite struct EngineFaultTests {
    /// `instances` API instances behind a round-robin router, each a worker pool and a CPU,
    /// with instance 0 down over [100, 200).
    static func model(instances: Int, healthCheck: Model.HealthCheck?, rate: Double = 20) -> Model {
        var b = ModelBuilder("instances")
        b.requestClass("req")
        let router = b.router("api", policy: .roundRobin, instances: instances)
        let cpu = b.cpu("api.cpu0", discipline: .ps)
        for i in 1..<max(instances, 1) { b.cpu("api.cpu\(i)", discipline: .ps) }
        let pool = b.pool("api.workers0", capacity: 8)
        for i in 1..<max(instances, 1) { b.pool("api.workers\(i)", capacity: 8) }
        for i in 0..<instances {
            b.model.components.append(.init(name: "api[\(i)]", cpus: [cpu + i], pools: [pool + i]))
        }
        b.model.routers[router].components = Array(0..<instances)
        b.model.routers[router].healthCheck = healthCheck
        b.model.faults = [.init(component: 0, at: 100, duration: 100)]
        let service = b.sampler(.exponential(mean: 0.02), stream: "service")
        b.open(rate: rate, entry: b.program([.route(router: router), .acquire(pool: pool, on: router),
                                             .use(.cpu(cpu), sampler: service, on: router),
                                             .release(pool: pool, on: router), .leave(router: router), .done]))
        return b.model
    }

    static let check = Model.HealthCheck(interval: 5, unhealthyThreshold: 2, healthyThreshold: 2)

    /// Checks run every 5 s; the one at 100 s comes after the fault (scheduled first, at the
    /// same time), so the checks at 100 and 105 fail and from 105 instance 0 gets nothing; the
    /// checks at 200 and 205 pass, so from 205 it takes its share again.
    @Test func aFailedInstanceLeavesRotationAndComesBack() {
        let seed: UInt64 = 31
        let model = Self.model(instances: 2, healthCheck: Self.check)
        var engine = Engine(model: model, seed: seed, replication: 0, duration: 300, warmup: 0, window: 5)
        let result = engine.run()
        let markers = result.markers.map { "\($0.kind.rawValue)@\(Int($0.time)) \($0.label)" }
        #expect(markers == ["fault_start@100 api[0]", "removed@105 api[0]", "fault_end@200 api[0]", "restored@205 api[0]"],
                "markers \(markers) (seed \(seed))")
        for w in result.windows {
            let busy0 = w.cpuBusyArea[0], busy1 = w.cpuBusyArea[1]
            if w.start >= 105 && w.end <= 205 {
                #expect(busy0 == 0, "instance 0 worked in [\(w.start), \(w.end)) while out of rotation")
                EngineCheck.expectClose(w.routerInstanceArea[0] / w.width, 1, "one instance in service")
            } else if w.start >= 205 {
                #expect(busy0 > 0 && busy1 > 0, "both instances serve in [\(w.start), \(w.end))")
                EngineCheck.expectClose(w.routerInstanceArea[0] / w.width, 2, "two instances in service")
            }
            // Errors only between the fault and its detection.
            if w.errors > 0 { #expect(w.start >= 100 && w.end <= 105, "errors in [\(w.start), \(w.end))") }
        }
        #expect(result.classes[0].failures == result.classes[0].errors && result.classes[0].errors > 0)
    }

    /// Without health checks the dead instance keeps its share of traffic and all of it fails;
    /// with several instances and checks, only the traffic of the detection delay is lost; one
    /// instance alone fails everything during the fault.
    @Test func severalInstancesLoseLessThanOne() {
        let seed: UInt64 = 32
        func errors(_ model: Model) -> Double {
            let results = EngineCheck.replicate(model, seed: seed, duration: 300, warmup: 0, replications: 4)
            let e = results.reduce(0) { $0 + $1.classes[0].errors }, n = results.reduce(0) { $0 + $1.classes[0].arrivals }
            return Double(e) / Double(n)
        }
        let one = errors(Self.model(instances: 1, healthCheck: Self.check))
        let fourUnchecked = errors(Self.model(instances: 4, healthCheck: nil))
        let four = errors(Self.model(instances: 4, healthCheck: Self.check))
        // One instance: the whole fault (100 of 300 s) fails, and the 5 s until it is back in rotation.
        #expect(abs(one - 105.0 / 300) < 0.02, "one instance: \(one) of requests failed (seed \(seed))")
        // Four unchecked: a quarter of the fault's traffic.
        #expect(abs(fourUnchecked - 100.0 / 300 / 4) < 0.02, "four, no checks: \(fourUnchecked) (seed \(seed))")
        // Four checked: a quarter of the 5 s detection delay.
        #expect(abs(four - 5.0 / 300 / 4) < 0.004, "four, checked: \(four) (seed \(seed))")
        #expect(four < fourUnchecked && fourUnchecked < one)
    }

    /// Requests in flight on an instance that dies fail, and everything they held is given back
    /// (the invariants hold: `.ci/run` runs this suite with `SCALESIM_CHECKS`).
    @Test func requestsInFlightOnAFailedInstanceFail() {
        let seed: UInt64 = 33
        // Slow service and a heavy load: many requests are at instance 0 when it dies.
        var model = Self.model(instances: 2, healthCheck: Self.check, rate: 90)
        model.samplers[0] = .init(.exponential(mean: 0.02), streamName: "service")
        var engine = Engine(model: model, seed: seed, replication: 0, duration: 300, warmup: 0, window: 5)
        let result = engine.run()
        #expect(engine.pools.allSatisfy { $0.inUse >= 0 && $0.inUse <= $0.configuredCapacity })
        #expect(engine.inFlight == engine.requests.count - engine.freeSlots.count)
        let atFault = result.windows.first { $0.start == 100 }!
        #expect(atFault.errors > 0, "requests lost when the instance died (seed \(seed))")
        #expect(engine.pools[0].inUse <= 8 && engine.cpus[0].n >= 0)
    }

    /// A lost cache node empties its keys: lookups of them miss while it is down.
    @Test func aLostCacheNodeEmptiesItsKeys() {
        let seed: UInt64 = 34
        var b = ModelBuilder("cache nodes")
        b.requestClass("req")
        b.model.caches.append(.init(name: "cache", keys: 100, zipf: 0, ttl: nil, capacity: nil, streamName: "keys"))
        b.model.components = [.init(name: "cache node 1", cacheParts: [.init(cache: 0, node: 1, nodes: 2)])]
        b.model.faults = [.init(component: 0, at: 100, duration: 50)]
        b.open(rate: 100, entry: b.program([.lookup(cache: 0, hit: 2, miss: 1), .fill(cache: 0), .done]))
        var engine = Engine(model: b.model, seed: seed, replication: 0, duration: 200, warmup: 0, window: 10)
        let result = engine.run()
        for w in result.windows {
            let ratio = Double(w.cacheHits[0]) / Double(w.cacheLookups[0])
            if w.start >= 100 && w.end <= 150 {
                // Half the keys live on the lost node: half the lookups miss.
                #expect(abs(ratio - 0.5) < 0.06, "hit ratio \(ratio) in [\(w.start), \(w.end)) (seed \(seed))")
            } else if w.start >= 160 || (w.start >= 20 && w.end <= 100) {
                #expect(ratio > 0.95, "hit ratio \(ratio) in [\(w.start), \(w.end)) (seed \(seed))")
            }
        }
    }

    /// Target tracking on requests per instance: a spike from 200 to 800 req/s with a target of
    /// 125 per instance asks for 7 instances; they take traffic only after the provisioning
    /// delay, and never more than the maximum (6).
    @Test func autoscalingWaitsForProvisioningAndRespectsTheMaximum() {
        let seed: UInt64 = 35
        var b = ModelBuilder("autoscaling")
        b.requestClass("req")
        let router = b.router("api", policy: .roundRobin, instances: 6)
        let cpu = b.cpu("api.cpu0", discipline: .ps)
        for i in 1..<6 { b.cpu("api.cpu\(i)", discipline: .ps) }
        b.model.components = (0..<6).map { .init(name: "api[\($0)]", cpus: [cpu + $0]) }
        b.model.routers[router].components = Array(0..<6)
        b.model.routers[router].autoscaling = .init(metric: .requestsPerInstance, target: 125, minimum: 2, maximum: 6,
                                                    initial: 2, interval: 10, cooldown: 60, provisioningDelay: 30)
        b.model.profile = .spike(at: 100, factor: 4, length: 200, ramp: 0)
        let service = b.sampler(.exponential(mean: 0.001), stream: "service")
        b.open(rate: 200, entry: b.program([.route(router: router), .use(.cpu(cpu), sampler: service, on: router),
                                            .leave(router: router), .done]))
        var engine = Engine(model: b.model, seed: seed, replication: 0, duration: 500, warmup: 0, window: 10)
        let result = engine.run()
        let outs = result.markers.filter { $0.kind == .scaleOut }
        let ready = result.markers.filter { $0.kind == .provisioned }
        #expect(!outs.isEmpty, "no scale-out (seed \(seed)): \(result.markers)")
        // The first scale-out is at the first evaluation after the spike (t = 110).
        #expect(outs.first?.time == 110, "first scale-out at \(outs.first?.time ?? -1)")
        // Every new instance takes traffic exactly the provisioning delay after a scale-out.
        for r in ready { #expect(outs.contains { abs($0.time + 30 - r.time) < 1e-9 }, "provisioned at \(r.time) without a scale-out 30 s before") }
        for w in result.windows {
            let inService = w.routerInstanceArea[0] / w.width
            #expect(inService <= 6 + 1e-9, "\(inService) instances in [\(w.start), \(w.end))")
            if w.end <= 140 { #expect(inService <= 2 + 1e-9, "more than 2 instances before provisioning ended") }
        }
        #expect(result.routers[0].maximumInService == 6)
        // After the spike (t >= 300) and the cooldown it scales back in to 2.
        let last = result.windows.last!
        EngineCheck.expectClose(last.routerInstanceArea[0] / last.width, 2, "back to the minimum")
    }
}

/// Client retries and cache coalescing.
@Suite struct EngineRetryTests {
    /// Each attempt fails with probability p (an injected error) and the client retries up to
    /// k times: attempts per request are (1 - p^(k+1)) / (1 - p) and a request fails for good
    /// with probability p^(k+1).
    @Test(arguments: [(UInt64(41), 0.3, 3), (UInt64(42), 0.5, 2)])
    func retriesRaiseTheOfferedLoadByTheExpectedFactor(seed: UInt64, p: Double, k: Int) {
        var b = ModelBuilder("flaky")
        b.model.classes.append(.init(name: "req", retry: .init(attempts: k, backoff: 0.05, multiplier: 2, cap: 1, jitter: true)))
        let net = b.delay("net")
        let d = b.sampler(.exponential(mean: 0.01), stream: "d")
        b.model.branches.append(.init(probabilities: [p, 1 - p], targets: [3, 4], streamName: "flaky"))
        b.open(rate: 100, entry: b.program([.use(.delay(net), sampler: d, on: nil), .branch(table: 0), .jump(to: 4), .fail, .done]))
        let results = EngineCheck.replicate(b.model, seed: seed, duration: 600, warmup: 50, replications: 10)
        let factor = (1 - pow(p, Double(k + 1))) / (1 - p)
        let attempts = EngineCheck.estimate(results) { Double($0.delays[0].arrivals) / Double($0.classes[0].arrivals) }
        EngineCheck.expect(attempts, factor, slack: 0.005, "attempts per request (p = \(p), \(k) retries)", seed: seed)
        let retries = EngineCheck.estimate(results) { Double($0.classes[0].retries) / Double($0.classes[0].arrivals) }
        EngineCheck.expect(retries, factor - 1, slack: 0.01, "retries per request", seed: seed)
        let failed = EngineCheck.estimate(results) {
            Double($0.classes[0].errors) / Double($0.classes[0].errors + $0.classes[0].completed)
        }
        EngineCheck.expect(failed, pow(p, Double(k + 1)), slack: 0.05, "final failure probability", seed: seed)
    }

    /// A retry storm: a server at 70% load takes a 2x spike for 60 s; requests pile up past
    /// their 1 s timeout, and clients that retry 3 times send 4 attempts per request (280/s
    /// against a capacity of 100/s) while the servers still do the abandoned work. The system
    /// stays overloaded long after the spike: metastable. Without retries, or with a 10% retry
    /// budget (77/s), the backlog drains and the system recovers.
    @Test func aRetryStormOutlivesTheSpikeUnlessBudgeted() {
        let seed: UInt64 = 45
        func lateErrorShare(_ retry: Model.RetryPolicy?) -> Double {
            var b = ModelBuilder("storm")
            b.model.classes.append(.init(name: "req", timeout: 1, retry: retry))
            let cpu = b.cpu("server", discipline: .ps)
            let service = b.sampler(.exponential(mean: 0.01), stream: "service")
            b.open(rate: 70, entry: b.program([.use(.cpu(cpu), sampler: service, on: nil), .done]))
            b.model.profile = .spike(at: 100, factor: 2, length: 60, ramp: 0)
            var engine = Engine(model: b.model, seed: seed, replication: 0, duration: 600, warmup: 0, window: 10)
            let result = engine.run()
            #expect(result.stoppedEarly == nil)
            let late = result.windows.filter { $0.start >= 400 }
            let errors = late.reduce(0) { $0 + $1.errors }, done = late.reduce(0) { $0 + $1.completed }
            return Double(errors) / Double(errors + done)
        }
        let storm = lateErrorShare(.init(attempts: 3, backoff: 0.1, cap: 2))
        let budgeted = lateErrorShare(.init(attempts: 3, backoff: 0.1, cap: 2, budget: 0.1))
        let none = lateErrorShare(nil)
        #expect(storm > 0.9, "retries without a budget: \(storm) of requests still fail 240 s after the spike (seed \(seed))")
        #expect(budgeted < 0.02, "with a 10% budget: \(budgeted) (seed \(seed))")
        #expect(none < 0.02, "without retries: \(none) (seed \(seed))")
    }

    /// A budget of 10% caps retries at about a tenth of first attempts, whatever the failure rate.
    @Test func aRetryBudgetCapsRetries() {
        let seed: UInt64 = 43
        var b = ModelBuilder("budget")
        b.model.classes.append(.init(name: "req", retry: .init(attempts: 5, backoff: 0.01, budget: 0.1)))
        b.open(rate: 100, entry: b.program([.fail]))
        let results = EngineCheck.replicate(b.model, seed: seed, duration: 300, warmup: 0, replications: 3)
        for r in results {
            let share = Double(r.classes[0].retries) / Double(r.classes[0].arrivals)
            #expect(share <= 0.1 + 10.0 / Double(r.classes[0].arrivals) && share > 0.09,
                    "retries per first attempt \(share) (seed \(seed))")
        }
    }

    /// `ifKey` takes the hot key's lookups (a binomial share) to their own path.
    @Test func hotKeysTakeTheirOwnPath() {
        let seed: UInt64 = 46
        var b = ModelBuilder("hot path")
        b.requestClass("req")
        b.model.caches.append(.init(name: "cache", keys: 1000, zipf: 1, ttl: 1, capacity: nil, streamName: "keys", hotShares: [0.25]))
        let cold = b.delay("cold"), hot = b.delay("hot")
        let d = b.sampler(.deterministic(value: 0.001), stream: "d")
        b.open(rate: 100, entry: b.program([.lookup(cache: 0, hit: 1, miss: 1), .ifKey(cache: 0, key: 0, to: 4),
                                            .use(.delay(cold), sampler: d, on: nil), .done,
                                            .use(.delay(hot), sampler: d, on: nil), .done]))
        var engine = Engine(model: b.model, seed: seed, replication: 0, duration: 1000, warmup: 0)
        let result = engine.run()
        let n = Double(result.caches[0].lookups), share = Double(result.delays[hot].arrivals) / n
        #expect(abs(share - 0.25) < 3.29 * (0.25 * 0.75 / n).squareRoot(), "hot share \(share) of \(n) (seed \(seed))")
        #expect(result.delays[cold].arrivals + result.delays[hot].arrivals == result.caches[0].lookups)
    }

    /// One hot key with a 1 s TTL whose fill takes 0.2 s at 500 lookups/s: without coalescing
    /// about 100 lookups miss per expiry; with it, one fill per expiry (at most one per TTL
    /// plus the fill time, and one at the start).
    @Test func coalescingLeavesOneFillPerExpiry() {
        let seed: UInt64 = 44
        func run(coalesce: Bool) -> ReplicationResult {
            var b = ModelBuilder("stampede")
            b.requestClass("req")
            b.model.caches.append(.init(name: "cache", keys: 1, zipf: 0, ttl: 1, capacity: nil, streamName: "keys",
                                        hotShares: [1], coalesce: coalesce))
            let db = b.delay("db")
            let query = b.sampler(.deterministic(value: 0.2), stream: "query")
            b.open(rate: 500, entry: b.program([.lookup(cache: 0, hit: 3, miss: 1), .use(.delay(db), sampler: query, on: nil),
                                                .fill(cache: 0), .done]))
            var engine = Engine(model: b.model, seed: seed, replication: 0, duration: 120, warmup: 0)
            let result = engine.run()
            #expect(engine.caches[0].pendingFills.count <= 1)
            return result
        }
        let plain = run(coalesce: false), coalesced = run(coalesce: true)
        // Each fill is followed by TTL of hits, then a miss that starts the next fill: a cycle
        // of 1.2 s, so at most 120 / 1.2 + 1 fills.
        #expect(coalesced.delays[0].arrivals <= 101, "database reads with coalescing: \(coalesced.delays[0].arrivals)")
        #expect(coalesced.caches[0].hotMisses == coalesced.delays[0].arrivals)
        #expect(plain.delays[0].arrivals > 50 * coalesced.delays[0].arrivals,
                "without coalescing \(plain.delays[0].arrivals) reads, with \(coalesced.delays[0].arrivals) (seed \(seed))")
        // Everyone who waited was served: nothing is lost.
        #expect(coalesced.classes[0].completed + 1 >= coalesced.classes[0].arrivals - 200)
        #expect(coalesced.caches[0].coalesced > 0)
    }
}
