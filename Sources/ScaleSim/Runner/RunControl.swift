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

    /// Called by a replication every `stride` events.
    ///
    /// - Returns: why the replication must stop, or nil to go on.
    func report(events count: UInt64) -> String? {
        events.add(count, ordering: .relaxed)
        if interrupted.load(ordering: .relaxed) { return "interrupted" }
        if let deadline, cancelled.load(ordering: .relaxed) || DispatchTime.now().uptimeNanoseconds >= deadline {
            cancel()
            return "wall-clock time limit reached"
        }
        if cancelled.load(ordering: .relaxed) { return "cancelled" }
        return nil
    }
}
