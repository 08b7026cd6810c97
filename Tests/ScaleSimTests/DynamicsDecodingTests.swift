import Foundation
import Testing
@testable import ScaleSim

// MARK: Helpers

/// An architecture document: `workload` and `stages` are JSON text spliced in.
private func document(workload: String = plainWorkload, stages: String = plainStages, extra: String = "") -> String {
    #"{ "kind": "architecture", \#(extra) "workload": \#(workload), "stages": \#(stages) }"#
}

/// `plainWorkload` with `extra` members added (`"profile": {...},`).
private func workload(_ extra: String = "", classExtra: String = "", hotKeys: String = "[]") -> String {
    """
    { \(extra) "users": 100, "activeShare": 0.1, "requestsPerActiveUserPerMinute": 6, "hotKeys": \(hotKeys),
      "regions": [ { "name": "us", "share": 0.5, "latencyToDataCentre": "10ms" },
                   { "name": "europe", "share": 0.5, "latencyToDataCentre": "50ms" } ],
      "classes": [ { "name": "view", "share": 0.8, "kind": "api", "apiCpu": "2ms", "cacheKey": "user",
                     "dbReads": 1, "queryCpu": "1ms" \(classExtra) },
                   { "name": "image", "share": 0.1, "kind": "image", "apiCpu": "1ms", "responseBytes": "200KB" },
                   { "name": "static", "share": 0.1, "kind": "static_asset", "apiCpu": "1ms", "responseBytes": "20KB" } ] }
    """
}

private let plainWorkload = workload()

/// One stage with every component but a host; `extra` members are added to it.
private func bigStage(_ extra: String = "", api: String = #""instances": 2, "coresPerInstance": 2"#,
                      loadBalancer: String = "{}") -> String {
    """
    { "name": "big", "loadBalancer": \(loadBalancer), "api": { \(api) },
      "webHosts": { "instances": 2, "cpuPerRequest": "1ms" }, "database": { "cores": 4 },
      "replicas": { "count": 2 }, "cache": { "nodes": 3, "ttl": "1m" }, "objectStorage": {}, "cdn": {} \(extra) }
    """
}

/// One small stage (API and database only); `extra` members are added to it.
private func smallStage(_ extra: String = "", name: String = "small") -> String {
    #"{ "name": "\#(name)", "api": { "coresPerInstance": 2 }, "database": { "cores": 4 } \#(extra) }"#
}

/// The 1-user stage: API and database on one host.
private func hostStage(_ extra: String = "") -> String {
    #"{ "name": "host", "host": { "cores": 2 }, "api": {}, "database": {} \#(extra) }"#
}

private let plainStages = "[ \(smallStage()) ]"

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

/// The model of stage `index` of a document that must be valid.
private func model(_ text: String, stage index: Int = 0, sourceLocation: SourceLocation = #_sourceLocation) -> Model? {
    architecture(text, sourceLocation: sourceLocation)?.compile(stage: index).model
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

/// The first stored property of `Model` in which `a` and `b` differ, or nil when they are
/// equal in all. `Model` is not `Equatable`, but each of its properties is `Hashable`.
private func firstDifference(_ a: Model, _ b: Model) -> String? {
    let left = Array(Mirror(reflecting: a).children), right = Array(Mirror(reflecting: b).children)
    guard left.count == right.count else { return "the property count" }
    for (l, r) in zip(left, right) {
        guard let x = l.value as? AnyHashable, let y = r.value as? AnyHashable else { return "\(l.label ?? "?") (not Hashable)" }
        if x != y { return l.label ?? "?" }
    }
    return nil
}

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

// MARK: Tests

@Suite struct DynamicsDecodingTests {
    // MARK: Nothing new, nothing changed

    /// FNV-1a fingerprints of `String(describing:)` of each bundled stage's model, taken at
    /// commit 56defa8, before the front end knew the new fields. The models now also list
    /// their components (which nothing runs unless a fault names one); without those they
    /// must be the same, field for field.
    static let modelsBefore: [String: String] = [
        "1#0": "3914c8a4c8ae4c54", "10#0": "9c8a5643c3063547", "100#0": "6ec32587102629cb",
        "1k#0": "fc559a0f6151a2e1", "10k#0": "c956218a4b8be464",
        "100k#0": "c42ee8137a2c868", "100k#1": "e6776dd4ce8e339b", "100k#2": "16d36646698ab912",
        "100k#3": "d434974da0407e1b", "100k#4": "1abcef0b81a63743", "100k#5": "d45d456b80fe49a2",
        "examples/architecture-minimal#0": "4fd216c1145f6eca", "examples/architecture-minimal#1": "41a00d4ba8258162",
    ]

    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return String(hash, radix: 16)
    }

    @Test(arguments: ["1", "10", "100", "1k", "10k", "100k", "examples/architecture-minimal"])
    func bundledScenarioCompilesAsBefore(name: String) throws {
        let bytes = try [UInt8](Data(contentsOf: root.appendingPathComponent("scenarios/\(name).json")))
        guard case .architecture(let scenario) = try Scenario.load(bytes: bytes) else {
            Issue.record("\(name) is not an architecture scenario"); return
        }
        for index in scenario.stages.indices {
            var model = scenario.compile(stage: index).model
            #expect(!model.components.isEmpty && model.faults.isEmpty && model.profile == nil)
            model.components = []
            for r in model.routers.indices { model.routers[r].components = [] }
            let key = "\(name)#\(index)"
            // Fields added since, at their neutral value, print in the description: drop them.
            let text = String(describing: model).replacingOccurrences(of: ", queueLimit: nil", with: "")
                .replacingOccurrences(of: ", background: false", with: "")
                .replacingOccurrences(of: ", keyPlacement: nil", with: "")
            #expect(Self.fingerprint(text) == Self.modelsBefore[key],
                    "\(key): the model changed beyond its components")
        }
    }

    @Test func neutralValuesWrittenOutGiveTheSameModel() throws {
        let plain = try #require(model(document(stages: "[ \(bigStage()) ]")))
        let written = try #require(model(document(stages: """
            [ \(bigStage(#", "faults": [], "profile": null"#)) ]
            """.replacingOccurrences(of: #""ttl": "1m""#, with: #""ttl": "1m", "coalesce": false"#))))
        #expect(firstDifference(plain, written) == nil)
        #expect(plain.routers.allSatisfy { $0.healthCheck == nil && $0.autoscaling == nil })
        #expect(plain.classes.allSatisfy { $0.retry == nil })
        #expect(plain.caches.allSatisfy { $0.flash == nil && !$0.coalesce })
    }

    // MARK: Profile

    @Test func pointsProfile() throws {
        let text = document(workload: workload(#""profile": { "points": [ { "at": 0, "factor": 1 }, { "at": "5m", "factor": 3 }, { "at": "5m", "factor": 0.5 }, { "at": "1h", "factor": 0 } ] },"#))
        let scenario = try #require(architecture(text))
        let expected = Model.RateProfile(points: [.init(time: 0, factor: 1), .init(time: 300, factor: 3),
                                                 .init(time: 300, factor: 0.5), .init(time: 3600, factor: 0)])
        #expect(scenario.compile(stage: 0).model.profile == expected)
        #expect(scenario.stages[0].profile == scenario.workload.profile)
    }

    @Test func spikeProfileWithDefaultRamp() throws {
        let m = try #require(model(document(workload: workload(#""profile": { "spike": { "at": "3m", "factor": 4, "length": "2m" }, "notes": "launch" },"#))))
        #expect(m.profile == .spike(at: 180, factor: 4, length: 120, ramp: 0))
        let ramped = try #require(model(document(workload: workload(#""profile": { "spike": { "at": "3m", "factor": 4, "length": "2m", "ramp": "30s" } },"#))))
        #expect(ramped.profile == .spike(at: 180, factor: 4, length: 120, ramp: 30))
    }

    @Test func dailyProfileRunsOverTheRun() throws {
        let text = document(workload: workload(#""profile": { "daily": { "peak": 1.5, "trough": 0.4, "peakAt": "20h" } },"#),
                            extra: #""run": { "duration": "48h" },"#)
        let m = try #require(model(text))
        #expect(m.profile == .daily(peak: 1.5, trough: 0.4, peakAt: 72_000, period: 86_400, until: 172_800))
        let short = try #require(model(document(workload: workload(#""profile": { "daily": { "peak": 2, "trough": 0, "peakAt": 0, "period": "1h" } },"#))))
        #expect(short.profile == .daily(peak: 2, trough: 0, peakAt: 0, period: 3600, until: RunSettings.defaultDuration))
    }

    @Test func profileErrors() {
        func profile(_ json: String) -> String { document(workload: workload(#""profile": \#(json),"#)) }
        expectIssue(profile(#"{ "points": [ { "at": 0, "factor": 1 } ], "spike": { "at": 0, "factor": 2, "length": 1 } }"#),
                    at: "workload.profile.spike", containing: #"give only one of "points", "spike", "daily""#)
        expectIssue(profile("{}"), at: "workload.profile", containing: #"give one of "points""#)
        expectIssue(profile(#"{ "points": [] }"#), at: "workload.profile.points", containing: "must list at least one point")
        expectIssue(profile(#"{ "points": [ { "at": "5m", "factor": 1 }, { "at": "1m", "factor": 2 } ] }"#),
                    at: "workload.profile.points[1].at", containing: #"must not be earlier than the point before ("5m")"#)
        expectIssue(profile(#"{ "points": [ { "at": 0, "factor": -1 } ] }"#),
                    at: "workload.profile.points[0].factor", containing: "must not be negative, got -1")
        expectIssue(profile(#"{ "points": [ { "at": 0, "factor": 0 } ] }"#),
                    at: "workload.profile.points", containing: "at least one factor must be positive")
        expectIssue(profile(#"{ "points": [ { "at": 0 } ] }"#),
                    at: "workload.profile.points[0].factor", containing: "missing required key")
        expectIssue(profile(#"{ "spike": { "at": "3m", "factor": 0, "length": "1m" } }"#),
                    at: "workload.profile.spike.factor", containing: "must be positive")
        // A misspelt key is reported, and so is the required key it was meant to be.
        let typo = issues(profile(#"{ "spike": { "at": "3m", "factor": 2, "lenght": "1m" } }"#))
        #expect(typo.map(\.path) == ["workload.profile.spike.lenght", "workload.profile.spike.length"], "\(typo)")
        #expect(typo.first?.message.contains(#"did you mean "length"?"#) == true, "\(typo)")
        expectIssue(profile(#"{ "spike": { "at": "3m", "factor": 2, "length": 0 } }"#),
                    at: "workload.profile.spike.length", containing: "needs a length or a ramp")
        expectIssue(profile(#"{ "daily": { "peak": 1, "trough": 2, "peakAt": "20h" } }"#),
                    at: "workload.profile.daily.trough", containing: "must be at most the peak (1), got 2")
        expectIssue(profile(#"{ "daily": { "peak": 1, "trough": 0, "peakAt": "20h", "period": 0 } }"#),
                    at: "workload.profile.daily.period", containing: "must be positive")
        expectIssue(profile(#"{ "daily": { "peak": 1, "trough": 0 } }"#),
                    at: "workload.profile.daily.peakAt", containing: "missing required key")
        expectIssue(profile(#""spike""#), at: "workload.profile", containing: "expected a profile object")
        // In a stage too, at the stage's path.
        expectIssue(document(stages: "[ \(smallStage(#", "profile": { "spike": { "at": -1, "factor": 2, "length": 1 } }"#)) ]"),
                    at: "stages[0].profile.spike.at", containing: "must not be negative")
    }

    @Test func stagesOverrideInheritAndRemoveTheProfile() throws {
        let stages = """
        [ \(smallStage(name: "plain")),
          \(smallStage(#", "profile": { "spike": { "at": "1m", "factor": 2, "length": "1m" } }"#, name: "spiky")),
          { "name": "inherits", "extends": "spiky" },
          { "name": "removes", "extends": "spiky", "profile": null },
          { "name": "still none", "extends": "removes" },
          { "name": "replaces", "extends": "spiky", "profile": { "points": [ { "at": 0, "factor": 2 } ] } },
          { "name": "back to the workload's", "extends": "removes", "profile": { "points": [ { "at": 0, "factor": 0.5 } ] } } ]
        """
        let text = document(workload: workload(#""profile": { "points": [ { "at": 0, "factor": 0.5 } ] },"#), stages: stages)
        let scenario = try #require(architecture(text))
        let profiles = scenario.stages.indices.map { scenario.compile(stage: $0).model.profile }
        let half = Model.RateProfile.constant(0.5), spike = Model.RateProfile.spike(at: 60, factor: 2, length: 60, ramp: 0)
        #expect(profiles == [half, spike, spike, nil, nil, .constant(2), half])
    }

    // MARK: Flash crowd

    @Test func hotKeyWithFromIsAFlashCrowd() throws {
        let hotKeys = #"[ { "name": "a", "share": 0.1 }, { "name": "b", "share": 0.2, "from": "1m", "until": "3m" } ]"#
        let m = try #require(model(document(workload: workload(hotKeys: hotKeys), stages: "[ \(bigStage()) ]")))
        let cache = try #require(m.caches.first { $0.name == "cache" })
        #expect(cache.hotShares == [0.1, 0])
        #expect(cache.flash == Model.FlashCrowd(key: 1, share: 0.2, from: 60, until: 180))
        #expect(m.caches.filter { $0.name != "cache" }.allSatisfy { $0.flash == nil }, "only the user cache")

        let open = #"[ { "name": "b", "share": 0.2, "from": 0 } ]"#
        let forever = try #require(model(document(workload: workload(hotKeys: open), stages: "[ \(bigStage()) ]")))
        #expect(forever.caches.first { $0.name == "cache" }?.flash == Model.FlashCrowd(key: 0, share: 0.2, from: 0, until: nil))
    }

    @Test func flashCrowdErrors() {
        func keys(_ json: String) -> String { document(workload: workload(hotKeys: json)) }
        expectIssue(keys(#"[ { "name": "a", "share": 0.1, "from": "1m" }, { "name": "b", "share": 0.1, "from": "2m" } ]"#),
                    at: "workload.hotKeys[1].from", containing: "only one hot key may have a flash crowd (\"from\"); workload.hotKeys[0] already has one")
        expectIssue(keys(#"[ { "name": "a", "share": 0.1, "until": "1m" } ]"#),
                    at: "workload.hotKeys[0].until", containing: #"needs "from""#)
        expectIssue(keys(#"[ { "name": "a", "share": 0.1, "from": "2m", "until": "1m" } ]"#),
                    at: "workload.hotKeys[0].until", containing: #"must be later than "from" ("2m"), got "1m""#)
        expectIssue(keys(#"[ { "name": "a", "share": 0.1, "from": "-1m" } ]"#),
                    at: "workload.hotKeys[0].from", containing: "must not be negative")
        expectIssue(keys(#"[ { "name": "a", "share": 0.1, "form": "1m" } ]"#),
                    at: "workload.hotKeys[0].form", containing: #"did you mean "from"?"#)
        let both = issues(keys(#"[ { "share": 0.1, "from": "-1m" } ]"#))
        #expect(both.map(\.path) == ["workload.hotKeys[0].name", "workload.hotKeys[0].from"], "every problem, \(both)")
    }

    // MARK: Retries

    @Test func retriesDecodeIntoTheRequestClass() throws {
        let full = #", "retries": { "attempts": 3, "backoff": "100ms", "multiplier": 3, "cap": "10s", "jitter": false, "budget": 0.1, "budgetBurst": 20 }"#
        let m = try #require(model(document(workload: workload(classExtra: full))))
        #expect(m.classes[0].retry == Model.RetryPolicy(attempts: 3, backoff: 0.1, multiplier: 3, cap: 10, jitter: false,
                                                        budget: 0.1, budgetBurst: 20))
        #expect(m.classes[0].timeout == 30)
        #expect(m.classes[1].retry == nil && m.classes[2].retry == nil)
        let plain = try #require(model(document(workload: workload(classExtra: #", "retries": { "attempts": 2, "backoff": "50ms" }"#))))
        #expect(plain.classes[0].retry == Model.RetryPolicy(attempts: 2, backoff: 0.05), "the defaults of RetryPolicy")
    }

    @Test func retryErrors() {
        func retries(_ json: String) -> String { document(workload: workload(classExtra: #", "retries": \#(json)"#)) }
        let path = "workload.classes[0].retries"
        expectIssue(retries(#"{ "backoff": "1s" }"#), at: "\(path).attempts", containing: "missing required key")
        expectIssue(retries(#"{ "attempts": 1.5, "backoff": "1s" }"#), at: "\(path).attempts", containing: "expected a whole number >= 0")
        expectIssue(retries(#"{ "attempts": 1, "backoff": "1s", "multiplier": 0.5 }"#), at: "\(path).multiplier", containing: "must be at least 1")
        expectIssue(retries(#"{ "attempts": 1, "backoff": "2s", "cap": "1s" }"#), at: "\(path).cap",
                    containing: #"must be at least the backoff ("2s"), got "1s""#)
        expectIssue(retries(#"{ "attempts": 1, "backoff": "1m" }"#), at: "\(path).backoff", containing: "must be at most the cap (30 s")
        expectIssue(retries(#"{ "attempts": 1, "backoff": "1s", "budget": 0 }"#), at: "\(path).budget", containing: "must be in (0, 1]")
        expectIssue(retries(#"{ "attempts": 1, "backoff": "1s", "budget": 1.5 }"#), at: "\(path).budget", containing: "must be in (0, 1]")
        expectIssue(retries(#"{ "attempts": 1, "backoff": "1s", "budgetBurst": 5 }"#), at: "\(path).budgetBurst", containing: #"needs "budget""#)
        expectIssue(retries(#"{ "attempts": 1, "backoff": "1s", "jitter": "yes" }"#), at: "\(path).jitter", containing: "expected true or false")
        expectIssue(retries(#"{ "attempts": 1, "backoff": "1s", "backof": "1s" }"#), at: "\(path).backof", containing: #"did you mean "backoff"?"#)
    }

    // MARK: Health checks

    @Test func healthChecksGoOnTheirRouters() throws {
        let stage = bigStage(loadBalancer: #"{ "healthCheck": {} }"#)
            .replacingOccurrences(of: #""count": 2"#, with: #""count": 2, "healthCheck": { "interval": "5s", "unhealthyThreshold": 1, "healthyThreshold": 4 }"#)
        let m = try #require(model(document(stages: "[ \(stage) ]")))
        let routers = Dictionary(uniqueKeysWithValues: m.routers.map { ($0.name, $0) })
        let standard = Model.HealthCheck(interval: 10, unhealthyThreshold: 2, healthyThreshold: 3)
        #expect(routers["api"]?.healthCheck == standard)
        #expect(routers["web"]?.healthCheck == standard)
        #expect(routers["replicas"]?.healthCheck == Model.HealthCheck(interval: 5, unhealthyThreshold: 1, healthyThreshold: 4))
        let scenario = try #require(architecture(document(stages: "[ \(stage) ]")))
        #expect(scenario.stages[0].loadBalancer?.healthCheck == StageDecoder.defaultHealthCheck)
    }

    @Test func healthCheckErrors() {
        func lb(_ json: String) -> String { document(stages: "[ \(bigStage(loadBalancer: #"{ "healthCheck": \#(json) }"#)) ]") }
        let path = "stages[0].loadBalancer.healthCheck"
        expectIssue(lb(#"{ "interval": 0 }"#), at: "\(path).interval", containing: "must be positive")
        expectIssue(lb(#"{ "unhealthyThreshold": 0 }"#), at: "\(path).unhealthyThreshold", containing: "must be at least 1")
        expectIssue(lb(#"{ "healthyThreshold": 2.5 }"#), at: "\(path).healthyThreshold", containing: "expected a whole number >= 1")
        expectIssue(lb(#"{ "intervall": "5s" }"#), at: "\(path).intervall", containing: #"did you mean "interval"?"#)
        expectIssue(lb("true"), at: path, containing: "expected an object")
        let replicas = bigStage().replacingOccurrences(of: #""count": 2"#, with: #""count": 2, "healthCheck": { "interval": "-1s" }"#)
        expectIssue(document(stages: "[ \(replicas) ]"), at: "stages[0].replicas.healthCheck.interval", containing: "must be positive")
    }

    // MARK: Autoscaling

    @Test func autoscalingLaysTheAPIOutForItsMaximum() throws {
        let api = #""instances": 3, "coresPerInstance": 2, "costPerInstancePerHour": 1, "autoscaling": { "target": 0.6, "min": 2, "max": 10 }"#
        let scenario = try #require(architecture(document(stages: "[ \(bigStage(api: api)) ]")))
        let m = scenario.compile(stage: 0).model
        let router = try #require(m.routers.first { $0.name == "api" })
        #expect(router.instances == 10)
        #expect(router.autoscaling == Model.Autoscaling(metric: .cpu, target: 0.6, minimum: 2, maximum: 10, initial: 3,
                                                        interval: 60, cooldown: 300, provisioningDelay: 120))
        for name in ["api.cpu", "api.network"] {
            #expect(m.cpus.filter { $0.name.hasPrefix(name + "[") }.count == 10, "\(name)")
        }
        #expect(m.pools.filter { $0.name.hasPrefix("api.workers[") }.count == 10)
        #expect(router.components.count == 10 && m.components[router.components[9]].name == "api[9]")
        #expect(scenario.stages[0].costs.first { $0.component == "api" }?.perHour == 3, "priced at the initial count")

        let requests = #""coresPerInstance": 2, "autoscaling": { "metric": "requests_per_instance", "target": 50, "max": 4, "interval": "30s", "cooldown": 0, "provisioningDelay": "10s" }"#
        let other = try #require(model(document(stages: "[ \(bigStage(api: requests)) ]")))
        #expect(other.routers.first { $0.name == "api" }?.autoscaling
                == Model.Autoscaling(metric: .requestsPerInstance, target: 50, minimum: 1, maximum: 4, initial: 1,
                                     interval: 30, cooldown: 0, provisioningDelay: 10))
    }

    @Test func autoscalingErrors() {
        func api(_ json: String, loadBalancer: Bool = true) -> String {
            let stage = bigStage(api: #""coresPerInstance": 2, \#(json)"#)
            return document(stages: "[ \(loadBalancer ? stage : stage.replacingOccurrences(of: #""loadBalancer": {}, "#, with: "")) ]")
        }
        let path = "stages[0].api.autoscaling"
        // (Without a load balancer, the two web hosts complain too.)
        let noBalancer = issues(api(#""autoscaling": { "target": 0.5, "max": 3 }"#, loadBalancer: false))
        #expect(noBalancer.contains { $0.path == path && $0.message.contains(#"autoscaling needs a "loadBalancer""#) }, "\(noBalancer)")
        expectIssue(document(stages: "[ \(hostStage(#", "loadBalancer": {}"#).replacingOccurrences(of: #""api": {}"#, with: #""api": { "autoscaling": { "target": 0.5, "max": 3 } }"#)) ]"),
                    at: path, containing: #"not allowed while the stage has a "host""#)
        expectIssue(api(#""instances": 5, "autoscaling": { "target": 0.5, "min": 2, "max": 4 }"#),
                    at: "stages[0].api.instances", containing: "must lie within autoscaling's min...max (2...4), got 5")
        expectIssue(api(#""autoscaling": { "target": 0.5, "min": 2, "max": 4 }"#),
                    at: "\(path).min", containing: "must be at most api.instances (1, the default)")
        expectIssue(api(#""instances": 3, "autoscaling": { "target": 0.5, "min": 4, "max": 2 }"#),
                    at: "\(path).max", containing: "must be at least min (4), got 2")
        expectIssue(api(#""autoscaling": { "target": 1.5, "max": 4 }"#), at: "\(path).target", containing: "must be in (0, 1]")
        expectIssue(api(#""autoscaling": { "metric": "requests_per_instance", "target": 0, "max": 4 }"#),
                    at: "\(path).target", containing: "must be positive")
        expectIssue(api(#""autoscaling": { "max": 4 }"#), at: "\(path).target", containing: "missing required key")
        expectIssue(api(#""autoscaling": { "target": 0.5 }"#), at: "\(path).max", containing: "missing required key")
        expectIssue(api(#""autoscaling": { "metric": "cpus", "target": 0.5, "max": 4 }"#),
                    at: "\(path).metric", containing: #"did you mean "cpu"?"#)
        expectIssue(api(#""autoscaling": { "target": 0.5, "max": 4, "interval": 0 }"#), at: "\(path).interval", containing: "must be positive")
        expectIssue(api(#""autoscaling": { "target": 0.5, "max": 4, "cooldown": "-1s" }"#), at: "\(path).cooldown", containing: "must not be negative")
    }

    // MARK: Components and faults

    @Test func everyComponentIsCompiledAndFaultsNameThem() throws {
        let faults = """
        , "faults": [ { "component": "api", "instance": 1, "at": "1m", "duration": "30s" },
                      { "component": "replica", "instance": 1, "at": 0, "duration": 10 },
                      { "component": "database", "at": "2m", "duration": "1m", "notes": "failover" },
                      { "component": "cache", "instance": 2, "at": "3m", "duration": "1m" },
                      { "component": "cdn", "region": "europe", "at": "4m", "duration": "1m" },
                      { "component": "web", "instance": 1, "at": "5m", "duration": "1m" } ]
        """
        let m = try #require(model(document(stages: "[ \(bigStage(faults)) ]")))
        #expect(m.components.map(\.name) == ["api[0]", "api[1]", "replica[0]", "replica[1]", "database",
                                             "cache[0]", "cache[1]", "cache[2]", "cdn.us", "cdn.europe", "web[0]", "web[1]"])
        func cpu(_ name: String) -> Int { m.cpus.firstIndex { $0.name == name }! }
        func pool(_ name: String) -> Int { m.pools.firstIndex { $0.name == name }! }
        func cache(_ name: String) -> Int { m.caches.firstIndex { $0.name == name }! }
        #expect(m.components[1] == .init(name: "api[1]", cpus: [cpu("api.cpu[1]"), cpu("api.network[1]")], pools: [pool("api.workers[1]")]))
        #expect(m.components[3] == .init(name: "replica[1]", cpus: [cpu("db.replica.cpu[1]")], pools: [pool("db.replica.connections[1]")]))
        #expect(m.components[4] == .init(name: "database", cpus: [cpu("db.primary.cpu")], pools: [pool("db.primary.connections")]))
        #expect(m.components[7] == .init(name: "cache[2]", cacheParts: [.init(cache: cache("cache"), node: 2, nodes: 3)]))
        #expect(m.components[9] == .init(name: "cdn.europe", cacheParts: [.init(cache: cache("cdn.europe"))]))
        #expect(m.components[11] == .init(name: "web[1]", cpus: [cpu("web.cpu[1]")]))
        let routers = Dictionary(uniqueKeysWithValues: m.routers.map { ($0.name, $0.components) })
        #expect(routers == ["api": [0, 1], "replicas": [2, 3], "web": [10, 11]])
        #expect(m.faults == [.init(component: 1, at: 60, duration: 30), .init(component: 3, at: 0, duration: 10),
                             .init(component: 4, at: 120, duration: 60), .init(component: 7, at: 180, duration: 60),
                             .init(component: 9, at: 240, duration: 60), .init(component: 11, at: 300, duration: 60)])
    }

    @Test func onOneHostTheAPIAndTheDatabaseAreOneComponent() throws {
        let faults = #", "faults": [ { "component": "api", "at": "1m", "duration": "1m" }, { "component": "database", "at": "3m", "duration": "1m" } ]"#
        let m = try #require(model(document(stages: "[ \(hostStage(faults)) ]")))
        func cpu(_ name: String) -> Int { m.cpus.firstIndex { $0.name == name }! }
        func pool(_ name: String) -> Int { m.pools.firstIndex { $0.name == name }! }
        #expect(m.components == [.init(name: "host", cpus: [cpu("host.cpu"), cpu("api.network")],
                                       pools: [pool("api.workers"), pool("db.primary.connections")])])
        #expect(m.routers[0].components == [0])
        #expect(m.faults == [.init(component: 0, at: 60, duration: 60), .init(component: 0, at: 180, duration: 60)])
        let single = try #require(model(document(stages: plainStages)))
        #expect(single.components.map(\.name) == ["api", "database"])
    }

    @Test func faultErrors() throws {
        func big(_ fault: String) -> String { document(stages: "[ \(bigStage(#", "faults": [ \#(fault) ]"#)) ]") }
        func small(_ fault: String) -> String { document(stages: "[ \(smallStage(#", "faults": [ \#(fault) ]"#)) ]") }
        let path = "stages[0].faults[0]"
        expectIssue(small(#"{ "component": "replica", "at": 0, "duration": 1 }"#), at: "\(path).component", containing: #"the stage has no "replicas""#)
        expectIssue(small(#"{ "component": "cache", "at": 0, "duration": 1 }"#), at: "\(path).component", containing: #"the stage has no "cache""#)
        expectIssue(small(#"{ "component": "cdn", "region": "us", "at": 0, "duration": 1 }"#), at: "\(path).component", containing: #"the stage has no "cdn""#)
        expectIssue(small(#"{ "component": "web", "at": 0, "duration": 1 }"#), at: "\(path).component", containing: #"the stage has no "webHosts""#)
        expectIssue(small(#"{ "component": "api", "instance": 1, "at": 0, "duration": 1 }"#), at: "\(path).instance",
                    containing: "must be less than 1, the stage's API instances, got 1")
        expectIssue(big(#"{ "component": "replica", "instance": 2, "at": 0, "duration": 1 }"#), at: "\(path).instance",
                    containing: "must be less than 2, the stage's replicas")
        expectIssue(big(#"{ "component": "cache", "instance": 3, "at": 0, "duration": 1 }"#), at: "\(path).instance",
                    containing: "must be less than 3, the stage's cache nodes")
        expectIssue(big(#"{ "component": "replca", "at": 0, "duration": 1 }"#), at: "\(path).component", containing: #"did you mean "replica"?"#)
        expectIssue(big(#"{ "component": "cdn", "region": "europ", "at": 0, "duration": 1 }"#), at: "\(path).region",
                    containing: #"no region "europ" in workload.regions (did you mean "europe"?)"#)
        expectIssue(big(#"{ "component": "cdn", "region": "asia", "at": 0, "duration": 1 }"#), at: "\(path).region",
                    containing: #"the regions are "us", "europe""#)
        expectIssue(big(#"{ "component": "cdn", "at": 0, "duration": 1 }"#), at: "\(path).region", containing: "missing required key")
        expectIssue(big(#"{ "component": "cdn", "instance": 0, "region": "us", "at": 0, "duration": 1 }"#), at: "\(path).instance",
                    containing: #"named by its "region""#)
        expectIssue(big(#"{ "component": "database", "instance": 0, "at": 0, "duration": 1 }"#), at: "\(path).instance",
                    containing: "the database primary is one component")
        expectIssue(big(#"{ "component": "api", "region": "us", "at": 0, "duration": 1 }"#), at: "\(path).region",
                    containing: #"only a "cdn" fault names a region"#)
        expectIssue(big(#"{ "component": "api", "at": "-1s", "duration": 1 }"#), at: "\(path).at", containing: "must not be negative")
        expectIssue(big(#"{ "component": "api", "at": 0, "duration": 0 }"#), at: "\(path).duration", containing: "must be positive")
        expectIssue(big(#"{ "component": "api", "duration": 1 }"#), at: "\(path).at", containing: "missing required key")
        expectIssue(big(#"{ "at": 0, "duration": 1 }"#), at: "\(path).component", containing: "missing required key")
        expectIssue(big(#"{ "component": "api", "at": "1m", "duration": "2m" }, { "component": "api", "at": "2m", "duration": "1m" }"#),
                    at: "stages[0].faults[1].at", containing: "overlaps stages[0].faults[0] on the same component (api[0], down from 60 s to 180 s)")
        expectIssue(document(stages: "[ \(hostStage(#", "faults": [ { "component": "api", "at": 0, "duration": 10 }, { "component": "database", "at": 5, "duration": 1 } ]"#)) ]"),
                    at: "stages[0].faults[1].at", containing: "on the same component (host,")
        expectIssue(document(stages: "[ \(smallStage(#", "faults": { "component": "api" }"#)) ]"), at: "stages[0].faults", containing: "expected an array")
        // Back to back is not an overlap; an instance up to the autoscaling maximum exists.
        #expect(model(big(#"{ "component": "api", "at": "1m", "duration": "1m" }, { "component": "api", "at": "2m", "duration": "1m" }"#)) != nil)
        let scaling = bigStage(#", "faults": [ { "component": "api", "instance": 7, "at": 0, "duration": 1 } ]"#,
                               api: #""coresPerInstance": 2, "autoscaling": { "target": 0.5, "max": 8 }"#)
        #expect(model(document(stages: "[ \(scaling) ]"))?.faults == [.init(component: 7, at: 0, duration: 1)])
        let tooFar = scaling.replacingOccurrences(of: #""instance": 7"#, with: #""instance": 8"#)
        expectIssue(document(stages: "[ \(tooFar) ]"), at: "\(path).instance", containing: "must be less than 8, the stage's most API instances (autoscaling max)")
        // A workload with one region: a CDN fault may leave the region out.
        let oneRegion = workload().replacingOccurrences(of: #"{ "name": "us", "share": 0.5, "latencyToDataCentre": "10ms" },"#, with: "")
            .replacingOccurrences(of: #""share": 0.5, "latencyToDataCentre": "50ms""#, with: #""share": 1, "latencyToDataCentre": "50ms""#)
        let edge = try #require(model(document(workload: oneRegion, stages: "[ \(bigStage(#", "faults": [ { "component": "cdn", "at": 0, "duration": 1 } ]"#)) ]")))
        #expect(edge.components[edge.faults[0].component].name == "cdn.europe")
    }

    @Test func faultsAreInheritedAndNullRemovesThem() throws {
        let stages = """
        [ \(bigStage(#", "faults": [ { "component": "replica", "instance": 1, "at": "1m", "duration": "1m" } ]"#)),
          { "name": "inherits", "extends": "big", "replicas": { "count": 3 } },
          { "name": "removes", "extends": "big", "faults": null },
          { "name": "replaces", "extends": "big", "faults": [ { "component": "database", "at": 0, "duration": 5 } ] } ]
        """
        let scenario = try #require(architecture(document(stages: stages)))
        #expect(scenario.stages.map(\.faults.count) == [1, 1, 0, 1])
        #expect(scenario.stages[1].faults == scenario.stages[0].faults)
        #expect(scenario.stages[3].faults.map(\.target) == [.database])
        let models = scenario.stages.indices.map { scenario.compile(stage: $0).model }
        #expect(models[1].faults.map { models[1].components[$0.component].name } == ["replica[1]"])
        #expect(models[2].faults.isEmpty)

        // An inherited fault that no longer fits is reported where it was written.
        let broken = """
        [ \(bigStage(#", "faults": [ { "component": "replica", "instance": 1, "at": "1m", "duration": "1m" } ]"#)),
          { "name": "fewer", "extends": "big", "replicas": { "count": 1 } } ]
        """
        expectIssue(document(stages: broken), at: "stages[0].faults[0].instance",
                    containing: #"must be less than 1, the stage's replicas, got 1 (in stages[1] "fewer", which inherits this value)"#)
    }

    // MARK: Coalescing

    @Test func cacheCoalesce() throws {
        let stage = bigStage().replacingOccurrences(of: #""ttl": "1m""#, with: #""ttl": "1m", "coalesce": true"#)
        let m = try #require(model(document(stages: "[ \(stage) ]")))
        #expect(m.caches.first { $0.name == "cache" }?.coalesce == true)
        #expect(m.caches.filter { $0.name != "cache" }.allSatisfy { !$0.coalesce })
        let wrong = bigStage().replacingOccurrences(of: #""ttl": "1m""#, with: #""ttl": "1m", "coalesce": 1"#)
        expectIssue(document(stages: "[ \(wrong) ]"), at: "stages[0].cache.coalesce", containing: "expected true or false")
    }

    /// `api.backlog` bounds each instance's worker queue; a hot key's `queryCpu` gives its
    /// misses their own query, with a cache or (drawing the key) without one.
    @Test func backlogAndAHotKeysOwnQuery() throws {
        let stage = bigStage(api: #""instances": 2, "coresPerInstance": 2, "backlog": 64"#)
        let m = try #require(model(document(stages: "[ \(stage) ]")))
        #expect(m.pools.filter { $0.name.hasPrefix("api.workers") }.map(\.queueLimit) == [64, 64])
        #expect(m.pools.filter { !$0.name.hasPrefix("api.workers") }.allSatisfy { $0.queueLimit == nil })
        expectIssue(document(stages: "[ \(bigStage(api: #""instances": 2, "coresPerInstance": 2, "backlog": -1"#)) ]"),
                    at: "stages[0].api.backlog", containing: "at least 0")

        let costly = #"[ { "name": "celebrity", "share": 0.3, "queryCpu": "1s" } ]"#
        let cached = try #require(model(document(workload: workload(hotKeys: costly), stages: "[ \(bigStage()) ]")))
        let cache = try #require(cached.caches.firstIndex { $0.name == "cache" })
        let jumps = cached.steps.compactMap { step -> Int? in if case let .ifKey(c, key, _) = step, c == cache, key == 0 { return key }; return nil }
        #expect(!jumps.isEmpty, "a view reads the hot key's own query")
        #expect(cached.samplers.contains { $0.streamName == "hot key:celebrity:query cpu" && $0.distribution == .exponential(mean: 1) })
        let uncached = try #require(model(document(workload: workload(hotKeys: costly))))
        let keys = try #require(uncached.caches.firstIndex { $0.name == "user keys (no cache)" })
        #expect(uncached.steps.contains(.drawKey(cache: keys)))
        #expect(uncached.caches[keys].ttl == 0 && uncached.caches[keys].hotShares == [0.3])
        expectIssue(document(workload: workload(hotKeys: #"[ { "name": "c", "share": 0.3, "queryCpu": "fast" } ]"#)),
                    at: "workload.hotKeys[0].queryCpu", containing: "expected")
    }

    // MARK: Schema

    @Test func schemaListsTheNewKeys() {
        let schema = ArchitectureScenario.jsonSchema
        func keys(_ definition: String) -> Set<String> {
            guard case .object(let members)? = schema["$defs"]?[definition]?["properties"] else { return [] }
            return Set(members.map(\.key))
        }
        #expect(keys("profile") == Set(ArchitectureDecoder.profileKeys))
        #expect(keys("retries") == Set(ArchitectureDecoder.retryKeys))
        #expect(keys("hotKey") == Set(ArchitectureDecoder.hotKeyKeys))
        #expect(keys("healthCheck") == Set(StageDecoder.healthCheckKeys))
        #expect(keys("autoscaling") == Set(StageDecoder.autoscalingKeys))
        #expect(keys("fault") == Set(StageDecoder.faultKeys))
        #expect(keys("api").contains("autoscaling") && keys("loadBalancer").contains("healthCheck")
                && keys("replicas").contains("healthCheck") && keys("cache").contains("coalesce"))
    }
}
