import Foundation
import Testing

/// `scalesim compare`, through the built binary on reports that `scalesim run` wrote: standard
/// output in each format, exit statuses, and the errors for files that cannot be compared.
@Suite struct CompareCLITests {
    /// An M/M/1 with a 1 s mean service time; `rate` sets its utilization.
    static func scenario(rate: Double, seed: Int = 11) -> String {
        """
        {
          "kind": "network", "name": "tiny", "seed": \(seed),
          "run": { "duration": 2000, "warmup": 200, "replications": 5, "confidence": 0.95 },
          "arrivals": [ { "class": "req", "to": "server", "rate": \(rate) } ],
          "stations": [ { "name": "server", "servers": 1, "service": { "dist": "exponential", "mean": "1s" } } ]
        }
        """
    }

    /// Runs `scenario` and writes its JSON report to `name` in the sandbox.
    static func report(_ sandbox: Sandbox, _ name: String, scenario: String, _ arguments: [String] = []) throws -> String {
        let file = try sandbox.write(name + ".scenario.json", scenario)
        let run = try CLI.run(["run", file, "--format", "json", "--no-reports", "--quiet"] + arguments)
        #expect(run.status == 0, "run \(name): exit \(run.status)\n\(run.stderr)")
        return try sandbox.write(name + ".json", run.stdout)
    }

    @Test func aBusierServerIsASignificantRegressionAndTheReverseIsNot() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let old = try Self.report(sandbox, "old", scenario: Self.scenario(rate: 0.5))
        let new = try Self.report(sandbox, "new", scenario: Self.scenario(rate: 0.7))

        let table = try CLI.run(["compare", old, new])
        #expect(table.status == 0, "exit \(table.status)\n\(table.stderr)")
        #expect(table.stderr.isEmpty, "stderr: \(table.stderr)")
        for expected in ["scalesim compare: network reports", "station \"server\"", "utilization", "worse * (regression)",
                         "system (end to end)", "p99", "|new - old| > √(h_old² + h_new²)"] {
            #expect(table.stdout.contains(expected), "missing \(expected) in\n\(table.stdout)")
        }
        // Utilization goes from about 50% to about 70%: far beyond any interval of 5 replications.
        let utilization = CLI.line(of: "utilization", in: table.stdout)
        #expect(utilization.contains("worse *") && utilization.contains(" pp"), "\(utilization)")

        let failing = try CLI.run(["compare", old, new, "--fail-on-regression"])
        #expect(failing.status == 1, "exit \(failing.status)\n\(failing.stderr)")
        #expect(failing.stderr.contains("regression"), "stderr: \(failing.stderr)")
        #expect(failing.stdoutData == table.stdoutData, "--fail-on-regression changed what is printed")

        let reverse = try CLI.run(["compare", new, old, "--fail-on-regression"])
        #expect(reverse.status == 0, "the way back is an improvement; exit \(reverse.status)\n\(reverse.stdout)\(reverse.stderr)")
        #expect(CLI.line(of: "utilization", in: reverse.stdout).contains("better *"), "\(reverse.stdout)")

        let markdown = try CLI.run(["compare", old, new, "--format", "md"])
        #expect(markdown.status == 0)
        #expect(markdown.stdout.hasPrefix("## scalesim compare: network reports"), "\(markdown.stdout.prefix(200))")
        #expect(markdown.stdout.contains("| utilization |") && markdown.stdout.contains("|---|"), "\(markdown.stdout)")
    }

    @Test func jsonOutputParsesAndIsTheSameEveryTime() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let old = try Self.report(sandbox, "old", scenario: Self.scenario(rate: 0.5))
        let new = try Self.report(sandbox, "new", scenario: Self.scenario(rate: 0.7))
        let first = try CLI.run(["compare", old, new, "--format", "json"])
        let second = try CLI.run(["compare", old, new, "--format", "json"])
        #expect(first.status == 0 && second.status == 0, "exit \(first.status), \(second.status)\n\(first.stderr)")
        #expect(first.stdoutData == second.stdoutData, "two runs print different JSON")
        #expect(first.stdout.hasSuffix("}\n"))
        let report = try CLI.parseJSON(first.stdoutData)
        #expect(report["kind"] as? String == "network")
        let summary = try #require(report["summary"] as? [String: Any])
        #expect((CLI.number(summary["regressions"]) ?? 0) >= 1, "\(summary)")
        let groups = try #require(report["groups"] as? [[String: Any]])
        let server = try #require(groups.first { $0["name"] as? String == "server" }, "no group server in \(groups)")
        let changes = try #require(server["changes"] as? [[String: Any]])
        let utilization = try #require(changes.first { $0["metric"] as? String == "utilization" }, "\(changes)")
        #expect(utilization["verdict"] as? String == "significant")
        #expect(utilization["direction"] as? String == "worse")
        #expect(utilization["regression"] as? Bool == true)
        let difference = try #require(CLI.number(utilization["difference"]))
        let threshold = try #require(CLI.number(utilization["threshold"]))
        #expect(difference > threshold && threshold > 0, "difference \(difference), threshold \(threshold)")
        #expect(abs(difference - 0.2) < 0.1, "utilization should rise by about 0.2, rose by \(difference)")
    }

    @Test func theSameReportTwiceHasNoChange() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let old = try Self.report(sandbox, "old", scenario: Self.scenario(rate: 0.5))
        let run = try CLI.run(["compare", old, old, "--fail-on-regression"])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        #expect(run.stdout.contains("0 significant changes") && run.stdout.contains("no regression"), "\(run.stdout)")
        #expect(run.stdout.contains("station \"server\": no significant change"), "\(run.stdout)")
        let all = try CLI.run(["compare", old, old, "--all"])
        #expect(CLI.line(of: "utilization", in: all.stdout).contains("unchanged"), "\(all.stdout)")
    }

    @Test func architectureReportsAreMatchedByStageName() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = CLI.packageRoot.appendingPathComponent("scenarios/examples/architecture-minimal.json").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let renamed = text.replacingOccurrences(of: "\"10 users: database on its own host\"", with: "\"10 users: managed database\"")
        #expect(renamed != text, "the stage to rename is not in \(path)")
        let old = try Self.report(sandbox, "old", scenario: text, ["--replications", "3"])
        let new = try Self.report(sandbox, "new", scenario: renamed, ["--replications", "3", "--seed", "2"])
        let run = try CLI.run(["compare", old, new, "--all"])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        for expected in ["scalesim compare: architecture reports", "stage \"1 user: one machine\"", "latency p99",
                         "resource host.cpu: utilization", "class view_feed: latency mean",
                         "stage \"10 users: database on its own host\": only in the old report",
                         "stage \"10 users: managed database\": only in the new report", "1 stage only in old, 1 stage only in new"] {
            #expect(run.stdout.contains(expected), "missing \(expected) in\n\(run.stdout)")
        }
    }

    @Test func filesThatCannotBeComparedExit65Or66AndSayWhere() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let network = try Self.report(sandbox, "net", scenario: Self.scenario(rate: 0.5))
        let scenario = try sandbox.write("scenario.json", Self.scenario(rate: 0.5))
        let architecturePath = CLI.packageRoot.appendingPathComponent("reports/1/report.json").path
        let broken = try sandbox.write("broken.json", #"{"kind": "network", "scenario": "x", "seed": 1, "replications": 2, "confidence": 0.95, "stations": [{"name": "a", "utilization": 0.5}], "system": {}}"#)
        let cases: [(arguments: [String], status: Int32, stderr: [String])] = [
            ([network, sandbox.url("missing.json").path], 66, ["cannot read", "missing.json", "no such file"]),
            ([scenario, network], 65, ["scenario.json", "this is a scenario, not a report"]),
            ([network, architecturePath], 65, ["reports/1/report.json", "kind:", "net.json", "same kind"]),
            ([broken, network], 65, ["broken.json", "stations[0].utilization", "expected an estimate"]),
        ]
        for (arguments, status, messages) in cases {
            let run = try CLI.run(["compare"] + arguments)
            #expect(run.status == status, "compare \(arguments): exit \(run.status)\n\(run.stderr)")
            #expect(run.stdout.isEmpty, "compare \(arguments): stdout \(run.stdout)")
            for message in messages {
                #expect(run.stderr.contains(message), "compare \(arguments): \(message) not in stderr \(run.stderr)")
            }
        }
    }
}
