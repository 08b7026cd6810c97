import Foundation

/// The latencies of one time window, in integer microseconds, in the bins of
/// `LatencyRecorder`'s HDR histogram (1 µs to an hour, 3 significant digits), so a window's
/// p99 is computed exactly as the report's p99 is.
///
/// The HDR histogram type is too slow for a window: clearing it and reading a percentile walk
/// all of its 23,552 bins (about two million instructions per window, through generic code).
/// Here the bins live in a flat buffer and the histogram keeps only its count and the shortest
/// and longest latency besides them (they bound the bins touched), so `record` is a few
/// instructions, `clear` empties the bins between the shortest and the longest latency, and
/// `value(atPercentile: 99)` walks down from the longest through the top 1%.
struct WindowHistogram {
    // HDR layout for lowestDiscernibleValue 1 and 3 significant digits: 2048 sub-buckets,
    // bucket k > 0 holds values [1024 << k, 2048 << k) in steps of 1 << k.
    private static let subBucketHalfCountMagnitude = 10
    private static let subBucketHalfCount = 1 << subBucketHalfCountMagnitude
    private static let subBucketMask: UInt64 = (1 << (subBucketHalfCountMagnitude + 1)) - 1
    private static let leadingZeroCountBase = 64 - (subBucketHalfCountMagnitude + 1)
    /// Bins needed up to the longest latency recorded.
    static let binCount = index(LatencyRecorder.highestMicroseconds) + 1

    private var counts = PODBuffer<UInt64>(capacity: binCount)
    /// The number of latencies recorded.
    private(set) var count: UInt64 = 0
    /// The shortest and longest latency recorded since the last `clear` (empty: min > max).
    private var minValue = UInt64.max
    private var maxValue: UInt64 = 0

    init() {
        for _ in 0..<Self.binCount { counts.append(0) }
    }

    /// The bin of `value` (as `Histogram.countsIndexForValue`).
    @inline(__always)
    static func index(_ value: UInt64) -> Int {
        let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
        let subBucket = Int(value >> bucket)
        return ((bucket + 1) << subBucketHalfCountMagnitude) + subBucket - subBucketHalfCount
    }

    /// The highest value of bin `index` (as `Histogram.highestEquivalentForValue(valueFromIndex(_:))`).
    static func highestValue(bin index: Int) -> UInt64 {
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucket < 0 {
            subBucket -= subBucketHalfCount
            bucket = 0
        }
        return (UInt64(subBucket) << bucket) + (UInt64(1) << bucket) - 1
    }

    /// Records one latency in microseconds (at most `LatencyRecorder.highestMicroseconds`).
    @inline(__always)
    mutating func record(_ micros: UInt64) {
        counts[Self.index(micros)] &+= 1
        count &+= 1
        minValue = min(minValue, micros)
        maxValue = max(maxValue, micros)
    }

    var isEmpty: Bool { count == 0 }

    /// The value at `percentile` (0 < percentile < 100), computed as
    /// `Histogram.valueAtPercentile`: the highest value of the bin where the cumulative count
    /// reaches the percentile, kept within the smallest and largest values recorded. Nil when
    /// the histogram is empty.
    ///
    /// - Complexity: O(bins from the percentile's to the longest latency's).
    func value(atPercentile percentile: Double) -> UInt64? {
        guard !isEmpty else { return nil }
        let requested = min(max(percentile.nextDown, 0), 100)
        let target = max(1, UInt64((requested * Double(count) / 100).rounded(.up)))
        // The lowest bin whose cumulative count reaches `target`, found from the top: walk down
        // while the bins below the current one still hold `target` values.
        var i = Self.index(maxValue)
        var atOrBelow = count
        let lowest = Self.index(minValue)
        while i > lowest, atOrBelow - counts[i] >= target {
            atOrBelow -= counts[i]
            i -= 1
        }
        return max(min(Self.highestValue(bin: i), maxValue), minValue)
    }

    /// Empties the histogram.
    ///
    /// - Complexity: O(bins touched).
    mutating func clear() {
        if !isEmpty {
            let low = Self.index(minValue)
            memset(counts.base + low, 0, (Self.index(maxValue) - low + 1) * MemoryLayout<UInt64>.stride)
        }
        count = 0
        minValue = .max
        maxValue = 0
    }
}
