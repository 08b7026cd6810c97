/// Escapes text for HTML element content and attribute values.
func htmlEscaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for c in text {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(c)
        }
    }
    return out
}

enum HTML {
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var out = "<div class=\"wide\"><table>\n<thead><tr>" + header.map { "<th>\(htmlEscaped($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>" + row.enumerated().map { i, cell in
                i == 0 ? "<th scope=\"row\">\(htmlEscaped(cell))</th>" : "<td>\(htmlEscaped(cell))</td>"
            }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table></div>\n"
    }

    /// A self-contained page: inline style, no scripts, no fonts, no network.
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(htmlEscaped(title))</title>
        <style>
        body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 88em; padding: 0 1em; color: #1d1d1f; }
        table { border-collapse: collapse; margin: 1em 0; }
        th, td { padding: .3em .6em; border-bottom: 1px solid #ddd; text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        th[scope=row], thead th:first-child { text-align: left; }
        thead th, th[scope=row] { white-space: normal; }
        th[scope=row] { min-width: 9em; }
        .wide { overflow-x: auto; }
        thead th { border-bottom: 2px solid #888; }
        .settings { color: #555; }
        figure { margin: 1em 0; }
        figcaption { color: #555; font-size: 13px; }
        svg { max-width: 100%; height: auto; }
        @media print { body { margin: 0; max-width: none; } }
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }
}

extension NetworkReport {
    /// The report as one self-contained HTML page.
    public var html: String {
        var body = "<h1>\(htmlEscaped(scenario.name))</h1>\n"
        body += "<p class=\"settings\">Network scenario; \(htmlEscaped(settingsLine)).</p>\n"
        body += "<h2>Stations</h2>\n" + HTML.table(Self.stationHeader, stationRows())
        body += "<figure>\n" + utilizationChart + "<figcaption>Bars: simulated utilization with its confidence "
            + "interval; orange tick: queueing theory; dashed line: 80%.</figcaption>\n</figure>\n"
        body += "<figure>\n" + latencyChart + "<figcaption>End-to-end latency, simulated (bars, with intervals); "
            + "orange tick on the mean: theory.</figcaption>\n</figure>\n"
        body += "<h2>End to end</h2>\n" + HTML.table(Self.systemHeader, systemRows())
        if !timeline.isEmpty {
            let table = ReplicationResult.Marker.table(timeline, warmup: scenario.run.warmup)
            body += "<h2>What happened</h2>\n<p>\(htmlEscaped(table.lead))</p>\n" + HTML.table(["time", "event"], table.rows)
        }
        body += timeSeriesHTML
        if !notes.isEmpty {
            body += "<h2>Notes</h2>\n<ul>\n" + notes.map { "<li>\(htmlEscaped($0))</li>\n" }.joined() + "</ul>\n"
        }
        return HTML.page(title: "scalesim: \(scenario.name)", body: body)
    }

    var utilizationChart: String {
        let bars = zip(summary.stations, analytic.stations).compactMap { s, a -> SVGChart.Bar? in
            guard let u = s.utilization else { return nil }
            return SVGChart.Bar(label: s.name, value: u.mean, halfWidth: u.halfWidth, reference: a.utilization)
        }
        return SVGChart.bars(title: "Utilization per station", bars, maximum: 1, marker: (0.8, "80%"), format: Format.percent)
    }

    var latencyChart: String {
        let s = summary.system
        let bars = [("mean", s.meanResponse, analytic.systemMeanResponse), ("p50", s.p50, nil), ("p95", s.p95, nil),
                    ("p99", s.p99, nil)].map { SVGChart.Bar(label: $0.0, value: $0.1.mean, halfWidth: $0.1.halfWidth, reference: $0.2) }
        return SVGChart.bars(title: "End-to-end latency", bars, format: Format.time)
    }
}
