import Testing
@testable import ScaleSim

/// Closed sessions with a class mix (`Model.Source.sessions`): each user thinks, then sends a
/// request of a class drawn from the mix, waits for it, and thinks again.
@Suite struct EngineSessionTests {
    /// `users` sessions with exponential think time `think`, a mix of two classes with
    /// exponential work `works` on one processor-sharing CPU.
    static func twoClassSessions(users: Int, think: Double, works: [Double], shares: [Double]) -> Model {
        var b = ModelBuilder("sessions: \(users) users, classes \(works)")
        let cpu = b.cpu("cpu", cores: 1, discipline: .ps)
        let thinkSampler = b.sampler(.exponential(mean: think), stream: "think")
        var mix: [Model.SessionChoice] = []
        for (i, work) in works.enumerated() {
            let c = b.requestClass("class\(i)")
            let sampler = b.sampler(.exponential(mean: work), stream: "work\(i)")
            let entry = b.program([.use(.cpu(cpu), sampler: sampler, on: nil), .done])
            mix.append(.init(classIndex: c, entry: entry, probability: shares[i]))
        }
        b.model.sources.append(.sessions(size: users, think: thinkSampler, mix: mix, streamName: "mix"))
        return b.model
    }

    /// A PS station is insensitive to the service distribution (BCMP 1975), so a mix of two
    /// exponential classes behaves like one class with the mixture's mean: exact MVA gives the
    /// throughput, and PS serves each class in proportion to its work (the class response times
    /// are in the ratio of their mean works).
    @Test func sessionsMatchMVAAndTheMix() {
        let seed: UInt64 = 2026
        let (users, think, works, shares) = (6, 1.0, [0.3, 0.05], [0.25, 0.75])
        let model = Self.twoClassSessions(users: users, think: think, works: works, shares: shares)
        let results = EngineCheck.replicate(model, seed: seed, duration: 20_000, warmup: 1_000)
        let mean = zip(works, shares).reduce(0) { $0 + $1.0 * $1.1 }
        let mva = MeanValueAnalysis.solve(stations: [MVAStation(kind: .queue(servers: 1), visits: 1, meanService: mean)],
                                          thinkTime: think, population: users)
        let completed = { (r: ReplicationResult) in Double(r.classes.reduce(0) { $0 + $1.completed }) }
        EngineCheck.expect(EngineCheck.estimate(results) { completed($0) / $0.measuredTime },
                           mva.throughput, slack: 0.005, "throughput", seed: seed)
        EngineCheck.expect(EngineCheck.estimate(results) { $0.cpus[0].busyArea / $0.measuredTime },
                           mva.utilization[0] ?? .nan, slack: 0.005, "CPU utilization", seed: seed)
        EngineCheck.expect(EngineCheck.estimate(results) { Double($0.classes[0].arrivals) / completed($0) },
                           shares[0], slack: 0.005, "share of class 0", seed: seed)
        // PS: the class-c response is works[c] / mean times the mean response (Kleinrock vol. 2, 4.4).
        for c in 0..<2 {
            EngineCheck.expect(EngineCheck.estimate(results) { $0.classes[c].latency.mean },
                               mva.responsePerVisit[0] * works[c] / mean, slack: 0.01,
                               "class \(c) mean response", seed: seed)
        }
        // Interactive response time law, per replication: N = X (Z + R).
        for (r, result) in results.enumerated() {
            let x = completed(result) / result.measuredTime
            let total = result.classes.reduce(0) { $0 + $1.latency.sum }
            let response = total / completed(result)
            #expect(abs(x * (think + response) - Double(users)) <= 0.03 * Double(users),
                    "replication \(r): X (Z + R) = \(x * (think + response)), N = \(users) (seed \(seed))")
        }
    }

    /// A mix with one certain choice sends only that class; a user whose request times out
    /// thinks again (the population is never lost).
    @Test func oneChoiceAndTimeoutsKeepThePopulation() {
        let seed: UInt64 = 7
        var model = Self.twoClassSessions(users: 3, think: 0.5, works: [2.0, 0.1], shares: [1.0, 0])
        model.classes[0].timeout = 1.0
        let results = EngineCheck.replicate(model, seed: seed, duration: 2_000, warmup: 100, replications: 4)
        for (r, result) in results.enumerated() {
            #expect(result.classes[1].arrivals == 0, "replication \(r): the class of share 0 was sent (seed \(seed))")
            #expect(result.classes[0].timeouts > 0, "replication \(r): no timeouts with 2 s work and a 1 s timeout (seed \(seed))")
            // Every user cycles through think (0.5 s) and at most 1 s of waiting: at least
            // 3 / 1.5 = 2 requests per second are sent.
            let rate = Double(result.classes[0].arrivals) / result.measuredTime
            #expect(rate >= 1.9, "replication \(r): \(rate) requests/s, fewer than the population allows (seed \(seed))")
        }
    }
}
