import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import ScaleSim

/// The HTML report is well-formed (it parses as XML), holds every station or stage, its charts
/// (the time series too) and tables, and shows no NaN.
@Suite struct HTMLReportTests {
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String: Int] = [:]
        var text = ""
        /// The text of every `title` of an `svg` (the charts' titles), in order.
        var chartTitles: [String] = []
        /// The text of every `h3` (architecture: "<stage> over time").
        var headings3: [String] = []
        /// The text of every cell of every table, by table in document order.
        var tables: [[String]] = []
        private var open: [String] = []
        private var cell: String?
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            elements[name, default: 0] += 1
            open.append(name)
            if name == "title" && open.dropLast().last == "svg" { chartTitles.append("") }
            if name == "h3" { headings3.append("") }
            if name == "table" { tables.append([]) }
            if name == "td" { cell = "" }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
            if name == "td", let c = cell { tables[tables.count - 1].append(c); cell = nil }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text += string
            if open.last == "title" && open.dropLast().last == "svg" { chartTitles[chartTitles.count - 1] += string }
            if open.last == "h3" { headings3[headings3.count - 1] += string }
            if cell != nil { cell! += string }
        }
    }

    /// Parses `html` as XML; records an issue when it is not well-formed.
    static func parse(_ html: String, sourceLocation: SourceLocation = #_sourceLocation) -> Collector {
        let parser = XMLParser(data: Data(html.replacingOccurrences(of: "<!DOCTYPE html>", with: "").utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "report.html is not well-formed: \(parser.parserError.map { "\($0)" } ?? "")",
                sourceLocation: sourceLocation)
        return collector
    }

    /// The 100k report: every stage, the summary, every chart (latency percentiles, capacity
    /// ladder, per stage its utilization and its charts over time) and every table, with no
    /// NaN and no empty cell in the comparison tables.
    @Test func architectureReportIsWellFormedAndComplete() throws {
        // 30 simulated seconds (6 of them warm-up): the page's form is under
        // test here, not its figures.
        var s = try ArchitectureStoryTests.scenario(duration: 30)
        s.run.replications = 2
        let report = ArchitectureReport.run(s, jobs: 2)
        let collector = Self.parse(report.html)
        let stages = s.stages.map(\.name)
        #expect(collector.chartTitles.contains("Latency percentiles per stage"), "\(collector.chartTitles)")
        #expect(collector.chartTitles.contains("Most users within the SLO"), "\(collector.chartTitles)")
        for stage in stages {
            #expect(collector.chartTitles.contains("Utilization: \(stage)"), "utilization chart of \(stage) missing")
            #expect(collector.headings3.contains("\(stage) over time"), "charts over time of \(stage) missing")
            #expect(collector.text.components(separatedBy: stage).count > 5, "stage \(stage) missing from some table")
        }
        // stages, latency, capacity, heat map, analytic, one resource table per stage.
        #expect(collector.tables.count == 5 + stages.count, "tables: \(collector.tables.count)")
        for (index, name) in ["stages", "latency", "capacity", "utilization", "analytic"].enumerated() where index != 3 {
            #expect(collector.tables[index].allSatisfy { !$0.isEmpty }, "an empty cell in the \(name) table")
        }
        #expect(collector.text.contains("Summary") && collector.text.contains("Run settings"))
        #expect(!collector.text.contains("nan") && !collector.text.contains("NaN"), "a NaN in the report")
    }

    static let timeCharts = ["Requests per second over time", "p99 latency over time",
                             "Utilization over time: the busiest resources", "Cache hit ratio over time"]

    @Test func networkReportIsWellFormedAndComplete() throws {
        let text = """
            {"kind": "network", "name": "html", "seed": 2, "run": {"duration": 2000, "replications": 3},
             "arrivals": [{"class": "r", "to": "api", "rate": 4}],
             "stations": [
               {"name": "api", "servers": 2, "service": {"dist": "exponential", "mean": "100ms"}, "next": [{"to": "db", "p": 0.5}]},
               {"name": "db", "service": {"dist": "lognormal", "mean": "50ms", "scv": 2}, "capacity": 5},
               {"name": "cache", "type": "cache", "keys": 100, "popularity": {"zipf": 1}, "ttl": "10s"}]}
            """
        guard case .network(let scenario) = try Scenario.load(bytes: Array(text.utf8)) else { return }
        let html = NetworkReport.run(scenario, jobs: 2).html
        let collector = Self.parse(html)
        // Utilization and latency, then three charts over time (no request reaches the cache:
        // it has no lookups, so no hit-ratio chart).
        #expect(collector.elements["svg"] == 5, "charts: \(collector.elements["svg"] ?? 0)")
        #expect(collector.chartTitles == ["Utilization per station", "End-to-end latency"] + Self.timeCharts.prefix(3),
                "chart titles: \(collector.chartTitles)")
        #expect(collector.elements["polyline"] ?? 0 >= 5, "lines: \(collector.elements["polyline"] ?? 0)")
        #expect(collector.elements["table"] == 2, "tables: \(collector.elements["table"] ?? 0)")
        for station in ["api", "db", "cache"] {
            #expect(collector.text.contains(station), "station \(station) missing")
        }
        #expect(!collector.text.contains("nan") && !collector.text.contains("NaN"), "a NaN in the report")
    }

    @Test func architectureReportHasChartsOverTimeForEveryStage() throws {
        let (scenario, report) = try TimeSeriesReportTests.report.get()
        let collector = Self.parse(report.html)
        #expect(collector.headings3 == scenario.stages.map { "\($0.name) over time" }, "headings: \(collector.headings3)")
        // Per stage: the utilization bars, then the charts over time (the hit ratios where the
        // stage has a cache: the 100k stage, not the 1k one).
        let expected = ["Latency percentiles per stage", "Most users within the SLO"]
            + zip(scenario.stages, report.timeSeries).flatMap { stage, series in
            ["Utilization: \(stage.name)"] + Self.timeCharts.prefix(series.resources.contains { $0.kind == .cache } ? 4 : 3)
        }
        #expect(collector.chartTitles == expected, "chart titles: \(collector.chartTitles)")
        for stage in scenario.stages {
            #expect(collector.text.contains(stage.name), "stage \(stage.name) missing")
        }
        #expect(!collector.text.contains("nan") && !collector.text.contains("NaN"), "a NaN in the report")
        #expect(collector.text.contains("warm-up"), "the warm-up is not marked")
    }
}
