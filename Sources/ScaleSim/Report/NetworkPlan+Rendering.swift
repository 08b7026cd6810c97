/// A network plan as people and tools read it: servers per station (scenario and plan), the
/// analytic figures, the simulation's verdict and what binds next.
extension NetworkPlanResult {
    /// One line: the question the plan answers.
    public var headline: String {
        "Plan for network \"\(scenario.name)\" at \(Self.factor(request.scale)) its arrival rates (SLO "
            + sloText + "; headroom \(Format.percent(request.headroom)): it must hold at "
            + "\(Self.factor(request.designScale)) the arrival rates)"
    }

    static func factor(_ x: Double) -> String { "\(Format.number(x))×" }

    var sloText: String {
        var targets: [String] = []
        if let p99 = request.slo.p99 { targets.append("p99 ≤ \(Format.time(p99))") }
        if let w = request.slo.waitP99 { targets.append("wait-p99 ≤ \(Format.time(w)) at every station") }
        if let e = request.slo.errorRate { targets.append("errors ≤ \(Format.percent(e))") }
        return targets.joined(separator: ", ")
    }

    /// Station by station: arrivals, servers in the scenario and in the plan (marked where
    /// they change), and the plan's utilization and wait p99 (the scenario's without a plan).
    func stationTable(markdown: Bool) -> String {
        let shown = best ?? current
        var header = ["station", "arrivals/s", "scenario servers"]
        if best != nil { header.append("plan servers") }
        header += ["utilization", "wait p99", "wait formula"]
        let rows = shown.stations.indices.map { i -> [String] in
            let s = shown.stations[i], now = current.stations[i].servers
            var row = [s.name, Format.number(s.arrivalRate), now.map(String.init) ?? "-"]
            if best != nil {
                row.append(s.servers.map { $0 == now ? "\($0)" : "\($0) *" } ?? "-")
            }
            let wait = s.waitP99.map(Format.time) ?? (s.servers != nil && (s.utilization ?? 0) >= 1 ? "unstable" : "-")
            return row + [s.utilization.map(Format.percent) ?? "-", wait, s.method]
        }
        return Format.table(header, rows, markdown: markdown)
    }

    /// Whether anything was simulated (else the simulated rows are left out, but p99's).
    var simulated: Bool { current.verified != nil || best?.verified != nil }

    func summaryRows(_ c: NetworkPlanCandidate) -> [String] {
        var column = ["\(c.cost)", c.p99.map(Format.time) ?? (c.stations.contains { ($0.utilization ?? 0) >= 1 } ? "overloaded" : "n/a"),
                      Format.percent(c.errorRate),
                      c.verified.map { Format.estimate($0.p99, Format.time) } ?? "not simulated"]
        if simulated {
            if request.slo.waitP99 != nil { column.append(c.verified?.waitTail.map(Format.percent) ?? "") }
            column.append(c.verified.map { Format.estimate($0.errorRate, Format.percent) } ?? "")
        }
        return column + [c.verified.map { $0.met ? "met" : "FAILS" } ?? (c.meetsSLO ? "met (analytic)" : "FAILS"),
                         c.bindsNext ?? ""]
    }

    var summaryNames: [String] {
        var names = ["servers (cost)", "p99 (analytic)", "errors (analytic)", "p99 (simulated)"]
        if simulated {
            if let t = request.slo.waitP99 { names.append("P(wait > \(Format.time(t))), worst station (simulated)") }
            names.append("errors (simulated)")
        }
        return names + ["SLO", "binds next"]
    }

    public var table: String { render(markdown: false) }
    public var markdown: String { render(markdown: true) }

    func render(markdown: Bool) -> String {
        var out = (markdown ? "## " : "") + headline + "\n\n"
        out += stationTable(markdown: markdown) + "\n"
        let columns = [current] + (best.map { [$0] } ?? [])
        let header = ["", "scenario"] + (best == nil ? [] : ["plan"])
        let figures = columns.map(summaryRows)
        out += Format.table(header, summaryNames.indices.map { row in [summaryNames[row]] + figures.map { $0[row] } },
                            markdown: markdown)
        out += "\n"
        if let reason { out += "No plan: \(reason).\n" } else { out += "* changed from the scenario.\n" }
        if best?.verified?.met == false {
            out += "The simulation does not confirm the plan at its confidence interval's worse end: run longer "
                + "(run.duration, replications) or ask for headroom.\n"
        }
        for note in notes { out += (markdown ? "- " : "") + note + "\n" }
        out += "\(evaluations) analytic evaluations.\n"
        return out
    }

    public var json: JSONValue {
        func number(_ x: Double?) -> JSONValue { x.flatMap { $0.isFinite ? JSONValue.number($0) : nil } ?? .null }
        func candidate(_ c: NetworkPlanCandidate) -> JSONValue {
            let stations = c.stations.map { s in
                JSONValue.object([.init("name", .string(s.name)),
                                  .init("servers", s.servers.map { .number(Double($0)) } ?? .null),
                                  .init("arrivalRate", number(s.arrivalRate)),
                                  .init("utilization", number(s.utilization)),
                                  .init("waitP99", number(s.waitP99)),
                                  .init("method", .string(s.method))])
            }
            var members: [JSONValue.Member] = [
                .init("stations", .array(stations)),
                .init("cost", .number(Double(c.cost))),
                .init("analytic", .object([.init("p99", number(c.p99)), .init("errorRate", number(c.errorRate)),
                                           .init("met", .bool(c.meetsSLO))])),
                .init("bindsNext", c.bindsNext.map(JSONValue.string) ?? .null),
            ]
            if let v = c.verified {
                var simulated: [JSONValue.Member] = [.init("p99", v.p99.json), .init("errorRate", v.errorRate.json)]
                if let tail = v.waitTail { simulated.append(.init("waitTail", .number(tail))) }
                simulated.append(.init("met", .bool(v.met)))
                members.append(.init("simulated", .object(simulated)))
            }
            return .object(members)
        }
        return .object([
            .init("kind", .string("plan")),
            .init("scenarioKind", .string("network")),
            .init("scenario", .string(scenario.name)),
            .init("scale", .number(request.scale)),
            .init("headroom", .number(request.headroom)),
            .init("designScale", .number(request.designScale)),
            .init("slo", .object([.init("p99", number(request.slo.p99)), .init("waitP99", number(request.slo.waitP99)),
                                  .init("errorRate", number(request.slo.errorRate))])),
            .init("costUnit", .string("server")),
            .init("current", candidate(current)),
            .init("plan", best.map(candidate) ?? .null),
            .init("reason", reason.map(JSONValue.string) ?? .null),
            .init("notes", .array(notes.map(JSONValue.string))),
            .init("evaluations", .number(Double(evaluations))),
        ])
    }
}
