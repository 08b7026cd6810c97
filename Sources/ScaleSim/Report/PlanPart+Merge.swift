extension PlanPart {
    /// The plan of all the parts (`scalesim merge`): the search run again on `scenario`, with
    /// the verdicts of every part's simulations, as `Planner.verify` gives them in one process.
    ///
    /// The parts must come from the same scenario file (hash, which `scenario` must also have:
    /// `fileHash`), the same request, the same scalesim version (`version`, the merging one's by
    /// default) and the same number of shards N; every shard 1...N must be given exactly once
    /// and hold exactly its simulations, of the candidates this search finds.
    ///
    /// - Parameters:
    ///   - parts: each part with its file's name (for messages).
    ///   - scenario: the scenario file read again, and `fileHash` the hash of its bytes.
    /// - Throws: `SweepPartError` naming the files, the missing or duplicate shards.
    public static func merge(_ parts: [(name: String, part: PlanPart)], scenario: ArchitectureScenario, fileHash: String,
                             version: String = ScaleSimVersion.current) throws(SweepPartError) -> PlanResult {
        guard let (firstName, first) = parts.first else { throw SweepPartError("no parts to merge") }
        for (name, part) in parts {
            guard part.version == version else {
                throw SweepPartError("\(name) was written by scalesim \(part.version), this is \(version): run the shards and the merge with the same scalesim")
            }
            guard part.fileHash == first.fileHash else {
                throw SweepPartError("\(firstName) and \(name) come from different scenario files (\(first.file) \(first.fileHash), \(part.file) \(part.fileHash))")
            }
            guard part.requestJSON == first.requestJSON else {
                throw SweepPartError("\(firstName) and \(name) are parts of different plans (users, stage, SLO, headroom or grid differ)")
            }
            guard part.shard.count == first.shard.count else {
                throw SweepPartError("\(firstName) is a part of \(first.shard.count) shards, \(name) of \(part.shard.count)")
            }
        }
        guard fileHash == first.fileHash else {
            throw SweepPartError("the scenario file has changed since the shards ran: it hashes to \(fileHash), the parts to \(first.fileHash) (\(first.file))")
        }
        let count = first.shard.count
        try SweepShard.checkComplete(parts.map { ($0.name, $0.part.shard) }, count: count)
        let request = first.request
        guard scenario.stages.indices.contains(request.stage), scenario.stages[request.stage].name == first.stageName else {
            throw SweepPartError("\(firstName): the scenario has no stage \(request.stage) named \"\(first.stageName)\"")
        }
        let plan: PlanResult
        do {
            plan = try Planner.plan(scenario, request)
        } catch {
            throw SweepPartError("\(firstName): \(error)")
        }
        let targets = Planner.simulationTargets(plan)
        var verdicts = [PlanVerification?](repeating: nil, count: targets.count)
        for (name, part) in parts {
            let expected = part.shard.indices(of: targets.count)
            guard part.targets == targets.count, part.simulations.map(\.index) == expected else {
                throw SweepPartError("\(name): shard \(part.shard) must hold simulations \(expected) of \(targets.count), "
                                     + "it holds \(part.simulations.map(\.index)) of \(part.targets) (an interrupted or edited part?)")
            }
            for s in part.simulations {
                guard s.knobs == targets[s.index].knobs else {
                    throw SweepPartError("\(name): simulation \(s.index) is of another configuration than this search finds "
                                         + "(an edited part, or another planner?)")
                }
                verdicts[s.index] = s.verified
            }
        }
        return Planner.applying(verdicts, to: plan)
    }
}
