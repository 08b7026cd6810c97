extension ArchitectureReport {
    /// The report as one self-contained HTML page: the summary in words, the comparison
    /// tables, charts as inline SVG (latency percentiles, the capacity ladder, utilization of
    /// every resource per stage), the simulation beside the analytic model, and the settings.
    public var html: String {
        var body = "<h1>\(htmlEscaped(scenario.name))</h1>\n<p class=\"settings\">Architecture scenario; \(htmlEscaped(settingsLine)).</p>\n"
        body += "<h2>Summary</h2>\n<ul>\n" + summary.map { "<li>\(Self.emphasis($0))</li>\n" }.joined() + "</ul>\n"
        body += "<h2>Stages</h2>\n" + HTML.table(Self.stageHeader, stageRows())
        body += "<h2>Latency, throughput, errors and cost</h2>\n" + HTML.table(Self.latencyHeader, latencyRows())
        body += "<figure>\n" + latencyChart + "<figcaption>Latency percentiles per stage (log scale); the dashed line is the p99 target.</figcaption>\n</figure>\n"
        if !capacityRows().isEmpty {
            body += "<h2>Capacity</h2>\n<p>The most users each stage serves within its SLO, \(htmlEscaped(capacityMethodText)).</p>\n"
            body += "<figure>\n" + capacityChart + "<figcaption>Capacity ladder (log scale); the dashed line is the scenario's users.</figcaption>\n</figure>\n"
            body += HTML.table(Self.capacityHeader, capacityRows())
        }
        body += "<h2>Utilization of every resource</h2>\n" + utilizationHeatTable
        body += "<h2>Simulation and analytic model</h2>\n" + HTML.table(Self.analyticHeader, analyticRows())
        for s in stages {
            body += "<h2>\(htmlEscaped(s.name))</h2>\n"
            if !s.slo.violations.isEmpty {
                body += "<p>SLO fails: \(htmlEscaped(s.slo.violations.joined(separator: "; "))).</p>\n"
            }
            for reason in s.stoppedEarly {
                body += "<p>Stopped early, \(htmlEscaped(reason)).</p>\n"
            }
            let bars = s.resources.compactMap { r -> SVGChart.Bar? in
                guard let u = r.utilization, u.mean > 0.005 || (r.analytic ?? 0) > 0.005 else { return nil }
                return SVGChart.Bar(label: r.name, value: u.mean, halfWidth: u.halfWidth, reference: r.analytic.map { min($0, 1.2) })
            }
            body += "<figure>\n" + SVGChart.bars(title: "Utilization: \(s.name)", bars, maximum: 1.2, marker: (0.8, "80%"),
                                                 format: Format.percent)
                + "<figcaption>Bars: simulated, with the confidence interval; orange ticks: the analytic model (offered load, cut at 120%).</figcaption>\n</figure>\n"
            body += HTML.table(Self.resourceHeader, resourceRows(s))
            let notes = analyticNotes(s)
            if !notes.isEmpty { body += "<p>Analytic model: \(htmlEscaped(notes.joined(separator: " ")))</p>\n" }
            for table in changeTables(s) {
                body += "<h3>\(htmlEscaped(table.title))</h3>\n" + (table.lead.map { "<p>\(htmlEscaped($0))</p>\n" } ?? "")
                    + HTML.table(table.header, table.rows)
            }
            body += timeSeriesHTML(for: s)
        }
        body += "<h2>Run settings</h2>\n<p class=\"settings\">\(htmlEscaped(settingsLine)). \(htmlEscaped(reproduceLine)).</p>\n"
        return HTML.page(title: "scalesim: \(scenario.name)", body: body)
    }

    /// `**bold**` (the summary's Markdown) as HTML, the rest escaped.
    static func emphasis(_ text: String) -> String {
        let parts = text.components(separatedBy: "**")
        return parts.enumerated().map { i, part in i % 2 == 1 ? "<strong>\(htmlEscaped(part))</strong>" : htmlEscaped(part) }.joined()
    }

    var latencyChart: String {
        let target = scenario.stages.first?.slo.p99 ?? scenario.slo.p99
        return SVGChart.groupedBars(
            title: "Latency percentiles per stage", series: ["p50", "p95", "p99"],
            stages.map { s in (s.name, ["p50", "p95", "p99"].map { key in s.latency[key].flatMap { $0.mean > 0 ? $0.mean : nil } }) },
            marker: target.map { ($0, "p99 target") },
            logScale: true, format: Format.time)
    }

    var capacityChart: String {
        let bars = stages.compactMap { s in
            s.capacity.map { SVGChart.Bar(label: s.name, value: Double(max($0.maxUsers, 1)), halfWidth: nil, reference: nil) }
        }
        return SVGChart.bars(title: "Most users within the SLO", bars, marker: (Double(scenario.workload.users), "users"),
                             logScale: true, labelWidth: 230, format: { Format.count(Int($0)) })
    }

    /// Resources (instances together: the busiest instance) by stage, each cell shaded by its
    /// utilization; 80% and above is marked.
    var utilizationHeatTable: String {
        var names: [String] = []
        for s in stages {
            for r in s.resources where r.utilization != nil {
                let base = Self.baseName(r.name)
                if !names.contains(base) { names.append(base) }
            }
        }
        var out = "<div class=\"wide\"><table class=\"heat\">\n<thead><tr><th>resource</th>"
            + stages.map { "<th>\(htmlEscaped($0.name))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for name in names {
            out += "<tr><th scope=\"row\">\(htmlEscaped(name))</th>"
            for s in stages {
                guard let u = Self.utilization(of: name, in: s), u.isFinite else { out += "<td></td>"; continue }
                let shade = Int((1 - min(max(u, 0), 1)) * 55 + 40)
                let style = u >= 0.8 ? "background:hsl(0,70%,\(shade)%);font-weight:bold" : "background:hsl(210,60%,\(shade + 5)%)"
                out += "<td style=\"\(style)\">\(htmlEscaped(Format.percent(u)))</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table></div>\n<p class=\"settings\">Shaded by utilization (the busiest instance); bold red: 80% or more.</p>\n"
    }
}
