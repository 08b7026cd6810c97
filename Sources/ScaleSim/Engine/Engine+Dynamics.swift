import Foundation

/// The engine's state for what changes during a run (see `Model+Dynamics`): none of it is
/// touched on the per-event path of a model without a profile, faults, health checks,
/// autoscaling, retries or coalescing.
struct DynamicsState {
    struct Thinning {
        let profile: Model.RateProfile
        let peak: Double
        let stream: BorrowedStream
    }

    /// Per router: the instances' state as the load balancer and the autoscaler see it.
    struct RouterDynamics {
        /// Running: provisioned and not scaled in (traffic goes to it when also healthy).
        var running: [Bool]
        var provisioning: [Bool]
        /// The load balancer's view: probes passed (true until checks say otherwise).
        var healthy: [Bool]
        var failedProbes: [Int]
        var passedProbes: [Int]
        var lastScaling = -Double.infinity
        /// Per instance, its first CPU's busy area when the autoscaler last looked (offset
        /// when the warm-up zeroes the areas).
        var busyAtEvaluation: [Double]
        var lastEvaluation = 0.0
    }

    struct RetryState {
        let policy: Model.RetryPolicy
        var tokens: Double
        let stream: BorrowedStream
    }

    var thinning: Thinning?
    var componentDown: [Int]
    var routers: [RouterDynamics]
    /// Per class, its retry policy (nil: none).
    var retries: [RetryState?]
    var markers: [ReplicationResult.Marker] = []

    init(_ model: Model, stream: (String) -> RandomStream) {
        if let profile = model.profile, model.sources.contains(where: { if case .open = $0 { true } else { false } }) {
            thinning = Thinning(profile: profile, peak: profile.maximum, stream: BorrowedStream(stream("thinning")))
        }
        componentDown = Array(repeating: 0, count: model.components.count)
        routers = model.routers.map { router in
            let initial = router.autoscaling?.initial ?? router.instances
            let n = router.instances
            return RouterDynamics(running: (0..<n).map { $0 < initial }, provisioning: Array(repeating: false, count: n),
                                  healthy: Array(repeating: true, count: n), failedProbes: Array(repeating: 0, count: n),
                                  passedProbes: Array(repeating: 0, count: n), busyAtEvaluation: Array(repeating: 0, count: n))
        }
        retries = model.classes.map { c in
            c.retry.map { RetryState(policy: $0, tokens: $0.budgetBurst, stream: BorrowedStream(stream("retry:\(c.name)"))) }
        }
    }

    /// A first attempt of class `c` earns its share of a retry.
    @inline(__always)
    mutating func firstAttempt(classIndex c: Int) {
        guard let state = retries[c], let budget = state.policy.budget else { return }
        retries[c]!.tokens = min(state.policy.budgetBurst, state.tokens + budget)
    }
}

extension Engine {
    // MARK: Start

    mutating func startDynamics() {
        for (i, fault) in model.faults.enumerated() {
            queue.schedule(.fault, at: fault.at, target: Int32(i), generation: 0)
            queue.schedule(.fault, at: fault.at + fault.duration, target: Int32(i), generation: 1)
        }
        for (i, router) in model.routers.enumerated() {
            if let check = router.healthCheck, !router.components.isEmpty {
                queue.schedule(.healthCheck, at: check.interval, target: Int32(i))
            }
            if let scaling = router.autoscaling {
                queue.schedule(.autoscale, at: scaling.interval, target: Int32(i))
            }
        }
        for component in model.components {
            for part in component.cacheParts { caches[part.cache].setNodes(part.nodes) }
        }
        if let profile = model.profile, profile.points.count > 1,
           model.sources.contains(where: { if case .open = $0 { false } else { true } }) {
            queue.schedule(.population, at: Model.RateProfile.populationStep, target: 0)
        }
    }

    /// Closed sources take (or send away) users to follow the profile.
    mutating func followPopulation() {
        guard let profile = model.profile else { return }
        let factor = profile.factor(at: now)
        for (index, source) in model.sources.enumerated() {
            let size: Int, think: Int
            switch source {
            case .open: continue
            case let .closed(_, s, t, _), let .sessions(s, t, _, _): size = s; think = t
            }
            let target = Int((factor * Double(size)).rounded())
            let staying = sources[index].users - sources[index].retiring
            if target > staying {
                // Cancel departures first, then new users start thinking.
                let back = min(sources[index].retiring, target - staying)
                sources[index].retiring -= back
                for _ in 0..<(target - staying - back) {
                    sources[index].users += 1
                    queue.schedule(.thinkDone, at: now + samplers[think].next(), target: Int32(index))
                }
            } else if target < staying {
                sources[index].retiring += staying - target
            }
        }
        if now < profile.points[profile.points.count - 1].time {
            queue.schedule(.population, at: now + Model.RateProfile.populationStep, target: 0)
        }
    }

    // MARK: Faults

    /// Fault `index` starts or ends; a component is down while any of its faults lasts.
    mutating func fault(_ index: Int, starts: Bool) {
        let fault = model.faults[index]
        let c = fault.component
        let component = model.components[c]
        dynamics.markers.append(.init(time: now, kind: starts ? .faultStart : .faultEnd, label: component.name))
        if starts {
            dynamics.componentDown[c] += 1
            if dynamics.componentDown[c] == 1 { takeDown(component) }
        } else {
            dynamics.componentDown[c] -= 1
            if dynamics.componentDown[c] == 0 { bringUp(component) }
        }
    }

    /// The component fails: its CPUs and pools refuse work, the requests it was serving fail,
    /// its cache parts lose their keys.
    private mutating func takeDown(_ component: Model.Component) {
        let downCPUs = Set(component.cpus), downPools = Set(component.pools)
        for i in component.cpus { cpus[i].account(until: now) }
        for i in component.pools { pools[i].account(until: now) }
        // Which requests are at the component (they end now) and which hold one of its pool
        // units while elsewhere (they end at their next step).
        var endNow: [Int32] = [], kill: [Int32] = []
        let freeSlots = Set(free.elements)
        let waitingForDownPools = Set(component.pools.flatMap { pools[$0].waiting.elements })
        for s in 0..<requests.count where !freeSlots.contains(Int32(s)) {
            let request = requests[s]
            guard !request.killed else { continue }
            var atComponent = false
            switch steps[Int(request.step)] {
            case let .use(.cpu(base), _, on):
                atComponent = downCPUs.contains(base + instance(of: request, on: on))
            case .acquire:
                // Waiting for one of its units (a request handed a unit, with its resume
                // pending, holds it: it is killed like the other holders below).
                atComponent = waitingForDownPools.contains(Int32(s))
            default: break
            }
            if atComponent {
                endNow.append(Int32(s))
            } else if holds(request, anyOf: downPools) {
                kill.append(Int32(s))
            }
        }
        for i in component.cpus {
            cpus[i].down = true
            cpus[i].capacity = 0
            cpus[i].n = 0
            cpus[i].waiting = Fifo()
            cpus[i].jobs = TagHeap()
            cpus[i].generation &+= 1  // its pending PS completion is stale
        }
        for i in component.pools {
            pools[i].down = true
            pools[i].capacity = 0
            pools[i].waiting = Fifo()
        }
        for slot in endNow {
            // A request whose client already gave up is not a failure anyone sees.
            countFailure(slot: slot)
            releaseHeld(slot: slot)
            finish(slot: slot, failed: true)
        }
        for slot in kill {
            let request = requests[Int(slot)]
            requests[Int(slot)].killed = true
            if !request.timedOut {
                classes[Int(request.classIndex)].failures += 1
                // The client sees the connection reset now.
                requests[Int(slot)].timedOut = true
                clientSeesFailure(request)
            }
        }
        for part in component.cacheParts { caches[part.cache].setNode(part.node, down: true) }
    }

    /// Whether `request` holds a unit of one of `pools` (counting one handed over at an
    /// acquire step, its resume pending).
    private func holds(_ request: Request, anyOf pools: Set<Int>) -> Bool {
        let held = heldAtStep[Int(request.step)].contains { item in
            if case let .pool(base, on) = item { return pools.contains(base + instance(of: request, on: on)) }
            return false
        }
        if held { return true }
        if case let .acquire(base, on) = steps[Int(request.step)] {
            return pools.contains(base + instance(of: request, on: on))
        }
        return false
    }

    private mutating func bringUp(_ component: Model.Component) {
        for i in component.cpus {
            cpus[i].account(until: now)
            cpus[i].down = false
            cpus[i].capacity = cpus[i].configuredCapacity
            advanceVirtualTime(i)
        }
        for i in component.pools {
            pools[i].account(until: now)
            pools[i].down = false
            pools[i].capacity = pools[i].configuredCapacity
        }
        for part in component.cacheParts { caches[part.cache].setNode(part.node, down: false) }
    }

    // MARK: Health checks and autoscaling

    /// Router `r`'s load balancer probes each running instance: a probe passes when the
    /// instance's component is up.
    mutating func healthCheck(router r: Int) {
        let router = model.routers[r]
        guard let check = router.healthCheck else { return }
        for i in 0..<router.instances where dynamics.routers[r].running[i] {
            let up = dynamics.componentDown[router.components[i]] == 0
            if up {
                dynamics.routers[r].passedProbes[i] += 1
                dynamics.routers[r].failedProbes[i] = 0
                if !dynamics.routers[r].healthy[i] && dynamics.routers[r].passedProbes[i] >= check.healthyThreshold {
                    dynamics.routers[r].healthy[i] = true
                    updateRotation(router: r, instance: i)
                    dynamics.markers.append(.init(time: now, kind: .restored, label: model.components[router.components[i]].name))
                }
            } else {
                dynamics.routers[r].failedProbes[i] += 1
                dynamics.routers[r].passedProbes[i] = 0
                if dynamics.routers[r].healthy[i] && dynamics.routers[r].failedProbes[i] >= check.unhealthyThreshold {
                    dynamics.routers[r].healthy[i] = false
                    updateRotation(router: r, instance: i)
                    dynamics.markers.append(.init(time: now, kind: .removed, label: model.components[router.components[i]].name))
                }
            }
        }
        queue.schedule(.healthCheck, at: now + check.interval, target: Int32(r))
    }

    /// Puts instance `i` of router `r` in rotation when it is running and healthy, else out.
    private mutating func updateRotation(router r: Int, instance i: Int) {
        routers[r].account(until: now)
        routers[r].setInRotation(i, dynamics.routers[r].running[i] && dynamics.routers[r].healthy[i])
    }

    /// Router `r`'s autoscaler: the metric over the last interval sets the desired count.
    mutating func autoscale(router r: Int) {
        let router = model.routers[r]
        guard let scaling = router.autoscaling else { return }
        let d = dynamics.routers[r]
        let span = now - d.lastEvaluation
        let inService = routers[r].rotation.map(Int.init)
        // The load the instances in service carried over the interval, in instances at the
        // target: the mean metric times their count, over the target.
        var load = 0.0
        switch scaling.metric {
        case .cpu:
            for i in inService {
                guard let cpu = scalingCPU(router: r, instance: i) else { continue }
                load += (busyArea(cpu: cpu) - d.busyAtEvaluation[i]) / (span * Double(cpus[cpu].cores))
            }
        case .requestsPerInstance:
            load = Double(routers[r].picksSinceEvaluation) / span
        case .inFlightPerInstance:
            // The requests in flight now on every instance (those on an instance being scaled
            // in still count: they finish there). For long-lived connections, which change
            // slowly, the count now stands for the interval's mean.
            load = Double(routers[r].active.reduce(0) { $0 + Int($1) })
        }
        // Instances running or on their way count as capacity (no double launches).
        let current = (0..<router.instances).filter { d.running[$0] || d.provisioning[$0] }.count
        // A small tolerance keeps float noise at exactly the target from adding an instance.
        let desired = min(scaling.maximum, max(scaling.minimum, Int((load / scaling.target - 1e-9).rounded(.up))))
        let name = model.routers[r].name
        if desired > current {
            var launch = desired - current
            for i in 0..<router.instances where launch > 0 && !d.running[i] && !d.provisioning[i] {
                dynamics.routers[r].provisioning[i] = true
                queue.schedule(.provisioned, at: now + scaling.provisioningDelay, target: Int32(r), generation: UInt32(i))
                launch -= 1
            }
            routers[r].account(until: now)
            routers[r].running += desired - current
            dynamics.routers[r].lastScaling = now
            dynamics.markers.append(.init(time: now, kind: .scaleOut, label: "\(name) \(current)→\(desired)"))
        } else if desired < current, now - d.lastScaling >= scaling.cooldown {
            // The newest running instances leave first; their requests in flight finish.
            var stopped = 0
            for i in (0..<router.instances).reversed() where stopped < current - desired && d.running[i] {
                dynamics.routers[r].running[i] = false
                updateRotation(router: r, instance: i)
                stopped += 1
            }
            routers[r].account(until: now)
            routers[r].running -= stopped
            dynamics.routers[r].lastScaling = now
            dynamics.markers.append(.init(time: now, kind: .scaleIn, label: "\(name) \(current)→\(current - stopped)"))
        }
        for i in 0..<router.instances {
            if let cpu = scalingCPU(router: r, instance: i) { dynamics.routers[r].busyAtEvaluation[i] = busyArea(cpu: cpu) }
        }
        routers[r].picksSinceEvaluation = 0
        dynamics.routers[r].lastEvaluation = now
        queue.schedule(.autoscale, at: now + scaling.interval, target: Int32(r))
    }

    /// The CPU whose utilization the autoscaler of router `r` reads for `instance`.
    func scalingCPU(router r: Int, instance: Int) -> Int? {
        let components = model.routers[r].components
        return components.isEmpty ? nil : model.components[components[instance]].cpus.first
    }

    /// The warm-up is about to zero the CPUs' areas: keep the autoscalers' differences right.
    mutating func offsetAutoscalers() {
        for r in model.routers.indices where model.routers[r].autoscaling != nil {
            for i in 0..<model.routers[r].instances {
                if let cpu = scalingCPU(router: r, instance: i) { dynamics.routers[r].busyAtEvaluation[i] -= cpus[cpu].stats.busyArea }
            }
        }
    }

    /// CPU `index`'s busy area up to now (the open interval added, the CPU's own left alone).
    private func busyArea(cpu index: Int) -> Double {
        let cpu = cpus[index]
        let dt = now - cpu.lastChange
        return cpu.stats.busyArea + (dt > 0 ? dt * Double(min(cpu.n, cpu.cores)) : 0)
    }

    /// Instance `instance` of router `r` is ready and takes traffic.
    mutating func provisioned(router r: Int, instance i: Int) {
        guard dynamics.routers[r].provisioning[i] else { return }
        dynamics.routers[r].provisioning[i] = false
        dynamics.routers[r].running[i] = true
        dynamics.routers[r].healthy[i] = true
        updateRotation(router: r, instance: i)
        dynamics.markers.append(.init(time: now, kind: .provisioned,
                                      label: "\(model.routers[r].name) \(routers[r].rotation.count) in service"))
    }

    // MARK: Retries

    /// Sends a new attempt of `request` after its backoff, when its class retries, it has
    /// attempts left and the budget allows.
    ///
    /// - Returns: whether a retry was scheduled.
    mutating func retry(_ request: Request) -> Bool {
        let c = Int(request.classIndex)
        guard let state = dynamics.retries[c] else { return false }
        let policy = state.policy
        let k = Int(request.attempt) + 1
        guard k <= policy.attempts else { return false }
        if policy.budget != nil {
            guard state.tokens >= 1 else { return false }
            dynamics.retries[c]!.tokens -= 1
        }
        let bound = policy.delayBound(retry: k)
        let wait = policy.jitter ? state.stream.uniform() * bound : bound
        var next = Request(classIndex: request.classIndex, step: request.entry, source: request.source,
                           entry: request.entry, start: request.start, visitStart: now)
        next.attempt = UInt8(min(k, 255))
        let slot = allocate(next)
        queue.schedule(.retry, at: now + wait, target: slot, generation: requests[Int(slot)].generation)
        return true
    }

    /// The backoff of retry `slot` is over: the attempt starts.
    mutating func startRetry(slot: Int32, generation: UInt32) {
        guard requests[Int(slot)].generation == generation else { return }
        classes[Int(requests[Int(slot)].classIndex)].retries += 1
        requests[Int(slot)].visitStart = now
        scheduleTimeout(slot: slot)
        execute(slot: slot)
    }

    // MARK: Coalescing

    /// A miss of `key` at `cache` by request `slot`, when the cache coalesces or counts hot
    /// keys (its step is still the lookup).
    ///
    /// - Returns: true when the request goes on to the miss path (it fetches the key);
    ///   false when it waits for a fill already under way.
    mutating func specialMiss(cache: Int, key: Int, slot: Int32) -> Bool {
        if caches[cache].coalesce && !caches[cache].isDown(key) {
            if let head = caches[cache].pendingFills[Int32(key)] {
                // Join the waiters (at the front: order among them does not matter, each
                // continues at the same moment in chain order).
                requests[Int(slot)].nextWaiter = head
                caches[cache].pendingFills[Int32(key)] = slot
                caches[cache].stats.coalesced += 1
                return false
            }
            caches[cache].pendingFills[Int32(key)] = -1
            requests[Int(slot)].leads = Int16(cache + 1)
        }
        if caches[cache].isHot(key) { caches[cache].stats.hotMisses += 1 }
        return true
    }

    /// The fill that request `slot` led is done: its waiters continue as hits.
    mutating func wakeWaiters(of slot: Int32) {
        let cache = Int(requests[Int(slot)].leads) - 1
        requests[Int(slot)].leads = 0
        let key = requests[Int(slot)].key
        guard var waiter = caches[cache].pendingFills.removeValue(forKey: key) else { return }
        while waiter >= 0 {
            let w = Int(waiter)
            guard case let .lookup(_, hit, _) = steps[Int(requests[w].step)] else {
                preconditionFailure("a request waiting for a fill is not at a lookup")
            }
            requests[w].step = Int32(hit)
            queue.schedule(.proceed, at: now, target: waiter, generation: requests[w].generation)
            waiter = requests[w].nextWaiter
            requests[w].nextWaiter = -1
        }
    }

    /// Request `slot` led a fill and ends without it: the first waiter fetches the key in its
    /// place (the others wait for that one).
    mutating func handOverFill(from slot: Int32) {
        let cache = Int(requests[Int(slot)].leads) - 1
        requests[Int(slot)].leads = 0
        let key = requests[Int(slot)].key
        guard let head = caches[cache].pendingFills[key] else { return }
        guard head >= 0 else {
            caches[cache].pendingFills.removeValue(forKey: key)
            return
        }
        let h = Int(head)
        guard case let .lookup(_, _, missTarget) = steps[Int(requests[h].step)] else {
            preconditionFailure("a request waiting for a fill is not at a lookup")
        }
        caches[cache].pendingFills[key] = requests[h].nextWaiter
        requests[h].nextWaiter = -1
        requests[h].leads = Int16(cache + 1)
        requests[h].step = Int32(missTarget)
        if caches[cache].isHot(Int(key)) { caches[cache].stats.hotMisses += 1 }
        queue.schedule(.proceed, at: now, target: head, generation: requests[h].generation)
    }
}
