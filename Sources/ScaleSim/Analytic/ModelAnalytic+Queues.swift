import Foundation

/// One CPU of the analytic model: its load and what queueing theory says of it.
struct CPUQueue {
    let cores: Int
    let discipline: Model.CPU.Discipline
    let rate: Double
    let work: Double
    /// Busy cores over cores (offered; above 1 the CPU is overloaded).
    var utilization: Double { work / Double(cores) }
    var stable: Bool { rate == 0 || utilization < 1 }
    /// Processor sharing: mean response over mean work (`R / E[S]`). FCFS: 1.
    private(set) var slowdown = 1.0
    /// FCFS: the mean wait for a core and the probability of waiting. PS: 0.
    private(set) var wait = 0.0
    private(set) var waitProbability = 0.0

    init(_ cpu: Model.CPU, rate: Double, work: Double, secondMoment: Double) {
        cores = cpu.cores
        discipline = cpu.discipline
        self.rate = rate
        self.work = work
        guard rate > 0 else { return }
        guard stable else {
            slowdown = .infinity
            wait = .infinity
            waitProbability = 1
            return
        }
        let meanService = work / rate
        let offered = work
        switch discipline {
        case .ps:
            // Multi-server PS is a symmetric queue: its mean response is M/M/c's, for any
            // service distribution (QueueingFormulas.mgcPSMeanResponse).
            let response = QueueingFormulas.mgcPSMeanResponse(arrivalRate: rate, meanService: meanService, servers: cores)!
            slowdown = response / meanService
        case .fcfs:
            let scv = max(0, secondMoment / rate / (meanService * meanService) - 1)
            wait = QueueingFormulas.mgcMeanWaitAllenCunneen(arrivalRate: rate, meanService: meanService,
                                                            scv: scv, servers: cores)!
            waitProbability = QueueingFormulas.erlangC(servers: cores, offeredLoad: offered)
        }
    }

    var station: ModelAnalytic.Station {
        let meanService = rate > 0 ? work / rate : 0
        let response = meanService * slowdown + wait
        return .init(arrivalRate: rate, utilization: utilization,
                     meanResponse: stable && rate > 0 ? response : nil,
                     meanQueueLength: stable ? rate * (response - meanService) : nil)
    }
}

/// The time a visit takes at a resource: a fixed part (the least it can take) and a variable
/// part with its mean and variance.
struct Sojourns {
    let model: Model
    let cpus: [CPUQueue]
    let means: [Double], variances: [Double], fixed: [Bool]

    struct Time {
        var mean: Double
        var variance: Double
        /// The part of `mean` that is certain (network latency, deterministic work).
        var fixed: Double
    }

    /// The sojourn of a visit with work from `sampler`, averaged over the instances it spreads to.
    func visit(_ server: Model.Server, sampler: Int, on: ProgramPath.Span?) -> Time {
        let m = means[sampler], v = variances[sampler]
        let certain = fixed[sampler] ? m : 0
        switch server {
        case .delay:
            return Time(mean: m, variance: v, fixed: certain)
        case .cpu(let base):
            let first = on?.first ?? 0, n = on?.count ?? 1
            var total = Time(mean: 0, variance: 0, fixed: certain)
            for cpu in cpus[base + first..<base + first + n] {
                let t = Self.cpuVisit(cpu, mean: m, variance: v)
                total.mean += t.mean / Double(n)
                total.variance += t.variance / Double(n)
            }
            return total
        }
    }

    /// A visit of mean work `m` (variance `v`) at `cpu`. PS stretches the work by the
    /// slowdown k; the stretch `(k - 1) m` is taken as exponential-like (its variance its
    /// mean squared), the work's own variance scaled by k². FCFS adds Erlang C's wait.
    static func cpuVisit(_ cpu: CPUQueue, mean m: Double, variance v: Double) -> Time {
        guard cpu.stable else { return Time(mean: .infinity, variance: .infinity, fixed: 0) }
        switch cpu.discipline {
        case .ps:
            let k = cpu.slowdown
            return Time(mean: k * m, variance: k * k * v + (k - 1) * (k - 1) * m * m, fixed: 0)
        case .fcfs:
            return Time(mean: m + cpu.wait,
                        variance: v + waitVariance(probability: cpu.waitProbability, meanWait: cpu.wait), fixed: 0)
        }
    }

    /// The variance of an M/M/c wait: 0 with probability `1 - C`, else exponential with mean
    /// `W / C` (Kleinrock vol. 1, eq. 3.40): `E[W²] = 2 W² / C`.
    static func waitVariance(probability c: Double, meanWait w: Double) -> Double {
        guard c > 0, w > 0 else { return 0 }
        guard w.isFinite else { return .infinity }
        return max(0, 2 * w * w / c - w * w)
    }
}

/// The latency of a mix of paths: each a fixed delay plus a gamma variable matched to the
/// mean and variance of the rest, weighted by the path's rate.
struct LatencyMixture {
    struct Component {
        var fixed: Double
        var mean: Double
        var variance: Double
    }

    private(set) var components: [(component: Component, weight: Double)] = []
    private(set) var totalWeight = 0.0

    mutating func add(_ component: Component, weight: Double) {
        guard weight > 0 else { return }
        components.append((component, weight))
        totalWeight += weight
    }

    var mean: Double? {
        guard totalWeight > 0 else { return nil }
        return components.reduce(0) { $0 + $1.weight * ($1.component.fixed + $1.component.mean) } / totalWeight
    }

    /// P(latency <= x).
    func cdf(_ x: Double) -> Double {
        guard totalWeight > 0 else { return 1 }
        var total = 0.0
        for (c, w) in components {
            let y = x - c.fixed
            if c.mean <= 0 || c.variance <= 1e-12 * c.mean * c.mean {
                total += y >= c.mean ? w : 0
            } else {
                total += w * GSLNumerics.gammaCDF(y, shape: c.mean * c.mean / c.variance, scale: c.variance / c.mean)
            }
        }
        return total / totalWeight
    }

    /// The `q`-quantile (0 < q < 1), or nil without requests or with an unbounded part.
    func quantile(_ q: Double) -> Double? {
        guard totalWeight > 0, components.allSatisfy({ $0.component.mean.isFinite && $0.component.variance.isFinite })
        else { return nil }
        var lo = components.map(\.component.fixed).min()!
        var hi = components.map { $0.component.fixed + $0.component.mean + 10 * $0.component.variance.squareRoot() }.max()!
        hi = max(hi, lo + 1e-9)
        while cdf(hi) < q { hi *= 2 }
        // Bisection: the CDF may jump (deterministic paths), where Brent's method gains nothing.
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if cdf(mid) < q { lo = mid } else { hi = mid }
            if hi - lo <= 1e-7 * hi { break }
        }
        return hi
    }
}

extension LatencyMixture.Component {
    /// The slowest of parallel branches (a fork-join): each of `branches` runs `copies` times.
    ///
    /// The branches are taken as independent, each the largest fixed part plus an exponential
    /// with the rest of its mean, so that `E[max]` and `E[max²]` are integrals of
    /// `1 - Π F_b(t)` that one quadrature gives (for k alike branches of mean m, m H_k, the
    /// harmonic number). Independence ignores that branches meet the same queues at the same
    /// time: for two M/M/1 queues the exact mean (Nelson & Tantawi 1988: (12 - ρ)/8 of one
    /// queue's response) is below this one's 3/2 by ρ/8.
    static func maximum(of branches: [Self], copies: Int) -> Self {
        guard let fixed = branches.map(\.fixed).max(), copies > 0 else { return Self(fixed: 0, mean: 0, variance: 0) }
        let means = branches.map { max(0, $0.fixed - fixed + $0.mean) }.filter { $0 > 0 }
        guard let low = means.min(), let high = means.max() else { return Self(fixed: fixed, mean: 0, variance: 0) }
        guard high.isFinite else { return Self(fixed: fixed, mean: .infinity, variance: .infinity) }
        if means.count == 1 && copies == 1 {
            // One branch with a variable part: itself.
            let only = branches.first { $0.fixed - fixed + $0.mean > 0 }!
            return Self(fixed: fixed, mean: only.fixed - fixed + only.mean, variance: only.variance)
        }
        let k = Double(means.count * copies)
        // ∫ g(t) dt over t = e^x, by the trapezoid rule: smooth in x, so a few hundred points do.
        let from = Foundation.log(low * 1e-6), to = Foundation.log(high * (40 + Foundation.log(k)))
        let points = 400, h = (to - from) / Double(points)
        var first = 0.0, second = 0.0
        for j in 0...points {
            let t = Foundation.exp(from + Double(j) * h)
            var all = 1.0
            for m in means { all *= Foundation.pow(-Foundation.expm1(-t / m), Double(copies)) }
            let tail = 1 - all, weight = (j == 0 || j == points ? 0.5 : 1) * h * t
            first += weight * tail
            second += weight * 2 * t * tail
        }
        return Self(fixed: fixed, mean: first, variance: max(0, second - first * first))
    }
}
