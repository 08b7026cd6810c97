import Foundation

extension SweepReport {
    /// `sweep.html`: one self-contained page with the curves as inline SVG (p99 latency and
    /// the busiest component's utilization against the first axis, one line per curve, the
    /// knees marked), the knees in words and the table of every point.
    public var html: String {
        let first = axes[0]
        let labels = first.values.map { value($0, first) }
        var curves: [(label: String, points: [SweepPoint?])] = []
        for knee in knees {
            let label = zip(axes.dropFirst(), knee.fixed).map { "\($0.parameter.rawValue) \(value($1, $0))" }.joined(separator: ", ")
            let base = (knee.knee ?? knee.last ?? 0) / first.values.count * first.values.count
            curves.append((label.isEmpty ? "p99" : label, first.values.indices.map { point(base + $0) }))
        }
        let p99 = Self.curveChart(title: "p99 latency against \(first.parameter.rawValue) (log scale)", xLabels: labels,
                                  curves.map { ($0.label, $0.points.map { $0?.p99.mean ?? .nan }) },
                                  knees: curves.map { c in c.points.firstIndex { $0?.sloMet == false } },
                                  logScale: true, target: slo.p99.map { ($0, "p99 target \(Format.time($0))") }, format: Format.time)
        let busiest = Self.curveChart(title: "Utilization of the busiest component", xLabels: labels,
                                      curves.map { ($0.label, $0.points.map { $0?.busiest.first?.utilization.mean ?? .nan }) },
                                      knees: curves.map { c in c.points.firstIndex { $0?.sloMet == false } },
                                      logScale: false, target: (0.8, "80%"), format: Format.percent)
        var body = "<h1>\(htmlEscaped(title))</h1>\n"
        body += "<p class=\"settings\">Seed \(seed), \(htmlEscaped(Format.time(run.duration))) per replication "
            + "(\(htmlEscaped(Format.time(run.warmup))) warm-up), confidence \(htmlEscaped(Format.percent(run.confidence))).</p>\n"
        body += "<h2>Knees</h2>\n<ul>\n" + kneeLines.map { "<li>\(htmlEscaped($0))</li>\n" }.joined() + "</ul>\n"
        body += "<figure>\n" + p99 + "<figcaption>Red rings: the knee of each curve (the first point that fails the SLO).</figcaption>\n</figure>\n"
        body += "<figure>\n" + busiest + "<figcaption>The busiest component at each point (its busiest instance).</figcaption>\n</figure>\n"
        let (header, rows) = rows(markdown: true)
        body += "<h2>Points</h2>\n" + HTML.table(header, rows)
        return HTML.page(title: "scalesim sweep: \(scenario)", body: body)
    }

    /// A line chart against the values of the first axis, evenly spaced (a log-spaced sweep
    /// reads as a log axis): one line per curve, NaN leaves a gap, the knees ringed in red.
    static func curveChart(title: String, xLabels: [String], _ lines: [(label: String, values: [Double])], knees: [Int?],
                           logScale: Bool, target: (value: Double, label: String)?, format: (Double) -> String) -> String {
        let left = 70.0, plotWidth = 560.0, top = 46.0, plotHeight = 200.0
        let width = left + plotWidth + 30, height = top + plotHeight + 40
        let finite = lines.flatMap(\.values).filter { $0.isFinite && (!logScale || $0 > 0) } + [target?.value].compactMap { $0 }
        let high = SVGChart.roundUp(max(finite.max() ?? 1, 1e-9))
        let low = logScale ? pow(10, floor(log10(max(finite.min() ?? high / 10, 1e-9)))) : 0
        func y(_ v: Double) -> Double {
            let fraction = logScale ? (v > 0 ? log10(v / low) / max(log10(high / low), 1e-9) : 0) : v / high
            return top + plotHeight * (1 - min(max(fraction, 0), 1))
        }
        func x(_ i: Int) -> Double { left + (xLabels.count <= 1 ? plotWidth / 2 : plotWidth * Double(i) / Double(xLabels.count - 1)) }
        var svg = SVGChart.start(title: title, width: width, height: height)
        var legendX = left
        for (i, line) in lines.enumerated() where lines.count > 1 {
            svg += "<rect x=\(SVGChart.quoted(legendX)) y=\"26\" width=\"14\" height=\"4\" fill=\"\(SVGChart.palette[i % SVGChart.palette.count])\"/>"
            svg += "<text x=\(SVGChart.quoted(legendX + 18)) y=\"32\">\(htmlEscaped(line.label))</text>\n"
            legendX += 30 + 7 * Double(line.label.count)
        }
        let ticks = logScale ? stride(from: log10(low), through: log10(high), by: 1).map { pow(10, $0) } : [0, high / 2, high]
        for v in ticks {
            let yv = y(v)
            svg += "<line x1=\(SVGChart.quoted(left)) x2=\(SVGChart.quoted(left + plotWidth)) y1=\(SVGChart.quoted(yv)) y2=\(SVGChart.quoted(yv)) stroke=\"#ddd\"/>"
            svg += "<text x=\(SVGChart.quoted(left - 6)) y=\(SVGChart.quoted(yv + 4)) text-anchor=\"end\">\(htmlEscaped(format(v)))</text>\n"
        }
        let every = max(1, Int((Double(xLabels.count) / 8).rounded(.up)))
        for (i, label) in xLabels.enumerated() where i % every == 0 || i == xLabels.count - 1 {
            svg += "<text x=\(SVGChart.quoted(x(i))) y=\(SVGChart.quoted(top + plotHeight + 18)) text-anchor=\"middle\">\(htmlEscaped(label))</text>\n"
        }
        if let target {
            let yt = y(target.value)
            svg += "<line x1=\(SVGChart.quoted(left)) x2=\(SVGChart.quoted(left + plotWidth)) y1=\(SVGChart.quoted(yt)) y2=\(SVGChart.quoted(yt)) stroke=\"#c0392b\" stroke-dasharray=\"4 3\"/>"
            svg += "<text x=\(SVGChart.quoted(left + plotWidth - 2)) y=\(SVGChart.quoted(yt - 3)) text-anchor=\"end\" fill=\"#c0392b\">\(htmlEscaped(target.label))</text>\n"
        }
        for (i, line) in lines.enumerated() {
            let color = SVGChart.palette[i % SVGChart.palette.count]
            var run: [String] = []
            func flush() {
                if run.count > 1 { svg += "<polyline points=\"\(run.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\"/>\n" }
                run = []
            }
            for (k, v) in line.values.enumerated() {
                guard v.isFinite, !logScale || v > 0 else { flush(); continue }
                run.append(String(format: "%.1f,%.1f", x(k), y(v)))
                svg += "<circle cx=\(SVGChart.quoted(x(k))) cy=\(SVGChart.quoted(y(v))) r=\"2.5\" fill=\"\(color)\"><title>\(htmlEscaped(xLabels[k])): \(htmlEscaped(format(v)))</title></circle>\n"
                if i < knees.count, knees[i] == k {
                    svg += "<circle cx=\(SVGChart.quoted(x(k))) cy=\(SVGChart.quoted(y(v))) r=\"6\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\"/>\n"
                }
            }
            flush()
        }
        return svg + "</svg>\n"
    }
}
