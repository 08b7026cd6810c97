import Foundation
import Testing
@testable import ScaleSim

/// A sweep split into shards (issue 8, item 6): `SweepPart` written and read back exactly,
/// merged into the report of one run, and its errors.
@Suite struct SweepShardTests {
    static let specs = ["users=30..120:log:4", "api.instances=1,2"]

    /// The part file of shard `shard` of `sweep`, written and read back as `merge` reads it.
    static func part(_ sweep: Sweep, _ shard: SweepShard, hash: String = "fnv1a64:0000000000000001") throws -> SweepPart {
        let points = sweep.evaluate(points: shard.indices(of: sweep.grid.count), jobs: 2)
        let written = SweepPart(file: "tiny.json", fileHash: hash, definition: SweepDefinition(sweep: sweep), shard: shard, points: points)
        return try SweepPart(bytes: Array((written.json.serialized() + "\n").utf8), name: shard.fileName)
    }

    @Test func shardsDealThePointsRoundRobinFromOne() throws {
        let shard = try SweepShard(index: 2, count: 4)
        #expect(shard.indices(of: 10) == [1, 5, 9])
        #expect(shard.fileName == "sweep.part-2-of-4.json")
        #expect(try SweepShard.parse("4/4").indices(of: 3) == [])
        let all = (1...3).flatMap { try! SweepShard(index: $0, count: 3).indices(of: 8) }.sorted()
        #expect(all == Array(0..<8))
        #expect(throws: SweepShardError.self) { try SweepShard.parse("0/4") }
        #expect(throws: SweepShardError.self) { try SweepShard.parse("5/4") }
        #expect(throws: SweepShardError.self) { try SweepShard.parse("1/0") }
        #expect(throws: SweepShardError.self) { try SweepShard.parse("a/4") }
        #expect(throws: SweepShardError.self) { try SweepShard.parse("1-4") }
    }

    @Test func mergedShardsGiveTheBytesOfOneRun() throws {
        print("SweepShardTests.mergedShardsGiveTheBytesOfOneRun: seed 5")
        let sweep = try SweepTests.sweep(Self.specs, seed: 5, duration: "60s")
        let one = SweepReport(sweep: sweep, points: sweep.evaluate(jobs: 2))
        for count in [1, 3, 4] {
            let parts = try (1...count).reversed().map { try Self.part(sweep, SweepShard(index: $0, count: count)) }
            let merged = try SweepPart.merge(parts.map { ($0.shard.fileName, $0) })
            #expect(merged.json.serialized() == one.json.serialized(), "\(count) shards: sweep.json differs")
            #expect(merged.markdown == one.markdown && merged.csv == one.csv && merged.html == one.html, "\(count) shards")
        }
    }

    @Test func everyNumberReadsBackBitForBit() throws {
        let specials: [Double] = [.nan, .infinity, -.infinity, -0.0, 0, 0.1, 1.0 / 3, Double.leastNonzeroMagnitude, 1e300, 123_456_789.123_456_78,
                                  Double(UInt64(1) << 60), .pi]
        let point = SweepPoint(
            index: 0, values: [30, 1], users: 30, requestRate: specials[5], costPerHour: specials[6],
            throughput: Estimate(mean: specials[7], halfWidth: specials[8]),
            latency: ["mean": Estimate(mean: specials[0], halfWidth: nil), "p99": Estimate(mean: specials[9], halfWidth: specials[3]),
                      "p50": Estimate(mean: specials[1], halfWidth: specials[2])],
            errorRate: Estimate(mean: specials[10], halfWidth: specials[11]),
            busiest: [.init(resource: "api.cpu", utilization: Estimate(mean: specials[4], halfWidth: 0.25))],
            bottleneck: nil, sloMet: false, violations: ["p99 \"high\"\n"], analyticStable: nil,
            events: UInt64.max, stoppedEarly: ["é"])
        let sweep = try SweepTests.sweep(["users=30", "api.instances=1"], seed: 5, duration: "60s")
        let written = SweepPart(file: "tiny.json", fileHash: SweepPart.hash(of: Array("x".utf8)),
                                definition: SweepDefinition(sweep: sweep), shard: try SweepShard(index: 1, count: 1), points: [point])
        let read = try SweepPart(bytes: Array(written.json.serialized().utf8), name: "part")
        let back = try #require(read.points.first)
        func bits(_ p: SweepPoint) -> [UInt64?] {
            let estimates = [p.throughput, p.errorRate, p.busiest[0].utilization] + p.latency.keys.sorted().map { p.latency[$0]! }
            return ([p.requestRate, p.costPerHour] + p.values).map { Optional($0.bitPattern) }
                + estimates.flatMap { e -> [UInt64?] in [e.mean.isNaN ? 1 : e.mean.bitPattern, e.halfWidth?.bitPattern] }
        }
        #expect(bits(back) == bits(point))
        #expect(back.latency.keys.sorted() == ["mean", "p50", "p99"])
        #expect(back.events == UInt64.max && back.violations == point.violations && back.stoppedEarly == ["é"])
        #expect(back.bottleneck == nil && back.analyticStable == nil && !back.sloMet)
        #expect(read.json == written.json)
        #expect(SweepPart.hash(of: Array("".utf8)) == "fnv1a64:cbf29ce484222325")  // FNV-1a 64's offset basis
    }

    @Test func partsThatDoNotMakeOneSweepAreRefused() throws {
        let sweep = try SweepTests.sweep(["users=30,60,90"], seed: 5, duration: "40s")
        let p = try (1...3).map { try Self.part(sweep, SweepShard(index: $0, count: 3)) }
        func merge(_ parts: [SweepPart]) -> String {
            do {
                _ = try SweepPart.merge(parts.enumerated().map { ("p\($0.offset)", $0.element) })
                return "merged"
            } catch {
                return error.message
            }
        }
        #expect(merge([p[0], p[2]]) == "shard 2/3 missing (given: 1/3, 3/3)")
        #expect(merge([p[0], p[1], p[1], p[2]]) == "shard 2/3 is given twice: p1 and p2")
        var other = p[1]
        other.fileHash = "fnv1a64:00000000000000ff"
        #expect(merge([p[0], other, p[2]]).contains("p0 and p1 come from different scenario files"))
        other = p[1]
        other.definition.seed = 6
        #expect(merge([p[0], other, p[2]]) == "p0 and p1 are parts of different sweeps (they differ in seed)")
        other = p[1]
        other.shard = try SweepShard(index: 2, count: 4)
        #expect(merge([p[0], other, p[2]]) == "p0 is a part of 3 shards, p1 of 4")
        other = p[1]
        other.points = []
        #expect(merge([p[0], other, p[2]]).hasPrefix("p1: shard 2/3 must hold points [1], it holds []"))
        other = p[1]
        other.version = "0.0.0-other"
        #expect(merge([p[0], other, p[2]]).contains("run the shards and the merge with the same scalesim"))
        #expect(merge(p) == "merged")
        #expect(throws: SweepPartError.self) { try SweepPart(bytes: Array("{\"kind\": \"sweep\"}".utf8), name: "x") }
        #expect(throws: SweepPartError.self) { try SweepPart(bytes: Array("not json".utf8), name: "x") }
    }
}

/// `scalesim sweep --shard` and `scalesim merge` as built binaries, shards in separate processes.
@Suite struct SweepShardCLITests {
    static let arguments = ["--vary", "users=30..120:log:4", "--vary", "api.instances=1,2", "--quiet", "--jobs", "1"]

    /// Runs every `(arguments, environment)` as its own `scalesim` process, all at once;
    /// the environment is this process's without the shard variables, plus `environment`.
    static func runConcurrently(_ runs: [(arguments: [String], environment: [String: String])]) throws -> [CLI.Outcome] {
        let binary = try CLI.binary.get()
        let capture = try Sandbox()
        defer { capture.remove() }
        var base = ProcessInfo.processInfo.environment
        for key in ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "SCALESIM_SHARDS"] { base[key] = nil }
        var started: [(Process, DispatchSemaphore, URL, URL, FileHandle, FileHandle)] = []
        for (n, run) in runs.enumerated() {
            let stdoutURL = capture.url("stdout\(n)"), stderrURL = capture.url("stderr\(n)")
            try Data().write(to: stdoutURL)
            try Data().write(to: stderrURL)
            let stdout = try FileHandle(forWritingTo: stdoutURL), stderr = try FileHandle(forWritingTo: stderrURL)
            let process = Process()
            process.executableURL = binary
            process.arguments = run.arguments
            process.environment = base.merging(run.environment) { $1 }
            process.currentDirectoryURL = capture.root
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = stdout
            process.standardError = stderr
            let finished = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in finished.signal() }
            try process.run()
            started.append((process, finished, stdoutURL, stderrURL, stdout, stderr))
        }
        return try started.map { process, finished, stdoutURL, stderrURL, stdout, stderr in
            defer { try? stdout.close(); try? stderr.close() }
            if finished.wait(timeout: .now() + 60) == .timedOut {
                process.terminate()
                finished.wait()
                throw CLI.Timeout(arguments: process.arguments ?? [])
            }
            return CLI.Outcome(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                               stdoutData: try Data(contentsOf: stdoutURL), stderrData: try Data(contentsOf: stderrURL))
        }
    }

    static let reports = ["sweep.json", "sweep.md", "sweep.csv", "sweep.html"]

    @Test func fourShardsInFourProcessesMergeIntoTheBytesOfOneRun() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        print("SweepShardCLITests: seed 5")
        let file = try sandbox.write("tiny.json", SweepTests.tinyScenario(seed: 5, duration: "60s"))
        let partsDir = sandbox.url("parts").path
        let runs = (1...4).map { (["sweep", file] + Self.arguments + ["--shard", "\($0)/4", "--out", partsDir], [String: String]()) }
        let single = (["sweep", file] + Self.arguments + ["--out", sandbox.url("one").path], [String: String]())
        let outcomes = try Self.runConcurrently(runs + [single])
        for (n, outcome) in outcomes.enumerated() {
            #expect(outcome.status == 0, "run \(n): exit \(outcome.status)\n\(outcome.stderr)")
        }
        #expect(outcomes[1].stdout == "shard 2/4: 2 of the sweep's 8 points written to \(partsDir)/sweep.part-2-of-4.json\n")
        let parts = (1...4).reversed().map { "\(partsDir)/sweep.part-\($0)-of-4.json" }
        let merge = try CLI.run(["merge"] + parts + ["--format", "json", "--out", sandbox.url("merged").path])
        #expect(merge.status == 0, "merge: exit \(merge.status)\n\(merge.stderr)")
        for name in Self.reports {
            let one = try Data(contentsOf: sandbox.url("one/\(name)"))
            #expect(try Data(contentsOf: sandbox.url("merged/\(name)")) == one, "\(name) of the merge differs from one run's")
        }
        #expect(merge.stdoutData == (try Data(contentsOf: sandbox.url("one/sweep.json"))))
    }

    @Test func theShardComesFromKubernetesOrSlurm() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let file = try sandbox.write("tiny.json", SweepTests.tinyScenario(seed: 5, duration: "40s"))
        let env = sandbox.url("env").path, flag = sandbox.url("flag").path
        let common = ["sweep", file] + Self.arguments
        let outcomes = try Self.runConcurrently([
            (common + ["--shards", "4", "--out", env], ["JOB_COMPLETION_INDEX": "0"]),
            (common + ["--out", env], ["SCALESIM_SHARDS": "4", "SLURM_ARRAY_TASK_ID": "1"]),
            // JOB_COMPLETION_INDEX wins over SLURM_ARRAY_TASK_ID, --shard over both.
            (common + ["--shards", "4", "--out", env], ["JOB_COMPLETION_INDEX": "2", "SLURM_ARRAY_TASK_ID": "0"]),
            (common + ["--shard", "4/4", "--out", env], ["JOB_COMPLETION_INDEX": "0", "SCALESIM_SHARDS": "4"]),
            (common + ["--shard", "2/4", "--out", flag], [:]),
        ])
        for (n, outcome) in outcomes.enumerated() {
            #expect(outcome.status == 0, "run \(n): exit \(outcome.status)\n\(outcome.stderr)")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: env).sorted()
        #expect(names == (1...4).map { "sweep.part-\($0)-of-4.json" })
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(env)/sweep.part-2-of-4.json"))
                == (try Data(contentsOf: URL(fileURLWithPath: "\(flag)/sweep.part-2-of-4.json"))))
        let merge = try CLI.run(["merge"] + names.map { "\(env)/\($0)" } + ["--no-reports", "--format", "md"])
        #expect(merge.status == 0 && merge.stdout.hasPrefix("# Sweep of \"one api\""), "\(merge.stderr)")
    }

    @Test(arguments: [
        (["--shard", "0/4"], [String: String](), "--shard 0/4: the shard must be in 1...4 (shards are numbered from 1), got 0"),
        (["--shard", "5/4"], [:], "--shard 5/4: the shard must be in 1...4"),
        (["--shard", "2of4"], [:], "--shard \"2of4\": expected I/N"),
        (["--shard", "1/0"], [:], "the number of shards must be in 1...100000, got 0"),
        (["--shard", "1/4", "--shards", "3"], [:], "--shard 1/4 and --shards 3 disagree"),
        (["--shards", "4"], [:], "--shards gives 4 shards but not which one to run"),
        (["--shards", "4"], ["JOB_COMPLETION_INDEX": "4"], "JOB_COMPLETION_INDEX=\"4\" must be a whole number in 0...3"),
        ([], ["SCALESIM_SHARDS": "4", "SLURM_ARRAY_TASK_ID": "-1"], "run the array as --array=0-3"),
        ([], ["SCALESIM_SHARDS": "four", "SLURM_ARRAY_TASK_ID": "1"], "SCALESIM_SHARDS=\"four\" is not a whole number"),
        (["--shards=-1"], ["JOB_COMPLETION_INDEX": "0"], "--shards: the number of shards must be in 1...100000, got -1"),
        ([], ["SCALESIM_SHARDS": "0", "JOB_COMPLETION_INDEX": "0"], "SCALESIM_SHARDS: the number of shards must be in 1...100000, got 0"),
    ])
    func badShardsAreUsageErrors(options: [String], environment: [String: String], message: String) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let file = try sandbox.write("tiny.json", SweepTests.tinyScenario())
        let run = try Self.runConcurrently([(["sweep", file] + Self.arguments + options + ["--out", sandbox.url("out").path], environment)])[0]
        #expect(run.status == 64, "exit \(run.status)\n\(run.stderr)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.url("out").path))
    }

    @Test func mergeNamesTheMissingDuplicateOrForeignPart() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let file = try sandbox.write("tiny.json", SweepTests.tinyScenario(seed: 5, duration: "40s"))
        let other = try sandbox.write("other.json", SweepTests.tinyScenario(seed: 6, duration: "40s"))
        let a = sandbox.url("a").path, b = sandbox.url("b").path, c = sandbox.url("c").path
        let outcomes = try Self.runConcurrently([
            (["sweep", file, "--vary", "users=30,60", "--quiet", "--shard", "1/2", "--out", a], [:]),
            (["sweep", file, "--vary", "users=30,60", "--quiet", "--shard", "2/2", "--out", a], [:]),
            (["sweep", other, "--vary", "users=30,60", "--quiet", "--shard", "2/2", "--out", b], [:]),
            (["sweep", file, "--vary", "users=30,90", "--quiet", "--shard", "2/2", "--out", c], [:]),
        ])
        for (n, outcome) in outcomes.enumerated() {
            #expect(outcome.status == 0, "run \(n): exit \(outcome.status)\n\(outcome.stderr)")
        }
        let one = "\(a)/sweep.part-1-of-2.json", two = "\(a)/sweep.part-2-of-2.json"
        let cases: [([String], Int32, String)] = [
            ([one], 65, "shard 2/2 missing (given: 1/2)"),
            ([one, two, two], 65, "shard 2/2 is given twice: \(two) and \(two)"),
            ([one, "\(b)/sweep.part-2-of-2.json"], 65, "come from different scenario files (tiny.json fnv1a64:"),
            ([one, "\(c)/sweep.part-2-of-2.json"], 65, "are parts of different sweeps (they differ in axes)"),
            ([one, file], 65, "is not a partial sweep result"),
            ([one, "\(a)/nope.json"], 66, "cannot read \(a)/nope.json: no such file"),
        ]
        for (parts, status, message) in cases {
            let run = try CLI.run(["merge"] + parts + ["--out", sandbox.url("merged").path])
            #expect(run.status == status && run.stderr.contains(message), "merge \(parts): exit \(run.status)\n\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: sandbox.url("merged").path))
        }
    }
}
