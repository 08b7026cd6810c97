import Foundation

/// A figure estimated over independent replications: the mean and the half-width of its
/// confidence interval (nil with one replication, where no interval can be given).
public struct Estimate: Sendable, Hashable {
    public var mean: Double
    public var halfWidth: Double?

    public init(mean: Double, halfWidth: Double?) {
        self.mean = mean
        self.halfWidth = halfWidth
    }

    /// The Student-t confidence interval of the mean of `values` (one per replication).
    ///
    /// `mean ± t_{1-α/2, n-1} · s / √n` with `s` the sample standard deviation (Student
    /// 1908; any statistics text, e.g. Law, "Simulation Modeling and Analysis", §4.5).
    /// Values that are not finite (a replication without a single completion, say) are left
    /// out; with none left the mean is NaN.
    public static func of(_ values: [Double], confidence: Double) -> Estimate {
        let finite = values.filter(\.isFinite)
        let n = finite.count
        guard n > 0 else { return Estimate(mean: .nan, halfWidth: nil) }
        let mean = finite.reduce(0, +) / Double(n)
        guard n > 1 else { return Estimate(mean: mean, halfWidth: nil) }
        let variance = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let t = GSLNumerics.studentTQuantile(1 - (1 - confidence) / 2, degreesOfFreedom: Double(n - 1))
        return Estimate(mean: mean, halfWidth: t * (variance / Double(n)).squareRoot())
    }

    /// Whether `value` lies inside the interval widened by `slack` (relative to |value|) —
    /// for comparing a simulation with a formula that is itself an approximation.
    public func contains(_ value: Double, slack: Double = 0) -> Bool {
        guard let h = halfWidth else { return mean == value }
        return abs(mean - value) <= h + slack * abs(value)
    }
}
