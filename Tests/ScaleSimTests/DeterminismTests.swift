import Testing
@testable import ScaleSim

/// Reproducibility (STYLE.md, "Tests"): the same scenario and seed give byte-identical JSON,
/// whatever the number of threads; another seed gives other numbers; and stream names are
/// stable, so a component that no request reaches does not change the numbers of the others.
@Suite struct DeterminismTests {
    /// An open network with a cache (TTL and LRU capacity), a processor-sharing station with
    /// feedback to itself, and a station with a capacity that feeds back to it.
    static func openNetwork(seed: UInt64, extra: (first: String, last: String) = ("", "")) -> String {
        """
        {
          "kind": "network",
          "name": "determinism-open",
          "seed": \(seed),
          "run": { "duration": 2000, "warmup": 200, "replications": 3, "confidence": 0.95 },
          "arrivals": [ { "class": "req", "to": "cache", "rate": 4 } ],
          "stations": [\(extra.first)
            { "name": "cache", "type": "cache", "keys": 500, "popularity": { "zipf": 0.9 },
              "ttl": "60s", "capacity": 200, "service": { "dist": "deterministic", "value": "1ms" },
              "hit": [], "miss": [ { "to": "app", "p": 1.0 } ] },
            { "name": "app", "servers": 2, "discipline": "ps",
              "service": { "dist": "lognormal", "mean": "150ms", "scv": 2.0 },
              "next": [ { "to": "db", "p": 0.5 }, { "to": "app", "p": 0.1 } ] },
            { "name": "db", "servers": 1, "capacity": 5, "service": { "dist": "exponential", "mean": "200ms" },
              "next": [ { "to": "app", "p": 0.2 } ] }\(extra.last)
          ]
        }
        """
    }

    /// A closed population over a PS station, a station with a capacity and a delay.
    static func closedNetwork(seed: UInt64) -> String {
        """
        {
          "kind": "network",
          "name": "determinism-closed",
          "seed": \(seed),
          "run": { "duration": 2000, "warmup": 200, "replications": 3 },
          "population": { "class": "users", "size": 10, "think": { "dist": "exponential", "mean": "2s" },
                          "to": "web" },
          "stations": [
            { "name": "web", "servers": 2, "discipline": "ps",
              "service": { "dist": "gamma", "mean": "100ms", "scv": 0.5 },
              "next": [ { "to": "db", "p": 0.6 }, { "to": "net", "p": 0.4 } ] },
            { "name": "db", "servers": 1, "capacity": 4, "service": { "dist": "exponential", "mean": "150ms" },
              "next": [ { "to": "web", "p": 0.1 }, { "to": "net", "p": 0.9 } ] },
            { "name": "net", "type": "delay", "service": { "dist": "uniform", "min": "5ms", "max": "15ms" } }
          ]
        }
        """
    }

    /// A station that nothing routes to (it routes onwards itself, and has a capacity).
    static let unreachable = """

            { "name": "unused", "servers": 3, "capacity": 7,
              "service": { "dist": "exponential", "mean": "50ms" },
              "next": [ { "to": "db", "p": 0.5 } ] }
        """

    static let seeds: [UInt64] = [1, 20_240_611]

    static func scenario(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> NetworkScenario {
        let loaded: Scenario
        do {
            loaded = try Scenario.load(bytes: Array(text.utf8))
        } catch {
            Issue.record("the test scenario is not valid:\n\(error)", sourceLocation: sourceLocation)
            throw error
        }
        switch loaded {
        case .network(let network): return network
        case .architecture:
            Issue.record("the test scenario is not a network scenario", sourceLocation: sourceLocation)
            throw ScenarioError(issues: [])
        }
    }

    static func report(_ scenario: NetworkScenario, jobs: Int) -> String {
        NetworkReport.run(scenario, jobs: jobs).json.serialized()
    }

    /// Same bytes with 1 and 2 threads and on a second run; other bytes with another seed.
    static func expectReproducible(_ make: (UInt64) -> String, name: String) throws {
        for seed in seeds {
            let scenario = try scenario(make(seed))
            let one = report(scenario, jobs: 1)
            let two = report(scenario, jobs: 2)
            let again = report(scenario, jobs: 2)
            #expect(one == two, "\(name), seed \(seed): jobs 1 and jobs 2 differ\n\(firstDifference(one, two))")
            #expect(two == again, "\(name), seed \(seed): two runs differ\n\(firstDifference(two, again))")
            #expect(one.contains("\"seed\": \(seed),"), "\(name), seed \(seed): the report does not name its seed")

            let other = try Self.scenario(make(seed + 1))
            let otherReport = report(other, jobs: 2)
            #expect(otherReport != two, "\(name): seeds \(seed) and \(seed + 1) give the same report")
            #expect(stations(otherReport) != stations(two),
                    "\(name): seeds \(seed) and \(seed + 1) give the same station figures")
        }
    }

    @Test func openNetworkIsReproducible() throws {
        try Self.expectReproducible({ Self.openNetwork(seed: $0) }, name: "open network")
    }

    @Test func closedNetworkIsReproducible() throws {
        try Self.expectReproducible(Self.closedNetwork(seed:), name: "closed network")
    }

    /// Adding a station that no request reaches, before or after the others, leaves the
    /// figures of the others unchanged.
    @Test(arguments: ["first", "last"])
    func anUnreachableStationChangesNothingElse(position: String) throws {
        for seed in Self.seeds {
            let extra = position == "first" ? (Self.unreachable + ",", "") : ("", "," + Self.unreachable)
            let base = Self.report(try Self.scenario(Self.openNetwork(seed: seed)), jobs: 2)
            let extended = Self.report(try Self.scenario(Self.openNetwork(seed: seed, extra: extra)), jobs: 2)
            let baseStations = Self.stations(base), extendedStations = Self.stations(extended)
            #expect(Set(extendedStations.keys) == Set(baseStations.keys).union(["unused"]),
                    "seed \(seed), unused \(position): stations \(extendedStations.keys.sorted())")
            for (name, entry) in baseStations {
                #expect(extendedStations[name] == entry,
                        "seed \(seed), unused station \(position): \(name) changed\n\(Self.firstDifference(entry, extendedStations[name] ?? ""))")
            }
            #expect(Self.member("system", of: base) == Self.member("system", of: extended),
                    "seed \(seed), unused station \(position): system figures changed")
            if let unused = try? JSONParser.parse(Array((extendedStations["unused"] ?? "").utf8)) {
                #expect(unused["throughput"]?["mean"] == .number(0),
                        "seed \(seed): the unreachable station has throughput \(String(describing: unused["throughput"]))")
            }
        }
    }

    // MARK: Helpers

    /// The serialized `stations` entries of a report, by station name.
    static func stations(_ report: String) -> [String: String] {
        guard let value = try? JSONParser.parse(Array(report.utf8)), case .array(let entries)? = value["stations"]
        else {
            Issue.record("the report has no stations array:\n\(report.prefix(400))")
            return [:]
        }
        var byName: [String: String] = [:]
        for entry in entries {
            guard case .string(let name)? = entry["name"] else { continue }
            byName[name] = entry.serialized()
        }
        return byName
    }

    static func member(_ key: String, of report: String) -> String? {
        (try? JSONParser.parse(Array(report.utf8)))?[key]?.serialized()
    }

    /// The first line where two texts differ, for failure messages.
    static func firstDifference(_ a: String, _ b: String) -> String {
        let left = a.split(separator: "\n", omittingEmptySubsequences: false)
        let right = b.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(left.count, right.count) {
            let l = index < left.count ? String(left[index]) : "(end)"
            let r = index < right.count ? String(right[index]) : "(end)"
            if l != r { return "line \(index + 1): \(l)  vs  \(r)" }
        }
        return "(no difference)"
    }
}
