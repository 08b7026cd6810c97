/// What happens at an event.
enum EventKind: UInt8 {
    /// The next open arrival of `sources[target]`.
    case arrival
    /// A thinking user of closed source `target` sends a request.
    case thinkDone
    /// Request `target` finishes its time at an FCFS CPU or a delay centre.
    case serviceDone
    /// The job with the least finish tag at PS CPU `target` completes (valid while `generation`
    /// matches the CPU's).
    case psDone
    /// Request `target` was handed a pool unit and goes on with its program.
    case resume
    /// The warm-up ends: statistics restart.
    case warmupEnd
    /// The client of request `target` gives up (valid while `generation` matches the
    /// request's: the slot may hold a later request by then).
    case timeout
    /// Request `target` (a new attempt, valid while `generation` matches) is retried.
    case retry
    /// Request `target` goes on from its current step (a coalesced miss whose fill arrived;
    /// valid while `generation` matches).
    case proceed
    /// Fault `target` starts (`generation` 0) or ends (1).
    case fault
    /// Router `target`'s load balancer probes its instances.
    case healthCheck
    /// Router `target`'s autoscaler evaluates its metric.
    case autoscale
    /// Instance `generation` of router `target` is provisioned and takes traffic.
    case provisioned
    /// Closed sources follow the rate profile's user count.
    case population
}

/// A future event: a small value ordered by `(time, sequence)`.
struct Event {
    var time: Double
    /// Given when the event is scheduled; breaks ties between equal times in scheduling order.
    var sequence: UInt64
    var target: Int32
    /// For lazily cancelled events: the event is stale when this differs from its owner's.
    var generation: UInt32
    var kind: EventKind

    @inline(__always)
    func precedes(_ other: Event) -> Bool {
        time < other.time || (time == other.time && sequence < other.sequence)
    }
}

/// The future event list: a binary min-heap of `Event` by `(time, sequence)`.
///
/// Ties never depend on the heap's internals: two events with the same time pop in the order
/// they were scheduled, because sequence numbers are unique and increasing.
struct EventQueue {
    var events = PODBuffer<Event>(capacity: 1024)
    var nextSequence: UInt64 = 0

    init() {}

    /// The pending events in heap order (for tests).
    var heap: [Event] { events.elements }

    var count: Int { events.count }

    /// Schedules an event; it gets the next sequence number.
    ///
    /// - Complexity: O(log n).
    @inline(__always)
    mutating func schedule(_ kind: EventKind, at time: Double, target: Int32, generation: UInt32 = 0) {
        let event = Event(time: time, sequence: nextSequence, target: target, generation: generation, kind: kind)
        nextSequence &+= 1
        events.append(event)
        let h = events.base
        var i = events.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            guard event.precedes(h[parent]) else { break }
            h[i] = h[parent]
            i = parent
        }
        h[i] = event
    }

    /// Removes and returns the earliest event.
    ///
    /// - Complexity: O(log n).
    @inline(__always)
    mutating func popMin() -> Event? {
        guard let last = events.popLast() else { return nil }
        let n = events.count
        if n == 0 { return last }
        let h = events.base
        let top = h[0]
        var i = 0
        while true {
            let left = 2 * i + 1
            if left >= n { break }
            var child = left
            let right = left + 1
            if right < n && h[right].precedes(h[left]) { child = right }
            guard h[child].precedes(last) else { break }
            h[i] = h[child]
            i = child
        }
        h[i] = last
        return top
    }

    /// The time of the earliest event, if any.
    var minTime: Double? { events.isEmpty ? nil : events[0].time }
}
