import Foundation
import Testing
@testable import ScaleSim

/// The bundled scenarios about a changing system show the effect they are about, in the
/// numbers their reports print (shortened where a debug build would take too long).
@Suite struct DynamicsStoryTests {
    static func scenario(_ name: String) throws -> ArchitectureScenario {
        let url = ArchitectureStoryTests.root.appendingPathComponent("scenarios/\(name).json")
        guard case .architecture(let s) = try Scenario.load(bytes: [UInt8](try Data(contentsOf: url))) else {
            throw ScenarioError(issues: [])
        }
        return s
    }

    /// Runs each stage of `s` as a scenario of its own, all at once, and returns the stages'
    /// reports in order. A stage's result does not depend on the other stages (each starts
    /// from the scenario's seed), so this gives the numbers of `ArchitectureReport.run(s)`;
    /// with one replication that would run the stages one after the other on one core.
    static func runStagesConcurrently(_ s: ArchitectureScenario) -> [ArchitectureReport] {
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var reports: [Int: ArchitectureReport] = [:]
        }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: s.stages.count) { i in
            var one = s
            one.stages = [s.stages[i]]
            let report = ArchitectureReport.run(one, jobs: 2, capacity: .none)
            results.lock.withLock { results.reports[i] = report }
        }
        return s.stages.indices.map { results.reports[$0]! }
    }

    /// One API instance down for 3 of 11 measured minutes: alone, every API request of those
    /// minutes fails; one of four behind a load balancer loses a quarter of them; with health
    /// checks only the seconds before it is taken out of rotation count.
    @Test func severalInstancesAndHealthChecksContainAnInstanceFailure() throws {
        var s = try Self.scenario("instance-failure")
        s.run.replications = 2
        let report = ArchitectureReport.run(s, jobs: 2, capacity: .none)
        let errors = report.stages.map(\.errorRate.mean)
        // API classes are 92% of requests (the web client's files come from the web host).
        let apiShare = 0.92, downShare = 180.0 / 660
        #expect(abs(errors[0] - apiShare * downShare) < 0.01, "one instance: \(errors[0]) (seed \(s.seed))")
        #expect(abs(errors[1] - apiShare * downShare / 4) < 0.005, "four, unchecked: \(errors[1]) (seed \(s.seed))")
        // Two failed probes 5 s apart: at most 10 s of a quarter of the API traffic.
        #expect(errors[2] < apiShare * 10 / 660 / 4 + 0.0005, "four, checked: \(errors[2]) (seed \(s.seed))")
        #expect(errors[2] > 0, "requests are lost before the checks notice (seed \(s.seed))")
        let kinds = (report.stages[2].timeline ?? []).map(\.kind)
        #expect(kinds == [.faultStart, .removed, .faultEnd, .restored], "\(kinds)")
    }

    /// The celebrity's profile costs a second of database CPU to fetch. Without the cache every
    /// view queries it and the replicas melt; with the cache each expiry sends every reader of
    /// that moment to the database (a stampede); coalescing leaves one query per expiry.
    @Test func coalescingEndsTheCelebrityStampede() throws {
        var s = try Self.scenario("celebrity")
        s.run = RunSettings(duration: 540, warmup: 60, replications: 2, confidence: 0.95)
        let report = ArchitectureReport.run(s, jobs: 2, capacity: .none)
        let (none, plain, coalesced) = (report.stages[0], report.stages[1], report.stages[2])
        #expect(none.errorRate.mean > 0.2, "no cache: errors \(none.errorRate.mean) (seed \(s.seed))")
        let hotPlain = try #require(plain.resources.first { $0.name == "cache" }?.hotMissesPerSecond?.mean)
        let hotCoalesced = try #require(coalesced.resources.first { $0.name == "cache" }?.hotMissesPerSecond?.mean)
        // The crowd runs from 300 s to 540 s: one fill per TTL (30 s) plus the fill itself,
        // at most 240 / 30 + 1 = 9 fetches over the 480 measured seconds.
        #expect(hotCoalesced * 480 <= 9.5, "coalesced: \(hotCoalesced * 480) celebrity fetches (seed \(s.seed))")
        #expect(hotPlain > 5 * hotCoalesced, "stampede \(hotPlain)/s vs coalesced \(hotCoalesced)/s (seed \(s.seed))")
        #expect(coalesced.slo.met, "coalescing meets the SLO: \(coalesced.slo.violations)")
    }

    /// The Super Bowl spike, compressed to keep the test short (2 min ramps, 5 min at 3x, from
    /// 3 min): the autoscaled fleet grows within its bounds and meets the SLO; the fleet with a
    /// deep backlog is still failing a third or more of its requests after the spike has
    /// passed (a retry storm).
    @Test func autoscalingAbsorbsTheSpikeAndADeepBacklogStormsOn() throws {
        var s = try Self.scenario("superbowl")
        s.stages = s.stages.filter { $0.name.hasPrefix("autoscaling") || $0.name.contains("deep backlog") }
        s.run.replications = 1
        s.run.duration = 1020
        s.run.warmup = 60
        for i in s.stages.indices {  // over at 720 s
            s.stages[i].profile = .init(shape: .spike(at: 180, factor: 3, length: 300, ramp: 120), notes: nil)
        }
        #expect(s.stages.count == 2 && s.stages[0].name.hasPrefix("autoscaling"), "\(s.stages.map(\.name))")
        let reports = Self.runStagesConcurrently(s)
        let (scaled, storm) = (reports[0].stages[0], reports[1].stages[0])
        #expect(scaled.slo.met, "autoscaling: \(scaled.slo.violations) (seed \(s.seed))")
        let api = try #require(scaled.routers.first { $0.name == "api" })
        #expect(api.peakInService.mean > 4 && api.peakInService.mean <= 16, "peak \(api.peakInService.mean)")
        let timeline = scaled.timeline ?? []
        let outs = timeline.filter { $0.kind == .scaleOut }, ready = timeline.filter { $0.kind == .provisioned }
        #expect(!outs.isEmpty && ready.allSatisfy { r in outs.contains { abs($0.time + 60 - r.time) < 1e-6 } })
        // After the spike the deep-backlog fleet still fails a third or more of its requests.
        let series = try #require(reports[1].timeSeries.first { $0.name == storm.name })
        let late = series.replications[0].filter { $0.start >= 780 }
        let failed = Double(late.reduce(0) { $0 + $1.errors }), done = Double(late.reduce(0) { $0 + $1.completed })
        #expect(failed / (failed + done) > 0.3, "after the spike: \(failed / (failed + done)) failed (seed \(s.seed))")
        let retries = late.reduce(0) { $0 + $1.retries }, arrivals = late.reduce(0) { $0 + $1.arrivals }
        #expect(Double(retries) > 0.5 * Double(arrivals), "retries \(retries) for \(arrivals) requests")
    }
}
