import Foundation

/// Zipf popularity over `keys` keys: key `i` (0-based) has weight `1 / (i + 1)^exponent`.
public enum ZipfPopularity {
    /// The probability of each key, most popular first; they sum to 1.
    ///
    /// - Complexity: O(keys).
    public static func probabilities(keys: Int, exponent: Double) -> [Double] {
        precondition(keys > 0)
        var weights = [Double](repeating: 0, count: keys)
        var total = 0.0
        for i in 0..<keys {
            let w = exponent == 0 ? 1.0 : 1.0 / Double(i + 1).pow(exponent)
            weights[i] = w
            total += w
        }
        for i in 0..<keys { weights[i] /= total }
        return weights
    }
}

extension Double {
    @inline(__always) func pow(_ e: Double) -> Double { Foundation.pow(self, e) }
}
