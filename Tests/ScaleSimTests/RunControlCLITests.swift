import Foundation
import Testing

/// Stopping a run: Ctrl-C, the wall-clock budget and the event budget, through the binary.
@Suite struct RunControlCLITests {
    /// An M/M/1 long enough (about 10 million events per replication) to be running still when
    /// it is interrupted.
    static let longScenario = """
        {
          "kind": "network", "name": "long", "seed": 3,
          "run": { "duration": 10000000, "warmup": 1000, "replications": 4 },
          "arrivals": [ { "class": "req", "to": "server", "rate": 0.5 } ],
          "stations": [ { "name": "server", "service": { "dist": "exponential", "mean": "1s" } } ]
        }
        """

    @Test func ctrlCStopsPromptlyAndLeavesTheEarlierReport() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let out = sandbox.url("out")
        let tiny = try sandbox.write("tiny.json", CLI.tinyScenario(seed: 4))
        let first = try CLI.run(["run", tiny, "--replications", "2", "--out", out.path])
        #expect(first.status == 0, "exit \(first.status)\n\(first.stderr)")
        let before = try CLI.snapshot(out)

        let long = try sandbox.write("long.json", Self.longScenario)
        let stopped = try Self.interrupt(["run", long, "--out", out.path, "--quiet"], after: 1.0, in: sandbox)
        #expect(stopped.status == 130, "exit \(stopped.status)\n\(stopped.stderr)")
        #expect(stopped.stderr.contains("interrupted"), "stderr: \(stopped.stderr)")
        #expect(stopped.seconds < 5, "stopped \(stopped.seconds) s after Ctrl-C")
        #expect(try CLI.snapshot(out) == before, "the earlier report was changed")
        #expect(try CLI.temporaryFiles(in: out).isEmpty)
    }

    /// 1k (one architecture stage) simulated for 10^7 s: still running when it is
    /// interrupted, by `run` or by `plan`'s verification (its analytic search is quick).
    static func longArchitecture() throws -> String {
        let data = try Data(contentsOf: CLI.packageRoot.appendingPathComponent("scenarios/1k.json"))
        var scenario = try CLI.parseJSON(data)
        scenario["$schema"] = nil
        scenario["run"] = ["duration": 10_000_000, "warmup": 60, "replications": 4]
        return String(decoding: try JSONSerialization.data(withJSONObject: scenario), as: UTF8.self)
    }

    /// Ctrl-C during an architecture run, or during a plan's simulations: stops within 5 s,
    /// exits 130, says so, and leaves the earlier report (or plan) byte for byte.
    @Test(arguments: ["run", "plan"])
    func ctrlCStopsAnArchitectureRunOrPlanPromptly(command: String) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let out = sandbox.url("out")
        let scenario = CLI.packageRoot.appendingPathComponent("scenarios/1k.json").path
        let extra = command == "plan" ? ["--users", "1000"] : ["--replications", "2"]
        let first = try CLI.run([command, scenario, "--out", out.path] + extra)
        #expect(first.status == 0, "exit \(first.status)\n\(first.stderr)")
        let before = try CLI.snapshot(out)
        #expect(!before.isEmpty, "the first \(command) wrote nothing")

        let long = try sandbox.write("long.json", try Self.longArchitecture())
        let stopped = try Self.interrupt([command, long, "--out", out.path] + extra, after: 2.0, in: sandbox)
        #expect(stopped.status == 130, "\(command): exit \(stopped.status)\n\(stopped.stderr)")
        #expect(stopped.stderr.contains("interrupted"), "\(command): stderr: \(stopped.stderr)")
        #expect(stopped.seconds < 5, "\(command): stopped \(stopped.seconds) s after Ctrl-C")
        #expect(try CLI.snapshot(out) == before, "\(command): the earlier report was changed")
        #expect(try CLI.temporaryFiles(in: out).isEmpty)
    }

    /// Starts `scalesim arguments`, sends it SIGINT after `after` seconds and waits (20 s at
    /// most) for it to end.
    /// - Returns: its exit status, standard error, and the seconds it took to stop.
    static func interrupt(_ arguments: [String], after: Double, in sandbox: Sandbox) throws
        -> (status: Int32, stderr: String, seconds: Double) {
        let process = Process()
        process.executableURL = try CLI.binary.get()
        process.arguments = arguments
        let stderrURL = sandbox.url("stderr")
        try Data().write(to: stderrURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        Thread.sleep(forTimeInterval: after)
        let interruptedAt = Date()
        process.interrupt()
        if finished.wait(timeout: .now() + 20) == .timedOut {
            process.terminate()
            finished.wait()
            Issue.record("scalesim \(arguments.joined(separator: " ")) did not stop within 20 s of Ctrl-C")
        }
        let seconds = Date().timeIntervalSince(interruptedAt)
        try? stderr.close()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self), seconds)
    }

    @Test func aTimeLimitEndsTheRunWithAReportThatSaysSo() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let long = try sandbox.write("long.json", Self.longScenario)
        let start = Date()
        let run = try CLI.run(["run", long, "--format", "json", "--time-limit", "1", "--no-reports", "--quiet"])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        #expect(Date().timeIntervalSince(start) < 10)
        let json = try CLI.parseJSON(run.stdoutData)
        let notes = json["notes"] as? [String] ?? []
        #expect(notes.contains { $0.contains("wall-clock time limit reached") }, "notes: \(notes)")
    }

    @Test func anEventBudgetStopsEveryReplication() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let long = try sandbox.write("long.json", Self.longScenario)
        let run = try CLI.run(["run", long, "--format", "json", "--max-events", "20000", "--no-reports", "--quiet"])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        let json = try CLI.parseJSON(run.stdoutData)
        let notes = json["notes"] as? [String] ?? []
        #expect(notes.filter { $0.contains("event budget of 20000 events") }.count == 4, "notes: \(notes)")
        let events = (json["run"] as? [String: Any])?["events"]
        #expect(CLI.number(events) == 80_000, "events \(String(describing: events))")
    }
}
