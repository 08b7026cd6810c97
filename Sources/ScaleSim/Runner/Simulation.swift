import Dispatch
import Synchronization

/// Runs independent replications of a model, in parallel on `jobs` threads.
public enum Simulation {
    /// Runs `replications` replications of `model`; replication `r` of every model draws
    /// from streams seeded by `(seed, stream name, r)`, so two models that name their streams
    /// alike see the same arrivals (common random numbers).
    ///
    /// The result does not depend on `jobs`: each replication is independent and results are
    /// returned in replication order.
    ///
    /// - Parameters:
    ///   - progress: called (from worker threads) after each replication with the number done.
    /// - Returns: one result per replication, in order.
    public static func run(_ model: Model, seed: UInt64, run settings: RunSettings, jobs: Int,
                           limits: EngineLimits = EngineLimits(), control: RunControl? = nil,
                           progress: (@Sendable (_ done: Int, _ result: ReplicationResult) -> Void)? = nil)
        -> [ReplicationResult] {
        let count = settings.replications
        let workers = max(1, min(jobs, count))
        let results = Mutex<[ReplicationResult?]>(Array(repeating: nil, count: count))
        let done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var replication = worker
            while replication < count, !(control?.isCancelled ?? false) {
                var engine = Engine(model: model, seed: seed, replication: replication,
                                    duration: settings.duration, warmup: settings.warmup, limits: limits,
                                    control: control, window: settings.window)
                let result = engine.run()
                results.withLock { $0[replication] = result }
                let finished = done.add(1, ordering: .relaxed).newValue
                progress?(finished, result)
                replication += workers
            }
        }
        // Replications never started because the run was cancelled are left out.
        return results.withLock { $0.compactMap { $0 } }
    }
}
