/// The figures of a stage that changes during its run: retries and failures, what happened
/// (faults, health checks, scaling), the instances of routers whose count changes and the
/// cost of the instances that ran, coalesced and hot-key misses of its caches.
///
/// Each figure is added only when the stage has what it measures, so the report of a stage
/// that does not change is the same as before these figures existed.
extension ArchitectureReport.StageResult {
    /// Adds the figures of a changing system measured by `results` of `model` (the compiled
    /// `stage`).
    mutating func addChanges(_ stage: ArchitectureScenario.Stage, _ model: Model, _ results: [ReplicationResult],
                             confidence: Double) {
        func estimate(_ value: (ReplicationResult) -> Double) -> Estimate { Estimate.of(results.map(value), confidence: confidence) }
        func ratio(_ a: UInt64, _ b: UInt64) -> Double { b == 0 ? .nan : Double(a) / Double(b) }
        func perSecond(_ count: UInt64, _ r: ReplicationResult) -> Double { r.measuredTime > 0 ? Double(count) / r.measuredTime : .nan }
        func sum(_ r: ReplicationResult, _ value: (ReplicationResult.ClassResult) -> UInt64) -> UInt64 {
            r.classes.prefix(classes.count).reduce(0) { $0 + value($1) }
        }
        let changes = TimeSeries.changes(model)
        if model.classes.contains(where: { $0.retry != nil }) {
            retriesPerRequest = estimate { ratio(sum($0, \.retries), sum($0, \.arrivals)) }
            for c in classes.indices {
                classes[c].retriesPerRequest = estimate { ratio($0.classes[c].retries, $0.classes[c].arrivals) }
            }
        }
        if !model.faults.isEmpty {
            failureRate = estimate { ratio(sum($0, \.failures), sum($0, \.arrivals) + sum($0, \.retries)) }
            for c in classes.indices {
                classes[c].failureRate = estimate { ratio($0.classes[c].failures, $0.classes[c].arrivals + $0.classes[c].retries) }
            }
        }
        if !model.faults.isEmpty || model.routers.contains(where: { $0.healthCheck != nil || $0.autoscaling != nil }) {
            timeline = results.first?.markers ?? []
        }
        for (i, cache) in model.caches.enumerated() {
            guard let r = resources.firstIndex(where: { $0.kind == "cache" && $0.name == cache.name }) else { continue }
            if cache.coalesce { resources[r].coalescedPerSecond = estimate { perSecond($0.caches[i].coalesced, $0) } }
            if cache.flash != nil || (changes && !cache.hotShares.isEmpty) {
                resources[r].hotMissesPerSecond = estimate { perSecond($0.caches[i].hotMisses, $0) }
            }
        }
        var costs = stage.costs
        for (i, router) in model.routers.enumerated() where TimeSeries.countChanges(router, in: model) {
            func mean(_ area: (ReplicationResult.RouterResult) -> Double) -> Estimate {
                estimate { $0.measuredTime > 0 && $0.routers.indices.contains(i) ? area($0.routers[i]) / $0.measuredTime : .nan }
            }
            var figures = ArchitectureReport.RouterFigures(
                name: router.name, meanInService: mean(\.instanceArea),
                peakInService: estimate { $0.routers.indices.contains(i) ? Double($0.routers[i].maximumInService) : .nan })
            if router.autoscaling != nil {
                let running = mean(\.runningArea)
                figures.meanRunning = running
                // A bill counts the instances that ran, not the most there could be.
                if let (component, perInstance) = Self.instanceCost(of: router.name, in: stage),
                   let k = costs.firstIndex(where: { $0.component == component }), running.mean.isFinite {
                    figures.costPerHour = running.mean * perInstance
                    costs[k].perHour = running.mean * perInstance
                }
            }
            routers.append(figures)
        }
        if routers.contains(where: { $0.costPerHour != nil }) { costPerHour = costs.reduce(0) { $0 + $1.perHour } }
    }

    /// The stage's cost component that the instances of the router `name` make up, and the
    /// cost of one instance per hour (nil: a router the architecture does not price per
    /// instance). The names are those `ArchitectureCompiler` gives its routers.
    static func instanceCost(of name: String, in stage: ArchitectureScenario.Stage) -> (component: String, perInstance: Double)? {
        switch name {
        case "api": ("api", stage.api.costPerInstancePerHour)
        case "web": stage.webHosts.map { ("webHosts", $0.costPerInstancePerHour) }
        case "websockets": stage.websockets.map { ("websockets", $0.costPerInstancePerHour) }
        case "replicas": stage.replicas.map { ("replicas", $0.costPerReplicaPerHour) }
        default: nil
        }
    }
}
