import Foundation

extension NetworkAnalytic {
    /// Solves an open network: Jackson's traffic equations for the arrival rate of each station,
    /// then a single-station formula per station (Jackson, *Management Science* 10, 1963: with
    /// Poisson arrivals, exponential FCFS or PS stations and Markov routing, each station behaves
    /// as an isolated queue with Poisson input of its total rate).
    ///
    /// Caches send the hit-ratio fraction of their requests to `hit` and the rest to `miss`;
    /// stations with a capacity lose their blocked requests. Both fractions depend on the
    /// station's arrival rate, which depends on them, so the rates are the fixed point of
    /// (solve the traffic equations, recompute hit ratios and blocking), found by
    /// `iterateToFixedPoint` (exact after one pass per level of depth when there is no feedback).
    ///
    /// Station formulas: FCFS with c = 1 and exponential service M/M/1; c > 1 exponential Erlang C;
    /// c = 1 otherwise Pollaczek-Khinchine; c > 1 otherwise Allen-Cunneen (approximation); PS the
    /// insensitive PS formulas; a capacity M/M/c/K (an approximation for FCFS with non-exponential
    /// service, exact for PS); delay stations `T = E[S]`; caches `T = E[S]` of their optional
    /// service. Outside Jackson's assumptions (non-exponential FCFS service feeding other
    /// stations, caches and blocking thinning the Poisson streams), station inputs are not exactly
    /// Poisson and the results are approximations; the notes name the stations concerned.
    static func solveOpen(_ scenario: NetworkScenario) -> NetworkAnalytic {
        let stations = scenario.stations
        let n = stations.count
        var gamma = [Double](repeating: 0, count: n)
        for arrival in scenario.arrivals { gamma[arrival.to] += arrival.rate }
        let totalExternal = gamma.reduce(0, +)

        var caches: [Int: CacheModel] = [:]
        var finite: [Int: (servers: Int, capacity: Int, meanService: Double)] = [:]
        for (i, station) in stations.enumerated() {
            switch station.kind {
            case .cache(let keys, let zipf, let ttl, let capacity, _, _, _):
                caches[i] = CacheModel(keys: keys, zipf: zipf, ttl: ttl, capacity: capacity)
            case .queue(let c, _, let k?, let service, _):
                finite[i] = (c, k, service.mean)
            default:
                break
            }
        }
        let cacheIndices = caches.keys.sorted(), finiteIndices = finite.keys.sorted()
        let leaks = (0..<n).map { finite[$0] != nil }

        // Parameters: hit ratio of each cache, then blocking probability of each finite station.
        // Rate-dependent ones start at 1/2, strictly inside (0, 1), so that no route that can
        // be taken is missing from the first solution.
        func split(_ x: [Double]) -> (hit: [Int: Double], admitted: [Int: Double]) {
            var hit: [Int: Double] = [:], admitted: [Int: Double] = [:]
            for (slot, i) in cacheIndices.enumerated() { hit[i] = x[slot] }
            for (slot, i) in finiteIndices.enumerated() { admitted[i] = 1 - x[cacheIndices.count + slot] }
            return (hit, admitted)
        }
        func traffic(_ x: [Double]) -> TrafficSolution {
            let (hit, admitted) = split(x)
            return TrafficEquations.solve(external: gamma,
                                          routing: routingMatrix(scenario, hitRatio: hit, admitted: admitted),
                                          leaks: leaks)
        }
        let initial = cacheIndices.map { caches[$0]!.fixedHitRatio ?? 0.5 } + finiteIndices.map { _ in 0.5 }
        let (parameters, iterations, converged) = iterateToFixedPoint(initial) { x in
            let rates = traffic(x).rates
            var next = x
            for (slot, i) in cacheIndices.enumerated() where rates[i].isFinite {
                next[slot] = caches[i]!.hitRatio(arrivalRate: rates[i])
            }
            for (slot, i) in finiteIndices.enumerated() where rates[i].isFinite {
                let f = finite[i]!
                next[cacheIndices.count + slot] = QueueingFormulas.mmcK(
                    arrivalRate: rates[i], meanService: f.meanService, servers: f.servers,
                    capacity: f.capacity).blockingProbability
            }
            return next
        }
        let solution = traffic(parameters)
        let (hit, _) = split(parameters)

        var notes: [String] = []
        if !converged {
            notes.append("hit ratios and blocking did not settle after \(iterations) iterations "
                         + "(feedback through caches or finite capacities): rates are approximate")
        }
        if !solution.trapped.isEmpty {
            let names = solution.trapped.map { stations[$0].name }.joined(separator: ", ")
            notes.append("\(names): requests that reach them can never leave (routing probabilities sum to 1 "
                         + "on a cycle): their arrival rate grows without bound, no steady state")
        }

        var results: [StationResult] = []
        for (i, station) in stations.enumerated() {
            let rate = solution.rates[i]
            guard rate.isFinite else { results.append(trappedResult(rate: rate)); continue }
            results.append(openStation(station, rate: rate, cache: caches[i], hitRatio: hit[i], notes: &notes))
        }

        // System: requests leaving, and mean time in the network over all visits.
        var systemThroughput: Double? = nil, systemResponse: Double? = nil
        if solution.trapped.isEmpty {
            let p = routingMatrix(scenario, hitRatio: hit, admitted: [:])
            var leaving = 0.0, response = 0.0, defined = totalExternal > 0
            for i in 0..<n {
                leaving += results[i].throughput * max(0, 1 - p[i].reduce(0, +))
                guard results[i].throughput > 0 else { continue }
                if let t = results[i].meanResponse, results[i].stable {
                    response += results[i].throughput / totalExternal * t
                } else {
                    defined = false
                }
            }
            systemThroughput = leaving
            systemResponse = defined ? response : nil
            if !defined && totalExternal > 0 {
                notes.append("system mean response: undefined, some station has no steady state")
            }
        }
        return NetworkAnalytic(stations: results, systemThroughput: systemThroughput,
                               systemMeanResponse: systemResponse, notes: notes)
    }

    /// The formula for one station of an open network at arrival rate `rate` (see `solveOpen`).
    private static func openStation(_ station: NetworkScenario.Station, rate lambda: Double, cache: CacheModel?,
                                    hitRatio: Double?, notes: inout [String]) -> StationResult {
        let name = station.name
        switch station.kind {
        case .delay(let service, _):
            let s = service.mean
            return StationResult(arrivalRate: lambda, throughput: lambda, meanResponse: s, meanWait: 0,
                                 waitProbability: 0, meanQueueLength: 0, meanInStation: lambda * s,
                                 method: "delay")

        case .cache(_, _, _, _, let service, _, _):
            let s = service.map(\.mean) ?? 0
            if let note = cache?.note(station: name) { notes.append(note) }
            return StationResult(arrivalRate: lambda, throughput: lambda, meanResponse: s, meanWait: 0,
                                 waitProbability: 0, meanQueueLength: 0, meanInStation: lambda * s,
                                 hitRatio: hitRatio, method: cache?.method ?? "cache")

        case .queue(let c, let discipline, let capacity, let service, _):
            let s = service.mean, scv = service.scv
            let exponential = service.isExponential
            let serviceText = "\(distributionName(service)) service"

            if let k = capacity {
                let m = QueueingFormulas.mmcK(arrivalRate: lambda, meanService: s, servers: c, capacity: k)
                var result = StationResult(arrivalRate: lambda, throughput: m.throughput, utilization: m.utilization,
                                           meanResponse: m.meanResponse, meanInStation: m.meanInSystem,
                                           blockingProbability: m.blockingProbability, method: "M/M/c/K")
                if discipline == .ps {
                    result.method = "M/M/c/K (PS)"
                } else {
                    result.meanWait = m.meanWait
                    result.waitProbability = m.waitProbability
                    result.meanQueueLength = m.meanQueueLength
                    if !exponential {
                        notes.append("\(name): FCFS with capacity \(k) and \(serviceText): M/M/c/K formulas "
                                     + "(approximation, exact only for exponential service)")
                    }
                }
                return result
            }

            let method = switch (discipline, c, exponential) {
            case (.ps, 1, _): "M/G/1-PS"
            case (.ps, _, _): "M/G/c-PS"
            case (.fcfs, 1, true): "M/M/1"
            case (.fcfs, _, true): "M/M/c (Erlang C)"
            case (.fcfs, 1, false): "M/G/1 (Pollaczek-Khinchine)"
            case (.fcfs, _, false): "M/G/c (Allen-Cunneen)"
            }
            let rho = lambda * s / Double(c)
            if rho >= 1 {
                notes.append("\(name): unstable (utilization \(short(rho)))")
                return StationResult(arrivalRate: lambda, throughput: lambda, utilization: rho, stable: false,
                                     method: method)
            }
            if discipline == .ps {
                let t = c == 1 ? QueueingFormulas.mg1PSMeanResponse(arrivalRate: lambda, meanService: s)!
                    : QueueingFormulas.mgcPSMeanResponse(arrivalRate: lambda, meanService: s, servers: c)!
                return StationResult(arrivalRate: lambda, throughput: lambda, utilization: rho, meanResponse: t,
                                     meanInStation: lambda * t, method: method)
            }
            let wait: Double, waitProbability: Double
            switch (c, exponential) {
            case (1, true):
                wait = QueueingFormulas.mmcMeanWait(arrivalRate: lambda, meanService: s, servers: 1)!
                waitProbability = rho
            case (_, true):
                wait = QueueingFormulas.mmcMeanWait(arrivalRate: lambda, meanService: s, servers: c)!
                waitProbability = QueueingFormulas.erlangC(servers: c, offeredLoad: lambda * s)
            case (1, false):
                wait = QueueingFormulas.mg1MeanWait(arrivalRate: lambda, meanService: s, scv: scv)!
                waitProbability = rho                       // PASTA: P(server busy)
            case (_, false):
                wait = QueueingFormulas.mgcMeanWaitAllenCunneen(arrivalRate: lambda, meanService: s, scv: scv,
                                                                servers: c)!
                waitProbability = QueueingFormulas.erlangC(servers: c, offeredLoad: lambda * s)
                notes.append("\(name): FCFS with \(c) servers and \(serviceText): Allen-Cunneen approximation "
                             + "(wait probability from Erlang C)")
            }
            let t = wait + s
            return StationResult(arrivalRate: lambda, throughput: lambda, utilization: rho, meanResponse: t,
                                 meanWait: wait, waitProbability: waitProbability, meanQueueLength: lambda * wait,
                                 meanInStation: lambda * t, method: method)
        }
    }
}
