extension TimeSeries {
    /// Resources drawn on the utilization chart over time (the busiest).
    static let chartedResources = 3
    /// Caches drawn on the hit-ratio chart over time (those with the most lookups).
    static let chartedCaches = 5

    /// The charts over time, as one `figure`: requests per second (completed and arrived), p99
    /// latency, the utilization of the busiest resources and the caches' hit ratios, each point
    /// the mean over the replications of one window, with the warm-up shaded. Empty without
    /// windows.
    var htmlFigure: String {
        let spans = self.spans
        guard !spans.isEmpty else { return "" }
        let shaded = warmup > 0 ? (from: 0.0, to: warmup, label: "warm-up") : nil
        var out = "<figure>\n"
        out += SVGChart.lines(title: "Requests per second over time", spans: spans, [
            .init(label: "completed", values: meanPerWindow(Self.throughput)),
            .init(label: "arrived", values: meanPerWindow(Self.arrivalRate)),
        ], shaded: shaded, format: Format.number)
        out += SVGChart.lines(title: "p99 latency over time", spans: spans, [.init(label: "p99", values: meanPerWindow(\.p99))],
                              shaded: shaded, format: Format.time)
        // The busiest resources over the measured windows (ties in model order).
        let busiest = ranked(resources.filter { $0.kind != .cache }) { r in measuredMean { utilization(r, in: $0) ?? .nan } }
            .prefix(Self.chartedResources)
        if !busiest.isEmpty {
            out += SVGChart.lines(title: "Utilization over time: the busiest resources", spans: spans,
                                  busiest.map { r in .init(label: r.name, values: meanPerWindow { utilization(r, in: $0) ?? .nan }) },
                                  maximum: 1, marker: (0.8, "80%"), shaded: shaded, format: Format.percent)
        }
        let caches = ranked(resources.filter { $0.kind == .cache }) { r in
            Double(replications.joined().reduce(0) { $0 + $1.cacheLookups[r.index] })
        }.prefix(Self.chartedCaches)
        if !caches.isEmpty {
            out += SVGChart.lines(title: "Cache hit ratio over time", spans: spans,
                                  caches.map { r in .init(label: r.name, values: meanPerWindow { hitRatio(r, in: $0) ?? .nan }) },
                                  maximum: 1, shaded: shaded, format: Format.percent)
        }
        let width = spans[spans.count / 2].end - spans[spans.count / 2].start
        let over = replications.count == 1 ? "one replication's" : "the mean over \(replications.count) replications of"
        out += "<figcaption>Each point is \(over) one window of "
            + "\(htmlEscaped(Format.time(width))); shaded: the warm-up, which every other figure of the report leaves out. "
            + "Latency is that of the requests completed in the window (a request that timed out is an error). "
            + "Every replication's windows are in timeseries.csv.</figcaption>\n</figure>\n"
        return out
    }

    /// `candidates` with a positive finite `score`, highest first (ties keep their order).
    private func ranked(_ candidates: [Resource], by score: (Resource) -> Double) -> [Resource] {
        let scored: [(order: Int, resource: Resource, score: Double)] = candidates.enumerated().map { i, r in
            (order: i, resource: r, score: score(r))
        }
        let kept = scored.filter { $0.score.isFinite && $0.score > 0 }
        return kept.sorted { a, b in a.score != b.score ? a.score > b.score : a.order < b.order }.map(\.resource)
    }
}
