/// A first-in, first-out queue of request slots in a ring buffer that grows by doubling.
struct Fifo {
    var buffer: [Int32] = []
    var head = 0
    var count = 0

    init() {}

    var isEmpty: Bool { count == 0 }

    /// The queued slots, first out first.
    var elements: [Int32] { (0..<count).map { buffer[(head + $0) % buffer.count] } }


    mutating func push(_ slot: Int32) {
        if count == buffer.count { grow() }
        var tail = head + count
        if tail >= buffer.count { tail -= buffer.count }
        buffer[tail] = slot
        count += 1
    }


    mutating func pop() -> Int32? {
        guard count > 0 else { return nil }
        let slot = buffer[head]
        head += 1
        if head == buffer.count { head = 0 }
        count -= 1
        return slot
    }

    mutating func grow() {
        var bigger = [Int32](repeating: 0, count: Swift.max(16, buffer.count * 2))
        for i in 0..<count {
            var j = head + i
            if j >= buffer.count { j -= buffer.count }
            bigger[i] = buffer[j]
        }
        buffer = bigger
        head = 0
    }
}

/// The jobs at a processor-sharing CPU, as a min-heap of finish tags in virtual time.
struct TagHeap {
    var tags: [Double] = []
    var slots: [Int32] = []

    init() {}

    var count: Int { tags.count }
    var minTag: Double { tags[0] }


    mutating func push(_ tag: Double, _ slot: Int32) {
        tags.append(tag)
        slots.append(slot)
        var i = tags.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            guard tag < tags[parent] else { break }
            tags[i] = tags[parent]
            slots[i] = slots[parent]
            i = parent
        }
        tags[i] = tag
        slots[i] = slot
    }

    /// Removes the job with the least tag. Jobs with equal tags finish at the same instant;
    /// which goes first is still a pure function of the event history, so runs repeat.

    mutating func popMin() -> Int32 {
        let top = slots[0]
        let lastTag = tags.removeLast()
        let lastSlot = slots.removeLast()
        let n = tags.count
        if n == 0 { return top }
        var i = 0
        while true {
            let left = 2 * i + 1
            if left >= n { break }
            var child = left
            if left + 1 < n && tags[left + 1] < tags[left] { child = left + 1 }
            guard tags[child] < lastTag else { break }
            tags[i] = tags[child]
            slots[i] = slots[child]
            i = child
        }
        tags[i] = lastTag
        slots[i] = lastSlot
        return top
    }
}
