extension SweepPart {
    /// The report of the whole sweep from all its parts (`scalesim merge`).
    ///
    /// The parts must come from the same scenario file (hash), the same definition, the same
    /// scalesim version (`version`, the merging one's by default) and the same number of
    /// shards N; every shard 1...N must be given exactly once and hold exactly its points.
    ///
    /// - Parameter parts: each part with its file's name (for messages).
    /// - Throws: `SweepPartError` naming the files, the missing or duplicate shards.
    public static func merge(_ parts: [(name: String, part: SweepPart)],
                             version: String = ScaleSimVersion.current) throws(SweepPartError) -> SweepReport {
        guard let (firstName, first) = parts.first else { throw SweepPartError("no parts to merge") }
        let definition = first.definition.json
        for (name, part) in parts {
            guard part.version == version else {
                throw SweepPartError("\(name) was written by scalesim \(part.version), this is \(version): run the shards and the merge with the same scalesim")
            }
            guard part.fileHash == first.fileHash else {
                throw SweepPartError("\(firstName) and \(name) come from different scenario files (\(first.file) \(first.fileHash), \(part.file) \(part.fileHash))")
            }
            let other = part.definition.json
            if other != definition {
                var differing: [String] = []
                if case .object(let a) = definition, case .object(let b) = other {
                    for (x, y) in zip(a, b) where x != y { differing.append(x.key) }
                }
                throw SweepPartError("\(firstName) and \(name) are parts of different sweeps (they differ in \(differing.joined(separator: ", ")))")
            }
            guard part.shard.count == first.shard.count else {
                throw SweepPartError("\(firstName) is a part of \(first.shard.count) shards, \(name) of \(part.shard.count)")
            }
        }
        let count = first.shard.count
        try SweepShard.checkComplete(parts.map { ($0.name, $0.part.shard) }, count: count)
        let points = first.definition.grid.count
        for (name, part) in parts where part.points.map(\.index) != part.shard.indices(of: points) {
            throw SweepPartError("\(name): shard \(part.shard) must hold points \(part.shard.indices(of: points)), it holds \(part.points.map(\.index)) (an interrupted or edited part?)")
        }
        return first.definition.report(points: parts.flatMap(\.part.points))
    }
}
