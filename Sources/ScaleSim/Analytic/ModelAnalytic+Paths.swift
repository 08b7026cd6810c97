/// The ways a request can go through its program, found once per model.
///
/// Architecture programs run forward: a lookup forks into its hit and miss continuations, a
/// branch table into its targets, and nothing jumps back. So every program is a finite set
/// of paths, each with a probability that is a product of fixed branch probabilities and
/// cache hit (or miss) probabilities; the analytic model weighs the paths by those.
struct ProgramPath {
    /// What a request does at a step of the path, in order.
    enum Visit: Hashable {
        case use(Model.Server, sampler: Int, on: Int?)
        case acquire(pool: Int, on: Int?)
        case release(pool: Int, on: Int?)
    }

    var source: Int
    var classIndex: Int
    /// The probability of this path among the source's requests, without its lookups.
    var fixedProbability: Double
    /// The lookups on the path and their outcome, in order.
    var lookups: [(cache: Int, hit: Bool)]
    var visits: [Visit]

    /// The path's probability when cache `c` hits with probability `hitRatios[c]`.
    func probability(hitRatios: [Double]) -> Double {
        lookups.reduce(fixedProbability) { p, lookup in
            p * (lookup.hit ? hitRatios[lookup.cache] : 1 - hitRatios[lookup.cache])
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
                guard walk(model, from: start.entry, first, into: &paths) else { return nil }
            }
        }
        return paths
    }

    /// Follows `path` from `step` to every `done`, appending finished paths; false on a
    /// backward jump or too many paths.
    private static func walk(_ model: Model, from step: Int, _ path: ProgramPath,
                             into paths: inout [ProgramPath]) -> Bool {
        var path = path, step = step
        while true {
            guard step >= 0, step < model.steps.count, paths.count < maximumPaths else { return false }
            switch model.steps[step] {
            case let .use(server, sampler, on):
                path.visits.append(.use(server, sampler: sampler, on: on))
            case let .acquire(pool, on):
                path.visits.append(.acquire(pool: pool, on: on))
            case let .release(pool, on):
                path.visits.append(.release(pool: pool, on: on))
            case .route, .leave, .fill, .drawKey:
                break
            case let .lookup(cache, hit, miss):
                guard hit > step, miss > step else { return false }
                var hitPath = path, missPath = path
                hitPath.lookups.append((cache, true))
                missPath.lookups.append((cache, false))
                return walk(model, from: hit, hitPath, into: &paths) && walk(model, from: miss, missPath, into: &paths)
            case .branch(let table):
                let branch = model.branches[table]
                for (p, target) in zip(branch.probabilities, branch.targets) where p > 0 {
                    guard target > step else { return false }
                    var next = path
                    next.fixedProbability *= p
                    guard walk(model, from: target, next, into: &paths) else { return false }
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
}
