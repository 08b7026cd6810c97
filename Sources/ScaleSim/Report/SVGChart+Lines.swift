import Foundation

extension SVGChart {
    /// One line of a chart over time: a value per window (NaN leaves a gap).
    struct Line {
        var label: String
        var values: [Double]
    }

    static let palette = ["#4a7ebb", "#d9822b", "#3a9d5d", "#c0392b", "#8e44ad", "#7f8c8d"]

    /// Something that happened, marked on a chart over time: a thin vertical line at `time`
    /// with a short label, or, with `until`, a band shaded from `time` to `until` (a component
    /// down from its fault to its recovery).
    struct TimeMarker: Hashable {
        enum Kind: Hashable {
            /// A component down (a band).
            case fault
            /// A load balancer took an instance out of rotation or put it back.
            case health
            /// Instances asked for or put in service.
            case scaleOut
            /// Instances taken out of service.
            case scaleIn
        }
        var time: Double
        var until: Double?
        var label: String
        var kind: Kind

        var color: String {
            switch kind {
            case .fault, .health: "#c0392b"
            case .scaleOut: "#3a9d5d"
            case .scaleIn: "#8e44ad"
            }
        }
    }

    /// Longest label written beside a marker line (longer ones are cut with an ellipsis; the
    /// line's tooltip has the whole text).
    static let markerLabelLength = 28

    /// A line chart over simulated time: each line has a point at the middle of every window.
    /// Two fit side by side on a report page.
    ///
    /// - Parameters:
    ///   - spans: the windows, in time order; the x axis runs from the first start to the last end.
    ///   - maximum: the value at the top (default: a round number above the largest value shown).
    ///   - marker: a horizontal dashed line with its label (e.g. 0.8 utilization).
    ///   - shaded: a span of time shaded with its label (the warm-up).
    ///   - markers: what happened, in time order: bands (behind the lines) and thin vertical
    ///     lines with their labels written upwards; a label that would overlap the one before
    ///     it is left out (its line keeps a tooltip). Outside the axis: not drawn.
    ///   - format: how values are written on the y axis.
    static func lines(title: String, spans: [(start: Double, end: Double)], _ lines: [Line], maximum: Double? = nil,
                      marker: (value: Double, label: String)? = nil, shaded: (from: Double, to: Double, label: String)? = nil,
                      markers: [TimeMarker] = [], format: (Double) -> String) -> String {
        let left = 64.0, plotWidth = 460.0, right = 24.0, top = 46.0, plotHeight = 150.0, bottom = 30.0
        let width = left + plotWidth + right, height = top + plotHeight + bottom
        let x0 = spans.first?.start ?? 0, x1 = max(spans.last?.end ?? 1, x0 + 1e-12)
        let finite = lines.flatMap(\.values).filter(\.isFinite) + [marker?.value ?? 0]
        let yMax = maximum ?? roundUp(max(finite.max() ?? 0, 1e-12))
        func x(_ t: Double) -> Double { left + plotWidth * (t - x0) / (x1 - x0) }
        func y(_ v: Double) -> Double { top + plotHeight * (1 - min(max(v / yMax, 0), 1)) }

        var svg = start(title: title, width: width, height: height)
        // Legend, in one row under the title.
        var legendX = left
        for (i, line) in lines.enumerated() {
            let color = palette[i % palette.count]
            svg += "<rect x=\(quoted(legendX)) y=\"26\" width=\"14\" height=\"4\" fill=\"\(color)\"/>"
            svg += "<text x=\(quoted(legendX + 18)) y=\"32\">\(htmlEscaped(line.label))</text>\n"
            legendX += 30 + 7 * Double(line.label.count)
        }
        if let shaded, shaded.to > shaded.from {
            let a = x(max(shaded.from, x0)), b = x(min(shaded.to, x1))
            svg += "<rect x=\(quoted(a)) y=\(quoted(top)) width=\(quoted(b - a)) height=\(quoted(plotHeight)) fill=\"#e8e8e8\"/>\n"
            svg += "<text x=\(quoted(a + 4)) y=\(quoted(top + plotHeight - 6)) fill=\"#666\">\(htmlEscaped(shaded.label))</text>\n"
        }
        // Bands first, so that the grid and the lines are drawn over them; their labels at the
        // bottom (the point markers' are at the top), overlapping bands' on three rows.
        for (k, band) in markers.filter({ $0.until != nil }).enumerated() {
            let from = max(band.time, x0), to = min(band.until!, x1)
            guard to > from else { continue }
            let a = x(from), b = x(to)
            svg += "<rect x=\(quoted(a)) y=\(quoted(top)) width=\(quoted(b - a)) height=\(quoted(plotHeight)) fill=\"\(band.color)\" fill-opacity=\"0.15\">"
            svg += "<title>\(htmlEscaped(band.label)): \(htmlEscaped(Format.time(band.time)))–\(htmlEscaped(Format.time(band.until!)))</title></rect>\n"
            svg += "<text x=\(quoted(a + 3)) y=\(quoted(top + plotHeight - 6 - 10 * Double(k % 3))) font-size=\"9\" fill=\"\(band.color)\">"
                + "\(htmlEscaped(shortened(band.label)))</text>\n"
        }
        // Axes: y at 0, half and the top; x at five times.
        for fraction in [0.0, 0.5, 1.0] {
            let v = yMax * fraction, yv = y(v)
            svg += "<line x1=\(quoted(left)) x2=\(quoted(left + plotWidth)) y1=\(quoted(yv)) y2=\(quoted(yv)) stroke=\"#ddd\"/>"
            svg += "<text x=\(quoted(left - 6)) y=\(quoted(yv + 4)) text-anchor=\"end\">\(htmlEscaped(format(v)))</text>\n"
        }
        for fraction in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let t = x0 + (x1 - x0) * fraction, xt = x(t)
            svg += "<line x1=\(quoted(xt)) x2=\(quoted(xt)) y1=\(quoted(top + plotHeight)) y2=\(quoted(top + plotHeight + 4)) stroke=\"#888\"/>"
            svg += "<text x=\(quoted(xt)) y=\(quoted(top + plotHeight + 18)) text-anchor=\"middle\">\(htmlEscaped(Format.time(t)))</text>\n"
        }
        svg += "<line x1=\(quoted(left)) x2=\(quoted(left + plotWidth)) y1=\(quoted(top + plotHeight)) y2=\(quoted(top + plotHeight)) stroke=\"#888\"/>\n"
        if let marker {
            let ym = y(marker.value)
            svg += "<line x1=\(quoted(left)) x2=\(quoted(left + plotWidth)) y1=\(quoted(ym)) y2=\(quoted(ym)) stroke=\"#c0392b\" stroke-dasharray=\"4 3\"/>"
            svg += "<text x=\(quoted(left + plotWidth - 2)) y=\(quoted(ym - 3)) text-anchor=\"end\" fill=\"#c0392b\">\(htmlEscaped(marker.label))</text>\n"
        }
        // Point markers: a thin line each, the label upwards from the top of the plot.
        var lastLabel = -Double.infinity
        for point in markers where point.until == nil && point.time >= x0 && point.time <= x1 {
            let xm = x(point.time)
            svg += "<line x1=\(quoted(xm)) x2=\(quoted(xm)) y1=\(quoted(top)) y2=\(quoted(top + plotHeight)) stroke=\"\(point.color)\" "
                + "stroke-width=\"1\" stroke-dasharray=\"3 2\"><title>\(htmlEscaped(Format.time(point.time))): \(htmlEscaped(point.label))</title></line>\n"
            guard xm - lastLabel >= 10 else { continue }
            lastLabel = xm
            let lx = decimal(xm + 9), ly = decimal(top + 2)
            svg += "<text x=\"\(lx)\" y=\"\(ly)\" transform=\"rotate(-90 \(lx) \(ly))\" "
                + "text-anchor=\"end\" font-size=\"9\" fill=\"\(point.color)\">\(htmlEscaped(shortened(point.label)))</text>\n"
        }
        // The lines: runs of finite values become polylines, a lone value a dot.
        for (i, line) in lines.enumerated() {
            let color = palette[i % palette.count]
            var run: [String] = []
            func flush() {
                if run.count == 1 {
                    let xy = run[0].split(separator: ",")
                    svg += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"2\" fill=\"\(color)\"/>\n"
                } else if run.count > 1 {
                    svg += "<polyline points=\"\(run.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\"/>\n"
                }
                run = []
            }
            for (k, value) in line.values.enumerated() where k < spans.count {
                guard value.isFinite else { flush(); continue }
                let middle = (spans[k].start + spans[k].end) / 2
                run.append(String(format: "%.1f,%.1f", x(middle), y(value)))
            }
            flush()
        }
        return svg + "</svg>\n"
    }

    /// `label`, cut to `markerLabelLength` characters with an ellipsis.
    static func shortened(_ label: String) -> String {
        label.count <= markerLabelLength ? label : String(label.prefix(markerLabelLength - 1)) + "…"
    }

    /// The least of 1, 2, 2.5, 5 times a power of ten that is at least `value` (> 0).
    static func roundUp(_ value: Double) -> Double {
        let power = pow(10, (log10(value)).rounded(.down))
        return [1, 2, 2.5, 5, 10].map { $0 * power }.first { $0 >= value * (1 - 1e-12) } ?? value
    }
}
