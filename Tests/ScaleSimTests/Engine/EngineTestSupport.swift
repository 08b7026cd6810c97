import Foundation
import Testing
@testable import ScaleSim

/// Builds a `Model` by hand for engine tests: every `add` returns the index of what it added,
/// `program` returns the index of its first step (jumps and lookups name absolute indices).
struct ModelBuilder {
    var model: Model

    init(_ name: String) { model = Model(name: name) }

    @discardableResult
    mutating func requestClass(_ name: String) -> Int {
        model.classes.append(.init(name: name))
        return model.classes.count - 1
    }

    @discardableResult
    mutating func cpu(_ name: String, cores: Int = 1, discipline: Model.CPU.Discipline = .fcfs,
                      capacity: Int? = nil) -> Int {
        model.cpus.append(.init(name: name, cores: cores, discipline: discipline, capacity: capacity))
        return model.cpus.count - 1
    }

    @discardableResult
    mutating func delay(_ name: String) -> Int {
        model.delays.append(.init(name: name))
        return model.delays.count - 1
    }

    @discardableResult
    mutating func pool(_ name: String, capacity: Int) -> Int {
        model.pools.append(.init(name: name, capacity: capacity))
        return model.pools.count - 1
    }

    @discardableResult
    mutating func router(_ name: String, policy: Model.Router.Policy, instances: Int) -> Int {
        model.routers.append(.init(name: name, policy: policy, instances: instances, streamName: "router:\(name)"))
        return model.routers.count - 1
    }

    @discardableResult
    mutating func sampler(_ distribution: Distribution, stream: String) -> Int {
        model.samplers.append(.init(distribution, streamName: stream))
        return model.samplers.count - 1
    }

    /// Appends `steps` and returns the index of the first.
    @discardableResult
    mutating func program(_ steps: [Model.Step]) -> Int {
        let entry = model.steps.count
        model.steps.append(contentsOf: steps)
        return entry
    }

    mutating func open(classIndex: Int = 0, rate: Double, entry: Int, stream: String = "arrivals") {
        model.sources.append(.open(classIndex: classIndex, rate: rate, entry: entry, streamName: stream))
    }

    mutating func closed(classIndex: Int = 0, size: Int, think: Int, entry: Int) {
        model.sources.append(.closed(classIndex: classIndex, size: size, think: think, entry: entry))
    }
}

/// Running hand-built models and comparing what they measured with theory.
enum EngineCheck {
    static let confidence = 0.99

    /// `replications` independent replications on two threads.
    static func replicate(_ model: Model, seed: UInt64, duration: Double, warmup: Double,
                          replications: Int = 10, limits: EngineLimits = EngineLimits()) -> [ReplicationResult] {
        let settings = RunSettings(duration: duration, warmup: warmup, replications: replications,
                                   confidence: confidence)
        let results = Simulation.run(model, seed: seed, run: settings, jobs: 2, limits: limits)
        for r in results {
            #expect(r.stoppedEarly == nil, "\(model.name) seed \(seed): stopped early: \(r.stoppedEarly ?? "")")
        }
        return results
    }

    /// The 99% Student-t interval of a per-replication figure.
    static func estimate(_ results: [ReplicationResult], _ value: (ReplicationResult) -> Double) -> Estimate {
        Estimate.of(results.map(value), confidence: confidence)
    }

    /// Expects `estimate` to cover `theory` within its half-width plus `slack` (relative).
    static func expect(_ estimate: Estimate, _ theory: Double, slack: Double, _ what: String, seed: UInt64,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let h = estimate.halfWidth ?? 0
        #expect(abs(estimate.mean - theory) <= h + slack * abs(theory),
                "\(what): simulated \(estimate.mean) ± \(h), theory \(theory) (seed \(seed))",
                sourceLocation: sourceLocation)
    }

    /// Expects two computed values that must agree up to rounding (exact cases, conservation).
    static func expectClose(_ a: Double, _ b: Double, tolerance: Double = 1e-9, _ what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(abs(a - b) <= tolerance * max(1, abs(b)), "\(what): \(a) vs \(b)", sourceLocation: sourceLocation)
    }

    static func ratio(_ a: Double, _ b: Double) -> Double { b == 0 ? .nan : a / b }
}
