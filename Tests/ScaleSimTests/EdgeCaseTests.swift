import Foundation
import Testing
@testable import ScaleSim

/// Edge cases of issue 7, item 5: each is either a clear error that names its JSON path, or a
/// correct answer checked against theory.
@Suite struct EdgeCaseTests {
    // MARK: Helpers

    /// The problems `Scenario.load` finds in `text` (empty when it loads).
    static func issues(_ text: String) -> [ScenarioIssue] {
        do {
            _ = try Scenario.load(bytes: Array(text.utf8))
            return []
        } catch {
            return error.issues  // Scenario.load throws ScenarioError only (typed throws)
        }
    }

    /// Expects exactly one problem, at `path`, whose message contains `words`.
    static func expectOneIssue(_ text: String, at path: String, saying words: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        let found = issues(text)
        #expect(found.count == 1 && found.first?.path == path && found.first?.message.contains(words) == true,
                "expected \(path): ...\(words)...; got \(found)", sourceLocation: sourceLocation)
    }

    static func network(_ text: String) throws -> NetworkScenario {
        guard case .network(let s) = try Scenario.load(bytes: Array(text.utf8)) else { throw ScenarioError(issues: []) }
        return s
    }

    static func architecture(_ text: String) throws -> ArchitectureScenario {
        guard case .architecture(let s) = try Scenario.load(bytes: Array(text.utf8)) else { throw ScenarioError(issues: []) }
        return s
    }

    static func networkText(run: String, arrivals: String = #"[{"class": "r", "to": "s", "rate": 0.5}]"#,
                            stations: String = #"[{"name": "s", "service": {"dist": "exponential", "mean": "1s"}}]"#) -> String {
        #"{"kind": "network", "name": "edge", "seed": 5, "run": \#(run), "arrivals": \#(arrivals), "stations": \#(stations)}"#
    }

    /// One API (2 cores, 1 ms) and a database (2 cores) at 100 requests/s: 1,000 users, a tenth
    /// active, one request a second each. `classes` and `stages` as given.
    static func architectureText(run: String = #"{"duration": 200, "warmup": 10, "replications": 3}"#,
                                 classes: String = Self.readClass, stages: String = Self.plainStage) -> String {
        """
        {"kind": "architecture", "name": "edge", "seed": 4, "run": \(run),
         "workload": {"users": 1000, "activeShare": 0.1, "requestsPerActiveUserPerMinute": 60, "classes": \(classes)},
         "stages": \(stages)}
        """
    }
    static let rate = 1000 * 0.1 * 60 / 60
    static let queryCpu = 0.002, dbCores = 2.0
    static let readClass = #"[{"name": "read", "share": 1, "kind": "api", "apiCpu": "1ms", "dbReads": 1, "queryCpu": "2ms", "cacheKey": "user"}]"#
    static let plainStage = #"[{"name": "plain", "api": {"coresPerInstance": 2}, "database": {"cores": 2}}]"#

    /// Every `{mean, halfWidth}` object in `value`, with its path.
    static func estimates(in value: Any, at path: String = "$") -> [(path: String, halfWidth: Any?)] {
        if let object = value as? [String: Any] {
            if Set(object.keys) == ["mean", "halfWidth"] { return [(path, object["halfWidth"])] }
            return object.sorted { $0.key < $1.key }.flatMap { estimates(in: $0.value, at: "\(path).\($0.key)") }
        }
        if let array = value as? [Any] {
            return array.enumerated().flatMap { estimates(in: $0.element, at: "\(path)[\($0.offset)]") }
        }
        return []
    }

    // MARK: Warm-up and replications

    /// A warm-up as long as the run, or longer, leaves nothing to measure: an error at
    /// `run.warmup`, for both kinds of scenario.
    @Test(arguments: [100.0, 150.0])
    func aWarmupAtLeastTheRunIsAnError(warmup: Double) {
        Self.expectOneIssue(Self.networkText(run: #"{"duration": 100, "warmup": \#(warmup)}"#),
                            at: "run.warmup", saying: "must be less than the duration")
        Self.expectOneIssue(Self.architectureText(run: #"{"duration": 100, "warmup": \#(warmup)}"#),
                            at: "run.warmup", saying: "must be less than the duration")
    }

    @Test func zeroReplicationsIsAnError() {
        Self.expectOneIssue(Self.networkText(run: #"{"duration": 100, "replications": 0}"#),
                            at: "run.replications", saying: "must be at least 1, got 0")
        Self.expectOneIssue(Self.architectureText(run: #"{"duration": 100, "replications": 0}"#),
                            at: "run.replications", saying: "must be at least 1, got 0")
    }

    /// With one replication no interval can be given: every half-width in the JSON is null,
    /// not 0 (which would claim an exact figure). With two, every one that has a mean is a
    /// number (so the walk above does find the estimates).
    @Test(arguments: [1, 2])
    func oneReplicationReportsNoInterval(replications: Int) throws {
        let run = #"{"duration": 300, "warmup": 10, "replications": \#(replications)}"#
        let network = NetworkReport.run(try Self.network(Self.networkText(run: run)), jobs: 2)
        let architecture = ArchitectureReport.run(try Self.architecture(Self.architectureText(run: run)), jobs: 2, capacity: .none)
        for (kind, json) in [("network", network.json), ("architecture", architecture.json)] {
            let found = Self.estimates(in: try CLI.parseJSON(Data(json.serialized().utf8)))
            #expect(found.count >= 10, "\(kind): only \(found.count) estimates found")
            for (path, halfWidth) in found {
                if replications == 1 {
                    #expect(halfWidth is NSNull, "\(kind) \(path).halfWidth is \(String(describing: halfWidth)) with one replication")
                }
            }
            if replications == 2 {
                // Figures with a mean (not a latency of a class with no requests) have an interval.
                #expect(found.contains { CLI.number($0.halfWidth) != nil }, "\(kind): no half-width with two replications")
            }
        }
        #expect(Estimate.of([0.25], confidence: 0.95).halfWidth == nil)
    }

    // MARK: Zero rate

    /// An arrival of rate 0 sends nothing: the station only it feeds has utilization and
    /// throughput exactly 0, and the report names it; the other class is unaffected (M/M/1 at
    /// 0.5: utilization 0.5, response 2 s).
    @Test func anArrivalOfZeroRateSendsNothing() throws {
        let s = try Self.network(Self.networkText(
            run: #"{"duration": 4000, "warmup": 100, "replications": 5}"#,
            arrivals: #"[{"class": "r", "to": "s", "rate": 0.5}, {"class": "z", "to": "t", "rate": 0}]"#,
            stations: #"[{"name": "s", "service": {"dist": "exponential", "mean": "1s"}}, {"name": "t", "service": {"dist": "exponential", "mean": "1s"}}]"#))
        let report = NetworkReport.run(s, jobs: 2)
        let t = report.summary.stations[1]
        #expect(t.utilization?.mean == 0 && t.throughput.mean == 0, "seed \(s.seed): t \(String(describing: t.utilization)), \(t.throughput)")
        #expect(report.unreached == [1], "seed \(s.seed): unreached \(report.unreached)")
        #expect(report.notes.contains { $0.hasPrefix("stations[1] (t): no request reaches it") }, "\(report.notes)")
        let u = try #require(report.summary.stations[0].utilization)
        EngineCheck.expect(u, 0.5, slack: 0.02, "s utilization", seed: s.seed)
        let w = try #require(report.summary.stations[0].meanResponse)
        EngineCheck.expect(w, 2, slack: 0.05, "s mean response", seed: s.seed)
    }

    /// A request class with share 0 in an architecture: no requests, so its throughput is 0
    /// and its latency and error rate are unavailable (null), and the database carries only
    /// the other class's load: 100/s x 2 ms over 2 cores = 10%.
    @Test func aClassWithZeroShareSendsNothing() throws {
        let classes = #"[{"name": "read", "share": 1, "kind": "api", "apiCpu": "1ms", "dbReads": 1, "queryCpu": "2ms"}, {"name": "never", "share": 0, "kind": "api", "apiCpu": "1ms", "dbReads": 5, "queryCpu": "50ms"}]"#
        let s = try Self.architecture(Self.architectureText(classes: classes))
        let report = ArchitectureReport.run(s, jobs: 2, capacity: .none)
        let stage = try #require(report.stages.first)
        let never = try #require(stage.classes.first { $0.name == "never" })
        #expect(never.throughput.mean == 0, "seed \(s.seed): \(never.throughput)")
        let json = try CLI.parseJSON(Data(report.json.serialized().utf8))
        let classJSON = ((json["stages"] as? [[String: Any]])?.first?["classes"] as? [[String: Any]])?.first { $0["name"] as? String == "never" }
        let p99 = ((classJSON?["latency"] as? [String: Any])?["p99"] as? [String: Any])?["mean"]
        #expect(p99 is NSNull, "p99 of a class with no requests: \(String(describing: p99))")
        #expect((classJSON?["errorRate"] as? [String: Any])?["mean"] is NSNull)
        let db = try #require(stage.resources.first { $0.name == "db.primary.cpu" })
        let theory = Self.rate * Self.queryCpu / Self.dbCores
        #expect(abs((db.analytic ?? .nan) - theory) < 1e-9, "analytic \(String(describing: db.analytic)), theory \(theory)")
        EngineCheck.expect(try #require(db.utilization), theory, slack: 0.05, "db.primary.cpu utilization", seed: s.seed)
    }

    // MARK: Utilization exactly 1

    /// Arrivals exactly at the service rate (M/M/1 and M/M/2 at utilization 1): null recurrent,
    /// no steady state. The report must say so, not give a finite mean.
    @Test(arguments: [1, 2])
    func utilizationExactlyOneIsUnstable(servers: Int) throws {
        let s = try Self.network(Self.networkText(
            run: #"{"duration": 500, "warmup": 10, "replications": 2}"#,
            arrivals: #"[{"class": "r", "to": "s", "rate": \#(servers)}]"#,
            stations: #"[{"name": "s", "servers": \#(servers), "service": {"dist": "exponential", "mean": "1s"}}]"#))
        let report = NetworkReport.run(s, jobs: 2)
        let a = report.analytic.stations[0]
        #expect(!a.stable && a.meanResponse == nil, "seed \(s.seed): stable \(a.stable), mean response \(String(describing: a.meanResponse))")
        #expect(report.analytic.systemMeanResponse == nil, "system mean response \(String(describing: report.analytic.systemMeanResponse))")
        let o = try #require(report.overloaded.first)
        #expect(o.name == "s" && o.offered == Double(servers) && o.maximum == Double(servers), "\(o)")
        let json = try CLI.parseJSON(Data(report.json.serialized().utf8))
        #expect((json["stability"] as? [String: Any])?["stable"] as? Bool == false)
        let analytic = (json["stations"] as? [[String: Any]])?.first?["analytic"] as? [String: Any]
        #expect(analytic?["meanResponse"] == nil && analytic?["stable"] as? Bool == false, "\(String(describing: analytic))")
        #expect(report.notes.contains { $0.hasPrefix("s is overloaded") }, "\(report.notes)")
    }

    // MARK: TTL 0

    /// A network cache with a TTL of 0 would cache nothing: the file says "ttl" is optional
    /// (without it entries never expire), and 0 is refused at its path.
    @Test func aNetworkCacheWithTTLZeroIsAnError() {
        let stations = #"[{"name": "c", "type": "cache", "keys": 100, "popularity": {"zipf": 0.8}, "ttl": 0, "miss": [{"to": "db", "p": 1}]}, {"name": "db", "service": {"dist": "exponential", "mean": "10ms"}}]"#
        Self.expectOneIssue(Self.networkText(run: #"{"duration": 100}"#, arrivals: #"[{"class": "r", "to": "c", "rate": 5}]"#, stations: stations),
                            at: "stations[0].ttl", saying: "must be positive, got 0")
    }

    /// An architecture cache with a TTL of 0 ("0 caches nothing"): every lookup misses, so the
    /// hit ratio is 0 and the database carries exactly the load it carries without a cache
    /// (the same requests, with common random numbers: the same reads).
    @Test func anArchitectureCacheWithTTLZeroMissesEveryTime() throws {
        let stages = #"[{"name": "no cache", "api": {"coresPerInstance": 2}, "database": {"cores": 2}}, {"name": "ttl 0", "extends": "no cache", "cache": {"ttl": 0}}]"#
        let s = try Self.architecture(Self.architectureText(stages: stages))
        let report = ArchitectureReport.run(s, jobs: 2, capacity: .none)
        let plain = try #require(report.stages.first), cached = try #require(report.stages.last)
        let cache = try #require(cached.resources.first { $0.kind == "cache" })
        #expect(cache.hitRatio?.mean == 0 && cache.analytic == 0, "seed \(s.seed): hit ratio \(String(describing: cache.hitRatio)), analytic \(String(describing: cache.analytic))")
        let theory = Self.rate * Self.queryCpu / Self.dbCores
        let dbPlain = try #require(plain.resources.first { $0.name == "db.primary.cpu" })
        let dbCached = try #require(cached.resources.first { $0.name == "db.primary.cpu" })
        #expect(abs((dbCached.analytic ?? .nan) - theory) < 1e-9 && abs((dbPlain.analytic ?? .nan) - theory) < 1e-9)
        let a = try #require(dbPlain.utilization), b = try #require(dbCached.utilization)
        // The same reads of the same cost: the busy time differs only by when they happen.
        #expect(abs(a.mean - b.mean) <= 1e-3 * a.mean, "seed \(s.seed): db.primary.cpu \(a) without a cache, \(b) with TTL 0")
        EngineCheck.expect(b, theory, slack: 0.05, "db.primary.cpu utilization with TTL 0", seed: s.seed)
    }

    // MARK: A station nothing reaches

    /// A station no arrival and no route leads to: its figures are 0 (right), and the report
    /// names it, with its path, in its notes (JSON and table); a network where every station is
    /// reached has no such note.
    @Test func aStationNothingReachesIsNamed() throws {
        let stations = #"[{"name": "s", "service": {"dist": "exponential", "mean": "1s"}}, {"name": "lonely", "service": {"dist": "exponential", "mean": "1s"}, "next": [{"to": "s", "p": 1}]}]"#
        let s = try Self.network(Self.networkText(run: #"{"duration": 300, "warmup": 10, "replications": 2}"#, stations: stations))
        let report = NetworkReport.run(s, jobs: 2)
        #expect(report.unreached == [1])
        #expect(report.summary.stations[1].utilization?.mean == 0)
        let note = "stations[1] (lonely): no request reaches it"
        let json = try CLI.parseJSON(Data(report.json.serialized().utf8))
        #expect((json["notes"] as? [String] ?? []).contains { $0.hasPrefix(note) }, "notes: \(String(describing: json["notes"]))")
        #expect(report.table.contains(note), "table:\n\(report.table)")

        let reached = NetworkReport.run(try Self.network(Self.networkText(run: #"{"duration": 300, "warmup": 10, "replications": 2}"#)), jobs: 2)
        #expect(reached.unreached.isEmpty && !reached.notes.contains { $0.contains("no request reaches") }, "\(reached.notes)")
    }

    // MARK: A feedback loop with probability 1

    /// Requests that can never leave: an error at the station's path, in an open network (a
    /// loop on itself, a loop over two stations, probabilities that add up to 1 only after
    /// rounding) and in a closed one (its users would never get back to thinking; this used to
    /// run, with every user stuck in the loop, a system throughput of 0 and "unstable" theory).
    @Test func aLoopWithProbabilityOneIsAnError() {
        let run = #"{"duration": 100}"#
        let oneStation = #"[{"name": "s", "service": {"dist": "exponential", "mean": "1s"}, "next": [{"to": "s", "p": 1}]}]"#
        Self.expectOneIssue(Self.networkText(run: run, stations: oneStation), at: "stations[0]", saying: "can never leave the network")

        let twoStations = #"[{"name": "a", "service": {"dist": "exponential", "mean": "10ms"}, "next": [{"to": "s", "p": 1}]}, {"name": "s", "service": {"dist": "exponential", "mean": "10ms"}, "next": [{"to": "a", "p": 0.1}, {"to": "s", "p": 0.2}, {"to": "a", "p": 0.7}]}]"#
        let found = Self.issues(Self.networkText(run: run, stations: twoStations))
        #expect(found.map(\.path) == ["stations[0]", "stations[1]"] && found.allSatisfy { $0.message.contains("can never leave the network") },
                "\(found)")

        let closed = #"{"kind": "network", "name": "edge", "run": {"duration": 100}, "population": {"class": "u", "size": 5, "think": {"dist": "exponential", "mean": 1}, "to": "s"}, "stations": \#(oneStation)}"#
        Self.expectOneIssue(closed, at: "stations[0]", saying: "users must get back to thinking")

        // Controls: a way out (p 0.9 back) is valid, open or closed.
        let leaky = #"[{"name": "s", "service": {"dist": "exponential", "mean": "10ms"}, "next": [{"to": "s", "p": 0.9}]}]"#
        #expect(Self.issues(Self.networkText(run: run, stations: leaky)).isEmpty)
        #expect(Self.issues(closed.replacingOccurrences(of: oneStation, with: leaky)).isEmpty)
    }

    /// The closed network with a way out runs and agrees with MVA: one station, 5 users,
    /// think 1 s; each visit is repeated with probability 0.5, so a request's demand is 2 x 0.1 s.
    @Test func aClosedLoopWithAWayOutMatchesMVA() throws {
        let text = #"{"kind": "network", "name": "edge", "seed": 8, "run": {"duration": 3000, "warmup": 100, "replications": 5}, "population": {"class": "u", "size": 5, "think": {"dist": "exponential", "mean": 1}, "to": "s"}, "stations": [{"name": "s", "service": {"dist": "exponential", "mean": "100ms"}, "next": [{"to": "s", "p": 0.5}]}]}"#
        let s = try Self.network(text)
        let report = NetworkReport.run(s, jobs: 2)
        // Exact MVA, one queueing station of demand D = 0.2 s, think Z = 1 s, N = 5.
        var queue = 0.0, x = 0.0
        for n in 1...5 {
            let r = 0.2 * (1 + queue)
            x = Double(n) / (1 + r)
            queue = x * r
        }
        let throughput = report.summary.system.throughput
        EngineCheck.expect(throughput, x, slack: 0.02, "system throughput", seed: s.seed)
    }
}
