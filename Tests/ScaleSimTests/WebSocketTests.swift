import Foundation
import Testing
@testable import ScaleSim

// Realtime connections (`workload.realtime`) and the websocket service (`stages[i].websockets`).

// MARK: Helpers

/// A scenario with a light HTTP workload, `realtime` as the workload's realtime section and
/// `stages` as its stages (JSON text spliced in).
private func document(realtime: String, stages: String, users: Int = 2000, seed: UInt64 = 11,
                      run: String = #"{ "duration": 600, "warmup": 100, "replications": 3 }"#) -> String {
    """
    { "kind": "architecture", "name": "ws", "seed": \(seed), "run": \(run),
      "workload": { "users": \(users), "activeShare": 0.5, "requestsPerActiveUserPerMinute": 0.06,
        "classes": [ { "name": "view", "share": 0.8, "kind": "api", "apiCpu": "2ms" },
                     { "name": "post", "share": 0.2, "kind": "api", "apiCpu": "5ms" } ],
        "realtime": \(realtime) },
      "stages": \(stages) }
    """
}

/// A stage with an API of `apiInstances` instances and a websocket service `websockets` (JSON
/// members, or nil: none).
private func stage(_ websockets: String?, name: String = "s", api: String = #""instances": 2, "coresPerInstance": 2"#,
                   extra: String = "") -> String {
    let ws = websockets.map { #", "websockets": { \#($0) }"# } ?? ""
    return #"{ "name": "\#(name)", "api": { \#(api) }, "loadBalancer": {}, "database": { "cores": 2 }\#(ws)\#(extra) }"#
}

/// The scenario of `text` (a scenario error is thrown: the test fails with its message).
private func scenario(_ text: String) throws -> ArchitectureScenario? {
    if case .architecture(let scenario) = try Scenario.load(bytes: Array(text.utf8)) { return scenario }
    return nil
}

/// The problems of `text` (none when it is valid).
private func issues(_ text: String) -> [ScenarioIssue] {
    do { _ = try Scenario.load(bytes: Array(text.utf8)) } catch { return error.issues }
    return []
}

/// Runs stage `index` and gives its model, replications and report figures.
private func run(_ s: ArchitectureScenario, stage index: Int = 0) -> (model: Model, results: [ReplicationResult],
                                                                       stage: ArchitectureReport.StageResult) {
    let compiled = s.compile(stage: index)
    let results = Simulation.run(compiled.model, seed: s.seed, run: s.run, jobs: 2)
    var stage = ArchitectureReport.summarize(s, index, compiled, results)
    if let analytic = ModelAnalytic.solve(compiled.model.requestsOnly) { stage.attach(analytic, compiled.model) }
    return (compiled.model, results, stage)
}

/// |a - b| within the estimate's half-width plus `slack` (the interval of one seeded run).
private func close(_ e: Estimate, _ value: Double, slack: Double) -> Bool {
    abs(e.mean - value) <= (e.halfWidth ?? 0) + slack
}

// MARK: Tests

@Suite struct WebSocketTests {
    /// 1,000 connections offered (500 active users, all connected, 60 s each) to 2 instances
    /// of 200: the pools never hold more than their limit, and the rest are refused.
    @Test func connectionsNeverExceedTheLimitAndTheRestAreRejected() throws {
        let seed: UInt64 = 11
        let realtime = #"{ "connectedShare": 1, "connectionDuration": "60s" }"#
        let text = document(realtime: realtime, stages: "[ \(stage(#""instances": 2, "maxConnectionsPerInstance": 200"#)), "
                            + "\(stage(#""instances": 2, "maxConnectionsPerInstance": 200, "whenFull": "queue", "connectTimeout": "5s""#, name: "q")) ]",
                            seed: seed)
        let s = try #require(try scenario(text))
        let reject = run(s, stage: 0)
        let pools = reject.model.pools.indices.filter { reject.model.pools[$0].name.hasPrefix("websockets.connections") }
        #expect(pools.count == 2, "seed \(seed)")
        for r in reject.results {
            for p in pools {
                #expect(r.pools[p].maximumInUse <= 200, "seed \(seed): pool \(p) held \(r.pools[p].maximumInUse)")
                #expect(r.pools[p].maximumInUse == 200, "seed \(seed): the limit is reached")
                #expect(r.pools[p].waited == 0, "seed \(seed): reject mode never queues")
                #expect(r.pools[p].rejected > 0, "seed \(seed)")
            }
        }
        let w = try #require(reject.stage.websockets)
        #expect(w.limit == 400 && w.heldBy == "websockets")
        // 1,000 offered, 400 held: more than half refused.
        #expect(w.rejectedShare.mean > 0.5, "seed \(seed): rejected \(w.rejectedShare)")
        #expect(w.peakPerInstance?.mean == 200)
        // Connections are not requests: the stage's latency and errors are the HTTP requests'.
        #expect(reject.stage.classes.map(\.name) == ["view", "post"])
        #expect(reject.stage.errorRate.mean == 0, "seed \(seed)")
        #expect(try #require(reject.stage.latency["p99"]).mean < 1, "seed \(seed)")

        // Queue mode: connections wait for a slot (at most those served within the timeout
        // wait), the others give up at once; the limit still holds.
        let queue = run(s, stage: 1)
        let limit = StageCompiler.connectionQueueLimit(s.stages[1].websockets!, realtime: s.workload.realtime!)
        #expect(limit == 16, "5 s over 60 s / 200 per slot")
        #expect(queue.model.pools[pools[0]].queueLimit == limit)
        for r in queue.results {
            for p in pools {
                #expect(r.pools[p].maximumInUse <= 200, "seed \(seed)")
                #expect(r.pools[p].waited > 0, "seed \(seed): queue mode waits")
            }
        }
        let q = try #require(queue.stage.websockets)
        #expect(try #require(q.waitedShare).mean > 0.5, "seed \(seed)")
        #expect(try #require(q.meanWait).mean < 5, "seed \(seed): those that wait are served within connectTimeout on average")
        #expect(q.rejectedShare.mean > 0.4, "seed \(seed): the overload still gives up")
    }

    /// Random routing gives each of n instances a Poisson share, so the rejected share is
    /// Erlang B(limit, offered / n), and the connections open follow Little's law.
    @Test func rejectedShareIsErlangBAndOpenConnectionsFollowLittlesLaw() throws {
        let seed: UInt64 = 5
        // 400 active users × 0.5 connected = 200 connections offered, 50 per instance of 50.
        let realtime = #"{ "connectedShare": 0.5, "connectionDuration": "60s", "messagesPerMinute": 1 }"#
        let ws = #""instances": 4, "coresPerInstance": 1, "maxConnectionsPerInstance": 50, "cpuPerMessage": "20ms", "loadBalancer": { "policy": "random" }"#
        let text = document(realtime: realtime, stages: "[ \(stage(ws)) ]", users: 800, seed: seed,
                            run: #"{ "duration": 12000, "warmup": 600, "replications": 5 }"#)
        let s = try #require(try scenario(text))
        let (_, _, result) = run(s)
        let w = try #require(result.websockets)
        let blocking = QueueingFormulas.erlangB(servers: 50, offeredLoad: 50)
        #expect(abs(try #require(w.analytic?.rejectedShare) - blocking) < 1e-12)
        #expect(close(w.rejectedShare, blocking, slack: 0.005), "seed \(seed): rejected \(w.rejectedShare), Erlang B \(blocking)")
        let rate = 200.0 / 60
        let open = rate * 60 * (1 - blocking)
        #expect(close(w.meanOpen, open, slack: 0.01 * open), "seed \(seed): open \(w.meanOpen), Little \(open)")
        // One message of 20 ms per accepted connection, over 4 cores.
        let busy = rate * (1 - blocking) * 0.020 / 4
        #expect(close(w.cpuUtilization, busy, slack: 0.03 * busy), "seed \(seed): CPU \(w.cpuUtilization), expected \(busy)")
        #expect(abs(try #require(w.analytic?.cpuUtilization) - busy) < 1e-9)
        // Every pool's mean occupancy in the report, beside its analytic value.
        let pool = try #require(result.resources.first { $0.name == "websockets.connections[0]" })
        #expect(abs(try #require(pool.analytic) - open / 200) < 1e-9)
    }

    /// The effective message rate adds the fan-out spread over the connections; a connection's
    /// program unrolls at most 64 message steps, each carrying its share of the CPU work.
    @Test func fanOutAndUnrolledMessages() throws {
        let realtime = #"{ "connectedShare": 0.1, "connectionDuration": "30m", "messagesPerMinute": 2, "fanOut": { "classes": ["post"], "followersOnline": 40 } }"#
        let text = document(realtime: realtime, stages: "[ \(stage(#""cpuPerMessage": { "dist": "deterministic", "value": "1ms" }"#)) ]")
        let s = try #require(try scenario(text))
        let users = 2000
        // 1000 active users: 100 connections; posts at 1000 × 0.06 / 60 × 0.2 = 0.2/s, × 40.
        let connections = s.workload.realtime!.connections(users: users, workload: s.workload)
        #expect(abs(connections - 100) < 1e-9)
        let perMinute = s.workload.realtime!.effectiveMessagesPerMinute(users: users, workload: s.workload)
        #expect(abs(perMinute - (2 + 0.2 * 40 / 100 * 60)) < 1e-9)
        // 6.8 messages a minute over 30 minutes: 204 messages, 64 steps of 204/64 each.
        let model = s.compile(stage: 0).model
        let messageCPU = model.samplers.indices.filter { model.samplers[$0].streamName == "realtime:message cpu" }
        #expect(messageCPU.count == 1)
        let uses = model.steps.filter { if case .use(_, let sampler, _) = $0 { messageCPU.contains(sampler) } else { false } }
        #expect(uses.count == StageCompiler.maximumMessageSteps)
        let expected = 0.001 * perMinute * 30 / Double(StageCompiler.maximumMessageSteps)
        #expect(abs(model.samplers[messageCPU[0]].distribution.mean - expected) < 1e-12)
        #expect(StageCompiler.messageSteps(perConnection: 0) == (0, 0))
        #expect(StageCompiler.messageSteps(perConnection: 0.3) == (1, 0.3))
        #expect(StageCompiler.messageSteps(perConnection: 2.4) == (2, 1.2))
        // Connections never jump back: the analytic model of requests still solves the stage.
        #expect(ModelAnalytic.solve(model.requestsOnly) != nil)
    }

    /// Without a websocket service the API instances hold the connections, a worker each: the
    /// workers run out and the HTTP requests time out while the API's CPU idles.
    @Test func withoutTheServiceConnectionsTakeTheAPIWorkers() throws {
        let seed: UInt64 = 3
        // 100 connections of 2 minutes on 1 instance of 8 workers.
        let realtime = #"{ "connectedShare": 0.2, "connectionDuration": "2m", "messagesPerMinute": 1 }"#
        let text = document(realtime: realtime, stages: "[ \(stage(nil, api: #""instances": 1, "coresPerInstance": 2"#)), "
                            + "\(stage(#""instances": 1"#, name: "split", api: #""instances": 1, "coresPerInstance": 2"#)) ]",
                            users: 1000, seed: seed)
        let s = try #require(try scenario(text))
        let before = run(s, stage: 0)
        let w = try #require(before.stage.websockets)
        #expect(w.heldBy == "api" && w.limit == 8)
        let workers = try #require(before.stage.resources.first { $0.name == "api.workers" })
        #expect(try #require(workers.utilization).mean > 0.99, "seed \(seed): workers \(String(describing: workers.utilization))")
        #expect(before.stage.errorRate.mean > 0.5, "seed \(seed): HTTP requests starve, errors \(before.stage.errorRate)")
        #expect(!before.model.pools.contains { $0.name.hasPrefix("websockets") })
        // The analytic model of requests sees what the connections leave of the workers: none.
        #expect(before.model.exhaustedByBackground)
        #expect(before.model.requestsOnly.pools.first { $0.name == "api.workers" }?.capacity == 1)
        #expect(s.analyticCheck(stage: 0, users: 1000)?.failsOn == "overload")
        #expect(s.analyticCheck(stage: 1, users: 1000)?.passes == true)
        let after = run(s, stage: 1)
        #expect(after.stage.errorRate.mean == 0, "seed \(seed): split out, requests pass, errors \(after.stage.errorRate)")
        #expect(try #require(after.stage.websockets).rejectedShare.mean == 0, "seed \(seed)")
        // The websocket service's cost is in the stage's.
        #expect(s.stages[1].costs.contains { $0.component == "websockets" })
    }

    /// Autoscaling on connections: 800 connections with a target of 100 per instance scales
    /// one instance out to about 8.
    @Test func autoscalingOnConnectionsScalesOut() throws {
        let seed: UInt64 = 7
        let realtime = #"{ "connectedShare": 1, "connectionDuration": "60s" }"#
        let ws = #""instances": 1, "maxConnectionsPerInstance": 1000, "autoscaling": { "target": 100, "max": 10, "interval": "20s", "provisioningDelay": "10s" }, "costPerInstancePerHour": 0.5"#
        let text = document(realtime: realtime, stages: "[ \(stage(ws)) ]", users: 1600, seed: seed,
                            run: #"{ "duration": 600, "warmup": 300, "replications": 2 }"#)
        let s = try #require(try scenario(text))
        #expect(s.stages[0].websockets?.autoscaling?.metric == .connections)
        let (model, results, result) = run(s)
        let router = try #require(model.routers.firstIndex { $0.name == "websockets" })
        #expect(model.routers[router].autoscaling?.metric == .inFlightPerInstance)
        #expect(model.routers[router].instances == 10)
        for r in results {
            #expect(r.routers[router].maximumInService >= 7, "seed \(seed): \(r.routers[router].maximumInService) in service")
            #expect(r.markers.contains { $0.kind == .scaleOut && $0.label.hasPrefix("websockets") }, "seed \(seed)")
        }
        // The bill counts the instances that ran, on average.
        let figures = try #require(result.routers.first { $0.name == "websockets" })
        let running = try #require(figures.meanRunning).mean
        let cost = try #require(figures.costPerHour)
        #expect(running > 1 && abs(cost - 0.5 * running) < 1e-9, "\(cost) for \(running) running")
        #expect(abs(result.costPerHour - 0.5 * running) < 1e-9, "\(result.costPerHour)")
    }

    /// Every bad value names its JSON path; the API's autoscaling does not take `connections`.
    @Test func badInputNamesItsPath() {
        let good = #"{ "connectedShare": 0.5, "connectionDuration": "60s" }"#
        let cases: [(realtime: String, websockets: String, path: String, fragment: String)] = [
            (#"{ "connectedShare": 0, "connectionDuration": "60s" }"#, "", "workload.realtime.connectedShare", "must be in (0, 1]"),
            (#"{ "connectedShare": 0.5 }"#, "", "workload.realtime.connectionDuration", "missing required key"),
            (#"{ "connectedShare": 0.5, "connectionDuration": "-1s" }"#, "", "workload.realtime.connectionDuration", "positive"),
            (#"{ "connectedShare": 0.5, "connectionDuration": "1m", "messagesPerMinute": -1 }"#, "", "workload.realtime.messagesPerMinute", "must not be negative"),
            (#"{ "connectedShare": 0.5, "connectionDuration": "1m", "fanOut": { "classes": ["pots"], "followersOnline": 3 } }"#, "",
             "workload.realtime.fanOut.classes[0]", #"did you mean "post""#),
            (#"{ "connectedShare": 0.5, "connectionDuration": "1m", "fanOut": { "classes": ["post"] } }"#, "",
             "workload.realtime.fanOut.followersOnline", "missing required key"),
            (#"{ "connectedShare": 0.5, "connectionDuration": "1m", "messagesPerMinit": 3 }"#, "", "workload.realtime.messagesPerMinit", "messagesPerMinute"),
            (good, #""instances": 0"#, "stages[0].websockets.instances", "at least 1"),
            (good, #""memoryPerConnection": "0KB""#, "stages[0].websockets.memoryPerConnection", "positive"),
            (good, #""memoryPerInstance": "1KB""#, "stages[0].websockets.memoryPerInstance", "at least one connection"),
            (good, #""whenFull": "drop""#, "stages[0].websockets.whenFull", "reject"),
            (good, #""connectTimeout": "0s""#, "stages[0].websockets.connectTimeout", "positive"),
            (good, #""cpuPerMessage": { "dist": "exponential" }"#, "stages[0].websockets.cpuPerMessage.mean", "missing required key"),
            (good, #""loadBalancer": { "policy": "fastest" }"#, "stages[0].websockets.loadBalancer.policy", "least_connections"),
            (good, #""autoscaling": { "metric": "memory", "target": 1, "max": 2 }"#, "stages[0].websockets.autoscaling.metric", "connections"),
            (good, #""autoscaling": { "target": 100, "max": 2, "min": 2 }"#, "stages[0].websockets.autoscaling.min", "websockets.instances"),
            (good, #""instanses": 2"#, "stages[0].websockets.instanses", "instances"),
        ]
        for c in cases {
            let ws = c.websockets.isEmpty ? nil : c.websockets
            let found = issues(document(realtime: c.realtime, stages: "[ \(stage(ws)) ]"))
            #expect(found.count == 1 && found.first?.path == c.path && found.first?.message.contains(c.fragment) == true,
                    "\(c.path): \(found)")
        }
        let noRealtime = document(realtime: good, stages: "[ \(stage(#""instances": 1"#)) ]")
            .replacingOccurrences(of: #""realtime": \#(good)"#, with: #""notes": "no realtime""#)
        let unused = issues(noRealtime)
        #expect(unused.map(\.path) == ["stages[0].websockets"] && unused.first?.message.contains("realtime") == true, "\(unused)")
        let apiScaling = stage(nil, api: #""instances": 2, "coresPerInstance": 2, "autoscaling": { "metric": "connections", "target": 10, "max": 4 }"#)
        let found = issues(document(realtime: good, stages: "[ \(apiScaling) ]"))
        #expect(found.map(\.path) == ["stages[0].api.autoscaling.metric"], "\(found)")
    }

    /// A websocket instance that fails takes its open connections with it, and refuses new
    /// ones while down; a fault names an instance the service has.
    @Test func aFailedInstanceDropsItsConnections() throws {
        let seed: UInt64 = 13
        let realtime = #"{ "connectedShare": 0.2, "connectionDuration": "60s" }"#
        let fault = #", "faults": [ { "component": "websocket", "instance": 1, "at": 300, "duration": 60 } ]"#
        let s = try #require(try scenario(document(realtime: realtime, stages: "[ \(stage(#""instances": 2"#, extra: fault)) ]", seed: seed)))
        #expect(s.stages[0].faults.first?.target == .websocket(instance: 1))
        let (model, results, result) = run(s)
        #expect(model.faults.count == 1 && model.components[model.faults[0].component].name == "websockets[1]")
        let connections = try #require(model.classes.firstIndex { $0.background })
        for r in results { #expect(r.classes[connections].failures > 0, "seed \(seed)") }
        #expect(try #require(result.websockets).rejectedShare.mean > 0, "seed \(seed)")
        let bad = #", "faults": [ { "component": "websocket", "instance": 2, "at": 300, "duration": 60 } ]"#
        let found = issues(document(realtime: realtime, stages: "[ \(stage(#""instances": 2"#, extra: bad)) ]"))
        #expect(found.map(\.path) == ["stages[0].faults[0].instance"] && found.first?.message.contains("websocket instances") == true, "\(found)")
        let none = issues(document(realtime: realtime, stages: "[ \(stage(nil, extra: bad)) ]"))
        #expect(none.map(\.path) == ["stages[0].faults[0].component"], "\(none)")
    }

    @Test func schemaListsEveryKey() {
        let schema = ArchitectureScenario.jsonSchema
        func keys(_ definition: String) -> Set<String> {
            guard case .object(let members)? = schema["$defs"]?[definition]?["properties"] else { return [] }
            return Set(members.map(\.key))
        }
        #expect(keys("realtime") == Set(ArchitectureDecoder.realtimeKeys))
        #expect(keys("fanOut") == Set(ArchitectureDecoder.fanOutKeys))
        #expect(keys("websockets") == Set(StageDecoder.webSocketKeys))
    }

    /// A stage inherits the websocket service and may change one value or remove it; a bad
    /// value is reported at the stage that wrote it.
    @Test func inheritance() throws {
        let realtime = #"{ "connectedShare": 0.5, "connectionDuration": "60s" }"#
        let stages = "[ \(stage(#""instances": 3, "maxConnectionsPerInstance": 100, "memoryPerConnection": "1MB", "memoryPerInstance": "50MB""#, name: "a")), "
            + #"{ "name": "b", "extends": "a", "websockets": { "whenFull": "queue" } }, { "name": "c", "extends": "a", "websockets": null } ]"#
        let s = try #require(try scenario(document(realtime: realtime, stages: stages)))
        let a = try #require(s.stages[0].websockets), b = try #require(s.stages[1].websockets)
        #expect(a.connectionsPerInstance == 50, "memory: 50 MB / 1 MB")
        #expect(b.instances == 3 && b.whenFull == .queue && a.whenFull == .reject)
        #expect(s.stages[2].websockets == nil)
        let bad = "[ \(stage(#""instances": -1"#, name: "a")), " + #"{ "name": "b", "extends": "a" } ]"#
        let found = issues(document(realtime: realtime, stages: bad))
        #expect(found.map(\.path) == ["stages[0].websockets.instances"], "\(found)")
    }
}
