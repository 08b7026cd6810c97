import Foundation

/// Exact mean, variance and squared coefficient of variation of each distribution, for the
/// analytic model (and for the tests that check the samplers against them).
extension Distribution {
    /// The mean.
    public var mean: Double {
        switch self {
        case .exponential(let mean): return mean
        case .deterministic(let value): return value
        case .uniform(let min, let max): return (min + max) / 2
        case .erlang(_, let mean): return mean
        case .gamma(let mean, _): return mean
        case .lognormal(let mean, _): return mean
        case .lognormalQuantiles(let p50, let p99):
            let (mu, sigma) = Distribution.lognormalParameters(p50: p50, p99: p99)
            return exp(mu + sigma * sigma / 2)
        case .hyperexponential(let mean, _): return mean
        case .pareto(let alpha, let min, let max):
            return Distribution.boundedParetoMoment(1, alpha: alpha, min: min, max: max)
        }
    }

    /// The variance.
    ///
    /// - Exponential: mean^2. Uniform on [a, b]: (b - a)^2 / 12. Erlang: mean^2 / k.
    /// - Gamma, lognormal and hyperexponential given by (mean, scv): scv * mean^2, by definition of
    ///   the scv; the samplers' parametrizations reproduce it exactly (see `Sampler`).
    /// - Lognormal from (p50, p99): (e^(sigma^2) - 1) e^(2 mu + sigma^2) (Johnson, Kotz and
    ///   Balakrishnan, *Continuous Univariate Distributions*, vol. 1, 2nd ed., ch. 14).
    /// - Bounded Pareto: E[X^2] - E[X]^2 from the closed-form raw moments (see
    ///   `boundedParetoMoment`).
    public var variance: Double {
        switch self {
        case .exponential(let mean): return mean * mean
        case .deterministic: return 0
        case .uniform(let min, let max): return (max - min) * (max - min) / 12
        case .erlang(let k, let mean): return mean * mean / Double(k)
        case .gamma(let mean, let scv): return scv * mean * mean
        case .lognormal(let mean, let scv): return scv * mean * mean
        case .lognormalQuantiles(let p50, let p99):
            let (mu, sigma) = Distribution.lognormalParameters(p50: p50, p99: p99)
            let s2 = sigma * sigma
            return expm1(s2) * exp(2 * mu + s2)
        case .hyperexponential(let mean, let scv): return scv * mean * mean
        case .pareto(let alpha, let min, let max):
            let m1 = Distribution.boundedParetoMoment(1, alpha: alpha, min: min, max: max)
            let m2 = Distribution.boundedParetoMoment(2, alpha: alpha, min: min, max: max)
            return Swift.max(0, m2 - m1 * m1)
        }
    }

    /// The squared coefficient of variation, variance / mean^2 (0 when the variance is 0).
    public var scv: Double {
        switch self {
        case .exponential: return 1
        case .deterministic: return 0
        case .erlang(let k, _): return 1 / Double(k)
        case .gamma(_, let scv), .lognormal(_, let scv), .hyperexponential(_, let scv): return scv
        case .lognormalQuantiles(let p50, let p99):
            let sigma = Distribution.lognormalParameters(p50: p50, p99: p99).sigma
            return expm1(sigma * sigma)
        default:
            let variance = self.variance
            if variance == 0 { return 0 }
            let mean = self.mean
            return variance / (mean * mean)
        }
    }
}

extension Distribution {
    /// The parameters (mu, sigma) of the underlying normal of a lognormal given by its mean and scv.
    ///
    /// A lognormal has mean e^(mu + sigma^2/2) and scv e^(sigma^2) - 1 (Johnson, Kotz and
    /// Balakrishnan, vol. 1, ch. 14), hence sigma^2 = ln(1 + scv) and mu = ln(mean) - sigma^2/2.
    static func lognormalParameters(mean: Double, scv: Double) -> (mu: Double, sigma: Double) {
        let s2 = log1p(scv)
        return (log(mean) - s2 / 2, s2.squareRoot())
    }

    /// The parameters (mu, sigma) of the underlying normal of a lognormal given by its median and
    /// 99th percentile: the median is e^mu and the p-quantile e^(mu + sigma z_p), hence mu = ln p50
    /// and sigma = ln(p99 / p50) / z_0.99, with z_0.99 = 2.3263... the standard normal quantile
    /// (GSL `gsl_cdf_ugaussian_Pinv`).
    static func lognormalParameters(p50: Double, p99: Double) -> (mu: Double, sigma: Double) {
        (log(p50), log(p99 / p50) / z99)
    }

    /// z_0.99, the 0.99-quantile of the standard normal distribution.
    static let z99 = GSLNumerics.normalQuantile(0.99)

    /// E[X^k] of the bounded Pareto distribution with shape `alpha` on `[min, max]`.
    ///
    /// With L = min, H = max, the density is alpha L^alpha x^(-alpha-1) / (1 - (L/H)^alpha) on [L, H]
    /// (Harchol-Balter, *Performance Modeling and Design of Computer Systems*, 2013, sec. 20.3;
    /// the moments as in Wikipedia, "Pareto distribution", section "Bounded Pareto distribution"):
    ///
    ///     E[X^k] = L^k alpha (t^(k - alpha) - 1) / ((k - alpha) (1 - t^(-alpha))),  t = H/L, k != alpha
    ///     E[X^k] = L^k alpha ln t / (1 - t^(-alpha)),                              k == alpha
    ///
    /// Written as L^k alpha g(k - alpha) / (-expm1(-alpha ln t)) with g(d) = expm1(d ln t) / d and
    /// g(0) = ln t, the limit, so alpha == 1 (mean) and alpha == 2 (second moment) need no special
    /// formula beyond g(0), and alpha close to k loses no precision. When H <= L the distribution is
    /// the point L.
    static func boundedParetoMoment(_ k: Double, alpha: Double, min: Double, max: Double) -> Double {
        guard max > min else { return pow(min, k) }
        let logT = log(max / min)
        let d = k - alpha
        let g = d == 0 ? logT : expm1(d * logT) / d
        return pow(min, k) * alpha * g / -expm1(-alpha * logT)
    }
}
