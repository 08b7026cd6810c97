import Foundation

extension NetworkAnalytic {
    /// Solves a closed network: visit ratios per cycle, then exact mean value analysis.
    ///
    /// Visit ratios solve the traffic equations with one request per cycle entering at the
    /// population's `to` station (a request that leaves the network returns to think time and
    /// then enters there again). Think time is a delay station of mean Z (any distribution:
    /// delay stations are insensitive, BCMP 1975). Queue stations with one server are
    /// load-independent, with c > 1 servers load-dependent (see `MeanValueAnalysis`); single- and
    /// multi-server PS are exact for any service distribution (BCMP type 2, and Kelly's symmetric
    /// queues), FCFS is exact for exponential service and otherwise treated as exponential
    /// (approximation, noted). Delay and cache stations are delay stations.
    ///
    /// A cache's hit ratio depends (through a TTL) on its request rate `X(N) V_cache`, which
    /// depends on the hit ratio through the visit ratios; the two are iterated to a fixed point
    /// (`iterateToFixedPoint`: visit ratios, MVA, hit ratios, and again). Capacities are not
    /// modelled (blocking breaks the product form); a capacity at or above the population can
    /// never block and is exact, one below it is noted.
    static func solveClosed(_ scenario: NetworkScenario, population: NetworkScenario.Population) -> NetworkAnalytic {
        let stations = scenario.stations
        let n = stations.count
        let users = population.size
        let think = population.think.mean
        var gamma = [Double](repeating: 0, count: n)
        gamma[population.to] = 1

        var caches: [Int: CacheModel] = [:]
        for (i, station) in stations.enumerated() {
            if case .cache(let keys, let zipf, let ttl, let capacity, _, _, _) = station.kind {
                caches[i] = CacheModel(keys: keys, zipf: zipf, ttl: ttl, capacity: capacity)
            }
        }
        let cacheIndices = caches.keys.sorted()

        let mvaStations: [MVAStation] = stations.map { station in
            switch station.kind {
            case .queue(let c, _, _, let service, _):
                return MVAStation(kind: .queue(servers: c), visits: 0, meanService: service.mean)
            case .delay(let service, _):
                return MVAStation(kind: .delay, visits: 0, meanService: service.mean)
            case .cache(_, _, _, _, let service, _, _):
                return MVAStation(kind: .delay, visits: 0, meanService: service.map(\.mean) ?? 0)
            }
        }
        func hitMap(_ x: [Double]) -> [Int: Double] {
            Dictionary(uniqueKeysWithValues: zip(cacheIndices, x))
        }
        func visits(_ x: [Double]) -> TrafficSolution {
            TrafficEquations.solve(external: gamma, routing: routingMatrix(scenario, hitRatio: hitMap(x), admitted: [:]))
        }
        func mva(_ v: [Double]) -> MVAResult {
            var withVisits = mvaStations
            for i in 0..<n { withVisits[i].visits = v[i] }
            return MeanValueAnalysis.solve(stations: withVisits, thinkTime: think, population: users)
        }

        let initial = cacheIndices.map { caches[$0]!.fixedHitRatio ?? 0.5 }
        let (parameters, iterations, converged) = iterateToFixedPoint(initial) { x in
            let v = visits(x)
            guard v.trapped.isEmpty else { return x }
            let x1 = mva(v.rates).throughput
            return cacheIndices.map { caches[$0]!.hitRatio(arrivalRate: x1 * v.rates[$0]) }
        }
        let hit = hitMap(parameters)
        let v = visits(parameters)

        var notes: [String] = []
        guard v.trapped.isEmpty else {
            let names = v.trapped.map { stations[$0].name }.joined(separator: ", ")
            notes.append("\(names): requests that reach them never return to think time (routing probabilities "
                         + "sum to 1 on a cycle): every user ends up there, no steady state")
            let trapped = Set(v.trapped)
            let results = (0..<n).map { i in
                StationResult(arrivalRate: 0, throughput: 0, stable: !trapped.contains(i), method: "singular routing")
            }
            return NetworkAnalytic(stations: results, systemThroughput: nil, systemMeanResponse: nil, notes: notes)
        }
        if cacheIndices.contains(where: { caches[$0]!.fixedHitRatio == nil }) {
            notes.append(converged
                ? "TTL cache hit ratios depend on the throughput: solved with MVA by fixed-point iteration "
                    + "(\(iterations) iterations)"
                : "TTL cache hit ratios did not settle after \(iterations) iterations: results are approximate")
        }
        let result = mva(v.rates)
        let x = result.throughput
        if !x.isFinite {
            notes.append("every station and the think time have zero mean time: throughput unbounded")
        }

        var results: [StationResult] = []
        for (i, station) in stations.enumerated() {
            let visitsPerCycle = v.rates[i]
            let rate = x.isFinite ? x * visitsPerCycle : 0
            let visited = visitsPerCycle > 0 && users > 0 && x.isFinite
            let response = visited ? result.responsePerVisit[i] : nil
            let inStation = x.isFinite ? result.meanInStation[i] : nil
            switch station.kind {
            case .delay, .cache:
                let cacheModel = caches[i]
                if let note = cacheModel?.note(station: station.name) { notes.append(note) }
                results.append(StationResult(
                    arrivalRate: rate, throughput: rate, meanResponse: response, meanWait: 0, waitProbability: 0,
                    meanQueueLength: 0, meanInStation: inStation, hitRatio: hit[i],
                    method: cacheModel.map { "MVA (delay); \($0.method)" } ?? "MVA (delay)"))

            case .queue(let c, let discipline, let capacity, let service, _):
                let s = service.mean
                var r = StationResult(arrivalRate: rate, throughput: rate, utilization: result.utilization[i],
                                      meanResponse: response, meanInStation: inStation,
                                      method: c > 1 && c < users
                                          ? (users > MeanValueAnalysis.exactLoadDependentLimit ? "approximate MVA (Seidmann)" : "MVA (load-dependent)")
                                          : "MVA")
                if discipline == .fcfs {
                    r.meanWait = response.map { max(0, $0 - s) }
                    r.waitProbability = result.waitProbability[i]
                    r.meanQueueLength = inStation.map { max(0, $0 - rate * s) }    // minus busy servers
                    if !service.isExponential && visited {
                        notes.append("\(station.name): FCFS with \(distributionName(service)) service: MVA treats "
                                     + "it as exponential (approximation; product form needs exponential FCFS service)")
                    }
                }
                if let k = capacity {
                    if k >= users {
                        r.blockingProbability = 0
                    } else {
                        notes.append("\(station.name): capacity \(k) is below the population \(users): blocking is "
                                     + "not modelled (approximation)")
                    }
                }
                results.append(r)
            }
        }
        return NetworkAnalytic(stations: results, systemThroughput: x.isFinite ? x : nil,
                               systemMeanResponse: x.isFinite && users > 0 ? result.cycleTime - think : nil,
                               notes: notes)
    }
}
