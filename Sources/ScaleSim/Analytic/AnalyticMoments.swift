import Foundation

// Mean and squared coefficient of variation of a `Distribution`, as the analytic model needs them.
//
// These are internal stand-ins: `Model/Distribution+Moments.swift` (written separately) will give
// `Distribution.mean` and `.scv`, and these helpers will then be replaced by it.

/// The mean of `d`.
///
/// Closed forms: uniform `(a + b) / 2`; lognormal given by quantiles `exp(mu + sigma^2 / 2)` with
/// `mu = ln p50`, `sigma = ln(p99 / p50) / z_0.99`; bounded Pareto on `[L, H]` with shape `alpha`
/// `E[X] = L alpha / (1 - (L/H)^alpha) * ((H/L)^(1-alpha) - 1) / (1 - alpha)` (`L alpha ln(H/L) /
/// (1 - (L/H)^alpha)` when `alpha = 1`) -- Harchol-Balter, *Performance Modeling and Design of
/// Computer Systems* (2013), ch. 20 (bounded Pareto); Johnson, Kotz & Balakrishnan,
/// *Continuous Univariate Distributions* vol. 1, ch. 14 (lognormal).
func analyticMean(_ d: Distribution) -> Double {
    switch d {
    case .exponential(let mean), .erlang(_, let mean), .gamma(let mean, _),
         .lognormal(let mean, _), .hyperexponential(let mean, _):
        return mean
    case .deterministic(let value):
        return value
    case .uniform(let a, let b):
        return (a + b) / 2
    case .lognormalQuantiles(let p50, let p99):
        let sigma = lognormalSigma(p50: p50, p99: p99)
        return p50 * exp(sigma * sigma / 2)
    case .pareto(let alpha, let lo, let hi):
        return boundedParetoMoment(1, alpha: alpha, min: lo, max: hi)
    }
}

/// The squared coefficient of variation `Var[X] / E[X]^2` of `d` (0 when the mean is 0).
///
/// Closed forms: exponential 1; deterministic 0; uniform `(b - a)^2 / (3 (a + b)^2)`; Erlang-k
/// `1/k`; lognormal from quantiles `exp(sigma^2) - 1`; bounded Pareto `E[X^2] / E[X]^2 - 1`
/// (same sources as `analyticMean`).
func analyticSCV(_ d: Distribution) -> Double {
    switch d {
    case .exponential:
        return 1
    case .deterministic:
        return 0
    case .uniform(let a, let b):
        let m = (a + b) / 2
        return m == 0 ? 0 : (b - a) * (b - a) / 12 / (m * m)
    case .erlang(let k, _):
        return 1 / Double(k)
    case .gamma(_, let scv), .lognormal(_, let scv), .hyperexponential(_, let scv):
        return scv
    case .lognormalQuantiles(let p50, let p99):
        let sigma = lognormalSigma(p50: p50, p99: p99)
        return expm1(sigma * sigma)
    case .pareto(let alpha, let lo, let hi):
        let m1 = boundedParetoMoment(1, alpha: alpha, min: lo, max: hi)
        let m2 = boundedParetoMoment(2, alpha: alpha, min: lo, max: hi)
        return m1 == 0 ? 0 : max(0, m2 / (m1 * m1) - 1)
    }
}

/// True when `d` is exactly exponential (so M/M/. formulas are exact rather than approximations).
func analyticIsExponential(_ d: Distribution) -> Bool {
    switch d {
    case .exponential: return true
    case .erlang(let k, _): return k == 1
    case .gamma(_, let scv), .hyperexponential(_, let scv): return scv == 1
    default: return false
    }
}

/// `sigma` of the lognormal with median `p50` and 99th percentile `p99`:
/// `ln(p99 / p50) / z_0.99`, with `z` the standard normal quantile.
private func lognormalSigma(p50: Double, p99: Double) -> Double {
    log(p99 / p50) / GSLNumerics.normalQuantile(0.99)
}

/// `E[X^k]` of the bounded Pareto on `[lo, hi]` with shape `alpha`:
/// `lo^k alpha / (1 - (lo/hi)^alpha) * ((hi/lo)^(k - alpha) - 1) / (k - alpha)`, whose limit at
/// `k = alpha` is `lo^k alpha ln(hi/lo) / (1 - (lo/hi)^alpha)` (integrate `x^k` against the density
/// `alpha lo^alpha x^(-alpha-1) / (1 - (lo/hi)^alpha)`; Harchol-Balter 2013, ch. 20).
/// Written with `expm1` so that `k` near `alpha` loses no precision.
private func boundedParetoMoment(_ k: Double, alpha: Double, min lo: Double, max hi: Double) -> Double {
    guard hi > lo, lo > 0 else { return Foundation.pow(lo, k) }
    let logRatio = log(hi / lo)
    let normalizer = -expm1(-alpha * logRatio)            // 1 - (lo/hi)^alpha
    let e = k - alpha
    let integral = abs(e) < 1e-12 ? logRatio : expm1(e * logRatio) / e
    return Foundation.pow(lo, k) * alpha / normalizer * integral
}
