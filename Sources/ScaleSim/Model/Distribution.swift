/// A probability distribution of a non-negative time (seconds) or size, as a scenario writes it.
///
/// The cases keep the parameters the user wrote; `Sampler` (in `GSL/`) turns them into the
/// parameters of the underlying generator, and `Distribution+Moments.swift` gives the mean and
/// squared coefficient of variation that the analytic model needs.
public enum Distribution: Sendable, Hashable {
    /// Exponential with the given mean.
    case exponential(mean: Double)
    /// Always the same value.
    case deterministic(value: Double)
    /// Uniform on `[min, max]`.
    case uniform(min: Double, max: Double)
    /// Erlang with `k` phases and the given mean (scv = 1/k).
    case erlang(k: Int, mean: Double)
    /// Gamma with the given mean and squared coefficient of variation.
    case gamma(mean: Double, scv: Double)
    /// Lognormal with the given mean and squared coefficient of variation.
    case lognormal(mean: Double, scv: Double)
    /// Lognormal given by its median and 99th percentile (p99 > p50 > 0).
    case lognormalQuantiles(p50: Double, p99: Double)
    /// Two-phase hyperexponential with balanced means, given mean and scv >= 1.
    case hyperexponential(mean: Double, scv: Double)
    /// Bounded Pareto on `[min, max]` with shape `alpha`.
    case pareto(alpha: Double, min: Double, max: Double)
}
