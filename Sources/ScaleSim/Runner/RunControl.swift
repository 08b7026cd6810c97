import Dispatch
import Synchronization

/// Watches and steers a run from outside: progress for a display, cancellation (Ctrl-C) and
/// a wall-clock budget. Replications report to it every `RunControl.stride` events, so the
/// hot loop pays one branch per event for it.
public final class RunControl: Sendable {
    /// Events between two reports of a replication.
    public static let stride: UInt64 = 1 << 16

    private let cancelled = Atomic<Bool>(false)
    private let interrupted = Atomic<Bool>(false)
    private let events = Atomic<UInt64>(0)
    /// Simulated time covered by all replications, in microseconds.
    private let simulated = Atomic<UInt64>(0)
    private let deadline: UInt64?

    /// - Parameter timeLimit: wall-clock seconds after which every replication stops.
    public init(timeLimit: Double? = nil) {
        deadline = timeLimit.map { DispatchTime.now().uptimeNanoseconds + UInt64(max(0, $0) * 1e9) }
    }

    /// Asks every replication to stop at its next report.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// Stops the run because the user asked (Ctrl-C), as opposed to a budget running out.
    public func interrupt() {
        interrupted.store(true, ordering: .relaxed)
        cancel()
    }

    public var isInterrupted: Bool { interrupted.load(ordering: .relaxed) }

    /// Events processed so far by all replications (to within `stride` per replication).
    public var eventsProcessed: UInt64 { events.load(ordering: .relaxed) }

    /// Simulated seconds covered so far by all replications (to within `stride` events each).
    public var simulatedSeconds: Double { Double(simulated.load(ordering: .relaxed)) / 1e6 }

    /// Adds simulated time a replication has covered (it reports the rest when it ends).
    func add(simulated seconds: Double) {
        if seconds > 0, seconds.isFinite { simulated.add(UInt64(seconds * 1e6), ordering: .relaxed) }
    }

    /// Called by a replication every `stride` events, with the simulated time it covered since
    /// its last report.
    ///
    /// - Returns: why the replication must stop, or nil to go on.
    func report(events count: UInt64, simulated seconds: Double) -> String? {
        events.add(count, ordering: .relaxed)
        add(simulated: seconds)
        if interrupted.load(ordering: .relaxed) { return "interrupted" }
        if let deadline, cancelled.load(ordering: .relaxed) || DispatchTime.now().uptimeNanoseconds >= deadline {
            cancel()
            return "wall-clock time limit reached"
        }
        if cancelled.load(ordering: .relaxed) { return "cancelled" }
        return nil
    }
}
