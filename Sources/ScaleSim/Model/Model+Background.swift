extension Model {
    /// The model with the open sources of its background classes (long-lived connections)
    /// silenced, and the pool units they hold on average taken from the pools: what the
    /// analytic model of requests solves.
    ///
    /// A connection holds its slot for minutes: as a request it would dominate the latency
    /// mixture, and a connection pool that rejects when full (a loss system) would read as an
    /// unstable queue. So the analytic model sees the requests alone, on what the connections
    /// leave of shared pools (`backgroundHolds`): API workers held by connections are fewer
    /// workers for requests. Resources keep their indices; the websocket report gives the
    /// connections' own analytic figures (Erlang B).
    public var requestsOnly: Model {
        guard classes.contains(where: \.background) else { return self }
        var model = self
        model.sources = sources.map { source in
            if case let .open(c, _, entry, stream) = source, classes[c].background {
                return .open(classIndex: c, rate: 0, entry: entry, streamName: stream)
            }
            return source
        }
        // At least one unit stays (the analytic formulas need a server); `exhaustedByBackground`
        // says when none would.
        for (pool, units) in backgroundHolds.enumerated() where units > 0 {
            model.pools[pool].capacity = max(1, pools[pool].capacity - Int(units.rounded()))
        }
        return model
    }

    /// Whether the background classes hold, on average, every unit of a pool that a request
    /// class also takes (connections on every API worker): then no request gets through.
    public var exhaustedByBackground: Bool {
        let holds = backgroundHolds
        guard holds.contains(where: { $0 > 0 }) else { return false }
        // The pools that the other programs take (a background program runs from its entry
        // to the first `done`).
        var backgroundSteps = Set<Int>()
        for case let .open(c, _, entry, _) in sources where classes[c].background {
            var step = entry
            while step < steps.count {
                backgroundSteps.insert(step)
                if case .done = steps[step] { break }
                step += 1
            }
        }
        var requestPools = Set<Int>()
        for (index, step) in steps.enumerated() where !backgroundSteps.contains(index) {
            guard case let .acquire(base, on) = step else { continue }
            for i in 0..<(on.map { routers[$0].instances } ?? 1) { requestPools.insert(base + i) }
        }
        return holds.indices.contains { holds[$0] > 0 && holds[$0] >= Double(pools[$0].capacity) && requestPools.contains($0) }
    }

    /// Per pool, the units the background classes' open sources hold on average (Little's
    /// law: rate × mean hold, spread evenly over the instances of the router it is taken on).
    ///
    /// A background program is read from its entry straight to `done` (a connection's has no
    /// jump); one that branches or jumps is left out (0). The hold is the mean time of the
    /// `use` steps between `acquire` and `release` (no queueing counted).
    var backgroundHolds: [Double] {
        var holds = [Double](repeating: 0, count: pools.count)
        for case let .open(c, rate, entry, _) in sources where classes[c].background && rate > 0 {
            var held: [(base: Int, on: Int?, since: Double)] = []
            var clock = 0.0
            var linear = true
            var found: [(base: Int, on: Int?, time: Double)] = []
            var step = entry
            loop: while step < steps.count {
                switch steps[step] {
                case let .use(_, sampler, _): clock += samplers[sampler].distribution.mean
                case let .acquire(base, on): held.append((base, on, clock))
                case let .release(base, on):
                    if let k = held.lastIndex(where: { $0.base == base && $0.on == on }) {
                        found.append((base, on, clock - held[k].since))
                        held.remove(at: k)
                    }
                case .route, .leave, .drawKey, .fill: break
                case .done: break loop
                default: linear = false; break loop
                }
                step += 1
            }
            guard linear else { continue }
            for hold in found {
                let n = hold.on.map { routers[$0].serving } ?? 1
                for i in 0..<n { holds[hold.base + i] += rate * hold.time / Double(n) }
            }
        }
        return holds
    }
}
