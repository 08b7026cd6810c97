import Testing
@testable import ScaleSim

// MARK: Helpers

/// The example of DESIGN.md section 6, "Network scenario".
private let designExample = """
{
  "kind": "network",
  "name": "three-tier",
  "seed": 7,
  "run": { "duration": 20000, "warmup": 2000, "replications": 10, "confidence": 0.95 },
  "arrivals": [ { "class": "req", "to": "lb", "rate": 8.0 } ],
  "stations": [
    { "name": "lb", "servers": 1, "service": { "dist": "exponential", "mean": 0.01 },
      "next": [ { "to": "api", "p": 1.0 } ] },
    { "name": "api", "servers": 4, "discipline": "fcfs",
      "service": { "dist": "lognormal", "mean": 0.2, "scv": 2.0 },
      "next": [ { "to": "db", "p": 0.3 } ] },
    { "name": "db", "servers": 2, "capacity": 10, "service": { "dist": "exponential", "mean": 0.1 } }
  ]
}
"""

private func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
    try JSONParser.parse(Array(text.utf8))
}

/// The syntax error of `bytes`, or nil when they parse.
private func syntaxError(_ bytes: [UInt8]) -> JSONSyntaxError? {
    do {
        _ = try JSONParser.parse(bytes)
        return nil
    } catch {
        return error
    }
}

private func syntaxError(_ text: String) -> JSONSyntaxError? { syntaxError(Array(text.utf8)) }

/// Loads `text` as a scenario; fails the test when it is not a valid network scenario.
private func network(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> NetworkScenario? {
    do {
        guard case .network(let scenario) = try Scenario.load(bytes: Array(text.utf8)) else { return nil }
        return scenario
    } catch {
        Issue.record("unexpected scenario error:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The issues of loading `text`; fails the test when it loads.
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

/// A valid one-station open network with `station` as its only station (named "q") and
/// `extra` top-level members (each followed by a comma).
private func oneStation(_ station: String, extra: String = "") -> String {
    """
    { "kind": "network", \(extra)
      "arrivals": [ { "class": "req", "to": "q", "rate": 1 } ],
      "stations": [ \(station) ] }
    """
}

private let exponential = #"{ "dist": "exponential", "mean": 0.5 }"#

// MARK: Decoding

@Test func designExampleDecodesToTheExpectedScenario() throws {
    let scenario = try #require(network(designExample))
    let expected = NetworkScenario(
        name: "three-tier", seed: 7,
        run: RunSettings(duration: 20000, warmup: 2000, replications: 10, confidence: 0.95),
        arrivals: [.init(className: "req", to: 0, rate: 8)],
        population: nil,
        stations: [
            .init(name: "lb", kind: .queue(servers: 1, discipline: .fcfs, capacity: nil,
                                           service: .exponential(mean: 0.01), next: [.init(to: 1, p: 1)])),
            .init(name: "api", kind: .queue(servers: 4, discipline: .fcfs, capacity: nil,
                                            service: .lognormal(mean: 0.2, scv: 2), next: [.init(to: 2, p: 0.3)])),
            .init(name: "db", kind: .queue(servers: 2, discipline: .fcfs, capacity: 10,
                                           service: .exponential(mean: 0.1), next: [])),
        ])
    #expect(scenario == expected)
}

@Test func defaultsAreFilledIn() throws {
    let scenario = try #require(network(oneStation(#"{ "name": "q", "service": \#(exponential) }"#)))
    #expect(scenario.name == "unnamed")
    #expect(scenario.seed == 1)
    #expect(scenario.run == RunSettings(duration: 10_000, warmup: 1_000, replications: 5, confidence: 0.95))
    #expect(scenario.population == nil)
    #expect(scenario.stations[0].kind == .queue(servers: 1, discipline: .fcfs, capacity: nil,
                                                service: .exponential(mean: 0.5), next: []))
}

@Test func warmupDefaultsToTenPercentOfTheGivenDuration() throws {
    let text = oneStation(#"{ "name": "q", "service": \#(exponential) }"#,
                          extra: #""run": { "duration": "5m", "replications": 1 }, "name": "n", "seed": 0,"#)
    let scenario = try #require(network(text))
    #expect(scenario.run.duration == 300)
    #expect(abs(scenario.run.warmup - 30) < 1e-12)
    #expect(scenario.run.replications == 1)
    #expect(scenario.name == "n")
    #expect(scenario.seed == 0)
}

@Test func timesAcceptUnits() throws {
    let cases: [(String, Double)] = [
        ("250ms", 0.25), ("30s", 30), ("5m", 300), ("1h", 3600), ("2.5us", 2.5e-6),
        ("10ns", 1e-8), ("1.5 s", 1.5), ("1e3ms", 1), (".5s", 0.5),
    ]
    for (text, seconds) in cases {
        guard case .seconds(let parsed) = TimeText.parse(text) else {
            Issue.record("\(text) did not parse")
            continue
        }
        #expect(abs(parsed - seconds) <= 1e-12 * seconds, "\(text)")
    }
    #expect(TimeText.parse("30") == .missingUnit("30"))
    #expect(TimeText.parse("5sec") == .unknownUnit("sec"))
    #expect(TimeText.parse("fast") == .invalid)
    #expect(TimeText.parse("") == .invalid)

    let text = oneStation(#"{ "name": "q", "service": { "dist": "uniform", "min": "250ms", "max": "0.5s" } }"#)
    let scenario = try #require(network(text))
    guard case .queue(_, _, _, let service, _) = scenario.stations[0].kind else {
        Issue.record("not a queue")
        return
    }
    #expect(service == .uniform(min: 0.25, max: 0.5))
}

@Test func timeStringProblemsAreReported() {
    func station(mean: String) -> String {
        oneStation(#"{ "name": "q", "service": { "dist": "exponential", "mean": "\#(mean)" } }"#)
    }
    expectIssue(station(mean: "5sec"), at: "stations[0].service.mean",
                containing: #"unknown time unit "sec" in "5sec""#)
    expectIssue(station(mean: "30"), at: "stations[0].service.mean", containing: "has no unit")
    expectIssue(station(mean: "-5s"), at: "stations[0].service.mean", containing: #"must be positive, got "-5s""#)
    expectIssue(station(mean: "1e400s"), at: "stations[0].service.mean", containing: "must be a finite time")
}

@Test func closedNetworkAndCacheDecode() throws {
    let text = """
    { "kind": "network", "name": "closed",
      "population": { "class": "users", "size": 50, "think": {"dist": "exponential", "mean": 5}, "to": "cache" },
      "stations": [
        { "name": "cache", "type": "cache", "keys": 10000, "popularity": { "zipf": 0.8 }, "ttl": "30s",
          "hit": [], "miss": [ { "to": "db", "p": 1 } ] },
        { "name": "db", "servers": 2, "discipline": "ps", "service": { "dist": "erlang", "k": 3, "mean": "4ms" } },
        { "name": "net", "type": "delay", "service": { "dist": "deterministic", "value": 0 } },
        { "name": "x", "service": { "dist": "lognormal", "p50": 0.1, "p99": 1 },
          "next": [ { "to": "net", "p": 0.5 } ] },
        { "name": "y", "service": { "dist": "pareto", "alpha": 1.5, "min": 0.001, "max": 10 } },
        { "name": "z", "service": { "dist": "hyperexponential", "mean": 1, "scv": 4 } },
        { "name": "w", "service": { "dist": "gamma", "mean": 1, "scv": 0.5 }, "capacity": null }
      ] }
    """
    let scenario = try #require(network(text))
    #expect(scenario.arrivals.isEmpty)
    #expect(scenario.population == .init(className: "users", size: 50, think: .exponential(mean: 5), to: 0))
    #expect(scenario.stations.map(\.kind) == [
        .cache(keys: 10000, zipf: 0.8, ttl: 30, capacity: nil, service: nil, hit: [], miss: [.init(to: 1, p: 1)]),
        .queue(servers: 2, discipline: .ps, capacity: nil, service: .erlang(k: 3, mean: 0.004), next: []),
        .delay(service: .deterministic(value: 0), next: []),
        .queue(servers: 1, discipline: .fcfs, capacity: nil, service: .lognormalQuantiles(p50: 0.1, p99: 1),
               next: [.init(to: 2, p: 0.5)]),
        .queue(servers: 1, discipline: .fcfs, capacity: nil, service: .pareto(alpha: 1.5, min: 0.001, max: 10), next: []),
        .queue(servers: 1, discipline: .fcfs, capacity: nil, service: .hyperexponential(mean: 1, scv: 4), next: []),
        .queue(servers: 1, discipline: .fcfs, capacity: nil, service: .gamma(mean: 1, scv: 0.5), next: []),
    ])
}

// MARK: Validation errors, one per class

@Test func wrongTypeSaysWhatWasExpectedAndFound() {
    expectIssue(oneStation(#"{ "name": "q", "servers": "two", "service": \#(exponential) }"#),
                at: "stations[0].servers", containing: #"expected a whole number >= 1, got "two""#)
    expectIssue(oneStation(#"{ "name": "q", "servers": 2.5, "service": \#(exponential) }"#),
                at: "stations[0].servers", containing: "expected a whole number >= 1, got 2.5")
    expectIssue(oneStation(#"{ "name": "q", "service": 0.01 }"#),
                at: "stations[0].service", containing: "expected a distribution")
}

@Test func missingRequiredKeyIsReportedAtItsPath() {
    expectIssue(oneStation(#"{ "name": "q" }"#), at: "stations[0].service", containing: "missing required key")
    expectIssue(oneStation(#"{ "name": "q", "service": { "dist": "erlang", "mean": 1 } }"#),
                at: "stations[0].service.k", containing: #"missing required key (erlang needs "k", "mean")"#)
}

@Test func negativeRateIsReported() {
    let text = """
    { "kind": "network", "arrivals": [ { "class": "req", "to": "q", "rate": -1 } ],
      "stations": [ { "name": "q", "service": \(exponential) } ] }
    """
    expectIssue(text, at: "arrivals[0].rate", containing: "must not be negative, got -1")
}

@Test func unknownKeyGetsASuggestion() {
    expectIssue(oneStation(#"{ "name": "q", "sevrers": 2, "service": \#(exponential) }"#),
                at: "stations[0].sevrers", containing: #"unknown key "sevrers" (did you mean "servers"?)"#)
    expectIssue(oneStation(#"{ "name": "q", "colour": 2, "service": \#(exponential) }"#),
                at: "stations[0].colour", containing: #"allowed keys: "name", "type""#)
    expectIssue(oneStation(#"{ "name": "q", "service": \#(exponential) }"#, extra: #""sede": 3,"#),
                at: "sede", containing: #"did you mean "seed"?"#)
}

@Test func routeToAMissingStationSuggestsACloseName() {
    let text = """
    { "kind": "network", "arrivals": [ { "class": "req", "to": "lb", "rate": 1 } ],
      "stations": [ { "name": "lb", "service": \(exponential), "next": [ { "to": "ap", "p": 0.5 } ] },
                    { "name": "api", "service": \(exponential) } ] }
    """
    expectIssue(text, at: "stations[0].next[0].to", containing: #"no station named "ap" (did you mean "api"?)"#)
    expectIssue(oneStation(#"{ "name": "q", "service": \#(exponential), "next": [ { "to": "zzzz", "p": 0.5 } ] }"#),
                at: "stations[0].next[0].to", containing: #"no station named "zzzz"; the stations are "q""#)
}

@Test func probabilitiesAboveOneAreReported() {
    expectIssue(oneStation(#"{ "name": "q", "service": \#(exponential), "next": [ { "to": "q", "p": 1.5 } ] }"#),
                at: "stations[0].next[0].p", containing: "must be between 0 and 1, got 1.5")
    expectIssue(oneStation(#"{ "name": "q", "service": \#(exponential), "next": [ { "to": "q", "p": 0.6 }, { "to": "q", "p": 0.6 } ] }"#),
                at: "stations[0].next", containing: "the probabilities sum to 1.2, more than 1")
    // 0.1 + 0.2 + 0.7 is a little above 1 in floating point: within the tolerance.
    let text = """
    { "kind": "network", "arrivals": [ { "class": "req", "to": "a", "rate": 1 } ],
      "stations": [ { "name": "a", "service": \(exponential),
                      "next": [ { "to": "b", "p": 0.1 }, { "to": "b", "p": 0.2 }, { "to": "b", "p": 0.7 } ] },
                    { "name": "b", "service": \(exponential) } ] }
    """
    #expect(network(text) != nil)
}

@Test func severalProblemsAreReportedAtOnce() {
    let text = """
    { "kind": "network", "name": "", "seed": -1,
      "run": { "duration": 100, "warmup": 200, "replications": 0, "confidence": 1 },
      "arrivals": [ { "class": "req", "to": "lbb", "rate": "fast" } ],
      "stations": [
        { "name": "lb", "servers": 0, "discipline": "fifo", "service": { "dist": "exponential", "mean": -1 } },
        { "name": "lb", "type": "delay", "servers": 2, "service": { "dist": "uniform", "min": 2, "max": 1 } }
      ] }
    """
    let found = issues(text)
    let paths = found.map(\.path)
    #expect(paths == [
        "name", "seed", "run.replications", "run.confidence", "run.warmup",
        "arrivals[0].to", "arrivals[0].rate",
        "stations[0].servers", "stations[0].discipline", "stations[0].service.mean",
        "stations[1].servers", "stations[1].name", "stations[1].service.max",
    ], "\(ScenarioError(issues: found))")
    let text2 = ScenarioError(issues: found).description
    #expect(text2.contains(#"stations[0].discipline: expected one of "fcfs", "ps", got "fifo" (did you mean "fcfs"?)"#))
    #expect(text2.contains("run.warmup: must be less than the duration (100 s), got 200"))
    #expect(text2.contains(#"stations[1].name: duplicate station name "lb" (also stations[0])"#))
    #expect(text2.contains("stations[1].servers: not allowed for a delay station"))
    #expect(text2.contains("stations[1].service.max: must be greater than min (2), got 1"))
    #expect(text2.split(separator: "\n").count == found.count)
}

@Test func sourcesMustBeArrivalsOrPopulation() {
    let population = #""population": { "class": "u", "size": 3, "think": \#(exponential), "to": "q" }"#
    expectIssue(oneStation(#"{ "name": "q", "service": \#(exponential) }"#, extra: population + ","),
                at: "population", containing: "not both")
    let neither = #"{ "kind": "network", "stations": [ { "name": "q", "service": \#(exponential) } ] }"#
    expectIssue(neither, at: "arrivals", containing: "missing required key")
    let empty = #"{ "kind": "network", "arrivals": [], "stations": [ { "name": "q", "service": \#(exponential) } ] }"#
    expectIssue(empty, at: "arrivals", containing: "must list at least one arrival")
}

@Test func runSettingsAreChecked() {
    let station = #"{ "name": "q", "service": \#(exponential) }"#
    expectIssue(oneStation(station, extra: #""run": { "duration": 100, "warmup": 100 },"#),
                at: "run.warmup", containing: "must be less than the duration")
    expectIssue(oneStation(station, extra: #""run": { "replications": 0 },"#),
                at: "run.replications", containing: "must be at least 1, got 0")
    expectIssue(oneStation(station, extra: #""run": { "confidence": 0 },"#),
                at: "run.confidence", containing: "must be in (0, 1), got 0")
    expectIssue(oneStation(station, extra: #""run": { "duration": 0 },"#),
                at: "run.duration", containing: "must be positive, got 0")
    expectIssue(oneStation(station, extra: #""seed": 1.5,"#),
                at: "seed", containing: "expected a whole number >= 0, got 1.5")
    expectIssue(oneStation(station, extra: #""run": { "window": "0s" },"#),
                at: "run.window", containing: "must be positive")
    expectIssue(oneStation(station, extra: #""run": { "duration": 100, "window": "2m" },"#),
                at: "run.window", containing: "must be at most the duration (100 s), got \"2m\"")
    expectIssue(oneStation(station, extra: #""run": { "duration": "1h", "window": "100ms" },"#),
                at: "run.window", containing: "must be at least the duration / 10000 (0.36 s: at most 10000 windows)")
    expectIssue(oneStation(station, extra: #""run": { "windows": 10 },"#),
                at: "run.windows", containing: "did you mean \"window\"")
    let windowed = network(oneStation(station, extra: #""run": { "duration": 600, "window": "30s" },"#))
    #expect(windowed.map { abs(($0.run.window ?? 0) - 30) < 1e-12 } == true, "run.window: \(String(describing: windowed?.run.window))")
    #expect(network(oneStation(station))?.run.window == nil, "run.window defaults to nil (a sixtieth of the duration)")
}

@Test func stationRulesAreChecked() {
    expectIssue(oneStation(#"{ "name": "q", "servers": 4, "capacity": 2, "service": \#(exponential) }"#),
                at: "stations[0].capacity", containing: "must be at least servers (4), got 2")
    expectIssue(oneStation(#"{ "name": "q", "servers": 2000000, "service": \#(exponential) }"#),
                at: "stations[0].servers", containing: "must be at most 1000000, got 2000000")
    expectIssue(oneStation(#"{ "name": "q", "type": "delay", "discipline": "ps", "service": \#(exponential) }"#),
                at: "stations[0].discipline", containing: "not allowed for a delay station")
    expectIssue(oneStation(#"{ "name": "q", "type": "dealy", "service": \#(exponential) }"#),
                at: "stations[0].type", containing: #"did you mean "delay"?"#)
    expectIssue(oneStation(#"{ "name": "q", "ttl": 5, "service": \#(exponential) }"#),
                at: "stations[0].ttl", containing: "only allowed for a cache station")
}

@Test func cacheRulesAreChecked() {
    func cache(_ members: String) -> String {
        oneStation(#"{ "name": "q", "type": "cache", "keys": 100, "popularity": { "zipf": 0.8 }\#(members) }"#)
    }
    #expect(network(cache("")) != nil)
    expectIssue(cache(#", "next": []"#), at: "stations[0].next", containing: #"route with "hit" and "miss""#)
    expectIssue(cache(#", "service": 0.002"#), at: "stations[0].service", containing: "expected a distribution")
    expectIssue(cache(#", "ttl": 0"#), at: "stations[0].ttl", containing: "must be positive, got 0")
    expectIssue(oneStation(#"{ "name": "q", "type": "cache", "keys": 0, "popularity": { "zipf": 0.8 } }"#),
                at: "stations[0].keys", containing: "must be at least 1, got 0")
    expectIssue(oneStation(#"{ "name": "q", "type": "cache", "keys": 10, "popularity": { "zipf": -1 } }"#),
                at: "stations[0].popularity.zipf", containing: "must not be negative, got -1")
    expectIssue(oneStation(#"{ "name": "q", "type": "cache", "keys": 10 }"#),
                at: "stations[0].popularity", containing: "missing required key")
}

@Test func distributionRulesAreChecked() {
    func service(_ distribution: String) -> String {
        oneStation(#"{ "name": "q", "service": \#(distribution) }"#)
    }
    expectIssue(service(#"{ "dist": "exponentail", "mean": 1 }"#), at: "stations[0].service.dist",
                containing: #"did you mean "exponential"?"#)
    expectIssue(service(#"{ "mean": 1 }"#), at: "stations[0].service.dist", containing: "missing required key")
    expectIssue(service(#"{ "dist": "exponential", "mean": 1, "scv": 2 }"#), at: "stations[0].service.scv",
                containing: #"not a parameter of exponential (it takes "mean")"#)
    expectIssue(service(#"{ "dist": "hyperexponential", "mean": 1, "scv": 0.5 }"#),
                at: "stations[0].service.scv", containing: "must be at least 1, got 0.5")
    expectIssue(service(#"{ "dist": "lognormal", "mean": 1, "p99": 2 }"#), at: "stations[0].service",
                containing: "not both")
    expectIssue(service(#"{ "dist": "lognormal", "p50": 2, "p99": 1 }"#), at: "stations[0].service.p99",
                containing: "must be greater than p50 (2), got 1")
    expectIssue(service(#"{ "dist": "erlang", "k": 0, "mean": 1 }"#), at: "stations[0].service.k",
                containing: "must be at least 1, got 0")
    expectIssue(service(#"{ "dist": "pareto", "alpha": 0, "min": 1, "max": 2 }"#), at: "stations[0].service.alpha",
                containing: "must be positive, got 0")
    expectIssue(service(#"{ "dist": "deterministic", "value": -1 }"#), at: "stations[0].service.value",
                containing: "must not be negative, got -1")
}

@Test func anOpenNetworkNeedsAWayOut() {
    let text = """
    { "kind": "network", "arrivals": [ { "class": "req", "to": "a", "rate": 1 } ],
      "stations": [ { "name": "a", "service": \(exponential), "next": [ { "to": "b", "p": 1 } ] },
                    { "name": "b", "service": \(exponential), "next": [ { "to": "a", "p": 1 } ] } ] }
    """
    let found = issues(text)
    #expect(found.map(\.path) == ["stations[0]", "stations[1]"])
    #expect(found.first?.message.contains(#"requests that reach "a" can never leave the network"#) == true)
}

@Test func kindIsDispatched() {
    #expect(issues(#"{ "kind": "architecture" }"#).map(\.description)
            == ["workload: missing required key", "stages: missing required key"])
    expectIssue(#"{ "kind": "netwrok" }"#, at: "kind",
                containing: #"unknown scenario kind "netwrok" (did you mean "network"?); known kinds: "network", "architecture""#)
    expectIssue(#"{ "name": "x" }"#, at: "kind", containing: "missing required key")
    expectIssue("[1, 2]", at: "$", containing: "expected a scenario object")
}

@Test func jsonSyntaxErrorsBecomeOneIssueAtTheRoot() {
    expectIssue("{\n  \"kind\": \"network\",\n  \"seed\": 7,,\n}", at: "$",
                containing: "invalid JSON at line 3, column 13: expected a string key after ','")
}

@Test func issueAndErrorDescriptions() {
    let issue = ScenarioIssue(path: "stations[2].service.mean", message: "must be positive, got -5")
    #expect(issue.description == "stations[2].service.mean: must be positive, got -5")
    let error = ScenarioError(issues: [issue, ScenarioIssue(path: "$", message: "x")])
    #expect(error.description == "stations[2].service.mean: must be positive, got -5\n$: x")
    #expect(JSONPath.root.appending("stations").appending(2).appending("a b").description == #"stations[2]["a b"]"#)
    #expect(JSONPath.root.appending(0).appending("x").description == "$[0].x")
}

@Test func suggestionsAreLimitedToCloseWords() {
    #expect(Suggestion.closest(to: "sevrers", among: ["name", "servers"]) == "servers")
    #expect(Suggestion.closest(to: "Servers", among: ["servers"]) == "servers")
    #expect(Suggestion.closest(to: "x", among: ["p", "to"]) == nil)
    #expect(Suggestion.closest(to: "capacity", among: ["discipline"]) == nil)
    #expect(Suggestion.editDistance(Array("kitten"), Array("sitting")) == 3)
    #expect(Suggestion.editDistance(Array("ab"), Array("ba")) == 1)
}

// MARK: JSON parser

@Test func parserKeepsMemberOrderAndReadsAllTypes() throws {
    let value = try parse(#" {"b": [true, false, null], "a": -1.5e2, "c": {}, "d": [], "e": "x"} "#)
    #expect(value == .object([
        .init("b", .array([.bool(true), .bool(false), .null])), .init("a", .number(-150)),
        .init("c", .object([])), .init("d", .array([])), .init("e", .string("x")),
    ]))
    #expect(try parse("0") == .number(0))
    #expect(try parse("-0") == .number(-0.0))
    #expect(try parse("1E+2") == .number(100))
    #expect(try parse("1e-400") == .number(0))
    #expect(try parse("\u{FEFF}{}") == .object([]))
}

@Test func parserDecodesEscapesAndSurrogates() throws {
    #expect(try parse(#""\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u20AC""#) == .string("\" \\ / \u{8} \u{C} \n \r \t A é €"))
    #expect(try parse(#""\uD83D\uDE00""#) == .string("😀"))
    #expect(try parse("\"é😀\"") == .string("é😀"))
    #expect(syntaxError(#""\uD83D""#)?.message.contains("high surrogate") == true)
    #expect(syntaxError(#""\uD83Dx""#)?.message.contains("high surrogate") == true)
    #expect(syntaxError(#""\uD83D\u0041""#)?.message.contains("low surrogate") == true)
    #expect(syntaxError(#""\uDE00""#)?.message.contains("low surrogate") == true)
    #expect(syntaxError(#""\x""#)?.message.contains("invalid escape") == true)
    #expect(syntaxError(#""\u12G4""#)?.message.contains("4 hex digits") == true)
    #expect(syntaxError("\"a\nb\"")?.message.contains("must be escaped") == true)
}

@Test func parserRejectsInvalidUTF8() {
    let cases: [[UInt8]] = [
        [0x22, 0xFF, 0x22],              // never valid
        [0x22, 0xC0, 0x80, 0x22],        // overlong NUL
        [0x22, 0xE0, 0x80, 0xAF, 0x22],  // overlong '/'
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
        [0x22, 0xE2, 0x82, 0x22],        // truncated sequence
        [0x22, 0xE2, 0x82],              // truncated at the end
        [0xC3, 0xA9],                    // non-ASCII outside a string
    ]
    for bytes in cases {
        #expect(syntaxError(bytes) != nil, "\(bytes)")
    }
    #expect(syntaxError([0x22, 0xFF, 0x22])?.message.contains("invalid UTF-8 byte 0xFF") == true)
}

@Test func deepNestingIsAnErrorNotACrash() throws {
    let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    #expect(syntaxError(deep)?.message.contains("nested more than 256 levels") == true)
    let deepObjects = String(repeating: #"{"a":"#, count: 10_000)
    #expect(syntaxError(deepObjects)?.message.contains("nested more than 256 levels") == true)
    let limit = JSONParser.maximumDepth
    _ = try parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit))
    #expect(syntaxError(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)) != nil)
}

@Test func parserRejectsWhatIsNotJSON() {
    let cases: [(String, String)] = [
        ("", "found an empty input"),
        ("  \n ", "found only whitespace"),
        ("{} x", "expected the end of the input after the JSON value, found 'x'"),
        ("[1] [2]", "expected the end of the input"),
        (#"{"a": 1, "a": 2}"#, #"duplicate key "a""#),
        ("NaN", "NaN and infinities are not JSON numbers"),
        ("[-Infinity]", "expected a digit after '-'"),
        ("1e400", "too large"),
        ("-1e400", "too large"),
        ("01", "must not start with '0'"),
        ("1.", "expected a digit after the decimal point"),
        ("1e", "expected a digit in the exponent"),
        (".5", "a JSON number starts with"),
        ("[1,]", "trailing commas are not allowed"),
        (#"{"a":1,}"#, "trailing commas are not allowed"),
        (#"{'a':1}"#, "JSON strings use double quotes"),
        (#"{"a" 1}"#, #"expected ':' after the key "a", found '1'"#),
        ("[1 2]", "expected ',' or ']' after an array element, found '2'"),
        ("tru", "found 'tru'"),
        ("truex", "found 'truex'"),
        (#""abc"#, "expected '\"' to end the string that starts at line 1, column 1"),
        ("// c\n{}", "JSON has no comments"),
    ]
    for (text, fragment) in cases {
        let error = syntaxError(text)
        #expect(error?.message.contains(fragment) == true, "\(text.debugDescription): \(String(describing: error))")
    }
}

@Test func syntaxErrorsGiveLineAndColumn() {
    let error = syntaxError("{\n  \"é\": tru\n}")
    #expect(error?.line == 2)
    #expect(error?.column == 8)
    #expect(error?.description == "line 2, column 8: expected a JSON value, found 'tru'")
}

/// Mutations of a valid file must give a value or an error, never a crash.
@Test func parserSurvivesMutatedInput() {
    let base = Array(designExample.utf8)
    let interesting: [UInt8] = Array(#"{}[]",:\"-0123456789eE.+ tfnu"#.utf8) + [0x00, 0x0A, 0x80, 0xBF, 0xC3, 0xED, 0xF4, 0xFF]
    for seed in UInt64(0)..<500 {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(truncatingIfNeeded: state >> 1)
        }
        var bytes = base
        for _ in 0..<(1 + next() % 8) {
            let position = next() % (bytes.count + 1)
            switch next() % 3 {
            case 0 where position < bytes.count: bytes[position] = interesting[next() % interesting.count]
            case 1 where position < bytes.count: bytes.remove(at: position)
            default: bytes.insert(interesting[next() % interesting.count], at: position)
            }
        }
        do {
            _ = try Scenario.load(bytes: bytes)
        } catch {
            #expect(!error.issues.isEmpty, "seed \(seed)")
        }
    }
}

// MARK: Serialization

@Test func serializationGivesExactBytes() {
    let value: JSONValue = [
        "kind": "network", "seed": 7, "p": 0.1, "tiny": 1e-5, "big": 1e20, "neg": -3, "zero": -0.0,
        "nan": .number(.nan), "inf": .number(.infinity), "ok": true, "none": nil,
        "text": "a\"b\\c\n\u{1}é", "list": [1, [], [:]], "empty": [:],
    ]
    let expected = """
    {
      "kind": "network",
      "seed": 7,
      "p": 0.1,
      "tiny": 1e-05,
      "big": 1e+20,
      "neg": -3,
      "zero": 0,
      "nan": null,
      "inf": null,
      "ok": true,
      "none": null,
      "text": "a\\"b\\\\c\\n\\u0001é",
      "list": [
        1,
        [],
        {}
      ],
      "empty": {}
    }
    """
    #expect(value.serialized() == expected)
    #expect(JSONValue.object(["b": 1, "a": [2, 3]]).serialized(pretty: false) == #"{"b":1,"a":[2,3]}"#)
    #expect(JSONValue.number(9_007_199_254_740_991).serialized() == "9007199254740991")
    #expect(JSONValue.number(9_007_199_254_740_992).serialized() == "9007199254740992.0")
    #expect(JSONValue.number(1e16).serialized() == "1e+16")
    #expect(JSONValue.number(0.5).serialized() == "0.5")
    #expect(JSONValue(Double?.none) == .null)
}

@Test func serializationRoundTrips() throws {
    let values: [JSONValue] = [
        .null, true, 0, -1, 0.1, 1e-5, .number(.greatestFiniteMagnitude), .number(.leastNonzeroMagnitude), -2.5e-300,
        "", "\u{0}\u{1F}\u{7F} \"quoted\" \\ / \u{2028} 😀 é",
        [1, "two", [3, [4]], ["k": nil]],
        ["z": 1, "a": ["nested": [true, false]], "": "empty key"],
        try parse(designExample),
    ]
    for value in values {
        for pretty in [true, false] {
            let text = value.serialized(pretty: pretty)
            #expect(try parse(text) == value, "\(text)")
            #expect(value.serialized(pretty: pretty) == text)
        }
    }
}
