@preconcurrency import CGSL

/// Numerical routines of GSL that the statistics and the analytic model use.
///
/// This folder (`GSL/`) is the only part of the library that talks to C.
public enum GSLNumerics {
    /// Turns GSL's default error handler (which aborts the process) off, once per process.
    /// Every caller checks results instead.
    static let errorHandlerOff: Void = {
        _ = gsl_set_error_handler_off()
    }()

    /// The `p`-quantile of Student's t distribution with `degreesOfFreedom` degrees of freedom
    /// (GSL `gsl_cdf_tdist_Pinv`).
    public static func studentTQuantile(_ p: Double, degreesOfFreedom: Double) -> Double {
        _ = errorHandlerOff
        return gsl_cdf_tdist_Pinv(p, degreesOfFreedom)
    }

    /// The `p`-quantile of the standard normal distribution (GSL `gsl_cdf_ugaussian_Pinv`).
    public static func normalQuantile(_ p: Double) -> Double {
        _ = errorHandlerOff
        return gsl_cdf_ugaussian_Pinv(p)
    }

    /// P(X <= x) for a gamma distribution of shape `shape` and scale `scale`
    /// (GSL `gsl_cdf_gamma_P`).
    public static func gammaCDF(_ x: Double, shape: Double, scale: Double) -> Double {
        _ = errorHandlerOff
        return x <= 0 ? 0 : gsl_cdf_gamma_P(x, shape, scale)
    }

    /// A root of `f` in `interval`, where `f` changes sign, by Brent's method
    /// (GSL `gsl_root_fsolver_brent`).
    ///
    /// - Returns: the root to a relative tolerance of `relativeTolerance`, or nil when `f`
    ///   does not change sign over the interval or the solver fails.
    public static func findRoot(in interval: ClosedRange<Double>, relativeTolerance: Double = 1e-12,
                                maxIterations: Int = 200, _ f: (Double) -> Double) -> Double? {
        _ = errorHandlerOff
        let lo = interval.lowerBound, hi = interval.upperBound
        let flo = f(lo), fhi = f(hi)
        if flo == 0 { return lo }
        if fhi == 0 { return hi }
        guard flo.isFinite, fhi.isFinite, (flo < 0) != (fhi < 0) else { return nil }
        return withoutActuallyEscaping(f) { escapable -> Double? in
            var box = escapable
            return withUnsafeMutablePointer(to: &box) { boxPointer -> Double? in
                var function = gsl_function(
                    function: { x, params in
                        params!.assumingMemoryBound(to: ((Double) -> Double).self).pointee(x)
                    },
                    params: UnsafeMutableRawPointer(boxPointer))
                guard let solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent) else { return nil }
                defer { gsl_root_fsolver_free(solver) }
                guard gsl_root_fsolver_set(solver, &function, lo, hi) == GSL_SUCCESS else { return nil }
                for _ in 0..<maxIterations {
                    guard gsl_root_fsolver_iterate(solver) == GSL_SUCCESS else { return nil }
                    let a = gsl_root_fsolver_x_lower(solver), b = gsl_root_fsolver_x_upper(solver)
                    if gsl_root_test_interval(a, b, 0, relativeTolerance) == GSL_SUCCESS {
                        return gsl_root_fsolver_root(solver)
                    }
                }
                return gsl_root_fsolver_root(solver)
            }
        }
    }
}
