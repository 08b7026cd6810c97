import Foundation
import Testing

/// The command line, tested by running the built `scalesim` binary (STYLE.md, "Tests"):
/// standard output, standard error, exit status and the files written (DESIGN.md section 6).
///
/// Every run is short: a small M/M/1 written to a temporary folder, 2000 s simulated,
/// `--replications 2`, so one invocation takes well under a second in a debug build.
@Suite struct CLITests {
    // MARK: validate

    @Test func validateAcceptsEveryBundledScenario() throws {
        let folder = CLI.packageRoot.appendingPathComponent("scenarios/validation")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(!files.isEmpty, "no scenarios found in \(folder.path)")
        for name in files {
            let path = folder.appendingPathComponent(name).path
            let run = try CLI.run(["validate", path])
            #expect(run.status == 0, "validate \(name): exit \(run.status)\n\(run.stderr)")
            #expect(run.stdout.contains("valid network scenario"), "validate \(name): stdout \(run.stdout)")
            #expect(run.stderr.isEmpty, "validate \(name): stderr \(run.stderr)")
        }
    }

    // MARK: run --format json

    @Test func runJSONPrintsOneDocumentWithTheContractKeys() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let scenario = try sandbox.write("tiny.json", CLI.tinyScenario(seed: 11))
        let out = sandbox.url("out")
        let run = try CLI.run(["run", scenario, "--format", "json", "--replications", "2", "--out", out.path])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")

        // Exactly one JSON document, ending with one newline, nothing before or after it.
        #expect(run.stdout.hasPrefix("{"), "stdout does not start with the JSON document: \(run.stdout.prefix(80))")
        #expect(run.stdout.hasSuffix("}\n"), "stdout does not end with the document and one newline")
        let report = try CLI.parseJSON(run.stdoutData)

        #expect(report["kind"] as? String == "network")
        #expect(report["scenario"] as? String == "tiny")
        #expect(CLI.number(report["seed"]) == 11)
        #expect(CLI.number(report["replications"]) == 2)
        #expect(CLI.number(report["confidence"]) == 0.95)

        let stations = try #require(report["stations"] as? [Any], "stations is not an array")
        #expect(stations.count == 1)
        for case let station as [String: Any] in stations {
            #expect(station["name"] as? String == "server")
            for key in ["utilization", "throughput", "meanResponse", "meanWait", "waitProbability",
                        "meanQueueLength", "meanInStation"] {
                CLI.expectEstimate(station[key], "stations[server].\(key)", intervals: true)
            }
            let analytic = station["analytic"] as? [String: Any]
            #expect(analytic != nil, "stations[server].analytic is not an object")
            #expect(CLI.number(analytic?["utilization"]) != nil, "stations[server].analytic.utilization")
            #expect(CLI.number(analytic?["meanResponse"]) != nil, "stations[server].analytic.meanResponse")
        }
        let system = try #require(report["system"] as? [String: Any], "system is not an object")
        for key in ["throughput", "meanResponse", "p50", "p95", "p99"] {
            CLI.expectEstimate(system[key], "system.\(key)", intervals: true)
        }

        // The files: report.json is stdout byte for byte; nothing temporary is left behind.
        let written = try Set(FileManager.default.contentsOfDirectory(atPath: out.path))
        #expect(written == ["report.json", "report.md", "report.html", "timeseries.csv"], "files in --out: \(written.sorted())")
        let json = try Data(contentsOf: out.appendingPathComponent("report.json"))
        #expect(json == run.stdoutData, "report.json differs from stdout")
        let markdown = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.hasPrefix("# tiny"), "report.md: \(markdown.prefix(80))")
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("</html>"), "report.html: \(html.prefix(80))")
    }

    @Test func runJSONIsTheSameWhateverJobs() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let scenario = try sandbox.write("tiny.json", CLI.tinyScenario(seed: 5))
        let common = ["run", scenario, "--format", "json", "--replications", "3", "--no-reports"]
        let one = try CLI.run(common + ["--jobs", "1"])
        let two = try CLI.run(common + ["--jobs", "2"])
        #expect(one.status == 0 && two.status == 0, "exit \(one.status), \(two.status)\n\(one.stderr)\(two.stderr)")
        #expect(one.stdoutData == two.stdoutData, "seed 5: --jobs 1 and --jobs 2 print different reports")
        #expect(!one.stdoutData.isEmpty)
    }

    /// An architecture run (1k: 600 simulated seconds, three replications) and a plan (whose
    /// verification simulates the plan and its runners-up) print the same bytes with
    /// `--jobs 1` and `--jobs 2`.
    @Test(arguments: [["run", "--replications", "3"], ["plan", "--users", "1000"]])
    func architectureJSONIsTheSameWhateverJobs(command: [String]) throws {
        let scenario = CLI.packageRoot.appendingPathComponent("scenarios/1k.json").path
        let common = [command[0], scenario] + command.dropFirst() + ["--format", "json", "--no-reports"]
        let one = try CLI.run(common + ["--jobs", "1"])
        let two = try CLI.run(common + ["--jobs", "2"])
        #expect(one.status == 0 && two.status == 0, "exit \(one.status), \(two.status)\n\(one.stderr)\(two.stderr)")
        #expect(one.stdoutData == two.stdoutData,
                "scalesim \(common.joined(separator: " ")) (the file's seed, 1): --jobs 1 and --jobs 2 print different JSON")
        #expect(one.stdout.hasPrefix("{\n  \"kind\": "), "stdout: \(one.stdout.prefix(200))")
    }

    @Test func oneReplicationHasNullHalfWidths() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let scenario = try sandbox.write("tiny.json", CLI.tinyScenario(seed: 3))
        let run = try CLI.run(["run", scenario, "--format", "json", "--replications", "1", "--no-reports"])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        #expect(run.stdout.contains(#""halfWidth": null"#))
        let report = try CLI.parseJSON(run.stdoutData)
        #expect(CLI.number(report["replications"]) == 1)
        for case let station as [String: Any] in report["stations"] as? [Any] ?? [] {
            CLI.expectEstimate(station["throughput"], "stations[0].throughput", intervals: false)
            CLI.expectEstimate(station["meanResponse"], "stations[0].meanResponse", intervals: false)
        }
        let system = report["system"] as? [String: Any]
        for key in ["throughput", "meanResponse", "p50", "p95", "p99"] {
            CLI.expectEstimate(system?[key], "system.\(key)", intervals: false)
        }
    }

    /// `--seed` takes a UInt64, but the report writes the seed as a JSON number (a Double):
    /// a seed above 2^53 must be refused, or written exactly, or the report cannot be reproduced.
    @Test func aSeedTheReportCannotHoldIsRefusedOrWrittenExactly() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let scenario = try sandbox.write("tiny.json", CLI.tinyScenario(seed: 1))
        let seed = "9007199254740993"  // 2^53 + 1: not a Double
        let run = try CLI.run(["run", scenario, "--format", "json", "--replications", "2", "--no-reports",
                               "--seed", seed])
        if run.status == 0 {
            let exact = run.stdout.contains("\"seed\": \(seed),")
            #expect(exact, "--seed \(seed) is accepted but the report says \(CLI.line(of: "\"seed\"", in: run.stdout))")
        } else {
            #expect(run.status == 64, "--seed \(seed): exit \(run.status)\n\(run.stderr)")
            #expect(run.stderr.contains("seed"), "stderr: \(run.stderr)")
        }
    }

    // MARK: The default subcommand

    @Test func bareFileRunsPrintsATableAndWritesReports() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let scenario = try sandbox.write("tiny.json", CLI.tinyScenario(seed: 11))
        let out = sandbox.url("reports out")
        let run = try CLI.run([scenario, "--replications", "2", "--out", out.path])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        #expect(run.stdout.hasPrefix("tiny: network, seed 11, 2 replications"), "stdout: \(run.stdout.prefix(200))")
        for column in ["station", "util", "throughput/s", "response", "server", "p99"] {
            #expect(run.stdout.contains(column), "the table has no \(column): \(run.stdout)")
        }
        #expect(!run.stdout.contains("{"), "the table looks like JSON: \(run.stdout)")
        #expect(run.stderr.contains("reports written to \(out.path)/"), "stderr: \(run.stderr)")
        let written = try Set(FileManager.default.contentsOfDirectory(atPath: out.path))
        #expect(written == ["report.json", "report.md", "report.html", "timeseries.csv"], "files in --out: \(written.sorted())")
        let report = try CLI.parseJSON(Data(contentsOf: out.appendingPathComponent("report.json")))
        #expect(report["scenario"] as? String == "tiny")
    }

    @Test func bareFileWithoutOutWritesUnderReportsFileName() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let scenario = try sandbox.write("my-tiny.json", CLI.tinyScenario(seed: 2))
        let work = sandbox.url("cwd")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let run = try CLI.run([scenario, "--replications", "2"], in: work)
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        let folder = work.appendingPathComponent("reports/my-tiny")
        let written = Set((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        #expect(written == ["report.json", "report.md", "report.html", "timeseries.csv"], "files in \(folder.path): \(written.sorted())")
    }

    // MARK: Invalid scenarios: 65, every problem, nothing written

    /// Three problems at once: a negative rate, a misspelt key, a route to a missing station.
    static let invalidScenario = """
        {
          "kind": "network",
          "name": "broken",
          "run": { "duration": 2000, "replicatons": 2 },
          "arrivals": [ { "class": "req", "to": "server", "rate": -1 } ],
          "stations": [
            { "name": "server", "service": { "dist": "exponential", "mean": 1 },
              "next": [ { "to": "databse", "p": 0.5 } ] },
            { "name": "database", "service": { "dist": "exponential", "mean": 0.5 } }
          ]
        }
        """

    static func expectEveryProblem(_ run: CLI.Outcome, _ command: String) {
        #expect(run.status == 65, "\(command): exit \(run.status)\n\(run.stderr)")
        #expect(run.stdout.isEmpty, "\(command): stdout is not empty: \(run.stdout)")
        let lines = run.stderr.split(separator: "\n").map(String.init)
        func problem(_ path: String, _ words: [String]) {
            let line = lines.first { $0.contains("\(path):") }
            #expect(line != nil, "\(command): no problem at \(path) in\n\(run.stderr)")
            for word in words {
                #expect(line?.contains(word) == true, "\(command): \(path) does not say \(word): \(line ?? "")")
            }
        }
        problem("arrivals[0].rate", ["-1"])
        problem("run.replicatons", [#"did you mean "replications""#])
        problem("stations[0].next[0].to", ["databse", #"did you mean "database""#])
    }

    @Test func invalidScenarioListsEveryProblemAndWritesNothing() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let scenario = try sandbox.write("broken.json", Self.invalidScenario)
        let out = sandbox.url("never/created")
        let run = try CLI.run(["run", scenario, "--replications", "2", "--out", out.path])
        Self.expectEveryProblem(run, "run")
        #expect(!FileManager.default.fileExists(atPath: sandbox.url("never").path), "--out was created")

        let bare = try CLI.run([scenario, "--replications", "2", "--out", out.path])
        Self.expectEveryProblem(bare, "scalesim FILE")
        let validate = try CLI.run(["validate", scenario])
        Self.expectEveryProblem(validate, "validate")
        #expect(!FileManager.default.fileExists(atPath: sandbox.url("never").path), "--out was created")
    }

    @Test func invalidScenarioLeavesAnEarlierReportUntouched() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let good = try sandbox.write("tiny.json", CLI.tinyScenario(seed: 11))
        let out = sandbox.url("out")
        let first = try CLI.run(["run", good, "--replications", "2", "--out", out.path])
        #expect(first.status == 0, "exit \(first.status)\n\(first.stderr)")
        let before = try CLI.snapshot(out)
        #expect(before.count == 4, "first run wrote \(before.keys.sorted())")

        let broken = try sandbox.write("broken.json", Self.invalidScenario)
        let run = try CLI.run(["run", broken, "--replications", "2", "--out", out.path])
        Self.expectEveryProblem(run, "run")
        #expect(try CLI.snapshot(out) == before, "the earlier report was changed")
    }

    // MARK: Unreadable input and usage errors

    @Test func missingFileExits66() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let missing = sandbox.url("no-such-scenario.json").path
        for arguments in [["run", missing, "--replications", "2"], ["validate", missing], [missing]] {
            let run = try CLI.run(arguments, in: sandbox.root)
            #expect(run.status == 66, "\(arguments): exit \(run.status)\n\(run.stderr)")
            #expect(run.stderr.contains(missing) && run.stderr.contains("no such file"), "stderr: \(run.stderr)")
            #expect(run.stdout.isEmpty, "stdout: \(run.stdout)")
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.url("reports").path), "reports/ was created")
    }

    @Test func invalidJSONExits65WithLineAndColumn() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let scenario = try sandbox.write("syntax.json", "{\n  \"kind\": \"network\",\n  \"name\": oops\n}\n")
        for arguments in [["run", scenario, "--replications", "2", "--no-reports"], ["validate", scenario]] {
            let run = try CLI.run(arguments)
            #expect(run.status == 65, "\(arguments): exit \(run.status)\n\(run.stderr)")
            #expect(run.stderr.contains("line 3, column "), "stderr has no line and column: \(run.stderr)")
            #expect(run.stdout.isEmpty, "stdout: \(run.stdout)")
        }
    }

    @Test(arguments: [["--jobs", "0"], ["--jobs", "-1"], ["--replications", "0"], ["--format", "xml"],
                      ["--no-such-option"]])
    func badCommandLineExits64(_ extra: [String]) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let scenario = try sandbox.write("tiny.json", CLI.tinyScenario(seed: 1))
        let out = sandbox.url("out")
        let run = try CLI.run(["run", scenario, "--out", out.path] + extra)
        #expect(run.status == 64, "\(extra): exit \(run.status)\n\(run.stderr)")
        #expect(!run.stderr.isEmpty, "\(extra): no message")
        #expect(run.stdout.isEmpty, "\(extra): stdout: \(run.stdout)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "\(extra): --out was created")
    }

    /// A file may ask for at most 100,000 replications (`RunSettings.maximumReplications`);
    /// the command line must not get round that limit. (The file is missing, so a run that
    /// wrongly accepts the option stops at once with 66 instead of running.)
    @Test func replicationsAboveTheFileLimitAreAUsageError() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let missing = sandbox.url("missing.json").path
        let run = try CLI.run(["run", missing, "--replications", "100001", "--no-reports"])
        #expect(run.status == 64, "--replications 100001: exit \(run.status)\n\(run.stderr)")
    }

    @Test func helpExits0AndNamesTheSubcommands() throws {
        let run = try CLI.run(["--help"])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        for subcommand in ["run", "validate", "schema", "compare", "plan"] {
            #expect(run.stdout.contains(subcommand), "help does not name \(subcommand): \(run.stdout)")
        }
        let runHelp = try CLI.run(["run", "--help"])
        #expect(runHelp.status == 0, "exit \(runHelp.status)\n\(runHelp.stderr)")
        for option in ["--format", "--replications", "--jobs", "--out", "--seed"] {
            #expect(runHelp.stdout.contains(option), "run --help does not mention \(option)")
        }
    }

    // MARK: Reports that cannot be written: 73, no temporary files

    @Test func outUnderARegularFileExits73() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let scenario = try sandbox.write("tiny.json", CLI.tinyScenario(seed: 11))
        _ = try sandbox.write("blocker", "a regular file\n")
        for out in [sandbox.url("blocker/reports"), sandbox.url("blocker")] {
            let run = try CLI.run(["run", scenario, "--replications", "2", "--out", out.path])
            #expect(run.status == 73, "--out \(out.path): exit \(run.status)\n\(run.stderr)")
            #expect(run.stderr.contains("cannot write") && run.stderr.contains(out.path), "stderr: \(run.stderr)")
            let leftovers = try CLI.temporaryFiles(in: sandbox.root)
            #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
            #expect(try String(contentsOf: sandbox.url("blocker"), encoding: .utf8) == "a regular file\n")
        }
    }

    /// A report that cannot be written in full (here `report.md` is a folder, so it cannot be
    /// replaced) must not replace part of the earlier one: README says a failed run "never
    /// leaves half a report or destroys the old one".
    @Test func aReportThatCannotBeWrittenInFullLeavesTheEarlierOne() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let out = sandbox.url("out")
        try FileManager.default.createDirectory(at: out.appendingPathComponent("report.md"),
                                                withIntermediateDirectories: true)
        let earlier = #"{"an": "earlier report"}"# + "\n"
        try Data(earlier.utf8).write(to: out.appendingPathComponent("report.json"))
        let scenario = try sandbox.write("tiny.json", CLI.tinyScenario(seed: 11))
        let run = try CLI.run(["run", scenario, "--replications", "2", "--out", out.path])
        #expect(run.status == 73, "exit \(run.status)\n\(run.stderr)")
        #expect(run.stderr.contains("report.md"), "stderr: \(run.stderr)")
        let leftovers = try CLI.temporaryFiles(in: sandbox.root)
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
        let json = try String(contentsOf: out.appendingPathComponent("report.json"), encoding: .utf8)
        let untouched = json == earlier
        #expect(untouched, "report.json was replaced although report.md could not be written")
        for file in ["report.html", "timeseries.csv"] {
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path),
                    "\(file) was written although report.md could not be")
        }
    }
}

// MARK: - Running the binary

/// Finds and runs the `scalesim` executable.
enum CLI {
    /// The package root (this file is `Tests/ScaleSimTests/CLITests.swift`).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Where the binary may be: `$SCALESIM_BINARY`; next to the test executable (Linux, where
    /// `swift test` runs `<Package>PackageTests.xctest` as a plain executable in the build
    /// folder); next to the `.xctest` bundle (macOS, where `xctest` or `swiftpm-testing-helper`
    /// loads it); next to `argv[0]`.
    static var candidates: [URL] {
        var folders: [URL] = []
        if let executable = Bundle.main.executableURL { folders.append(executable.deletingLastPathComponent()) }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            folders.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            folders.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        var urls = folders.map { $0.appendingPathComponent("scalesim") }
        if let explicit = ProcessInfo.processInfo.environment["SCALESIM_BINARY"], !explicit.isEmpty {
            urls.insert(URL(fileURLWithPath: explicit), at: 0)
        }
        return urls
    }

    struct BinaryNotFound: Error, CustomStringConvertible {
        var looked: [String]
        var description: String {
            "the scalesim binary was not found; run `swift build --build-tests` (the test target depends on "
                + "the scalesim executable) or set SCALESIM_BINARY. Looked at: " + looked.joined(separator: ", ")
        }
    }

    static let binary: Result<URL, BinaryNotFound> = {
        let all = candidates
        if let found = all.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) {
            return .success(found)
        }
        return .failure(BinaryNotFound(looked: all.map(\.path)))
    }()

    /// What one run of the binary did.
    struct Outcome {
        /// The exit status, or the signal's number when `signalled`.
        var status: Int32
        /// Whether a signal (a trap, a crash) ended the process rather than `exit`.
        var signalled = false
        var stdoutData: Data
        var stderrData: Data
        var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
        var stderr: String { String(decoding: stderrData, as: UTF8.self) }
    }

    struct Timeout: Error, CustomStringConvertible {
        var arguments: [String]
        var description: String { "scalesim \(arguments.joined(separator: " ")) did not finish in 60 s" }
    }

    /// Runs `scalesim arguments` in `directory` (a fresh temporary folder by default), with
    /// standard output and error captured in files (no pipe can fill up and block it).
    /// `standardOutput` replaces the captured standard output (e.g. `/dev/full`); the outcome's
    /// `stdoutData` is then empty.
    static func run(_ arguments: [String], in directory: URL? = nil,
                    standardOutput: FileHandle? = nil) throws -> Outcome {
        let binary = try binary.get()
        let capture = try Sandbox()
        defer { capture.remove() }
        let stdoutURL = capture.url("stdout"), stderrURL = capture.url("stderr")
        try Data().write(to: stdoutURL)
        try Data().write(to: stderrURL)
        let stdout = try FileHandle(forWritingTo: stdoutURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)
        defer { try? stdout.close(); try? stderr.close() }

        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? capture.root
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = standardOutput ?? stdout
        process.standardError = stderr
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if finished.wait(timeout: .now() + 60) == .timedOut {
            process.terminate()
            finished.wait()
            throw Timeout(arguments: arguments)
        }
        return Outcome(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                       stdoutData: try Data(contentsOf: stdoutURL), stderrData: try Data(contentsOf: stderrURL))
    }

    /// An M/M/1 at utilization 0.5, 2000 s: a few thousand events per replication.
    static func tinyScenario(seed: Int) -> String {
        """
        {
          "kind": "network",
          "name": "tiny",
          "seed": \(seed),
          "run": { "duration": 2000, "warmup": 200, "replications": 5, "confidence": 0.95 },
          "arrivals": [ { "class": "req", "to": "server", "rate": 0.5 } ],
          "stations": [
            { "name": "server", "servers": 1, "service": { "dist": "exponential", "mean": "1s" } }
          ]
        }
        """
    }

    struct NotAnObject: Error {}

    /// Parses one JSON document with Foundation's parser (independent of the project's own);
    /// trailing content after the document is an error.
    static func parseJSON(_ data: Data) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw NotAnObject() }
        return object
    }

    static func number(_ value: Any?) -> Double? {
        switch value {
        case let number as NSNumber: number.doubleValue
        case let number as Double: number
        case let number as Int: Double(number)
        default: nil
        }
    }

    /// Expects `{"mean": number, "halfWidth": number >= 0}` (`intervals`) or `{"mean": number,
    /// "halfWidth": null}`, and no other key.
    static func expectEstimate(_ value: Any?, _ what: String, intervals: Bool,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        guard let estimate = value as? [String: Any] else {
            Issue.record("\(what) is not an estimate object: \(String(describing: value))", sourceLocation: sourceLocation)
            return
        }
        #expect(Set(estimate.keys) == ["mean", "halfWidth"], "\(what) has keys \(estimate.keys.sorted())",
                sourceLocation: sourceLocation)
        #expect(number(estimate["mean"]) != nil, "\(what).mean is not a number", sourceLocation: sourceLocation)
        if intervals {
            let h = number(estimate["halfWidth"])
            #expect(h != nil && h! >= 0, "\(what).halfWidth is \(String(describing: estimate["halfWidth"]))",
                    sourceLocation: sourceLocation)
        } else {
            #expect(estimate["halfWidth"] is NSNull, "\(what).halfWidth is not null", sourceLocation: sourceLocation)
        }
    }

    /// Every regular file under `folder` with its contents, by relative path.
    static func snapshot(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let manager = FileManager.default
        for path in try manager.subpathsOfDirectory(atPath: folder.path) {
            let url = folder.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = try Data(contentsOf: url)
            }
        }
        return files
    }

    /// Files under `folder` that look temporary (`.tmp` anywhere in the name, or hidden).
    static func temporaryFiles(in folder: URL) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { path in
            let name = (path as NSString).lastPathComponent
            return name.contains(".tmp") || name.hasPrefix(".")
        }.sorted()
    }

    /// The first line of `text` that contains `needle`.
    static func line(of needle: String, in text: String) -> String {
        text.split(separator: "\n").first { $0.contains(needle) }.map(String.init) ?? "(nothing)"
    }
}

/// A temporary folder of its own for one test.
struct Sandbox {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("scalesim-cli-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// Writes `text` to `name` in the sandbox and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let url = url(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}
