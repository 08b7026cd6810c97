import Foundation

/// The analytic solution of a network scenario: queueing formulas per station for an open
/// network, mean value analysis for a closed one.
///
/// It gives an instant answer and a cross-check for the simulation (DESIGN.md, sec. 5). Where a
/// formula is an approximation or does not apply, `notes` says so in plain English, and the
/// station's `method` names the formula used.
public struct NetworkAnalytic: Sendable {
    /// Analytic measures of one station; nil where no formula applies.
    public struct StationResult: Sendable, Hashable {
        /// Requests per second arriving at the station (offered, blocked ones included);
        /// `+infinity` when the routing traps requests (see `NetworkAnalytic.notes`).
        public var arrivalRate: Double
        /// Requests per second served (admitted ones).
        public var throughput: Double
        /// Mean fraction of the servers busy (nil for delay and cache stations). For an
        /// unstable queue this is the offered load `lambda E[S] / c`, at least 1.
        public var utilization: Double?
        /// Mean time from arrival to departure, per visit.
        public var meanResponse: Double?
        /// Mean time waiting before service, per visit (nil under processor sharing).
        public var meanWait: Double?
        /// Probability that an (admitted) arrival waits (nil under processor sharing).
        public var waitProbability: Double?
        /// Mean number waiting (nil under processor sharing).
        public var meanQueueLength: Double?
        /// Mean number present, waiting and in service.
        public var meanInStation: Double?
        /// Probability that an arrival is blocked (stations with a capacity).
        public var blockingProbability: Double?
        /// Fraction of requests that hit (caches).
        public var hitRatio: Double?
        /// False when no steady state exists (utilization >= 1 without a capacity, trapped routing).
        public var stable: Bool
        /// The formula used, e.g. "M/M/c (Erlang C)", "M/G/1 (Pollaczek-Khinchine)", "MVA".
        public var method: String

        public init(arrivalRate: Double, throughput: Double, utilization: Double? = nil,
                    meanResponse: Double? = nil, meanWait: Double? = nil, waitProbability: Double? = nil,
                    meanQueueLength: Double? = nil, meanInStation: Double? = nil,
                    blockingProbability: Double? = nil, hitRatio: Double? = nil,
                    stable: Bool = true, method: String) {
            self.arrivalRate = arrivalRate; self.throughput = throughput; self.utilization = utilization
            self.meanResponse = meanResponse; self.meanWait = meanWait; self.waitProbability = waitProbability
            self.meanQueueLength = meanQueueLength; self.meanInStation = meanInStation
            self.blockingProbability = blockingProbability; self.hitRatio = hitRatio
            self.stable = stable; self.method = method
        }
    }

    /// One result per station, in the order of the scenario.
    public var stations: [StationResult]
    /// Open: requests per second that complete and leave. Closed: cycles per second (users
    /// leaving think time). Nil when no steady state exists.
    public var systemThroughput: Double?
    /// Open: mean time from entering to leaving the network, `sum_k (X_k / Lambda) T_k` with
    /// X_k the station's throughput, Lambda the total external rate and T_k the mean response
    /// per visit. Closed: mean time from leaving think time to returning to it. Nil when some
    /// visited station has no steady state.
    public var systemMeanResponse: Double?
    /// Plain-English remarks: approximations used, formulas that do not apply and why.
    public var notes: [String]

    /// Solves `scenario` analytically: `solveOpen` when it has arrivals, `solveClosed` when it
    /// has a population.
    public static func solve(_ scenario: NetworkScenario) -> NetworkAnalytic {
        if let population = scenario.population {
            return solveClosed(scenario, population: population)
        }
        return solveOpen(scenario)
    }
}

// MARK: - Shared pieces of the open and closed solutions

extension NetworkAnalytic {
    /// The analytic view of a cache station: its popularity and the hit-ratio formula that
    /// applies (see `CacheFormulas`).
    struct CacheModel {
        let popularity: [Double]
        let ttl: Double?
        /// Capacity when it binds (below the number of keys), else nil.
        let capacity: Int?
        /// The hit ratio when it does not depend on the request rate.
        let fixedHitRatio: Double?
        let method: String

        init(keys: Int, zipf: Double, ttl: Double?, capacity: Int?) {
            popularity = ZipfPopularity.probabilities(keys: keys, exponent: zipf)
            self.ttl = ttl
            self.capacity = capacity.flatMap { $0 < keys ? $0 : nil }
            switch (ttl, self.capacity) {
            case (nil, nil):
                fixedHitRatio = 1
                method = "cache (no expiry)"
            case (nil, let c?):
                fixedHitRatio = CacheFormulas.lruHitRatio(popularity: popularity, capacity: c)
                method = "LRU (Che)"
            case (_?, nil):
                fixedHitRatio = nil
                method = "TTL cache"
            case (_?, _?):
                fixedHitRatio = nil
                method = "TTL-LRU (Che, approximation)"
            }
        }

        /// The hit ratio at `arrivalRate` requests per second.
        func hitRatio(arrivalRate: Double) -> Double {
            if let fixed = fixedHitRatio { return fixed }
            guard let ttl, arrivalRate.isFinite else { return 1 }
            if let capacity {
                return CacheFormulas.ttlLRUHitRatio(popularity: popularity, arrivalRate: arrivalRate,
                                                    ttl: ttl, capacity: capacity)
            }
            return CacheFormulas.ttlHitRatio(popularity: popularity, arrivalRate: arrivalRate, ttl: ttl)
        }

        /// A remark for the notes, when the formula needs one.
        func note(station name: String) -> String? {
            switch (ttl, capacity) {
            case (nil, nil):
                return "\(name): no TTL and no binding capacity: hit ratio 1 in the long run "
                    + "(only the first request of each key misses)"
            case (_?, _?):
                return "\(name): TTL and LRU capacity together: per-key hit probability taken as the "
                    + "smaller of the TTL and Che values (approximation, an upper bound)"
            default:
                return nil
            }
        }
    }

    /// The routing matrix with caches split by their hit ratio and capacity stations thinned by
    /// their admission probability: `P[i][j]` is the probability that a request arriving at `i`
    /// goes next to `j`.
    static func routingMatrix(_ scenario: NetworkScenario, hitRatio: [Int: Double],
                              admitted: [Int: Double]) -> [[Double]] {
        let n = scenario.stations.count
        var p = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for (i, station) in scenario.stations.enumerated() {
            switch station.kind {
            case .queue(_, _, _, _, let next), .delay(_, let next):
                let pass = admitted[i] ?? 1
                for route in next { p[i][route.to] += pass * route.p }
            case .cache(_, _, _, _, _, let hit, let miss):
                let h = hitRatio[i] ?? 1
                for route in hit { p[i][route.to] += h * route.p }
                for route in miss { p[i][route.to] += (1 - h) * route.p }
            }
        }
        return p
    }

    /// Iterates `x = f(x)` over a vector of probabilities until no entry moves by more than
    /// `1e-12`: plain substitution for 50 steps (exact after as many steps as the network is
    /// deep when it has no feedback), then averaged steps `x + (f(x) - x) / 2`, which damp
    /// the oscillation a feedback loop can cause (Krasnoselskii's iteration; Berinde, *Iterative
    /// Approximation of Fixed Points*, 2007). Gives up after 500 steps.
    static func iterateToFixedPoint(_ initial: [Double], _ f: ([Double]) -> [Double])
        -> (value: [Double], iterations: Int, converged: Bool) {
        var x = initial
        guard !x.isEmpty else { return (x, 0, true) }
        for iteration in 1...500 {
            let fx = f(x)
            let change = zip(x, fx).map { abs($0 - $1) }.max() ?? 0
            let step = iteration <= 50 ? 1.0 : 0.5
            x = zip(x, fx).map { $0 + step * ($1 - $0) }
            if change <= 1e-12 { return (x, iteration, true) }
        }
        return (x, 500, false)
    }

    /// A short name of a distribution for the notes ("lognormal", "erlang-3", ...).
    static func distributionName(_ d: Distribution) -> String {
        switch d {
        case .exponential: return "exponential"
        case .deterministic: return "deterministic"
        case .uniform: return "uniform"
        case .erlang(let k, _): return "erlang-\(k)"
        case .gamma: return "gamma"
        case .lognormal, .lognormalQuantiles: return "lognormal"
        case .hyperexponential: return "hyperexponential"
        case .pareto: return "pareto"
        }
    }

    /// `x` with up to 3 significant digits, for the notes.
    static func short(_ x: Double) -> String {
        String(format: "%.3g", x)
    }

    /// The result of a station that trapped requests can reach (no steady state).
    static func trappedResult(rate: Double) -> StationResult {
        StationResult(arrivalRate: rate, throughput: rate, stable: false, method: "singular routing")
    }
}
