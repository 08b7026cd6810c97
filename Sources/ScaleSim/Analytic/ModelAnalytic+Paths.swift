/// The ways a request can go through its program, found once per model.
///
/// Architecture programs run forward: a lookup forks into its hit and miss continuations, a
/// branch table into its targets, a route by key into the instance that holds the key, and
/// nothing jumps back. So every program is a finite set of paths, each with a probability
/// that is a product of fixed branch probabilities, cache hit (or miss) probabilities and the
/// share of keys an instance holds; the analytic model weighs the paths by those.
struct ProgramPath {
    /// What a request does at a step of the path, in order.
    indirect enum Visit: Hashable {
        case use(Model.Server, sampler: Int, on: Span?)
        case acquire(pool: Int, on: Span?)
        case release(pool: Int, on: Span?)
        /// A fork-join: every body runs `copies` times at once (each copy on its own instance),
        /// and the request waits for the slowest.
        case forkJoin(bodies: [[Visit]], copies: Int)
    }

    /// Which instances of a per-instance resource a visit may use: `first ..< first + count`,
    /// each equally likely (a router's choice as the analysis knows it).
    struct Span: Hashable {
        var first: Int
        var count: Int
    }

    /// The instance a route by key chose on this path, and where the key came from.
    struct KeyChoice: Hashable {
        var router: Int
        var instance: Int
        /// The cache whose popularity drew the key.
        var cache: Int
        /// The index in `lookups` of the lookup that drew it (a miss before a read, either
        /// before a write); nil when a `drawKey` drew it.
        var lookup: Int?
    }

    var source: Int
    var classIndex: Int
    /// The probability of this path among the source's requests, without its lookups.
    var fixedProbability: Double
    /// The lookups on the path and their outcome, in order.
    var lookups: [(cache: Int, hit: Bool)]
    var visits: [Visit]
    /// The routes by key on the path (at most one per router: a request has one key).
    var keyChoices: [KeyChoice] = []

    /// The path's probability when cache `c` hits with probability `hitRatios[c]` and a key
    /// choice has the probability `keyShare(choice)`: for a key drawn by a lookup, the joint
    /// probability of the lookup's outcome on the path and the key being on that instance (it
    /// replaces the outcome's probability); for a key drawn without a lookup, the instance's
    /// share.
    func probability(hitRatios: [Double], keyShare: (KeyChoice) -> Double) -> Double {
        var p = fixedProbability
        for (j, lookup) in lookups.enumerated() where !keyChoices.contains(where: { $0.lookup == j }) {
            p *= lookup.hit ? hitRatios[lookup.cache] : 1 - hitRatios[lookup.cache]
        }
        for choice in keyChoices { p *= keyShare(choice) }
        return p
    }

    /// The probability that a request reaches each of the path's lookups, summed over the
    /// instances of its key choices: what the lookup rates need, before the keys' instances
    /// (which depend on the hit ratios) are known.
    func probabilityOverInstances(hitRatios: [Double], instances: (Int) -> Int) -> Double {
        probability(hitRatios: hitRatios) { choice in
            let n = Double(instances(choice.router))
            guard let j = choice.lookup else { return 1 / n }
            let hit = hitRatios[lookups[j].cache]
            return (lookups[j].hit ? hit : 1 - hit) / n
        }
    }

    /// Most paths one model may have before the analysis gives up (a program that forks at
    /// every step would otherwise grow without bound).
    static let maximumPaths = 10_000

    /// Every path of every source of `model`, or nil when a program jumps back (a loop: the
    /// network front end has its own analytic model for those) or has too many paths.
    static func enumerate(_ model: Model) -> [ProgramPath]? {
        var paths: [ProgramPath] = []
        for (index, source) in model.sources.enumerated() {
            let starts: [(classIndex: Int, entry: Int, probability: Double)]
            switch source {
            case let .open(classIndex, _, entry, _), let .closed(classIndex, _, _, entry):
                starts = [(classIndex, entry, 1)]
            case let .sessions(_, _, mix, _):
                starts = mix.map { ($0.classIndex, $0.entry, $0.probability) }
            }
            for start in starts where start.probability > 0 {
                let first = ProgramPath(source: index, classIndex: start.classIndex,
                                        fixedProbability: start.probability, lookups: [], visits: [])
                var walker = Walker(model: model)
                guard walker.walk(from: start.entry, first, into: &paths) else { return nil }
            }
        }
        return paths
    }

    /// What a walk knows at a step besides the path: the routers' choices it has bound.
    private struct Walker {
        let model: Model
        /// Router -> the instances its choice may be (a route by key, a fork's branch, a
        /// route within a group); a router not here spreads over all its serving instances.
        var bound: [Int: Span] = [:]
        /// Router -> the instance the request's key chose: a second route by key of the same
        /// router goes there again.
        var keyInstance: [Int: Int] = [:]
        /// The cache the request's key was drawn from, and the lookup that drew it.
        var keyCache: Int?, keyLookup: Int?

        init(model: Model) { self.model = model }

        func span(_ on: Int?) -> Span? {
            guard let on else { return nil }
            return bound[on] ?? Span(first: 0, count: model.routers[on].serving)
        }

        /// Follows `path` from `step` to every `done`, appending finished paths; false on a
        /// backward jump, a fork it cannot follow, or too many paths.
        mutating func walk(from step: Int, _ path: ProgramPath, into paths: inout [ProgramPath]) -> Bool {
            var path = path, step = step
            while true {
                guard step >= 0, step < model.steps.count, paths.count < maximumPaths else { return false }
                switch model.steps[step] {
                case let .use(server, sampler, on):
                    path.visits.append(.use(server, sampler: sampler, on: span(on)))
                case let .acquire(pool, on):
                    path.visits.append(.acquire(pool: pool, on: span(on)))
                case let .release(pool, on):
                    path.visits.append(.release(pool: pool, on: span(on)))
                case .route, .fill:
                    break
                case .leave(let router):
                    bound[router] = nil
                case .drawKey(let cache):
                    keyCache = cache
                    keyLookup = nil
                case let .routeWithin(router, group):
                    bound[router] = within(router, group)
                case .routeByKey(let router):
                    if let i = keyInstance[router] {
                        bound[router] = Span(first: i, count: 1)
                    } else {
                        guard let cache = keyCache else { return false }
                        for i in 0..<model.routers[router].instances {
                            var next = self, branch = path
                            next.keyInstance[router] = i
                            next.bound[router] = Span(first: i, count: 1)
                            branch.keyChoices.append(KeyChoice(router: router, instance: i, cache: cache, lookup: keyLookup))
                            guard next.walk(from: step + 1, branch, into: &paths) else { return false }
                        }
                        return true
                    }
                case let .fork(router, branches, next):
                    guard next > step, let fork = forkJoin(at: step, router: router, branches: branches) else { return false }
                    path.visits.append(fork)
                    step = next
                    continue
                case .join:
                    return false  // a branch's end outside a fork
                case let .lookup(cache, hit, miss):
                    guard hit > step, miss > step else { return false }
                    var hitPath = path, missPath = path
                    hitPath.lookups.append((cache, true))
                    missPath.lookups.append((cache, false))
                    var onHit = self, onMiss = self
                    onHit.keyCache = cache; onHit.keyLookup = path.lookups.count
                    onMiss.keyCache = cache; onMiss.keyLookup = path.lookups.count
                    return onHit.walk(from: hit, hitPath, into: &paths) && onMiss.walk(from: miss, missPath, into: &paths)
                case .branch(let table):
                    let branch = model.branches[table]
                    for (p, target) in zip(branch.probabilities, branch.targets) where p > 0 {
                        guard target > step else { return false }
                        var next = path
                        next.fixedProbability *= p
                        var walker = self
                        guard walker.walk(from: target, next, into: &paths) else { return false }
                    }
                    // What is left of 1 leaves the network: the request ends here.
                    let rest = 1 - branch.probabilities.reduce(0, +)
                    if rest > 1e-12 {
                        var ended = path
                        ended.fixedProbability *= rest
                        paths.append(ended)
                    }
                    return true
                case .jump(let target):
                    guard target > step else { return false }
                    step = target
                    continue
                case .ifKey:
                    // The hot keys' own fetches are left out: in the steady state a hot key is
                    // fetched a few times per TTL (once with coalescing), a negligible share.
                    break
                case .done, .fail:
                    // A failed request's work up to here loads the resources all the same.
                    paths.append(path)
                    return true
                }
                step += 1
            }
        }

        /// The instances of `router` that a route within `group`'s choice may take.
        func within(_ router: Int, _ group: Int) -> Span {
            let all = model.routers[router].instances, groups = model.routers[group].instances
            guard let g = bound[group], g.count == 1, groups > 0 else { return Span(first: 0, count: all) }
            let m = all / groups
            return Span(first: g.first * m, count: m)
        }

        /// The fork at `step`: with a branch for every instance, one body per instance; with
        /// fewer, one body over all of them, run `branches` times (each instance is as likely).
        func forkJoin(at step: Int, router: Int, branches: Int) -> Visit? {
            let n = model.routers[router].instances
            if branches >= n {
                var bodies: [[Visit]] = []
                for i in 0..<n {
                    var walker = self
                    walker.bound[router] = Span(first: i, count: 1)
                    guard let body = walker.body(from: step + 1) else { return nil }
                    bodies.append(body)
                }
                return .forkJoin(bodies: bodies, copies: 1)
            }
            var walker = self
            walker.bound[router] = Span(first: 0, count: n)
            guard let body = walker.body(from: step + 1) else { return nil }
            return .forkJoin(bodies: [body], copies: branches)
        }

        /// A fork's branch from `step` to its `join`: straight-line steps only.
        mutating func body(from step: Int) -> [Visit]? {
            var visits: [Visit] = [], step = step
            while step < model.steps.count {
                switch model.steps[step] {
                case let .use(server, sampler, on): visits.append(.use(server, sampler: sampler, on: span(on)))
                case let .acquire(pool, on): visits.append(.acquire(pool: pool, on: span(on)))
                case let .release(pool, on): visits.append(.release(pool: pool, on: span(on)))
                case let .routeWithin(router, group): bound[router] = within(router, group)
                case .leave(let router): bound[router] = nil
                case .route: break
                case .join: return visits
                default: return nil
                }
                step += 1
            }
            return nil
        }
    }
}
