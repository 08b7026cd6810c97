/// Draws cache keys with Zipf popularity (`ZipfPopularity`) in O(1) per draw, by Walker's alias
/// method.
///
/// Walker, "An efficient method for generating discrete random variables with general
/// distributions", ACM TOMS 3(3), 1977; the table is built by Vose's O(n) construction (Vose,
/// "A linear algorithm for generating random numbers with a given distribution", IEEE TSE 17(9),
/// 1991). A draw picks a column uniformly, then keeps it or takes its alias by a biased coin.
///
/// Each column is 8 bytes (a 32-bit threshold and a 32-bit alias), so a table of 10 million keys
/// takes 80 MB and a draw touches one cache line. The coin compares the top 32 bits of one output
/// with the threshold, so each key's probability is exact to within 2^-32 / keys.
public struct ZipfKeySampler: Sendable {
    @usableFromInline struct Column: Sendable {
        /// The column keeps its own key when the coin (32 bits) is below this.
        @usableFromInline var threshold: UInt32
        /// The key taken otherwise.
        @usableFromInline var alias: UInt32
    }

    /// The number of keys.
    public let keys: Int
    @usableFromInline let columns: [Column]

    /// The alias table of Zipf popularity over `keys` keys with the given exponent.
    ///
    /// - Parameters:
    ///   - keys: the number of keys, 1...UInt32.max.
    ///   - exponent: the Zipf exponent (0 is uniform).
    /// - Complexity: O(keys) time and memory.
    public init(keys: Int, exponent: Double) {
        self.init(probabilities: ZipfPopularity.probabilities(keys: keys, exponent: exponent))
    }

    /// A sampler of keys `0..<probabilities.count` with the given probabilities (summing to 1),
    /// e.g. hot keys followed by a Zipf tail (`Model.Cache.keyProbabilities`).
    public init(probabilities: [Double]) {
        let keys = probabilities.count
        precondition(keys > 0 && UInt64(keys) <= UInt64(UInt32.max), "ZipfKeySampler needs 1...UInt32.max keys")
        self.keys = keys
        // Vose: scaled probabilities n p_i; columns below 1 ("small") are topped up by one above 1.
        var scaled = probabilities.map { $0 * Double(keys) }
        var columns = (0..<keys).map { Column(threshold: UInt32.max, alias: UInt32($0)) }
        var small: [Int] = [], large: [Int] = []
        small.reserveCapacity(keys)
        large.reserveCapacity(keys)
        for i in 0..<keys {
            if scaled[i] < 1 { small.append(i) } else { large.append(i) }
        }
        while let s = small.last, let l = large.last {
            small.removeLast()
            columns[s] = Column(threshold: ZipfKeySampler.threshold(scaled[s]), alias: UInt32(l))
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 {
                large.removeLast()
                small.append(l)
            }
        }
        // What is left is 1 up to rounding: such columns keep their own key (threshold max,
        // alias itself, as initialized).
        self.columns = columns
    }

    /// The 32-bit threshold for keeping a column with scaled probability `p` in [0, 1].
    private static func threshold(_ p: Double) -> UInt32 {
        let t = (p * 0x1.0p32).rounded()
        return t >= 0x1.0p32 ? UInt32.max : UInt32(Swift.max(0, t))
    }

    /// A key in `0..<keys`, key `i` with probability `ZipfPopularity.probabilities(...)[i]`.
    ///
    /// - Complexity: O(1) (two outputs of the stream, one column read).
    @inlinable
    public func next(_ stream: RandomStream) -> Int {
        let i = stream.uniformInt(keys)
        let column = columns[i]
        return UInt32(truncatingIfNeeded: stream.next() >> 32) < column.threshold ? i : Int(column.alias)
    }

    /// The probability of each key that the table encodes (for tests).
    func encodedProbabilities() -> [Double] {
        var p = [Double](repeating: 0, count: keys)
        for (i, column) in columns.enumerated() {
            let keep = column.threshold == UInt32.max && Int(column.alias) == i ? 1 : Double(column.threshold) * 0x1.0p-32
            p[i] += keep / Double(keys)
            p[Int(column.alias)] += (1 - keep) / Double(keys)
        }
        return p
    }
}
