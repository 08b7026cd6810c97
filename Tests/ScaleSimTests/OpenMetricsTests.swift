import Foundation
import Testing
@testable import ScaleSim

/// `--metrics FILE`: the time series in the OpenMetrics text format. Checked with a strict
/// parser of the format written here (below), on a shortened architecture run with dynamics
/// (superbowl: a spike, autoscaling) and on a network run: the grammar, the values against
/// `timeseries.csv`, the same bytes for the same seed, and the command line.
@Suite struct OpenMetricsTests {
    // MARK: The parser

    /// The parser accepts a small valid exposition and reads it back.
    @Test func parserAcceptsAValidExposition() throws {
        let text = """
            # TYPE foo_seconds gauge
            # UNIT foo_seconds seconds
            # HELP foo_seconds Some text and \\n some \\" escaping \\\\ here
            foo_seconds{a="x",b="escaping\\" example \\n \\\\ end"} 1.5 0.5
            foo_seconds{a="x",b="escaping\\" example \\n \\\\ end"} 2 1.0
            foo_seconds{a="y"} -1e-05 1
            # TYPE bar counter
            bar_total 0 1
            bar_total 17 2.5
            # TYPE baz gauge
            baz NaN 3
            baz +Inf 4
            # EOF

            """
        let parsed = try OpenMetricsParser.parse(text)
        #expect(parsed.families.map(\.name) == ["foo_seconds", "bar", "baz"])
        let foo = try #require(parsed.family("foo_seconds"))
        #expect(foo.unit == "seconds" && foo.help == "Some text and \n some \" escaping \\ here")
        #expect(foo.metrics.count == 2)
        #expect(foo.metrics[0].labels == [.init("a", "x"), .init("b", "escaping\" example \n \\ end")])
        #expect(foo.metrics[0].points.map(\.value) == [1.5, 2])
        #expect(foo.metrics[1].points.map(\.timestamp) == [1])
        #expect(parsed.family("bar")?.metrics.first?.points.map(\.value) == [0, 17])
    }

    /// Broken expositions, each rejected with a reason (the parser is not a rubber stamp).
    @Test(arguments: [
        ("no EOF", "# TYPE a gauge\na 1 1\n"),
        ("EOF without its line feed", "# TYPE a gauge\na 1 1\n# EOF"),
        ("a line after EOF", "# TYPE a gauge\na 1 1\n# EOF\na 2 2\n"),
        ("an empty line", "# TYPE a gauge\n\na 1 1\n# EOF\n"),
        ("a carriage return", "# TYPE a gauge\r\na 1 1\n# EOF\n"),
        ("a plain comment", "# a comment\n# TYPE a gauge\na 1 1\n# EOF\n"),
        ("an unknown type", "# TYPE a meter\na 1 1\n# EOF\n"),
        ("a name starting with a digit", "# TYPE 1a gauge\n1a 1 1\n# EOF\n"),
        ("a name with a dash", "# TYPE a-b gauge\na-b 1 1\n# EOF\n"),
        ("a name starting with an underscore", "# TYPE _a gauge\n_a 1 1\n# EOF\n"),
        ("two TYPE lines", "# TYPE a gauge\n# TYPE a gauge\na 1 1\n# EOF\n"),
        ("metadata after samples", "# TYPE a gauge\na 1 1\n# HELP a late\n# EOF\n"),
        ("interleaved families", "# TYPE a gauge\na 1 1\n# TYPE b gauge\nb 1 1\na 2 2\n# EOF\n"),
        ("a family declared twice", "# TYPE a gauge\na 1 1\n# TYPE b gauge\nb 1 1\n# TYPE a gauge\n# EOF\n"),
        ("interleaved metrics", "# TYPE a gauge\na{x=\"1\"} 1 1\na{x=\"2\"} 1 1\na{x=\"1\"} 2 2\n# EOF\n"),
        ("a timestamp going back", "# TYPE a gauge\na 1 2\na 1 1\n# EOF\n"),
        ("a repeated timestamp", "# TYPE a gauge\na 1 2\na 1 2\n# EOF\n"),
        ("a sample without timestamp", "# TYPE a gauge\na 1\n# EOF\n"),
        ("a unit that is not the suffix", "# TYPE a gauge\n# UNIT a seconds\na 1 1\n# EOF\n"),
        ("a gauge sample with a suffix", "# TYPE a gauge\na_total 1 1\n# EOF\n"),
        ("a counter sample without _total", "# TYPE a counter\na 1 1\n# EOF\n"),
        ("a counter going down", "# TYPE a counter\na_total 5 1\na_total 4 2\n# EOF\n"),
        ("a negative counter", "# TYPE a counter\na_total -1 1\n# EOF\n"),
        ("a decimal comma", "# TYPE a gauge\na 1,5 1\n# EOF\n"),
        ("a hexadecimal value", "# TYPE a gauge\na 0x10 1\n# EOF\n"),
        ("two spaces", "# TYPE a gauge\na  1 1\n# EOF\n"),
        ("a trailing space", "# TYPE a gauge\na 1 1 \n# EOF\n"),
        ("an unescaped quote in a label value", "# TYPE a gauge\na{x=\"a\"b\"} 1 1\n# EOF\n"),
        ("an unknown escape", "# TYPE a gauge\na{x=\"a\\tb\"} 1 1\n# EOF\n"),
        ("a label without quotes", "# TYPE a gauge\na{x=1} 1 1\n# EOF\n"),
        ("a repeated label", "# TYPE a gauge\na{x=\"1\",x=\"2\"} 1 1\n# EOF\n"),
        ("a trailing comma in labels", "# TYPE a gauge\na{x=\"1\",} 1 1\n# EOF\n"),
        ("a label name with a colon", "# TYPE a gauge\na{x:y=\"1\"} 1 1\n# EOF\n"),
        ("a reserved label name", "# TYPE a gauge\na{__x=\"1\"} 1 1\n# EOF\n"),
    ])
    func parserRejectsABrokenExposition(what: String, text: String) {
        #expect(throws: OpenMetricsParser.Failure.self, "\(what) was accepted") { try OpenMetricsParser.parse(text) }
    }

    // MARK: What scalesim writes

    /// superbowl (a spike of traffic, an autoscaling stage) shortened to 40 simulated seconds as
    /// in `FingerprintTests` (every time divided by one factor), two replications, with the first stage renamed so that its label needs escaping.
    static func superbowl() throws -> ArchitectureScenario {
        guard case .architecture(var scenario) = try FingerprintTests.load("scenarios/superbowl.json") else {
            throw OpenMetricsParser.Failure(line: 0, reason: "superbowl is not an architecture scenario")
        }
        FingerprintTests.compressTime(of: &scenario, by: scenario.run.duration / 40)
        scenario.run.replications = 2
        scenario.stages[0].name = "fixed: 4 \"API\" \\ instances\nfirst"
        return scenario
    }

    @Test func architectureRunIsValidAndEqualsTheCSV() throws {
        let scenario = try Self.superbowl()
        let report = ArchitectureReport.run(scenario, jobs: 2, capacity: .none)
        let text = report.openMetrics
        let parsed = try OpenMetricsParser.parse(text)
        let names = Set(parsed.families.map(\.name))
        for name in ["scalesim_arrivals", "scalesim_throughput", "scalesim_latency_p99_seconds",
                     "scalesim_utilization_ratio", "scalesim_instances", "scalesim_measured"] {
            #expect(names.contains(name), "seed \(scenario.seed): no family \(name) in \(names.sorted())")
        }
        #expect(parsed.family("scalesim_latency_p99_seconds")?.unit == "seconds")
        #expect(parsed.family("scalesim_utilization_ratio")?.unit == "ratio")
        #expect(parsed.family("scalesim_arrivals")?.type == "counter")
        // Every label set names its stage (unescaped back to the name) and replication.
        let stages = Set(parsed.families.flatMap(\.metrics).compactMap { $0.label("stage") })
        #expect(stages == Set(scenario.stages.map(\.name)), "stages \(stages.sorted())")
        try Self.expectEqualsCSV(parsed, report.timeSeriesCSV, keyColumn: "stage", seed: scenario.seed)
        // The spike and autoscaling show: the instances of the autoscaling stage change.
        let instances = parsed.family("scalesim_instances")?.metrics
            .filter { $0.label("stage") == "autoscaling: 4 to 16" }.flatMap(\.points).map(\.value) ?? []
        #expect(Set(instances).count > 1, "seed \(scenario.seed): instances \(instances)")
    }

    @Test func networkRunIsValidAndEqualsTheCSV() throws {
        guard case .network(var scenario) = try FingerprintTests.load("scenarios/validation/three-tier.json") else {
            Issue.record("three-tier is not a network scenario")
            return
        }
        scenario.run.duration /= 10
        scenario.run.warmup /= 10
        scenario.run.replications = 2
        let report = NetworkReport.run(scenario, jobs: 2)
        let parsed = try OpenMetricsParser.parse(report.openMetrics)
        #expect(parsed.families.flatMap(\.metrics).allSatisfy { $0.label("stage") == nil })
        #expect(parsed.family("scalesim_utilization_ratio")?.metrics.count == 2 * 3,
                "utilization series: \(parsed.family("scalesim_utilization_ratio")?.metrics.map(\.labels) ?? [])")
        try Self.expectEqualsCSV(parsed, report.timeSeriesCSV, keyColumn: "network", seed: scenario.seed)
        // The same seed gives the same bytes, whatever the number of threads.
        let again = NetworkReport.run(scenario, jobs: 1).openMetrics
        #expect(again == report.openMetrics, "seed \(scenario.seed): a second run wrote other bytes")
    }

    /// A report without time series (read back from JSON) is an exposition with only `# EOF`.
    @Test func noTimeSeriesIsOnlyEOF() throws {
        #expect(TimeSeries.openMetrics([], modelLabel: "stage") == "# EOF\n")
        _ = try OpenMetricsParser.parse("# EOF\n")
    }

    @Test func escapingKeepsEveryLineFeed() {
        #expect(TimeSeries.escaped("a\"b\\c\nd\r\ne") == "a\\\"b\\\\c\\nd\r\\ne")
        #expect(TimeSeries.timestamp(1000) == "1000.0" && TimeSeries.timestamp(1.0 / 3) == "0.333333")
        #expect(TimeSeries.timestamp(0.5) == "0.5" && TimeSeries.timestamp(1e7) == "10000000.0")
    }

    /// Every value of `csv` (one row per model, replication and window) is in `parsed` at the
    /// window's end, and `parsed` has no other sample: gauges equal the CSV's figures (to its
    /// six decimals), counters the running sums of its counts. Rates the CSV does not have
    /// (a network that does not change) are checked against its counts over the window's width.
    static func expectEqualsCSV(_ parsed: OpenMetricsParser.Exposition, _ csv: String, keyColumn: String,
                                seed: UInt64) throws {
        let rows = TimeSeriesReportTests.parseCSV(csv)
        let header = try #require(rows.first)
        let column = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        // sample name, label set (without `kind`) and the timestamp in microseconds -> value.
        var samples: [String: Double] = [:]
        func key(_ name: String, _ labels: [OpenMetricsParser.Label], _ microseconds: Int64) -> String {
            "\(name)|" + labels.filter { $0.name != "kind" }.map { "\($0.name)=\($0.value)" }.joined(separator: "|") + "|\(microseconds)"
        }
        func microseconds(_ seconds: Double) -> Int64 { Int64((seconds * 1e6).rounded()) }
        for family in parsed.families {
            for metric in family.metrics {
                for point in metric.points {
                    let k = key(metric.sampleName, metric.labels, microseconds(point.timestamp))
                    #expect(samples[k] == nil, "seed \(seed): two samples \(k)")
                    samples[k] = point.value
                }
            }
        }
        var matched = Set<String>()
        let gauges: [(csv: String, name: String)] = [
            ("throughput_per_s", "scalesim_throughput"), ("latency_mean_s", "scalesim_latency_mean_seconds"),
            ("latency_p99_s", "scalesim_latency_p99_seconds"), ("measured", "scalesim_measured"),
            ("errors_per_s", "scalesim_error_rate"), ("timeouts_per_s", "scalesim_timeout_rate"),
            ("retries_per_s", "scalesim_retry_rate"), ("offered_per_s", "scalesim_offered_rate"),
        ]
        let counters = [("arrivals", "scalesim_arrivals_total"), ("completions", "scalesim_completions_total"),
                        ("errors", "scalesim_errors_total"), ("timeouts", "scalesim_timeouts_total"),
                        ("retries", "scalesim_retries_total")]
        var totals: [String: UInt64] = [:]  // model|replication|count -> running sum
        for row in rows.dropFirst() {
            func cell(_ name: String) -> String? { column[name].map { row[$0] } }
            let model = row[0], replication = try #require(cell("replication"))
            var labels = keyColumn == "stage" ? [OpenMetricsParser.Label("stage", model)] : []
            labels.append(.init("replication", replication))
            let start = try #require(cell("window_start_s").flatMap(Double.init))
            let end = try #require(cell("window_end_s").flatMap(Double.init))
            let at = microseconds(end)
            func expect(_ name: String, _ labels: [OpenMetricsParser.Label], _ expected: String?, exact: Bool = false) {
                let k = key(name, labels, at)
                let found = samples[k]
                guard let expected, !expected.isEmpty, let value = Double(expected) else {
                    #expect(found == nil, "seed \(seed): \(k) is \(found ?? .nan), the CSV has no value")
                    return
                }
                matched.insert(k)
                guard let found else {
                    Issue.record("seed \(seed): no sample \(k) (CSV: \(expected))")
                    return
                }
                let tolerance = exact ? 0 : 5.01e-7 + 1e-9 * abs(value)
                #expect(abs(found - value) <= tolerance, "seed \(seed): \(k) is \(found), the CSV has \(expected)")
            }
            for (csvColumn, name) in gauges {
                if let value = cell(csvColumn) {
                    expect(name, labels, value)
                } else if let prefix = csvColumn.split(separator: "_").first.map(String.init),
                          case let count = prefix == "offered" ? "arrivals" : prefix,
                          let n = column[count] == nil ? 0 : cell(count).flatMap(Double.init) {
                    // Not in the CSV (a model that does not change): its count over the width
                    // (offered: arrivals and retries; without a retries column, none were made).
                    let found = samples[key(name, labels, at)]
                    #expect(found.map { abs($0 - n / (end - start)) <= 1e-6 * max(1, $0) } == true,
                            "seed \(seed): \(name) \(labels) at \(end) is \(String(describing: found)), counts give \(n / (end - start))")
                    matched.insert(key(name, labels, at))
                }
            }
            for (csvColumn, name) in counters {
                // A CSV of models that do not change has no retries column: none were made.
                let count = try #require(column[csvColumn] == nil ? 0 : cell(csvColumn).flatMap(UInt64.init),
                                         "seed \(seed): no \(csvColumn)")
                let running = "\(model)|\(replication)|\(csvColumn)"
                totals[running, default: 0] += count
                expect(name, labels, "\(totals[running]!)", exact: true)
            }
            for (csvColumn, index) in column {
                for (suffix, name) in [("_utilization", "scalesim_utilization_ratio"), ("_hit_ratio", "scalesim_cache_hit_ratio"),
                                       ("_instances", "scalesim_instances")] where csvColumn.hasSuffix(suffix) {
                    let resource = String(csvColumn.dropLast(suffix.count))
                    expect(name, labels + [.init("resource", resource)], row[index])
                }
            }
        }
        let extra = Set(samples.keys).subtracting(matched)
        #expect(extra.isEmpty, "seed \(seed): \(extra.count) samples not in the CSV, e.g. \(extra.sorted().prefix(3))")
        #expect(matched.count == samples.count && !samples.isEmpty)
    }

    // MARK: Command line

    @Test func cliWritesTheMetricsFileTheSameTwice() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let scenario = try sandbox.write("tiny.json", CLI.tinyScenario(seed: 5))
        var written: [Data] = []
        for name in ["one", "two"] {
            let path = sandbox.url("\(name)/metrics.om").path
            let run = try CLI.run(["run", scenario, "--replications", "2", "--no-reports", "--metrics", path], in: sandbox.root)
            #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
            #expect(run.stderr.contains("metrics written to \(path)"), "stderr: \(run.stderr)")
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let parsed = try OpenMetricsParser.parse(String(decoding: data, as: UTF8.self))
            #expect(parsed.family("scalesim_throughput")?.metrics.count == 2)
            written.append(data)
        }
        #expect(written[0] == written[1], "two runs with the same seed wrote other bytes")
        #expect(!FileManager.default.fileExists(atPath: sandbox.url("reports").path), "--no-reports wrote reports")
        #expect(try CLI.temporaryFiles(in: sandbox.root).isEmpty)
        // With the reports: the metrics file beside them, a relative path.
        let run = try CLI.run(["run", scenario, "--replications", "2", "-q", "--out", "out", "--metrics", "m.om"],
                              in: sandbox.root)
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        #expect(try Data(contentsOf: sandbox.url("m.om")) == written[0])
        #expect(FileManager.default.fileExists(atPath: sandbox.url("out/timeseries.csv").path))
    }

    @Test func cliMetricsThatCannotBeWrittenExits73AndLeavesNothing() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let scenario = try sandbox.write("tiny.json", CLI.tinyScenario(seed: 5))
        _ = try sandbox.write("file", "a regular file\n")
        let path = sandbox.url("file/metrics.om").path
        let run = try CLI.run(["run", scenario, "--replications", "2", "--no-reports", "--metrics", path])
        #expect(run.status == 73, "exit \(run.status)\n\(run.stderr)")
        #expect(run.stderr.contains("cannot write \(sandbox.url("file").path)"), "stderr: \(run.stderr)")
        #expect(try CLI.temporaryFiles(in: sandbox.root).isEmpty)
        // A folder where the file should be: the rename fails; nothing half-written stays.
        try FileManager.default.createDirectory(at: sandbox.url("dir/m.om/inner"), withIntermediateDirectories: true)
        let into = try CLI.run(["run", scenario, "--replications", "2", "--no-reports", "--metrics", sandbox.url("dir/m.om").path])
        #expect(into.status == 73, "exit \(into.status)\n\(into.stderr)")
        #expect(into.stderr.contains("m.om"), "stderr: \(into.stderr)")
        #expect(try CLI.temporaryFiles(in: sandbox.root).isEmpty)
        for bad in ["-", ""] {
            let usage = try CLI.run(["run", scenario, "--metrics", bad])
            #expect(usage.status == 64, "--metrics \"\(bad)\": exit \(usage.status)\n\(usage.stderr)")
            #expect(usage.stderr.contains("--metrics"), "stderr: \(usage.stderr)")
        }
    }
}
