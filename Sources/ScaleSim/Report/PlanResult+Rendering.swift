/// The plan as people and tools read it: what each knob changes, the cost per month, the
/// predicted p99 (analytic, and simulated with its interval when verified), what binds next.
extension PlanResult {
    static let hoursPerMonth = 730.0

    var stageName: String { scenario.stages[request.stage].name }

    /// One line: the question the plan answers.
    public var headline: String {
        var targets: [String] = []
        if let p99 = request.slo.p99 { targets.append("p99 ≤ \(Format.time(p99))") }
        if let e = request.slo.errorRate { targets.append("errors ≤ \(Format.percent(e))") }
        return "Plan for \"\(stageName)\" at \(Format.count(request.users)) users (SLO \(targets.joined(separator: ", "))"
            + "; headroom \(Format.percent(request.headroom)): it must hold at \(Format.count(request.designUsers)) users)"
    }

    static func knobRows(_ k: PlanKnobs) -> [String] {
        ["\(k.apiInstances)", "\(k.workersPerInstance)", "\(k.databaseCores)", "\(k.replicas)",
         k.cacheNodes == 0 ? "none" : "\(k.cacheNodes)", k.cacheNodes == 0 ? "-" : Format.time(k.cacheTTL), k.cdn ? "on" : "off"]
    }

    static let knobNames = ["API instances", "workers per instance", "database cores", "read replicas",
                            "cache nodes", "cache TTL", "CDN"]

    static func figures(_ c: PlanCandidate) -> [String] {
        [String(format: "%.2f", c.costPerHour * hoursPerMonth),
         c.p99.map(Format.time) ?? "overloaded",
         c.verified.map { Format.estimate($0.p99, Format.time) } ?? "not simulated",
         c.verified.map { Format.estimate($0.errorRate, Format.percent) } ?? "",
         c.verified.map { $0.met ? "met" : "FAILS" } ?? (c.p99 == nil ? "FAILS" : "met (analytic)"),
         c.bindsNext ?? ""]
    }

    static let figureNames = ["cost per month", "p99 (analytic)", "p99 (simulated)", "errors (simulated)", "SLO", "binds next"]

    /// Knob by knob: the scenario, the plan (with a mark where it changes), the runners-up.
    func rows() -> (header: [String], rows: [[String]]) {
        var header = ["", "scenario"]
        var columns = [Self.knobRows(current.knobs) + Self.figures(current)]
        if let best {
            header.append("plan")
            columns.append(zip(Self.knobRows(best.knobs), Self.knobRows(current.knobs)).map { $0 == $1 ? $0 : "\($0) *" }
                           + Self.figures(best))
        }
        for (i, r) in runnersUp.enumerated() {
            header.append("runner-up \(i + 1)")
            columns.append(Self.knobRows(r.knobs) + Self.figures(r))
        }
        let names = Self.knobNames + Self.figureNames
        return (header, names.indices.map { row in [names[row]] + columns.map { $0[row] } })
    }

    public var table: String { render(markdown: false) }
    public var markdown: String { render(markdown: true) }

    func render(markdown: Bool) -> String {
        var out = (markdown ? "## " : "") + headline + "\n\n"
        let (header, rows) = rows()
        out += Format.table(header, rows, markdown: markdown)
        if best == nil {
            out += "\nNo configuration on the planner's grid meets the SLO at \(Format.count(request.designUsers)) users.\n"
        } else {
            out += "\n* changed from the scenario. Costs: the scenario's per component; database cost scales with its cores; "
                + "components the stage lacks are priced as the scenario's other stages price them. "
                + "\(evaluations) analytic evaluations.\n"
        }
        return out
    }

    /// The plan as a self-contained page (written beside the scenario's reports).
    public var html: String {
        let (header, rows) = rows()
        var body = "<h1>Plan: \(htmlEscaped(scenario.name))</h1>\n<p>\(htmlEscaped(headline)).</p>\n"
        body += HTML.table(header, rows)
        if best == nil {
            body += "<p>No configuration on the planner's grid meets the SLO at \(Format.count(request.designUsers)) users.</p>\n"
        }
        body += "<p class=\"settings\">* changed from the scenario. Costs per month from the scenario's per-component costs "
            + "(a database's cost scales with its cores; components the stage lacks are priced as the scenario's other "
            + "stages price them). The search made \(evaluations) analytic evaluations; simulated figures use the "
            + "scenario's run settings (seed \(scenario.seed), \(scenario.run.replications) replications of "
            + "\(htmlEscaped(Format.time(scenario.run.duration)))), and the SLO counts as met at the confidence interval's worse end.</p>\n"
        return HTML.page(title: "scalesim plan: \(scenario.name)", body: body)
    }

    public var json: JSONValue {
        func knobs(_ k: PlanKnobs) -> JSONValue {
            .object([.init("apiInstances", .number(Double(k.apiInstances))),
                     .init("workersPerInstance", .number(Double(k.workersPerInstance))),
                     .init("databaseCores", .number(Double(k.databaseCores))),
                     .init("replicas", .number(Double(k.replicas))),
                     .init("cacheNodes", .number(Double(k.cacheNodes))),
                     .init("cacheTTL", k.cacheNodes == 0 ? .null : .number(k.cacheTTL)),
                     .init("cdn", .bool(k.cdn))])
        }
        func candidate(_ c: PlanCandidate) -> JSONValue {
            var members: [JSONValue.Member] = [
                .init("knobs", knobs(c.knobs)),
                .init("costPerHour", .number(c.costPerHour)),
                .init("costPerMonth", .number(c.costPerHour * Self.hoursPerMonth)),
                .init("analytic", .object([.init("p99", c.p99.map(JSONValue.number) ?? .null),
                                           .init("errorRate", .number(c.errorRate))])),
                .init("bindsNext", c.bindsNext.map(JSONValue.string) ?? .null),
            ]
            if let v = c.verified {
                members.append(.init("simulated", .object([.init("p99", v.p99.json), .init("errorRate", v.errorRate.json),
                                                          .init("met", .bool(v.met))])))
            }
            return .object(members)
        }
        return .object([
            .init("kind", .string("plan")),
            .init("scenario", .string(scenario.name)),
            .init("stage", .string(stageName)),
            .init("users", .number(Double(request.users))),
            .init("headroom", .number(request.headroom)),
            .init("designUsers", .number(Double(request.designUsers))),
            .init("slo", .object([.init("p99", request.slo.p99.map(JSONValue.number) ?? .null),
                                  .init("errorRate", request.slo.errorRate.map(JSONValue.number) ?? .null)])),
            .init("current", candidate(current)),
            .init("plan", best.map(candidate) ?? .null),
            .init("runnersUp", .array(runnersUp.map(candidate))),
            .init("evaluations", .number(Double(evaluations))),
        ])
    }
}
