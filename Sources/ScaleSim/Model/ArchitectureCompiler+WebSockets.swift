/// Where a stage's realtime connections are held, filled by `StageCompiler.addWebSockets`.
struct WebSocketLayout {
    /// The websocket service's router, CPUs (one per instance), connection pools (one per
    /// instance) and load balancer delay; nil router: no service (the API holds connections).
    var router: Int?
    var cpu = 0, pool = 0
    var lbDelay: Int?
    /// The delay centre where open connections wait between messages.
    var hold = 0
    var components: [Int] = []
    /// The connection classes, one per region (empty without `workload.realtime`).
    var classes: [Int] = []
}

extension StageCompiler {
    /// Most message steps a connection's program unrolls; beyond it each step carries the CPU
    /// work of several messages (programs have no loops: the analytic model needs them forward).
    static let maximumMessageSteps = 64

    /// The websocket service's resources and components (a stage without `websockets` adds
    /// nothing: its connections go to the API). Laid out for the autoscaling maximum, as the
    /// API's are.
    mutating func addWebSockets() {
        guard workload.realtime != nil else { return }
        self.ws.hold = a.delays("realtime.open connections")
        guard let ws = stage.websockets else { return }
        let n = ws.autoscaling.map { max($0.maximum, ws.instances) } ?? ws.instances
        if ws.loadBalancer.latency > 0 { self.ws.lbDelay = a.delays("websockets.load balancer") }
        let router = a.router("websockets", policy: Model.Router.Policy(rawValue: ws.loadBalancer.policy.rawValue)!,
                              instances: n, slot: 0, healthCheck: ws.loadBalancer.healthCheck.map(Self.healthCheck),
                              autoscaling: ws.autoscaling.map { Self.autoscaling($0, initial: ws.instances) })
        self.ws.router = router
        self.ws.cpu = a.cpus("websockets.cpu", count: n, cores: ws.coresPerInstance)
        self.ws.pool = a.pools("websockets.connections", count: n, capacity: ws.connectionsPerInstance,
                               queueLimit: Self.connectionQueueLimit(ws, realtime: workload.realtime!))
        self.ws.components = (0..<n).map { i in
            a.component(.init(name: ModelAssembler.instanceName("websockets", i, n), cpus: [self.ws.cpu + i],
                              pools: [self.ws.pool + i]))
        }
        a.route(router, over: self.ws.components)
    }

    /// Most connections an instance keeps waiting for a slot: 0 when it rejects; when it
    /// queues, those that get a slot within `connectTimeout` on average.
    ///
    /// A full instance frees a slot every `duration / limit` seconds on average, so the k-th
    /// in line waits about `k × duration / limit`. The engine's client timeout runs over a
    /// request's whole life (a connection would time out while open) and lets the servers
    /// finish the work (a connection that gave up would still take its slot later), so the
    /// giving up is modelled as balking: a connection that finds more waiting than get a slot
    /// within `connectTimeout` gives up at once (an error); the others wait their turn.
    static func connectionQueueLimit(_ ws: ArchitectureScenario.Stage.WebSockets,
                                     realtime: ArchitectureScenario.Realtime) -> Int {
        guard ws.whenFull == .queue else { return 0 }
        let perSlot = realtime.connectionDuration / Double(ws.connectionsPerInstance)
        return Int(min(1e9, (ws.connectTimeout / perSlot).rounded(.down)))
    }

    /// How many message steps a connection's program has, and how many messages each carries.
    ///
    /// The expected messages rounded, at least 1 and at most `maximumMessageSteps`; each step
    /// carries `messages / steps` messages' CPU work, so the mean CPU load is exact.
    static func messageSteps(perConnection messages: Double) -> (steps: Int, messagesPerStep: Double) {
        guard messages > 0 else { return (0, 0) }
        let steps = Int(min(max(messages.rounded(), 1), Double(maximumMessageSteps)))
        return (steps, messages / Double(steps))
    }

    /// One connection class per region, with its open source: a connection routes to an
    /// instance, takes a slot of its connection pool (or, without a websocket service, an API
    /// worker), then alternates a wait and one message's CPU, unrolled (see `messageSteps`),
    /// and gives the slot back at the end of its life.
    mutating func emitConnections() {
        guard let realtime = workload.realtime else { return }
        let rate = realtime.connectionRate(users: users, workload: workload)
        let messages = realtime.effectiveMessagesPerMinute(users: users, workload: workload) * realtime.connectionDuration / 60
        let (steps, perStep) = Self.messageSteps(perConnection: messages)
        let router: Int, pool: Int, cpu: Int, lbDelay: Int?, lbLatency: Double, work: Distribution
        if let ws = stage.websockets, let wsRouter = self.ws.router {
            (router, pool, cpu, lbDelay, lbLatency) = (wsRouter, self.ws.pool, self.ws.cpu, self.ws.lbDelay, ws.loadBalancer.latency)
            work = ws.cpuPerMessage
        } else {
            // Before the split: the API instances hold the connections, a worker each.
            (router, pool, cpu, lbDelay, lbLatency) = (apiRouter, apiWorkers, apiCPU, self.lbDelay, stage.loadBalancer?.latency ?? 0)
            work = Self.defaultMessageCpu
        }
        for region in workload.regions {
            let classIndex = a.requestClass("connections:\(region.name)", timeout: nil, background: true)
            ws.classes.append(classIndex)
            let entry = a.here
            a.use(.delay(network), .deterministic(value: region.latencyToDataCentre), stream: "const")
            if let lbDelay { a.use(.delay(lbDelay), .deterministic(value: 2 * lbLatency), stream: "const") }
            a.emit(.route(router: router))
            a.emit(.acquire(pool: pool, on: router))
            let hold = Distribution.exponential(mean: realtime.connectionDuration / Double(max(steps, 1)))
            if steps == 0 { a.use(.delay(ws.hold), hold, stream: "realtime:hold") }
            for _ in 0..<steps {
                a.use(.delay(ws.hold), hold, stream: "realtime:hold")
                a.use(.cpu(cpu), work.scaled(by: perStep), stream: "realtime:message cpu", on: router)
            }
            a.emit(.release(pool: pool, on: router))
            a.emit(.leave(router: router))
            a.emit(.done)
            a.source(.open(classIndex: classIndex, rate: rate * region.share, entry: entry,
                           streamName: "realtime:arrivals:\(region.name)"))
        }
    }

    /// CPU of one message on an API instance that holds connections (no websocket service to
    /// say): the websocket service's default.
    static var defaultMessageCpu: Distribution { StageDecoder.defaultMessageCpu }
}

extension Distribution {
    /// The distribution of `factor` times a value drawn from this one (the shape kept).
    func scaled(by factor: Double) -> Distribution {
        guard factor != 1 else { return self }
        switch self {
        case .exponential(let mean): return .exponential(mean: mean * factor)
        case .deterministic(let value): return .deterministic(value: value * factor)
        case let .uniform(min, max): return .uniform(min: min * factor, max: max * factor)
        case let .erlang(k, mean): return .erlang(k: k, mean: mean * factor)
        case let .gamma(mean, scv): return .gamma(mean: mean * factor, scv: scv)
        case let .lognormal(mean, scv): return .lognormal(mean: mean * factor, scv: scv)
        case let .lognormalQuantiles(p50, p99): return .lognormalQuantiles(p50: p50 * factor, p99: p99 * factor)
        case let .hyperexponential(mean, scv): return .hyperexponential(mean: mean * factor, scv: scv)
        case let .pareto(alpha, min, max): return .pareto(alpha: alpha, min: min * factor, max: max * factor)
        }
    }
}
