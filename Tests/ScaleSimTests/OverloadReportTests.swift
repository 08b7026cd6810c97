import Testing
@testable import ScaleSim

/// A model whose arrival rate exceeds its capacity says so: which station, offered versus
/// maximum throughput; memory stays bounded by the cap on requests in flight.
@Suite struct OverloadReportTests {
    static func scenario(rate: Double) throws -> NetworkScenario {
        let text = """
            {"kind": "network", "name": "over", "seed": 9, "run": {"duration": 400, "replications": 2},
             "arrivals": [{"class": "r", "to": "api", "rate": \(rate)}],
             "stations": [
               {"name": "api", "servers": 2, "service": {"dist": "exponential", "mean": "10ms"}, "next": [{"to": "db", "p": 1}]},
               {"name": "db", "servers": 1, "service": {"dist": "exponential", "mean": "100ms"}}]}
            """
        guard case .network(let s) = try Scenario.load(bytes: Array(text.utf8)) else { throw ScenarioError(issues: []) }
        return s
    }

    @Test(arguments: [2.0, 10.0])
    func overloadNamesTheStationAndBy(factor: Double) throws {
        let s = try Self.scenario(rate: 10 * factor)
        let report = NetworkReport.run(s, jobs: 2, limits: EngineLimits(maxInFlight: 5_000))
        #expect(report.overloaded.map(\.name) == ["db"], "seed \(s.seed)")
        let db = try #require(report.overloaded.first)
        #expect(abs(db.offered - 10 * factor) < 1e-9 && abs(db.maximum - 10) < 1e-9, "\(db)")
        #expect(report.notes.first?.contains("db is overloaded") == true, "\(report.notes)")
        let json = report.json.serialized()
        #expect(json.contains("\"stable\": false"), "seed \(s.seed)")
        if factor >= 10 {
            // 90 more requests a second than db serves: the cap of 5,000 in flight stops the run.
            #expect(report.summary.stoppedEarly.count == 2 && report.summary.stoppedEarly.allSatisfy { $0.contains("overloaded") },
                    "\(report.summary.stoppedEarly)")
        }
    }

    @Test func aStableModelSaysSo() throws {
        let report = NetworkReport.run(try Self.scenario(rate: 5), jobs: 2)
        #expect(report.overloaded.isEmpty)
        #expect(report.json.serialized().contains("\"stable\": true"))
    }
}
