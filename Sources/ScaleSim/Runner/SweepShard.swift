/// One shard of a sweep: `--shard I/N` runs the points whose index `i` has `i % N == I - 1`.
///
/// Shards are numbered from 1 (`1/4` … `4/4`), as in the part file names
/// (`sweep.part-1-of-4.json`). Points are dealt out round robin, so every shard gets points
/// from the whole range of every axis (the costly high-load points are spread, not lumped).
public struct SweepShard: Sendable, Hashable, CustomStringConvertible {
    /// 1...count.
    public var index: Int
    public var count: Int

    /// Most shards one sweep may be split into (as many as it may have points).
    public static let maximumCount = SweepGrid.maximumPoints

    /// - Throws: `SweepShardError` when `index` is not in 1...count or count is not in 1...maximumCount.
    public init(index: Int, count: Int) throws(SweepShardError) {
        guard (1...Self.maximumCount).contains(count) else {
            throw SweepShardError("the number of shards must be in 1...\(Self.maximumCount), got \(count)")
        }
        guard (1...count).contains(index) else {
            throw SweepShardError("the shard must be in 1...\(count) (shards are numbered from 1), got \(index)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (`2/4`).
    public static func parse(_ text: String) throws(SweepShardError) -> SweepShard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw SweepShardError("--shard \"\(text)\": expected I/N with whole numbers, e.g. --shard 2/4 (the second of 4 shards, numbered from 1)")
        }
        do {
            return try SweepShard(index: index, count: count)
        } catch {
            throw SweepShardError("--shard \(text): \(error.message)")
        }
    }

    /// The indices of the points of a grid of `points` points this shard runs (possibly none).
    public func indices(of points: Int) -> [Int] {
        Array(stride(from: index - 1, to: points, by: count))
    }

    /// Checks that `shards` (each with its file's name) are every shard 1...`count` once.
    ///
    /// - Throws: `SweepPartError` naming a shard given twice, or those missing.
    static func checkComplete(_ shards: [(name: String, shard: SweepShard)], count: Int) throws(SweepPartError) {
        var seen: [Int: String] = [:]
        for (name, shard) in shards {
            if let earlier = seen[shard.index] {
                throw SweepPartError("shard \(shard) is given twice: \(earlier) and \(name)")
            }
            seen[shard.index] = name
        }
        let missing = (1...count).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw SweepPartError("shard\(missing.count == 1 ? "" : "s") " + missing.map { "\($0)/\(count)" }.joined(separator: ", ")
                                 + " missing (given: " + seen.keys.sorted().map { "\($0)/\(count)" }.joined(separator: ", ") + ")")
        }
    }

    /// `sweep.part-2-of-4.json`.
    public var fileName: String { "sweep.part-\(index)-of-\(count).json" }

    public var description: String { "\(index)/\(count)" }
}

/// A bad shard number, in words that name the option or variable.
public struct SweepShardError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
