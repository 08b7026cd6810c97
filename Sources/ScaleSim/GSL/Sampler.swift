@preconcurrency import CGSL
import Foundation

/// Draws samples of one `Distribution` from one `RandomStream`.
///
/// The parameters of the underlying generator are computed once, in `init`; `next()` is a switch
/// and one or two calls. Each case's parametrization:
///
/// - `exponential(mean)`: `mean` times a standard exponential from `ExponentialZiggurat` (Marsaglia &
///   Tsang 2000; one word for about 98.8% of draws).
/// - `deterministic(value)`: `value`, drawing nothing.
/// - `uniform(min, max)`: `min + (max - min) U`, U on [0, 1).
/// - `gamma(mean, scv)`: shape `1/scv`, scale `mean * scv` (mean = shape * scale, scv = 1/shape;
///   Johnson, Kotz and Balakrishnan, *Continuous Univariate Distributions*, vol. 1, ch. 17), by
///   `gsl_ran_gamma` (Marsaglia and Tsang, ACM TOMS 26(3), 2000). `scv == 0` is the point `mean`.
/// - `erlang(k, mean)`: the sum of k exponential phases of mean `mean/k`, i.e. gamma with shape
///   `k` and scale `mean/k`, by `gsl_ran_gamma`.
/// - `lognormal(mean, scv)`: e^(mu + sigma Z) with sigma^2 = ln(1 + scv), mu = ln(mean) - sigma^2/2
///   (JKB vol. 1, ch. 14; see `Distribution.lognormalParameters(mean:scv:)`).
/// - `lognormalQuantiles(p50, p99)`: the same with mu = ln p50, sigma = ln(p99/p50) / z_0.99
///   (see `Distribution.lognormalParameters(p50:p99:)`).
///   Z is standard normal from `gsl_ran_gaussian_ziggurat` (Marsaglia and Tsang's ziggurat,
///   JSS 5(8), 2000), measured faster than `gsl_ran_lognormal`'s polar Box-Muller; same law.
/// - `hyperexponential(mean, scv >= 1)`: two exponential phases with balanced means (each phase
///   contributes mean/2; Whitt, "Approximating a point process by a renewal process, I",
///   Operations Research 30(1), 1982; Allen, *Probability, Statistics, and Queueing Theory*,
///   2nd ed., 1990): p1 = (1 + sqrt((scv - 1)/(scv + 1)))/2, rate1 = 2 p1/mean,
///   rate2 = 2 (1 - p1)/mean. Two draws: the phase, then the exponential. `scv == 1` is the
///   exponential (one draw).
/// - `pareto(alpha, min L, max H)`: bounded Pareto by inversion of its CDF
///   F(x) = (1 - L^a x^-a) / (1 - (L/H)^a) (Wikipedia, "Pareto distribution", "Bounded Pareto
///   distribution"): x = (-(u H^a - u L^a - H^a) / (H^a L^a))^(-1/a), computed in the equivalent
///   form x = L (1 - u (1 - (L/H)^a))^(-1/a), which cannot overflow H^a; u on [0, 1) gives x in [L, H).
public struct Sampler: @unchecked Sendable {
    /// The precomputed parameters of each kind of draw.
    @usableFromInline enum Kind {
        case exponential(mean: Double)
        case constant(Double)
        case uniform(min: Double, width: Double)
        case gamma(shape: Double, scale: Double)
        case lognormal(mu: Double, sigma: Double)
        case hyperexponential(p1: Double, mean1: Double, mean2: Double)
        case boundedPareto(min: Double, range: Double, negativeInverseAlpha: Double)
    }

    /// The distribution this sampler draws from, as written.
    public let distribution: Distribution
    /// The stream it draws from.
    public let stream: RandomStream
    @usableFromInline let kind: Kind

    /// A sampler of `distribution` drawing from `stream`. The parameters must be valid (the scenario
    /// validation checks them): means positive, scv >= 0 (>= 1 for the hyperexponential), k >= 1,
    /// 0 < p50 < p99, alpha > 0, 0 < min <= max.
    public init(_ distribution: Distribution, stream: RandomStream) {
        self.distribution = distribution
        self.stream = stream
        switch distribution {
        case .exponential(let mean):
            kind = .exponential(mean: mean)
        case .deterministic(let value):
            kind = .constant(value)
        case .uniform(let min, let max):
            kind = .uniform(min: min, width: max - min)
        case .erlang(let k, let mean):
            precondition(k >= 1, "erlang needs k >= 1")
            kind = k == 1 ? .exponential(mean: mean) : .gamma(shape: Double(k), scale: mean / Double(k))
        case .gamma(let mean, let scv):
            precondition(scv >= 0, "gamma needs scv >= 0")
            kind = scv == 0 ? .constant(mean) : .gamma(shape: 1 / scv, scale: mean * scv)
        case .lognormal(let mean, let scv):
            let (mu, sigma) = Distribution.lognormalParameters(mean: mean, scv: scv)
            kind = .lognormal(mu: mu, sigma: sigma)
        case .lognormalQuantiles(let p50, let p99):
            let (mu, sigma) = Distribution.lognormalParameters(p50: p50, p99: p99)
            kind = .lognormal(mu: mu, sigma: sigma)
        case .hyperexponential(let mean, let scv):
            precondition(scv >= 1, "hyperexponential needs scv >= 1")
            if scv == 1 {
                kind = .exponential(mean: mean)
            } else {
                let p1 = (1 + ((scv - 1) / (scv + 1)).squareRoot()) / 2
                // Phase i has rate 2 p_i / mean, i.e. mean mean / (2 p_i).
                kind = .hyperexponential(p1: p1, mean1: mean / (2 * p1), mean2: mean / (2 * (1 - p1)))
            }
        case .pareto(let alpha, let min, let max):
            precondition(alpha > 0 && min > 0 && max >= min, "pareto needs alpha > 0, 0 < min <= max")
            // 1 - (L/H)^a, computed as -expm1(a ln(L/H)) to keep its precision when H is close to L.
            let range = -expm1(alpha * log(min / max))
            kind = .boundedPareto(min: min, range: range, negativeInverseAlpha: -1 / alpha)
        }
    }

    /// The next sample (non-negative for valid parameters): drawn by `BorrowedSampler`, the
    /// engine's view of the same sampler, so both give the same numbers from one code path.
    public func next() -> Double {
        withExtendedLifetime(stream) { BorrowedSampler(self).next() }
    }
}
