import Foundation
import Testing
@testable import ScaleSim

/// The engine against closed-form results for single stations.
@Suite struct SingleStationValidationTests {
    @Test(arguments: [0.5, 0.9])
    func mm1SojournIsExponential(rho: Double) {
        // M/M/1 with μ = 1: the sojourn time is exponential with rate μ - λ (Kleinrock vol. 1, §3.2).
        let duration = rho < 0.8 ? 40_000.0 : 120_000.0
        let run = Validation.simulate(Validation.open("M/M/1 rho \(rho)", seed: 11, rate: rho, duration: duration,
            stations: [Validation.queue("q", service: .exponential(mean: 1))]))
        let rate = 1 - rho
        let station = run.summary.stations[0]
        Validation.expect(station.utilization, rho, slack: 0.002, "utilization", run)
        Validation.expect(station.meanResponse, 1 / rate, "mean sojourn", run)
        Validation.expect(station.meanWait, rho / rate, "mean wait", run)
        Validation.expect(station.waitProbability, rho, slack: 0.002, "wait probability", run)
        Validation.expect(run.summary.system.meanResponse, 1 / rate, "end-to-end mean", run)
        for (q, estimate) in [(0.50, run.summary.system.p50), (0.95, run.summary.system.p95), (0.99, run.summary.system.p99)] {
            Validation.expect(estimate, -log(1 - q) / rate, slack: 0.02, "p\(Int(q * 100))", run)
        }
        Validation.expectLittlesLaw(run)
    }

    @Test(arguments: [(2, 0.7), (2, 0.95), (8, 0.8), (8, 0.95), (16, 0.7), (16, 0.9)])
    func mmcWaitMatchesErlangC(servers: Int, rho: Double) {
        let lambda = rho * Double(servers)
        let duration = rho > 0.92 ? 60_000.0 : 15_000.0
        let run = Validation.simulate(Validation.open("M/M/\(servers) rho \(rho)", seed: 21, rate: lambda,
            duration: duration, stations: [Validation.queue("q", servers: servers, service: .exponential(mean: 1))]))
        let c = Validation.erlangC(servers: servers, load: lambda)
        let station = run.summary.stations[0]
        Validation.expect(station.waitProbability, c, slack: 0.005, "wait probability (Erlang C)", run)
        Validation.expect(station.meanWait, c / (Double(servers) - lambda), slack: 0.02, "mean wait", run)
        Validation.expect(station.utilization, rho, slack: 0.002, "utilization", run)
        Validation.expectLittlesLaw(run)
    }

    @Test(arguments: [Distribution.deterministic(value: 1), .lognormal(mean: 1, scv: 2), .erlang(k: 4, mean: 1)])
    func mg1WaitMatchesPollaczekKhinchine(service: Distribution) {
        // Pollaczek-Khinchine: Wq = ρ E[S] (1 + scv) / (2 (1 - ρ)) (Kleinrock vol. 1, eq. 5.76).
        let rho = 0.8
        let run = Validation.simulate(Validation.open("M/G/1 \(service)", seed: 31, rate: rho, duration: 80_000,
            stations: [Validation.queue("q", service: service)]))
        let wq = rho * service.mean * (1 + service.scv) / (2 * (1 - rho))
        let station = run.summary.stations[0]
        Validation.expect(station.meanWait, wq, slack: 0.02, "mean wait (P-K)", run)
        Validation.expect(station.meanResponse, wq + service.mean, slack: 0.02, "mean response", run)
        Validation.expectLittlesLaw(run)
    }

    @Test(arguments: [(1, Distribution.exponential(mean: 1)), (1, .lognormal(mean: 1, scv: 4)),
                      (4, .exponential(mean: 1)), (4, .lognormal(mean: 1, scv: 4))])
    func processorSharingIsInsensitive(cores: Int, service: Distribution) {
        // M/G/1-PS: E[T] = E[S] / (1 - ρ) for any service distribution (Kleinrock vol. 2, §4.4).
        // M/G/c-PS (each job at rate min(1, c/n)): the number in system is that of M/M/c, so
        // E[T] = Wq(M/M/c) + E[S] (insensitivity of symmetric queues, Kelly 1979, §3.3).
        let rho = 0.8
        let lambda = rho * Double(cores)
        let run = Validation.simulate(Validation.open("M/G/\(cores)-PS \(service)", seed: 41, rate: lambda,
            duration: 40_000, stations: [Validation.queue("q", servers: cores, discipline: .ps, service: service)]))
        let expected = cores == 1 ? 1 / (1 - rho)
            : Validation.erlangC(servers: cores, load: lambda) / (Double(cores) - lambda) + 1
        Validation.expect(run.summary.stations[0].meanResponse, expected, slack: 0.02, "mean response", run)
        Validation.expect(run.summary.stations[0].utilization, rho, slack: 0.003, "utilization", run)
        Validation.expectLittlesLaw(run)
    }

    @Test(arguments: [(1, 5, 0.9), (2, 4, 1.5), (3, 3, 2.5), (4, 10, 5.0)])
    func mmcKBlocking(servers: Int, capacity: Int, load: Double) {
        // M/M/c/K: p_n ∝ a^n / n! for n <= c and a^n / (c! c^(n-c)) above; blocking = p_K
        // (Gross & Harris, Fundamentals of Queueing Theory, §2.5).
        var weights: [Double] = [1]
        for n in 1...capacity {
            weights.append(weights[n - 1] * load / Double(min(n, servers)))
        }
        let total = weights.reduce(0, +)
        let blocking = weights[capacity] / total
        let meanInStation = weights.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element } / total
        let run = Validation.simulate(Validation.open("M/M/\(servers)/\(capacity)", seed: 51, rate: load,
            duration: 20_000, stations: [Validation.queue("q", servers: servers, capacity: capacity,
                                                          service: .exponential(mean: 1))]))
        let station = run.summary.stations[0]
        Validation.expect(station.blockingProbability, blocking, slack: 0.005, "blocking probability", run)
        Validation.expect(station.meanInStation, meanInStation, slack: 0.005, "mean in station", run)
        Validation.expect(run.summary.system.errorRate, blocking, slack: 0.005, "error rate", run)
        Validation.expectLittlesLaw(run)
    }

    @Test func delayStationIsInfiniteServer() {
        // M/G/∞: mean number in station = λ E[S], response = E[S], nobody waits.
        let run = Validation.simulate(Validation.open("M/G/inf", seed: 61, rate: 20, duration: 5_000,
            stations: [.init(name: "net", kind: .delay(service: .lognormal(mean: 0.5, scv: 3), next: []))]))
        let station = run.summary.stations[0]
        Validation.expect(station.meanResponse, 0.5, "mean response", run)
        Validation.expect(station.meanInStation, 10, "mean in station", run)
        Validation.expectLittlesLaw(run)
    }
}
