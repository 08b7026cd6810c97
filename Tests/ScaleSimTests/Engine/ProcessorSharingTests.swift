import Testing
@testable import ScaleSim

/// Processor sharing (and FCFS for contrast) on exact small cases, and the lazy cancellation of
/// PS completion events over long random runs.
@Suite struct EngineProcessorSharingTests {
    /// One job per entry of `works`, all sent at t = 1000 (one closed user each, deterministic
    /// think time 1000, in order), to one CPU. Job i is class i.
    static func simultaneousJobs(works: [Double], cores: Int, discipline: Model.CPU.Discipline) -> Model {
        var b = ModelBuilder("\(works.count) jobs on \(cores) \(discipline.rawValue)")
        let cpu = b.cpu("cpu", cores: cores, discipline: discipline)
        let think = b.sampler(.deterministic(value: 1000), stream: "think")
        for (i, work) in works.enumerated() {
            let c = b.requestClass("job\(i)")
            let sampler = b.sampler(.deterministic(value: work), stream: "work\(i)")
            let entry = b.program([.use(.cpu(cpu), sampler: sampler, on: nil), .done])
            b.closed(classIndex: c, size: 1, think: think, entry: entry)
        }
        return b.model
    }

    @Test(arguments: [
        // PS, 1 core: both at rate 1/2 until the first is done at 2; the second's last unit alone.
        (1, Model.CPU.Discipline.ps, [1.0, 2.0], [2.0, 3.0]),
        // PS, 2 cores: one core each.
        (2, .ps, [1.0, 2.0], [1.0, 2.0]),
        // PS, 1 core, 3 jobs: rate 1/3 until 3, then 1/2 until 5, then 1 until 6.
        (1, .ps, [1.0, 2.0, 3.0], [3.0, 5.0, 6.0]),
        // PS, 2 cores, 3 jobs: rate 2/3 until 1.5, then one core each.
        (2, .ps, [1.0, 2.0, 3.0], [1.5, 2.5, 3.5]),
        // PS with equal tags: all finish together.
        (2, .ps, [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]),
        // PS, more cores than jobs.
        (4, .ps, [0.5, 2.0], [0.5, 2.0]),
        // FCFS, 1 core: simultaneous arrivals are served in scheduling order.
        (1, .fcfs, [1.0, 2.0], [1.0, 3.0]),
        (1, .fcfs, [2.0, 1.0], [2.0, 3.0]),
        (2, .fcfs, [1.0, 2.0, 3.0], [1.0, 2.0, 4.0]),
    ])
    func simultaneousJobsFinishExactly(cores: Int, discipline: Model.CPU.Discipline, works: [Double],
                                       expected: [Double]) {
        let model = Self.simultaneousJobs(works: works, cores: cores, discipline: discipline)
        var engine = Engine(model: model, seed: 1, replication: 0, duration: 1_500, warmup: 0)
        let result = engine.run()
        let what = "\(works) on \(cores) \(discipline.rawValue)"
        for (i, finish) in expected.enumerated() {
            #expect(result.classes[i].completed == 1, "\(what): job \(i) completed \(result.classes[i].completed) times")
            EngineCheck.expectClose(result.classes[i].latency.mean, finish, "\(what): job \(i) response")
        }
        #expect(result.cpus[0].completions == UInt64(works.count))
        // Work is conserved: busy core-seconds = total work.
        EngineCheck.expectClose(result.cpus[0].busyArea, works.reduce(0, +), "\(what): busy area")
        EngineCheck.expectClose(result.cpus[0].sumResponse, expected.reduce(0, +), "\(what): sum of responses")
        #expect(engine.inFlight == 0)
    }

    @Test func lazyCancellationNeitherLosesNorDuplicatesCompletions() {
        // Every arrival at a PS CPU reschedules its next completion and makes the pending one
        // stale. Over long random runs: completions = arrivals - in flight, the time in
        // station is conserved exactly, and at most one completion event is current.
        var staleTotal: UInt64 = 0
        for seed in UInt64(0)..<20 {
            let cores = seed % 2 == 0 ? 1 : 3
            var b = ModelBuilder("ps churn")
            b.requestClass("req")
            let cpu = b.cpu("cpu", cores: cores, discipline: .ps)
            let service = b.sampler(seed % 4 < 2 ? .exponential(mean: 1) : .lognormal(mean: 1, scv: 4), stream: "service")
            b.open(rate: 0.9 * Double(cores), entry: b.program([.use(.cpu(cpu), sampler: service, on: nil), .done]))
            let duration = 2_000.0
            var engine = Engine(model: b.model, seed: seed, replication: 0, duration: duration, warmup: 0)
            let result = engine.run()
            let stats = result.cpus[0], state = engine.cpus[0]
            let context = "seed \(seed), \(cores) cores"

            #expect(stats.arrivals == stats.started, "\(context): arrivals \(stats.arrivals), started \(stats.started)")
            #expect(stats.completions + UInt64(state.n) == stats.arrivals,
                    "\(context): completions \(stats.completions) + in flight \(state.n) != arrivals \(stats.arrivals)")
            #expect(state.jobs.count == Int(state.n), "\(context): \(state.jobs.count) tags for \(state.n) jobs")
            #expect(engine.inFlight == Int(state.n), "\(context): requests in flight \(engine.inFlight), at the CPU \(state.n)")
            #expect(result.classes[0].completed == stats.completions && result.classes[0].arrivals == stats.arrivals,
                    "\(context): class and CPU counts differ")
            EngineCheck.expectClose(result.classes[0].latency.sum, stats.sumResponse, tolerance: 1e-9,
                                    "\(context): end-to-end latency vs CPU response")

            // Time in station: completed jobs' responses plus the in-flight jobs' time so far.
            let free = Set(engine.freeSlots)
            let live = engine.requests.indices.filter { !free.contains(Int32($0)) }
            let inFlightTime = live.reduce(0.0) { $0 + (duration - engine.requests[$1].visitStart) }
            EngineCheck.expectClose(stats.inStationArea, stats.sumResponse + inFlightTime, tolerance: 1e-9,
                                    "\(context): time in station")

            let current = engine.queue.heap.filter { $0.kind == .psDone && $0.generation == state.generation }
            #expect(current.count <= 1, "\(context): \(current.count) current completion events")
            // Events: one per arrival, one per completion, the rest are skipped stale ones.
            #expect(result.events >= stats.arrivals + stats.completions, "\(context): fewer events than arrivals + completions")
            if result.events >= stats.arrivals + stats.completions {
                staleTotal += result.events - stats.arrivals - stats.completions
            }
        }
        #expect(staleTotal > 10_000, "the runs should exercise lazy cancellation; \(staleTotal) stale events")
    }
}
