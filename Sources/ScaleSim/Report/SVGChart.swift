import Foundation

/// Inline SVG charts for the HTML reports: no scripts, no fonts, no network; they print.
enum SVGChart {
    /// One bar of a horizontal bar chart, with an optional confidence interval and a second
    /// value to compare with (drawn as a tick, e.g. the analytic answer).
    struct Bar {
        var label: String
        var value: Double
        var halfWidth: Double?
        var reference: Double?
    }

    /// A horizontal bar chart.
    ///
    /// - Parameters:
    ///   - maximum: the value at the right edge (default: the largest value shown).
    ///   - marker: a vertical line with its label (e.g. 0.8 utilization).
    ///   - format: how values are written beside the bars.
    static func bars(title: String, _ bars: [Bar], maximum: Double? = nil, marker: (value: Double, label: String)? = nil,
                     format: (Double) -> String) -> String {
        let labelWidth = 150.0, plotWidth = 420.0, valueWidth = 150.0, rowHeight = 26.0, top = 28.0
        let width = labelWidth + plotWidth + valueWidth
        let height = top + rowHeight * Double(max(bars.count, 1)) + 10
        var candidates: [Double] = [marker?.value ?? 0]
        for bar in bars { candidates += [bar.value + (bar.halfWidth ?? 0), bar.reference ?? 0] }
        let scaleMax = maximum ?? max(candidates.filter(\.isFinite).max() ?? 1, 1e-12)
        func x(_ v: Double) -> Double { labelWidth + plotWidth * min(max(v / scaleMax, 0), 1) }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" role="img" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <title>\(htmlEscaped(title))</title>
            <text x="0" y="16" font-weight="bold">\(htmlEscaped(title))</text>

            """
        for (i, bar) in bars.enumerated() {
            let y = top + rowHeight * Double(i)
            let value = bar.value.isFinite ? bar.value : 0
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 16)\" text-anchor=\"end\">\(htmlEscaped(bar.label))</text>\n"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\(quoted(x(value) - labelWidth)) height=\"16\" fill=\"#4a7ebb\"/>\n"
            if let h = bar.halfWidth, h.isFinite, h > 0 {
                svg += "<line x1=\(quoted(x(value - h))) x2=\(quoted(x(value + h))) y1=\"\(y + 12)\" y2=\"\(y + 12)\" stroke=\"#222\" stroke-width=\"1.5\"/>\n"
            }
            if let r = bar.reference, r.isFinite {
                svg += "<line x1=\(quoted(x(r))) x2=\(quoted(x(r))) y1=\"\(y + 1)\" y2=\"\(y + 23)\" stroke=\"#d9822b\" stroke-width=\"2\"><title>theory \(htmlEscaped(format(r)))</title></line>\n"
            }
            let text = bar.value.isFinite ? format(bar.value) : "n/a"
            svg += "<text x=\"\(labelWidth + plotWidth + 8)\" y=\"\(y + 16)\">\(htmlEscaped(text))</text>\n"
        }
        if let marker {
            let mx = x(marker.value)
            svg += "<line x1=\(quoted(mx)) x2=\(quoted(mx)) y1=\"\(top - 4)\" y2=\"\(height - 6)\" stroke=\"#c0392b\" stroke-dasharray=\"4 3\"/>\n"
            svg += "<text x=\(quoted(mx + 3)) y=\"\(top - 6)\" fill=\"#c0392b\">\(htmlEscaped(marker.label))</text>\n"
        }
        return svg + "</svg>\n"
    }

    private static func quoted(_ v: Double) -> String { "\"\(String(format: "%.1f", v))\"" }
}
