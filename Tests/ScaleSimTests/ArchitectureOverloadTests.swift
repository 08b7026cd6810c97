import Foundation
import Testing
@testable import ScaleSim

/// An architecture stage driven past its capacity (issue 7, item 2): the report says it is
/// unstable, at which resource and by how much (offered against maximum throughput), and the
/// run stays within bounded memory: the cap on requests in flight stops it with a message, or
/// a backlog bounds the queue and it runs to the end. `OverloadReportTests` does the same for
/// network scenarios.
@Suite struct ArchitectureOverloadTests {
    // The scenario's parameters, from which every expected figure is computed.
    /// Users at 1x; with `activeShare` 1 and 60 requests per active user per minute, each
    /// user sends one request a second.
    static let baseUsers = 100
    static let apiCores = 4, apiCpu = 0.001
    static let dbCores = 1, queryCpu = 0.010
    static let connections = 1000
    static let cap = 5_000

    /// Requests per second offered at `users`: users x activeShare x per minute / 60.
    static func offered(users: Int) -> Double { Double(users) * 1 * 60 / 60 }

    /// One stage: an API (4 cores, 1 ms a request) in front of a database of one core whose one
    /// read per request costs 10 ms, so the bottleneck law gives at most `dbCores / queryCpu`
    /// = 100 requests a second (the API alone could take 4,000). Without a backlog the API has
    /// workers to spare (the queue forms at the database's connections); with one, the API has
    /// 64 workers and at most `backlog` requests wait for them.
    static func scenario(factor: Int, timeout: Double?, backlog: Int? = nil, duration: Double = 120) throws -> ArchitectureScenario {
        let users = baseUsers * factor
        // The architecture front end always has a client timeout (30 s by default): "none" is
        // one far beyond the run.
        let timeoutText = timeout.map { "\($0)" } ?? "1000000"
        let api = backlog.map { #"{"coresPerInstance": \#(apiCores), "workersPerInstance": 64, "backlog": \#($0)}"# }
            ?? #"{"coresPerInstance": \#(apiCores), "workersPerInstance": 100000}"#
        let text = """
            {"kind": "architecture", "name": "overload", "seed": 11,
             "run": {"duration": \(duration), "warmup": 2, "replications": 3},
             "workload": {"users": \(users), "activeShare": 1, "requestsPerActiveUserPerMinute": 60,
               "classes": [{"name": "read", "share": 1, "kind": "api", "apiCpu": "\(apiCpu * 1000)ms",
                            "dbReads": 1, "queryCpu": "\(queryCpu * 1000)ms", "timeout": \(timeoutText)}]},
             "stages": [{"name": "db bound", "api": \(api),
               "database": {"cores": \(dbCores), "connections": \(connections), "latencyFromApi": 0}}]}
            """
        guard case .architecture(let s) = try Scenario.load(bytes: Array(text.utf8)) else { throw ScenarioError(issues: []) }
        return s
    }

    /// The bottleneck law's bound: cores over demand per request at the database CPU.
    static let bottleneckLaw = Double(dbCores) / queryCpu

    /// The analytic model's limit without a backlog: a pool of n connections held for the
    /// database CPU's processor-sharing response `s / (1 - ρ)` (M/G/1-PS, insensitive) is full
    /// when `λ s / (1 - ρ) = n`, i.e. at `ρ = n / (n + 1)`: a little under the bottleneck law.
    static let limitWithConnections = bottleneckLaw * Double(connections) / Double(connections + 1)

    /// With 64 workers held over the API's 1 ms (its M/M/4-PS response at 2.5% load is 1 ms to
    /// within 1e-6) and the database's `s / (1 - ρ)`: the rate where `λ (apiCpu + s / (1 - λ s)) = 64`.
    static let limitWithWorkers: Double = {
        var lo = 0.0, hi = bottleneckLaw
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if mid * (apiCpu + queryCpu / (1 - mid * queryCpu)) < 64 { lo = mid } else { hi = mid }
        }
        return lo
    }()

    /// Offered against maximum throughput, and the resource named, in the report's model, its
    /// JSON, its table and its summary.
    static func expectOverloadReported(_ report: ArchitectureReport, factor: Int, maximum: Double, tolerance: Double,
                                       seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let stage = try #require(report.stages.first)
        let a = try #require(stage.analytic, "no analytic model")
        let offered = offered(users: baseUsers * factor)
        #expect(!a.stable, "seed \(seed): a stage at \(factor)x its capacity is reported stable", sourceLocation: sourceLocation)
        #expect(abs(a.throughput - offered) < 1e-9 * offered, "offered \(a.throughput), expected \(offered)", sourceLocation: sourceLocation)
        #expect(abs(a.maxThroughput - maximum) <= tolerance * maximum && a.maxThroughput <= bottleneckLaw * (1 + 1e-12),
                "maximum \(a.maxThroughput), expected \(maximum) (bottleneck law \(bottleneckLaw))", sourceLocation: sourceLocation)
        #expect(a.bottleneck == "db.primary.cpu", "saturates: \(a.bottleneck ?? "nil")", sourceLocation: sourceLocation)
        // At least the requests beyond the limit fail.
        #expect(abs(a.errorRate - (1 - a.maxThroughput / offered)) < 1e-9, "analytic error rate \(a.errorRate)", sourceLocation: sourceLocation)

        let json = try CLI.parseJSON(Data(report.json.serialized().utf8))
        let stageJSON = (json["stages"] as? [[String: Any]])?.first
        let analytic = stageJSON?["analytic"] as? [String: Any]
        #expect(analytic?["stable"] as? Bool == false, "JSON analytic: \(String(describing: analytic))", sourceLocation: sourceLocation)
        #expect(CLI.number(analytic?["throughput"]) == a.throughput && CLI.number(analytic?["maxThroughput"]) == a.maxThroughput,
                "JSON analytic: \(String(describing: analytic))", sourceLocation: sourceLocation)
        #expect(analytic?["bottleneck"] as? String == "db.primary.cpu", sourceLocation: sourceLocation)

        // What a reader of the table or the summary sees (Format.number: 3 significant digits).
        let words = "overloaded: \(Format.number(offered)) requests/s offered, at most \(Format.number(maximum))/s can be served (db.primary.cpu saturates)"
        #expect(report.table.contains("db bound: " + words), "table:\n\(report.table)", sourceLocation: sourceLocation)
        #expect(report.summary.first?.contains("It is " + words) == true, "summary: \(report.summary)", sourceLocation: sourceLocation)
        #expect(report.markdown.contains("No steady state: \(Format.number(offered)) requests/s are offered"),
                sourceLocation: sourceLocation)
    }

    /// The simulation names the same resource, saturated, while the API's CPU, which sees
    /// `apiRate` requests a second (1 ms each over 4 cores), idles.
    static func expectSimulatedBottleneck(_ stage: ArchitectureReport.StageResult, apiRate: Double, seed: UInt64,
                                          sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(stage.bottleneck == "db.primary.cpu", "seed \(seed): simulated bottleneck \(stage.bottleneck ?? "nil")",
                sourceLocation: sourceLocation)
        let db = stage.resources.first { $0.name == "db.primary.cpu" }?.utilization
        let api = stage.resources.first { $0.name == "api.cpu" }?.utilization
        #expect((db?.mean ?? 0) + (db?.halfWidth ?? 0) >= 0.98, "seed \(seed): db.primary.cpu at \(String(describing: db))",
                sourceLocation: sourceLocation)
        let apiLoad = apiRate * apiCpu / Double(apiCores)
        #expect(abs((api?.mean ?? 1) - apiLoad) <= (api?.halfWidth ?? 0) + 0.05 * apiLoad,
                "seed \(seed): api.cpu at \(String(describing: api)), expected \(apiLoad)", sourceLocation: sourceLocation)
    }

    /// No backlog: requests pile up at the database's connections until the cap on requests in
    /// flight stops every replication, with a message that says so. With a client timeout the
    /// same happens (the servers go on working on requests whose clients gave up), and the
    /// clients see errors.
    @Test(arguments: [2, 10], [nil, 1.0])
    func noBacklogStopsAtTheCapOnRequestsInFlight(factor: Int, timeout: Double?) throws {
        let s = try Self.scenario(factor: factor, timeout: timeout)
        let report = ArchitectureReport.run(s, jobs: 2, limits: EngineLimits(maxInFlight: Self.cap), capacity: .none)
        try Self.expectOverloadReported(report, factor: factor, maximum: Self.limitWithConnections, tolerance: 1e-6, seed: s.seed)
        let stage = try #require(report.stages.first)
        // Every request uses the API's CPU before it queues for the database.
        Self.expectSimulatedBottleneck(stage, apiRate: Self.offered(users: Self.baseUsers * factor), seed: s.seed)

        // Memory: every replication stopped at the cap; in flight grows by (offered - 100)/s,
        // so the cap comes after about cap / (offered - 100) s of the 120.
        let growth = Self.offered(users: Self.baseUsers * factor) - Self.bottleneckLaw
        #expect(stage.stoppedEarly.count == 3, "seed \(s.seed): stopped early: \(stage.stoppedEarly)")
        for (i, note) in stage.stoppedEarly.enumerated() {
            #expect(note.hasPrefix("replication \(i + 1): more than \(Self.cap) requests in flight at t=")
                    && note.hasSuffix("the model is overloaded"), "seed \(s.seed): \(note)")
            let t = Double(note.split(separator: "=")[1].split(separator: " ")[0]) ?? .nan
            // Poisson arrivals: the cap comes within a few seconds of cap / growth.
            #expect(abs(t - Double(Self.cap) / growth) < 0.2 * Double(Self.cap) / growth + 2, "seed \(s.seed): cap at t=\(t)")
        }
        let json = try CLI.parseJSON(Data(report.json.serialized().utf8))
        let notes = (json["stages"] as? [[String: Any]])?.first?["notes"] as? [String] ?? []
        #expect(notes == stage.stoppedEarly, "JSON notes \(notes)")
        #expect(report.table.contains("db bound: replication 3: more than \(Self.cap) requests in flight"), "table:\n\(report.table)")

        if let timeout {
            // Of the requests sent, at most 100/s complete and at most `offered x timeout` are
            // still waiting for their clients when the run stops: the rest timed out.
            let measured = Double(Self.cap) / growth - 2
            let bound = 1 - Self.bottleneckLaw / Self.offered(users: Self.baseUsers * factor) - timeout / measured
            #expect(stage.errorRate.mean + (stage.errorRate.halfWidth ?? 0) >= bound * 0.9,
                    "seed \(s.seed): error rate \(stage.errorRate), at least about \(bound)")
            #expect(stage.timeoutRate.mean > 0, "seed \(s.seed): no timeouts")
        } else {
            // Nobody gives up: no errors, and the database serves its 100/s (deterministic 10 ms).
            #expect(stage.errorRate.mean == 0, "seed \(s.seed): errors \(stage.errorRate)")
            let x = stage.throughput
            #expect(abs(x.mean - Self.bottleneckLaw) <= (x.halfWidth ?? 0) + 0.03 * Self.bottleneckLaw,
                    "seed \(s.seed): throughput \(x), the database serves \(Self.bottleneckLaw)/s")
        }
    }

    /// A backlog of 256 in front of 64 API workers: requests beyond it are turned away, the
    /// queue stays bounded and the run reaches its end; the report still says the stage is
    /// overloaded, and at least the requests beyond the limit fail.
    @Test(arguments: [2, 10])
    func aBacklogBoundsTheQueueAndTheRunEnds(factor: Int) throws {
        let backlog = 256
        let s = try Self.scenario(factor: factor, timeout: nil, backlog: backlog, duration: 60)
        let report = ArchitectureReport.run(s, jobs: 2, limits: EngineLimits(maxInFlight: Self.cap), capacity: .none)
        try Self.expectOverloadReported(report, factor: factor, maximum: Self.limitWithWorkers, tolerance: 1e-3, seed: s.seed)
        let stage = try #require(report.stages.first)
        // Only the requests that get a worker use the API's CPU: those served.
        Self.expectSimulatedBottleneck(stage, apiRate: stage.throughput.mean, seed: s.seed)
        #expect(stage.stoppedEarly.isEmpty, "seed \(s.seed): \(stage.stoppedEarly)")
        let workers = stage.resources.first { $0.name == "api.workers" }
        let queue = workers?.meanQueueLength
        #expect((queue?.mean ?? .infinity) <= Double(backlog), "seed \(s.seed): mean queue \(String(describing: queue))")
        #expect((workers?.utilization?.mean ?? 0) > 0.98, "seed \(s.seed): workers \(String(describing: workers?.utilization))")
        // The database serves at most 100/s: the share of requests turned away is at least 1 - 100 / offered.
        let offered = Self.offered(users: Self.baseUsers * factor)
        let atLeast = 1 - Self.bottleneckLaw / offered
        #expect(stage.errorRate.mean + (stage.errorRate.halfWidth ?? 0) >= atLeast,
                "seed \(s.seed): error rate \(stage.errorRate), at least \(atLeast)")
        #expect(stage.errorRate.mean <= atLeast + 0.02 + (stage.errorRate.halfWidth ?? 0),
                "seed \(s.seed): error rate \(stage.errorRate), about \(atLeast)")
    }

    // MARK: Budgets through the command line

    static func scenarioFile(in sandbox: Sandbox, factor: Int, backlog: Int?, duration: Double) throws -> String {
        let users = baseUsers * factor
        let api = backlog.map { #"{"coresPerInstance": 4, "workersPerInstance": 64, "backlog": \#($0)}"# }
            ?? #"{"coresPerInstance": 4, "workersPerInstance": 100000}"#
        return try sandbox.write("overload.json", """
            {"kind": "architecture", "name": "overload", "seed": 11,
             "run": {"duration": \(duration), "warmup": 2, "replications": 2},
             "workload": {"users": \(users), "activeShare": 1, "requestsPerActiveUserPerMinute": 60,
               "classes": [{"name": "read", "share": 1, "kind": "api", "apiCpu": "1ms", "dbReads": 1, "queryCpu": "10ms"}]},
             "stages": [{"name": "db bound", "api": \(api), "database": {"cores": 1, "connections": 1000, "latencyFromApi": 0}}]}
            """)
    }

    /// `--max-events` stops every replication of the overloaded stage: exit 0, and the table
    /// and the JSON say which replications stopped, where, and that the stage is overloaded.
    @Test func anEventBudgetSaysSoInTheTableAndTheJSON() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let file = try Self.scenarioFile(in: sandbox, factor: 10, backlog: nil, duration: 3600)
        let table = try CLI.run(["run", file, "--max-events", "20000", "--no-reports", "--quiet", "--capacity", "none"])
        #expect(table.status == 0, "exit \(table.status)\n\(table.stderr)")
        for r in 1...2 {
            #expect(table.stdout.contains("- db bound: replication \(r): event budget of 20000 events reached at t="), "stdout:\n\(table.stdout)")
        }
        #expect(table.stdout.contains("- db bound: overloaded: 1000 requests/s offered, at most 99.9/s can be served (db.primary.cpu saturates)"),
                "stdout:\n\(table.stdout)")

        let run = try CLI.run(["run", file, "--format", "json", "--max-events", "20000", "--no-reports", "--quiet", "--capacity", "none"])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        let stage = (try CLI.parseJSON(run.stdoutData)["stages"] as? [[String: Any]])?.first
        let notes = stage?["notes"] as? [String] ?? []
        #expect(notes.count == 2 && notes.allSatisfy { $0.contains("event budget of 20000 events reached") }, "notes: \(notes)")
        #expect(CLI.number(stage?["events"]) == 40_000, "events \(String(describing: stage?["events"]))")
        #expect((stage?["analytic"] as? [String: Any])?["stable"] as? Bool == false)
    }

    /// `--time-limit` ends a run that would take hours (a backlog keeps it bounded, so only the
    /// clock stops it): promptly, exit 0, with the reason in the table and the JSON.
    @Test func aTimeLimitSaysSoInTheTableAndTheJSON() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let file = try Self.scenarioFile(in: sandbox, factor: 2, backlog: 256, duration: 10_000_000)
        let start = Date()
        let run = try CLI.run(["run", file, "--format", "json", "--time-limit", "1", "--no-reports", "--quiet",
                               "--capacity", "none", "--jobs", "2"])
        #expect(Date().timeIntervalSince(start) < 10, "took \(Date().timeIntervalSince(start)) s")
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        let stage = (try CLI.parseJSON(run.stdoutData)["stages"] as? [[String: Any]])?.first
        let notes = stage?["notes"] as? [String] ?? []
        #expect(!notes.isEmpty && notes.allSatisfy { $0.contains("wall-clock time limit reached at t=") }, "notes: \(notes)")
        #expect(notes.enumerated().allSatisfy { $0.element.hasPrefix("replication \($0.offset + 1): ") }, "notes: \(notes)")

        let table = try CLI.run(["run", file, "--time-limit", "1", "--no-reports", "--quiet", "--capacity", "none"])
        #expect(table.status == 0, "exit \(table.status)\n\(table.stderr)")
        #expect(table.stdout.contains("- db bound: replication 1: wall-clock time limit reached at t="), "stdout:\n\(table.stdout)")
        #expect(table.stdout.contains("- db bound: overloaded: 200 requests/s offered"), "stdout:\n\(table.stdout)")
    }
}

/// The replication named in a note is the one that stopped, not its place among those that
/// stopped (a cap or budget that only some replications reach): before the fix, the second of
/// three replications stopping was reported as "replication 1".
@Suite struct StoppedEarlyNumberingTests {
    @Test func theReplicationThatStoppedIsNamed() throws {
        let text = """
            {"kind": "network", "name": "small", "seed": 21, "run": {"duration": 200, "warmup": 10, "replications": 3},
             "arrivals": [{"class": "r", "to": "s", "rate": 0.5}],
             "stations": [{"name": "s", "service": {"dist": "exponential", "mean": "1s"}}]}
            """
        guard case .network(let s) = try Scenario.load(bytes: Array(text.utf8)) else { throw ScenarioError(issues: []) }
        let compiled = s.compile()
        var results = Simulation.run(compiled.model, seed: s.seed, run: s.run, jobs: 2)
        #expect(results.map(\.replication) == [0, 1, 2])
        results[1].stoppedEarly = "event budget of 10 events reached at t=3.0 s"
        let summary = NetworkSummary(scenario: s, compiled: compiled, results: results)
        #expect(summary.stoppedEarly == ["replication 2: event budget of 10 events reached at t=3.0 s"], "\(summary.stoppedEarly)")
    }

    /// The engine numbers its result by the replication it ran.
    @Test func aCappedRunNamesItsOwnReplication() throws {
        var b = ModelBuilder("overloaded")
        b.requestClass("r")
        let cpu = b.cpu("s")
        let service = b.sampler(.exponential(mean: 1), stream: "service")
        b.open(rate: 5, entry: b.program([.use(.cpu(cpu), sampler: service, on: nil), .done]))
        var engine = Engine(model: b.model, seed: 3, replication: 4, duration: 1000, warmup: 0, limits: EngineLimits(maxInFlight: 50))
        let r = engine.run()
        #expect(r.replication == 4)
        #expect(r.numberedStop?.hasPrefix("replication 5: more than 50 requests in flight at t=") == true, "\(r.numberedStop ?? "nil")")
    }
}
