import Foundation
import Testing
@testable import ScaleSim

/// The engine against product-form networks and cache models.
@Suite struct NetworkValidationTests {
    @Test func openNetworkWithFeedbackIsJackson() {
        // Jackson (1957): with λ = γ + λP every station behaves as M/M/c with its own λ.
        // lb -> api; api -> db 0.4, api -> api 0.1; db -> api 0.5.
        // λ_api = 10 + 0.1 λ_api + 0.5 λ_db, λ_db = 0.4 λ_api  =>  λ_api = 10 / 0.7.
        let gamma = 10.0
        let lambdaApi = gamma / 0.7, lambdaDb = 0.4 * lambdaApi
        let scenario = Validation.open("feedback", seed: 71, rate: gamma, duration: 20_000, stations: [
            Validation.queue("lb", service: .exponential(mean: 0.02), next: [.init(to: 1, p: 1)]),
            Validation.queue("api", servers: 3, service: .exponential(mean: 0.15),
                             next: [.init(to: 2, p: 0.4), .init(to: 1, p: 0.1)]),
            Validation.queue("db", service: .exponential(mean: 0.1), next: [.init(to: 1, p: 0.5)]),
        ])
        let run = Validation.simulate(scenario)
        func mmc(_ lambda: Double, _ s: Double, _ c: Int) -> (util: Double, response: Double) {
            let a = lambda * s
            return (a / Double(c), Validation.erlangC(servers: c, load: a) * s / (Double(c) - a) + s)
        }
        let expected = [mmc(gamma, 0.02, 1), mmc(lambdaApi, 0.15, 3), mmc(lambdaDb, 0.1, 1)]
        let rates = [gamma, lambdaApi, lambdaDb]
        for (i, station) in run.summary.stations.enumerated() {
            Validation.expect(station.utilization, expected[i].util, slack: 0.003, "\(station.name) utilization", run)
            Validation.expect(station.throughput, rates[i], slack: 0.003, "\(station.name) throughput", run)
            Validation.expect(station.meanResponse, expected[i].response, slack: 0.02, "\(station.name) response", run)
        }
        // End to end by Little's law over the network: Σ λ_i T_i / γ.
        let endToEnd = zip(rates, expected).reduce(0) { $0 + $1.0 * $1.1.response } / gamma
        Validation.expect(run.summary.system.meanResponse, endToEnd, slack: 0.02, "end-to-end mean", run)
        Validation.expectLittlesLaw(run)
    }

    @Test func closedNetworkMatchesExactMVA() {
        // Exact MVA (Reiser & Lavenberg 1980): R_k(n) = S_k (1 + Q_k(n-1)) at queues, S_k at
        // delays; X(n) = n / (Z + Σ R_k(n)); Q_k(n) = X(n) R_k(n).
        let population = 40, think = 2.0
        let service = [0.05, 0.04, 0.03]
        let isDelay = [false, false, true]
        var queue = [0.0, 0.0, 0.0]
        var throughput = 0.0, response = [0.0, 0.0, 0.0]
        for n in 1...population {
            response = (0..<3).map { isDelay[$0] ? service[$0] : service[$0] * (1 + queue[$0]) }
            throughput = Double(n) / (think + response.reduce(0, +))
            queue = response.map { throughput * $0 }
        }
        let scenario = NetworkScenario(
            name: "closed", seed: 81, run: .init(duration: 20_000, warmup: 2_000, replications: 10, confidence: Validation.confidence),
            arrivals: [], population: .init(className: "users", size: population, think: .exponential(mean: think), to: 0),
            stations: [
                Validation.queue("api", service: .exponential(mean: service[0]), next: [.init(to: 1, p: 1)]),
                Validation.queue("db", service: .exponential(mean: service[1]), next: [.init(to: 2, p: 1)]),
                .init(name: "net", kind: .delay(service: .exponential(mean: service[2]), next: [])),
            ])
        let run = Validation.simulate(scenario)
        Validation.expect(run.summary.system.throughput, throughput, slack: 0.005, "throughput", run)
        Validation.expect(run.summary.system.meanResponse, response.reduce(0, +), slack: 0.01, "cycle response", run)
        for k in 0..<3 {
            let station = run.summary.stations[k]
            Validation.expect(station.meanResponse, response[k], slack: 0.01, "\(station.name) response", run)
            if !isDelay[k] {
                Validation.expect(station.utilization, throughput * service[k], slack: 0.005, "\(station.name) utilization", run)
            }
        }
        Validation.expectLittlesLaw(run)
    }

    static func cacheScenario(seed: UInt64, ttl: Double?, capacity: Int?) -> NetworkScenario {
        Validation.open("cache", seed: seed, rate: 100, duration: 4_000, stations: [
            .init(name: "cache", kind: .cache(keys: 2_000, zipf: 0.8, ttl: ttl, capacity: capacity,
                                              service: nil, hit: [], miss: [.init(to: 1, p: 1)])),
            Validation.queue("db", servers: 4, service: .exponential(mean: 0.005)),
        ])
    }

    @Test func ttlCacheHitRatioMatchesFormula() {
        // An entry inserted on a miss lives T; with Poisson requests at λ_i for key i the hit
        // probability is λ_i T / (1 + λ_i T) (Jung, Berger & Balakrishnan 2003).
        let ttl = 30.0, rate = 100.0
        let p = ZipfPopularity.probabilities(keys: 2_000, exponent: 0.8)
        let hit = p.reduce(0) { $0 + $1 * (rate * $1 * ttl) / (1 + rate * $1 * ttl) }
        let run = Validation.simulate(Self.cacheScenario(seed: 91, ttl: ttl, capacity: nil))
        Validation.expect(run.summary.stations[0].hitRatio, hit, slack: 0.002, "hit ratio", run)
        Validation.expect(run.summary.stations[1].throughput, rate * (1 - hit), slack: 0.005, "miss rate", run)
    }

    @Test func lruCacheHitRatioMatchesChe() {
        // Che, Tung & Wang (2002): t_C solves Σ (1 - e^{-λ_i t_C}) = C; h_i = 1 - e^{-λ_i t_C}.
        let capacity = 200, rate = 100.0
        let p = ZipfPopularity.probabilities(keys: 2_000, exponent: 0.8)
        let t = GSLNumerics.findRoot(in: 0...1e7) { t in
            p.reduce(0) { $0 + 1 - exp(-rate * $1 * t) } - Double(capacity)
        }!
        let hit = p.reduce(0) { $0 + $1 * (1 - exp(-rate * $1 * t)) }
        let run = Validation.simulate(Self.cacheScenario(seed: 101, ttl: nil, capacity: capacity))
        // Che's approximation is accurate to well under 1% for Zipf popularity (Fricker,
        // Robert & Roberts 2012); allow that on top of the interval.
        Validation.expect(run.summary.stations[0].hitRatio, hit, slack: 0.01, "hit ratio (Che)", run)
    }
}
