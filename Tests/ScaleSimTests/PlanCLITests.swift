import Foundation
import Testing

/// `scalesim plan` from the command line: its table and JSON, the simulation that confirms
/// the plan, and clear errors for bad options.
@Suite struct PlanCLITests {
    static let minimal = CLI.packageRoot.appendingPathComponent("scenarios/examples/architecture-minimal.json").path

    @Test func planPrintsTheCheapestConfigurationAndConfirmsIt() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let out = sandbox.url("plan")
        let run = try CLI.run(["plan", Self.minimal, "--users", "50", "--format", "json", "--jobs", "2", "--out", out.path])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        let plan = try CLI.parseJSON(run.stdoutData)
        #expect(plan["kind"] as? String == "plan")
        #expect(CLI.number(plan["designUsers"]) == 65, "50 users with the default 30% headroom")
        let best = try #require(plan["plan"] as? [String: Any], "no plan: \(run.stdout)")
        let current = try #require(plan["current"] as? [String: Any])
        let cost = try #require(CLI.number(best["costPerHour"])), currentCost = try #require(CLI.number(current["costPerHour"]))
        #expect(cost <= currentCost, "the plan costs \(cost)/h, more than the scenario's \(currentCost)/h")
        let simulated = try #require(best["simulated"] as? [String: Any], "the plan was not simulated")
        #expect(simulated["met"] as? Bool == true)
        CLI.expectEstimate(simulated["p99"], "plan.simulated.p99", intervals: true)
        // The same plan is written beside the reports: the JSON byte for byte, the page well-formed.
        let written = try Data(contentsOf: out.appendingPathComponent("plan.json"))
        #expect(written == run.stdoutData, "plan.json differs from what was printed")
        let html = try String(contentsOf: out.appendingPathComponent("plan.html"), encoding: .utf8)
        let page = HTMLReportTests.parse(html)
        #expect(page.tables.count == 1 && page.text.contains("cost per month"), "plan.html: \(page.text.prefix(200))")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("plan.md").path))
    }

    @Test func planTableNamesWhatChanged() throws {
        let run = try CLI.run(["plan", Self.minimal, "--users", "50", "--no-verify", "--no-reports", "--slo", "p99=300ms,errors=1%"])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        #expect(run.stdout.contains("Plan for \"10 users: database on its own host\" at 50 users (SLO p99 ≤ 300 ms, errors ≤ 1.0%"),
                "\(run.stdout)")
        for row in ["API instances", "database cores", "read replicas", "cost per month", "binds next"] {
            #expect(run.stdout.contains(row), "row \(row) missing:\n\(run.stdout)")
        }
    }

    @Test(arguments: [
        (["--users", "50", "--stage", "nope"], 65, "no stage named \"nope\""),
        (["--users", "50", "--stage", "1 user: one machine"], 65, "runs the API and the database on one host"),
        (["--users", "50", "--stage", "0"], 65, "runs the API and the database on one host"),  // stages[0], by index
        (["--users", "50", "--stage", "2"], 65, "nor an index in 0...1"),
        (["--users", "0"], 64, "--users must be in"),
        (["--users", "50", "--slo", "p99=fast"], 64, "p99 must be a positive time"),
        (["--users", "50", "--slo", "latency=1s"], 64, "unknown target \"latency\""),
        (["--users", "50", "--headroom=-1"], 64, "--headroom must be in"),
    ])
    func badOptionsSayWhatIsWrong(options: [String], status: Int32, message: String) throws {
        let run = try CLI.run(["plan", Self.minimal] + options)
        #expect(run.status == status, "exit \(run.status)\n\(run.stderr)")
        #expect(run.stderr.contains(message), "stderr: \(run.stderr)")
        #expect(run.stdout.isEmpty)
    }
}
