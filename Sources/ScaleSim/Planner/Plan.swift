/// The cheapest configuration of a stage that meets an SLO at a number of users
/// (`scalesim plan`), over the knobs a team actually turns.
///
/// The search is analytic (`ModelAnalytic` through `analyticCheck`, milliseconds each): every
/// combination of CDN on or off, cache nodes and TTL (or no cache), read replicas, database
/// cores and API workers is tried with the fewest API instances that pass (a bisection: more
/// instances never hurt), cheapest combinations first, and a combination that cannot beat the
/// best plan so far even with one instance is skipped. The winner and the runners-up close to
/// it in cost are then simulated to confirm them (`PlanVerification`).
public struct PlanRequest: Sendable {
    /// The users the plan must serve.
    public var users: Int
    /// Index of the stage in the scenario.
    public var stage: Int
    public var slo: ArchitectureScenario.SLO
    /// Spare capacity asked for: the SLO must hold at `users × (1 + headroom)`.
    public var headroom: Double
    /// The values the search tries.
    public var grid: PlanGrid

    public init(users: Int, stage: Int, slo: ArchitectureScenario.SLO, headroom: Double, grid: PlanGrid = PlanGrid()) {
        self.users = users; self.stage = stage; self.slo = slo; self.headroom = headroom; self.grid = grid
    }

    /// The load the SLO must hold at.
    public var designUsers: Int { Int((Double(users) * (1 + headroom)).rounded(.up)) }
}

/// The values the planner tries for each knob (the scenario's own values are always tried too).
public struct PlanGrid: Sendable {
    public var databaseCores = [1, 2, 4, 8, 16, 32, 64]
    public var replicas = Array(0...8)
    /// 0: no cache.
    public var cacheNodes = [0, 1, 2, 4]
    public var cacheTTLs: [Double] = [60, 300]
    /// Multiples of the scenario's workers per instance.
    public var workerFactors = [1, 2, 4]
    /// Also try the CDN off (on) when the stage has it (has not).
    public var toggleCDN = true
    public var maximumInstances = 256
    public init() {}
}

/// The values of the knobs the planner turns.
public struct PlanKnobs: Sendable, Hashable {
    public var apiInstances: Int
    public var workersPerInstance: Int
    public var databaseCores: Int
    public var replicas: Int
    /// 0: no cache.
    public var cacheNodes: Int
    public var cacheTTL: Double
    public var cdn: Bool
}

public struct PlanCandidate: Sendable {
    public var knobs: PlanKnobs
    public var stage: ArchitectureScenario.Stage
    public var costPerHour: Double
    /// The analytic p99 and error rate at the request's users (not the headroom's).
    public var p99: Double?
    public var errorRate: Double
    /// The resource that binds first as the load grows past the design load.
    public var bindsNext: String?
    /// The simulation's verdict at the request's users, when verified.
    public var verified: PlanVerification?
}

/// A candidate simulated at the request's users.
public struct PlanVerification: Sendable, Hashable {
    public var p99: Estimate
    public var errorRate: Estimate
    /// Whether the SLO holds at the interval's worse end (mean + half-width).
    public var met: Bool
}

public struct PlanResult: Sendable {
    public var request: PlanRequest
    public var scenario: ArchitectureScenario
    /// The stage as the scenario has it, with its cost and analytic verdict at the request.
    public var current: PlanCandidate
    /// The cheapest configuration that passes, nil when none on the grid does.
    public var best: PlanCandidate?
    /// Other passing configurations within 25% of the best cost, cheapest first (at most 3).
    public var runnersUp: [PlanCandidate]
    /// Analytic evaluations the search made.
    public var evaluations: Int
}

extension ArchitectureScenario {
    /// A component of `kind` as the stage has it, or else as the nearest stage that has one
    /// (later stages first): what the planner adds when it turns a component on.
    func template<T>(_ index: Int, _ read: (Stage) -> T?) -> T? {
        if let own = read(stages[index]) { return own }
        let order = Array(stages.indices[(index + 1)...]) + stages.indices[..<index].reversed()
        for i in order { if let found = read(stages[i]) { return found } }
        return nil
    }
}

public enum Planner {
    public enum PlanError: Error, CustomStringConvertible {
        case sharedHost(String)
        case noAnalyticModel(String)
        public var description: String {
            switch self {
            case .sharedHost(let name):
                return "stage \"\(name)\" runs the API and the database on one host; plan a stage where they are split (--stage)"
            case .noAnalyticModel(let name):
                return "stage \"\(name)\" has no analytic model"
            }
        }
    }

    /// Finds the cheapest configuration (see `PlanRequest`); analytic only, no simulation.
    public static func plan(_ scenario: ArchitectureScenario, _ request: PlanRequest) throws -> PlanResult {
        let base = scenario.stages[request.stage]
        guard base.host == nil else { throw PlanError.sharedHost(base.name) }
        var search = PlanSearch(scenario: scenario, request: request)
        guard let current = search.candidate(base, knobs: PlanSearch.knobs(of: base)) else {
            throw PlanError.noAnalyticModel(base.name)
        }
        var passing: [PlanCandidate] = []
        var best = Double.infinity
        for knobs in search.combinations() {
            // Sorted by this floor: past 125% of the best, nothing later can be a runner-up.
            let floor = search.stage(knobs, instances: 1).costPerHour
            if floor > best * 1.25 { break }
            guard let instances = search.fewestInstances(knobs) else { continue }
            var k = knobs
            k.apiInstances = instances
            let stage = search.stage(k, instances: instances)
            guard let candidate = search.candidate(stage, knobs: k) else { continue }
            passing.append(candidate)
            best = min(best, candidate.costPerHour)
        }
        // Cheapest first; on equal cost the smaller change from the scenario.
        passing.sort { a, b in
            a.costPerHour != b.costPerHour ? a.costPerHour < b.costPerHour
                : search.distance(a.knobs, current.knobs) < search.distance(b.knobs, current.knobs)
        }
        let winner = passing.first
        // Runners-up differ in more than the free knob (workers); one per configuration.
        var seen: Set<PlanKnobs> = []
        func key(_ k: PlanKnobs) -> PlanKnobs { var k = k; k.workersPerInstance = 0; return k }
        if let winner { seen.insert(key(winner.knobs)) }
        let runnersUp = passing.dropFirst()
            .filter { $0.costPerHour <= (winner?.costPerHour ?? 0) * 1.25 && seen.insert(key($0.knobs)).inserted }
            .prefix(3)
        return PlanResult(request: request, scenario: scenario, current: current, best: winner,
                          runnersUp: Array(runnersUp), evaluations: search.evaluations)
    }
}

/// The search's state: the scenario, the templates of components it may add, and a count.
struct PlanSearch {
    let scenario: ArchitectureScenario
    let request: PlanRequest
    let base: ArchitectureScenario.Stage
    var evaluations = 0

    init(scenario: ArchitectureScenario, request: PlanRequest) {
        self.scenario = scenario
        self.request = request
        base = scenario.stages[request.stage]
    }

    static func knobs(of s: ArchitectureScenario.Stage) -> PlanKnobs {
        PlanKnobs(apiInstances: s.api.instances, workersPerInstance: s.api.workersPerInstance,
                  databaseCores: s.database.cores, replicas: s.replicas?.count ?? 0,
                  cacheNodes: s.cache?.nodes ?? 0, cacheTTL: s.cache?.ttl ?? 30, cdn: s.cdn != nil)
    }

    /// Every combination of the knobs other than API instances, the scenario's values included.
    func combinations() -> [PlanKnobs] {
        let current = Self.knobs(of: base)
        let grid = request.grid
        let canCDN = grid.toggleCDN && scenario.template(request.stage, \.cdn) != nil
            && scenario.template(request.stage, \.objectStorage) != nil
        let canCache = base.cache != nil || scenario.template(request.stage, \.cache) != nil
        let ttls = Array(Set(grid.cacheTTLs + [current.cacheTTL])).sorted()
        let workers = Array(Set(grid.workerFactors + [1])).sorted().map { current.workersPerInstance * $0 }
        var all: [PlanKnobs] = []
        for cdn in canCDN ? [false, true] : [current.cdn] {
            for nodes in canCache ? Array(Set(grid.cacheNodes + [current.cacheNodes])).sorted() : [0] {
                for ttl in nodes == 0 ? [current.cacheTTL] : ttls {
                    for replicas in Array(Set(grid.replicas + [current.replicas])).sorted() {
                        for cores in Array(Set(grid.databaseCores + [current.databaseCores])).sorted() {
                            for w in workers {
                                all.append(PlanKnobs(apiInstances: 1, workersPerInstance: w, databaseCores: cores,
                                                     replicas: replicas, cacheNodes: nodes, cacheTTL: ttl, cdn: cdn))
                            }
                        }
                    }
                }
            }
        }
        // Cheapest first (with one API instance), so the bound prunes early.
        return all.map { ($0, stage($0, instances: 1).costPerHour) }.sorted { $0.1 < $1.1 }.map(\.0)
    }

    /// The stage with these knobs: components turned on are taken from the scenario's other
    /// stages; the database's cost scales with its cores.
    func stage(_ k: PlanKnobs, instances: Int) -> ArchitectureScenario.Stage {
        var s = base
        s.api.instances = instances
        s.api.workersPerInstance = k.workersPerInstance
        if k.databaseCores != base.database.cores {
            s.database.costPerHour = base.database.costPerHour * Double(k.databaseCores) / Double(base.database.cores)
            s.database.cores = k.databaseCores
        }
        if k.replicas == 0 {
            s.replicas = nil
        } else {
            var r = scenario.template(request.stage, \.replicas)
                ?? .init(count: 1, coresEach: k.databaseCores, connectionsEach: s.database.connections, replicationLag: 0,
                         costPerReplicaPerHour: s.database.costPerHour, notes: nil)
            r.count = k.replicas
            s.replicas = r
        }
        if k.cacheNodes == 0 {
            s.cache = nil
        } else if var c = scenario.template(request.stage, \.cache) {
            c.nodes = k.cacheNodes
            c.ttl = k.cacheTTL
            s.cache = c
        }
        if k.cdn {
            s.cdn = scenario.template(request.stage, \.cdn)
            s.objectStorage = s.objectStorage ?? scenario.template(request.stage, \.objectStorage)
        } else {
            s.cdn = nil
        }
        if instances > 1, s.loadBalancer == nil {
            s.loadBalancer = scenario.template(request.stage, \.loadBalancer)
                ?? .init(policy: .leastConnections, latency: 0.000_25, costPerHour: 0, notes: nil)
        }
        return s
    }

    /// Whether `stage` meets the request's SLO at `users`, analytically.
    mutating func passes(_ stage: ArchitectureScenario.Stage, users: Int) -> (Bool, ModelAnalytic?, Model?) {
        var s = scenario
        var candidate = stage
        candidate.slo = request.slo
        s.stages[request.stage] = candidate
        evaluations += 1
        guard let check = s.analyticCheck(stage: request.stage, users: users) else { return (false, nil, nil) }
        return (check.passes, check.analytic, check.model)
    }

    /// The fewest API instances with which `k` passes at the design load, or nil.
    mutating func fewestInstances(_ k: PlanKnobs) -> Int? {
        let users = request.designUsers
        let most = max(request.grid.maximumInstances, base.api.instances)
        guard passes(stage(k, instances: most), users: users).0 else { return nil }
        var lo = 0, hi = most
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if passes(stage(k, instances: mid), users: users).0 { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// The candidate's figures at the request's users and what binds past the design load.
    mutating func candidate(_ stage: ArchitectureScenario.Stage, knobs: PlanKnobs) -> PlanCandidate? {
        let (_, analytic, _) = passes(stage, users: request.users)
        guard let analytic else { return nil }
        var s = scenario
        s.stages[request.stage] = stage
        let model = s.compile(stage: request.stage, users: request.designUsers).model.requestsOnly
        let limit = ModelAnalytic.solve(model)
        return PlanCandidate(knobs: knobs, stage: stage, costPerHour: stage.costPerHour, p99: analytic.p99,
                             errorRate: analytic.errorRate, bindsNext: limit?.bottleneck?.name(in: model), verified: nil)
    }

    /// How many knobs differ (to prefer the smaller change among equal costs).
    func distance(_ a: PlanKnobs, _ b: PlanKnobs) -> Int {
        [a.apiInstances != b.apiInstances, a.workersPerInstance != b.workersPerInstance, a.databaseCores != b.databaseCores,
         a.replicas != b.replicas, a.cacheNodes != b.cacheNodes, a.cacheTTL != b.cacheTTL, a.cdn != b.cdn]
            .filter { $0 }.count
    }
}

extension Planner {
    /// Simulates the best plan and its runners-up at the request's users (the scenario's run
    /// settings) and records whether each meets the SLO at the interval's worse end. The best
    /// plan becomes the cheapest candidate that the simulation confirms.
    public static func verify(_ result: PlanResult, jobs: Int, limits: EngineLimits = EngineLimits(),
                              control: RunControl? = nil) -> PlanResult {
        let verifications = simulationTargets(result).map { simulate($0, of: result, jobs: jobs, limits: limits, control: control) }
        return applying(verifications, to: result)
    }

    /// The candidates `verify` simulates, in its order: the scenario's stage, the plan, then
    /// the runners-up. A sharded plan (`PlanPart`) deals these out by their index.
    public static func simulationTargets(_ result: PlanResult) -> [PlanCandidate] {
        [result.current] + [result.best].compactMap { $0 } + result.runnersUp
    }

    /// Simulates one candidate of `result` at the request's users with the scenario's run
    /// settings (its figures depend only on the scenario, the request and the candidate, not on
    /// `jobs` or on the other candidates); nil when no request completed.
    public static func simulate(_ candidate: PlanCandidate, of result: PlanResult, jobs: Int,
                                limits: EngineLimits = EngineLimits(), control: RunControl? = nil) -> PlanVerification? {
        var s = result.scenario
        var stage = candidate.stage
        stage.slo = result.request.slo
        stage.users = result.request.users
        s.stages = [stage]
        let report = ArchitectureReport.run(s, jobs: jobs, limits: limits, control: control, capacity: .none)
        guard let r = report.stages.first, let p99 = r.latency["p99"] else { return nil }
        let worse = { (e: Estimate) in e.mean + (e.halfWidth ?? 0) }
        let met = (result.request.slo.p99.map { worse(p99) <= $0 } ?? true)
            && (result.request.slo.errorRate.map { worse(r.errorRate) <= $0 } ?? true)
        return PlanVerification(p99: p99, errorRate: r.errorRate, met: met)
    }

    /// `result` with the verdicts of its `simulationTargets` (one each, in order): the best plan
    /// becomes the cheapest candidate the simulation confirms, the others its runners-up.
    public static func applying(_ verifications: [PlanVerification?], to result: PlanResult) -> PlanResult {
        precondition(verifications.count == simulationTargets(result).count, "one verdict per simulated candidate")
        var result = result
        func verified(_ c: PlanCandidate, _ v: PlanVerification?) -> PlanCandidate {
            var c = c
            if let v { c.verified = v }
            return c
        }
        result.current = verified(result.current, verifications[0])
        let candidates = zip(simulationTargets(result).dropFirst(), verifications.dropFirst()).map(verified)
        if let confirmed = candidates.first(where: { $0.verified?.met == true }) {
            result.best = confirmed
            result.runnersUp = candidates.filter { $0.knobs != confirmed.knobs }
        } else {
            result.best = candidates.first
            result.runnersUp = Array(candidates.dropFirst())
        }
        return result
    }
}
