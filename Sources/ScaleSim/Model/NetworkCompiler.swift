/// A network scenario compiled to the Model, with the resources behind each station.
public struct CompiledNetwork: Sendable {
    public var model: Model
    /// Per station (in scenario order), the resources whose statistics describe it.
    public var stations: [StationResources]

    public enum StationResources: Sendable, Hashable {
        case cpu(Int)
        case delay(Int)
        /// The cache and, when the station has a service time, the delay centre that serves it.
        case cache(Int, service: Int?)
    }
}

extension NetworkScenario {
    /// Compiles the network into one program over the Model's resources.
    ///
    /// Every station becomes a block of steps: a queue station is `use(cpu)`, a delay
    /// station `use(delay)`, a cache station `[use(delay)] lookup -> hit: route | miss:
    /// fill, route`; the route after it is a `jump` when it is certain, a `branch` when it is
    /// random, `done` when the request always leaves. Sources enter at their station's block.
    /// Streams are named after stations and classes, so adding a station leaves the
    /// numbers drawn by the others unchanged.
    public func compile() -> CompiledNetwork {
        var model = Model(name: name)
        var bindings: [CompiledNetwork.StationResources] = []
        var classIndex: [String: Int] = [:]
        func classFor(_ name: String) -> Int {
            if let index = classIndex[name] { return index }
            model.classes.append(.init(name: name))
            classIndex[name] = model.classes.count - 1
            return model.classes.count - 1
        }
        func sampler(_ distribution: Distribution, _ streamName: String) -> Int {
            model.samplers.append(.init(distribution, streamName: streamName))
            return model.samplers.count - 1
        }

        // Resources first, so that every block's size is known before the steps are laid out.
        for station in stations {
            switch station.kind {
            case let .queue(servers, discipline, capacity, _, _):
                model.cpus.append(.init(name: station.name, cores: servers,
                                        discipline: discipline == .ps ? .ps : .fcfs, capacity: capacity))
                bindings.append(.cpu(model.cpus.count - 1))
            case .delay:
                model.delays.append(.init(name: station.name))
                bindings.append(.delay(model.delays.count - 1))
            case let .cache(keys, zipf, ttl, capacity, service, _, _):
                model.caches.append(.init(name: station.name, keys: keys, zipf: zipf, ttl: ttl,
                                          capacity: capacity, streamName: "station:\(station.name):keys"))
                var serviceIndex: Int?
                if service != nil {
                    model.delays.append(.init(name: station.name))
                    serviceIndex = model.delays.count - 1
                }
                bindings.append(.cache(model.caches.count - 1, service: serviceIndex))
            }
        }

        // Block sizes and starts.
        var starts: [Int] = []
        var position = 0
        for station in stations {
            starts.append(position)
            switch station.kind {
            case .queue, .delay: position += 2
            case let .cache(_, _, _, _, service, _, _): position += (service == nil ? 0 : 1) + 4
            }
        }

        func routeStep(_ routes: [Route], _ streamName: String) -> Model.Step {
            let live = routes.filter { $0.p > 0 }
            if live.isEmpty { return .done }
            if live.count == 1 && live[0].p >= 1 { return .jump(to: starts[live[0].to]) }
            model.branches.append(.init(probabilities: live.map(\.p), targets: live.map { starts[$0.to] },
                                        streamName: streamName))
            return .branch(table: model.branches.count - 1)
        }

        for (index, station) in stations.enumerated() {
            precondition(model.steps.count == starts[index])
            let prefix = "station:\(station.name)"
            switch (station.kind, bindings[index]) {
            case let (.queue(_, _, _, service, next), .cpu(cpu)):
                model.steps.append(.use(.cpu(cpu), sampler: sampler(service, "\(prefix):service"), on: nil))
                model.steps.append(routeStep(next, "\(prefix):next"))
            case let (.delay(service, next), .delay(delay)):
                model.steps.append(.use(.delay(delay), sampler: sampler(service, "\(prefix):service"), on: nil))
                model.steps.append(routeStep(next, "\(prefix):next"))
            case let (.cache(_, _, _, _, service, hit, miss), .cache(cache, serviceDelay)):
                if let service, let serviceDelay {
                    model.steps.append(.use(.delay(serviceDelay), sampler: sampler(service, "\(prefix):service"),
                                            on: nil))
                }
                let lookup = model.steps.count
                model.steps.append(.lookup(cache: cache, hit: lookup + 1, miss: lookup + 2))
                model.steps.append(routeStep(hit, "\(prefix):hit"))
                model.steps.append(.fill(cache: cache))
                model.steps.append(routeStep(miss, "\(prefix):miss"))
            default:
                preconditionFailure("station \(station.name) compiled to the wrong resource")
            }
        }

        for arrival in arrivals {
            let station = stations[arrival.to].name
            model.sources.append(.open(classIndex: classFor(arrival.className), rate: arrival.rate,
                                       entry: starts[arrival.to],
                                       streamName: "arrival:\(arrival.className):\(station)"))
        }
        if let population {
            let think = sampler(population.think, "population:\(population.className):think")
            model.sources.append(.closed(classIndex: classFor(population.className), size: population.size,
                                         think: think, entry: starts[population.to]))
        }
        return CompiledNetwork(model: model, stations: bindings)
    }
}
