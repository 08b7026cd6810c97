/// The simulated figures of every stage of an architecture scenario, side by side.
public struct ArchitectureReport: Sendable {
    public var scenario: ArchitectureScenario
    public var stages: [StageResult]
    /// Per stage, in the same order, its windows over time (`timeseries.csv`, the charts).
    public var timeSeries: [TimeSeries] = []

    /// One stage's estimates over replications.
    public struct StageResult: Sendable {
        public var name: String
        public var users: Int
        public var requestRate: Double
        public var costPerHour: Double
        public var latency: [String: Estimate]
        public var throughput: Estimate
        public var errorRate: Estimate
        public var timeoutRate: Estimate
        public var classes: [ClassResult]
        public var resources: [Resource]
        public var bottleneck: String?
        public var slo: (met: Bool, violations: [String])
        public var events: UInt64
        /// Why replications stopped early, each beginning with the number of its replication
        /// (`replication 2: ...`; the others ran to the end).
        public var stoppedEarly: [String]
        /// What the analytic model predicts for the same compiled stage (nil: no analytic model).
        public var analytic: AnalyticFigures? = nil
        /// The most users that meet the SLO (nil when not asked for or not found).
        public var capacity: StageCapacity? = nil
        /// Retries (attempts after the first) per request, when a class of the stage retries.
        public var retriesPerRequest: Estimate? = nil
        /// Attempts lost to a failed component over all attempts, when the stage has
        /// components that fail.
        public var failureRate: Estimate? = nil
        /// What happened in the first replication, in time order, when the stage has faults,
        /// health checks or autoscaling (nil otherwise; empty when nothing happened).
        public var timeline: [ReplicationResult.Marker]? = nil
        /// The routers whose instances in service change (autoscaling, health checks, faults).
        public var routers: [RouterFigures] = []
        /// The realtime connections, when the workload has them (nil otherwise).
        public var websockets: WebSocketFigures? = nil
    }

    /// The instances of a router whose count changes.
    public struct RouterFigures: Sendable {
        public var name: String
        /// Time-weighted mean of the instances in service (in rotation).
        public var meanInService: Estimate
        /// The most instances in service at once (per replication, then its mean).
        public var peakInService: Estimate
        /// Time-weighted mean of the instances running (in service or being provisioned), what
        /// a bill counts; with autoscaling only.
        public var meanRunning: Estimate?
        /// The router's cost per hour from its mean running instances, when it autoscales and
        /// its instances have a price (it replaces the configured count's in `costPerHour`).
        public var costPerHour: Double?
    }

    /// The analytic model's figures of a stage, for the side-by-side comparison.
    public struct AnalyticFigures: Sendable {
        public var throughput: Double
        public var stable: Bool
        /// mean, p50, p95, p99 (absent when the stage is overloaded: no steady state).
        public var latency: [String: Double]
        public var errorRate: Double
        /// The largest request rate at which every resource is stable.
        public var maxThroughput: Double
        public var bottleneck: String?
    }

    public struct ClassResult: Sendable {
        public var name: String
        public var latency: [String: Estimate]
        public var throughput: Estimate
        public var errorRate: Estimate
        /// As the stage's (`StageResult.retriesPerRequest`, `.failureRate`).
        public var retriesPerRequest: Estimate? = nil
        public var failureRate: Estimate? = nil
    }

    public struct Resource: Sendable {
        public var name: String
        public var kind: String
        public var utilization: Estimate?
        public var meanQueueLength: Estimate?
        public var hitRatio: Estimate?
        /// The analytic model's utilization (offered: may exceed 1) or hit ratio.
        public var analytic: Double? = nil
        /// Misses per second that joined a fill under way, for a cache that coalesces.
        public var coalescedPerSecond: Estimate? = nil
        /// Misses per second of the hot keys (and a flash crowd's key) that went to the
        /// backend, for a cache with hot keys in a stage that changes, or with a flash crowd.
        public var hotMissesPerSecond: Estimate? = nil
    }

    static let percentiles: [(String, Double)] = [("p50", 50), ("p95", 95), ("p99", 99)]

    /// Runs every stage (each with its replications in parallel) under the same workload and
    /// the same random streams.
    ///
    /// - Parameter capacity: How to find each stage's capacity: with the analytic model
    ///   (milliseconds per stage in a release build), confirmed by simulation (about ten more
    ///   runs per stage), or not at all. The analytic figures of the stage at its own load are
    ///   always given.
    public static func run(_ scenario: ArchitectureScenario, jobs: Int, limits: EngineLimits = EngineLimits(),
                           control: RunControl? = nil, capacity: StageCapacity.Search = .analytic,
                           progress: (@Sendable (Int, ReplicationResult) -> Void)? = nil) -> ArchitectureReport {
        var stages: [StageResult] = []
        var series: [TimeSeries] = []
        for index in scenario.stages.indices {
            if control?.isCancelled == true { break }
            let compiled = scenario.compile(stage: index)
            let results = Simulation.run(compiled.model, seed: scenario.seed, run: scenario.run, jobs: jobs,
                                         limits: limits, control: control, progress: progress)
            var stage = summarize(scenario, index, compiled, results)
            if let analytic = ModelAnalytic.solve(compiled.model.requestsOnly) { stage.attach(analytic, compiled.model) }
            switch capacity {
            case .none: break
            case .analytic: stage.capacity = scenario.analyticCapacity(stage: index)
            case .simulation: stage.capacity = scenario.simulatedCapacity(stage: index, jobs: jobs, limits: limits, control: control)
            }
            stages.append(stage)
            series.append(TimeSeries(name: scenario.stages[index].name, model: compiled.model, run: scenario.run, results: results))
        }
        return ArchitectureReport(scenario: scenario, stages: stages, timeSeries: series)
    }

    static func summarize(_ scenario: ArchitectureScenario, _ index: Int, _ compiled: CompiledStage,
                          _ results: [ReplicationResult]) -> StageResult {
        let stage = scenario.stages[index]
        let confidence = scenario.run.confidence
        let model = compiled.model
        func estimate(_ value: (ReplicationResult) -> Double) -> Estimate { Estimate.of(results.map(value), confidence: confidence) }
        func ratio(_ a: Double, _ b: Double) -> Double { b == 0 ? .nan : a / b }
        func latencies(_ recorder: (ReplicationResult) -> LatencyRecorder) -> [String: Estimate] {
            var out = ["mean": estimate { recorder($0).mean }]
            for (key, p) in percentiles { out[key] = estimate { recorder($0).percentile(p) } }
            return out
        }
        // The requests' classes: long-lived connections (`background`, compiled after every
        // request class) are reported apart (`websockets`), not as requests.
        let requestClasses = model.classes.indices.filter { !model.classes[$0].background }
        func all(_ r: ReplicationResult) -> LatencyRecorder {
            var merged = LatencyRecorder()
            for c in requestClasses { merged.merge(r.classes[c].latency) }
            return merged
        }
        func sum(_ r: ReplicationResult, _ value: (ReplicationResult.ClassResult) -> UInt64) -> Double {
            Double(requestClasses.reduce(0) { $0 + value(r.classes[$1]) })
        }
        let classes = requestClasses.map { c in
            ClassResult(name: model.classes[c].name, latency: latencies { $0.classes[c].latency },
                        throughput: estimate { ratio(Double($0.classes[c].completed), $0.measuredTime) },
                        errorRate: estimate { ratio(Double($0.classes[c].errors), Double($0.classes[c].errors + $0.classes[c].completed)) })
        }
        var resources: [Resource] = []
        for (i, cpu) in model.cpus.enumerated() {
            resources.append(Resource(name: cpu.name, kind: "cpu",
                                      utilization: estimate { ratio($0.cpus[i].busyArea, $0.measuredTime * Double(cpu.cores)) },
                                      meanQueueLength: estimate { ratio($0.cpus[i].queueArea, $0.measuredTime) }))
        }
        for (i, pool) in model.pools.enumerated() {
            resources.append(Resource(name: pool.name, kind: "pool",
                                      utilization: estimate { ratio($0.pools[i].inUseArea, $0.measuredTime * Double(pool.capacity)) },
                                      meanQueueLength: estimate { ratio($0.pools[i].queueArea, $0.measuredTime) }))
        }
        for (i, cache) in model.caches.enumerated() {
            resources.append(Resource(name: cache.name, kind: "cache",
                                      hitRatio: estimate { ratio(Double($0.caches[i].hits), Double($0.caches[i].lookups)) }))
        }
        // The busiest resource; among saturated ones (98% and above) a CPU before a pool, because
        // a full pool of workers is the symptom of a slow resource behind it, not the cause.
        func rank(_ r: Resource) -> (Double, Int) {
            let u = r.utilization!.mean
            return (u >= 0.98 ? 1 : u, r.kind == "cpu" ? 1 : 0)
        }
        // The requests' bottleneck: the websocket service holds connections only (reported apart).
        let bottleneck = resources.filter { $0.utilization?.mean.isFinite == true && !$0.name.hasPrefix("websockets.") }
            .max { rank($0) < rank($1) }?.name
        let latency = latencies(all)
        let errors = estimate { r in
            let e = sum(r, \.errors), done = sum(r, \.completed)
            return ratio(e, e + done)
        }
        var violations: [String] = []
        if let target = stage.slo.p99, let p99 = latency["p99"], !(p99.mean <= target) {
            violations.append("p99 \(Format.time(p99.mean)) above the target \(Format.time(target))")
        }
        if let target = stage.slo.errorRate, !(errors.mean <= target) {
            violations.append("error rate \(Format.percent(errors.mean)) above the target \(Format.percent(target))")
        }
        var result = StageResult(
            name: stage.name, users: compiled.users, requestRate: compiled.requestRate, costPerHour: stage.costPerHour,
            latency: latency,
            throughput: estimate { r in ratio(sum(r, \.completed), r.measuredTime) },
            errorRate: errors,
            timeoutRate: estimate { r in ratio(sum(r, \.timeouts), sum(r, \.arrivals)) },
            classes: classes, resources: resources, bottleneck: bottleneck,
            slo: (violations.isEmpty, violations), events: results.reduce(0) { $0 + $1.events },
            stoppedEarly: results.compactMap(\.numberedStop))
        result.addChanges(scenario.stages[index], model, results, confidence: confidence)
        result.websockets = WebSocketFigures.measure(scenario, index, compiled, results)
        return result
    }
}

extension ArchitectureReport.StageResult {
    /// Adds the analytic model's figures beside the simulated ones.
    mutating func attach(_ a: ModelAnalytic, _ model: Model) {
        var latency: [String: Double] = [:]
        for (key, value) in [("mean", a.meanLatency), ("p50", a.p50), ("p95", a.p95), ("p99", a.p99)] {
            if let value { latency[key] = value }
        }
        analytic = .init(throughput: a.throughput, stable: a.stable, latency: latency, errorRate: a.errorRate,
                         maxThroughput: a.maxThroughput, bottleneck: a.bottleneck?.name(in: model))
        var predicted: [String: Double] = [:]
        for (i, cpu) in model.cpus.enumerated() { predicted[cpu.name] = a.cpus[i].utilization }
        for (i, pool) in model.pools.enumerated() { predicted[pool.name] = a.pools[i].utilization }
        for (i, cache) in model.caches.enumerated() { predicted[cache.name] = a.hitRatios[i] }
        for r in resources.indices { resources[r].analytic = predicted[resources[r].name] }
        websockets?.analyticUtilizations(&resources)
    }
}
