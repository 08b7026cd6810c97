import Foundation
import ScaleSim

/// Events per second of the engine on fixed models, one replication on one thread, and the
/// peak resident memory of the process (which must not grow with the requests simulated).
struct Case {
    var name: String
    var scenario: NetworkScenario
}

func mm1(requests: Double) -> NetworkScenario {
    // rho = 0.9; 2 events per request (arrival, completion).
    NetworkScenario(
        name: "mm1", seed: 1,
        run: .init(duration: requests / 0.9, warmup: 0, replications: 1, confidence: 0.95),
        arrivals: [.init(className: "req", to: 0, rate: 0.9)], population: nil,
        stations: [.init(name: "q", kind: .queue(servers: 1, discipline: .fcfs, capacity: nil,
                                                 service: .exponential(mean: 1), next: []))])
}

func threeTier(requests: Double) -> NetworkScenario {
    // DESIGN.md's three-tier example: lb -> api (4 servers, lognormal) -> db (30%).
    NetworkScenario(
        name: "three-tier", seed: 7,
        run: .init(duration: requests / 8, warmup: 0, replications: 1, confidence: 0.95),
        arrivals: [.init(className: "req", to: 0, rate: 8)], population: nil,
        stations: [
            .init(name: "lb", kind: .queue(servers: 1, discipline: .fcfs, capacity: nil,
                                           service: .exponential(mean: 0.01), next: [.init(to: 1, p: 1)])),
            .init(name: "api", kind: .queue(servers: 4, discipline: .fcfs, capacity: nil,
                                            service: .lognormal(mean: 0.2, scv: 2), next: [.init(to: 2, p: 0.3)])),
            .init(name: "db", kind: .queue(servers: 2, discipline: .fcfs, capacity: 10,
                                           service: .exponential(mean: 0.1), next: [])),
        ])
}

func peakRSSMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? .nan
        return kb / 1024
    }
    return .nan
}

let arguments = CommandLine.arguments.dropFirst()
let millions = arguments.first.flatMap(Double.init) ?? 10
let only = arguments.dropFirst().first  // optional: run only the case whose name starts with it
let allCases = [
    Case(name: "M/M/1 rho=0.9", scenario: mm1(requests: millions * 1e6)),
    Case(name: "three-tier", scenario: threeTier(requests: millions * 1e6)),
]
let cases = allCases.filter { only == nil || $0.name.lowercased().hasPrefix(only!.lowercased()) }
print("scalesim-bench: \(millions)M requests per case, 1 replication, 1 thread, release build")
for c in cases {
    let compiled = c.scenario.compile()
    let start = DispatchTime.now().uptimeNanoseconds
    let results = Simulation.run(compiled.model, seed: c.scenario.seed, run: c.scenario.run, jobs: 1)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let events = results.reduce(0) { $0 + $1.events }
    let requests = results.reduce(0) { $0 + $1.classes.reduce(0) { $0 + $1.completed } }
    print(String(format: "%-16@ %6.2f s  %12llu events  %6.2f M events/s  %6.2f M requests/s  peak RSS %.0f MiB",
                 c.name as NSString, seconds, events, Double(events) / seconds / 1e6,
                 Double(requests) / seconds / 1e6, peakRSSMiB()))
}
