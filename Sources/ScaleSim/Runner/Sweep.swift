import Dispatch
import Synchronization

/// A sweep of one architecture stage over a grid of parameter values (`scalesim sweep`).
///
/// Every point runs the stage, changed by the point's values, with the scenario's run settings
/// and replications. A point's figures depend only on the scenario, the stage and the point's
/// values: every point draws from the scenario's seed (replication r of every point sees the
/// same arrivals and keys, common random numbers, so the curves are smooth), never from its
/// neighbours or from the order in which points run. So any subset of the points, run in any
/// process, gives the same per-point numbers (`evaluate(points:)`), the ground for splitting a
/// sweep into shards and merging them.
public struct Sweep: Sendable {
    public var scenario: ArchitectureScenario
    /// Index of the swept stage in `scenario.stages`.
    public var stage: Int
    public var grid: SweepGrid
    /// The SLO each point is checked against (default: the stage's).
    public var slo: ArchitectureScenario.SLO

    /// - Throws: `SweepError.notApplicable` when the stage lacks a component the grid varies.
    public init(scenario: ArchitectureScenario, stage: Int, grid: SweepGrid, slo: ArchitectureScenario.SLO? = nil) throws(SweepError) {
        self.scenario = scenario
        self.stage = stage
        self.grid = grid
        self.slo = slo ?? scenario.stages[stage].slo
        var probe = scenario.stages[stage]
        for axis in grid.axes { try axis.parameter.apply(axis.values[0], to: &probe) }
    }

    /// The one-stage scenario of point `index`: the swept stage with the point's values set.
    public func scenario(at index: Int) -> ArchitectureScenario {
        var stage = scenario.stages[self.stage]
        for (axis, value) in zip(grid.axes, grid.values(at: index)) {
            try! axis.parameter.apply(value, to: &stage)  // checked in init
        }
        stage.slo = slo
        var single = scenario
        single.stages = [stage]
        return single
    }

    /// Runs the points `indices` (every point by default), each with its replications, on
    /// `jobs` threads: the replications of all points form one queue, so the cores stay busy
    /// to the end. A point is compiled when its first replication starts, and summarized as
    /// soon as its last one ends; then its model and replications are dropped, so memory
    /// grows with the points in flight (at most `jobs`), not with the grid.
    ///
    /// - Parameters:
    ///   - progress: called from worker threads after every replication.
    /// - Returns: the points in the order of `indices`; when `control` is cancelled, only the
    ///   points whose replications all ran.
    /// - Complexity: points × replications simulations.
    public func evaluate(points indices: [Int]? = nil, jobs: Int, limits: EngineLimits = EngineLimits(),
                         control: RunControl? = nil,
                         progress: (@Sendable (Int, ReplicationResult) -> Void)? = nil) -> [SweepPoint] {
        let indices = indices ?? Array(0..<grid.count)
        precondition(indices.allSatisfy { (0..<grid.count).contains($0) }, "a point index outside the grid of \(grid.count)")
        let replications = scenario.run.replications
        let tasks = indices.count * replications
        struct Pending { var model: CompiledStage?; var results: [ReplicationResult?]; var done = 0 }
        let pending = Mutex<[Pending]>(Array(repeating: Pending(model: nil, results: Array(repeating: nil, count: replications)),
                                             count: indices.count))
        let finished = Mutex<[SweepPoint?]>(Array(repeating: nil, count: indices.count))
        let next = Atomic<Int>(0), done = Atomic<Int>(0)
        let run = scenario.run, seed = scenario.seed
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, tasks))) { _ in
            while !(control?.isCancelled ?? false) {
                let task = next.add(1, ordering: .relaxed).oldValue
                guard task < tasks else { break }
                let (slot, replication) = task.quotientAndRemainder(dividingBy: replications)
                let compiled = pending.withLock { all in
                    if all[slot].model == nil { all[slot].model = scenario(at: indices[slot]).compile(stage: 0) }
                    return all[slot].model!
                }
                var engine = Engine(model: compiled.model, seed: seed, replication: replication,
                                    duration: run.duration, warmup: run.warmup, limits: limits,
                                    control: control, window: run.window)
                let result = engine.run()
                let complete: [ReplicationResult]? = pending.withLock { all in
                    all[slot].results[replication] = result
                    all[slot].done += 1
                    guard all[slot].done == replications else { return nil }
                    defer { all[slot].results = []; all[slot].model = nil }
                    return all[slot].results.map { $0! }
                }
                if let complete, !(control?.isInterrupted ?? false) {
                    let point = summarize(index: indices[slot], compiled: compiled, results: complete)
                    finished.withLock { $0[slot] = point }
                }
                progress?(done.add(1, ordering: .relaxed).newValue, result)
            }
        }
        return finished.withLock { $0.compactMap { $0 } }
    }

    /// A point's figures from its replications (in replication order).
    func summarize(index: Int, compiled: CompiledStage, results: [ReplicationResult]) -> SweepPoint {
        let single = scenario(at: index)
        var result = ArchitectureReport.summarize(single, 0, compiled, results)
        let analytic = ModelAnalytic.solve(compiled.model.requestsOnly)
        if let analytic { result.attach(analytic, compiled.model) }
        // The busiest components: each resource's busiest instance, highest first.
        var busiest: [String: (name: String, utilization: Estimate)] = [:]
        for r in result.resources {
            guard let u = r.utilization, u.mean.isFinite else { continue }
            let base = ArchitectureReport.baseName(r.name)
            if let known = busiest[base], known.utilization.mean >= u.mean { continue }
            busiest[base] = (base, u)
        }
        let ranked = busiest.values.sorted { ($0.utilization.mean, $1.name) > ($1.utilization.mean, $0.name) }
        return SweepPoint(
            index: index, values: grid.values(at: index), users: result.users, requestRate: result.requestRate,
            costPerHour: result.costPerHour, throughput: result.throughput,
            latency: result.latency, errorRate: result.errorRate,
            busiest: ranked.prefix(SweepPoint.busiestShown).map { SweepPoint.Utilization(resource: $0.name, utilization: $0.utilization) },
            bottleneck: result.bottleneck.map(ArchitectureReport.baseName),
            sloMet: result.slo.met, violations: result.slo.violations,
            analyticStable: analytic?.stable, events: result.events, stoppedEarly: result.stoppedEarly)
    }
}
