import Foundation
import Testing
@testable import ScaleSim

/// The time series of a system that changes during its run (a fault, health checks,
/// autoscaling, retries), from hand-made results: the columns appended to `timeseries.csv`,
/// the charts of errors and retries and of instances in service, and the markers of what
/// happened drawn on every chart over time.
@Suite struct ChangingSystemTimeSeriesTests {
    static let run = RunSettings(duration: 40, warmup: 10, replications: 2, confidence: 0.95, window: 10)

    /// Two API instances behind an autoscaled router (at most 4), with a cache and a class
    /// that retries.
    static func model(autoscaling: Bool = true, retries: Bool = true) -> Model {
        var m = Model(name: "changing")
        m.classes = [.init(name: "read", timeout: 1,
                           retry: retries ? .init(attempts: 2, backoff: 0.1) : nil)]
        m.cpus = [.init(name: "api.cpu[0]", cores: 2, discipline: .ps), .init(name: "api.cpu[1]", cores: 2, discipline: .ps)]
        m.caches = [.init(name: "cache", keys: 100, zipf: 1, ttl: 30, capacity: nil, streamName: "cache")]
        var router = Model.Router(name: "api", policy: .roundRobin, instances: 4, streamName: "api")
        if autoscaling {
            router.autoscaling = .init(metric: .cpu, target: 0.6, minimum: 1, maximum: 4, initial: 2,
                                       interval: 10, cooldown: 30, provisioningDelay: 5)
        }
        m.routers = [router]
        return m
    }

    /// Four windows of 10 s; replication `r` has `r + 1` times the base counts, and the router
    /// has 2, 2, 3 and 4 instances in service (3.5 in the last window of replication 2).
    static func results(markers: [ReplicationResult.Marker], instances: [Double] = [2, 2, 3, 4]) -> [ReplicationResult] {
        (0..<2).map { r in
            var result = ReplicationResult()
            result.measuredTime = 30
            result.markers = r == 0 ? markers : []
            let factor = UInt64(r + 1)
            result.windows = (0..<4).map { k in
                var w = ReplicationResult.Window(start: Double(k) * 10, end: Double(k + 1) * 10)
                w.arrivals = 100 * factor
                w.completed = 90 * factor
                w.errors = UInt64(k) * factor
                w.timeouts = UInt64(2 * k) * factor
                w.retries = UInt64(5 * k) * factor
                w.latencySum = 0.01 * Double(w.completed)
                w.p99 = 0.05
                w.cpuBusyArea = [10, 5]
                w.cacheLookups = [50]
                w.cacheHits = [40]
                let last = r == 1 && k == 3
                w.routerInstanceArea = [(last ? 3.5 : instances[k]) * 10]
                return w
            }
            return result
        }
    }

    static let markers: [ReplicationResult.Marker] = [
        .init(time: 12, kind: .faultStart, label: "api[0]"),
        .init(time: 14, kind: .removed, label: "api[0]<a&b>"),
        .init(time: 21, kind: .scaleOut, label: "api 3"),
        .init(time: 26, kind: .provisioned, label: "api 3"),
        .init(time: 27, kind: .faultEnd, label: "api[0]"),
        .init(time: 33, kind: .restored, label: "api[0]<a&b>"),
    ]

    @Test func csvAppendsErrorRetryAndInstanceColumns() throws {
        let series = TimeSeries(name: "stage", model: Self.model(), run: Self.run, results: Self.results(markers: Self.markers))
        #expect(series.changes)
        #expect(series.resources.map(\.kind) == [.cpu, .cpu, .cache, .router])
        let rows = TimeSeriesReportTests.parseCSV(TimeSeries.csv([series], keyColumn: "stage"))
        let header = try #require(rows.first)
        let expected = ["stage"] + TimeSeries.fixedColumns + ["api.cpu[0]_utilization", "api.cpu[1]_utilization", "cache_hit_ratio",
                                                               "errors_per_s", "timeouts_per_s", "retries", "retries_per_s",
                                                               "offered_per_s", "api_instances"]
        #expect(header == expected)
        #expect(rows.count == 1 + 2 * 4)
        let column = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        func cell(_ row: Int, _ name: String) -> String { rows[row][column[name]!] }
        // Replication 1, window 3 (20-30 s): 2 errors, 4 timeouts, 10 retries, 100 arrivals.
        #expect(cell(3, "errors_per_s") == "0.200000")
        #expect(cell(3, "timeouts_per_s") == "0.400000")
        #expect(cell(3, "retries") == "10")
        #expect(cell(3, "retries_per_s") == "1.000000")
        #expect(cell(3, "offered_per_s") == "11.000000")
        #expect(cell(3, "api_instances") == "3.000000")
        // Replication 2, window 4: doubled counts, 3.5 instances.
        #expect(cell(8, "replication") == "2" && cell(8, "window") == "4")
        #expect(cell(8, "retries_per_s") == "3.000000" && cell(8, "offered_per_s") == "23.000000")
        #expect(cell(8, "api_instances") == "3.500000")
        // The existing columns keep their places and values.
        #expect(cell(3, "api.cpu[0]_utilization") == "0.500000" && cell(3, "cache_hit_ratio") == "0.800000")
        #expect(rows[3][5] == "1" && rows[3][8] == "2")
    }

    @Test func csvOfASystemThatDoesNotChangeKeepsItsColumns() throws {
        var model = Self.model(autoscaling: false, retries: false)
        model.routers[0].autoscaling = nil
        let series = TimeSeries(name: "stage", model: model, run: Self.run, results: Self.results(markers: []))
        #expect(!series.changes)
        #expect(series.resources.allSatisfy { $0.kind != .router })
        let header = try #require(TimeSeriesReportTests.parseCSV(TimeSeries.csv([series], keyColumn: "stage")).first)
        #expect(header == ["stage"] + TimeSeries.fixedColumns + ["api.cpu[0]_utilization", "api.cpu[1]_utilization", "cache_hit_ratio"])
        // A file with one changing and one steady model: the steady one's instance cells are empty.
        let changing = TimeSeries(name: "next", model: Self.model(), run: Self.run, results: Self.results(markers: []))
        let rows = TimeSeriesReportTests.parseCSV(TimeSeries.csv([series, changing], keyColumn: "stage"))
        let instances = try #require(rows[0].firstIndex(of: "api_instances"))
        #expect(rows[1][instances] == "" && rows[9][instances] == "2.000000")
        #expect(rows[1][rows[0].firstIndex(of: "retries")!] == "0")
    }

    @Test func chartsMarkWhatHappened() throws {
        let series = TimeSeries(name: "stage", model: Self.model(), run: Self.run, results: Self.results(markers: Self.markers))
        let figure = series.htmlFigure
        let collector = HTMLReportTests.parse("<html><body>" + figure + "</body></html>")
        #expect(collector.chartTitles == ["Requests per second over time", "p99 latency over time",
                                          "Errors and retries per second over time",
                                          "Utilization over time: the busiest resources", "Instances in service over time",
                                          "Cache hit ratio over time"])
        // Every one of the six charts has the fault's band and the four point markers.
        #expect(figure.components(separatedBy: ">api[0] down</text>").count - 1 == 6)
        #expect(figure.components(separatedBy: "fill-opacity=\"0.15\"").count - 1 == 6)
        #expect(figure.components(separatedBy: "stroke-dasharray=\"3 2\"").count - 1 == 6 * 4)
        for label in ["scale out api 3", "ready api 3", "removed api[0]&lt;a&amp;b&gt;", "restored api[0]&lt;a&amp;b&gt;"] {
            #expect(figure.contains("\(label)</text>"), "no label \(label)")
        }
        #expect(!figure.contains("<a&b>"), "a label is not escaped")
        // The band runs from 12 s to 27 s on a 460-pixel axis of 40 s from x = 64.
        #expect(figure.contains("<rect x=\"202.0\" y=\"46.0\" width=\"172.5\" height=\"150.0\""))
        // The scale-out line at 21 s, and its label written upwards beside it.
        #expect(figure.contains("<line x1=\"305.5\" x2=\"305.5\" y1=\"46.0\" y2=\"196.0\" stroke=\"#3a9d5d\""))
        #expect(figure.contains("transform=\"rotate(-90 314.5 48.0)\""))
        #expect(figure.contains("offered (arrived + retries)"))
        #expect(figure.contains("Red bands: a component down"))
        // The same input gives the same bytes.
        #expect(figure == TimeSeries(name: "stage", model: Self.model(), run: Self.run,
                                     results: Self.results(markers: Self.markers)).htmlFigure)
    }

    @Test func withoutChangesOrMarkersNoNewCharts() {
        // A steady model with errors: the charts as before, no markers, no caption about them.
        let steady = TimeSeries(name: "stage", model: Self.model(autoscaling: false, retries: false), run: Self.run,
                                results: Self.results(markers: []).map { r in
                                    var r = r
                                    for k in r.windows.indices { r.windows[k].retries = 0 }
                                    return r
                                })
        let figure = steady.htmlFigure
        let titles = HTMLReportTests.parse("<html><body>" + figure + "</body></html>").chartTitles
        #expect(titles == HTMLReportTests.timeCharts)
        #expect(!figure.contains("stroke-dasharray=\"3 2\"") && !figure.contains("Red bands"))
        #expect(!figure.contains("offered"))
        // A router whose count can change but did not, without autoscaling: no instance chart.
        var model = Self.model(autoscaling: false, retries: false)
        model.routers[0].components = [0, 1]
        model.components = [.init(name: "api[0]", cpus: [0]), .init(name: "api[1]", cpus: [1])]
        let flat = TimeSeries(name: "stage", model: model, run: Self.run, results: Self.results(markers: [], instances: [2, 2, 2, 2]).prefix(1).map { $0 })
        #expect(!flat.htmlFigure.contains("Instances in service over time"))
        #expect(flat.htmlFigure.contains("Errors and retries per second over time"), "a changing system with errors")
    }

    @Test func aFaultStillGoingAtTheEndShadesToTheEnd() {
        let marks = TimeSeries.chartMarkers([.init(time: 30, kind: .faultStart, label: "db"),
                                             .init(time: 5, kind: .faultStart, label: "cache")], end: 40)
        #expect(marks == [.init(time: 30, until: 40, label: "db down", kind: .fault),
                          .init(time: 5, until: 40, label: "cache down", kind: .fault)])
        let twice = TimeSeries.chartMarkers([.init(time: 1, kind: .faultStart, label: "a"), .init(time: 2, kind: .faultEnd, label: "a"),
                                             .init(time: 3, kind: .faultStart, label: "a"), .init(time: 4, kind: .faultEnd, label: "a")], end: 9)
        #expect(twice.map(\.until) == [2, 4])
    }

    @Test func whatHappenedTableShowsTheFirstEvents() {
        let many = (0..<45).map { ReplicationResult.Marker(time: Double($0), kind: $0 % 2 == 0 ? .scaleOut : .scaleIn, label: "api \($0)") }
        let table = ReplicationResult.Marker.table(many, warmup: 10)
        #expect(table.rows.count == ReplicationResult.Marker.tableRows)
        #expect(table.lead.hasSuffix("the first 40 of 45 events (report.json has them all)."))
        #expect(table.rows[9] == ["9 s (warm-up)", "scale in: api 9"] && table.rows[10] == ["10 s", "scale out: api 10"])
        #expect(ReplicationResult.Marker.table(Array(many.prefix(2)), warmup: 0).lead == "In the first replication, warm-up included.")
    }
}
