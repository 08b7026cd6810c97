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
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            elements[name, default: 0] += 1
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
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
