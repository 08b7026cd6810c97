/// The largest number of users for which a stage meets its SLO (DESIGN.md section 6,
/// `capacity`), and the resource that binds there.
public struct StageCapacity: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable {
        /// Found with the analytic model (`ModelAnalytic`).
        case analytic
        /// Confirmed by simulation (a bisection that respects the confidence intervals).
        case simulation
    }

    /// The most users that meet the SLO (0 when even one user does not).
    public var maxUsers: Int
    /// The resource that binds just above `maxUsers`, by its name in the report.
    public var binding: String?
    public var method: Method
    /// Which target fails just above `maxUsers`: `"p99"`, `"errorRate"` or `"overload"`
    /// (a resource past its capacity); nil when the search hit `ArchitectureScenario.maximumUsers`.
    public var failsOn: String?
}

extension ArchitectureScenario {
    /// The analytic verdict on stage `index` at `users` users: whether it meets the stage's SLO
    /// (every target set, and stability; a stage without targets must only be stable), which
    /// target fails first, and the model's figures.
    public func analyticCheck(stage index: Int, users: Int) -> (passes: Bool, failsOn: String?, model: Model, analytic: ModelAnalytic)? {
        let compiled = compile(stage: index, users: users).model
        let model = compiled.requestsOnly
        guard let analytic = ModelAnalytic.solve(model, findLimit: false) else { return nil }
        let slo = stages[index].slo
        let failsOn: String?
        // Connections that hold every API worker leave none for requests.
        if !analytic.stable || compiled.exhaustedByBackground {
            failsOn = "overload"
        } else if let target = slo.p99, let p99 = analytic.p99, p99 > target {
            failsOn = "p99"
        } else if let target = slo.errorRate, analytic.errorRate > target {
            failsOn = "errorRate"
        } else {
            failsOn = nil
        }
        return (failsOn == nil, failsOn, model, analytic)
    }

    /// The capacity of stage `index` by the analytic model: the users are bracketed by
    /// doubling (or halving) from the stage's own count, then bisected to 0.1%.
    ///
    /// - Complexity: about 30 analytic solutions, each milliseconds in a release build.
    public func analyticCapacity(stage index: Int) -> StageCapacity? {
        func passes(_ users: Int) -> Bool? { analyticCheck(stage: index, users: users)?.passes }
        let start = max(1, stages[index].users)
        guard let startPasses = passes(start) else { return nil }
        var lo: Int, hi: Int
        if startPasses {
            lo = start
            hi = start
            repeat {
                lo = hi
                hi = min(hi * 2, Self.maximumUsers)
                guard let ok = passes(hi) else { return nil }
                if !ok { break }
                if hi == Self.maximumUsers {
                    return StageCapacity(maxUsers: hi, binding: nil, method: .analytic, failsOn: nil)
                }
            } while true
        } else {
            hi = start
            lo = start
            repeat {
                hi = lo
                lo = hi / 2
                if lo == 0 { break }
                guard let ok = passes(lo) else { return nil }
                if ok { break }
            } while true
        }
        // lo passes (or is 0), hi fails.
        while hi - lo > max(1, lo / 1000) {
            let mid = lo + (hi - lo) / 2
            guard let ok = passes(mid) else { return nil }
            if ok { lo = mid } else { hi = mid }
        }
        let failing = analyticCheck(stage: index, users: hi)!
        let limited = ModelAnalytic.solve(failing.model)!
        return StageCapacity(maxUsers: lo, binding: limited.binding(in: failing.model)?.name(in: failing.model),
                             method: .analytic, failsOn: failing.failsOn)
    }
}

extension StageCapacity {
    /// How a report finds each stage's capacity.
    public enum Search: String, Sendable, CaseIterable {
        /// No capacity in the report.
        case none
        /// The analytic model (milliseconds).
        case analytic
        /// The analytic bracket confirmed by simulation (a dozen runs of the stage).
        case simulation
    }
}

extension ArchitectureScenario {
    /// Whether stage `index` meets its SLO at `users` in simulation, at the confidence
    /// interval's worse end (mean + half-width of p99 and of the error rate), and the
    /// simulated bottleneck.
    func simulatedCheck(stage index: Int, users: Int, jobs: Int, limits: EngineLimits,
                        control: RunControl?) -> (passes: Bool, failsOn: String?, bottleneck: String?) {
        var one = self
        one.stages = [stages[index]]
        one.stages[0].users = users
        let report = ArchitectureReport.run(one, jobs: jobs, limits: limits, control: control, capacity: .none)
        guard let r = report.stages.first else { return (false, "overload", nil) }
        func worse(_ e: Estimate?) -> Double {
            guard let e, e.mean.isFinite else { return .infinity }
            return e.mean + (e.halfWidth ?? .infinity)
        }
        let slo = stages[index].slo
        let failsOn: String?
        if !r.stoppedEarly.isEmpty {
            failsOn = "overload"
        } else if let target = slo.p99, !(worse(r.latency["p99"]) <= target) {
            failsOn = "p99"
        } else if let target = slo.errorRate, !(worse(r.errorRate) <= target) {
            failsOn = "errorRate"
        } else {
            failsOn = nil
        }
        return (failsOn == nil, failsOn, r.bottleneck)
    }

    /// The capacity of stage `index` confirmed by simulation: from the analytic capacity, the
    /// users are bracketed in steps of 25% and bisected to 2%; a load passes only when the SLO
    /// holds at the interval's worse end, so the answer is conservative by design.
    ///
    /// - Complexity: about ten simulations of the stage with the scenario's run settings.
    public func simulatedCapacity(stage index: Int, jobs: Int, limits: EngineLimits = EngineLimits(),
                                  control: RunControl? = nil) -> StageCapacity? {
        let start = max(1, analyticCapacity(stage: index)?.maxUsers ?? stages[index].users)
        func check(_ users: Int) -> (passes: Bool, failsOn: String?, bottleneck: String?) {
            simulatedCheck(stage: index, users: users, jobs: jobs, limits: limits, control: control)
        }
        var lo = 0, hi = 0
        var failing: (passes: Bool, failsOn: String?, bottleneck: String?)?
        let first = check(start)
        if first.passes {
            lo = start
            var users = start
            for _ in 0..<8 {
                users = Int((Double(users) * 1.25).rounded(.up))
                let result = check(users)
                if !result.passes { hi = users; failing = result; break }
                lo = users
            }
            if hi == 0 { return StageCapacity(maxUsers: lo, binding: nil, method: .simulation, failsOn: nil) }
        } else {
            hi = start
            failing = first
            var users = start
            while users > 1 {
                users = max(1, Int(Double(users) * 0.8))
                let result = check(users)
                if result.passes { lo = users; break }
                hi = users
                failing = result
                if users == 1 { break }
            }
        }
        while lo > 0, Double(hi - lo) > 0.02 * Double(lo), control?.isCancelled != true {
            let mid = lo + (hi - lo) / 2
            let result = check(mid)
            if result.passes { lo = mid } else { hi = mid; failing = result }
        }
        return StageCapacity(maxUsers: lo, binding: failing?.bottleneck, method: .simulation, failsOn: failing?.failsOn)
    }
}
