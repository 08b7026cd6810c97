import Foundation
import Testing
@testable import ScaleSim

/// `scalesim plan` on a network scenario: the fewest servers per station that meet the targets.
@Suite struct NetworkPlanTests {
    static let run = RunSettings(duration: 2000, warmup: 200, replications: 5, confidence: 0.95)

    static func mmc(lambda: Double, mu: Double, servers: Int = 1) -> NetworkScenario {
        NetworkScenario(name: "mmc", seed: 1, run: run, arrivals: [.init(className: "req", to: 0, rate: lambda)],
                        population: nil,
                        stations: [.init(name: "pool", kind: .queue(servers: servers, discipline: .fcfs, capacity: nil,
                                                                    service: .exponential(mean: 1 / mu), next: []))])
    }

    /// api (2 × 40 ms) -> half the requests to db (1 × 30 ms), 40 requests/s.
    static func tandem(rate: Double = 40) -> NetworkScenario {
        NetworkScenario(name: "tandem", seed: 3, run: run, arrivals: [.init(className: "req", to: 0, rate: rate)],
                        population: nil,
                        stations: [
                            .init(name: "api", kind: .queue(servers: 2, discipline: .fcfs, capacity: nil,
                                                            service: .exponential(mean: 0.04), next: [.init(to: 1, p: 0.5)])),
                            .init(name: "db", kind: .queue(servers: 1, discipline: .fcfs, capacity: nil,
                                                           service: .exponential(mean: 0.03), next: [])),
                        ])
    }

    /// Erlang C by its own route: with `t_c = 1` and `t_(k-1) = t_k k / a` (the terms a^k/k!
    /// relative to a^c/c!, which neither overflow nor underflow near c),
    /// `C = (c / (c - a)) / (sum_{k<c} t_k + c / (c - a))`.
    static func erlangC(_ c: Int, _ a: Double) -> Double {
        var t = 1.0, sum = 0.0
        for k in stride(from: c, to: 0, by: -1) {
            t *= Double(k) / a
            sum += t
        }
        let last = Double(c) / (Double(c) - a)
        return last / (sum + last)
    }

    /// The smallest stable c with `C(c, a) exp(-(c mu - lambda) t) <= 1%`, by brute force.
    static func bruteForce(lambda: Double, mu: Double, t: Double) -> Int {
        let a = lambda / mu
        var c = 1
        while Double(c) <= a || erlangC(c, a) * exp(-(Double(c) * mu - lambda) * t) > 0.01 { c += 1 }
        return c
    }

    static func plannedServers(_ scenario: NetworkScenario, _ slo: NetworkSLO, scale: Double = 1,
                               headroom: Double = 0) throws -> NetworkPlanResult {
        try NetworkPlanner.plan(scenario, NetworkPlanRequest(scale: scale, slo: slo, headroom: headroom))
    }

    @Test(arguments: [
        (7.2, 1.0, 1.0),        // the bundled mmc.json: 11 servers
        (0.5, 1.0, 10.0),       // a target so loose that one server suffices
        (3.0, 1.0, 100.0),      // a = 3 exactly: c = 4 = ceil(a) + 1 only for stability
        (5.0, 1.0, 1000.0),     // the same at a = 5
        (2.5, 1.0, 50.0),       // a not whole, loose target: c = ceil(a)
        (0.9, 1.0, 0.5),
        (100.0, 10.0, 0.05),
        (40.0, 25.0, 0.02),
        (950.0, 1.0, 0.01),     // hundreds of servers
        (12.0, 2.0, 0.001),     // a target so tight that nearly no one may wait
        (30.0, 0.5, 0.3),
    ])
    func theSmallestCWhoseWaitQuantileMeetsTheTarget(lambda: Double, mu: Double, t: Double) throws {
        let expected = Self.bruteForce(lambda: lambda, mu: mu, t: t)
        let result = try Self.plannedServers(Self.mmc(lambda: lambda, mu: mu), NetworkSLO(waitP99: t))
        let plan = try #require(result.best, "no plan: \(result.reason ?? "")")
        #expect(plan.servers == [expected], "lambda \(lambda), mu \(mu), t \(t): planned \(plan.servers), brute force \(expected)")
        #expect(plan.meetsSLO)
        // One server fewer fails (or is unstable): the answer is the smallest.
        let a = lambda / mu
        if expected > 1, Double(expected - 1) > a {
            let tail = Self.erlangC(expected - 1, a) * exp(-(Double(expected - 1) * mu - lambda) * t)
            #expect(tail > 0.01)
        }
    }

    @Test func theTableHoldsCasesWhereStabilityAloneDecides() {
        #expect(Self.bruteForce(lambda: 3, mu: 1, t: 100) == 4)
        #expect(Self.bruteForce(lambda: 0.5, mu: 1, t: 10) == 1)
        #expect(Self.bruteForce(lambda: 2.5, mu: 1, t: 50) == 3)
        #expect(Self.bruteForce(lambda: 7.2, mu: 1, t: 1) == 11)
    }

    @Test func headroomPlansForTheScaledLoad() throws {
        let result = try Self.plannedServers(Self.mmc(lambda: 7.2, mu: 1), NetworkSLO(waitP99: 1), headroom: 0.3)
        #expect(result.best?.servers == [Self.bruteForce(lambda: 7.2 * 1.3, mu: 1, t: 1)])
        let scaled = try Self.plannedServers(Self.mmc(lambda: 7.2, mu: 1), NetworkSLO(waitP99: 1), scale: 2)
        #expect(scaled.best?.servers == [Self.bruteForce(lambda: 14.4, mu: 1, t: 1)])
    }

    @Test func aHigherScaleNeverNeedsFewerServers() throws {
        for slo in [NetworkSLO(waitP99: 0.05), NetworkSLO(p99: 0.3), NetworkSLO(p99: 0.25, waitP99: 0.02)] {
            var last = 0
            for scale in [0.25, 0.5, 1, 1.5, 2, 4, 8] {
                let result = try Self.plannedServers(Self.tandem(), slo, scale: scale)
                let cost = try #require(result.best?.cost, "no plan at scale \(scale): \(result.reason ?? "")")
                #expect(cost >= last, "\(slo) scale \(scale): \(cost) servers, fewer than \(last) at a lower scale")
                last = cost
            }
        }
    }

    @Test func aLooserTargetNeverNeedsMoreServers() throws {
        var last = Int.max
        for t in [0.001, 0.005, 0.02, 0.05, 0.1, 0.5, 2] {
            let cost = try #require(try Self.plannedServers(Self.tandem(), NetworkSLO(waitP99: t)).best?.cost)
            #expect(cost <= last, "wait-p99 \(t): \(cost) servers, more than \(last) for a tighter target")
            last = cost
        }
        last = .max
        for p99 in [0.22, 0.23, 0.25, 0.3, 0.4, 0.6, 1] {
            let cost = try #require(try Self.plannedServers(Self.tandem(), NetworkSLO(p99: p99)).best?.cost, "p99 \(p99)")
            #expect(cost <= last, "p99 \(p99): \(cost) servers, more than \(last) for a tighter target")
            last = cost
        }
    }

    @Test func aTandemMeetsItsEndToEndTargetAnalyticallyAndInSimulation() throws {
        let result = try Self.plannedServers(Self.tandem(), NetworkSLO(p99: 0.25), headroom: 0.3)
        let plan = try #require(result.best)
        let p99 = try #require(plan.p99)
        #expect(p99 <= 0.25 && plan.meetsSLO)
        #expect(!result.current.meetsSLO, "the scenario's 2 + 1 servers are far too few")
        // Greedy stops as soon as the target holds: taking any server away breaks it.
        var search = NetworkPlanSearch(scenario: Self.tandem(), request: result.request)
        for i in 0..<2 where plan.servers[i]! > 1 {
            var fewer = plan.servers
            fewer[i]! -= 1
            #expect(!search.candidate(fewer).meetsSLO, "station \(i) has a server to spare: \(plan.servers)")
        }
        let verified = NetworkPlanner.verify(result, jobs: 4)
        let simulated = try #require(verified.best?.verified)
        #expect(simulated.met, "simulated p99 \(simulated.p99) vs analytic \(p99)")
        #expect(simulated.p99.contains(p99, slack: 0.1), "simulated \(simulated.p99), analytic \(p99)")
    }

    @Test func anUnreachableTargetSaysWhy() throws {
        // Exponential service of mean 1 s alone has a p99 of 4.6 s.
        let result = try Self.plannedServers(Self.mmc(lambda: 7.2, mu: 1), NetworkSLO(p99: 3))
        #expect(result.best == nil)
        #expect(result.reason?.contains("the targets do not hold: p99") == true, "\(result.reason ?? "")")
        let capped = try NetworkPlanner.plan(Self.mmc(lambda: 950, mu: 1),
                                             NetworkPlanRequest(slo: NetworkSLO(waitP99: 0.01), headroom: 0, maximumServers: 500))
        #expect(capped.best == nil && capped.reason?.contains("more than 500 servers") == true)
    }

    @Test func aCapacityStationIsPlannedForItsLoss() throws {
        var s = Self.mmc(lambda: 8, mu: 1)
        s.stations[0].kind = .queue(servers: 2, discipline: .fcfs, capacity: 20, service: .exponential(mean: 1), next: [])
        let result = try Self.plannedServers(s, NetworkSLO(errorRate: 0.001))
        let c = try #require(result.best?.servers[0])
        func loss(_ c: Int) -> Double {
            QueueingFormulas.mmcK(arrivalRate: 8, meanService: 1, servers: c, capacity: 20).blockingProbability
        }
        #expect(loss(c) <= 0.001 && loss(c - 1) > 0.001, "planned \(c)")
    }

    @Test func theCapacityWaitTailApproachesErlangCsAsTheCapacityGrows() throws {
        for (lambda, c, t) in [(7.2, 8, 1.0), (3.0, 4, 0.5), (0.5, 1, 2.0)] {
            let open = try #require(QueueingFormulas.mmcWaitTail(t, arrivalRate: lambda, meanService: 1, servers: c))
            let finite = QueueingFormulas.mmcKWaitTail(t, arrivalRate: lambda, meanService: 1, servers: c, capacity: 2000)
            #expect(abs(open - finite) <= 1e-9 * max(1, open), "lambda \(lambda), c \(c): \(open) vs \(finite)")
        }
        // M/M/1/2: an admitted arrival waits only when it finds one present: P(W > t) = p_1 / (1 - p_2) e^(-mu t).
        let rho = 0.5, p = [1, rho, rho * rho].map { $0 / (1 + rho + rho * rho) }
        let tail = QueueingFormulas.mmcKWaitTail(1, arrivalRate: rho, meanService: 1, servers: 1, capacity: 2)
        #expect(abs(tail - p[1] / (1 - p[2]) * exp(-1)) < 1e-12)
    }

    @Test func whatCannotBePlannedIsRefused() throws {
        var ps = Self.mmc(lambda: 1, mu: 2)
        ps.stations[0].kind = .queue(servers: 1, discipline: .ps, capacity: nil, service: .exponential(mean: 0.5), next: [])
        #expect(throws: NetworkPlanner.PlanError.self) { try Self.plannedServers(ps, NetworkSLO(waitP99: 1)) }
        #expect(try Self.plannedServers(ps, NetworkSLO(p99: 5)).best != nil, "PS is planned by its end-to-end p99")
        #expect(throws: NetworkPlanner.PlanError.self) { try Self.plannedServers(Self.mmc(lambda: 1, mu: 2), NetworkSLO(errorRate: 0.01)) }
        #expect(throws: NetworkPlanner.PlanError.self) { try Self.plannedServers(Self.mmc(lambda: 1, mu: 2), NetworkSLO()) }
        var loop = Self.tandem()
        loop.stations[1].kind = .queue(servers: 1, discipline: .fcfs, capacity: nil, service: .exponential(mean: 0.03),
                                       next: [.init(to: 0, p: 0.2)])
        #expect(throws: NetworkPlanner.PlanError.self) { try Self.plannedServers(loop, NetworkSLO(p99: 1)) }
        #expect(try Self.plannedServers(loop, NetworkSLO(waitP99: 0.05)).best != nil, "wait-p99 works with feedback")
    }

    @Test func theSamePlanEveryTime() throws {
        let a = try Self.plannedServers(Self.tandem(), NetworkSLO(p99: 0.22, waitP99: 0.03), headroom: 0.3)
        let b = try Self.plannedServers(Self.tandem(), NetworkSLO(p99: 0.22, waitP99: 0.03), headroom: 0.3)
        #expect(a.json.serialized() == b.json.serialized())
    }
}

/// `scalesim plan` on a network from the command line.
@Suite struct NetworkPlanCLITests {
    static let tandem = CLI.packageRoot.appendingPathComponent("scenarios/examples/network-tandem.json").path
    static let mmc = CLI.packageRoot.appendingPathComponent("scenarios/validation/mmc.json").path
    static let minimal = CLI.packageRoot.appendingPathComponent("scenarios/examples/architecture-minimal.json").path

    @Test func tableShowsServersPerStationAndTheCost() throws {
        let run = try CLI.run(["plan", Self.mmc, "--slo", "wait-p99=1s", "--headroom", "0", "--no-verify"])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        #expect(run.stdout.contains("Plan for network \"mmc\" at 1× its arrival rates (SLO wait-p99 ≤ 1 s at every station"),
                "\(run.stdout)")
        #expect(run.stdout.contains("pool            7.2                 8          11 *"), "\(run.stdout)")
        for row in ["servers (cost)", "p99 (analytic)", "binds next", "one unit per server"] {
            #expect(run.stdout.contains(row), "\(row) missing:\n\(run.stdout)")
        }
    }

    @Test func jsonCarriesThePlanAndItsSimulation() throws {
        let run = try CLI.run(["plan", Self.tandem, "--slo", "p99=250ms", "--format", "json", "--jobs", "2"])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        let plan = try CLI.parseJSON(run.stdoutData)
        #expect(plan["kind"] as? String == "plan")
        #expect(plan["scenario"] as? String == "tandem")
        #expect(plan["costUnit"] as? String == "server")
        #expect(CLI.number(plan["designScale"]) == 1.3)
        let slo = try #require(plan["slo"] as? [String: Any])
        #expect(CLI.number(slo["p99"]) == 0.25)
        let best = try #require(plan["plan"] as? [String: Any], "no plan: \(run.stdout)")
        let current = try #require(plan["current"] as? [String: Any])
        let cost = try #require(CLI.number(best["cost"])), currentCost = try #require(CLI.number(current["cost"]))
        #expect(cost > currentCost, "the scenario's servers are too few for a 250 ms p99")
        let simulated = try #require(best["simulated"] as? [String: Any])
        #expect(simulated["met"] as? Bool == true)
        CLI.expectEstimate(simulated["p99"], "plan.simulated.p99", intervals: true)
        let stations = try #require(best["stations"] as? [[String: Any]])
        #expect(stations.map { $0["name"] as? String } == ["api", "db"])
    }

    @Test func scaleMultipliesTheArrivalRates() throws {
        let run = try CLI.run(["plan", Self.mmc, "--slo", "wait-p99=1s", "--headroom", "0", "--scale", "2",
                               "--no-verify", "--format", "json"])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        let plan = try CLI.parseJSON(run.stdoutData)
        let best = try #require(plan["plan"] as? [String: Any])
        let station = try #require((best["stations"] as? [[String: Any]])?.first)
        #expect(CLI.number(station["arrivalRate"]) == 14.4)
        #expect(CLI.number(station["servers"]) == Double(NetworkPlanTests.bruteForce(lambda: 14.4, mu: 1, t: 1)))
    }

    static let closed = CLI.packageRoot.appendingPathComponent("scenarios/validation/closed.json").path
    static let threeTier = CLI.packageRoot.appendingPathComponent("scenarios/validation/three-tier.json").path

    @Test(arguments: [
        ([mmc, "--users", "10", "--slo", "wait-p99=1s"], 64, "--users has no meaning for a network scenario"),
        ([mmc], 64, "a network scenario has no SLO of its own"),
        ([mmc, "--slo", "latency=1s"], 64, "unknown target \"latency\""),
        ([mmc, "--slo", "wait-p99=soon"], 64, "wait-p99 must be a positive time"),
        ([mmc, "--slo", "wait-p99=1s", "--scale", "0"], 64, "--scale must be a factor"),
        ([mmc, "--slo", "wait-p99=1s", "--stage", "x"], 64, "--stage applies to architecture scenarios"),
        ([mmc, "--slo", "errors=1%"], 65, "no station of this network has a capacity"),
        ([closed, "--slo", "p99=1s"], 65, "plan needs an open network"),
        ([threeTier, "--slo", "p99=1s"], 65, "needs a loop-free network"),
        ([minimal, "--scale", "2"], 64, "--users is required for an architecture scenario"),
        ([minimal, "--users", "50", "--scale", "2"], 64, "--scale applies to network scenarios"),
        ([minimal, "--users", "50", "--slo", "wait-p99=1s"], 64, "unknown target \"wait-p99\""),
    ])
    func badOptionsSayWhatIsWrong(options: [String], status: Int32, message: String) throws {
        let run = try CLI.run(["plan"] + options)
        #expect(run.status == status, "exit \(run.status)\n\(run.stderr)")
        #expect(run.stderr.contains(message), "stderr: \(run.stderr)")
        #expect(run.stdout.isEmpty)
    }
}
