/// A growable array of plain values (no references) read and written in place through a
/// pointer, for the engine's hot state: the request slab, its free list and the event heap.
///
/// A Swift array checks that its storage is uniquely referenced on every write and bounds on
/// every access; in the event loop that cost about 90 instructions per request. Here writes
/// go straight through the pointer (bounds are checked only with `SCALESIM_CHECKS`). The
/// memory belongs to a small owner object that frees it, so copies of the buffer share it.
struct PODBuffer<Element> {
    private final class Owner {
        var base: UnsafeMutablePointer<Element>
        init(capacity: Int) { base = .allocate(capacity: capacity) }
        deinit { base.deallocate() }
    }

    private let owner: Owner
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 64) {
        precondition(_isPOD(Element.self), "PODBuffer holds plain values only")
        self.capacity = max(1, capacity)
        owner = Owner(capacity: self.capacity)
        base = owner.base
    }

    var isEmpty: Bool { count == 0 }
    var indices: Range<Int> { 0..<count }

    subscript(index: Int) -> Element {
        @inline(__always) unsafeAddress {
            #if SCALESIM_CHECKS
            precondition(index >= 0 && index < count, "PODBuffer index \(index) out of 0..<\(count)")
            #endif
            return UnsafePointer(base + index)
        }
        @inline(__always) nonmutating unsafeMutableAddress {
            #if SCALESIM_CHECKS
            precondition(index >= 0 && index < count, "PODBuffer index \(index) out of 0..<\(count)")
            #endif
            return base + index
        }
    }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    @inline(__always)
    mutating func removeLast() -> Element {
        count -= 1
        return base[count]
    }

    @inline(__always)
    mutating func popLast() -> Element? {
        count == 0 ? nil : removeLast()
    }

    /// A copy of the elements, for tests and reports (not for the hot loop).
    var elements: [Element] { Array(UnsafeBufferPointer(start: base, count: count)) }

    @inline(never)
    private mutating func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: count)
        owner.base.deallocate()
        owner.base = bigger
        base = bigger
        capacity *= 2
    }
}
