/// The report's summary in words: per stage, whether it meets the SLO, what limits it, how
/// many users it holds, and what the next stage buys.
extension ArchitectureReport {
    /// A resource's base name: `api.cpu[3]` -> `api.cpu` (instances are reported together).
    static func baseName(_ name: String) -> String {
        name.firstIndex(of: "[").map { String(name[..<$0]) } ?? name
    }

    /// The highest simulated utilization among the instances of `base` in `stage`.
    static func utilization(of base: String, in stage: StageResult) -> Double? {
        stage.resources.filter { baseName($0.name) == base }.compactMap { $0.utilization?.mean }.max()
    }

    /// One paragraph per stage, plain text (Markdown emphasis marks the stage names).
    public var summary: [String] {
        stages.indices.map { i in
            let s = stages[i]
            var text = "**\(s.name)** "
            let p99 = Format.time(s.latency["p99"]?.mean ?? .nan)
            if s.slo.met {
                text += "meets the SLO at \(Format.count(s.users)) users (p99 \(p99), errors \(Format.percent(s.errorRate.mean)))."
            } else {
                text += "fails the SLO at \(Format.count(s.users)) users: \(s.slo.violations.joined(separator: "; "))."
            }
            if let overload = Self.overloadNote(s) { text += " It is \(overload)." }
            if let b = s.bottleneck, let u = Self.utilization(of: Self.baseName(b), in: s) {
                text += " Busiest: \(Self.baseName(b)) at \(Format.percent(u))."
            }
            text += Self.changeSentences(s)
            if let first = s.stoppedEarly.first {
                text += " The run stopped early (\(s.stoppedEarly.count) of its replications): \(first); its figures cover "
                    + "the time before."
            }
            if let c = s.capacity {
                if c.failsOn == nil {
                    text += " It holds its SLO at every load the search tried, up to \(Format.count(c.maxUsers)) users."
                } else if c.maxUsers == 0 {
                    text += " It misses its SLO even with one user."
                } else {
                    text += " It holds its SLO up to about \(Format.count(c.maxUsers)) users (\(c.method.rawValue)"
                        + (c.binding.map { "; then \($0) binds" } ?? "") + ")."
                }
            }
            if i + 1 < stages.count {
                text += " " + nextStep(from: s, to: stages[i + 1])
            }
            return text
        }
    }

    /// A stage's overload, from its analytic model: requests offered against the most its
    /// resources can serve, and the one that saturates; nil when the stage is stable (or has no
    /// analytic model). The simulated figures of an overloaded stage describe a transient.
    static func overloadNote(_ s: StageResult) -> String? {
        guard let a = s.analytic, !a.stable else { return nil }
        return "overloaded: \(Format.number(a.throughput)) requests/s offered, at most \(Format.number(a.maxThroughput))/s "
            + "can be served" + (a.bottleneck.map { " (\($0) saturates)" } ?? "")
            + "; there is no steady state: queues grow for as long as the run lasts"
    }

    /// For a stage that changes: how often clients retried, and the instances of autoscaled
    /// routers (empty for a stage that does not change).
    static func changeSentences(_ s: StageResult) -> String {
        var text = ""
        if let r = s.retriesPerRequest?.mean, r.isFinite {
            text += " Clients retried \(Format.number(r)) times per request."
        }
        for router in s.routers {
            guard let running = router.meanRunning?.mean else { continue }
            text += " \(router.name) autoscaled: \(Format.number(router.meanInService.mean)) instances in service on average "
                + "(peak \(Format.number(router.peakInService.mean))), \(Format.number(running)) running."
        }
        return text
    }

    /// What moving from `s` to `next` buys: the bottleneck's utilization and the capacity.
    func nextStep(from s: StageResult, to next: StageResult) -> String {
        var parts: [String] = []
        if let b = s.bottleneck {
            let base = Self.baseName(b)
            let before = Self.utilization(of: base, in: s) ?? .nan
            if let after = Self.utilization(of: base, in: next) {
                // Both saturated says nothing: the capacity below tells the difference.
                if !(before >= 0.98 && after >= 0.98) {
                    parts.append("takes \(base) from \(Format.percent(before)) to \(Format.percent(after))")
                }
            } else {
                parts.append("removes \(base)")
            }
        }
        if let a = s.capacity, let b = next.capacity, a.maxUsers > 0, a.failsOn != nil {
            parts.append((b.maxUsers >= a.maxUsers ? "raises" : "lowers") + " capacity from \(Format.count(a.maxUsers)) to \(Format.count(b.maxUsers)) users"
                         + " (×\(Format.number((Double(b.maxUsers) / Double(a.maxUsers) * 10).rounded() / 10)))")
        }
        guard !parts.isEmpty else { return "" }
        return "The next stage (\(next.name)) " + parts.joined(separator: "; ") + "."
    }

    /// Where the simulation and the analytic model of a stage differ, and why.
    func analyticNotes(_ s: StageResult) -> [String] {
        guard let a = s.analytic else {
            return ["No analytic model: the stage's programs loop."]
        }
        var notes: [String] = []
        if !a.stable {
            notes.append("No steady state: \(Format.number(a.throughput)) requests/s are offered "
                         + "and at most \(Format.number(a.maxThroughput))/s can be served"
                         + (a.bottleneck.map { " (\($0) saturates)" } ?? "")
                         + ". Its utilizations are offered loads and may exceed 100%; the simulation's latencies "
                         + "and errors depend on the run length and the client timeouts, which the analytic model does not have.")
        } else {
            notes.append("Stable: \(Format.number(a.throughput)) requests/s of at most \(Format.number(a.maxThroughput))/s"
                         + (a.bottleneck.map { " (\($0) saturates first)" } ?? "") + ".")
            if let simulated = s.latency["p99"]?.mean, let predicted = a.latency["p99"],
               abs(simulated - predicted) > 0.15 * simulated {
                notes.append("The p99s differ by more than 15%: the analytic percentiles fit a gamma law per path "
                             + "to each path's mean and variance (an approximation), and held pools are treated as M/M/c.")
            }
        }
        for r in s.resources {
            guard let predicted = r.analytic, let simulated = r.utilization ?? r.hitRatio else { continue }
            let margin = (simulated.halfWidth ?? 0) + 0.05
            guard abs(simulated.mean - predicted) > margin else { continue }
            if r.kind == "cache" {
                notes.append("\(r.name): hit ratio \(Format.percent(simulated.mean)) simulated, \(Format.percent(predicted)) "
                             + "by the TTL/Che formulas: a miss fills the key only after its database read, and the "
                             + "formulas assume independent requests.")
            } else if predicted > 1 {
                notes.append("\(r.name): offered \(Format.percent(predicted)) of its capacity; the simulation can only "
                             + "measure up to 100%.")
            } else {
                notes.append("\(r.name): \(Format.percent(simulated.mean)) simulated, \(Format.percent(predicted)) analytic"
                             + (a.stable ? "." : ": upstream overload changes what reaches it in the simulation."))
            }
        }
        return notes
    }
}
