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
        var out = "<table>\n<thead><tr>" + header.map { "<th>\(htmlEscaped($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>" + row.enumerated().map { i, cell in
                i == 0 ? "<th scope=\"row\">\(htmlEscaped(cell))</th>" : "<td>\(htmlEscaped(cell))</td>"
            }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    /// A self-contained page: inline style, no scripts, no fonts, no network.
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(htmlEscaped(title))</title>
        <style>
        body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #1d1d1f; }
        table { border-collapse: collapse; margin: 1em 0; }
        th, td { padding: .3em .8em; border-bottom: 1px solid #ddd; text-align: right; font-variant-numeric: tabular-nums; }
        th[scope=row], thead th:first-child { text-align: left; }
        thead th { border-bottom: 2px solid #888; }
        .settings { color: #555; }
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
        body += "<h2>End to end</h2>\n" + HTML.table(Self.systemHeader, systemRows())
        if !notes.isEmpty {
            body += "<h2>Notes</h2>\n<ul>\n" + notes.map { "<li>\(htmlEscaped($0))</li>\n" }.joined() + "</ul>\n"
        }
        return HTML.page(title: "scalesim: \(scenario.name)", body: body)
    }
}
