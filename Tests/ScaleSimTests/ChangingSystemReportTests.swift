import Foundation
import Testing
@testable import ScaleSim

/// `report.json`, `report.md` and `report.html` of a stage that changes during its run, from
/// hand-made results of the 100k stage given retries, a failing API instance, autoscaling
/// and a coalescing cache: retries and failures beside the errors, the instances of the
/// autoscaled router and the cost of those that ran, the cache's coalesced and hot-key
/// misses, and what happened; and none of it for a stage that does not change.
@Suite struct ChangingSystemReportTests {
    static let markers: [ReplicationResult.Marker] = [
        .init(time: 5, kind: .scaleIn, label: "api 2"),
        .init(time: 12, kind: .faultStart, label: "api[0]"),
        .init(time: 14, kind: .removed, label: "api[0]"),
        .init(time: 21, kind: .scaleOut, label: "api 4"),
        .init(time: 26, kind: .provisioned, label: "api 4"),
        .init(time: 27, kind: .faultEnd, label: "api[0]"),
        .init(time: 33, kind: .restored, label: "api[0]"),
    ]

    /// The 100k stage with a 40 s run of four 10 s windows (10 s of warm-up) and two
    /// replications, changed (`changing`) or as the scenario has it.
    static func report(changing: Bool) throws -> (ArchitectureReport, Model) {
        var scenario = try ArchitectureStoryTests.scenario(duration: 40, stages: ["100k"])
        scenario.run = RunSettings(duration: 40, warmup: 10, replications: 2, confidence: 0.95, window: 10)
        var compiled = scenario.compile(stage: 0)
        if changing {
            var m = compiled.model
            for c in m.classes.indices { m.classes[c].retry = .init(attempts: 2, backoff: 0.1) }
            m.components = [.init(name: "api[0]", cpus: [0])]
            m.faults = [.init(component: 0, at: 12, duration: 15)]
            let api = try #require(m.routers.firstIndex { $0.name == "api" })
            m.routers[api].autoscaling = .init(metric: .cpu, target: 0.6, minimum: 1, maximum: m.routers[api].instances,
                                               initial: 2, interval: 10, cooldown: 30, provisioningDelay: 5)
            m.routers[api].components = Array(repeating: 0, count: m.routers[api].instances)
            m.routers[api].healthCheck = .init(interval: 2, unhealthyThreshold: 2, healthyThreshold: 2)
            m.caches[0].coalesce = true
            compiled.model = m
        }
        let results = Self.results(compiled.model, markers: changing ? Self.markers : [], retries: changing)
        let stage = ArchitectureReport.summarize(scenario, 0, compiled, results)
        let series = TimeSeries(name: stage.name, model: compiled.model, run: scenario.run, results: results)
        return (ArchitectureReport(scenario: scenario, stages: [stage], timeSeries: [series]), compiled.model)
    }

    /// Replication `r` (0 or 1): per class 1,000 arrivals, 900 completed, 10 errors,
    /// 100 × (r + 1) retries and 20 failures over 30 measured seconds; the API router has 3
    /// instances in service on average, 3.5 or 4.5 running, a peak of 5 or 6; the first cache
    /// has 60 × (r + 1) coalesced and 30 hot-key misses.
    static func results(_ model: Model, markers: [ReplicationResult.Marker], retries: Bool) -> [ReplicationResult] {
        let api = model.routers.firstIndex { $0.name == "api" }
        return (0..<2).map { r in
            var result = ReplicationResult()
            result.measuredTime = 30
            result.events = 1000
            result.markers = r == 0 ? markers : []
            result.classes = model.classes.map { _ in
                var c = ReplicationResult.ClassResult()
                c.arrivals = 1000; c.completed = 900; c.errors = 10; c.retries = retries ? UInt64(100 * (r + 1)) : 0; c.failures = 20
                for k in 0..<900 { c.latency.record(0.01 + 0.0001 * Double(k % 50)) }
                return c
            }
            result.cpus = model.cpus.map { _ in var c = ReplicationResult.CPUResult(); c.busyArea = 9; return c }
            result.delays = model.delays.map { _ in .init() }
            result.pools = model.pools.map { _ in .init() }
            result.caches = model.caches.map { _ in
                var c = ReplicationResult.CacheResult()
                c.lookups = 1000; c.hits = 800; c.coalesced = UInt64(60 * (r + 1)); c.hotMisses = 30
                return c
            }
            result.routers = model.routers.indices.map { i in
                var router = ReplicationResult.RouterResult()
                if i == api {
                    router.instanceArea = 90; router.runningArea = r == 0 ? 105 : 135; router.maximumInService = 5 + r
                }
                return router
            }
            result.windows = (0..<4).map { k in
                var w = ReplicationResult.Window(start: Double(k) * 10, end: Double(k + 1) * 10)
                w.arrivals = 300; w.completed = 270; w.errors = UInt64(k); w.retries = retries ? UInt64(10 * k) : 0
                w.latencySum = 2.7; w.p99 = 0.02
                w.cpuBusyArea = model.cpus.map { _ in 3 }
                w.poolInUseArea = model.pools.map { _ in 1 }
                w.cacheLookups = model.caches.map { _ in 300 }
                w.cacheHits = model.caches.map { _ in 240 }
                w.routerInstanceArea = model.routers.indices.map { $0 == api ? [20.0, 20, 30, 40][k] : 0 }
                return w
            }
            return result
        }
    }

    static func number(_ value: JSONValue?) -> Double? {
        if case .number(let n)? = value { n } else { nil }
    }

    /// `value` is within a rounding error of `expected`.
    static func close(_ value: Double?, _ expected: Double) -> Bool {
        value.map { abs($0 - expected) <= 1e-12 * max(1, abs(expected)) } ?? false
    }

    @Test func jsonHasRetriesInstancesCostCacheMissesAndWhatHappened() throws {
        let (report, model) = try Self.report(changing: true)
        let stage = try #require(report.json["stages"]?[0])
        let mean = { (value: JSONValue?) in Self.number(value?["mean"]) }
        // 150 retries per 1,000 requests on average; 20 failures per 1,100 or 1,200 attempts.
        #expect(Self.close(mean(stage["retriesPerRequest"]), 0.15))
        let failures = try #require(mean(stage["failureRate"]))
        #expect(Self.close(failures, (20.0 / 1100 + 20.0 / 1200) / 2))
        let classes = try #require(stage["classes"])
        for c in model.classes.indices {
            #expect(Self.close(mean(classes[c]?["retriesPerRequest"]), 0.15), "class \(c)")
            #expect(Self.close(mean(classes[c]?["failureRate"]), failures), "class \(c)")
        }
        // The autoscaled API: 3 in service, a peak of 5.5 on average, 4 running, priced.
        let router = try #require(stage["routers"]?[0])
        #expect(router["name"] == .string("api"))
        #expect(Self.close(mean(router["meanInService"]), 3) && Self.close(mean(router["peakInService"]), 5.5)
                && Self.close(mean(router["meanRunning"]), 4))
        let stageScenario = report.scenario.stages[0]
        let perInstance = stageScenario.api.costPerInstancePerHour
        #expect(Self.close(Self.number(router["costPerHour"]), 4 * perInstance))
        let expectedCost = stageScenario.costPerHour - Double(stageScenario.api.instances) * perInstance + 4 * perInstance
        #expect(Self.close(Self.number(stage["costPerHour"]), expectedCost))
        // The cache: 3 coalesced and 1 hot-key miss per second.
        guard case .array(let resources)? = stage["resources"] else { Issue.record("no resources"); return }
        let cache = try #require(resources.first { $0["name"] == .string(model.caches[0].name) })
        #expect(Self.close(mean(cache["coalescedPerSecond"]), 3) && Self.close(mean(cache["hotMissesPerSecond"]), 1))
        // The timeline round-trips through the written file, in order; "events" is still the count.
        let text = report.json.serialized()
        let parsed = try JSONParser.parse(Array(text.utf8))
        guard case .array(let timeline)? = parsed["stages"]?[0]?["timeline"] else { Issue.record("no timeline"); return }
        #expect(timeline.compactMap(ReplicationResult.Marker.init(json:)) == Self.markers)
        #expect(timeline.first == .object([.init("time", .number(5)), .init("kind", .string("scale_in")), .init("label", .string("api 2"))]))
        #expect(Self.number(parsed["stages"]?[0]?["events"]) == 2000)
    }

    @Test func markdownAndHTMLShowTheTables() throws {
        let (report, _) = try Self.report(changing: true)
        let md = report.markdown
        for text in ["### Retries and failures", "### Instances", "### Cache misses", "### What happened",
                     "| 5 s (warm-up) | scale in: api 2 |", "| 12 s | api[0] fails |", "| 27 s | api[0] recovers |",
                     "| api | 3 ± 0 | 5.5 ±", "not the most there can be"] {
            #expect(md.contains(text), "report.md has no \(text)")
        }
        let collector = HTMLReportTests.parse(report.html)
        #expect(collector.text.contains("What happened") && collector.text.contains("api[0] back in rotation (health checks)"))
        for title in ["Errors and retries per second over time", "Instances in service over time"] {
            #expect(collector.chartTitles.contains(title), "no chart \(title): \(collector.chartTitles)")
        }
        #expect(report.html.contains(">api[0] down</text>"))
        #expect(!collector.text.contains("nan") && !collector.text.contains("NaN"))
        // The report reads back for `scalesim compare`, the router as an item of the stage.
        let snapshot = try ReportSnapshot.read(bytes: Array(report.json.serialized().utf8), file: "report.json")
        let router = try #require(snapshot.groups.first?.items.first { $0.kind == "router" })
        #expect(router.name == "api" && router.figures.map(\.path).contains(["meanRunning"]))
    }

    @Test func aStageThatDoesNotChangeHasNoneOfIt() throws {
        let (report, _) = try Self.report(changing: false)
        let text = report.json.serialized()
        for key in ["retriesPerRequest", "failureRate", "routers", "timeline", "meanInService", "coalescedPerSecond", "hotMissesPerSecond"] {
            #expect(!text.contains("\"\(key)\""), "report.json has \(key)")
        }
        #expect(Self.close(Self.number(report.json["stages"]?[0]?["costPerHour"]), report.scenario.stages[0].costPerHour))
        #expect(!report.markdown.contains("What happened") && !report.html.contains("What happened"))
        #expect(!report.html.contains("Instances in service over time") && !report.html.contains("Errors and retries"))
        #expect(!report.timeSeriesCSV.contains("retries_per_s"))
    }

    @Test func networkReportListsWhatHappenedOnlyWhenSomethingDid() throws {
        let text = """
            {"kind": "network", "name": "q", "seed": 3, "run": {"duration": 40, "warmup": 10, "replications": 2, "window": "10s"},
             "arrivals": [{"class": "r", "to": "api", "rate": 2}],
             "stations": [{"name": "api", "servers": 2, "service": {"dist": "exponential", "mean": "200ms"}}]}
            """
        guard case .network(let scenario) = try Scenario.load(bytes: Array(text.utf8)) else { Issue.record("not a network"); return }
        var report = NetworkReport.run(scenario, jobs: 2)
        let steady = report.json.serialized()
        #expect(!steady.contains("\"timeline\"") && !report.markdown.contains("What happened"))
        report.timeSeries?.markers = Array(Self.markers.prefix(3))
        let parsed = try JSONParser.parse(Array(report.json.serialized().utf8))
        guard case .array(let timeline)? = parsed["timeline"] else { Issue.record("no timeline"); return }
        #expect(timeline.compactMap(ReplicationResult.Marker.init(json:)) == Array(Self.markers.prefix(3)))
        #expect(report.markdown.contains("## What happened") && report.markdown.contains("| 14 s | api[0] taken out of rotation (health checks) |"))
        let collector = HTMLReportTests.parse(report.html)
        #expect(collector.text.contains("What happened"))
        #expect(report.html.contains(">api[0] down</text>"), "the fault is not marked on the charts")
    }
}
