import Foundation
import Testing
@testable import ScaleSim

/// `ReportComparison` on small hand-written reports: the significance rule, missing intervals,
/// things in one report only, and files that cannot be compared.
@Suite struct CompareTests {
    // MARK: Hand-written reports

    /// `{"mean": m, "halfWidth": h}`; `nil` writes `null`.
    static func estimate(_ mean: Double?, _ halfWidth: Double?) -> String {
        "{\"mean\": \(mean.map { "\($0)" } ?? "null"), \"halfWidth\": \(halfWidth.map { "\($0)" } ?? "null")}"
    }

    /// A network report with the given stations (JSON objects) and a fixed `system`.
    static func network(_ stations: [String], system: String? = nil, replications: Int = 5, stable: Bool = true,
                        confidence: Double = 0.95) -> String {
        """
        {"kind": "network", "scenario": "hand", "seed": 1, "replications": \(replications), "confidence": \(confidence),
         "run": {"duration": 100, "warmup": 10, "events": 1234, "version": "0.1.0"},
         "stability": {"stable": \(stable)\(stable ? "" : #", "overloaded": [{"station": "api", "offered": 2, "maximum": 1}]"#)},
         "stations": [\(stations.joined(separator: ", "))],
         "system": \(system ?? "{\"throughput\": \(estimate(10, 0.1)), \"p99\": \(estimate(0.2, 0.01))}"),
         "notes": []}
        """
    }

    static func station(_ name: String, _ figures: [String: String]) -> String {
        let members = figures.keys.sorted().map { "\"\($0)\": \(figures[$0]!)" }
        return "{\"name\": \"\(name)\", " + (members + ["\"analytic\": {\"method\": \"M/M/1\", \"stable\": true}"]).joined(separator: ", ") + "}"
    }

    /// An architecture report with one stage per element of `stages` (JSON objects).
    static func architecture(_ stages: [String]) -> String {
        """
        {"kind": "architecture", "scenario": "hand", "seed": 1, "replications": 3, "confidence": 0.95,
         "run": {"duration": 600, "warmup": 60, "version": "0.1.0"},
         "stages": [\(stages.joined(separator: ", "))]}
        """
    }

    static func stage(_ name: String, p99: String = estimate(0.2, 0.01), costPerHour: Double = 0.1, met: Bool = true,
                      bottleneck: String? = "db.cpu", classes: [String] = ["view"], resources: [String] = ["db.cpu"]) -> String {
        let latency = "{\"mean\": \(estimate(0.1, 0.005)), \"p50\": \(estimate(0.08, 0.004)), \"p95\": \(estimate(0.15, 0.01)), \"p99\": \(p99)}"
        let classList = classes.map { "{\"name\": \"\($0)\", \"latency\": \(latency), \"throughput\": \(estimate(40, 1)), \"errorRate\": \(estimate(0, 0))}" }
        let resourceList = resources.map {
            "{\"name\": \"\($0)\", \"kind\": \"cpu\", \"utilization\": \(estimate(0.5, 0.01)), \"meanQueueLength\": \(estimate(0.2, 0.02))}"
        }
        return """
            {"name": "\(name)", "users": 1000, "requestRate": 80, "costPerHour": \(costPerHour), "latency": \(latency),
             "throughput": \(estimate(80, 1)), "errorRate": \(estimate(0, 0)), "timeoutRate": \(estimate(0, 0)),
             "classes": [\(classList.joined(separator: ", "))], "resources": [\(resourceList.joined(separator: ", "))],
             "bottleneck": \(bottleneck.map { "\"\($0)\"" } ?? "null"),
             "slo": {"met": \(met), "violations": [\(met ? "" : "\"p99 1 s above the target 500 ms\"")]},
             "events": 99, "notes": []}
            """
    }

    static func compare(_ old: String, _ new: String) throws -> ReportComparison {
        try ReportComparison(old: ReportSnapshot.read(bytes: Array(old.utf8), file: "old.json"),
                             new: ReportSnapshot.read(bytes: Array(new.utf8), file: "new.json"))
    }

    /// The change of `metric` in the group `group` (and item `item`), or a recorded issue.
    static func change(_ comparison: ReportComparison, _ group: String, _ metric: String, item: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) -> ReportComparison.Change? {
        let found = comparison.groups.first { $0.name == group }?.changes.first { $0.metric == metric && $0.item?.name == item }
        if found == nil { Issue.record("no change \(group) \(item ?? "") \(metric)", sourceLocation: sourceLocation) }
        return found
    }

    static func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance
    }

    // MARK: The rule

    /// |Δ| against √(h_old² + h_new²): 0.03 is significant with half-widths 0.01 and 0.02 (even
    /// though the intervals [0.48, 0.52] and [0.51, 0.55] overlap), not with half-widths 0.03.
    @Test(arguments: [(0.01, ReportComparison.Verdict.significant), (0.02, .significant), (0.03, .withinInterval)])
    func significanceIsTheHalfWidthOfTheDifference(halfWidth: Double, expected: ReportComparison.Verdict) throws {
        let old = Self.network([Self.station("api", ["utilization": Self.estimate(0.50, halfWidth)])])
        let new = Self.network([Self.station("api", ["utilization": Self.estimate(0.53, halfWidth)])])
        let comparison = try Self.compare(old, new)
        let change = try #require(Self.change(comparison, "api", "utilization"))
        #expect(change.verdict == expected, "h = \(halfWidth)")
        #expect(Self.close(change.threshold, (2 * halfWidth * halfWidth).squareRoot()), "threshold \(String(describing: change.threshold))")
        #expect(Self.close(change.difference, 0.03), "difference \(String(describing: change.difference))")
        #expect(Self.close(change.relative, 0.06), "relative \(String(describing: change.relative))")
        // Higher utilization is worse, and a guarded figure: a regression when significant.
        #expect(change.direction == (expected == .significant ? .worse : nil))
        #expect(change.isRegression == (expected == .significant))
    }

    @Test func verdictOnEstimates() {
        typealias V = ReportComparison.Verdict
        func verdict(_ a: Estimate, _ b: Estimate) -> V { ReportComparison.verdict(old: a, new: b) }
        #expect(verdict(Estimate(mean: 1, halfWidth: 0.1), Estimate(mean: 1.2, halfWidth: 0.1)) == .significant)
        #expect(verdict(Estimate(mean: 1, halfWidth: 0.1), Estimate(mean: 0.8, halfWidth: 0.1)) == .significant)
        #expect(verdict(Estimate(mean: 1, halfWidth: 0.1), Estimate(mean: 1.1, halfWidth: 0.1)) == .withinInterval)
        #expect(verdict(Estimate(mean: 1, halfWidth: 0), Estimate(mean: 1.001, halfWidth: 0)) == .significant)
        #expect(verdict(Estimate(mean: 1, halfWidth: nil), Estimate(mean: 2, halfWidth: 0.1)) == .noInterval)
        #expect(verdict(Estimate(mean: 1, halfWidth: 0.1), Estimate(mean: 2, halfWidth: nil)) == .noInterval)
        #expect(verdict(Estimate(mean: 1, halfWidth: nil), Estimate(mean: 1, halfWidth: nil)) == .unchanged)
        #expect(verdict(Estimate(mean: .nan, halfWidth: nil), Estimate(mean: 1, halfWidth: 0.1)) == .notComparable)
        #expect(verdict(Estimate(mean: .nan, halfWidth: nil), Estimate(mean: .nan, halfWidth: nil)) == .unchanged)
    }

    @Test func directionFollowsTheBetterSide() throws {
        let old = Self.network([Self.station("cache", ["hitRatio": Self.estimate(0.5, 0.01), "throughput": Self.estimate(100, 1),
                                                       "meanResponse": Self.estimate(0.1, 0.001)])])
        let new = Self.network([Self.station("cache", ["hitRatio": Self.estimate(0.6, 0.01), "throughput": Self.estimate(90, 1),
                                                       "meanResponse": Self.estimate(0.08, 0.001)])])
        let comparison = try Self.compare(old, new)
        let hit = try #require(Self.change(comparison, "cache", "hitRatio"))
        #expect(hit.verdict == .significant && hit.direction == .better && !hit.isRegression)
        let throughput = try #require(Self.change(comparison, "cache", "throughput"))
        #expect(throughput.verdict == .significant && throughput.direction == .worse)
        #expect(!throughput.isRegression, "lower throughput is worse but not a latency, error or utilization regression")
        let response = try #require(Self.change(comparison, "cache", "meanResponse"))
        #expect(response.direction == .better && !response.isRegression)
        #expect(comparison.regressions.isEmpty)
    }

    // MARK: Missing intervals and values

    @Test func oneReplicationCannotBeJudged() throws {
        let old = Self.network([Self.station("api", ["utilization": Self.estimate(0.5, nil)])],
                               system: "{\"p99\": \(Self.estimate(0.2, nil))}", replications: 1)
        let new = Self.network([Self.station("api", ["utilization": Self.estimate(0.9, nil)])],
                               system: "{\"p99\": \(Self.estimate(0.2, nil))}", replications: 1)
        let comparison = try Self.compare(old, new)
        let utilization = try #require(Self.change(comparison, "api", "utilization"))
        #expect(utilization.verdict == .noInterval && utilization.threshold == nil && !utilization.isRegression)
        #expect(Self.change(comparison, "system", "p99")?.verdict == .unchanged)
        #expect(comparison.notes.contains { $0.contains("one replication") }, "\(comparison.notes)")
        let table = comparison.table()
        #expect(table.contains("no interval"), "\(table)")
        #expect(comparison.regressions.isEmpty)
    }

    @Test func aValueOnOneSideOnlyIsNotComparable() throws {
        let old = Self.architecture([Self.stage("s", p99: Self.estimate(nil, nil))])
        let new = Self.architecture([Self.stage("s", p99: Self.estimate(0.3, 0.01))])
        let comparison = try Self.compare(old, new)
        let p99 = try #require(Self.change(comparison, "s", "latency.p99"))
        #expect(p99.verdict == .notComparable && p99.difference == nil)
        #expect(comparison.table().contains("n/a"), "\(comparison.table())")
    }

    // MARK: Added and removed

    @Test func stagesClassesAndResourcesInOneReportOnlyAreListed() throws {
        let old = Self.architecture([Self.stage("one machine"), Self.stage("database split", classes: ["view", "upload"])])
        let new = Self.architecture([Self.stage("database split", resources: ["db.cpu", "cache"]), Self.stage("cache added")])
        let comparison = try Self.compare(old, new)
        #expect(comparison.groups.map(\.name) == ["one machine", "database split", "cache added"])
        #expect(comparison.groups.map(\.presence) == [.oldOnly, .both, .newOnly])
        let split = comparison.groups[1]
        #expect(split.removedItems == [ReportComparison.Item(kind: "class", name: "upload")])
        #expect(split.addedItems == [ReportComparison.Item(kind: "resource", name: "cache")])
        // Same figures otherwise: nothing changed.
        #expect(split.changes.allSatisfy { $0.verdict == .unchanged }, "\(split.changes.filter { $0.verdict != .unchanged }.map(\.metric))")
        let table = comparison.table()
        for expected in ["classes only in old: upload", "resources only in new: cache", "stage \"one machine\": only in the old report",
                         "stage \"cache added\": only in the new report", "1 stage only in old, 1 stage only in new"] {
            #expect(table.contains(expected), "missing \(expected) in\n\(table)")
        }
    }

    @Test func aFigureInOneReportOnlyIsAddedOrRemoved() throws {
        let old = Self.network([Self.station("db", ["utilization": Self.estimate(0.5, 0.01)])])
        let new = Self.network([Self.station("db", ["utilization": Self.estimate(0.5, 0.01), "blockingProbability": Self.estimate(0.01, 0.001)])])
        let comparison = try Self.compare(old, new)
        #expect(Self.change(comparison, "db", "blockingProbability")?.verdict == .added)
        #expect(Self.change(comparison, "db", "utilization")?.verdict == .unchanged)
    }

    // MARK: Settings and verdicts

    @Test func sloBottleneckAndCostChangesAreExact() throws {
        let old = Self.architecture([Self.stage("s", costPerHour: 0.1, met: true, bottleneck: "db.cpu")])
        let new = Self.architecture([Self.stage("s", costPerHour: 0.25, met: false, bottleneck: nil)])
        let comparison = try Self.compare(old, new)
        let slo = try #require(Self.change(comparison, "s", "slo"))
        #expect(slo.verdict == .changed && slo.direction == .worse && slo.isRegression)
        let bottleneck = try #require(Self.change(comparison, "s", "bottleneck"))
        #expect(bottleneck.verdict == .changed && bottleneck.new == .text("none"))
        let cost = try #require(Self.change(comparison, "s", "costPerHour"))
        #expect(cost.verdict == .changed && cost.direction == .worse && !cost.isRegression)
        #expect(Self.change(comparison, "s", "users")?.verdict == .unchanged)
        #expect(comparison.regressions.count == 1)
        let table = comparison.table()
        #expect(table.contains("SLO in the new report: fails (p99 1 s above the target 500 ms)"), "\(table)")
        #expect(table.contains("$0.1/h") && table.contains("$0.25/h"), "\(table)")
    }

    @Test func aNetworkThatBecomesOverloadedIsARegression() throws {
        let stations = [Self.station("api", ["utilization": Self.estimate(0.5, 0.01)])]
        let comparison = try Self.compare(Self.network(stations), Self.network(stations, stable: false))
        let stable = try #require(Self.change(comparison, "system", "stable"))
        #expect(stable.verdict == .changed && stable.isRegression)
        #expect(comparison.table().contains("stability in the new report: overloaded (api)"), "\(comparison.table())")
    }

    @Test func differentConfidenceLevelsAreNoted() throws {
        let stations = [Self.station("api", ["utilization": Self.estimate(0.5, 0.01)])]
        let comparison = try Self.compare(Self.network(stations), Self.network(stations, confidence: 0.9))
        #expect(comparison.notes.contains { $0.contains("confidence levels differ") }, "\(comparison.notes)")
    }

    // MARK: Files that cannot be compared

    @Test func reportsOfDifferentKindsAreAnErrorNamingTheFile() throws {
        let network = try ReportSnapshot.read(bytes: Array(Self.network([]).utf8), file: "net.json")
        let architecture = try ReportSnapshot.read(bytes: Array(Self.architecture([]).utf8), file: "arch.json")
        let error = try #require(throws: ReportFileError.self) { try ReportComparison(old: network, new: architecture) }
        #expect(error.file == "arch.json")
        #expect(error.issues.map(\.path) == ["kind"], "\(error)")
        #expect(error.description.contains("net.json"), "\(error)")
    }

    @Test(arguments: [
        ("[1, 2]", "$"),
        (#"{"scenario": "x"}"#, "kind"),
        (#"{"kind": "netwrk", "scenario": "x", "seed": 1, "replications": 2, "confidence": 0.95}"#, "kind"),
        (#"{"kind": "network", "name": "x", "run": {"replications": 2}, "stations": []}"#, "$"),
        (#"{"kind": "network", "scenario": "x", "seed": 1, "replications": 2, "confidence": 0.95, "stations": []}"#, "system"),
        (#"{"kind": "network", "scenario": "x", "seed": 1, "replications": 2, "confidence": 0.95, "stations": [{"name": "a", "utilization": 0.5}], "system": {}}"#,
         "stations[0].utilization"),
        (#"{"kind": "architecture", "scenario": "x", "seed": 1, "replications": 2, "confidence": 0.95, "stages": [{"name": "s", "latency": {"p99": {"mean": 1, "halfWidth": -1}}}]}"#,
         "stages[0].latency.p99.halfWidth"),
        (#"{"kind": "architecture", "scenario": "x", "seed": 1, "replications": 2, "confidence": 0.95, "stages": [{"name": "s"}, {"name": "s"}]}"#,
         "stages[1]"),
        ("{\"kind\": ", "$"),
    ])
    func notAReportIsAnErrorWithItsPath(text: String, path: String) throws {
        let error = try #require(throws: ReportFileError.self) { try ReportSnapshot.read(bytes: Array(text.utf8), file: "bad.json") }
        #expect(error.issues.map(\.path).contains(path), "\(text): \(error)")
        #expect(error.description.hasPrefix("bad.json: "), "\(error)")
    }

    // MARK: Rendering

    @Test func defaultListsOnlyWhatChangedAndAllListsEverything() throws {
        let old = Self.network([Self.station("api", ["utilization": Self.estimate(0.50, 0.01), "throughput": Self.estimate(100, 2)])])
        let new = Self.network([Self.station("api", ["utilization": Self.estimate(0.60, 0.01), "throughput": Self.estimate(101, 2)])])
        let comparison = try Self.compare(old, new)
        let table = comparison.table()
        #expect(table.contains("utilization") && table.contains("worse * (regression)"), "\(table)")
        #expect(!table.contains("throughput  "), "throughput is within its interval and should not be listed:\n\(table)")
        #expect(table.contains("not listed: 1 within its confidence interval"), "\(table)")
        #expect(table.contains("+10.0 pp") && table.contains("+20.0%"), "\(table)")
        let all = comparison.table(all: true)
        #expect(all.contains("within interval"), "\(all)")
        let markdown = comparison.markdown()
        #expect(markdown.hasPrefix("## scalesim compare: network reports"), "\(markdown)")
        #expect(markdown.contains("| utilization | 50.0% ± 1.0% | 60.0% ± 1.0% |"), "\(markdown)")
    }

    @Test func jsonIsDeterministicAndParses() throws {
        let old = Self.architecture([Self.stage("s"), Self.stage("gone")])
        let new = Self.architecture([Self.stage("s", p99: Self.estimate(0.5, 0.01), met: false)])
        let comparison = try Self.compare(old, new)
        let text = comparison.json().serialized()
        #expect(text == (try Self.compare(old, new)).json().serialized())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["kind"] as? String == "architecture")
        let summary = try #require(object["summary"] as? [String: Any])
        // p99 of the stage and of its one class (the same latency figures), and the SLO lost.
        #expect((summary["significant"] as? NSNumber)?.intValue == 2, "\(summary)")
        #expect((summary["regressions"] as? NSNumber)?.intValue == 3, "\(summary)")
        #expect((summary["groupsOnlyInOld"] as? NSNumber)?.intValue == 1, "\(summary)")
        // Keys in a fixed order.
        let keys = ["\"kind\"", "\"rule\"", "\"old\"", "\"new\"", "\"summary\"", "\"notes\"", "\"groups\""]
        let positions = keys.compactMap { text.range(of: $0)?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted(), "\(text)")
        #expect(text.contains("\"metric\": \"latency.p99\""), "\(text)")
    }
}
