/// Builds a `Model` step by step for a front end: adds resources (single or one per
/// instance), samplers with named streams, and program steps with labels for forward jumps.
///
/// Resources added per instance are consecutive, so a step that names the first one and the
/// router that chose the instance (`on:`) reaches the right one.
struct ModelAssembler {
    private(set) var model: Model
    /// Steps whose jump target is a label not placed yet: step index -> label.
    private var pending: [(step: Int, label: Label, field: JumpField)] = []
    private var placed: [Label: Int] = [:]
    private var nextLabel = 0

    /// A place in a program, placed once with `place(_:)`.
    struct Label: Hashable { fileprivate let id: Int }

    private enum JumpField { case jump, hit, miss, key, next }

    init(name: String) { model = Model(name: name) }

    // MARK: Resources

    mutating func requestClass(_ name: String, timeout: Double?, retry: Model.RetryPolicy? = nil,
                               background: Bool = false) -> Int {
        var requestClass = Model.RequestClass(name: name, timeout: timeout, retry: retry)
        requestClass.background = background
        model.classes.append(requestClass)
        return model.classes.count - 1
    }

    /// `count` CPUs named `name[i]` (or `name` when there is one); returns the first index.
    mutating func cpus(_ name: String, count: Int = 1, cores: Int, discipline: Model.CPU.Discipline = .ps,
                       capacity: Int? = nil) -> Int {
        let first = model.cpus.count
        for i in 0..<count {
            model.cpus.append(.init(name: Self.instanceName(name, i, count), cores: cores,
                                    discipline: discipline, capacity: capacity))
        }
        return first
    }

    mutating func delays(_ name: String, count: Int = 1) -> Int {
        let first = model.delays.count
        for i in 0..<count { model.delays.append(.init(name: Self.instanceName(name, i, count))) }
        return first
    }

    mutating func pools(_ name: String, count: Int = 1, capacity: Int, queueLimit: Int? = nil) -> Int {
        let first = model.pools.count
        for i in 0..<count {
            model.pools.append(.init(name: Self.instanceName(name, i, count), capacity: capacity, queueLimit: queueLimit))
        }
        return first
    }

    mutating func cache(_ cache: Model.Cache) -> Int {
        model.caches.append(cache)
        return model.caches.count - 1
    }

    mutating func router(_ name: String, policy: Model.Router.Policy, instances: Int, slot: Int,
                         healthCheck: Model.HealthCheck? = nil, autoscaling: Model.Autoscaling? = nil,
                         keyPlacement: Model.KeyPlacement? = nil) -> Int {
        var router = Model.Router(name: name, policy: policy, instances: instances, streamName: "router:\(name)", slot: slot)
        router.healthCheck = healthCheck
        router.autoscaling = autoscaling
        router.keyPlacement = keyPlacement
        model.routers.append(router)
        return model.routers.count - 1
    }

    /// A part that fails as a whole; returns its index (what a `Fault` names).
    mutating func component(_ component: Model.Component) -> Int {
        model.components.append(component)
        return model.components.count - 1
    }

    /// Gives `router`'s instances their components: instance i is `components[i]`.
    mutating func route(_ router: Int, over components: [Int]) {
        precondition(components.count == model.routers[router].instances, "one component per instance")
        model.routers[router].components = components
    }

    mutating func fault(_ fault: Model.Fault) { model.faults.append(fault) }

    /// The load over time (nil: constant).
    mutating func profile(_ profile: Model.RateProfile?) { model.profile = profile }

    /// A sampler drawing from the stream `stream` (a stable name: the same name in two stages
    /// gives the same numbers, which is what makes stage comparisons sharp).
    mutating func sampler(_ distribution: Distribution, stream: String) -> Int {
        if let existing = model.samplers.firstIndex(of: .init(distribution, streamName: stream)) { return existing }
        model.samplers.append(.init(distribution, streamName: stream))
        return model.samplers.count - 1
    }

    static func instanceName(_ name: String, _ i: Int, _ count: Int) -> String {
        count == 1 ? name : "\(name)[\(i)]"
    }

    mutating func source(_ source: Model.Source) { model.sources.append(source) }

    // MARK: Programs

    /// The index the next step will have.
    var here: Int { model.steps.count }

    mutating func emit(_ step: Model.Step) { model.steps.append(step) }

    /// Occupies `server` for a time from `distribution` (skipped when it is always zero).
    mutating func use(_ server: Model.Server, _ distribution: Distribution, stream: String, on router: Int? = nil) {
        if case .deterministic(let value) = distribution, value == 0 { return }
        emit(.use(server, sampler: sampler(distribution, stream: stream), on: router))
    }

    mutating func newLabel() -> Label {
        nextLabel += 1
        return Label(id: nextLabel)
    }

    mutating func place(_ label: Label) {
        precondition(placed[label] == nil, "label placed twice")
        placed[label] = here
    }

    mutating func jump(to label: Label) {
        pending.append((here, label, .jump))
        emit(.jump(to: -1))
    }

    /// A cache lookup: a hit continues at `hit`, a miss at the next step.
    mutating func lookup(cache: Int, hit: Label) {
        pending.append((here, hit, .hit))
        emit(.lookup(cache: cache, hit: -1, miss: here + 1))
    }

    /// Continues at `label` when the request drew `key` from `cache`, else at the next step.
    mutating func ifKey(cache: Int, key: Int, to label: Label) {
        pending.append((here, label, .key))
        emit(.ifKey(cache: cache, key: key, to: -1))
    }

    /// A fork of `branches` branches over `router`'s instances (see `Model.Step.fork`): the
    /// branch's steps follow, up to a `join`; the request continues at `then`.
    mutating func fork(router: Int, branches: Int, then label: Label) {
        pending.append((here, label, .next))
        emit(.fork(router: router, branches: branches, next: -1))
    }

    /// Resolves every jump to its label and returns the model.
    mutating func finish() -> Model {
        for (step, label, field) in pending {
            guard let target = placed[label] else { preconditionFailure("label never placed") }
            switch (model.steps[step], field) {
            case (.jump, .jump): model.steps[step] = .jump(to: target)
            case let (.lookup(cache, _, miss), .hit): model.steps[step] = .lookup(cache: cache, hit: target, miss: miss)
            case let (.lookup(cache, hit, _), .miss): model.steps[step] = .lookup(cache: cache, hit: hit, miss: target)
            case let (.ifKey(cache, key, _), .key): model.steps[step] = .ifKey(cache: cache, key: key, to: target)
            case let (.fork(router, branches, _), .next): model.steps[step] = .fork(router: router, branches: branches, next: target)
            default: preconditionFailure("label on a step that does not jump")
            }
        }
        pending = []
        return model
    }
}
