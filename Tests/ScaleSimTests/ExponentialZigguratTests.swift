import Foundation
import Testing
@testable import ScaleSim

/// The ziggurat exponential against the exponential CDF, including the tail beyond the last
/// layer (x > 7.697, probability 4.5e-4), where a table error would show first.
@Suite struct ExponentialZigguratTests {
    @Test(arguments: [UInt64(1), 2])
    func cdfMatchesTheExponential(seed: UInt64) {
        let stream = RandomStream(seed: seed, name: "ziggurat", replication: 0)
        let n = 1_000_000
        let points = [0.01, 0.1, 0.5, 1, 2, 3, 5, 7, ExponentialZiggurat.r, 9, 11]
        var below = [Int](repeating: 0, count: points.count)
        var sum = 0.0
        for _ in 0..<n {
            let x = ExponentialZiggurat.sample(stream)
            #expect(x >= 0 && x.isFinite, "seed \(seed): sample \(x)")
            sum += x
            for (i, p) in points.enumerated() where x <= p { below[i] += 1 }
        }
        for (i, point) in points.enumerated() {
            // P(X > x) = e^{-x}; its count is binomial: allow 5 standard deviations.
            let tail = exp(-point)
            let observed = Double(n - below[i]) / Double(n)
            let sd = (tail * (1 - tail) / Double(n)).squareRoot()
            #expect(abs(observed - tail) <= 5 * sd + 1e-7,
                    "seed \(seed): P(X > \(point)) = \(observed), expected \(tail) ± \(5 * sd)")
        }
        let mean = sum / Double(n)
        #expect(abs(mean - 1) <= 5 / Double(n).squareRoot(), "seed \(seed): mean \(mean)")
    }

    @Test func tablesAreMonotone() {
        // Layer edges x_i grow with i toward r; f_i = e^{-x_i} falls; acceptance bounds are
        // below 2^53 (a bound above it would accept draws outside the layer).
        let t = ExponentialZiggurat.tables
        for i in 1..<255 {
            #expect(t.w[i] < t.w[i + 1], "layer \(i)")
            #expect(t.f[i] > t.f[i + 1], "layer \(i)")
        }
        for i in 0..<256 { #expect(t.k[i] <= 1 << 53, "layer \(i)") }
    }
}
