import Foundation
import Testing
@testable import ScaleSim

// MARK: Helpers

/// A valid architecture document: `workload` and `stages` are JSON text spliced in.
private func document(workload: String = minimalWorkload, stages: String = minimalStages, extra: String = "") -> String {
    #"{ "kind": "architecture", \#(extra) "workload": \#(workload), "stages": \#(stages) }"#
}

private let minimalWorkload = """
{ "users": 100, "activeShare": 0.1, "requestsPerActiveUserPerMinute": 6,
  "classes": [ { "name": "view", "share": 1, "kind": "api", "apiCpu": "2ms", "dbReads": 1, "queryCpu": "1ms" } ] }
"""

private let minimalStages = #"[ { "name": "one", "api": { "coresPerInstance": 2 }, "database": { "cores": 4 } } ]"#

private func architecture(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ArchitectureScenario? {
    do {
        guard case .architecture(let scenario) = try Scenario.load(bytes: Array(text.utf8)) else {
            Issue.record("not an architecture scenario", sourceLocation: sourceLocation)
            return nil
        }
        return scenario
    } catch {
        Issue.record("unexpected scenario error:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
}

private func issues(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ScenarioIssue] {
    do {
        _ = try Scenario.load(bytes: Array(text.utf8))
        Issue.record("expected a scenario error", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.issues
    }
}

/// Expects exactly one issue, at `path`, whose message contains `fragment`.
private func expectIssue(_ text: String, at path: String, containing fragment: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    let found = issues(text, sourceLocation: sourceLocation)
    #expect(found.count == 1, "issues: \(found)", sourceLocation: sourceLocation)
    #expect(found.first?.path == path, "issues: \(found)", sourceLocation: sourceLocation)
    #expect(found.first?.message.contains(fragment) == true, "issues: \(found)", sourceLocation: sourceLocation)
}

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

private func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(1, abs(b)) }

// MARK: Decoding

@Suite struct ArchitectureScenarioTests {
    @Test func exampleFileDecodesWithDefaultsAndNormalizedUnits() throws {
        let bytes = try [UInt8](Data(contentsOf: root.appendingPathComponent("scenarios/examples/architecture-minimal.json")))
        guard case .architecture(let scenario) = try Scenario.load(bytes: bytes) else {
            Issue.record("not an architecture scenario"); return
        }
        #expect(scenario.name == "architecture-minimal")
        #expect(scenario.run == RunSettings(duration: 3600, warmup: 300, replications: 5, confidence: 0.95))
        #expect(scenario.slo == .init(p99: 0.5, errorRate: 0.001))
        let workload = scenario.workload
        #expect(workload.users == 10)
        #expect(close(workload.requestRate(users: 10), 10 * 0.3 * 6 / 60))
        #expect(workload.userKeys.zipf == 1)
        #expect(workload.images == .init(perUser: 10, zipf: 1, notes: nil))
        #expect(workload.hotKeys.isEmpty)
        #expect(workload.regions.map(\.name) == ["us", "europe", "japan"])
        #expect(close(workload.regions[1].latencyToDataCentre, 0.045))
        #expect(close(workload.regions[2].latencyToEdge, 0.010))

        let feed = workload.classes[0]
        #expect(feed.kind == .api && feed.cacheKey == .none)
        #expect(feed.apiCpu == .lognormalQuantiles(p50: 0.004, p99: 0.020))
        #expect(feed.dbReads == 3 && feed.queryCpu == .exponential(mean: 0.002))
        #expect(feed.dbWrites == 0 && feed.writeCpu == nil)
        #expect(feed.responseBytes == 20_000 && feed.requestBytes == 0 && feed.timeout == 10)
        #expect(workload.classes[1].cacheKey == .user)
        #expect(workload.classes[2].kind == .image && workload.classes[2].responseBytes == 200_000)
        #expect(workload.classes[3].kind == .upload && workload.classes[3].requestBytes == 2_000_000)
        #expect(workload.classes[4].kind == .staticAsset)

        #expect(scenario.stages.count == 2)
        let one = scenario.stages[0]
        #expect(one.users == 10 && one.slo == scenario.slo)
        #expect(one.host?.cores == 2)
        #expect(one.api.instances == 1 && one.api.coresPerInstance == 2 && one.api.workersPerInstance == 8)
        #expect(one.api.networkBandwidth == 125e6)
        #expect(one.database.sharesApiHost && one.database.cores == 2 && one.database.latencyFromApi == 0)
        #expect(one.database.connections == 20)
        #expect(one.loadBalancer == nil && one.cache == nil && one.cdn == nil && one.replicas == nil)
        #expect(close(one.costPerHour, 0.03))

        let two = scenario.stages[1]
        #expect(two.extends == "1 user: one machine")
        #expect(two.host == nil)
        #expect(two.api.coresPerInstance == 2 && two.api.workersPerInstance == 8, "workers inherited")
        #expect(!two.database.sharesApiHost && two.database.cores == 2 && close(two.database.latencyFromApi, 0.0005))
        #expect(two.notes == "The database moves to a managed service (RDS-like); a network hop appears.")
        #expect(two.costs.map(\.component) == ["api", "database"])
        #expect(close(two.costPerHour, 0.10))
    }

    @Test func aStageDropsAnInheritedTargetWithNull() throws {
        let stages = """
        [ { "name": "one", "api": { "coresPerInstance": 2 }, "database": { "cores": 4 }, "slo": { "p99": null } },
          { "name": "two", "extends": "one", "slo": { "errorRate": null } },
          { "name": "three", "extends": "one", "slo": { "p99": "2s" } } ]
        """
        let scenario = try #require(architecture(document(stages: stages, extra: #""slo": { "p99": "1s", "errorRate": 0.01 },"#)))
        #expect(scenario.stages.map(\.slo) == [.init(p99: nil, errorRate: 0.01), .init(p99: nil, errorRate: nil),
                                               .init(p99: 2, errorRate: 0.01)])
    }

    @Test func componentDefaultsAreFilledIn() throws {
        let stages = """
        [ { "name": "all", "users": 5000, "slo": { "p99": "1s" },
            "api": { "instances": 3, "coresPerInstance": 2, "costPerInstancePerHour": 0.1 },
            "loadBalancer": {}, "webHosts": { "cpuPerRequest": "1ms" },
            "database": { "cores": 4 }, "replicas": { "count": 2 }, "cache": { "ttl": "30s" },
            "objectStorage": {}, "cdn": {} } ]
        """
        let scenario = try #require(architecture(document(stages: stages, extra: #""slo": { "errorRate": 0.01 },"#)))
        let stage = scenario.stages[0]
        #expect(stage.users == 5000)
        #expect(stage.slo == .init(p99: 1, errorRate: 0.01))
        #expect(stage.api.workersPerInstance == 8)
        #expect(stage.loadBalancer == .init(policy: .roundRobin, latency: 0.000_25, costPerHour: 0, notes: nil))
        #expect(stage.webHosts == .init(instances: 1, coresPerInstance: 1, cpuPerRequest: .exponential(mean: 0.001),
                                        costPerInstancePerHour: 0, notes: nil))
        #expect(stage.database == .init(cores: 4, connections: 100, sharesApiHost: false, latencyFromApi: 0.000_25,
                                        costPerHour: 0, notes: nil))
        #expect(stage.replicas == .init(count: 2, coresEach: 4, connectionsEach: 100, replicationLag: 0,
                                        costPerReplicaPerHour: 0, notes: nil))
        #expect(stage.cache == .init(nodes: 1, ttl: 30, capacityPerNode: nil, latency: 0.000_25, costPerNodePerHour: 0, notes: nil))
        #expect(stage.objectStorage == .init(latency: 0.02, bandwidth: 100e6, costPerHour: 0, notes: nil))
        #expect(stage.cdn == .init(ttl: 86_400, capacityPerEdge: nil, edgeLatency: nil, originFetchLatency: 0.05,
                                   costPerHour: 0, notes: nil))
        #expect(close(stage.costPerHour, 0.3))
        #expect(scenario.workload.regions == [ArchitectureDecoder.defaultRegion])
        #expect(scenario.workload.classes[0].timeout == 30)
    }

    // MARK: Inheritance

    @Test func childChangesOneFieldAndInheritsTheRest() throws {
        let stages = """
        [ { "name": "a", "notes": "first", "api": { "coresPerInstance": 2, "workersPerInstance": 10 },
            "database": { "cores": 4, "connections": 50 }, "cache": { "ttl": "30s", "nodes": 2 } },
          { "name": "b", "extends": "a", "database": { "cores": 8 } } ]
        """
        let scenario = try #require(architecture(document(stages: stages)))
        let (a, b) = (scenario.stages[0], scenario.stages[1])
        #expect(b.database.cores == 8 && b.database.connections == 50)
        #expect(b.api == a.api && b.cache == a.cache)
        #expect(b.notes == nil && b.name == "b" && b.extends == "a")
        #expect(a.database.cores == 4)
    }

    @Test func nullRemovesAnInheritedComponent() throws {
        let stages = """
        [ { "name": "a", "api": { "coresPerInstance": 2 }, "database": { "cores": 4 },
            "replicas": { "count": 2 }, "cache": { "ttl": 30, "capacityPerNode": 1000 } },
          { "name": "b", "extends": "a", "replicas": null, "cache": { "capacityPerNode": null } } ]
        """
        let scenario = try #require(architecture(document(stages: stages)))
        #expect(scenario.stages[0].replicas?.count == 2)
        #expect(scenario.stages[1].replicas == nil)
        #expect(scenario.stages[1].cache?.capacityPerNode == nil && scenario.stages[1].cache?.ttl == 30)
    }

    @Test func chainsOfThreeResolveInOrder() throws {
        let stages = """
        [ { "name": "a", "api": { "coresPerInstance": 1 }, "database": { "cores": 1 } },
          { "name": "b", "extends": "a", "api": { "instances": 2 }, "loadBalancer": { "policy": "least_connections" } },
          { "name": "c", "extends": "b", "database": { "cores": 8 }, "users": 1000 } ]
        """
        let scenario = try #require(architecture(document(stages: stages)))
        let c = scenario.stages[2]
        #expect(c.api.instances == 2 && c.api.coresPerInstance == 1)
        #expect(c.loadBalancer?.policy == .leastConnections)
        #expect(c.database.cores == 8 && c.users == 1000)
        #expect(scenario.stages[1].users == 100)
    }

    @Test func deepMergeRules() {
        let base: JSONValue = ["a": ["x": 1, "y": 2], "list": [1, 2], "gone": true]
        let override: JSONValue = ["a": ["y": 3, "z": 4], "list": [9], "gone": nil, "new": nil]
        guard case .object(let b) = base, case .object(let o) = override else { return }
        #expect(JSONValue.object(StageResolver.merge(b, o)) == ["a": ["x": 1, "y": 3, "z": 4], "list": [9]])
    }

    @Test func forwardReferenceAndCycleAreErrors() {
        let forward = """
        [ { "name": "a", "extends": "b", "api": { "coresPerInstance": 1 }, "database": { "cores": 1 } },
          { "name": "b", "extends": "a" } ]
        """
        let found = issues(document(stages: forward))
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.path == "stages[0].extends")
        #expect(found.first?.message.contains("comes later") == true, "\(found)")
        #expect(found.first?.message.contains(#"cycle: "a" -> "b" -> "a""#) == true, "\(found)")

        expectIssue(document(stages: #"[ { "name": "a", "extends": "a" } ]"#), at: "stages[0].extends",
                    containing: "cannot extend itself")
        expectIssue(document(stages: """
            [ { "name": "base", "api": { "coresPerInstance": 1 }, "database": { "cores": 1 } },
              { "name": "b", "extends": "bsae" } ]
            """), at: "stages[1].extends", containing: #"no earlier stage named "bsae" (did you mean "base"?)"#)
    }

    @Test func inheritedProblemIsReportedWhereItWasWritten() {
        // The bad value is written once, in stage a: reported once, there.
        let stages = """
        [ { "name": "a", "api": { "coresPerInstance": 2 }, "database": { "cores": 4 }, "cache": { "ttl": -5 } },
          { "name": "b", "extends": "a", "database": { "cores": 8 } } ]
        """
        expectIssue(document(stages: stages), at: "stages[0].cache.ttl", containing: "must not be negative, got -5")

        // Valid in a, invalid once b removes the load balancer: reported at a's value, naming b.
        let removed = """
        [ { "name": "a", "api": { "coresPerInstance": 2, "instances": 3 }, "loadBalancer": {}, "database": { "cores": 4 } },
          { "name": "b", "extends": "a", "loadBalancer": null } ]
        """
        expectIssue(document(stages: removed), at: "stages[0].api.instances",
                    containing: #"3 API instances need a "loadBalancer" in front of them (in stages[1] "b", which inherits this value)"#)
    }

    // MARK: One test per error class

    @Test func rangeErrorHasPathAndValue() {
        let stages = #"[ { "name": "s", "api": { "coresPerInstance": 2 }, "database": { "cores": 0 } } ]"#
        expectIssue(document(stages: stages), at: "stages[0].database.cores", containing: "must be at least 1, got 0")
    }

    @Test func wrongTypeIsReported() {
        let stages = #"[ { "name": "s", "api": { "coresPerInstance": "two" }, "database": { "cores": 1 } } ]"#
        expectIssue(document(stages: stages), at: "stages[0].api.coresPerInstance",
                    containing: #"expected a whole number >= 1, got "two""#)
    }

    @Test func unknownKeyGetsASuggestion() {
        let stages = #"[ { "name": "s", "api": { "coresPerInstance": 2 }, "database": { "cores": 1, "conections": 5 } } ]"#
        expectIssue(document(stages: stages), at: "stages[0].database.conections",
                    containing: #"unknown key "conections" (did you mean "connections"?)"#)
        expectIssue(document(stages: #"[ { "name": "s", "api": { "coresPerInstance": 2 }, "databse": {}, "database": { "cores": 1 } } ]"#),
                    at: "stages[0].databse", containing: #"(did you mean "database"?)"#)
    }

    @Test func classSharesMustSumToOne() {
        let workload = """
        { "users": 10, "activeShare": 0.5, "requestsPerActiveUserPerMinute": 1,
          "classes": [ { "name": "a", "share": 0.5, "kind": "api", "apiCpu": 0.001 },
                       { "name": "b", "share": 0.4, "kind": "api", "apiCpu": 0.001 } ] }
        """
        expectIssue(document(workload: workload), at: "workload.classes",
                    containing: "the shares of the request classes must sum to 1, got 0.9")
    }

    @Test func hotKeySharesSumToAtMostOneAndHotNeedsHotKeys() {
        let workload = """
        { "users": 10, "activeShare": 0.5, "requestsPerActiveUserPerMinute": 1,
          "hotKeys": [ { "name": "user:star", "share": 0.75 }, { "name": "user:other", "share": 0.5 } ],
          "classes": [ { "name": "a", "share": 1, "kind": "api", "apiCpu": 0.001, "cacheKey": "user", "dbReads": 1, "queryCpu": "1ms" } ] }
        """
        expectIssue(document(workload: workload), at: "workload.hotKeys", containing: "must sum to at most 1, got 1.25")
        let hot = """
        { "users": 10, "activeShare": 0.5, "requestsPerActiveUserPerMinute": 1,
          "classes": [ { "name": "a", "share": 1, "kind": "api", "apiCpu": 0.001, "cacheKey": "hot", "dbReads": 1, "queryCpu": "1ms" } ] }
        """
        expectIssue(document(workload: hot), at: "workload.classes[0].cacheKey", containing: "there are none")
    }

    @Test func imageClassNeedsAByteCount() {
        let workload = """
        { "users": 10, "activeShare": 0.5, "requestsPerActiveUserPerMinute": 1,
          "classes": [ { "name": "img", "share": 1, "kind": "image", "apiCpu": "1ms" } ] }
        """
        expectIssue(document(workload: workload), at: "workload.classes[0].responseBytes",
                    containing: "missing required key (an image class moves the image's bytes)")
    }

    @Test func openOrClosedWorkload() throws {
        let classes = #""classes": [ { "name": "a", "share": 1, "kind": "api", "apiCpu": "1ms" } ]"#
        let closed = try #require(architecture(document(workload: #"{ "users": 50, "activeShare": 0.1, "thinkTime": "10s", \#(classes) }"#)))
        #expect(closed.workload.thinkTime == .exponential(mean: 10))
        #expect(closed.workload.sessions(users: 50) == 5)
        #expect(close(closed.workload.requestRate(users: 50), 5.0 / 10))
        // A compiled closed stage has one session source over every class and region.
        let model = closed.compile(stage: 0).model
        guard model.sources.count == 1, case let .sessions(size, _, mix, _) = model.sources[0] else {
            Issue.record("expected one sessions source, got \(model.sources)"); return
        }
        #expect(size == 5 && mix.count == 1 && mix[0].probability == 1)

        expectIssue(document(workload: #"{ "users": 50, "activeShare": 0.1, "requestsPerActiveUserPerMinute": 6, "thinkTime": "10s", \#(classes) }"#),
                    at: "workload.thinkTime", containing: "not both")
        expectIssue(document(workload: #"{ "users": 50, "activeShare": 0.1, \#(classes) }"#),
                    at: "workload", containing: #"missing "requestsPerActiveUserPerMinute""#)
        expectIssue(document(workload: #"{ "users": 50, "activeShare": 0.1, "thinkTime": 0, \#(classes) }"#),
                    at: "workload.thinkTime", containing: "must have a positive mean")
        expectIssue(document(workload: #"{ "users": 50, "activeShare": 0.1, "thinkTime": "soon", \#(classes) }"#),
                    at: "workload.thinkTime", containing: "a time")
    }

    @Test func dbReadsNeedQueryCpu() {
        let workload = """
        { "users": 10, "activeShare": 0.5, "requestsPerActiveUserPerMinute": 1,
          "classes": [ { "name": "a", "share": 1, "kind": "api", "apiCpu": "1ms", "dbReads": 2 } ] }
        """
        expectIssue(document(workload: workload), at: "workload.classes[0].queryCpu", containing: "missing required key")
    }

    @Test func timeoutMustBePositiveAndTtlMayBeZero() {
        let workload = """
        { "users": 10, "activeShare": 0.5, "requestsPerActiveUserPerMinute": 1,
          "classes": [ { "name": "a", "share": 1, "kind": "api", "apiCpu": "1ms", "timeout": 0 } ] }
        """
        expectIssue(document(workload: workload), at: "workload.classes[0].timeout", containing: "must be positive, got 0")
        let stages = #"[ { "name": "s", "api": { "coresPerInstance": 2 }, "database": { "cores": 1 }, "cache": { "ttl": 0 } } ]"#
        #expect(architecture(document(stages: stages))?.stages[0].cache?.ttl == 0)
    }

    @Test func componentsThatNeedEachOther() {
        expectIssue(document(stages: #"[ { "name": "s", "api": { "coresPerInstance": 2 }, "database": { "cores": 1 }, "cdn": {} } ]"#),
                    at: "stages[0].cdn", containing: #"a CDN needs "objectStorage" as its origin"#)
        expectIssue(document(stages: #"[ { "name": "s", "host": { "cores": 2 }, "api": {}, "database": { "cores": 2 } } ]"#),
                    at: "stages[0].database.cores", containing: #"not allowed while the stage has a "host""#)
        expectIssue(document(stages: #"[ { "name": "s", "api": {}, "database": { "cores": 2 } } ]"#),
                    at: "stages[0].api.coresPerInstance", containing: "missing required key")
    }

    @Test func duplicateStageNames() {
        let stages = """
        [ { "name": "s", "api": { "coresPerInstance": 2 }, "database": { "cores": 1 } },
          { "name": "s", "api": { "coresPerInstance": 2 }, "database": { "cores": 1 } } ]
        """
        expectIssue(document(stages: stages), at: "stages[1].name", containing: #"duplicate stage name "s" (also stages[0])"#)
    }

    @Test func unitsForBytesAndBandwidth() {
        let stages = #"[ { "name": "s", "api": { "coresPerInstance": 2, "networkBandwidth": "1Gbit/s" }, "database": { "cores": 1 } } ]"#
        #expect(architecture(document(stages: stages))?.stages[0].api.networkBandwidth == 125e6)
        let bad = #"[ { "name": "s", "api": { "coresPerInstance": 2, "networkBandwidth": "1 Gbs" }, "database": { "cores": 1 } } ]"#
        expectIssue(document(stages: bad), at: "stages[0].api.networkBandwidth", containing: #"unknown unit "Gbs""#)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let workload = """
        { "users": 0, "activeShare": 1.5, "requestsPerActiveUserPerMinute": 1,
          "classes": [ { "name": "a", "share": 1, "kind": "apii", "apiCpu": "1ms" } ] }
        """
        let stages = #"[ { "name": "s", "api": { "coresPerInstance": 0 }, "database": { "cores": 1, "conections": 1 } } ]"#
        let found = issues(document(workload: workload, stages: stages, extra: #""seed": -1,"#))
        #expect(found.map(\.path) == ["seed", "workload.users", "workload.activeShare", "workload.classes[0].kind",
                                      "stages[0].api.coresPerInstance", "stages[0].database.conections"], "\(found)")
        #expect(found.contains { $0.message.contains(#"(did you mean "api"?)"#) }, "\(found)")
    }

    @Test func schemaKeyIsAcceptedInBothKinds() throws {
        #expect(architecture(document(extra: #""$schema": "../../schema/architecture.schema.json","#)) != nil)
        let network = #"{ "$schema": "x", "kind": "network", "arrivals": [ { "class": "r", "to": "q", "rate": 1 } ], "stations": [ { "name": "q", "service": { "dist": "exponential", "mean": 0.5 } } ] }"#
        #expect(throws: Never.self) { try Scenario.load(bytes: Array(network.utf8)) }
        expectIssue(document(extra: #""$schema": 3,"#), at: #"$["$schema"]"#, containing: "expected a string")
    }

    // MARK: Schema

    @Test func committedSchemaIsInSync() throws {
        let committed = try String(contentsOf: root.appendingPathComponent("schema/architecture.schema.json"), encoding: .utf8)
        #expect(committed == ArchitectureScenario.jsonSchema.serialized() + "\n",
                "schema/architecture.schema.json is stale: run `swift run scalesim schema > schema/architecture.schema.json`")
    }

    @Test func schemaListsEveryKeyTheDecoderAccepts() {
        let schema = ArchitectureScenario.jsonSchema
        func keys(_ definition: String) -> Set<String> {
            guard case .object(let members)? = schema["$defs"]?[definition]?["properties"] else { return [] }
            return Set(members.map(\.key))
        }
        #expect(keys("requestClass") == Set(ArchitectureDecoder.classKeys))
        #expect(keys("region") == Set(ArchitectureDecoder.regionKeys))
        #expect(keys("workload") == Set(ArchitectureDecoder.workloadKeys))
        #expect(keys("stage") == Set(StageResolver.stageKeys))
        guard case .object(let top)? = schema["properties"] else { Issue.record("no properties"); return }
        #expect(Set(top.map(\.key)) == Set(ArchitectureDecoder.topLevelKeys))
    }

    // MARK: Command line

    @Test func cliValidatesRunsAndPrintsTheSchema() throws {
        let example = root.appendingPathComponent("scenarios/examples/architecture-minimal.json").path
        let validate = try CLI.run(["validate", example])
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout.contains("valid architecture scenario \"architecture-minimal\": 2 stages"), "\(validate.stdout)")
        let run = try CLI.run(["run", example, "--replications", "2", "--format", "json", "--no-reports"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try CLI.parseJSON(run.stdoutData)
        #expect(json["kind"] as? String == "architecture")
        let stages = json["stages"] as? [[String: Any]] ?? []
        #expect(stages.map { $0["name"] as? String } == ["1 user: one machine", "10 users: database on its own host"])
        for stage in stages {
            for key in ["latency", "throughput", "errorRate", "classes", "resources", "bottleneck", "slo"] {
                #expect(stage[key] != nil, "stage \(stage["name"] ?? "") has no \(key)")
            }
        }
        let schema = try CLI.run(["schema"])
        #expect(schema.status == 0)
        #expect(schema.stdout == ArchitectureScenario.jsonSchema.serialized() + "\n")
    }
}
