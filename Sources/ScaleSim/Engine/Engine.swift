import Foundation

/// Limits that stop a replication before it exhausts memory or time.
public struct EngineLimits: Sendable, Hashable {
    /// Most requests alive at once; beyond it the replication stops and says the model is
    /// overloaded.
    public var maxInFlight: Int
    /// Most events one replication may process.
    public var maxEvents: UInt64

    public init(maxInFlight: Int = 2_000_000, maxEvents: UInt64 = .max) {
        self.maxInFlight = maxInFlight
        self.maxEvents = maxEvents
    }
}

/// One replication of a `Model`: the discrete-event loop and the state of every component.
///
/// A request is a small value in a slab (`requests`), found by slot index; components keep
/// their state in arrays indexed like the model's. The loop pops `Event`s (small structs,
/// no closures) in `(time, sequence)` order; nothing allocates per event once the arrays
/// have grown to the number of requests in flight.
struct Engine {
    let model: Model
    let duration: Double
    let warmup: Double
    let limits: EngineLimits
    /// Progress, cancellation and the wall-clock budget (nil: none).
    let control: RunControl?

    var now: Double = 0
    /// Simulated time already reported to the run control (for progress).
    var reportedTime: Double = 0
    var queue = EventQueue()
    var result = ReplicationResult()

    // Program and random choices.
    let steps: [Model.Step]
    /// What a request holds at each step (see `Model.heldAtSteps()`).
    let heldAtStep: [[Held]]
    /// Every stream of the replication; the components draw through borrowed views of them.
    let streams: [RandomStream]
    let samplers: [BorrowedSampler]
    let branchTables: [BranchState]
    var sources: [SourceState]

    // Components.
    var cpus: [CPUState]
    var delays: [DelayState]
    var pools: [PoolState]
    var caches: [CacheState]
    var routers: [RouterState]

    /// Client timeout per class (infinity: none).
    let timeouts: [Double]
    /// What changes during the run: profile, faults, health checks, autoscaling, retries.
    var dynamics: DynamicsState
    /// Per router, the slot of a request's `instances` that holds its choice.
    let routerSlots: [Int]

    /// Per request class, since the warm-up.
    var classes: [ReplicationResult.ClassResult]
    /// Statistics per time window of the whole run.
    var windows: WindowRecorder

    // Requests in flight.
    var requests = PODBuffer<Request>()
    /// Slots of `requests` free for reuse.
    var free = PODBuffer<Int32>()
    var inFlight = 0

    /// - Parameter window: seconds per time window (nil: the default, see `WindowRecorder.edges`).
    init(model: Model, seed: UInt64, replication: Int, duration: Double, warmup: Double,
         limits: EngineLimits = EngineLimits(), control: RunControl? = nil, window: Double? = nil) {
        self.control = control
        self.model = model
        result.replication = replication
        self.duration = duration
        self.warmup = warmup
        self.limits = limits
        self.steps = model.steps
        self.heldAtStep = model.heldAtSteps()
        timeouts = model.classes.map { $0.timeout ?? .infinity }
        routerSlots = model.routers.map { router in
            precondition((0..<Model.instanceSlots).contains(router.slot), "router \(router.name): slot \(router.slot)")
            precondition(router.instances >= 1 && router.instances <= 0xFFFF, "router \(router.name): \(router.instances) instances")
            return router.slot
        }

        // One stream per stable name; components that name the same stream share it.
        var byName: [String: RandomStream] = [:]
        var all: [RandomStream] = []
        func stream(_ name: String) -> RandomStream {
            if let existing = byName[name] { return existing }
            let created = RandomStream(seed: seed, name: name, replication: replication)
            byName[name] = created
            all.append(created)
            return created
        }
        samplers = model.samplers.map { BorrowedSampler(Sampler($0.distribution, stream: stream($0.streamName))) }
        branchTables = model.branches.map { table in
            var cumulative: [Double] = []
            var total = 0.0
            for p in table.probabilities { total += p; cumulative.append(total) }
            return BranchState(cumulative: cumulative, targets: table.targets.map(Int32.init),
                               stream: BorrowedStream(stream(table.streamName)))
        }
        // With a rate profile, open arrivals are candidates at the profile's highest rate,
        // thinned to the rate of the moment (`openArrival`).
        let peak = model.profile?.maximum ?? 1
        sources = model.sources.map { source in
            switch source {
            case let .open(classIndex, rate, entry, streamName):
                return SourceState(classIndex: Int32(classIndex), entry: Int32(entry), closed: false,
                                   meanGap: rate * peak > 0 ? 1 / (rate * peak) : .infinity, think: -1,
                                   stream: BorrowedStream(stream(streamName)))
            case let .closed(classIndex, _, think, entry):
                return SourceState(classIndex: Int32(classIndex), entry: Int32(entry), closed: true,
                                   meanGap: 0, think: Int32(think), stream: nil)
            case let .sessions(_, think, mix, streamName):
                var total = 0.0
                let cumulative = mix.map { choice -> Double in total += choice.probability; return total }
                return SourceState(classIndex: Int32(mix[0].classIndex), entry: Int32(mix[0].entry), closed: true,
                                   meanGap: 0, think: Int32(think), stream: BorrowedStream(stream(streamName)),
                                   mix: SourceState.Mix(cumulative: cumulative,
                                                        classes: mix.map { Int32($0.classIndex) },
                                                        entries: mix.map { Int32($0.entry) }))
            }
        }
        cpus = model.cpus.map { CPUState($0) }
        delays = model.delays.map { _ in DelayState() }
        pools = model.pools.map(PoolState.init)
        caches = model.caches.map { cache in
            var state = CacheState(cache, stream: stream(cache.streamName))
            if let rate = cache.warmLookupRate {
                state.warm(lookupRate: rate, probabilities: cache.keyProbabilities, groups: cache.keyGroups(tolerance: 5e-3),
                           stream: stream("warm:\(cache.streamName)"))
            }
            return state
        }
        routers = model.routers.map { RouterState($0, stream: stream($0.streamName)) }
        dynamics = DynamicsState(model, stream: stream)
        streams = all

        classes = Array(repeating: .init(), count: model.classes.count)
        windows = WindowRecorder(edges: WindowRecorder.edges(duration: duration, warmup: warmup, width: window),
                                 cpus: model.cpus.count, pools: model.pools.count, caches: model.caches.count,
                                 routers: model.routers.count)
    }

    /// Runs the replication to its end (or to a limit) and returns what it measured.
    mutating func run() -> ReplicationResult {
        start()
        var events: UInt64 = 0
        // The next window edge, or just past the duration: one comparison per event for both.
        var horizon = windows.nextEdge ?? duration.nextUp
        while let event = queue.popMin() {
            if event.time >= horizon {
                if event.time > duration { break }
                horizon = passWindowEdges(upTo: event.time)
            }
            #if SCALESIM_CHECKS
            precondition(event.time >= now, "time went back from \(now) to \(event.time)")
            #endif
            now = event.time
            events &+= 1
            switch event.kind {
            case .arrival: openArrival(source: Int(event.target))
            case .thinkDone: startRequest(source: Int(event.target))
            case .serviceDone:
                if requests[Int(event.target)].generation == event.generation { serviceDone(slot: event.target) }
            case .psDone: psDone(cpu: Int(event.target), generation: event.generation)
            case .resume:
                if requests[Int(event.target)].generation == event.generation {
                    requests[Int(event.target)].step += 1
                    execute(slot: event.target)
                }
            case .warmupEnd: restartStatistics()
            case .timeout: clientTimeout(slot: event.target, generation: event.generation)
            case .retry: startRetry(slot: event.target, generation: event.generation)
            case .proceed:
                if requests[Int(event.target)].generation == event.generation { execute(slot: event.target) }
            case .fault: fault(Int(event.target), starts: event.generation == 0)
            case .healthCheck: healthCheck(router: Int(event.target))
            case .autoscale: autoscale(router: Int(event.target))
            case .provisioned: provisioned(router: Int(event.target), instance: Int(event.generation))
            case .population: followPopulation()
            }
            #if SCALESIM_CHECKS
            checkInvariants()
            #endif
            if inFlight > limits.maxInFlight {
                result.stoppedEarly = "more than \(limits.maxInFlight) requests in flight at t=\(String(format: "%.1f", now)) s: the model is overloaded"
                break
            }
            if events >= limits.maxEvents {
                result.stoppedEarly = "event budget of \(limits.maxEvents) events reached at t=\(String(format: "%.1f", now)) s"
                break
            }
            if events & (RunControl.stride - 1) == 0, let control {
                let reason = control.report(events: RunControl.stride, simulated: now - reportedTime)
                reportedTime = now
                if let reason {
                    result.stoppedEarly = "\(reason) at t=\(String(format: "%.1f", now)) s"
                    break
                }
            }
        }
        let end = result.stoppedEarly == nil ? duration : now
        control?.add(simulated: end - reportedTime)
        _ = passWindowEdges(upTo: end)  // before the areas are closed at `end`
        closeStatistics(at: end)
        windows.read(windowTotals(at: end))
        windows.close(at: end)
        result.windows = windows.closed
        result.classes = classes
        result.cpus = cpus.map(\.stats)
        result.delays = delays.map(\.stats)
        result.pools = pools.map(\.stats)
        result.caches = caches.map(\.stats)
        result.routers = routers.map(\.stats)
        result.markers = dynamics.markers
        result.events = events
        result.measuredTime = max(0, end - warmup)
        return result
    }

    private mutating func start() {
        if warmup > 0 { queue.schedule(.warmupEnd, at: warmup, target: 0) }
        for (index, source) in model.sources.enumerated() {
            switch source {
            case .open(_, let rate, _, _):
                if rate * (model.profile?.maximum ?? 1) > 0 {
                    queue.schedule(.arrival, at: sources[index].nextGap(), target: Int32(index))
                }
            case let .closed(_, size, think, _), let .sessions(size, think, _, _):
                let users = model.profile.map { Int(($0.factor(at: 0) * Double(size)).rounded()) } ?? size
                sources[index].users = users
                for _ in 0..<users {
                    queue.schedule(.thinkDone, at: samplers[think].next(), target: Int32(index))
                }
            }
        }
        startDynamics()
    }

    // MARK: Sources and requests

    @inline(__always)
    private mutating func openArrival(source: Int) {
        queue.schedule(.arrival, at: now + sources[source].nextGap(), target: Int32(source))
        if let thinning = dynamics.thinning, thinning.stream.uniform() * thinning.peak >= thinning.profile.factor(at: now) {
            return  // thinned out: the rate now is below the peak's
        }
        startRequest(source: source)
    }

    private mutating func startRequest(source: Int) {
        let s = sources[source]
        if s.closed && s.retiring > 0 {
            // The profile wants fewer users: this one leaves instead of sending.
            sources[source].retiring -= 1
            sources[source].users -= 1
            return
        }
        let (classIndex, entry) = s.mix == nil ? (s.classIndex, s.entry) : s.drawFromMix()
        let slot = allocate(Request(classIndex: classIndex, step: entry, source: Int32(source),
                                    entry: entry, start: now, visitStart: now))
        classes[Int(classIndex)].arrivals += 1
        dynamics.firstAttempt(classIndex: Int(classIndex))
        scheduleTimeout(slot: slot)
        execute(slot: slot)
    }

    /// Puts `request` in a free slot (its generation carries on from the slot's last life).
    mutating func allocate(_ request: Request) -> Int32 {
        var request = request
        let slot: Int32
        if let reused = free.popLast() {
            slot = reused
            request.generation = requests[Int(slot)].generation
            requests[Int(slot)] = request
        } else {
            slot = Int32(requests.count)
            requests.append(request)
        }
        inFlight += 1
        return slot
    }

    /// The client of request `slot` will give up after its class's timeout, if it has one.
    mutating func scheduleTimeout(slot: Int32) {
        let timeout = timeouts[Int(requests[Int(slot)].classIndex)]
        if timeout < .infinity {
            queue.schedule(.timeout, at: now + timeout, target: slot, generation: requests[Int(slot)].generation)
        }
    }

    /// Ends a request: records its latency, or retries it or records its error, and lets a
    /// closed user think again.
    mutating func finish(slot: Int32, failed: Bool) {
        let request = requests[Int(slot)]
        let c = Int(request.classIndex)
        // A new life for the slot: any event still pending for this request is now stale.
        requests[Int(slot)].generation &+= 1
        if request.leads != 0 { handOverFill(from: slot) }
        free.append(slot)
        inFlight -= 1
        if request.branchOf >= 0 {
            branchJoined(parent: request.branchOf, failed: failed)
            return
        }
        if request.timedOut {
            // The client already counted it (an error or a retry) and moved on.
            if !failed && !request.killed { classes[c].abandonedCompleted += 1 }
            return
        }
        if failed {
            clientSeesFailure(request)
        } else {
            classes[c].completed += 1
            let latency = now - request.start, micros = LatencyRecorder.microseconds(latency)
            classes[c].latency.record(latency, microseconds: micros)
            windows.record(microseconds: micros)
            clientDone(request)
        }
    }

    /// The client of `request` got an error: it retries if its policy and budget allow,
    /// otherwise the request has failed for good.
    mutating func clientSeesFailure(_ request: Request) {
        if !retry(request) {
            classes[Int(request.classIndex)].errors += 1
            clientDone(request)
        }
    }

    /// The client of `request` is done with it: a closed user thinks again.
    @inline(__always)
    mutating func clientDone(_ request: Request) {
        let source = sources[Int(request.source)]
        if source.closed {
            queue.schedule(.thinkDone, at: now + samplers[Int(source.think)].next(), target: request.source)
        }
    }

    /// The client of request `slot` gives up, if that request is still the one waiting: it
    /// counts as an error (or is retried), and a closed user thinks again; the servers go on
    /// with the work.
    private mutating func clientTimeout(slot: Int32, generation: UInt32) {
        let request = requests[Int(slot)]
        guard request.generation == generation, !request.timedOut else { return }
        requests[Int(slot)].timedOut = true
        classes[Int(request.classIndex)].timeouts += 1
        clientSeesFailure(request)
    }

    /// An attempt lost to a component that is down (not counted for a request whose client
    /// already gave up: nobody sees that one fail).
    @inline(never)
    mutating func countFailure(slot: Int32) {
        let request = requests[Int(slot)]
        if !request.timedOut { classes[Int(request.classIndex)].failures += 1 }
    }

    /// The instance that router `on` chose for `request` (0 without a router).
    @inline(__always)
    func instance(of request: Request, on router: Int?) -> Int {
        guard let router else { return 0 }
        return request.instance(slot: routerSlots[router])
    }

    // MARK: Programs

    /// Runs request `slot`'s program from its current step until it must wait or ends.
    mutating func execute(slot: Int32) {
        let s = Int(slot)
        if requests[s].killed {
            // A component it held failed; its client has been told already.
            releaseHeld(slot: slot)
            finish(slot: slot, failed: true)
            return
        }
        while true {
            switch steps[Int(requests[s].step)] {
            case let .use(server, sampler, on):
                let work = samplers[sampler].next()
                let offset = instance(of: requests[s], on: on)
                requests[s].visitStart = now
                requests[s].work = work
                switch server {
                case .cpu(let base):
                    if !arriveAtCPU(base + offset, slot: slot, work: work) {
                        if cpus[base + offset].down { countFailure(slot: slot) }
                        releaseHeld(slot: slot)
                        finish(slot: slot, failed: true)
                    }
                case .delay(let base):
                    arriveAtDelay(base + offset, slot: slot, work: work)
                }
                return
            case let .acquire(base, on):
                let pool = base + instance(of: requests[s], on: on)
                requests[s].visitStart = now
                switch acquire(pool: pool, slot: slot) {
                case .acquired: requests[s].step += 1
                case .waiting: return
                case .refused, .rejected:
                    if pools[pool].down { countFailure(slot: slot) }
                    releaseHeld(slot: slot)
                    finish(slot: slot, failed: true)
                    return
                }
            case let .release(base, on):
                release(pool: base + instance(of: requests[s], on: on))
                requests[s].step += 1
            case .route(let router):
                guard route(slot: slot, router: router, to: routers[router].pick()) else { return }
            case .leave(let router):
                routers[router].active[instance(of: requests[s], on: router)] -= 1
                requests[s].step += 1
            case let .lookup(cache, hit, miss):
                let key = caches[cache].drawKey(now: now)
                requests[s].key = Int32(key)
                let isHit = caches[cache].lookup(key, now: now)
                caches[cache].stats.lookups += 1
                if isHit {
                    caches[cache].stats.hits += 1
                    requests[s].step = Int32(hit)
                } else {
                    if caches[cache].special && !specialMiss(cache: cache, key: key, slot: slot) { return }
                    requests[s].step = Int32(miss)
                }
            case .drawKey(let cache):
                requests[s].key = Int32(caches[cache].drawKey(now: now))
                requests[s].step += 1
            case .fill(let cache):
                caches[cache].fill(Int(requests[s].key), now: now)
                if requests[s].leads != 0 { wakeWaiters(of: slot) }
                requests[s].step += 1
            case .branch(let table):
                let target = branchTables[table].draw()
                if target < 0 {
                    finish(slot: slot, failed: false)
                    return
                }
                requests[s].step = target
            case .jump(let to):
                requests[s].step = Int32(to)
            case let .ifKey(_, key, to):
                requests[s].step = requests[s].key == Int32(key) ? Int32(to) : requests[s].step + 1
            case .routeByKey(let router):
                let chosen = routers[router].pick(key: Int(requests[s].key))
                requests[s].setInstance(chosen, slot: routerSlots[router])
                requests[s].step += 1
            case let .routeWithin(router, group):
                let chosen = routers[router].pick(within: instance(of: requests[s], on: group),
                                                  of: routers[group].active.count)
                guard route(slot: slot, router: router, to: chosen) else { return }
            case let .fork(router, branches, _):
                fork(slot: slot, router: router, branches: branches)
                return
            case .join:
                finish(slot: slot, failed: false)
                return
            case .fail:
                releaseHeld(slot: slot)
                finish(slot: slot, failed: true)
                return
            case .done:
                finish(slot: slot, failed: false)
                return
            }
        }
    }

    /// Request `slot` goes on with the instance `chosen` of `router`; with none (-1: no
    /// instance in rotation, the load balancer answers 503) it fails, and the result is false.
    @inline(__always)
    private mutating func route(slot: Int32, router: Int, to chosen: Int) -> Bool {
        guard chosen >= 0 else {
            countFailure(slot: slot)
            releaseHeld(slot: slot)
            finish(slot: slot, failed: true)
            return false
        }
        requests[Int(slot)].setInstance(chosen, slot: routerSlots[router])
        requests[Int(slot)].step += 1
        return true
    }

    /// Request `slot` forks `branches` branches over `router`'s instances (`Model.Step.fork`)
    /// and waits for them. Every branch is made before any runs, so one that joins at once
    /// cannot resume the request while its siblings are still to start.
    @inline(never)
    private mutating func fork(slot: Int32, router: Int, branches: Int) {
        let n = routers[router].active.count
        let k = min(branches, n)
        let first = k == n ? 0 : routers[router].stream.uniformInt(n)
        let parent = requests[Int(slot)]
        requests[Int(slot)].pendingBranches = Int16(k)
        requests[Int(slot)].branchFailed = false
        var made: [Int32] = []
        made.reserveCapacity(k)
        for j in 0..<k {
            let chosen = (first + j) % n
            routers[router].take(chosen)
            var branch = Request(classIndex: parent.classIndex, step: parent.step + 1, source: parent.source,
                                 entry: parent.step + 1, start: now, visitStart: now)
            branch.instances = parent.instances
            branch.setInstance(chosen, slot: routerSlots[router])
            branch.key = parent.key
            // No client waits for a branch: nothing counts its timeouts or errors.
            branch.timedOut = true
            branch.branchOf = slot
            made.append(allocate(branch))
        }
        for branch in made { execute(slot: branch) }
    }

    /// A branch of request `parent`'s fork has ended; after the last one the request goes
    /// on after its fork, or fails when any branch failed.
    private mutating func branchJoined(parent: Int32, failed: Bool) {
        let p = Int(parent)
        if failed { requests[p].branchFailed = true }
        requests[p].pendingBranches -= 1
        guard requests[p].pendingBranches == 0 else { return }
        if requests[p].branchFailed && !requests[p].killed {
            releaseHeld(slot: parent)
            finish(slot: parent, failed: true)
            return
        }
        guard case let .fork(_, _, next) = steps[Int(requests[p].step)] else {
            preconditionFailure("a branch joined a request that is not at a fork")
        }
        // A killed request ends at its next step, which `execute` sees first.
        if !requests[p].killed { requests[p].step = Int32(next) }
        execute(slot: parent)
    }

    /// A request's time at an FCFS CPU or a delay centre is over.
    private mutating func serviceDone(slot: Int32) {
        let s = Int(slot)
        guard case let .use(server, _, on) = steps[Int(requests[s].step)] else {
            preconditionFailure("serviceDone for a request that is not at a use step")
        }
        let offset = instance(of: requests[s], on: on)
        switch server {
        case .cpu(let base): departFCFS(base + offset, slot: slot)
        case .delay(let base): departDelay(base + offset, slot: slot)
        }
        requests[s].step += 1
        execute(slot: slot)
    }

    // MARK: Statistics

    /// Drops everything measured during the warm-up; state (queues, caches) carries on.
    private mutating func restartStatistics() {
        closeStatistics(at: now)
        windows.read(windowTotals(at: now))
        offsetAutoscalers()
        for i in classes.indices { classes[i] = .init() }
        for i in cpus.indices { cpus[i].stats = .init() }
        for i in delays.indices { delays[i].stats = .init() }
        for i in pools.indices { pools[i].stats = .init(maximumInUse: pools[i].inUse) }
        for i in caches.indices { caches[i].stats = .init() }
        for i in routers.indices { routers[i].restartStatistics() }
        windows.rebase(windowTotals(at: now))
    }

    /// Brings every time-weighted area up to `time`.
    private mutating func closeStatistics(at time: Double) {
        for i in cpus.indices { cpus[i].account(until: time) }
        for i in delays.indices { delays[i].account(until: time) }
        for i in pools.indices { pools[i].account(until: time) }
        for i in routers.indices { routers[i].account(until: time) }
    }
}

extension Engine {
    /// Checks, after every event, what must always hold (compiled in with `SCALESIM_CHECKS`;
    /// `.ci/run` runs the engine and validation tests once with them on).
    func checkInvariants() {
        precondition(inFlight >= 0 && inFlight == requests.count - free.count,
                     "requests in flight \(inFlight) but \(requests.count) slots with \(free.count) free")
        for (i, cpu) in cpus.enumerated() {
            precondition(cpu.n >= 0 && cpu.n <= cpu.configuredCapacity, "cpu \(i): \(cpu.n) requests, capacity \(cpu.configuredCapacity)")
            precondition(!cpu.down || cpu.n == 0, "cpu \(i) is down with \(cpu.n) requests")
            if cpu.ps {
                precondition(cpu.jobs.count == Int(cpu.n), "ps cpu \(i): \(cpu.jobs.count) jobs but n = \(cpu.n)")
            } else {
                precondition(cpu.waiting.count == max(0, Int(cpu.n - cpu.cores)),
                             "fcfs cpu \(i): \(cpu.waiting.count) waiting with \(cpu.n) present on \(cpu.cores) cores")
            }
        }
        for (i, delay) in delays.enumerated() { precondition(delay.n >= 0, "delay \(i): \(delay.n) requests") }
        for (i, pool) in pools.enumerated() {
            precondition(pool.inUse >= 0 && pool.inUse <= pool.configuredCapacity,
                         "pool \(i): \(pool.inUse) in use of \(pool.configuredCapacity)")
            precondition(pool.waiting.isEmpty || (pool.inUse == pool.capacity && !pool.down),
                         "pool \(i): \(pool.waiting.count) wait while \(pool.inUse) of \(pool.capacity) are in use")
        }
        for (i, router) in routers.enumerated() {
            precondition(router.active.allSatisfy { $0 >= 0 }, "router \(i): negative connection count \(router.active)")
        }
    }

    /// The free request slots (for tests).
    var freeSlots: [Int32] { free.elements }
}

/// A request in flight.
struct Request {
    var classIndex: Int32
    var step: Int32
    /// The instances its routers chose: 16 bits per slot (`Model.Router.slot`), 0 before a
    /// route step.
    var instances: UInt64 = 0
    /// The cache key it drew, -1 before any lookup.
    var key: Int32 = -1
    var source: Int32
    /// Which life of its slot this request is; a timeout event for an earlier one is stale.
    var generation: UInt32 = 0
    /// The client gave up: the servers finish the work, but nobody counts it.
    var timedOut = false
    /// A component it held failed: it ends (uncounted) at its next step.
    var killed = false
    /// Which attempt this is (0: the first; a retry is a new request).
    var attempt: UInt8 = 0
    /// A branch of this request's fork failed: it fails when the last one joins.
    var branchFailed = false
    /// 1 + the cache whose fill for `key` it leads (coalescing), 0 when none.
    var leads: Int16 = 0
    /// Branches of its fork that have not joined yet.
    var pendingBranches: Int16 = 0
    /// The step its program started at (a retry starts there again).
    var entry: Int32
    /// The next request waiting for the same fill (coalescing), -1 at the end.
    var nextWaiter: Int32 = -1
    /// For a branch of a fork, the slot of the request that forked it; -1 otherwise. (The
    /// fields are ordered to fill the padding: a request stays 72 bytes.)
    var branchOf: Int32 = -1
    /// When the first attempt arrived: latency is measured from here.
    var start: Double
    /// When it arrived at its current resource.
    var visitStart: Double
    /// The service time it needs at its current resource.
    var work: Double = 0

    /// The instance chosen by the router whose slot is `slot`.
    @inline(__always) func instance(slot: Int) -> Int { Int((instances >> (16 * slot)) & 0xFFFF) }

    @inline(__always) mutating func setInstance(_ instance: Int, slot: Int) {
        let shift = UInt64(16 * slot)
        instances = (instances & ~(0xFFFF << shift)) | (UInt64(instance) << shift)
    }

    /// The instance of the router in slot 0 (for tests).
    var instance: Int32 { Int32(instance(slot: 0)) }
}

struct SourceState {
    var classIndex: Int32
    var entry: Int32
    var closed: Bool
    var meanGap: Double
    var think: Int32
    var stream: BorrowedStream?
    /// Closed: users in the population now, and how many of them leave at their next think's
    /// end (the rate profile wants fewer).
    var users = 0
    var retiring = 0
    /// The classes a session user chooses from, nil for a source of one class.
    var mix: Mix? = nil

    struct Mix {
        var cumulative: [Double]
        var classes: [Int32]
        var entries: [Int32]
    }

    /// The time to the next Poisson arrival.
    @inline(__always)
    func nextGap() -> Double {
        meanGap * ExponentialZiggurat.sample(stream!)
    }

    /// The class and entry of a session user's next request, drawn from `mix` (the last
    /// choice takes what rounding leaves of 1).
    func drawFromMix() -> (classIndex: Int32, entry: Int32) {
        let mix = mix!, u = stream!.uniform()
        let i = mix.cumulative.firstIndex { u < $0 } ?? mix.cumulative.count - 1
        return (mix.classes[i], mix.entries[i])
    }
}

struct BranchState {
    var cumulative: [Double]
    var targets: [Int32]
    var stream: BorrowedStream

    /// The step to jump to, or -1 to leave.
    @inline(__always)
    func draw() -> Int32 {
        let u = stream.uniform()
        for i in cumulative.indices where u < cumulative[i] { return targets[i] }
        return -1
    }
}
