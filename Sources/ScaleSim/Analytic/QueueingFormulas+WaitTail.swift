import Foundation

/// Waiting-time tails beyond M/M/c: a station with a capacity, and non-exponential service.
extension QueueingFormulas {
    /// The waiting-time tail of M/M/c/K FCFS for an admitted request, `P(W > t)`.
    ///
    /// By PASTA an admitted arrival finds n < K present with probability `p_n / (1 - p_K)`; with
    /// n >= c present it waits for n - c + 1 departures, each after an exponential time of rate
    /// `c mu` (all servers busy, memoryless service), so its wait is Erlang(n - c + 1, c mu):
    /// `P(W > t) = sum_{n=c}^{K-1} p_n / (1 - p_K) sum_{j=0}^{n-c} e^{-c mu t} (c mu t)^j / j!`
    /// (Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*, 4th ed., 2008,
    /// sec. 2.5, the waiting time of M/M/c/K). The Poisson terms are formed in logarithms, so
    /// large `c mu t` does not underflow them before they are summed. When c > K only K servers
    /// can be busy (as in `mmcK`).
    ///
    /// - Complexity: O(K).
    public static func mmcKWaitTail(_ t: Double, arrivalRate lambda: Double, meanService s: Double,
                                    servers: Int, capacity k: Int) -> Double {
        precondition(t >= 0 && lambda >= 0 && s > 0 && servers >= 1 && k >= 1)
        let c = min(servers, k)
        let m = mmcK(arrivalRate: lambda, meanService: s, servers: c, capacity: k)
        let admitted = 1 - m.blockingProbability
        guard admitted > 0, c < k else { return 0 }
        let x = Double(c) * t / s                              // c mu t
        var tail = 0.0, poissonTail = 0.0                      // P(Poisson(x) <= j), summed as j grows
        for n in c..<k {
            let j = Double(n - c)
            let logTerm = x > 0 ? -x + j * log(x) - lgamma(j + 1) : (j == 0 ? 0 : -Double.infinity)
            poissonTail += exp(logTerm)
            tail += m.stateProbabilities[n] / admitted * min(1, poissonTail)
        }
        return min(1, tail)
    }

    /// An approximate waiting-time tail of M/G/c FCFS:
    /// `P(W > t) ~ C(c, a) exp(-(c mu - lambda) t · 2 / (1 + scv))`.
    ///
    /// **An approximation**, in the spirit of Allen-Cunneen (`mgcMeanWaitAllenCunneen`): the
    /// probability of waiting is Erlang C's, and the wait of those who wait is taken as
    /// exponential with the mean that Allen-Cunneen gives, `(1 + scv) / 2` times the M/M/c one
    /// `1 / (c mu - lambda)` (the exponential conditional wait of Whitt, "Approximations for the
    /// GI/G/m queue", *Production and Operations Management* 2, 1993). Exact for exponential
    /// service (scv = 1), where it is `mmcWaitTail`; for c = 1 its mean is Pollaczek-Khinchine's.
    ///
    /// - Returns: nil when `rho >= 1`.
    public static func mgcWaitTailApproximation(_ t: Double, arrivalRate lambda: Double, meanService s: Double,
                                                scv: Double, servers c: Int) -> Double? {
        precondition(scv >= 0)
        let stretch = 2 / (1 + scv)
        return mmcWaitTail(t * stretch, arrivalRate: lambda, meanService: s, servers: c)
    }
}
