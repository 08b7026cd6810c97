import Foundation
import Testing
@testable import ScaleSim

// Every expected value here is computed by a different route than the code under test: a
// published table, a textbook closed form, a direct birth-death or product-form solution.

/// `abs(a - b) <= tolerance * max(1, |b|)`.
private func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance * max(1, abs(b))
}

private func logFactorial(_ n: Int) -> Double { lgamma(Double(n) + 1) }

/// Stationary law of a birth-death chain on 0...n, in logarithms scaled to avoid overflow.
private func birthDeath(states n: Int, birth: (Int) -> Double, death: (Int) -> Double) -> [Double] {
    var logs = [0.0]
    for j in stride(from: 1, through: n, by: 1) { logs.append(logs[j - 1] + log(birth(j - 1)) - log(death(j))) }
    let top = logs.max()!
    let w = logs.map { exp($0 - top) }
    let total = w.reduce(0, +)
    return w.map { $0 / total }
}

private let run = RunSettings(duration: 1000, warmup: 100, replications: 1, confidence: 0.95)

private func openScenario(_ stations: [NetworkScenario.Station], rate: Double, to: Int = 0) -> NetworkScenario {
    NetworkScenario(name: "t", seed: 1, run: run, arrivals: [.init(className: "r", to: to, rate: rate)],
                    population: nil, stations: stations)
}

private func queue(_ name: String, servers: Int = 1, discipline: NetworkScenario.Discipline = .fcfs,
                   capacity: Int? = nil, _ service: Distribution, _ next: [NetworkScenario.Route] = [])
    -> NetworkScenario.Station {
    .init(name: name, kind: .queue(servers: servers, discipline: discipline, capacity: capacity,
                                   service: service, next: next))
}

@Suite struct AnalyticTests {
    // MARK: - Erlang B and C, M/M/c

    @Test func erlangCKnownValues() {
        // c = 2, a = 1: B = 1/5, C = 1/3.
        #expect(close(QueueingFormulas.erlangB(servers: 2, offeredLoad: 1), 0.2))
        #expect(close(QueueingFormulas.erlangC(servers: 2, offeredLoad: 1), 1.0 / 3))
        // Erlang B tables: 10 circuits, 8 erlangs -> 0.1217.
        #expect(close(QueueingFormulas.erlangB(servers: 10, offeredLoad: 8), 0.1217, 1e-3))
        // Erlang C directly: (a^c/c! c/(c-a)) / (sum_{k<c} a^k/k! + a^c/c! c/(c-a)).
        var head = 0.0, term = 1.0
        for k in 0..<10 { if k > 0 { term *= 8.0 / Double(k) }; head += term }
        let tail = term * 8.0 / 10 * 10 / (10 - 8)
        #expect(close(QueueingFormulas.erlangC(servers: 10, offeredLoad: 8), tail / (head + tail), 1e-12))
        #expect(close(QueueingFormulas.erlangC(servers: 10, offeredLoad: 8), 0.40918, 1e-4))
    }

    @Test func erlangCIsStableForAThousandServers() {
        let c = 1000, a = 950.0
        // Direct formula in logarithms: log(a^k / k!) terms scaled by their largest.
        let logs = (0..<c).map { Double($0) * log(a) - logFactorial($0) }
        let logTail = Double(c) * log(a) - logFactorial(c) + log(Double(c) / (Double(c) - a))
        let top = max(logs.max()!, logTail)
        let head = logs.reduce(0) { $0 + exp($1 - top) }
        let expected = exp(logTail - top) / (head + exp(logTail - top))
        let value = QueueingFormulas.erlangC(servers: c, offeredLoad: a)
        #expect(value.isFinite && value > 0 && value < 1)
        #expect(close(value, expected, 1e-9))
    }

    @Test func mm1IsTheOneServerCase() {
        let lambda = 3.0, s = 0.25, mu = 1 / s, rho = lambda * s
        #expect(close(QueueingFormulas.erlangC(servers: 1, offeredLoad: rho), rho))
        #expect(close(QueueingFormulas.mmcMeanWait(arrivalRate: lambda, meanService: s, servers: 1), rho / (mu - lambda)))
        #expect(close(QueueingFormulas.mmcMeanResponse(arrivalRate: lambda, meanService: s, servers: 1), 1 / (mu - lambda)))
        #expect(close(QueueingFormulas.mmcWaitTail(0.5, arrivalRate: lambda, meanService: s, servers: 1),
                      rho * exp(-(mu - lambda) * 0.5)))
        #expect(QueueingFormulas.mmcMeanWait(arrivalRate: 4, meanService: s, servers: 1) == nil)
        #expect(QueueingFormulas.mmcMeanWait(arrivalRate: 0, meanService: s, servers: 3) == 0)
    }

    // MARK: - M/G/1, M/G/c, PS

    @Test func pollaczekKhinchine() {
        let mm1 = QueueingFormulas.mmcMeanWait(arrivalRate: 0.7, meanService: 1, servers: 1)!
        #expect(close(QueueingFormulas.mg1MeanWait(arrivalRate: 0.7, meanService: 1, scv: 0), mm1 / 2))   // M/D/1
        #expect(close(QueueingFormulas.mg1MeanWait(arrivalRate: 0.7, meanService: 1, scv: 1), mm1))
        #expect(QueueingFormulas.mg1MeanWait(arrivalRate: 1, meanService: 1, scv: 1) == nil)
    }

    @Test func allenCunneenScalesErlangC() {
        let mmc = QueueingFormulas.mmcMeanWait(arrivalRate: 3, meanService: 1, servers: 4)!
        #expect(close(QueueingFormulas.mgcMeanWaitAllenCunneen(arrivalRate: 3, meanService: 1, scv: 1, servers: 4), mmc))
        #expect(close(QueueingFormulas.mgcMeanWaitAllenCunneen(arrivalRate: 3, meanService: 1, scv: 3, servers: 4), 2 * mmc))
    }

    @Test func processorSharing() {
        #expect(close(QueueingFormulas.mg1PSMeanResponse(arrivalRate: 0.5, meanService: 1), 2))
        // c cores: same number in system as M/M/c, so L / lambda; L from the birth-death chain.
        let lambda = 3.0, s = 1.0, c = 4
        let p = birthDeath(states: 4000, birth: { _ in lambda }, death: { Double(min($0, c)) / s })
        let l = p.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element }
        #expect(close(QueueingFormulas.mgcPSMeanResponse(arrivalRate: lambda, meanService: s, servers: c), l / lambda, 1e-9))
    }

    // MARK: - M/M/c/K

    @Test func mmcKWithKEqualToCIsErlangB() {
        for (c, a) in [(1, 0.5), (5, 4.0), (30, 35.0)] {
            let m = QueueingFormulas.mmcK(arrivalRate: a, meanService: 1, servers: c, capacity: c)
            #expect(close(m.blockingProbability, QueueingFormulas.erlangB(servers: c, offeredLoad: a), 1e-12))
            #expect(m.meanWait == 0 && m.meanQueueLength == 0)
        }
    }

    @Test func mm1KClosedForms() {
        let rho = 0.8, k = 7
        let m = QueueingFormulas.mmcK(arrivalRate: rho, meanService: 1, servers: 1, capacity: k)
        let rk1 = pow(rho, Double(k + 1))
        #expect(close(m.blockingProbability, (1 - rho) * pow(rho, Double(k)) / (1 - rk1), 1e-12))
        // Mean number: rho/(1-rho) - (K+1) rho^(K+1) / (1 - rho^(K+1)).
        let l = rho / (1 - rho) - Double(k + 1) * rk1 / (1 - rk1)
        #expect(close(m.meanInSystem, l, 1e-12))
        #expect(close(m.throughput, rho * (1 - m.blockingProbability), 1e-12))
        #expect(close(m.meanResponse, l / m.throughput, 1e-12))
        #expect(close(m.utilization, 1 - m.stateProbabilities[0], 1e-12))
        // rho > 1 is fine with a capacity.
        let over = QueueingFormulas.mmcK(arrivalRate: 2, meanService: 1, servers: 1, capacity: 5)
        #expect(close(over.blockingProbability, (1 - 2) * pow(2, 5) / (1 - pow(2, 6)), 1e-12))
    }

    @Test func mmcKWithLargeKIsMMc() {
        let m = QueueingFormulas.mmcK(arrivalRate: 3.2, meanService: 1, servers: 4, capacity: 3000)
        #expect(close(m.meanWait, QueueingFormulas.mmcMeanWait(arrivalRate: 3.2, meanService: 1, servers: 4)!, 1e-9))
        #expect(close(m.waitProbability, QueueingFormulas.erlangC(servers: 4, offeredLoad: 3.2), 1e-9))
        let big = QueueingFormulas.mmcK(arrivalRate: 900, meanService: 1, servers: 1000, capacity: 1500)
        #expect(big.blockingProbability.isFinite && big.meanInSystem.isFinite)
        let bigWait = QueueingFormulas.mmcMeanWait(arrivalRate: 900, meanService: 1, servers: 1000)!
        #expect(close(big.meanInSystem, 900 * (bigWait + 1), 1e-9))
    }

    // MARK: - Mean value analysis

    /// Finite-source M/M/1//N (machine repairman): p0 = 1 / sum_n N!/(N-n)! (S/Z)^n (Kleinrock vol. 1, sec. 3.8).
    private func repairman(users n: Int, service s: Double, think z: Double) -> (throughput: Double, response: Double) {
        let logs = (0...n).map { j in logFactorial(n) - logFactorial(n - j) + Double(j) * log(s / z) }
        let top = logs.max()!
        let p0 = exp(logs[0] - top) / logs.reduce(0) { $0 + exp($1 - top) }
        let x = (1 - p0) / s
        return (x, Double(n) / x - z)
    }

    @Test func mvaMatchesMachineRepairman() {
        for (n, s, z) in [(1, 1.0, 4.0), (5, 1.0, 4.0), (20, 0.5, 3.0), (500, 0.02, 5.0), (500, 0.01, 5.0)] {
            let r = MeanValueAnalysis.solve(stations: [MVAStation(kind: .queue(servers: 1), visits: 1, meanService: s)],
                                            thinkTime: z, population: n)
            let expected = repairman(users: n, service: s, think: z)
            #expect(close(r.throughput, expected.throughput, 1e-9), "N = \(n)")
            #expect(close(r.responsePerVisit[0], expected.response, 1e-9), "N = \(n)")
            #expect(close(r.cycleTime, Double(n) / expected.throughput, 1e-9))
        }
    }

    /// Above `exactLoadDependentLimit` users a c-server station is solved by Seidmann's
    /// approximation: checked against the exact birth-death chain (within 2%; it is within
    /// 0.1%) where the station is lightly loaded, balanced and saturated; and a population of ten million is solved at
    /// all (the exact constants are O(N^2): hours).
    @Test func seidmannApproximationAboveTheExactLimit() {
        let n = MeanValueAnalysis.exactLoadDependentLimit + 1
        let c = 8, s = 1.0
        for z in [2.0 * Double(n) * s / Double(c), Double(n) * s / Double(c), 0.5 * Double(n) * s / Double(c)] {
            let p = birthDeath(states: n, birth: { Double(n - $0) / z }, death: { Double(min($0, c)) / s })
            let x = p.enumerated().reduce(0) { $0 + $1.element * Double(min($1.offset, c)) / s }
            let r = MeanValueAnalysis.solve(stations: [MVAStation(kind: .queue(servers: c), visits: 1, meanService: s)],
                                            thinkTime: z, population: n)
            print("Seidmann at N = \(n), Z = \(z): X = \(r.throughput), exact \(x)")
            #expect(abs(r.throughput / x - 1) < 0.02, "Z = \(z): X = \(r.throughput), exact \(x)")
            #expect(r.utilization[0]! <= 1 + 1e-9)
        }
        let big = MeanValueAnalysis.solve(stations: [MVAStation(kind: .queue(servers: 4), visits: 1, meanService: 0.01),
                                                     MVAStation(kind: .queue(servers: 1), visits: 1, meanService: 0.001)],
                                          thinkTime: 1, population: 1_000_000)
        #expect(abs(big.throughput - 400) < 1e-6 * 400, "X = \(big.throughput): the 4 servers of 10 ms saturate")
        #expect(big.waitProbability[0] > 1 - 1e-9)
    }

    @Test func loadDependentMVAMatchesBirthDeath() {
        // One c-server station and think time: a birth-death chain on the number at the station.
        for (c, n, s, z) in [(2, 10, 1.0, 4.0), (2, 1, 1.0, 4.0), (3, 3, 1.0, 1.0), (64, 500, 1.0, 5.0), (16, 300, 0.2, 2.0)] {
            let p = birthDeath(states: n, birth: { Double(n - $0) / z }, death: { Double(min($0, c)) / s })
            let x = p.enumerated().reduce(0) { $0 + $1.element * Double(min($1.offset, c)) / s }
            let q = p.enumerated().reduce(0) { $0 + $1.element * Double($1.offset) }
            let r = MeanValueAnalysis.solve(stations: [MVAStation(kind: .queue(servers: c), visits: 1, meanService: s)],
                                            thinkTime: z, population: n)
            #expect(close(r.throughput, x, 1e-9), "c = \(c), N = \(n)")
            #expect(close(r.meanInStation[0], q, 1e-8), "c = \(c), N = \(n)")
            #expect(close(r.utilization[0], x * s / Double(c), 1e-9))
            // Arrival theorem: P(wait) = P(j >= c) in the network with N - 1 users.
            if n > 1 {
                let pm = birthDeath(states: n - 1, birth: { Double(n - 1 - $0) / z }, death: { Double(min($0, c)) / s })
                let busy = pm.enumerated().filter { $0.offset >= c }.reduce(0) { $0 + $1.element }
                #expect(close(r.waitProbability[0], busy, 1e-8), "c = \(c), N = \(n)")
            }
        }
    }

    @Test func mvaMatchesProductFormEnumeration() {
        // Think Z, a 1-server, a 2-server and a 3-server station with visit ratios; the product form
        // pi(n) ~ Z^n0/n0! prod_k D_k^n_k / prod_{i<=n_k} min(i, c_k), enumerated directly.
        let users = 8, z = 2.0
        let stations = [MVAStation(kind: .queue(servers: 1), visits: 1, meanService: 0.3),
                        MVAStation(kind: .queue(servers: 2), visits: 2.5, meanService: 0.4),
                        MVAStation(kind: .queue(servers: 3), visits: 1.5, meanService: 1.1),
                        MVAStation(kind: .delay, visits: 0.5, meanService: 1.0)]
        let servers = [1, 2, 3, Int.max]
        func weight(_ counts: [Int]) -> Double {
            let n0 = users - counts.reduce(0, +)
            var w = pow(z, Double(n0)) / exp(logFactorial(n0))
            for (k, m) in counts.enumerated() {
                let d = stations[k].visits * stations[k].meanService
                for i in stride(from: 1, through: m, by: 1) { w *= d / Double(min(i, servers[k])) }
            }
            return w
        }
        var total = 0.0, thinking = 0.0
        var queue = [Double](repeating: 0, count: 4)
        for a in 0...users { for b in 0...(users - a) { for c in 0...(users - a - b) { for d in 0...(users - a - b - c) {
            let counts = [a, b, c, d], w = weight(counts)
            total += w
            thinking += w * Double(users - a - b - c - d)
            for k in 0..<4 { queue[k] += w * Double(counts[k]) }
        } } } }
        let r = MeanValueAnalysis.solve(stations: stations, thinkTime: z, population: users)
        #expect(close(r.throughput, thinking / total / z, 1e-10))                       // Little at think
        for k in 0..<4 { #expect(close(r.meanInStation[k], queue[k] / total, 1e-10), "station \(k)") }
    }

    // MARK: - Traffic equations

    @Test func jacksonTandemAndFeedback() {
        let tandem = TrafficEquations.solve(external: [2, 0, 0], routing: [[0, 1, 0], [0, 0, 0.5], [0, 0, 0]])
        #expect(tandem.trapped.isEmpty)
        #expect(close(tandem.rates[0], 2) && close(tandem.rates[1], 2) && close(tandem.rates[2], 1))
        // Feedback with probability p: visit ratio 1 / (1 - p).
        let p = 0.75
        let feedback = TrafficEquations.solve(external: [1, 0], routing: [[p, 1 - p], [0, 0]])
        #expect(close(feedback.rates[0], 1 / (1 - p)) && close(feedback.rates[1], 1))
    }

    @Test func jacksonNetworkResponse() {
        // Tandem of two M/M/1: system response 1/(mu1 - lambda) + 1/(mu2 - lambda).
        let lambda = 2.0
        let tandem = NetworkAnalytic.solve(openScenario(
            [queue("a", .exponential(mean: 0.2), [.init(to: 1, p: 1)]), queue("b", .exponential(mean: 0.4))], rate: lambda))
        #expect(close(tandem.systemMeanResponse, 1 / (5 - lambda) + 1 / (2.5 - lambda)))
        #expect(close(tandem.systemThroughput, lambda))
        #expect(tandem.stations.map(\.method) == ["M/M/1", "M/M/1"])
        // One M/M/1 with feedback p: rate lambda/(1-p), response per request V / (mu - lambda V).
        let p = 0.5
        let fb = NetworkAnalytic.solve(openScenario([queue("q", .exponential(mean: 0.1), [.init(to: 0, p: p)])], rate: lambda))
        let v = 1 / (1 - p)
        #expect(close(fb.stations[0].arrivalRate, lambda * v))
        #expect(close(fb.systemMeanResponse, v / (10 - lambda * v)))
    }

    @Test func singularRoutingIsReported() {
        let solution = TrafficEquations.solve(external: [1, 0], routing: [[0, 1], [0, 1]])
        #expect(solution.trapped == [1])
        #expect(solution.rates[0] == 1 && solution.rates[1] == .infinity)

        let scenario = openScenario([queue("lb", .exponential(mean: 0.1), [.init(to: 1, p: 1)]),
                                     queue("loop", .exponential(mean: 0.1), [.init(to: 1, p: 1)])], rate: 1)
        let result = NetworkAnalytic.solve(scenario)
        #expect(result.stations[1].stable == false)
        #expect(result.stations[0].stable && close(result.stations[0].meanResponse, 1 / (10 - 1)))
        #expect(result.systemMeanResponse == nil && result.systemThroughput == nil)
        #expect(result.notes.contains { $0.contains("loop") && $0.contains("never leave") })
        for s in result.stations {
            for value in [s.utilization, s.meanResponse, s.meanWait, s.meanInStation, s.hitRatio].compactMap({ $0 }) {
                #expect(!value.isNaN)
            }
            #expect(!s.arrivalRate.isNaN && !s.throughput.isNaN)
        }

        var closed = scenario
        closed.arrivals = []
        closed.population = .init(className: "u", size: 10, think: .exponential(mean: 1), to: 0)
        let closedResult = NetworkAnalytic.solve(closed)
        #expect(closedResult.stations[1].stable == false && closedResult.systemThroughput == nil)
        #expect(!closedResult.notes.isEmpty)
    }

    @Test func blockingInAFeedbackLoopSettles() {
        // A finite station that sends everything back to itself: only blocked requests leave, so at
        // the fixed point the blocked rate equals the external rate.
        let r = NetworkAnalytic.solve(openScenario(
            [queue("loop", capacity: 5, .exponential(mean: 0.1), [.init(to: 0, p: 1)])], rate: 3))
        let s = r.stations[0]
        #expect(s.stable && r.notes.isEmpty)
        #expect(close(s.arrivalRate * s.blockingProbability!, 3, 1e-9))
        let direct = QueueingFormulas.mmcK(arrivalRate: s.arrivalRate, meanService: 0.1, servers: 1, capacity: 5)
        #expect(close(s.blockingProbability, direct.blockingProbability, 1e-9))
    }

    // MARK: - Caches

    @Test func ttlHitRatio() {
        #expect(close(CacheFormulas.ttlHitProbability(rate: 2, ttl: 3), 6.0 / 7))
        #expect(close(CacheFormulas.ttlHitRatio(popularity: [1], arrivalRate: 2, ttl: 3), 6.0 / 7))
        // Two keys: sum_i p_i (lambda p_i T) / (1 + lambda p_i T).
        let h = CacheFormulas.ttlHitRatio(popularity: [0.75, 0.25], arrivalRate: 4, ttl: 1)
        #expect(close(h, 0.75 * 3 / 4 + 0.25 * 1 / 2))
    }

    @Test func cheForUniformPopularity() {
        // n keys, capacity C: n (1 - exp(-t/n)) = C with unit total rate, hit ratio C/n.
        let n = 1000, c = 250
        let p = [Double](repeating: 1 / Double(n), count: n)
        let t = CacheFormulas.cheCharacteristicTime(rates: p, capacity: Double(c))!
        #expect(close(t, -Double(n) * log(1 - Double(c) / Double(n)), 1e-9))
        #expect(close(CacheFormulas.lruHitRatio(popularity: p, capacity: c), Double(c) / Double(n), 1e-9))
        #expect(CacheFormulas.lruHitRatio(popularity: p, capacity: n) == 1)
        // Zipf: the hit ratio grows with the capacity and beats uniform.
        let zipf = ZipfPopularity.probabilities(keys: n, exponent: 0.8)
        let h1 = CacheFormulas.lruHitRatio(popularity: zipf, capacity: 100)
        let h2 = CacheFormulas.lruHitRatio(popularity: zipf, capacity: 300)
        #expect(h1 > 0.1 && h1 < h2 && h2 < 1)
    }

    @Test func ttlLRULimits() {
        let p = ZipfPopularity.probabilities(keys: 500, exponent: 0.9)
        // Capacity that never binds: the TTL formula.
        #expect(close(CacheFormulas.ttlLRUHitRatio(popularity: p, arrivalRate: 10, ttl: 2, capacity: 499),
                      CacheFormulas.ttlHitRatio(popularity: p, arrivalRate: 10, ttl: 2)))
        // TTL far beyond the characteristic time: Che's LRU value.
        #expect(close(CacheFormulas.ttlLRUHitRatio(popularity: p, arrivalRate: 10, ttl: 1e12, capacity: 50),
                      CacheFormulas.lruHitRatio(popularity: p, capacity: 50), 1e-8))
        // Both binding: no more than either alone.
        let both = CacheFormulas.ttlLRUHitRatio(popularity: p, arrivalRate: 10, ttl: 5, capacity: 50)
        #expect(both <= CacheFormulas.lruHitRatio(popularity: p, capacity: 50) + 1e-12)
        #expect(both <= CacheFormulas.ttlHitRatio(popularity: p, arrivalRate: 10, ttl: 5) + 1e-12)
    }

    @Test func cacheRoutesHitsAndMisses() {
        // Cache (one key, TTL 1 s, rate 4/s: h = 4/5) in front of an M/M/1 database that sees misses.
        let cache = NetworkScenario.Station(name: "cache", kind: .cache(
            keys: 1, zipf: 0, ttl: 1, capacity: nil, service: nil, hit: [], miss: [.init(to: 1, p: 1)]))
        let result = NetworkAnalytic.solve(openScenario([cache, queue("db", .exponential(mean: 0.5))], rate: 4))
        #expect(close(result.stations[0].hitRatio, 0.8))
        #expect(result.stations[0].method == "TTL cache")
        #expect(close(result.stations[1].arrivalRate, 0.8))
        #expect(close(result.systemMeanResponse, 0.2 * 1 / (2 - 0.8)))
    }

    // MARK: - Whole networks

    @Test func threeTierExample() {
        // DESIGN.md sec. 6 example.
        let scenario = openScenario([
            queue("lb", .exponential(mean: 0.01), [.init(to: 1, p: 1)]),
            queue("api", servers: 4, .lognormal(mean: 0.2, scv: 2), [.init(to: 2, p: 0.3)]),
            queue("db", servers: 2, capacity: 10, .exponential(mean: 0.1)),
        ], rate: 8)
        let r = NetworkAnalytic.solve(scenario)
        #expect(r.stations.map(\.method) == ["M/M/1", "M/G/c (Allen-Cunneen)", "M/M/c/K"])
        #expect(close(r.stations[1].utilization, 8 * 0.2 / 4))
        let mmc = QueueingFormulas.mmcMeanWait(arrivalRate: 8, meanService: 0.2, servers: 4)!
        #expect(close(r.stations[1].meanWait, mmc * 1.5))
        #expect(close(r.stations[2].arrivalRate, 2.4))
        #expect(r.stations[2].blockingProbability! > 0 && r.stations[2].blockingProbability! < 1e-3)
        #expect(r.notes.contains { $0.hasPrefix("api:") && $0.contains("Allen-Cunneen") })
        #expect(r.stations.allSatisfy(\.stable) && r.systemMeanResponse != nil)

        var overloaded = scenario
        overloaded.arrivals[0].rate = 25
        let o = NetworkAnalytic.solve(overloaded)
        #expect(o.stations[1].stable == false && o.stations[1].meanResponse == nil)
        #expect(o.notes.contains("api: unstable (utilization 1.25)"))
        #expect(o.systemMeanResponse == nil)
    }

    @Test func closedNetworkThroughTheScenario() {
        let scenario = NetworkScenario(
            name: "closed", seed: 1, run: run, arrivals: [],
            population: .init(className: "u", size: 30, think: .deterministic(value: 3), to: 0),
            stations: [queue("cpu", .exponential(mean: 0.1))])
        let r = NetworkAnalytic.solve(scenario)
        let expected = repairman(users: 30, service: 0.1, think: 3)
        #expect(close(r.systemThroughput, expected.throughput))
        #expect(close(r.systemMeanResponse, expected.response))
        #expect(close(r.stations[0].meanResponse, expected.response))
        #expect(r.stations[0].method == "MVA")

        // A request that leaves a cache on a hit skips the database: visits 1 - h, with LRU (rate-free).
        let cache = NetworkScenario.Station(name: "cache", kind: .cache(
            keys: 100, zipf: 0, ttl: nil, capacity: 40, service: nil, hit: [], miss: [.init(to: 1, p: 1)]))
        let withCache = NetworkScenario(
            name: "c", seed: 1, run: run, arrivals: [],
            population: .init(className: "u", size: 30, think: .exponential(mean: 3), to: 0),
            stations: [cache, queue("db", .exponential(mean: 0.1 / 0.6))])
        let c = NetworkAnalytic.solve(withCache)
        #expect(close(c.stations[0].hitRatio, 0.4, 1e-9))
        #expect(close(c.systemThroughput, expected.throughput, 1e-8))        // demand 0.6 * 0.1/0.6 = 0.1

        // A TTL cache: the hit ratio at the solved throughput is the one used.
        var ttl = withCache
        ttl.stations[0] = .init(name: "cache", kind: .cache(keys: 10, zipf: 0, ttl: 2, capacity: nil, service: nil,
                                                           hit: [], miss: [.init(to: 1, p: 1)]))
        let t = NetworkAnalytic.solve(ttl)
        let h = CacheFormulas.ttlHitRatio(popularity: [Double](repeating: 0.1, count: 10),
                                          arrivalRate: t.systemThroughput!, ttl: 2)
        #expect(close(t.stations[0].hitRatio, h, 1e-9))
        #expect(close(t.stations[1].arrivalRate, t.systemThroughput! * (1 - h), 1e-9))
    }

    // MARK: - Moments

    @Test func distributionMoments() {
        #expect(close(Distribution.uniform(min: 1, max: 3).mean, 2) && close(Distribution.uniform(min: 1, max: 3).scv, 1.0 / 12))
        #expect(close(Distribution.erlang(k: 4, mean: 1).scv, 0.25))
        // Lognormal with median 1 and p99 e^z: sigma = 1, mean e^(1/2), scv e - 1.
        let z = GSLNumerics.normalQuantile(0.99)
        #expect(close(Distribution.lognormalQuantiles(p50: 1, p99: exp(z)).mean, exp(0.5), 1e-12))
        #expect(close(Distribution.lognormalQuantiles(p50: 1, p99: exp(z)).scv, M_E - 1, 1e-12))
        // Bounded Pareto against a midpoint-rule integral of x f(x) and x^2 f(x).
        for alpha in [0.5, 1.0, 1.5, 2.0, 2.5] {
            let lo = 1.0, hi = 100.0, steps = 200_000
            let norm = 1 - pow(lo / hi, alpha)
            var m1 = 0.0, m2 = 0.0
            let du = log(hi / lo) / Double(steps)                       // integrate in u = ln x
            for i in 0..<steps {
                let x = lo * exp((Double(i) + 0.5) * du)
                let density = alpha * pow(lo, alpha) * pow(x, -alpha - 1) / norm
                m1 += x * density * x * du
                m2 += x * x * density * x * du
            }
            let d = Distribution.pareto(alpha: alpha, min: lo, max: hi)
            #expect(close(d.mean, m1, 1e-6), "alpha = \(alpha)")
            #expect(close(d.scv, m2 / (m1 * m1) - 1, 1e-6), "alpha = \(alpha)")
        }
    }
}
