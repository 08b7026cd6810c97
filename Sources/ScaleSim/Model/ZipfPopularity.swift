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

extension ZipfPopularity {
    /// Ranks below this are summed exactly, one key per group at first.
    static let exactRanks = 2_000

    /// The keys grouped by popularity, without listing them: ranks `a...b` form one group when
    /// `(b / a)^exponent <= 1 + tolerance`, so their probabilities lie within a relative
    /// `tolerance`; a group's probability is the mean of its keys' (exactly summed below
    /// `exactRanks`, beyond by the midpoint rule `sum_{k=a}^{b} k^-s ≈ ∫_{a-1/2}^{b+1/2} x^-s dx`,
    /// whose relative error is below `s (s + 1) / (24 a²)`: under 1e-7 there).
    ///
    /// - Complexity: O(exactRanks + log(keys) / tolerance), whatever the number of keys.
    public static func groups(keys: Int, exponent s: Double, tolerance: Double) -> CacheFormulas.KeyGroups {
        precondition(keys > 0 && tolerance > 0)
        var groups: [(value: Double, count: Double)] = []
        var rank = 1
        while rank <= keys {
            let last: Int
            if s == 0 {
                last = keys
            } else {
                let span = Double(rank) * Foundation.pow(1 + tolerance, 1 / s)
                last = min(keys, max(rank, Int(span.rounded(.down))))
            }
            let count = last - rank + 1
            let mass: Double
            if s == 0 {
                mass = Double(count)
            } else if last < exactRanks {
                mass = (rank...last).reduce(0) { $0 + 1 / Double($1).pow(s) }
            } else if s == 1 {
                mass = log((Double(last) + 0.5) / (Double(rank) - 0.5))
            } else {
                mass = (Foundation.pow(Double(rank) - 0.5, 1 - s) - Foundation.pow(Double(last) + 0.5, 1 - s)) / (s - 1)
            }
            groups.append((mass / Double(count), Double(count)))
            rank = last + 1
        }
        let total = groups.reduce(0) { $0 + $1.value * $1.count }
        return CacheFormulas.KeyGroups(groups: groups.map { ($0.value / total, $0.count) })
    }
}

extension Double {
    @inline(__always) func pow(_ e: Double) -> Double { Foundation.pow(self, e) }
}
