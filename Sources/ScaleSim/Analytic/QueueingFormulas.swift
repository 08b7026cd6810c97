import Foundation

/// Closed-form results for single queueing stations with Poisson arrivals.
///
/// Every function is pure and names its source. Conventions: `arrivalRate` is lambda (per
/// second), `meanService` is E[S] (seconds), `servers` is c >= 1, the offered load is
/// `a = lambda E[S]` and the utilization `rho = a / c`. Functions of a queue without a capacity
/// return nil when the queue is unstable (`rho >= 1`), where no steady state exists.
public enum QueueingFormulas {

    // MARK: Erlang B and C

    /// Erlang's loss formula B(c, a): the probability that an arrival finds all c servers busy
    /// in M/M/c/c (and, by insensitivity, M/G/c/c).
    ///
    /// Computed by the recursion `B(0) = 1`, `B(k) = a B(k-1) / (k + a B(k-1))`, which involves
    /// no factorials or powers and is stable for thousands of servers (Kleinrock, *Queueing
    /// Systems* vol. 1, 1975, sec. 3.7; Gross, Shortle, Thompson & Harris, *Fundamentals of
    /// Queueing Theory*, 4th ed., 2008, sec. 2.5).
    ///
    /// - Complexity: O(c).
    public static func erlangB(servers c: Int, offeredLoad a: Double) -> Double {
        precondition(c >= 0 && a >= 0)
        var b = 1.0
        if c == 0 { return b }
        for k in 1...c {
            b = a * b / (Double(k) + a * b)
        }
        return b
    }

    /// Erlang's delay formula C(c, a): the probability that an arrival waits in M/M/c.
    ///
    /// `C = B / (1 - rho (1 - B))` with B the Erlang B value and `rho = a / c` (Kleinrock vol. 1,
    /// sec. 3.5; the conversion from B: Gross et al. 2008, sec. 2.5). Returns 1 when
    /// `a >= c` (every arrival waits in an unstable queue).
    ///
    /// - Complexity: O(c).
    public static func erlangC(servers c: Int, offeredLoad a: Double) -> Double {
        precondition(c >= 1 && a >= 0)
        let rho = a / Double(c)
        if rho >= 1 { return 1 }
        let b = erlangB(servers: c, offeredLoad: a)
        return b / (1 - rho * (1 - b))
    }

    // MARK: M/M/c

    /// Mean time waiting in queue in M/M/c: `Wq = C(c, a) / (c mu - lambda)` with `mu = 1/E[S]`
    /// (Kleinrock vol. 1, sec. 3.5). M/M/1 is the case c = 1, where C = rho and
    /// `Wq = rho E[S] / (1 - rho)`.
    ///
    /// - Returns: nil when `rho >= 1`.
    public static func mmcMeanWait(arrivalRate lambda: Double, meanService s: Double, servers c: Int) -> Double? {
        precondition(lambda >= 0 && s >= 0 && c >= 1)
        let a = lambda * s
        guard a < Double(c) else { return nil }
        if a == 0 { return 0 }
        return erlangC(servers: c, offeredLoad: a) * s / (Double(c) - a)
    }

    /// Mean response time (wait plus service) in M/M/c: `T = Wq + E[S]` (Kleinrock vol. 1, sec. 3.5).
    ///
    /// - Returns: nil when `rho >= 1`.
    public static func mmcMeanResponse(arrivalRate lambda: Double, meanService s: Double, servers c: Int) -> Double? {
        mmcMeanWait(arrivalRate: lambda, meanService: s, servers: c).map { $0 + s }
    }

    /// The waiting-time tail of M/M/c FCFS: `P(W > t) = C(c, a) exp(-(c mu - lambda) t)`
    /// (Kleinrock vol. 1, sec. 3.5; Gross et al. 2008, sec. 2.3).
    ///
    /// - Returns: nil when `rho >= 1`.
    public static func mmcWaitTail(_ t: Double, arrivalRate lambda: Double, meanService s: Double,
                                   servers c: Int) -> Double? {
        precondition(t >= 0 && lambda >= 0 && s > 0 && c >= 1)
        let a = lambda * s
        guard a < Double(c) else { return nil }
        let decay = (Double(c) - a) / s                        // c mu - lambda
        return erlangC(servers: c, offeredLoad: a) * exp(-decay * t)
    }

    // MARK: M/G/1 and M/G/c

    /// Mean wait in M/G/1 FCFS by the Pollaczek-Khinchine formula:
    /// `Wq = rho E[S] (1 + scv) / (2 (1 - rho))`, where scv is the squared coefficient of
    /// variation of service (Kleinrock vol. 1, ch. 5; Gross et al. 2008, sec. 5.1.1). Exact.
    ///
    /// - Returns: nil when `rho >= 1`.
    public static func mg1MeanWait(arrivalRate lambda: Double, meanService s: Double, scv: Double) -> Double? {
        precondition(lambda >= 0 && s >= 0 && scv >= 0)
        let rho = lambda * s
        guard rho < 1 else { return nil }
        return rho * s * (1 + scv) / (2 * (1 - rho))
    }

    /// Approximate mean wait in M/G/c FCFS by the Allen-Cunneen (Lee-Longton) formula:
    /// `Wq ~ Wq(M/M/c) (ca^2 + cs^2) / 2` with `ca^2 = 1` for Poisson arrivals, i.e.
    /// `Wq(M/M/c) (1 + scv) / 2`.
    ///
    /// **An approximation**: exact for c = 1 (it is then Pollaczek-Khinchine) and for exponential
    /// service; otherwise typically within ~10% for moderate scv at high load, worse at low load
    /// or very large scv (Lee & Longton, *Operational Research Quarterly* 10, 1959; Allen,
    /// *Probability, Statistics, and Queueing Theory*, 2nd ed., 1990; Whitt, *Management
    /// Science* 39, 1993, "Approximations for the GI/G/m queue").
    ///
    /// - Returns: nil when `rho >= 1`.
    public static func mgcMeanWaitAllenCunneen(arrivalRate lambda: Double, meanService s: Double,
                                               scv: Double, servers c: Int) -> Double? {
        mmcMeanWait(arrivalRate: lambda, meanService: s, servers: c).map { $0 * (1 + scv) / 2 }
    }

    // MARK: Processor sharing

    /// Mean response of M/G/1 processor sharing: `T = E[S] / (1 - rho)`, which depends on the
    /// service distribution only through its mean (Kleinrock, *Queueing Systems* vol. 2, 1976,
    /// ch. 4; insensitivity: Kelly, *Reversibility and Stochastic Networks*, 1979, ch. 3,
    /// symmetric queues).
    ///
    /// - Returns: nil when `rho >= 1`.
    public static func mg1PSMeanResponse(arrivalRate lambda: Double, meanService s: Double) -> Double? {
        precondition(lambda >= 0 && s >= 0)
        let rho = lambda * s
        guard rho < 1 else { return nil }
        return s / (1 - rho)
    }

    /// Mean response of M/G/c processor sharing, where c cores share the jobs present and each
    /// of n jobs is served at rate `min(1, c/n)`: `T = Wq(M/M/c) + E[S]`.
    ///
    /// The number of jobs present is a birth-death process with death rate `min(n, c) / E[S]`,
    /// the same as M/M/c; the queue is symmetric in Kelly's sense, hence insensitive, so the
    /// stationary number `L` is the M/M/c one for any service distribution with this mean, and
    /// `T = L / lambda` by Little's law (Kelly 1979, ch. 3, symmetric queues; Bonald & Proutiere,
    /// "Insensitivity in processor-sharing networks", *Performance Evaluation* 49, 2002). Exact.
    ///
    /// - Returns: nil when `rho >= 1`.
    public static func mgcPSMeanResponse(arrivalRate lambda: Double, meanService s: Double, servers c: Int) -> Double? {
        mmcMeanResponse(arrivalRate: lambda, meanService: s, servers: c)
    }

    // MARK: M/M/c/K

    /// Steady state of M/M/c/K: c servers, at most K requests present (in service included),
    /// arrivals that find K present are lost.
    ///
    /// Birth-death balance (Kleinrock vol. 1, sec. 3.6 for c = 1; Gross et al. 2008, sec. 2.4):
    /// `p_n = p_0 a^n / n!` for `n <= c` and `p_0 a^c / c! rho^(n-c)` for `c < n <= K`. The terms
    /// are formed in logarithms and scaled by their largest before normalizing, so c and K in
    /// the thousands neither overflow nor underflow. By PASTA the blocking probability is `p_K`;
    /// throughput `lambda (1 - p_K)`; `L = sum n p_n`; `Lq = sum (n - c)^+ p_n`; mean response
    /// `L / throughput` and mean wait `Lq / throughput` by Little's law on admitted requests;
    /// an admitted request waits with probability `sum_{n=c}^{K-1} p_n / (1 - p_K)`.
    ///
    /// When c > K only K servers can ever be busy, so c is taken as K. With processor sharing
    /// (each of n jobs served at rate `min(1, c/n)`) the number present follows the same law
    /// for any service distribution (the queue is symmetric; Kelly 1979, ch. 3), so `L`,
    /// `p_K`, throughput and mean response hold for PS too.
    ///
    /// - Complexity: O(K).
    public static func mmcK(arrivalRate lambda: Double, meanService s: Double, servers: Int,
                            capacity k: Int) -> FiniteQueueMetrics {
        precondition(lambda >= 0 && s >= 0 && servers >= 1 && k >= 1)
        let c = min(servers, k)
        let a = lambda * s
        var p = [Double](repeating: 0, count: k + 1)
        if a == 0 {
            p[0] = 1
        } else {
            // log of the unnormalized p_n, then scale by the largest.
            var logs = [Double](repeating: 0, count: k + 1)
            let logA = log(a)
            for n in stride(from: 1, through: k, by: 1) {
                logs[n] = logs[n - 1] + logA - log(Double(min(n, c)))
            }
            let top = logs.max()!
            var total = 0.0
            for n in 0...k { p[n] = exp(logs[n] - top); total += p[n] }
            for n in 0...k { p[n] /= total }
        }
        var inSystem = 0.0, waiting = 0.0, waitMass = 0.0
        for n in 0...k {
            inSystem += Double(n) * p[n]
            if n > c { waiting += Double(n - c) * p[n] }
            if n >= c && n < k { waitMass += p[n] }
        }
        let blocking = p[k]
        let throughput = lambda * (1 - blocking)
        let admitted = 1 - blocking
        return FiniteQueueMetrics(
            stateProbabilities: p,
            blockingProbability: blocking,
            throughput: throughput,
            utilization: throughput * s / Double(c),
            meanInSystem: inSystem,
            meanQueueLength: waiting,
            meanResponse: throughput > 0 ? inSystem / throughput : s,
            meanWait: throughput > 0 ? waiting / throughput : 0,
            waitProbability: admitted > 0 ? waitMass / admitted : 1)
    }
}

/// Steady-state measures of a finite-capacity queue (see `QueueingFormulas.mmcK`).
public struct FiniteQueueMetrics: Sendable, Hashable {
    /// `p_n` for n = 0...K requests present.
    public var stateProbabilities: [Double]
    /// Probability that an arrival is lost (`p_K`).
    public var blockingProbability: Double
    /// Admitted (and completed) requests per second.
    public var throughput: Double
    /// Mean fraction of the servers that are busy.
    public var utilization: Double
    /// Mean number present, in service included.
    public var meanInSystem: Double
    /// Mean number waiting.
    public var meanQueueLength: Double
    /// Mean time from admission to departure.
    public var meanResponse: Double
    /// Mean time an admitted request waits before service.
    public var meanWait: Double
    /// Probability that an admitted request waits.
    public var waitProbability: Double
}
