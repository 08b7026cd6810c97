import Testing
@testable import ScaleSim

/// Seeded property loops for the engine's containers, each against a plain reference.
///
/// Random times come from a `RandomStream` and are drawn mostly from a coarse grid (multiples of
/// 1/4, exact in binary) so that many events share exactly the same time.
@Suite struct EngineQueuePropertyTests {
    static let seeds: Range<UInt64> = 0..<500

    /// A delay that is often exactly 0 or a multiple of 1/4 (ties), sometimes continuous.
    static func delay(_ rng: RandomStream) -> Double {
        rng.uniform() < 0.75 ? Double(rng.uniformInt(4)) * 0.25 : rng.uniform() * 2
    }

    static let kinds: [EventKind] = [.arrival, .thinkDone, .serviceDone, .psDone, .resume, .warmupEnd]

    /// The reference future event list: a flat array, minimum found by a linear scan.
    struct ReferenceQueue {
        var events: [Event] = []
        func minIndex() -> Int? {
            guard !events.isEmpty else { return nil }
            var best = 0
            for i in events.indices.dropFirst() {
                let e = events[i], b = events[best]
                if e.time < b.time || (e.time == b.time && e.sequence < b.sequence) { best = i }
            }
            return best
        }
    }

    @Test func simulatedTimeNeverGoesBackAndTiesPopInSchedulingOrder() {
        var ties = 0
        for seed in Self.seeds {
            let rng = RandomStream(seed: seed, name: "test:eventqueue:causal", replication: 0)
            var queue = EventQueue()
            var reference = ReferenceQueue()
            var popped = Set<UInt64>()
            var scheduled: UInt64 = 0
            var now = 0.0
            var last: Event?
            var failed = false

            func pop() {
                let expectedIndex = reference.minIndex()
                #expect(queue.minTime == expectedIndex.map { reference.events[$0].time }, "seed \(seed): minTime")
                let event = queue.popMin()
                guard let expectedIndex else {
                    #expect(event == nil, "seed \(seed): pop from an empty queue returned an event")
                    return
                }
                let expected = reference.events.remove(at: expectedIndex)
                guard let event else {
                    Issue.record("seed \(seed): queue empty, reference holds \(reference.events.count + 1)")
                    failed = true
                    return
                }
                if event.sequence != expected.sequence || event.time != expected.time || event.kind != expected.kind
                    || event.target != expected.target || event.generation != expected.generation {
                    Issue.record("seed \(seed): popped \(event), reference \(expected)")
                    failed = true
                }
                if let last {
                    if event.time < last.time {
                        Issue.record("seed \(seed): time went back from \(last.time) to \(event.time)")
                        failed = true
                    }
                    if event.time == last.time {
                        ties += 1
                        if event.sequence <= last.sequence {
                            Issue.record("seed \(seed): tie at \(event.time) popped sequence \(event.sequence) after \(last.sequence)")
                            failed = true
                        }
                    }
                }
                if !popped.insert(event.sequence).inserted {
                    Issue.record("seed \(seed): sequence \(event.sequence) popped twice")
                    failed = true
                }
                now = event.time
                last = event
            }

            let operations = 20 + rng.uniformInt(600)
            for _ in 0..<operations where !failed {
                // Schedule more often than pop, in bursts, so the heap grows and shrinks.
                if rng.uniform() < 0.55 {
                    for _ in 0..<(1 + rng.uniformInt(3)) {
                        let kind = Self.kinds[rng.uniformInt(Self.kinds.count)]
                        let target = Int32(rng.uniformInt(1000))
                        let generation = UInt32(rng.uniformInt(1 << 20))
                        let time = now + Self.delay(rng)
                        #expect(queue.nextSequence == scheduled, "seed \(seed): next sequence")
                        reference.events.append(Event(time: time, sequence: scheduled, target: target,
                                                      generation: generation, kind: kind))
                        queue.schedule(kind, at: time, target: target, generation: generation)
                        scheduled += 1
                    }
                } else {
                    pop()
                }
                #expect(queue.count == reference.events.count, "seed \(seed): count")
            }
            while !failed && !reference.events.isEmpty { pop() }
            if failed { continue }
            #expect(queue.popMin() == nil, "seed \(seed): events left after the reference drained")
            #expect(popped.count == Int(scheduled), "seed \(seed): popped \(popped.count) of \(scheduled)")
        }
        #expect(ties > 10_000, "the loop should exercise many exact ties, saw \(ties)")
    }

    @Test func arbitraryTimesPopInTimeThenSequenceOrderExactlyOnce() {
        // Times in any order (not only now + delay): the heap must still be a total order on
        // (time, sequence) and return every scheduled event exactly once.
        for seed in Self.seeds {
            let rng = RandomStream(seed: seed, name: "test:eventqueue:arbitrary", replication: 0)
            var queue = EventQueue()
            let n = 1 + rng.uniformInt(300)
            var times: [Double] = []
            for i in 0..<n {
                let time = rng.uniform() < 0.6 ? Double(rng.uniformInt(8)) : rng.uniform() * 8
                times.append(time)
                queue.schedule(.serviceDone, at: time, target: Int32(i))
            }
            let expected = times.indices.sorted { a, b in times[a] < times[b] || (times[a] == times[b] && a < b) }
            var order: [Int] = []
            while let event = queue.popMin() {
                #expect(event.sequence == UInt64(event.target), "seed \(seed): sequence and target disagree")
                order.append(Int(event.target))
            }
            #expect(order == expected, "seed \(seed): pop order differs from (time, sequence) order")
        }
    }
}

/// `Fifo` (ring buffer) and `TagHeap` (PS finish tags) against plain references.
@Suite struct EngineFifoAndTagHeapPropertyTests {
    @Test func fifoMatchesAnArrayThroughWraparoundAndGrowth() {
        var sawWraparound = false, sawGrowthWhileWrapped = false
        for seed in EngineQueuePropertyTests.seeds {
            let rng = RandomStream(seed: seed, name: "test:fifo", replication: 0)
            var fifo = Fifo()
            var reference: [Int32] = []
            var referenceHead = 0
            var next: Int32 = 0
            let phases = 1 + rng.uniformInt(8)
            for _ in 0..<phases {
                // Each phase leans towards pushing or popping, so the ring fills, drains and wraps.
                let pushProbability = 0.2 + 0.6 * rng.uniform()
                for _ in 0..<rng.uniformInt(120) {
                    if rng.uniform() < pushProbability {
                        let wrapped = fifo.head + fifo.count > fifo.buffer.count
                        let full = fifo.count == fifo.buffer.count
                        fifo.push(next)
                        reference.append(next)
                        next += 1
                        if full && wrapped { sawGrowthWhileWrapped = true }
                    } else {
                        let expected: Int32? = referenceHead < reference.count ? reference[referenceHead] : nil
                        if expected != nil { referenceHead += 1 }
                        let got = fifo.pop()
                        #expect(got == expected, "seed \(seed): popped \(String(describing: got)), expected \(String(describing: expected))")
                    }
                    if fifo.head + fifo.count > fifo.buffer.count { sawWraparound = true }
                    #expect(fifo.count == reference.count - referenceHead, "seed \(seed): count")
                    #expect(fifo.isEmpty == (fifo.count == 0), "seed \(seed): isEmpty")
                    #expect(fifo.count <= fifo.buffer.count, "seed \(seed): count beyond the buffer")
                }
            }
            while referenceHead < reference.count {
                #expect(fifo.pop() == reference[referenceHead], "seed \(seed): drain order")
                referenceHead += 1
            }
            #expect(fifo.pop() == nil && fifo.isEmpty, "seed \(seed): not empty after draining")
        }
        #expect(sawWraparound, "no seed wrapped the ring around")
        #expect(sawGrowthWhileWrapped, "no seed grew the ring while it was wrapped")
    }

    @Test func tagHeapPopsInTagOrder() {
        for seed in EngineQueuePropertyTests.seeds {
            let rng = RandomStream(seed: seed, name: "test:tagheap", replication: 0)
            var heap = TagHeap()
            var reference: [(tag: Double, slot: Int32)] = []
            var nextSlot: Int32 = 0
            var lastPopped = -Double.infinity
            for _ in 0..<(1 + rng.uniformInt(500)) {
                if reference.isEmpty || rng.uniform() < 0.55 {
                    // Tags at or above the last popped one (virtual time only grows), many equal.
                    let base = lastPopped.isFinite ? lastPopped : 0
                    let tag = base + (rng.uniform() < 0.7 ? Double(rng.uniformInt(5)) : rng.uniform() * 5)
                    heap.push(tag, nextSlot)
                    reference.append((tag, nextSlot))
                    nextSlot += 1
                } else {
                    let least = reference.map(\.tag).min()!
                    #expect(heap.minTag == least, "seed \(seed): minTag \(heap.minTag), expected \(least)")
                    let slot = heap.popMin()
                    guard let index = reference.firstIndex(where: { $0.slot == slot }) else {
                        Issue.record("seed \(seed): popped slot \(slot) that is not in the heap")
                        break
                    }
                    #expect(reference[index].tag == least, "seed \(seed): popped tag \(reference[index].tag), least \(least)")
                    lastPopped = reference[index].tag
                    reference.remove(at: index)
                }
                #expect(heap.count == reference.count, "seed \(seed): count")
            }
            // Drain: tags never decrease and every slot comes back once.
            var previous = -Double.infinity
            var seen = Set<Int32>()
            while heap.count > 0 {
                let tag = heap.minTag
                let slot = heap.popMin()
                #expect(tag >= previous, "seed \(seed): tag \(tag) after \(previous)")
                #expect(seen.insert(slot).inserted, "seed \(seed): slot \(slot) twice")
                previous = tag
            }
            #expect(Set(reference.map(\.slot)) == seen, "seed \(seed): drained slots differ")
        }
    }
}
