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
    ///   - logScale: a logarithmic axis (for values over several orders of magnitude, such as
    ///     users from thousands to millions).
    static func bars(title: String, _ bars: [Bar], maximum: Double? = nil, marker: (value: Double, label: String)? = nil,
                     logScale: Bool = false, labelWidth: Double = 150, format: (Double) -> String) -> String {
        let plotWidth = 420.0, valueWidth = 150.0, rowHeight = 26.0, top = 28.0
        let width = labelWidth + plotWidth + valueWidth
        let height = top + rowHeight * Double(max(bars.count, 1)) + 10
        var candidates: [Double] = [marker?.value ?? 0]
        for bar in bars { candidates += [bar.value + (bar.halfWidth ?? 0), bar.reference ?? 0] }
        let x = Axis(values: candidates.filter { !logScale || $0 > 0 }, maximum: maximum, logScale: logScale,
                     from: labelWidth, width: plotWidth)
        var svg = start(title: title, width: width, height: height)
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

    /// Bars in groups (one group per stage, one bar per series), each series in its colour,
    /// with a legend: e.g. p50, p95 and p99 of every stage.
    static func groupedBars(title: String, series: [String], _ groups: [(label: String, values: [Double?])],
                            marker: (value: Double, label: String)? = nil, logScale: Bool = false,
                            format: (Double) -> String) -> String {
        let labelWidth = 230.0, plotWidth = 420.0, valueWidth = 110.0, barHeight = 12.0, gap = 10.0, top = 48.0
        let groupHeight = barHeight * Double(series.count) + gap
        let width = labelWidth + plotWidth + valueWidth
        let height = top + groupHeight * Double(max(groups.count, 1)) + 6
        let values = groups.flatMap { $0.values.compactMap { $0 } } + [marker?.value ?? 0]
        let x = Axis(values: values, maximum: nil, logScale: logScale, from: labelWidth, width: plotWidth)
        var svg = start(title: title, width: width, height: height)
        for (k, name) in series.enumerated() {
            let lx = labelWidth + Double(k) * 90
            svg += "<rect x=\(quoted(lx)) y=\"24\" width=\"12\" height=\"12\" fill=\"\(shades[k % shades.count])\"/>"
            svg += "<text x=\(quoted(lx + 16)) y=\"34\">\(htmlEscaped(name))</text>\n"
        }
        for (g, group) in groups.enumerated() {
            let y0 = top + groupHeight * Double(g)
            svg += "<text x=\"\(labelWidth - 8)\" y=\(quoted(y0 + groupHeight / 2 + 2)) text-anchor=\"end\">\(htmlEscaped(group.label))</text>\n"
            for (k, value) in group.values.enumerated() {
                let y = y0 + barHeight * Double(k)
                let text: String
                if let value, value.isFinite {
                    svg += "<rect x=\"\(labelWidth)\" y=\(quoted(y + 1)) width=\(quoted(x(value) - labelWidth)) height=\(quoted(barHeight - 2)) fill=\"\(shades[k % shades.count])\"/>\n"
                    text = format(value)
                } else {
                    text = "n/a"
                }
                svg += "<text x=\"\(labelWidth + plotWidth + 8)\" y=\(quoted(y + barHeight - 2)) font-size=\"10\">\(htmlEscaped(series[k])) \(htmlEscaped(text))</text>\n"
            }
        }
        if let marker {
            let mx = x(marker.value)
            svg += "<line x1=\(quoted(mx)) x2=\(quoted(mx)) y1=\"\(top - 4)\" y2=\"\(height - 4)\" stroke=\"#c0392b\" stroke-dasharray=\"4 3\"/>\n"
            svg += "<text x=\(quoted(mx + 3)) y=\"\(top - 6)\" fill=\"#c0392b\">\(htmlEscaped(marker.label))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// Shades of one blue, light to dark: percentiles of one latency.
    static let shades = ["#9cc3e6", "#4a7ebb", "#1f3f6e", "#0b1f3a"]

    /// Maps values to x positions: linearly from 0, or logarithmically over whole decades
    /// around the values (so the axis reads as powers of ten).
    struct Axis {
        let from: Double, width: Double, logScale: Bool, low: Double, high: Double

        init(values: [Double], maximum: Double?, logScale: Bool, from: Double, width: Double) {
            self.from = from
            self.width = width
            self.logScale = logScale
            let finite = values.filter { $0.isFinite && (!logScale || $0 > 0) }
            if logScale {
                low = pow(10, floor(log10(finite.min() ?? 1)))
                high = max(pow(10, ceil(log10(maximum ?? finite.max() ?? 10))), low * 10)
            } else {
                low = 0
                high = maximum ?? max(finite.max() ?? 1, 1e-12)
            }
        }

        func callAsFunction(_ v: Double) -> Double {
            let fraction = logScale ? (v > 0 ? log10(v / low) / log10(high / low) : 0) : v / high
            return from + width * min(max(fraction, 0), 1)
        }
    }

    /// The opening of a chart: the `svg` element with its title, and the title written on top.
    static func start(title: String, width: Double, height: Double) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" role="img" width="\(Int(width))" height="\(Int(height))" \
        viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <title>\(htmlEscaped(title))</title>
        <text x="0" y="16" font-weight="bold">\(htmlEscaped(title))</text>

        """
    }

    static func quoted(_ v: Double) -> String { "\"\(decimal(v))\"" }

    /// A coordinate with one decimal.
    static func decimal(_ v: Double) -> String { String(format: "%.1f", v) }
}
