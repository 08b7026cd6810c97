/// What a request holds while it is at a step: pool units it acquired and routers whose
/// connection count it is part of. A request that fails part-way (blocked at a full CPU)
/// must give these back, or the pool leaks units and the router miscounts connections.
enum Held: Hashable {
    case pool(Int, on: Int?)
    case router(Int)
}

extension Model {
    /// For every step, what a request holds when it reaches it, found once by walking the
    /// programs from every source's entry. Nothing is added to the per-event path.
    ///
    /// Programs are structured (a step is reached holding the same things by every path), so
    /// the first path that reaches a step decides.
    func heldAtSteps() -> [[Held]] {
        var held = [[Held]?](repeating: nil, count: steps.count)
        var work: [(step: Int, holding: [Held])] = sources.flatMap { source in
            switch source {
            case .open(_, _, let entry, _), .closed(_, _, _, let entry): return [(entry, [Held]())]
            case .sessions(_, _, let mix, _): return mix.map { ($0.entry, [Held]()) }
            }
        }
        while let (step, holding) = work.popLast() {
            guard step >= 0, step < steps.count, held[step] == nil else { continue }
            held[step] = holding
            switch steps[step] {
            case .use, .fill, .drawKey:
                work.append((step + 1, holding))
            case let .acquire(pool, on):
                work.append((step + 1, holding + [.pool(pool, on: on)]))
            case let .release(pool, on):
                var rest = holding
                if let i = rest.lastIndex(of: .pool(pool, on: on)) { rest.remove(at: i) }
                work.append((step + 1, rest))
            case .route(let router):
                work.append((step + 1, holding + [.router(router)]))
            case .leave(let router):
                var rest = holding
                if let i = rest.lastIndex(of: .router(router)) { rest.remove(at: i) }
                work.append((step + 1, rest))
            case let .lookup(_, hit, miss):
                work.append((hit, holding))
                work.append((miss, holding))
            case .branch(let table):
                for target in branches[table].targets { work.append((target, holding)) }
            case .jump(let to):
                work.append((to, holding))
            case let .ifKey(_, _, to):
                work.append((to, holding))
                work.append((step + 1, holding))
            case .routeByKey(let router), .routeWithin(let router, _):
                work.append((step + 1, holding + [.router(router)]))
            case let .fork(router, _, next):
                // A branch holds only its own instance of the router; the request what it held.
                work.append((step + 1, [.router(router)]))
                work.append((next, holding))
            case .done, .fail, .join:
                break
            }
        }
        return held.map { $0 ?? [] }
    }
}

extension Engine {
    /// Gives back everything request `slot` holds at its current step, last taken first.
    /// Rare (a failure), so kept out of line: inlined, it slowed the hot loop by about 15%.
    @inline(never)
    mutating func releaseHeld(slot: Int32) {
        let request = requests[Int(slot)]
        for item in heldAtStep[Int(request.step)].reversed() {
            switch item {
            case let .pool(base, on):
                release(pool: base + instance(of: request, on: on))
            case .router(let router):
                routers[router].active[instance(of: request, on: router)] -= 1
            }
        }
    }
}
