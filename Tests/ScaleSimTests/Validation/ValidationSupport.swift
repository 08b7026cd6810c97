import Foundation
import Testing
@testable import ScaleSim

/// Helpers for checking the engine against queueing theory.
///
/// Tolerances come from the simulation's own confidence interval (99% over independent
/// replications) plus a small slack for what a finite run cannot remove (warm-up bias, the
/// histogram's 0.1% resolution). Seeds are fixed, so a test either always passes or always
/// fails; every failure message names its seed.
enum Validation {
    static let confidence = 0.99

    struct Run {
        var scenario: NetworkScenario
        var summary: NetworkSummary
        var seed: UInt64 { scenario.seed }
    }

    static func open(_ name: String, seed: UInt64, rate: Double, duration: Double, replications: Int = 10,
                     stations: [NetworkScenario.Station], to: Int = 0) -> NetworkScenario {
        NetworkScenario(name: name, seed: seed,
                        run: .init(duration: duration, warmup: duration / 10, replications: replications,
                                   confidence: confidence),
                        arrivals: [.init(className: "req", to: to, rate: rate)], population: nil,
                        stations: stations)
    }

    static func queue(_ name: String, servers: Int = 1, discipline: NetworkScenario.Discipline = .fcfs,
                      capacity: Int? = nil, service: Distribution,
                      next: [NetworkScenario.Route] = []) -> NetworkScenario.Station {
        .init(name: name, kind: .queue(servers: servers, discipline: discipline, capacity: capacity,
                                       service: service, next: next))
    }

    static func simulate(_ scenario: NetworkScenario) -> Run {
        let compiled = scenario.compile()
        let results = Simulation.run(compiled.model, seed: scenario.seed, run: scenario.run, jobs: 2)
        for r in results { #expect(r.stoppedEarly == nil, "seed \(scenario.seed): \(r.stoppedEarly ?? "")") }
        let summary = NetworkSummary(scenario: scenario, compiled: compiled, results: results)
        return Run(scenario: scenario, summary: summary)
    }

    /// Expects `estimate` to cover `theory` within its interval plus `slack` (relative).
    static func expect(_ estimate: Estimate?, _ theory: Double, slack: Double = 0.01, _ what: String,
                       _ run: Run, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let estimate else {
            Issue.record("\(what): no estimate (seed \(run.seed))", sourceLocation: sourceLocation)
            return
        }
        let h = estimate.halfWidth ?? 0
        #expect(abs(estimate.mean - theory) <= h + slack * abs(theory),
                "\(run.scenario.name) \(what): simulated \(estimate.mean) ± \(h), theory \(theory) (seed \(run.seed))",
                sourceLocation: sourceLocation)
    }

    /// Little's law, L = λW, for every station of a run.
    static func expectLittlesLaw(_ run: Run, sourceLocation: SourceLocation = #_sourceLocation) {
        for station in run.summary.stations {
            guard let l = station.meanInStation, let w = station.meanResponse, station.hitRatio == nil else { continue }
            let lambdaW = station.throughput.mean * w.mean
            #expect(abs(l.mean - lambdaW) <= (l.halfWidth ?? 0) + 0.01 * l.mean + 1e-9,
                    "\(run.scenario.name) \(station.name): L = \(l.mean) but λW = \(lambdaW) (seed \(run.seed))",
                    sourceLocation: sourceLocation)
        }
    }

    /// Erlang C: the probability that an arrival waits at an M/M/c queue with offered load
    /// `a = λ/μ` (Erlang 1917; Kleinrock, Queueing Systems vol. 1, eq. 3.40), by direct sum.
    static func erlangC(servers c: Int, load a: Double) -> Double {
        var term = 1.0, sum = 1.0
        for k in 1..<c { term *= a / Double(k); sum += term }
        let last = term * a / Double(c) / (1 - a / Double(c))
        return last / (sum + last)
    }
}
