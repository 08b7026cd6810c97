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
        let process = Process()
        process.executableURL = try CLI.binary.get()
        process.arguments = ["run", long, "--out", out.path, "--quiet"]
        let stderrURL = sandbox.url("stderr")
        try Data().write(to: stderrURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        Thread.sleep(forTimeInterval: 1.0)
        let interruptedAt = Date()
        process.interrupt()
        #expect(finished.wait(timeout: .now() + 20) == .success, "scalesim did not stop after Ctrl-C")
        let stopSeconds = Date().timeIntervalSince(interruptedAt)
        try? stderr.close()
        let message = String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self)
        #expect(process.terminationStatus == 130, "exit \(process.terminationStatus)\n\(message)")
        #expect(message.contains("interrupted"), "stderr: \(message)")
        #expect(stopSeconds < 5, "stopped \(stopSeconds) s after Ctrl-C")
        #expect(try CLI.snapshot(out) == before, "the earlier report was changed")
        #expect(try CLI.temporaryFiles(in: out).isEmpty)
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
