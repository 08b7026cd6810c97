import Foundation
import Testing
@testable import ScaleSim

/// `timeseries.csv`: its columns, one row per stage, replication and window, numbers where
/// they must be, the same bytes for the same seed, and figures that agree with the report.
@Suite struct TimeSeriesReportTests {
    /// Two stages of `scenarios/100k.json` (the second has a cache, CDN edges and replicas),
    /// shortened: 120 s with a 24 s warm-up, so 60 windows of 2 s.
    static func stages() throws -> ArchitectureScenario {
        var s = try ArchitectureStoryTests.scenario(duration: 120, stages: ["1k", "100k"])
        s.run.replications = 2
        return s
    }

    /// `stages()` run once (with the analytic capacity search, which changes no simulated
    /// figure), shared by the CSV test here and `HTMLReportTests`'s charts over time.
    static let report: Result<(scenario: ArchitectureScenario, report: ArchitectureReport), Error> = Result {
        let s = try stages()
        return (s, ArchitectureReport.run(s, jobs: 2))
    }

    /// The fields of each line of a CSV text (RFC 4180: quoted fields may hold commas and
    /// doubled quotes).
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var characters = Array(text)[...]
        while let c = characters.popFirst() {
            if quoted {
                if c == "\"" {
                    if characters.first == "\"" { field.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" {
                row.append(field); field = ""
                rows.append(row); row = []
            } else {
                field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    @Test func architectureCSVHasOneRowPerStageReplicationAndWindow() throws {
        let (scenario, report) = try Self.report.get()
        let seed = scenario.seed
        let csv = report.timeSeriesCSV
        let rows = Self.parseCSV(csv)
        let header = try #require(rows.first)
        #expect(Array(header.prefix(13)) == ["stage"] + TimeSeries.fixedColumns, "seed \(seed): header \(header)")
        for column in ["db.primary.cpu_utilization", "api.workers[0]_utilization", "cache_hit_ratio", "db.replica.cpu[0]_utilization"] {
            #expect(header.contains(column), "seed \(seed): no column \(column) in \(header)")
        }
        #expect(Set(header).count == header.count, "seed \(seed): duplicate columns")
        let body = rows.dropFirst()
        let windows = 60
        #expect(body.count == scenario.stages.count * scenario.run.replications * windows,
                "seed \(seed): \(body.count) rows for \(scenario.stages.count) stages × \(scenario.run.replications) replications × \(windows) windows")
        #expect(!csv.lowercased().contains("nan") && !csv.lowercased().contains("inf"), "seed \(seed): a NaN or infinity")
        let column = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        func number(_ row: [String], _ name: String) -> Double? { Double(row[column[name]!]) }

        for (i, row) in body.enumerated() {
            #expect(row.count == header.count, "seed \(seed): row \(i + 1) has \(row.count) fields")
            guard row.count == header.count else { continue }
            let stage = scenario.stages[i / (scenario.run.replications * windows)].name
            #expect(row[0] == stage, "seed \(seed): row \(i + 1) is for \(row[0]), expected \(stage)")
            for name in TimeSeries.fixedColumns where !name.hasPrefix("latency") {
                #expect(number(row, name)?.isFinite == true, "seed \(seed): row \(i + 1): \(name) = \"\(row[column[name]!])\"")
            }
            // Latency cells are empty exactly when the window has no completions.
            let completions = number(row, "completions") ?? 0
            for name in ["latency_mean_s", "latency_p99_s"] {
                let cell = row[column[name]!]
                #expect(completions > 0 ? Double(cell) != nil : cell.isEmpty, "seed \(seed): row \(i + 1): \(name) = \"\(cell)\"")
            }
            // Every resource of the row's stage has a utilization in [0, 1].
            let series = report.timeSeries[i / (scenario.run.replications * windows)]
            for r in series.resources where r.kind != .cache {
                let u = number(row, r.name + "_utilization")
                #expect(u.map { $0 >= 0 && $0 <= 1 + 1e-9 } == true, "seed \(seed): row \(i + 1): \(r.name) utilization \(String(describing: u))")
            }
        }

        // The measured windows give the report's throughput: per replication, completions over
        // the measured time, averaged over replications.
        for (s, stage) in report.stages.enumerated() {
            var perReplication: [Double] = []
            for r in 0..<scenario.run.replications {
                let first = (s * scenario.run.replications + r) * windows
                let measured = body.dropFirst(first).prefix(windows).filter { $0[column["measured"]!] == "1" }
                let completions = measured.reduce(0.0) { $0 + (number($1, "completions") ?? .nan) }
                perReplication.append(completions / (scenario.run.duration - scenario.run.warmup))
            }
            let mean = perReplication.reduce(0, +) / Double(perReplication.count)
            EngineCheck.expectClose(mean, stage.throughput.mean, "seed \(seed): \(stage.name) throughput from the CSV")
        }
    }

    @Test func csvBytesDependOnTheSeedOnly() throws {
        var scenario = try Self.stages()
        scenario.stages = Array(scenario.stages.suffix(1))
        let one = ArchitectureReport.run(scenario, jobs: 1).timeSeriesCSV
        let two = ArchitectureReport.run(scenario, jobs: 2, capacity: .none).timeSeriesCSV
        #expect(one == two, "seed \(scenario.seed): timeseries.csv depends on --jobs")
        scenario.seed += 1
        #expect(ArchitectureReport.run(scenario, jobs: 2, capacity: .none).timeSeriesCSV != one, "seed \(scenario.seed): another seed, the same CSV")
    }

    @Test func networkCSVHasItsWindowSetting() throws {
        let text = """
            {"kind": "network", "name": "q, with a comma", "seed": 3, "run": {"duration": 100, "warmup": 10, "replications": 3, "window": "5s"},
             "arrivals": [{"class": "r", "to": "api", "rate": 2}],
             "stations": [{"name": "api", "servers": 2, "service": {"dist": "exponential", "mean": "200ms"}}]}
            """
        guard case .network(let scenario) = try Scenario.load(bytes: Array(text.utf8)) else { return }
        let report = NetworkReport.run(scenario, jobs: 2)
        let rows = Self.parseCSV(report.timeSeriesCSV)
        #expect(rows.first == ["network"] + TimeSeries.fixedColumns + ["api_utilization"], "header \(rows.first ?? [])")
        // Windows of 5 s from the warm-up end (10 s): 2 in the warm-up, 18 after it.
        #expect(rows.count == 1 + 3 * 20, "\(rows.count - 1) rows")
        #expect(rows.dropFirst().allSatisfy { $0.first == "q, with a comma" }, "the quoted name does not round-trip")
        #expect(rows.dropFirst().filter { $0[5] == "0" }.count == 3 * 2, "warm-up rows")
        #expect(rows.dropFirst().map { $0[3] }.prefix(3) == ["0.000000", "5.000000", "10.000000"], "window starts")
    }
}
