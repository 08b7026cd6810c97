extension NetworkScenario {
    /// `name` when the file gives none.
    public static let defaultName = "unnamed"
    /// `seed` when the file gives none.
    public static let defaultSeed: UInt64 = 1
    /// Largest seed: every whole number up to it is exact in a JSON number (a `Double`).
    public static let maximumSeed: UInt64 = 9_007_199_254_740_991

    /// Decodes and validates a network scenario (DESIGN.md section 6, "Network scenario").
    ///
    /// Keys of the document:
    /// - `kind`: required, `"network"`;
    /// - `$schema`: optional string, ignored (for editors);
    /// - `name`: optional non-empty string, default `"unnamed"`;
    /// - `seed`: optional whole number in 0...2^53-1, default 1;
    /// - `run`: optional, see `RunSettings.read` (defaults: duration 10,000 s, warm-up 10% of
    ///   the duration, 5 replications, confidence 0.95);
    /// - `arrivals` (an open network) or `population` (a closed one): exactly one of them;
    ///   `arrivals` is a non-empty list of `{class, to, rate}` (rate per second, >= 0),
    ///   `population` is `{class, size, think, to}` (size a whole number >= 1, think a
    ///   distribution); `class` is a required non-empty string, `to` names a station;
    /// - `stations`: required non-empty list; see `NetworkDecoder.station` for their keys.
    ///
    /// Times are seconds, as numbers or strings with a unit (`"250ms"`, `"30s"`, `"5m"`,
    /// `"1h"`, `"2.5us"`). A key whose value is `null` counts as absent. Unknown keys are
    /// errors, with a suggestion when a known key is close.
    ///
    /// A station from which requests can never leave (every path from it continues with
    /// probability 1) is an error: in an open network its queue would grow without end; in a
    /// closed one the users who reach it never get back to thinking.
    ///
    /// - Parameter value: The parsed document.
    /// - Returns: The scenario, with defaults filled and station names resolved to indices.
    /// - Throws: `ScenarioError` listing every problem, each with its JSON path.
    public static func decode(_ value: JSONValue) throws(ScenarioError) -> NetworkScenario {
        let log = IssueLog()
        var decoder = NetworkDecoder(log: log)
        let scenario = decoder.decode(JSONReader(value, log: log))
        if let error = log.error { throw error }
        guard let scenario else {
            // Every path that returns nil records an issue first; this is a safety net.
            throw ScenarioError(issues: [ScenarioIssue(path: "$", message: "the scenario could not be read")])
        }
        return scenario
    }
}

/// One pass over a network scenario document that records every problem in an `IssueLog`.
struct NetworkDecoder {
    static let topLevelKeys = ["$schema", "kind", "name", "seed", "run", "arrivals", "population", "stations"]
    static let stationTypes = ["queue", "delay", "cache"]
    static let queueKeys = ["name", "type", "servers", "discipline", "capacity", "service", "next"]
    static let delayKeys = ["name", "type", "service", "next"]
    static let cacheKeys = ["name", "type", "keys", "popularity", "ttl", "capacity", "service", "hit", "miss"]
    static let maximumServers = 1_000_000
    static let maximumCapacity = 1_000_000_000
    static let maximumKeys = 100_000_000
    static let maximumPopulation = 100_000_000
    static let maximumRate = 1e12
    static let maximumZipf = 100.0
    /// Slack allowed when a list of probabilities sums above 1.
    static let probabilityTolerance = 1e-9

    let log: IssueLog
    /// Station names to their index in `stations` (first occurrence), read before anything
    /// refers to them.
    private(set) var stationIndex: [String: Int] = [:]
    /// The distinct station names in file order, for suggestions.
    private(set) var stationNames: [String] = []

    init(log: IssueLog) { self.log = log }

    mutating func decode(_ reader: JSONReader) -> NetworkScenario? {
        guard let root = reader.object(allowedKeys: Self.topLevelKeys, expected: "a scenario object") else {
            return nil
        }
        _ = root.required("kind", note: #"(it is "network" for a network scenario)"#)?.choice(["network"])
        _ = root.optional("$schema")?.string(allowEmpty: true)
        let name = root.optional("name", default: NetworkScenario.defaultName) { $0.string() }
        let seed = root.optional("seed", default: Int(NetworkScenario.defaultSeed)) {
            $0.wholeNumber(minimum: 0, maximum: Int(NetworkScenario.maximumSeed))
        }
        let run = RunSettings.read(root.optional("run"))

        collectStationNames(root.optional("stations")?.value)

        let arrivalsReader = root.optional("arrivals")
        let populationReader = root.optional("population")
        if arrivalsReader != nil, let populationReader {
            populationReader.report(#"a network has either "arrivals" (open) or "population" (closed), not both"#)
        } else if arrivalsReader == nil, populationReader == nil {
            log.add(root.path.appending("arrivals"),
                    #"missing required key (or give "population" for a closed network)"#)
        }
        // nil when rejected; empty for a closed network.
        let arrivals: [NetworkScenario.Arrival?]? = arrivalsReader.map { reader in
            reader.array(nonEmpty: true, of: "arrival")?.map(readArrival)
        } ?? []
        // nil when absent, .some(nil) when rejected.
        let population: NetworkScenario.Population?? = populationReader.map(readPopulation)

        let stations = root.required("stations")?.array(nonEmpty: true, of: "station")
            .map { readers in readers.enumerated().map { station($1, index: $0) } }

        guard log.isEmpty, let name, let seed, let run, let arrivals, let stations else { return nil }
        let valid = stations.compactMap { $0 }
        let validArrivals = arrivals.compactMap { $0 }
        guard valid.count == stations.count, validArrivals.count == arrivals.count else { return nil }
        var closed: NetworkScenario.Population?
        if let population {
            guard let population else { return nil }
            closed = population
        }
        let scenario = NetworkScenario(name: name, seed: UInt64(seed), run: run, arrivals: validArrivals,
                                       population: closed, stations: valid)
        checkEveryRequestCanLeave(scenario, stationsPath: root.path.appending("stations"))
        return log.isEmpty ? scenario : nil
    }

    // MARK: Sources

    func readArrival(_ reader: JSONReader) -> NetworkScenario.Arrival? {
        guard let object = reader.object(allowedKeys: ["class", "to", "rate"], expected: "an arrival object") else {
            return nil
        }
        let className = object.required("class")?.string()
        let to = object.required("to").flatMap(resolveStation)
        let rate = object.required("rate")?.rate(NumberRule.nonNegative.limited(to: Self.maximumRate))
        guard let className, let to, let rate else { return nil }
        return NetworkScenario.Arrival(className: className, to: to, rate: rate)
    }

    func readPopulation(_ reader: JSONReader) -> NetworkScenario.Population? {
        guard let object = reader.object(allowedKeys: ["class", "size", "think", "to"],
                                         expected: "a population object") else { return nil }
        let className = object.required("class")?.string()
        let size = object.required("size")?.wholeNumber(minimum: 1, maximum: Self.maximumPopulation)
        let think = object.required("think").flatMap(Distribution.read)
        let to = object.required("to").flatMap(resolveStation)
        guard let className, let size, let think, let to else { return nil }
        return NetworkScenario.Population(className: className, size: size, think: think, to: to)
    }

    // MARK: Stations

    /// Records the names of the stations so that `to` can refer to stations written later.
    mutating func collectStationNames(_ value: JSONValue?) {
        guard case .array(let elements)? = value else { return }
        for (index, element) in elements.enumerated() {
            guard case .string(let name)? = element["name"], !name.isEmpty else { continue }
            if stationIndex[name] == nil {
                stationIndex[name] = index
                stationNames.append(name)
            }
        }
    }

    /// The index of the station that `reader` names; a missing one is reported with a suggestion.
    func resolveStation(_ reader: JSONReader) -> Int? {
        guard let name = reader.string() else { return nil }
        if let index = stationIndex[name] { return index }
        let shown = JSONReader.describe(.string(name))
        let suggestion = Suggestion.didYouMean(name, among: stationNames)
        if !suggestion.isEmpty {
            reader.report("no station named \(shown)\(suggestion)")
        } else if stationNames.isEmpty {
            reader.report("no station named \(shown)")
        } else {
            let listed = Suggestion.quotedList(Array(stationNames.prefix(10)))
            reader.report("no station named \(shown); the stations are \(listed)\(stationNames.count > 10 ? ", ..." : "")")
        }
        return nil
    }

    /// Reads one station.
    ///
    /// Every station has a required unique `name` and a `type`: `"queue"` (the default),
    /// `"delay"` or `"cache"`.
    /// - queue: `servers` (whole number in 1...1,000,000, default 1), `discipline` (`"fcfs"`,
    ///   the default, or `"ps"`), optional `capacity` (whole number >= servers), required
    ///   `service` distribution, optional `next` routes;
    /// - delay (infinite servers): required `service`, optional `next`; `servers`,
    ///   `discipline` and `capacity` are errors;
    /// - cache: required `keys` (whole number >= 1) and `popularity: {"zipf": s}` (s >= 0),
    ///   optional `ttl` (time > 0; without it entries never expire), optional `capacity` (LRU
    ///   entries, >= 1), optional `service` distribution (default: none), optional `hit` and
    ///   `miss` routes; `next`, `servers` and `discipline` are errors.
    ///
    /// Routes are lists of `{to, p}` with p in [0, 1] summing to at most 1; the rest leaves.
    func station(_ reader: JSONReader, index: Int) -> NetworkScenario.Station? {
        guard case .object(let members) = reader.value else {
            reader.reportExpected("a station object")
            return nil
        }
        let peek = JSONObjectReader(members: members, path: reader.path, log: log)
        guard let type = peek.optional("type", default: "queue", { $0.choice(Self.stationTypes) }) else {
            // Without a known type the keys cannot be checked one by one; check the name only.
            let object = reader.object(allowedKeys: Array(Set(Self.queueKeys + Self.cacheKeys)).sorted())
            _ = object.flatMap { uniqueName($0, index: index) }
            return nil
        }
        let cacheOnly = #"only allowed for a cache station ("type": "cache")"#
        let object: JSONObjectReader?
        switch type {
        case "delay":
            let infinite = "not allowed for a delay station (it has infinitely many servers)"
            object = reader.object(allowedKeys: Self.delayKeys, misplacedKeys: [
                "servers": infinite, "discipline": infinite,
                "capacity": "not allowed for a delay station (it never blocks)",
                "keys": cacheOnly, "popularity": cacheOnly, "ttl": cacheOnly, "hit": cacheOnly, "miss": cacheOnly,
            ])
        case "cache":
            object = reader.object(allowedKeys: Self.cacheKeys, misplacedKeys: [
                "next": #"not allowed for a cache station; route with "hit" and "miss""#,
                "servers": "not allowed for a cache station", "discipline": "not allowed for a cache station",
            ])
        default:
            object = reader.object(allowedKeys: Self.queueKeys, misplacedKeys: [
                "keys": cacheOnly, "popularity": cacheOnly, "ttl": cacheOnly, "hit": cacheOnly, "miss": cacheOnly,
            ])
        }
        guard let object else { return nil }
        let name = uniqueName(object, index: index)
        let kind: NetworkScenario.Station.Kind?
        switch type {
        case "delay": kind = delay(object)
        case "cache": kind = cache(object)
        default: kind = queue(object)
        }
        guard let name, let kind else { return nil }
        return NetworkScenario.Station(name: name, kind: kind)
    }

    /// The station's name; a repeated name is reported at the later station.
    func uniqueName(_ object: JSONObjectReader, index: Int) -> String? {
        guard let reader = object.required("name"), let name = reader.string() else { return nil }
        if let first = stationIndex[name], first < index {
            reader.report("duplicate station name \(JSONReader.describe(.string(name))) (also stations[\(first)])")
            return nil
        }
        return name
    }

    func queue(_ object: JSONObjectReader) -> NetworkScenario.Station.Kind? {
        let servers = object.optional("servers", default: 1) {
            $0.wholeNumber(minimum: 1, maximum: Self.maximumServers)
        }
        let discipline = object.optional("discipline", default: NetworkScenario.Discipline.fcfs) {
            $0.choice(["fcfs", "ps"]).flatMap(NetworkScenario.Discipline.init(rawValue:))
        }
        let capacity = object.optional("capacity", default: Int?.none) {
            $0.wholeNumber(minimum: 1, maximum: Self.maximumCapacity).map(Optional.some)
        }
        let service = object.required("service").flatMap(Distribution.read)
        let next = object.optional("next", default: []) { routes($0) }
        if let servers, let limit = capacity ?? nil, limit < servers, let reader = object.optional("capacity") {
            reader.report("must be at least servers (\(servers)), got \(JSONReader.describe(reader.value))")
            return nil
        }
        guard let servers, let discipline, let capacity, let service, let next else { return nil }
        return .queue(servers: servers, discipline: discipline, capacity: capacity, service: service, next: next)
    }

    func delay(_ object: JSONObjectReader) -> NetworkScenario.Station.Kind? {
        let service = object.required("service").flatMap(Distribution.read)
        let next = object.optional("next", default: []) { routes($0) }
        guard let service, let next else { return nil }
        return .delay(service: service, next: next)
    }

    func cache(_ object: JSONObjectReader) -> NetworkScenario.Station.Kind? {
        let keys = object.required("keys")?.wholeNumber(minimum: 1, maximum: Self.maximumKeys)
        let zipf = object.required("popularity", note: #"(e.g. {"zipf": 0.8}; 0 is uniform)"#)?
            .object(allowedKeys: ["zipf"], expected: #"a popularity object such as {"zipf": 0.8}"#)?
            .required("zipf")?.number(NumberRule.nonNegative.limited(to: Self.maximumZipf))
        let ttl = object.optional("ttl", default: Double?.none) {
            $0.time(NumberRule.positive.limited(to: Distribution.maximumSeconds)).map(Optional.some)
        }
        let capacity = object.optional("capacity", default: Int?.none) {
            $0.wholeNumber(minimum: 1, maximum: Self.maximumKeys).map(Optional.some)
        }
        let service = object.optional("service", default: Distribution?.none) {
            Distribution.read($0).map(Optional.some)
        }
        let hit = object.optional("hit", default: []) { routes($0) }
        let miss = object.optional("miss", default: []) { routes($0) }
        guard let keys, let zipf, let ttl, let capacity, let service, let hit, let miss else { return nil }
        return .cache(keys: keys, zipf: zipf, ttl: ttl, capacity: capacity, service: service, hit: hit, miss: miss)
    }

    /// A list of `{to, p}`; p in [0, 1], and the list sums to at most 1 (+1e-9).
    func routes(_ reader: JSONReader) -> [NetworkScenario.Route]? {
        guard let elements = reader.array() else { return nil }
        let routes = elements.map { element -> NetworkScenario.Route? in
            guard let object = element.object(allowedKeys: ["to", "p"], expected: #"a route such as {"to": "db", "p": 0.3}"#) else {
                return nil
            }
            let to = object.required("to").flatMap(resolveStation)
            let p = object.required("p")?.number(.probability)
            guard let to, let p else { return nil }
            return NetworkScenario.Route(to: to, p: p)
        }
        let valid = routes.compactMap { $0 }
        let total = valid.reduce(0) { $0 + $1.p }
        if total > 1 + Self.probabilityTolerance {
            let shown = JSONValue.numberText((total * 1e9).rounded() / 1e9)
            reader.report("the probabilities sum to \(shown), more than 1")
            return nil
        }
        return valid.count == routes.count ? valid : nil
    }

    // MARK: Whole-network checks

    /// Reports each station that arrivals (or the closed population) reach but that no request
    /// can leave the network from.
    func checkEveryRequestCanLeave(_ scenario: NetworkScenario, stationsPath: JSONPath) {
        let stations = scenario.stations
        var successors = [[Int]](repeating: [], count: stations.count)
        var exits = [Bool](repeating: false, count: stations.count)
        func leaves(_ routes: [NetworkScenario.Route]) -> Bool {
            routes.reduce(0) { $0 + $1.p } < 1 - Self.probabilityTolerance
        }
        for (index, station) in stations.enumerated() {
            let lists: [[NetworkScenario.Route]]
            switch station.kind {
            case .queue(_, _, _, _, let next), .delay(_, let next): lists = [next]
            case .cache(_, _, _, _, _, let hit, let miss): lists = [hit, miss]
            }
            exits[index] = lists.contains(where: leaves)
            successors[index] = lists.flatMap { $0.filter { $0.p > 0 }.map(\.to) }
        }
        // Stations from which some path leaves: walk the routes backwards from the exits.
        var predecessors = [[Int]](repeating: [], count: stations.count)
        for (from, targets) in successors.enumerated() { for to in targets { predecessors[to].append(from) } }
        var canLeave = exits
        var work = exits.indices.filter { exits[$0] }
        while let index = work.popLast() {
            for from in predecessors[index] where !canLeave[from] {
                canLeave[from] = true
                work.append(from)
            }
        }
        // Stations that arrivals reach.
        var reached = [Bool](repeating: false, count: stations.count)
        work = scenario.arrivals.map(\.to) + (scenario.population.map { [$0.to] } ?? [])
        let why = scenario.population == nil ? "an open network needs a way out"
            : "a closed network's users must get back to thinking, or they stay there for ever"
        while let index = work.popLast() {
            guard !reached[index] else { continue }
            reached[index] = true
            work.append(contentsOf: successors[index])
        }
        for index in stations.indices where reached[index] && !canLeave[index] {
            let name = JSONReader.describe(.string(stations[index].name))
            log.add(stationsPath.appending(index),
                    "requests that reach \(name) can never leave the network (every route from it continues with probability 1); \(why)")
        }
    }
}
