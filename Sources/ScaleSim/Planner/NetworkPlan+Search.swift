import Foundation

/// The state of a network plan's search (see `NetworkPlanner`): the scenario, its knobs (the
/// queue stations) and a count of the analytic evaluations made.
struct NetworkPlanSearch {
    let scenario: NetworkScenario
    let request: NetworkPlanRequest
    /// Indices of the queue stations, whose servers the plan sets.
    let knobs: [Int]
    /// Whether some queue station has a capacity (then rates depend on upstream servers).
    let hasCapacity: Bool
    var evaluations = 0

    init(scenario: NetworkScenario, request: NetworkPlanRequest) {
        self.scenario = scenario
        self.request = request
        knobs = scenario.stations.indices.filter { Self.servers(scenario.stations[$0]) != nil }
        hasCapacity = scenario.stations.contains { if case .queue(_, _, _?, _, _) = $0.kind { true } else { false } }
    }

    /// Why the search found no plan.
    enum Failure: Error, CustomStringConvertible {
        case beyondCap(Int)
        case unreachable(p99: Double?, loss: Double, servers: Int, slo: NetworkSLO)

        var description: String {
            switch self {
            case .beyondCap(let cap):
                return "the targets need more than \(Format.count(cap)) servers in all (the planner's cap)"
            case let .unreachable(p99, loss, servers, slo):
                var parts: [String] = []
                if let target = slo.p99 {
                    parts.append(p99.map { "p99 \(Format.time($0)) (target \(Format.time(target)))" } ?? "p99 unbounded")
                }
                if let target = slo.errorRate, loss > target {
                    parts.append("errors \(Format.percent(loss)) (target \(Format.percent(target)))")
                }
                return "even with \(Format.count(servers)) servers, every station far from saturation (or at its "
                    + "capacity), the targets do not hold: " + parts.joined(separator: ", ")
                    + "; the service times alone (or the capacities) rule them out"
            }
        }
    }

    // MARK: The scenario's stations

    static func servers(_ station: NetworkScenario.Station) -> Int? {
        if case .queue(let c, _, _, _, _) = station.kind { return c }
        return nil
    }

    func discipline(_ i: Int) -> NetworkScenario.Discipline? {
        if case .queue(_, let d, _, _, _) = scenario.stations[i].kind { return d }
        return nil
    }

    func capacity(_ i: Int) -> Int? {
        if case .queue(_, _, let k, _, _) = scenario.stations[i].kind { return k }
        return nil
    }

    func service(_ i: Int) -> Distribution? {
        if case .queue(_, _, _, let s, _) = scenario.stations[i].kind { return s }
        return nil
    }

    /// The scenario with these servers and every arrival rate times `scale`.
    func scenario(_ servers: [Int?], scale: Double) -> NetworkScenario {
        var s = scenario
        for a in s.arrivals.indices { s.arrivals[a].rate *= scale }
        for i in knobs {
            if case let .queue(_, d, k, service, next) = s.stations[i].kind, let c = servers[i] {
                s.stations[i].kind = .queue(servers: c, discipline: d, capacity: k, service: service, next: next)
            }
        }
        return s
    }

    static func total(_ servers: [Int?]) -> Int { servers.reduce(0) { $0 + ($1 ?? 0) } }

    // MARK: Analytic figures

    struct Evaluation {
        var analytic: NetworkAnalytic
        /// End-to-end p99 (`ModelAnalytic`); nil when unstable, not asked or not modelled.
        var p99: Double?
        /// Requests blocked anywhere over requests arriving from outside.
        var loss: Double
    }

    mutating func evaluate(_ servers: [Int?], scale: Double, latency: Bool) -> Evaluation {
        let s = scenario(servers, scale: scale)
        evaluations += 1
        let analytic = NetworkAnalytic.solve(s)
        let external = s.arrivals.reduce(0) { $0 + $1.rate }
        let blocked = analytic.stations.reduce(0) { $0 + $1.arrivalRate * ($1.blockingProbability ?? 0) }
        let p99 = latency ? ModelAnalytic.solve(s.compile().model, findLimit: false).flatMap { $0.stable ? $0.p99 : nil } : nil
        return Evaluation(analytic: analytic, p99: p99, loss: external > 0 ? blocked / external : 0)
    }

    /// `P(W > t)` at FCFS station `i` with `c` servers and arrival rate `lambda`: Erlang C's tail
    /// for exponential service, M/M/c/K's with a capacity, the Allen-Cunneen-style approximation
    /// otherwise (`QueueingFormulas`); nil when unstable.
    func waitTail(_ i: Int, _ t: Double, lambda: Double, servers c: Int) -> Double? {
        guard let service = service(i), discipline(i) == .fcfs else { return nil }
        let s = service.mean
        guard lambda > 0, s > 0 else { return 0 }
        if let k = capacity(i) {
            return QueueingFormulas.mmcKWaitTail(t, arrivalRate: lambda, meanService: s, servers: c, capacity: k)
        }
        if service.isExponential {
            return QueueingFormulas.mmcWaitTail(t, arrivalRate: lambda, meanService: s, servers: c)
        }
        return QueueingFormulas.mgcWaitTailApproximation(t, arrivalRate: lambda, meanService: s, scv: service.scv, servers: c)
    }

    /// The 99th percentile of the wait at station `i` (bisection on `waitTail`); nil when unstable.
    func waitQuantile(_ i: Int, lambda: Double, servers c: Int) -> Double? {
        guard let zero = waitTail(i, 0, lambda: lambda, servers: c) else { return nil }
        if zero <= NetworkSLO.waitTail { return 0 }
        var lo = 0.0, hi = max(service(i)?.mean ?? 1, 1e-9)
        var doublings = 0
        while doublings < 200, (waitTail(i, hi, lambda: lambda, servers: c) ?? 1) > NetworkSLO.waitTail {
            lo = hi; hi *= 2; doublings += 1
        }
        for _ in 0..<80 {
            let mid = (lo + hi) / 2
            if (waitTail(i, mid, lambda: lambda, servers: c) ?? 1) > NetworkSLO.waitTail { lo = mid } else { hi = mid }
        }
        return hi
    }

    /// The formula behind station `i`'s wait.
    func method(_ i: Int) -> String {
        switch scenario.stations[i].kind {
        case .delay: return "delay (no wait)"
        case .cache: return "cache (no wait)"
        case .queue(_, .ps, _, _, _): return "processor sharing (no wait)"
        case .queue(_, .fcfs, let k, let service, _):
            switch (k != nil, service.isExponential) {
            case (true, true): return "M/M/c/K"
            case (true, false): return "M/M/c/K (approximation)"
            case (false, true): return "M/M/c, Erlang C"
            case (false, false): return "M/G/c, Allen-Cunneen (approximation)"
            }
        }
    }

    // MARK: The search

    /// The fewest servers at station `i` that are stable (when needed) and meet the wait target
    /// at arrival rate `lambda`. The wait tail falls as servers are added, so the first c that
    /// passes is the smallest.
    func minimumServers(_ i: Int, lambda: Double) -> Int {
        guard let service = service(i) else { return 1 }
        let a = lambda * service.mean
        let stable = Int(min(a, 1e9).rounded(.down)) + 1
        var c = capacity(i) == nil || request.slo.p99 != nil ? stable : 1
        if let k = capacity(i) { c = min(c, k) }
        if let t = request.slo.waitP99, discipline(i) == .fcfs {
            let top = min(capacity(i) ?? .max, request.maximumServers + 1)
            while c < top, (waitTail(i, t, lambda: lambda, servers: c) ?? 1) > NetworkSLO.waitTail { c += 1 }
        }
        return max(1, c)
    }

    /// Raises every station to its minimum at the design scale; repeats while the rates move
    /// (capacities upstream pass more requests on as they get servers).
    mutating func raise(_ start: [Int?]) -> [Int?] {
        var servers = start
        for _ in 0..<1000 {
            evaluations += 1
            let rates = NetworkAnalytic.solve(scenario(servers, scale: request.designScale)).stations.map(\.arrivalRate)
            var changed = false
            for i in knobs {
                let m = minimumServers(i, lambda: rates[i])
                if m > servers[i]! { servers[i] = m; changed = true }
            }
            if !changed || Self.total(servers) > request.maximumServers { break }
        }
        return servers
    }

    /// How far the end-to-end targets are from holding: the log of p99 over its target plus
    /// the log of the loss over its target, where above; 0 when both hold.
    func shortfall(_ e: Evaluation) -> Double {
        var s = 0.0
        if let target = request.slo.p99 {
            guard let p = e.p99 else { return .infinity }
            s += max(0, log(p / target))
        }
        if let target = request.slo.errorRate, e.loss > target {
            s += target > 0 ? log(e.loss / target) : .infinity
        }
        return s
    }

    /// Steps 2 and 3 of `NetworkPlanner`: per-station minimum, then greedy servers for the
    /// end-to-end targets.
    ///
    /// Not optimized: Swift 6.3's CopyPropagation pass crashes its ownership verifier on this
    /// function in release builds ("Found outside of lifetime use"). It runs a few hundred
    /// analytic evaluations at most, so the optimizer would gain nothing measurable here.
    @_optimize(none)
    mutating func search() -> Result<[Int?], Failure> {
        var servers = raise(scenario.stations.map { Self.servers($0).map { _ in 1 } })
        if Self.total(servers) > request.maximumServers { return .failure(.beyondCap(request.maximumServers)) }
        let latency = request.slo.p99 != nil
        var score = shortfall(evaluate(servers, scale: request.designScale, latency: latency))
        if score == 0 { return .success(servers) }

        // Can more servers meet the targets at all? Every station far from saturation (square-root
        // staffing with 20 standard deviations: Erlang C is then negligible) or at its capacity.
        var ample = servers
        let rates = evaluate(servers, scale: request.designScale, latency: false).analytic.stations.map(\.arrivalRate)
        for i in knobs {
            let a = rates[i] * (service(i)?.mean ?? 0)
            ample[i] = capacity(i) ?? max(servers[i]!, Int((a + 20 * a.squareRoot() + 20).rounded(.up)))
        }
        ample = raise(ample)
        let best = evaluate(ample, scale: request.designScale, latency: latency)
        if shortfall(best) > 0 {
            return .failure(.unreachable(p99: best.p99, loss: best.loss, servers: Self.total(ample), slo: request.slo))
        }

        while score > 0 {
            var bestStation = -1, bestScore = Double.infinity, bestGain = 0.0
            for i in knobs where servers[i]! < (capacity(i) ?? .max) {
                var next = servers
                next[i]! += 1
                if hasCapacity { next = raise(next) }
                let s = shortfall(evaluate(next, scale: request.designScale, latency: latency))
                let gain = s.isFinite && score.isFinite ? (score - s) / Double(Self.total(next) - Self.total(servers))
                    : (s.isFinite ? .infinity : 0)
                if gain > bestGain { bestStation = i; bestScore = s; bestGain = gain }
            }
            if bestStation < 0 {
                return .failure(.unreachable(p99: best.p99, loss: best.loss, servers: Self.total(ample), slo: request.slo))
            }
            servers[bestStation]! += 1
            if hasCapacity { servers = raise(servers) }
            score = bestScore
            if Self.total(servers) > request.maximumServers { return .failure(.beyondCap(request.maximumServers)) }
        }
        return .success(servers)
    }

    /// The figures of a configuration at the request's scale, and whether it meets every
    /// target at the design scale.
    mutating func candidate(_ servers: [Int?]) -> NetworkPlanCandidate {
        let at = evaluate(servers, scale: request.scale, latency: true)
        let design = evaluate(servers, scale: request.designScale, latency: request.slo.p99 != nil)
        let stations = scenario.stations.indices.map { i -> NetworkPlanStation in
            let a = at.analytic.stations[i]
            let wait = servers[i].flatMap { c in discipline(i) == .fcfs ? waitQuantile(i, lambda: a.arrivalRate, servers: c) : nil }
            return NetworkPlanStation(name: scenario.stations[i].name, servers: servers[i], arrivalRate: a.arrivalRate,
                                      utilization: a.utilization, waitP99: wait, method: method(i))
        }
        let designRates = design.analytic.stations.map(\.arrivalRate)
        let waitsHold = request.slo.waitP99.map { t in
            knobs.allSatisfy { i in
                discipline(i) != .fcfs
                    || (waitTail(i, t, lambda: designRates[i], servers: servers[i]!) ?? 1) <= NetworkSLO.waitTail
            }
        } ?? true
        let stable = knobs.allSatisfy { design.analytic.stations[$0].stable }
        let binds = knobs.filter { design.analytic.stations[$0].arrivalRate > 0 }
            .max { (design.analytic.stations[$0].utilization ?? 0) < (design.analytic.stations[$1].utilization ?? 0) }
        return NetworkPlanCandidate(servers: servers, stations: stations, p99: at.p99, errorRate: at.loss,
                                    meetsSLO: stable && waitsHold && shortfall(design) == 0,
                                    bindsNext: binds.map { scenario.stations[$0].name }, verified: nil)
    }

    /// What the reader should know about the figures.
    func notes(loopFree: Bool) -> [String] {
        var notes = ["Cost: one unit per server (the scenario gives no prices for a network)."]
        if let t = request.slo.waitP99 {
            let approximate = knobs.filter { discipline($0) == .fcfs && !(service($0)?.isExponential ?? true) }
            notes.append("wait-p99: P(wait > \(Format.time(t))) ≤ 1% at every FCFS station; exact (Erlang C, M/M/c/K) for "
                         + "exponential service and Poisson input, where the smallest such number of servers is found per station")
            if !approximate.isEmpty {
                notes.append(approximate.map { scenario.stations[$0].name }.joined(separator: ", ")
                             + ": non-exponential service, so the wait tail is an approximation (Erlang C's probability of "
                             + "waiting, an exponential wait with Allen-Cunneen's mean)")
            }
        }
        if loopFree {
            notes.append("p99 (analytic) is the end-to-end latency model's (each path's latency a gamma variable matched to its "
                         + "mean and variance): an approximation, which the simulation checks")
        } else {
            notes.append("no p99 (analytic): the network routes requests back to earlier stations, and the end-to-end "
                         + "latency model needs a loop-free one")
        }
        if hasCapacity && loopFree {
            notes.append("the end-to-end latency model ignores blocking at capacities, which only shortens queues: "
                         + "its p99 is pessimistic there; errors come from M/M/c/K")
        }
        return notes
    }
}
