import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import ScaleSim

/// The HTML report is well-formed (it parses as XML), holds every station, both charts and
/// both tables, and shows no NaN.
@Suite struct HTMLReportTests {
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String: Int] = [:]
        var text = ""
        /// The text of every cell of every table, by table in document order.
        var tables: [[String]] = []
        var svgTitles: [String] = []
        private var cell: String?
        private var inSVGTitle = false
        private var depth = 0
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            elements[name, default: 0] += 1
            if name == "table" { tables.append([]) }
            if name == "td" { cell = "" }
            if name == "title", elements["svg", default: 0] > svgTitles.count { inSVGTitle = true; svgTitles.append("") }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "td", let c = cell { tables[tables.count - 1].append(c); cell = nil }
            if name == "title" { inSVGTitle = false }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text += string
            if cell != nil { cell! += string }
            if inSVGTitle { svgTitles[svgTitles.count - 1] += string }
        }
    }

    static func parse(_ html: String) -> (Bool, Collector, String) {
        let parser = XMLParser(data: Data(html.replacingOccurrences(of: "<!DOCTYPE html>", with: "").utf8))
        let collector = Collector()
        parser.delegate = collector
        let ok = parser.parse()
        return (ok, collector, parser.parserError.map { "\($0)" } ?? "")
    }

    /// The 100k report: every stage, the summary, every chart (latency percentiles, capacity
    /// ladder, one utilization chart per stage) and every table, with no NaN and no empty cell
    /// in the comparison tables.
    @Test func architectureReportIsWellFormedAndComplete() throws {
        var s = try ArchitectureStoryTests.scenario(duration: 60)
        s.run.replications = 2
        let report = ArchitectureReport.run(s, jobs: 2)
        let (ok, collector, error) = Self.parse(report.html)
        #expect(ok, "report.html is not well-formed: \(error)")
        let stages = s.stages.map(\.name)
        #expect(collector.svgTitles.contains("Latency percentiles per stage"), "\(collector.svgTitles)")
        #expect(collector.svgTitles.contains("Most users within the SLO"), "\(collector.svgTitles)")
        for stage in stages {
            #expect(collector.svgTitles.contains("Utilization: \(stage)"), "utilization chart of \(stage) missing")
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
        let parser = XMLParser(data: Data(html.replacingOccurrences(of: "<!DOCTYPE html>", with: "").utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "report.html is not well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(collector.elements["svg"] == 2, "charts: \(collector.elements["svg"] ?? 0)")
        #expect(collector.elements["table"] == 2, "tables: \(collector.elements["table"] ?? 0)")
        for station in ["api", "db", "cache"] {
            #expect(collector.text.contains(station), "station \(station) missing")
        }
        #expect(!collector.text.contains("nan") && !collector.text.contains("NaN"), "a NaN in the report")
    }
}
