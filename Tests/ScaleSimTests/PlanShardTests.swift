import Foundation
import Testing
@testable import ScaleSim

/// A plan's simulations split into shards (`scalesim plan --shard I/N`) and merged back:
/// the same plan, byte for byte, as one process gives.
@Suite struct PlanShardTests {
    /// The 100k stage at 150,000 users on the planner tests' small grid: the plan and three
    /// runners-up, so five simulations (20 simulated seconds, two replications each).
    static let planned: Result<(scenario: ArchitectureScenario, result: PlanResult), Error> = Result {
        var s = try ArchitectureStoryTests.scenario(duration: 20, stages: ["100k"])
        s.run.replications = 2
        let request = PlanRequest(users: 150_000, stage: 0, slo: .init(p99: 0.5, errorRate: 0.001), headroom: 0.3,
                                  grid: PlannerTests.grid)
        return (s, try Planner.plan(s, request))
    }

    /// Every target simulated once (through the shards of a 2-way split), and the whole plan
    /// verified in one process.
    static let simulated: Result<(halves: [PlanPart], whole: PlanResult), Error> = Result {
        let (_, result) = try planned.get()
        let halves = try (1...2).map { i in
            PlanPart.simulate(result, shard: try SweepShard(index: i, count: 2), file: "100k.json", fileHash: hash, jobs: 2)
        }
        return (halves, Planner.verify(result, jobs: 2))
    }

    static let hash = "fnv1a64:00000000000000aa"

    static func rendered(_ r: PlanResult) -> [String] { [r.json.serialized(), r.markdown, r.html, r.table] }

    /// The parts of an N-way split, made from the verdicts of the 2-way one (a target's
    /// simulation depends only on the scenario, the request and the target).
    static func parts(_ count: Int, from halves: [PlanPart], of result: PlanResult) throws -> [PlanPart] {
        let all = halves.flatMap(\.simulations).sorted { $0.index < $1.index }
        return try (1...count).map { i in
            let shard = try SweepShard(index: i, count: count)
            return PlanPart(file: "100k.json", fileHash: hash, request: result.request, stageName: result.stageName, shard: shard,
                            targets: all.count, simulations: shard.indices(of: all.count).map { all[$0] })
        }
    }

    /// Through the file format and back, in the order given.
    static func roundTrip(_ parts: [PlanPart]) throws -> [(name: String, part: PlanPart)] {
        try parts.map { p in
            let name = PlanPart.fileName(p.shard)
            return (name, try PlanPart(bytes: Array(p.json.serialized().utf8), name: name))
        }
    }

    @Test func shardsOfThePlansSimulationsMergeIntoTheBytesOfOneRun() throws {
        let (scenario, result) = try Self.planned.get()
        let (halves, whole) = try Self.simulated.get()
        let targets = Planner.simulationTargets(result)
        try #require(targets.count >= 4, "the test wants the plan and runners-up: \(targets.count) targets")
        #expect(halves.map { $0.simulations.map(\.index) } == [Array(stride(from: 0, to: targets.count, by: 2)),
                                                                 Array(stride(from: 1, to: targets.count, by: 2))])
        // Each shard's verdict is the one verify gives the same candidate in one process.
        let verdicts = Planner.simulationTargets(whole).map(\.verified)
        #expect(verdicts.allSatisfy { $0 != nil }, "verify simulated every target")
        for s in halves.flatMap(\.simulations) {
            let same = Planner.simulationTargets(whole).first { $0.knobs == s.knobs }
            let inShard = String(describing: s.verified), inOne = String(describing: same?.verified)
            #expect(same?.verified == s.verified, "target \(s.index): \(inShard) in its shard, \(inOne) in one run")
        }
        for count in [1, 2, 3, targets.count + 2] {           // the last: shards with nothing to simulate
            let parts = try Self.parts(count, from: halves, of: result)
            let merged = try PlanPart.merge(try Self.roundTrip(parts.reversed()), scenario: scenario, fileHash: Self.hash)
            #expect(Self.rendered(merged) == Self.rendered(whole), "\(count) shards merged differ from one run")
        }
    }

    @Test func everyVerdictReadsBackBitForBit() throws {
        let (_, result) = try Self.planned.get()
        let (halves, _) = try Self.simulated.get()
        var part = halves[0]
        part.simulations[0].verified = PlanVerification(p99: Estimate(mean: 0.1 + 0.2, halfWidth: nil),
                                                        errorRate: Estimate(mean: -0.0, halfWidth: .infinity), met: false)
        part.simulations[0].knobs.cacheTTL = 1.0 / 3
        if part.simulations.count > 1 { part.simulations[1].verified = nil }
        part.request.headroom = 0.1 + 0.7
        part.request.slo.p99 = nil
        let back = try PlanPart(bytes: Array(part.json.serialized().utf8), name: "p")
        #expect(back.simulations == part.simulations)
        #expect(back.request.headroom.bitPattern == part.request.headroom.bitPattern && back.request.slo == part.request.slo)
        #expect(back.simulations[0].verified?.errorRate.mean.sign == .minus)
        #expect(PlanPart.gridJSON(back.request.grid) == PlanPart.gridJSON(result.request.grid))
        #expect(back.json == part.json)
    }

    @Test func partsThatDoNotMakeOnePlanAreRefused() throws {
        let (scenario, result) = try Self.planned.get()
        let (halves, _) = try Self.simulated.get()
        func merge(_ parts: [PlanPart], hash: String = Self.hash) -> String {
            do {
                _ = try PlanPart.merge(try Self.roundTrip(parts), scenario: scenario, fileHash: hash)
                return "merged"
            } catch let error as SweepPartError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        let (a, b) = (halves[0], halves[1])
        #expect(merge([a]) == "shard 2/2 missing (given: 1/2)")
        #expect(merge([a, a]).hasPrefix("shard 1/2 is given twice"))
        #expect(merge([a, b], hash: "fnv1a64:00000000000000bb").hasPrefix("the scenario file has changed since the shards ran"))
        var other = b
        other.fileHash = "fnv1a64:00000000000000cc"
        #expect(merge([a, other]).contains("come from different scenario files"))
        other = b
        other.request.users += 1
        #expect(merge([a, other]).contains("are parts of different plans"))
        other = b
        other.request.grid.replicas = [0]
        #expect(merge([a, other]).contains("are parts of different plans"))
        other = b
        other.version = "0.0.1"
        #expect(merge([a, other]).contains("was written by scalesim 0.0.1"))
        other = b
        other.simulations.removeLast()
        #expect(merge([a, other]).contains("must hold simulations"))
        other = b
        other.simulations[0].knobs.replicas += 1
        #expect(merge([a, other]).contains("is of another configuration than this search finds"))
        let thirds = try Self.parts(3, from: halves, of: result)
        #expect(merge([a, thirds[1]]).contains("is a part of 2 shards"))
        #expect(merge([a, b]) == "merged", "the control: the two halves merge")
    }

    @Test func aPartIsNotASweepPart() throws {
        let (halves, _) = try Self.simulated.get()
        let bytes = Array(halves[0].json.serialized().utf8)
        #expect(PlanPart.isPlanPart(bytes) && !SweepPart.isSweepPart(bytes))
        #expect(throws: SweepPartError.self) { try SweepPart(bytes: bytes, name: "p") }
        #expect(throws: SweepPartError.self) { try PlanPart(bytes: Array("{\"kind\": \"sweep-part\"}".utf8), name: "p") }
    }
}

/// `scalesim plan --shard` and `scalesim merge` of plan parts from the command line.
@Suite struct PlanShardCLITests {
    static let minimal = PlanCLITests.minimal

    @Test func shardsInSeparateProcessesMergeIntoTheBytesOfOnePlan() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let parts = sandbox.url("parts").path
        let common = ["plan", Self.minimal, "--users", "50", "--jobs", "1"]
        // 3 shards of a plan with two simulations: the third has none and still writes its part.
        let outcomes = try SweepShardCLITests.runConcurrently(
            (1...3).map { (common + ["--shard", "\($0)/3", "--out", parts], [String: String]()) }
            + [(common + ["--format", "json", "--out", sandbox.url("one").path], [:])])
        for (n, outcome) in outcomes.enumerated() {
            #expect(outcome.status == 0, "run \(n): exit \(outcome.status)\n\(outcome.stderr)")
        }
        #expect(outcomes[0].stdout == "shard 1/3: 1 of the plan's 2 simulations written to \(parts)/plan.part-1-of-3.json\n")
        #expect(outcomes[2].stdout == "shard 3/3: 0 of the plan's 2 simulations written to \(parts)/plan.part-3-of-3.json\n")
        let names = (1...3).reversed().map { "\(parts)/plan.part-\($0)-of-3.json" }
        let merge = try CLI.run(["merge"] + names + ["--format", "json", "--out", sandbox.url("merged").path])
        #expect(merge.status == 0, "merge: exit \(merge.status)\n\(merge.stderr)")
        for name in ["plan.json", "plan.md", "plan.html"] {
            let one = try Data(contentsOf: sandbox.url("one/\(name)"))
            #expect(try Data(contentsOf: sandbox.url("merged/\(name)")) == one, "\(name) of the merge differs from one run's")
        }
        #expect(merge.stdoutData == outcomes[3].stdoutData, "merge printed another plan than one run")
        // The shard from a Kubernetes Indexed Job's index writes the same part.
        let env = try SweepShardCLITests.runConcurrently([(common + ["--shards", "3", "--out", sandbox.url("env").path],
                                                           ["JOB_COMPLETION_INDEX": "1"])])[0]
        #expect(env.status == 0, "\(env.stderr)")
        #expect(try Data(contentsOf: sandbox.url("env/plan.part-2-of-3.json")) == (try Data(contentsOf: URL(fileURLWithPath: names[1]))))
    }

    @Test func mergeFindsTheScenarioOrIsToldWhereItIs() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let file = try sandbox.write("minimal.json", try String(contentsOfFile: Self.minimal, encoding: .utf8))
        let parts = sandbox.url("parts").path
        for i in 1...2 {
            let run = try CLI.run(["plan", file, "--users", "50", "--shard", "\(i)/2", "--out", parts, "--format", "json"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let names = (1...2).map { "\(parts)/plan.part-\($0)-of-2.json" }
        // Moved away: merge says how to give it; given with --scenario, it merges.
        let moved = sandbox.url("moved.json").path
        try FileManager.default.moveItem(atPath: file, toPath: moved)
        let lost = try CLI.run(["merge"] + names + ["--no-reports"])
        #expect(lost.status == 66 && lost.stderr.contains("give it with --scenario FILE"), "exit \(lost.status): \(lost.stderr)")
        let found = try CLI.run(["merge"] + names + ["--no-reports", "--scenario", moved])
        #expect(found.status == 0 && found.stdout.hasPrefix("Plan for \"10 users: database on its own host\""), "\(found.stderr)")
        // Edited since: the hash tells.
        try FileManager.default.removeItem(atPath: moved)
        _ = try sandbox.write("moved.json", try String(contentsOfFile: Self.minimal, encoding: .utf8) + "\n")
        let edited = try CLI.run(["merge"] + names + ["--no-reports", "--scenario", moved])
        #expect(edited.status == 65 && edited.stderr.contains("has changed since the shards ran"), "exit \(edited.status): \(edited.stderr)")
    }

    @Test(arguments: [
        (["--shard", "1/2", "--no-verify"], [String: String](), 64, "--no-verify runs none"),
        (["--shard", "3/2"], [:], 64, "the shard must be in 1...2"),
        (["--shards", "2"], ["JOB_COMPLETION_INDEX": "2"], 64, "JOB_COMPLETION_INDEX=\"2\" must be a whole number in 0...1"),
        (["--shard", "1/2", "--shards", "3"], [:], 64, "disagree on the number of shards"),
    ])
    func badShardsAreUsageErrors(options: [String], environment: [String: String], status: Int32, message: String) throws {
        let run = try SweepShardCLITests.runConcurrently([(["plan", Self.minimal, "--users", "50", "--no-reports"] + options, environment)])[0]
        #expect(run.status == status, "exit \(run.status)\n\(run.stderr)")
        #expect(run.stderr.contains(message), "stderr: \(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    @Test func aNetworkPlanCannotBeSharded() throws {
        let network = CLI.packageRoot.appendingPathComponent("scenarios/examples/network-tandem.json").path
        let run = try CLI.run(["plan", network, "--slo", "p99=1s", "--shard", "1/2", "--no-reports"])
        #expect(run.status == 64 && run.stderr.contains("only an architecture plan's simulations can be sharded"), "\(run.stderr)")
    }

    @Test func planAndSweepPartsDoNotMix() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let plan = sandbox.url("plan").path
        let run = try CLI.run(["plan", Self.minimal, "--users", "50", "--shard", "1/2", "--out", plan])
        #expect(run.status == 0, "\(run.stderr)")
        let sweepFile = try sandbox.write("tiny.json", SweepTests.tinyScenario(seed: 5, duration: "40s"))
        let sweep = try CLI.run(["sweep", sweepFile] + SweepShardCLITests.arguments + ["--shard", "1/2", "--out", sandbox.url("sweep").path])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let mixed = try CLI.run(["merge", "\(plan)/plan.part-1-of-2.json", sandbox.url("sweep/sweep.part-1-of-2.json").path, "--no-reports"])
        #expect(mixed.status == 65 && mixed.stderr.contains("plan and sweep parts cannot be merged together"), "\(mixed.stderr)")
        let scenarioForSweep = try CLI.run(["merge", sandbox.url("sweep/sweep.part-1-of-2.json").path, "--scenario", sweepFile])
        #expect(scenarioForSweep.status == 64 && scenarioForSweep.stderr.contains("--scenario is for plan parts"), "\(scenarioForSweep.stderr)")
    }
}
