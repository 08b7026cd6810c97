import Testing
@testable import ScaleSim

/// A request whose client already timed out is not also a failure when its instance dies
/// (`Engine.countFailure`, and the kill of holders in `takeDown`): its client counted it once,
/// as a timeout, and nobody sees it fail. Exact cases with one request, every time fixed.
@Suite struct EngineTimeoutFaultTests {
    /// Where the one request is when instance 0 dies at t = 6.
    enum Place: String, CaseIterable, CustomTestStringConvertible {
        /// In service at the instance's CPU (the fault ends it at once: `countFailure`).
        case atTheCPU
        /// Holding a worker of the instance while at a delay elsewhere (killed; it ends at its
        /// next step).
        case holdingAWorker
        /// On its way, holding nothing of the instance; it reaches the dead CPU at t = 7 and is
        /// refused (`countFailure` at the refusal).
        case arrivingLater
        var testDescription: String { rawValue }
    }

    /// One closed user who thinks 3 s (deterministic), then sends one request of class `req`
    /// (client timeout 2 s, so it times out at t = 5) through a round-robin router to instance
    /// 0 of 1 (a pool of 4 workers and a CPU); the instance is down from t = 6 to t = 100.
    /// The user's second request would start at 5 + 3 = 8 s, at the dead instance: the run
    /// stops at 7.9 s to keep the case to one request.
    static func model(_ place: Place) -> Model {
        var b = ModelBuilder("timeout then fault")
        b.model.classes.append(.init(name: "req", timeout: 2))
        let router = b.router("api", policy: .roundRobin, instances: 1)
        let cpu = b.cpu("api.cpu", discipline: .fcfs)
        let pool = b.pool("api.workers", capacity: 4)
        let elsewhere = b.delay("db.network")
        b.model.components.append(.init(name: "api", cpus: [cpu], pools: [pool]))
        b.model.routers[router].components = [0]
        b.model.faults = [.init(component: 0, at: 6, duration: 94)]
        let think = b.sampler(.deterministic(value: 3), stream: "think")
        let long = b.sampler(.deterministic(value: 10), stream: "const")
        let steps: [Model.Step]
        switch place {
        case .atTheCPU:
            // In service from t = 3 to t = 13.
            steps = [.route(router: router), .acquire(pool: pool, on: router), .use(.cpu(cpu), sampler: long, on: router),
                     .release(pool: pool, on: router), .leave(router: router), .done]
        case .holdingAWorker:
            // Holds a worker from t = 3 while at the delay until t = 13.
            steps = [.route(router: router), .acquire(pool: pool, on: router), .use(.delay(elsewhere), sampler: long, on: nil),
                     .release(pool: pool, on: router), .leave(router: router), .done]
        case .arrivingLater:
            // At the delay from t = 3 to t = 7 (4 s), then at the dead CPU.
            let four = b.sampler(.deterministic(value: 4), stream: "const4")
            steps = [.route(router: router), .use(.delay(elsewhere), sampler: four, on: nil), .use(.cpu(cpu), sampler: long, on: router),
                     .leave(router: router), .done]
        }
        b.closed(size: 1, think: think, entry: b.program(steps))
        return b.model
    }

    @Test(arguments: Place.allCases)
    func aTimedOutRequestIsNotAlsoAFailure(place: Place) {
        let seed: UInt64 = 41
        let model = Self.model(place)
        var engine = Engine(model: model, seed: seed, replication: 0, duration: 7.9, warmup: 0)
        let result = engine.run()
        let c = result.classes[0]
        #expect(result.stoppedEarly == nil, "seed \(seed): \(result.stoppedEarly ?? "")")
        #expect(c.arrivals == 1, "\(place): \(c.arrivals) requests sent (seed \(seed))")
        #expect(c.timeouts == 1, "\(place): \(c.timeouts) timeouts (seed \(seed))")
        #expect(c.failures == 0, "\(place): \(c.failures) failures counted for a request whose client had timed out (seed \(seed))")
        #expect(c.errors == 1, "\(place): \(c.errors) errors, the timeout only (seed \(seed))")
        #expect(c.completed == 0 && c.abandonedCompleted == 0, "\(place): completed \(c.completed), abandoned \(c.abandonedCompleted)")
        let markers = result.markers.map { "\($0.kind.rawValue)@\($0.time)" }
        #expect(markers == ["fault_start@6.0"], "\(place): markers \(markers)")
    }

    /// The control: the same request without a client timeout fails when the instance dies,
    /// and is counted once as a failure (so the cases above can tell the difference).
    @Test(arguments: Place.allCases)
    func withoutATimeoutTheSameRequestFails(place: Place) {
        let seed: UInt64 = 42
        var model = Self.model(place)
        model.classes[0].timeout = nil
        var engine = Engine(model: model, seed: seed, replication: 0, duration: 7.9, warmup: 0)
        let result = engine.run()
        let c = result.classes[0]
        #expect(c.arrivals == 1 && c.timeouts == 0, "\(place): arrivals \(c.arrivals), timeouts \(c.timeouts) (seed \(seed))")
        #expect(c.failures == 1 && c.errors == 1, "\(place): failures \(c.failures), errors \(c.errors) (seed \(seed))")
    }
}
