import Foundation

/// Targets of a network plan; each optional.
public struct NetworkSLO: Sendable, Hashable {
    /// End-to-end response time p99 of the network, seconds.
    public var p99: Double?
    /// At every FCFS station, the 99th percentile of the wait before service: `P(W > t) <= 1%`.
    public var waitP99: Double?
    /// Share of the requests lost to a full station (blocked at a capacity).
    public var errorRate: Double?

    public init(p99: Double? = nil, waitP99: Double? = nil, errorRate: Double? = nil) {
        self.p99 = p99; self.waitP99 = waitP99; self.errorRate = errorRate
    }

    public var isEmpty: Bool { p99 == nil && waitP99 == nil && errorRate == nil }

    /// The tail probability a wait target allows: the 99th percentile.
    static let waitTail = 0.01
}

/// What `NetworkPlanner.plan` is asked: the fewest servers with which an open network meets
/// its targets at its arrival rates times `scale`, with headroom.
public struct NetworkPlanRequest: Sendable {
    /// Every arrival rate is multiplied by this.
    public var scale: Double
    public var slo: NetworkSLO
    /// Spare capacity: the targets must hold at arrival rates × scale × (1 + headroom).
    public var headroom: Double
    /// The search gives up beyond this many servers in all.
    public var maximumServers: Int

    public init(scale: Double = 1, slo: NetworkSLO, headroom: Double, maximumServers: Int = 10_000) {
        self.scale = scale; self.slo = slo; self.headroom = headroom; self.maximumServers = maximumServers
    }

    /// The factor on the scenario's arrival rates at which the targets must hold.
    public var designScale: Double { scale * (1 + headroom) }
}

/// Analytic figures of one station of a candidate, at the request's scale.
public struct NetworkPlanStation: Sendable {
    public var name: String
    /// Servers; nil for delay and cache stations (not a knob).
    public var servers: Int?
    public var arrivalRate: Double
    public var utilization: Double?
    /// The 99th percentile of the wait before service (FCFS queue stations; nil when unstable).
    public var waitP99: Double?
    /// The wait formula: "M/M/c (exact)", "M/M/c/K (exact)", an approximation, or why none.
    public var method: String
}

/// One configuration of the network's servers and what the analytic model predicts for it.
public struct NetworkPlanCandidate: Sendable {
    /// Per station, in scenario order; nil for delay and cache stations.
    public var servers: [Int?]
    public var stations: [NetworkPlanStation]
    /// End-to-end p99 at the request's scale; nil when a station is overloaded or the network
    /// has a loop (no latency model).
    public var p99: Double?
    /// Share of the requests lost to full stations, at the request's scale.
    public var errorRate: Double
    /// Whether every target holds analytically at the design scale.
    public var meetsSLO: Bool
    /// The station that saturates first as the load grows: the most utilized at the design scale.
    public var bindsNext: String?
    public var verified: NetworkPlanVerification?

    /// The cost of the plan: one unit per server.
    public var cost: Int { servers.reduce(0) { $0 + ($1 ?? 0) } }
}

/// A candidate simulated at the request's scale with the scenario's run settings.
public struct NetworkPlanVerification: Sendable {
    public var p99: Estimate
    public var errorRate: Estimate
    /// The largest `P(W > wait target)` over the FCFS stations, at the upper end of what the
    /// simulated wait probability and mean wait allow (see `NetworkPlanner.simulatedWaitTail`);
    /// nil without a wait target.
    public var waitTail: Double?
    /// Whether every target holds at the interval's worse end.
    public var met: Bool
}

/// The answer of `NetworkPlanner.plan`.
public struct NetworkPlanResult: Sendable {
    public var request: NetworkPlanRequest
    public var scenario: NetworkScenario
    /// The scenario's own servers.
    public var current: NetworkPlanCandidate
    /// The fewest servers found that meet every target; nil when none (see `reason`).
    public var best: NetworkPlanCandidate?
    /// Why there is no plan.
    public var reason: String?
    /// Approximations used and what the model leaves out.
    public var notes: [String]
    /// Analytic evaluations the search made.
    public var evaluations: Int
}

/// Plans the servers of each queue station of an open network (`scalesim plan` on a network).
///
/// The knobs are the `servers` of every queue station (delay and cache stations have none),
/// and a plan costs one unit per server. The search:
/// 1. Arrival rates per station at the design scale from the traffic equations
///    (`NetworkAnalytic`, which also settles cache hit ratios and blocking).
/// 2. Per station, the fewest servers that are stable (`c > lambda E[S]`; a station with a
///    capacity never overflows, so 1 will do unless an end-to-end p99 is asked) and meet the
///    wait target. In an open network each station's wait depends only on its own servers and
///    arrival rate, so this is exact: for exponential service the smallest c with
///    `C(c, a) exp(-(c mu - lambda) t) <= 1%` (Erlang C). Where a capacity thins the stream,
///    rates depend on upstream servers, and the step repeats until nothing changes.
/// 3. For an end-to-end p99 or an error rate, a greedy ascent: add the server that lowers the
///    shortfall most per server (the log of how far p99 and the loss are above their targets),
///    re-applying step 2, until every target holds or `maximumServers` is reached. The p99 is
///    `ModelAnalytic`'s (the network compiled to the Model), which needs a loop-free network.
///
/// The end-to-end p99 decreases with every server added, so greedy finds a plan whenever one
/// exists below the cap; it is the cheapest for one knob and in practice close to it for
/// several (no exhaustive search is made).
public enum NetworkPlanner {
    public enum PlanError: Error, CustomStringConvertible {
        case closed
        case noTargets
        case processorSharing(String)
        case loop
        case noCapacity
        case trapped([String])

        public var description: String {
            switch self {
            case .closed:
                return "plan needs an open network (arrivals); this one has a closed population, whose "
                    + "throughput falls as it slows down, so there is no load to plan for"
            case .noTargets:
                return "a network scenario has no SLO of its own: give --slo, e.g. p99=500ms or wait-p99=100ms"
            case .processorSharing(let name):
                return "wait-p99: station \"\(name)\" serves by processor sharing, where every request starts "
                    + "service at once and nobody waits before it; plan it with p99 (end to end) instead"
            case .loop:
                return "p99: the end-to-end latency model follows each request's path and needs a loop-free "
                    + "network, and this one routes requests back to earlier stations; use wait-p99 (any open network)"
            case .noCapacity:
                return "errors: no station of this network has a capacity, so no request is ever lost; "
                    + "use p99 or wait-p99"
            case .trapped(let names):
                return "requests that reach \(names.joined(separator: ", ")) never leave (routing probabilities "
                    + "sum to 1 on a cycle): no steady state to plan for"
            }
        }
    }

    /// Finds the fewest servers that meet `request.slo` at the design scale (analytic only).
    public static func plan(_ scenario: NetworkScenario, _ request: NetworkPlanRequest) throws -> NetworkPlanResult {
        guard scenario.population == nil else { throw PlanError.closed }
        guard !request.slo.isEmpty else { throw PlanError.noTargets }
        var search = NetworkPlanSearch(scenario: scenario, request: request)
        if request.slo.waitP99 != nil, let ps = search.knobs.first(where: { search.discipline($0) == .ps }) {
            throw PlanError.processorSharing(scenario.stations[ps].name)
        }
        let loopFree = ModelAnalytic.solve(scenario.compile().model, findLimit: false) != nil
        if request.slo.p99 != nil, !loopFree { throw PlanError.loop }
        if request.slo.errorRate != nil, !search.knobs.contains(where: { search.capacity($0) != nil }) {
            throw PlanError.noCapacity
        }
        let rates = NetworkAnalytic.solve(scenario).stations.map(\.arrivalRate)
        let trapped = rates.indices.filter { !rates[$0].isFinite }
        if !trapped.isEmpty { throw PlanError.trapped(trapped.map { scenario.stations[$0].name }) }

        let currentServers = scenario.stations.map(NetworkPlanSearch.servers)
        let current = search.candidate(currentServers)
        var reason: String?
        var best: NetworkPlanCandidate?
        switch search.search() {
        case .success(let servers): best = search.candidate(servers)
        case .failure(let why): reason = why.description
        }
        return NetworkPlanResult(request: request, scenario: scenario, current: current, best: best,
                                 reason: reason, notes: search.notes(loopFree: loopFree), evaluations: search.evaluations)
    }

    /// Simulates the plan (and the scenario's own servers, when analytically stable) at the
    /// request's scale with the scenario's run settings, and records whether every target
    /// holds at the confidence interval's worse end.
    public static func verify(_ result: NetworkPlanResult, jobs: Int, limits: EngineLimits = EngineLimits(),
                              control: RunControl? = nil) -> NetworkPlanResult {
        var result = result
        let search = NetworkPlanSearch(scenario: result.scenario, request: result.request)
        func simulate(_ candidate: NetworkPlanCandidate) -> NetworkPlanCandidate {
            var c = candidate
            let scenario = search.scenario(candidate.servers, scale: result.request.scale)
            let report = NetworkReport.run(scenario, jobs: jobs, limits: limits, control: control)
            let slo = result.request.slo
            let worse = { (e: Estimate) in e.mean + (e.halfWidth ?? 0) }
            let tail = slo.waitP99.map { t in
                search.knobs.filter { search.discipline($0) == .fcfs }
                    .map { simulatedWaitTail(t, report.summary.stations[$0]) }.max() ?? 0
            }
            let met = (slo.p99.map { worse(report.summary.system.p99) <= $0 } ?? true)
                && (slo.errorRate.map { worse(report.summary.system.errorRate) <= $0 } ?? true)
                && (tail.map { $0 <= NetworkSLO.waitTail } ?? true)
            c.verified = NetworkPlanVerification(p99: report.summary.system.p99, errorRate: report.summary.system.errorRate,
                                                 waitTail: tail, met: met)
            return c
        }
        if result.current.stations.allSatisfy({ $0.utilization.map { $0 < 1 } ?? true }) {
            result.current = simulate(result.current)
        }
        result.best = result.best.map(simulate)
        return result
    }

    /// An upper estimate of `P(W > t)` at a simulated station: the wait probability P at its
    /// interval's upper end times `exp(-t / m)`, with m the mean wait of those who wait at its
    /// upper end (mean wait's upper end over P's lower end). Exact for M/M/c, where the wait of
    /// those who wait is exponential; the engine keeps no per-station wait histogram.
    static func simulatedWaitTail(_ t: Double, _ station: NetworkSummary.Station) -> Double {
        guard let p = station.waitProbability, let w = station.meanWait, p.mean.isFinite, w.mean.isFinite else { return 0 }
        let high = min(1, p.mean + (p.halfWidth ?? 0)), low = max(0, p.mean - (p.halfWidth ?? 0))
        let meanWait = w.mean + (w.halfWidth ?? 0)
        guard high > 0, meanWait > 0 else { return 0 }
        return high * exp(-t * low / meanWait)
    }
}
