import Testing
@testable import ScaleSim

/// What the run control counts for the progress display.
@Suite struct EngineRunControlTests {
    @Test func simulatedTimeAndEventsAddUpOverReplications() {
        let control = RunControl()
        let model = EnginePoolTests.mmcPool(servers: 2, lambda: 1.5)
        let settings = RunSettings(duration: 5_000, warmup: 500, replications: 4, confidence: 0.95)
        let results = Simulation.run(model, seed: 3, run: settings, jobs: 2, control: control)
        #expect(abs(control.simulatedSeconds - 4 * 5_000) < 1e-3, "simulated \(control.simulatedSeconds) s (seed 3)")
        let events = results.reduce(0) { $0 + $1.events }
        // Events are reported every `stride` per replication.
        #expect(control.eventsProcessed <= events && events - control.eventsProcessed < 4 * RunControl.stride,
                "reported \(control.eventsProcessed) of \(events) events (seed 3)")
    }
}
