/// A CPU: `cores` servers, FCFS or processor sharing, with an optional capacity.
struct CPUState {
    let cores: Int32
    let ps: Bool
    /// Most requests at once: the configured capacity, or 0 while its component is down.
    var capacity: Int32
    let configuredCapacity: Int32
    /// Its component is down: arrivals are refused.
    var down = false
    /// Requests at the CPU, waiting or in service.
    var n: Int32 = 0
    var lastChange: Double = 0
    /// FCFS: the requests waiting for a core.
    var waiting = Fifo()
    /// PS: the jobs in service with their finish tags in virtual time.
    var jobs = TagHeap()
    /// PS: service each job has received so far, per job (virtual time).
    var virtualTime: Double = 0
    /// PS: when `virtualTime` was last brought up to date.
    var psLast: Double = 0
    /// PS: the generation of the scheduled completion event (older ones are stale).
    var generation: UInt32 = 0
    /// What the CPU measured since the warm-up (kept here: one array access per update).
    var stats = ReplicationResult.CPUResult()

    init(_ cpu: Model.CPU) {
        cores = Int32(cpu.cores)
        ps = cpu.discipline == .ps
        capacity = Int32(clamping: cpu.capacity ?? Int(Int32.max))
        configuredCapacity = capacity
    }

    /// Adds the time since the last change to the time-weighted areas.
    @inline(__always)
    mutating func account(until time: Double) {
        let dt = time - lastChange
        if dt > 0 {
            let busy = min(n, cores)
            stats.busyArea += dt * Double(busy)
            stats.queueArea += dt * Double(n - busy)
            stats.inStationArea += dt * Double(n)
        }
        lastChange = time
    }

    /// The rate at which each PS job is served: one core each while there are enough.
    @inline(__always)
    var psRate: Double { n <= cores ? 1 : Double(cores) / Double(n) }
}

struct DelayState {
    var n: Int32 = 0
    var lastChange: Double = 0
    var stats = ReplicationResult.DelayResult()

    @inline(__always)
    mutating func account(until time: Double) {
        let dt = time - lastChange
        if dt > 0 { stats.inStationArea += dt * Double(n) }
        lastChange = time
    }
}

struct PoolState {
    /// Units: the configured number, or 0 while its component is down.
    var capacity: Int32
    let configuredCapacity: Int32
    /// Its component is down: requests that would wait are refused.
    var down = false
    /// Most requests waiting; one more is rejected.
    let queueLimit: Int
    var inUse: Int32 = 0
    var waiting = Fifo()
    var lastChange: Double = 0
    var stats = ReplicationResult.PoolResult()

    init(_ pool: Model.Pool) {
        capacity = Int32(pool.capacity)
        configuredCapacity = capacity
        queueLimit = pool.queueLimit ?? Int.max
    }

    @inline(__always)
    mutating func account(until time: Double) {
        let dt = time - lastChange
        if dt > 0 {
            stats.inUseArea += dt * Double(inUse)
            stats.queueArea += dt * Double(waiting.count)
        }
        lastChange = time
    }
}

extension Engine {
    // MARK: CPU

    /// A request arrives at CPU `index` needing `work` seconds of one core.
    ///
    /// - Returns: false when the CPU is at capacity and the request is blocked.
    @inline(__always)
    mutating func arriveAtCPU(_ index: Int, slot: Int32, work: Double) -> Bool {
        cpus[index].stats.arrivals += 1
        if cpus[index].n >= cpus[index].capacity {
            cpus[index].stats.blocked += 1
            return false
        }
        cpus[index].account(until: now)
        if cpus[index].ps {
            if cpus[index].n >= cpus[index].cores { cpus[index].stats.waited += 1 }
            advanceVirtualTime(index)
            cpus[index].jobs.push(cpus[index].virtualTime + work, slot)
            cpus[index].n += 1
            cpus[index].stats.started += 1
            schedulePSCompletion(index)
        } else if cpus[index].n < cpus[index].cores {
            cpus[index].n += 1
            cpus[index].stats.started += 1
            queue.schedule(.serviceDone, at: now + work, target: slot, generation: requests[Int(slot)].generation)
        } else {
            cpus[index].n += 1
            cpus[index].stats.waited += 1
            cpus[index].waiting.push(slot)
        }
        return true
    }

    /// An FCFS job leaves CPU `index`; the next waiting request starts.
    @inline(__always)
    mutating func departFCFS(_ index: Int, slot: Int32) {
        cpus[index].account(until: now)
        cpus[index].n -= 1
        cpus[index].stats.completions += 1
        cpus[index].stats.sumResponse += now - requests[Int(slot)].visitStart
        if let next = cpus[index].waiting.pop() {
            let waiter = requests[Int(next)]
            cpus[index].stats.started += 1
            cpus[index].stats.sumWait += now - waiter.visitStart
            queue.schedule(.serviceDone, at: now + waiter.work, target: next, generation: waiter.generation)
        }
    }

    /// Moves PS CPU `index`'s virtual time (service received per job) up to now.
    @inline(__always)
    mutating func advanceVirtualTime(_ index: Int) {
        cpus[index].virtualTime += (now - cpus[index].psLast) * cpus[index].psRate
        cpus[index].psLast = now
    }

    /// Schedules the next completion at PS CPU `index`, making any earlier one stale.
    @inline(__always)
    mutating func schedulePSCompletion(_ index: Int) {
        cpus[index].generation &+= 1
        guard cpus[index].n > 0 else { return }
        let remaining = max(0, cpus[index].jobs.minTag - cpus[index].virtualTime)
        queue.schedule(.psDone, at: now + remaining / cpus[index].psRate, target: Int32(index),
                       generation: cpus[index].generation)
    }

    /// The job with the least finish tag at PS CPU `index` completes, if the event is current.
    mutating func psDone(cpu index: Int, generation: UInt32) {
        guard generation == cpus[index].generation else { return }
        cpus[index].account(until: now)
        advanceVirtualTime(index)
        let slot = cpus[index].jobs.popMin()
        cpus[index].n -= 1
        let request = requests[Int(slot)]
        cpus[index].stats.completions += 1
        let response = now - request.visitStart
        cpus[index].stats.sumResponse += response
        cpus[index].stats.sumWait += max(0, response - request.work)
        schedulePSCompletion(index)
        requests[Int(slot)].step += 1
        execute(slot: slot)
    }

    // MARK: Delay

    @inline(__always)
    mutating func arriveAtDelay(_ index: Int, slot: Int32, work: Double) {
        delays[index].account(until: now)
        delays[index].n += 1
        delays[index].stats.arrivals += 1
        queue.schedule(.serviceDone, at: now + work, target: slot, generation: requests[Int(slot)].generation)
    }

    @inline(__always)
    mutating func departDelay(_ index: Int, slot: Int32) {
        delays[index].account(until: now)
        delays[index].n -= 1
        delays[index].stats.completions += 1
        delays[index].stats.sumResponse += now - requests[Int(slot)].visitStart
    }

    // MARK: Pool

    enum Acquisition { case acquired, waiting, refused, rejected }

    /// Takes a unit of pool `index` for request `slot`.
    ///
    /// - Returns: `acquired` when a unit was free; `waiting` when the request now waits in
    ///   FIFO order (a `resume` event continues it once a unit is handed over); `refused` when
    ///   the pool's component is down; `rejected` when its wait queue is full.
    mutating func acquire(pool index: Int, slot: Int32) -> Acquisition {
        pools[index].account(until: now)
        if pools[index].inUse < pools[index].capacity && pools[index].waiting.isEmpty {
            pools[index].inUse += 1
            pools[index].stats.acquisitions += 1
            pools[index].stats.maximumInUse = max(pools[index].stats.maximumInUse, pools[index].inUse)
            return .acquired
        }
        if pools[index].down { return .refused }
        if pools[index].waiting.count >= pools[index].queueLimit {
            pools[index].stats.rejected += 1
            return .rejected
        }
        pools[index].stats.waited += 1
        pools[index].waiting.push(slot)
        return .waiting
    }

    /// Gives a unit of pool `index` back; the first waiter, if any, takes it over.
    mutating func release(pool index: Int) {
        pools[index].account(until: now)
        if let next = pools[index].waiting.pop() {
            pools[index].stats.acquisitions += 1
            pools[index].stats.sumWait += now - requests[Int(next)].visitStart
            queue.schedule(.resume, at: now, target: next, generation: requests[Int(next)].generation)
        } else {
            pools[index].inUse -= 1
        }
    }
}
