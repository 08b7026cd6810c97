import Foundation

/// A station of a closed single-class network, as mean value analysis sees it.
public struct MVAStation: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Infinite servers: no waiting (think time, `"type": "delay"`, caches).
        case delay
        /// `servers` servers sharing one queue (FCFS with exponential service, or PS with any
        /// service: BCMP product form).
        case queue(servers: Int)
    }
    public var kind: Kind
    /// Mean visits per cycle (relative to one pass through think time).
    public var visits: Double
    /// Mean service time per visit, in seconds.
    public var meanService: Double

    public init(kind: Kind, visits: Double, meanService: Double) {
        self.kind = kind; self.visits = visits; self.meanService = meanService
    }
}

/// Results of `MeanValueAnalysis.solve`, per station in the order given.
public struct MVAResult: Sendable, Hashable {
    /// Cycles per second: rate at which users leave think time (X(N)).
    public var throughput: Double
    /// Mean time of a cycle, think time included: `N / X(N)`.
    public var cycleTime: Double
    /// Mean time per cycle spent at each station (all visits together).
    public var residence: [Double]
    /// Mean response time per visit (`residence / visits`; the service time when not visited).
    public var responsePerVisit: [Double]
    /// Mean number at each station, waiting and in service.
    public var meanInStation: [Double]
    /// Mean fraction of servers busy (nil for delay stations).
    public var utilization: [Double?]
    /// Probability that an arriving request finds every server busy (by the arrival theorem,
    /// from the network with N - 1 users); 0 at delay stations.
    public var waitProbability: [Double]
}

/// Exact mean value analysis of a closed single-class product-form network.
public enum MeanValueAnalysis {
    /// The largest population solved exactly when a station has 1 < c < N servers; above it,
    /// Seidmann's approximation (see `solve`).
    public static let exactLoadDependentLimit = 2_000

    /// Solves a closed network of `population` users who think for `thinkTime` on average and
    /// then visit the stations.
    ///
    /// Exact MVA (Reiser & Lavenberg, "Mean-value analysis of closed multichain queuing
    /// networks", JACM 27(2), 1980; Lazowska, Zahorjan, Graham & Sevcik, *Quantitative System
    /// Performance*, 1984, ch. 6): with demand `D_k = V_k E[S_k]`, for n = 1...N,
    /// `R_k(n) = D_k` (delay), `R_k(n) = D_k (1 + Q_k(n-1))` (one server),
    /// `X(n) = n / (Z + sum_k R_k(n))`, `Q_k(n) = X(n) R_k(n)`.
    ///
    /// A station with c > 1 servers is load-dependent (Lazowska et al. 1984, ch. 20; Bolch,
    /// Greiner, de Meer & Trivedi, *Queueing Networks and Markov Chains*, 2nd ed., 2006,
    /// sec. 8.2): `R_k(n) = (D_k / c) (1 + Q_k(n-1) + sum_{j=0}^{c-2} (c-1-j) p_k(j | n-1))`, with
    /// `p_k(j | n)` the probability of j users at k when the network holds n. The textbook
    /// recursion obtains `p_k(0 | n)` as `1 - sum_{j>=1} p_k(j | n)`, which cancels
    /// catastrophically once the station saturates, and the error is amplified by up to
    /// `c^(c-1) / (c-1)!` on its way up the recursion (Casale & Serazzi, "Stabilization
    /// techniques for load-dependent queueing network algorithms", 2005). Here every
    /// `p_k(j | n) = f_k(j) G_{-k}(n-j) / G(n)` is taken instead from normalization constants
    /// (Buzen, "Computational algorithms for closed queueing networks with exponential servers",
    /// CACM 16(9), 1973), with `f_k(j) = D_k^j / prod_{i<=j} min(i, c)`, convolved in logarithms
    /// (`G_{-k}` is the network without k, from prefix and suffix convolutions): every quantity
    /// is a sum of positive terms, so N in the thousands stays accurate. A station with c >= N
    /// servers never queues and is solved as a delay station (exactly).
    ///
    /// Product form (Baskett, Chandy, Muntz & Palacios, JACM 22(2), 1975) holds for delay
    /// stations with any distribution, PS stations with any distribution, and FCFS stations
    /// with exponential service; for FCFS with other service the result is an approximation.
    ///
    /// Above `exactLoadDependentLimit` users the O(K N^2) constants would take minutes to hours
    /// (and N = 10^8 is a valid file), so each station with 1 < c < N servers is then replaced
    /// by Seidmann's approximation (Seidmann, Schweitzer & Shalev-Oren, "Computerized closed
    /// queueing network models of flexible manufacturing systems", Large Scale Systems 12,
    /// 1987): one server of demand D/c followed by a delay of D (c-1)/c, and its wait
    /// probability by Erlang C at its throughput. The error vanishes as N grows, where one
    /// bottleneck decides the throughput.
    ///
    /// - Complexity: O(N (K + sum c)) for the recursion, plus O(K N^2) for the normalization
    ///   constants when some station has 1 < c < N servers and N <= `exactLoadDependentLimit`.
    public static func solve(stations: [MVAStation], thinkTime z: Double, population n: Int) -> MVAResult {
        precondition(n >= 0 && z >= 0)
        let k = stations.count
        let demand = stations.map { $0.visits * $0.meanService }
        // Servers per station; nil = infinite (delay or c >= N); 0 demand stations take no part.
        let servers: [Int?] = stations.map { station in
            switch station.kind {
            case .delay: return nil
            case .queue(let c): return c >= max(n, 1) ? nil : c
            }
        }
        let loadDependent = (0..<k).filter { demand[$0] > 0 && (servers[$0] ?? 1) > 1 }
        let seidmann = !loadDependent.isEmpty && n > exactLoadDependentLimit
        let constants = loadDependent.isEmpty || seidmann ? nil
            : NormalizationConstants(demand: demand, servers: servers, thinkTime: z, population: n)

        var q = [Double](repeating: 0, count: k)
        var queuePart = [Double](repeating: 0, count: k)  // Seidmann: users at the D/c server
        var r = stations.map(\.meanService)       // per visit; stays E[S] when N = 0 or not visited
        var residence = [Double](repeating: 0, count: k)
        var x = 0.0, previousX = 0.0
        for users in stride(from: 1, through: n, by: 1) {
            for i in 0..<k {
                guard demand[i] > 0 else { residence[i] = 0; continue }
                switch servers[i] {
                case nil:
                    residence[i] = demand[i]
                case 1?:
                    residence[i] = demand[i] * (1 + q[i])
                case let c? where seidmann:
                    let single = demand[i] / Double(c) * (1 + queuePart[i])
                    queuePart[i] = single  // times X below
                    residence[i] = single + demand[i] * Double(c - 1) / Double(c)
                case let c?:
                    var correction = 0.0
                    for j in 0...min(c - 2, users - 1) {
                        correction += Double(c - 1 - j) * constants!.marginal(station: i, users: j, of: users - 1)
                    }
                    residence[i] = demand[i] / Double(c) * (1 + q[i] + correction)
                }
            }
            let cycle = z + residence.reduce(0, +)
            previousX = x
            x = cycle > 0 ? Double(users) / cycle : .infinity
            for i in 0..<k { q[i] = residence[i] > 0 ? x * residence[i] : 0 }
            if seidmann { for i in loadDependent { queuePart[i] *= x } }
        }

        var utilization = [Double?](repeating: nil, count: k)
        var waitProbability = [Double](repeating: 0, count: k)
        for i in 0..<k {
            if stations[i].visits > 0, n > 0 { r[i] = residence[i] / stations[i].visits }
            guard case .queue(let c) = stations[i].kind else { continue }
            utilization[i] = n > 0 ? x * demand[i] / Double(c) : 0
            guard demand[i] > 0, n > 0 else { continue }
            switch servers[i] {
            case nil:
                waitProbability[i] = 0
            case 1?:
                waitProbability[i] = previousX * demand[i]                // U_k(N - 1)
            case let c? where seidmann:
                waitProbability[i] = QueueingFormulas.erlangC(servers: c, offeredLoad: x * demand[i])
            case let c?:
                var busy = 0.0                                           // P(j >= c | N - 1)
                if n - 1 >= c {
                    for j in c...(n - 1) { busy += constants!.marginal(station: i, users: j, of: n - 1) }
                }
                waitProbability[i] = min(1, busy)
            }
        }
        return MVAResult(throughput: x, cycleTime: n > 0 ? Double(n) / x : z, residence: residence,
                         responsePerVisit: r, meanInStation: q, utilization: utilization,
                         waitProbability: waitProbability)
    }
}

/// Logarithms of the normalization constants of a closed product-form network, for the marginal
/// queue-length probabilities of its load-dependent stations (Buzen 1973).
private struct NormalizationConstants {
    /// `log f_k(j)` per station, j = 0...N.
    let logFactor: [[Double]]
    /// `log G(n)` of the whole network, n = 0...N.
    let logG: [Double]
    /// `log G_{-k}(n)` of the network without station k (only for load-dependent k).
    let logGWithout: [Int: [Double]]

    init(demand: [Double], servers: [Int?], thinkTime z: Double, population n: Int) {
        let k = demand.count
        // Station factors. Delay: D^j / j!; c servers: D^j / prod_{i<=j} min(i, c).
        var factors: [[Double]] = []
        for i in 0..<k {
            var f = [Double](repeating: -.infinity, count: n + 1)
            f[0] = 0
            if demand[i] > 0 {
                let logD = log(demand[i])
                for j in stride(from: 1, through: n, by: 1) {
                    let divisor = servers[i].map { Double(min(j, $0)) } ?? Double(j)
                    f[j] = f[j - 1] + logD - log(divisor)
                }
            }
            factors.append(f)
        }
        var think = [Double](repeating: -.infinity, count: n + 1)
        think[0] = 0
        if z > 0 {
            for j in stride(from: 1, through: n, by: 1) { think[j] = think[j - 1] + log(z) - log(Double(j)) }
        }
        // prefix[i] = think * f_0 * ... * f_{i-1}; suffix[i] = f_i * ... * f_{k-1}.
        var prefix = [think]
        for i in 0..<k { prefix.append(Self.convolve(prefix[i], factors[i])) }
        var unit = [Double](repeating: -.infinity, count: n + 1)
        unit[0] = 0
        var suffix = [[Double]](repeating: unit, count: k + 1)
        for i in stride(from: k - 1, through: 0, by: -1) { suffix[i] = Self.convolve(factors[i], suffix[i + 1]) }
        var without: [Int: [Double]] = [:]
        for i in 0..<k where demand[i] > 0 && (servers[i] ?? 1) > 1 {
            without[i] = Self.convolve(prefix[i], suffix[i + 1])
        }
        logFactor = factors
        logG = prefix[k]
        logGWithout = without
    }

    /// `p_k(j | n) = f_k(j) G_{-k}(n - j) / G(n)`.
    func marginal(station i: Int, users j: Int, of n: Int) -> Double {
        exp(logFactor[i][j] + logGWithout[i]![n - j] - logG[n])
    }

    /// `log` of the convolution `h(m) = sum_{j<=m} exp(a_j) exp(b_{m-j})`, each term scaled by
    /// the largest before summing (log-sum-exp).
    static func convolve(_ a: [Double], _ b: [Double]) -> [Double] {
        var out = [Double](repeating: -.infinity, count: a.count)
        for m in 0..<a.count {
            var top = -Double.infinity
            for j in 0...m { top = max(top, a[j] + b[m - j]) }
            guard top > -.infinity else { continue }
            var sum = 0.0
            for j in 0...m { sum += exp(a[j] + b[m - j] - top) }
            out[m] = top + log(sum)
        }
        return out
    }
}
