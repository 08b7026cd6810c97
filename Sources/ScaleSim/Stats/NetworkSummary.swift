/// Confidence-interval estimates of every figure of a network scenario, over replications.
public struct NetworkSummary: Sendable {
    public var stations: [Station]
    public var system: System
    public var replications: Int
    public var events: UInt64
    /// Messages of replications that stopped early (overload, budgets), in order, each
    /// beginning with the number of its replication (`replication 2: ...`).
    public var stoppedEarly: [String]

    /// Per-visit figures of one station. Nil where the figure does not apply to the station.
    public struct Station: Sendable {
        public var name: String
        public var utilization: Estimate?
        public var throughput: Estimate
        public var meanResponse: Estimate?
        public var meanWait: Estimate?
        public var waitProbability: Estimate?
        public var meanQueueLength: Estimate?
        public var meanInStation: Estimate?
        public var blockingProbability: Estimate?
        public var hitRatio: Estimate?
    }

    /// End-to-end figures over all classes: from arrival to leaving the network (closed:
    /// from the end of think time to its next start).
    public struct System: Sendable {
        public var throughput: Estimate
        public var meanResponse: Estimate
        public var p50: Estimate
        public var p95: Estimate
        public var p99: Estimate
        public var errorRate: Estimate
    }

    public init(scenario: NetworkScenario, compiled: CompiledNetwork, results: [ReplicationResult]) {
        let confidence = scenario.run.confidence
        func estimate(_ value: (ReplicationResult) -> Double) -> Estimate {
            Estimate.of(results.map(value), confidence: confidence)
        }
        func ratio(_ a: Double, _ b: Double) -> Double { b == 0 ? .nan : a / b }

        stations = zip(scenario.stations, compiled.stations).map { station, resources in
            switch resources {
            case .cpu(let i):
                let servers = Double(compiled.model.cpus[i].cores)
                return Station(
                    name: station.name,
                    utilization: estimate { ratio($0.cpus[i].busyArea, $0.measuredTime * servers) },
                    throughput: estimate { ratio(Double($0.cpus[i].completions), $0.measuredTime) },
                    meanResponse: estimate { ratio($0.cpus[i].sumResponse, Double($0.cpus[i].completions)) },
                    meanWait: estimate { ratio($0.cpus[i].sumWait, Double($0.cpus[i].started)) },
                    waitProbability: estimate {
                        ratio(Double($0.cpus[i].waited), Double($0.cpus[i].arrivals - $0.cpus[i].blocked))
                    },
                    meanQueueLength: estimate { ratio($0.cpus[i].queueArea, $0.measuredTime) },
                    meanInStation: estimate { ratio($0.cpus[i].inStationArea, $0.measuredTime) },
                    blockingProbability: compiled.model.cpus[i].capacity == nil ? nil
                        : estimate { ratio(Double($0.cpus[i].blocked), Double($0.cpus[i].arrivals)) },
                    hitRatio: nil)
            case .delay(let i):
                return Station(
                    name: station.name, utilization: nil,
                    throughput: estimate { ratio(Double($0.delays[i].completions), $0.measuredTime) },
                    meanResponse: estimate { ratio($0.delays[i].sumResponse, Double($0.delays[i].completions)) },
                    meanWait: estimate { _ in 0 }, waitProbability: estimate { _ in 0 },
                    meanQueueLength: estimate { _ in 0 },
                    meanInStation: estimate { ratio($0.delays[i].inStationArea, $0.measuredTime) },
                    blockingProbability: nil, hitRatio: nil)
            case let .cache(i, service):
                return Station(
                    name: station.name, utilization: nil,
                    throughput: estimate { ratio(Double($0.caches[i].lookups), $0.measuredTime) },
                    meanResponse: service.map { d in
                        estimate { ratio($0.delays[d].sumResponse, Double($0.delays[d].completions)) }
                    },
                    meanWait: nil, waitProbability: nil, meanQueueLength: nil,
                    meanInStation: service.map { d in estimate { ratio($0.delays[d].inStationArea, $0.measuredTime) } },
                    blockingProbability: nil,
                    hitRatio: estimate { ratio(Double($0.caches[i].hits), Double($0.caches[i].lookups)) })
            }
        }

        func merged(_ r: ReplicationResult) -> LatencyRecorder {
            var all = LatencyRecorder()
            for c in r.classes { all.merge(c.latency) }
            return all
        }
        let latencies = results.map(merged)
        func latencyEstimate(_ value: (LatencyRecorder) -> Double) -> Estimate {
            Estimate.of(latencies.map(value), confidence: confidence)
        }
        system = System(
            throughput: estimate { r in ratio(Double(r.classes.reduce(0) { $0 + $1.completed }), r.measuredTime) },
            meanResponse: latencyEstimate { $0.mean },
            p50: latencyEstimate { $0.percentile(50) },
            p95: latencyEstimate { $0.percentile(95) },
            p99: latencyEstimate { $0.percentile(99) },
            errorRate: estimate { r in
                let errors = Double(r.classes.reduce(0) { $0 + $1.errors })
                return ratio(errors, errors + Double(r.classes.reduce(0) { $0 + $1.completed }))
            })
        replications = results.count
        events = results.reduce(0) { $0 + $1.events }
        stoppedEarly = results.compactMap(\.numberedStop)
    }
}
