import Foundation
import Testing
@testable import ScaleSim

/// `scalesim plan`: the cheapest configuration that meets the SLO, searched analytically.
@Suite struct PlannerTests {
    /// A small grid, so each plan takes seconds in a debug build.
    static var grid: PlanGrid {
        var g = PlanGrid()
        g.databaseCores = [1, 2, 4]
        g.replicas = [0, 1, 2]
        g.cacheNodes = [0, 1]
        g.cacheTTLs = []
        g.workerFactors = [1]
        g.maximumInstances = 64
        return g
    }

    static func plan(users: Int, p99: Double = 0.5, headroom: Double = 0) throws -> PlanResult {
        let s = try ArchitectureStoryTests.scenario(stages: nil)
        let request = PlanRequest(users: users, stage: s.stages.count - 1, slo: .init(p99: p99, errorRate: 0.001),
                                  headroom: headroom, grid: grid)
        return try Planner.plan(s, request)
    }

    @Test func moreUsersNeverGiveACheaperPlan() throws {
        var last = 0.0
        for users in [50_000, 100_000, 150_000, 200_000] {
            let result = try Self.plan(users: users)
            guard let best = result.best else { Issue.record("no plan for \(users) users"); return }
            #expect(best.costPerHour >= last - 1e-9, "\(users) users: $\(best.costPerHour)/h, cheaper than $\(last)/h for fewer users")
            last = best.costPerHour
            // The plan meets the SLO; with one API instance fewer it does not (the instances
            // are the fewest that pass).
            #expect(best.p99.map { $0 <= 0.5 } == true, "\(users) users: p99 \(best.p99 ?? -1)")
            if best.knobs.apiInstances > 1 {
                var search = PlanSearch(scenario: result.scenario, request: result.request)
                var fewer = best.knobs
                fewer.apiInstances -= 1
                #expect(!search.passes(search.stage(fewer, instances: fewer.apiInstances), users: users).0,
                        "\(users) users: \(fewer.apiInstances) instances pass too")
            }
        }
    }

    @Test func aLooserSLONeverGivesADearerPlan() throws {
        var last = Double.infinity
        for p99 in [0.2, 0.3, 0.5, 2.0] {
            let best = try #require(try Self.plan(users: 150_000, p99: p99).best, "no plan for p99 \(p99)")
            #expect(best.costPerHour <= last + 1e-9, "p99 \(p99): $\(best.costPerHour)/h, dearer than a tighter SLO's $\(last)/h")
            last = best.costPerHour
        }
    }

    @Test func headroomIsSpareCapacity() throws {
        let plain = try #require(try Self.plan(users: 100_000).best)
        let spare = try #require(try Self.plan(users: 100_000, headroom: 0.5).best)
        let exact = try #require(try Self.plan(users: 150_000).best)
        #expect(spare.costPerHour >= plain.costPerHour)
        #expect(abs(spare.costPerHour - exact.costPerHour) < 1e-9, "100k users with 50% headroom should cost what 150k users cost")
    }

    @Test func aSharedHostStageIsRefused() throws {
        let s = try ArchitectureStoryTests.scenario(stages: ["1: one machine"])
        #expect(throws: Planner.PlanError.self) {
            try Planner.plan(s, PlanRequest(users: 10, stage: 0, slo: s.stages[0].slo, headroom: 0))
        }
    }
}

/// Capacity confirmed by simulation.
@Suite struct SimulatedCapacityTests {
    /// The second stage of the minimal example (the database on its own host): the simulated
    /// capacity passes its own check, fails just above, and lies near the analytic one.
    @Test func simulationConfirmsTheAnalyticCapacity() throws {
        let path = CLI.packageRoot.appendingPathComponent("scenarios/examples/architecture-minimal.json")
        guard case .architecture(var s) = try Scenario.load(bytes: [UInt8](Data(contentsOf: path))) else { return }
        s.run = RunSettings(duration: 60, warmup: 10, replications: 3, confidence: 0.95)
        let analytic = try #require(s.analyticCapacity(stage: 1))
        let simulated = try #require(s.simulatedCapacity(stage: 1, jobs: 2))
        #expect(simulated.method == .simulation && simulated.failsOn != nil)
        #expect(abs(Double(simulated.maxUsers) / Double(analytic.maxUsers) - 1) < 0.25,
                "simulated \(simulated.maxUsers), analytic \(analytic.maxUsers) users (seed \(s.seed))")
        #expect(s.simulatedCheck(stage: 1, users: simulated.maxUsers, jobs: 2, limits: EngineLimits(), control: nil).passes)
        #expect(!s.simulatedCheck(stage: 1, users: Int(Double(simulated.maxUsers) * 1.3), jobs: 2,
                                  limits: EngineLimits(), control: nil).passes,
                "30% above the simulated capacity still passes (seed \(s.seed))")
    }
}
