import Testing
@testable import ScaleSim

@Test func mm1Smoke() {
    let s = NetworkScenario(name: "mm1", seed: 1, run: .init(duration: 200000, warmup: 1000, replications: 4, confidence: 0.95),
        arrivals: [.init(className: "req", to: 0, rate: 0.9)], population: nil,
        stations: [.init(name: "q", kind: .queue(servers: 1, discipline: .fcfs, capacity: nil, service: .exponential(mean: 1), next: []))])
    let c = s.compile()
    let r = Simulation.run(c.model, seed: 1, run: s.run, jobs: 2)
    let sum = NetworkSummary(scenario: s, compiled: c, results: r)
    print(sum.stations[0], sum.system)
}
