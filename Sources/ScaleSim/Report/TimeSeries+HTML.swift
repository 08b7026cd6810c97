extension TimeSeries {
    /// Resources drawn on the utilization chart over time (the busiest).
    static let chartedResources = 3
    /// Caches drawn on the hit-ratio chart over time (those with the most lookups).
    static let chartedCaches = 5

    /// The charts over time, as one `figure`: requests per second (completed and arrived, and
    /// the attempts offered when clients retry), p99 latency, errors and retries per second
    /// (for a system that changes, or one whose clients retried), the utilization of the
    /// busiest resources, the instances in service of routers whose count changes and the
    /// caches' hit ratios, each point the mean over the replications of one window, with the
    /// warm-up shaded and what happened in the first replication marked (`markers`). Empty
    /// without windows.
    var htmlFigure: String {
        let spans = self.spans
        guard !spans.isEmpty else { return "" }
        let shaded = warmup > 0 ? (from: 0.0, to: warmup, label: "warm-up") : nil
        let marks = Self.chartMarkers(markers, end: spans[spans.count - 1].end)
        let windows = replications.joined()
        let retried = windows.contains { $0.retries > 0 }
        var out = "<figure>\n"
        var requests: [SVGChart.Line] = [
            .init(label: "completed", values: meanPerWindow(Self.throughput)),
            .init(label: "arrived", values: meanPerWindow(Self.arrivalRate)),
        ]
        if retried { requests.append(.init(label: "offered (arrived + retries)", values: meanPerWindow(Self.offeredRate))) }
        out += SVGChart.lines(title: "Requests per second over time", spans: spans, requests,
                              shaded: shaded, markers: marks, format: Format.number)
        out += SVGChart.lines(title: "p99 latency over time", spans: spans, [.init(label: "p99", values: meanPerWindow(\.p99))],
                              shaded: shaded, markers: marks, format: Format.time)
        // Errors of a system that does not change are the overload the other charts show
        // already (and the reports of such systems stay as they were).
        if retried || (changes && windows.contains { $0.errors > 0 || $0.timeouts > 0 }) {
            out += SVGChart.lines(title: "Errors and retries per second over time", spans: spans, [
                .init(label: "errors", values: meanPerWindow(Self.errorRate)),
                .init(label: "timeouts", values: meanPerWindow(Self.timeoutRate)),
                .init(label: "retries", values: meanPerWindow(Self.retryRate)),
            ], shaded: shaded, markers: marks, format: Format.number)
        }
        // The busiest resources over the measured windows (ties in model order).
        let busiest = ranked(resources.filter { $0.kind == .cpu || $0.kind == .pool }) { r in
            measuredMean { utilization(r, in: $0) ?? .nan }
        }.prefix(Self.chartedResources)
        if !busiest.isEmpty {
            out += SVGChart.lines(title: "Utilization over time: the busiest resources", spans: spans,
                                  busiest.map { r in .init(label: r.name, values: meanPerWindow { utilization(r, in: $0) ?? .nan }) },
                                  maximum: 1, marker: (0.8, "80%"), shaded: shaded, markers: marks, format: Format.percent)
        }
        let routers = resources.filter { $0.kind == .router }.map { r in
            (resource: r, values: meanPerWindow { instances(r, in: $0) ?? .nan })
        }.filter { r in
            let finite = r.values.filter(\.isFinite)
            return r.resource.autoscales || (finite.max() ?? 0) - (finite.min() ?? 0) > 1e-9
        }
        if !routers.isEmpty {
            out += SVGChart.lines(title: "Instances in service over time", spans: spans,
                                  routers.map { .init(label: $0.resource.name, values: $0.values) },
                                  maximum: Double(routers.map(\.resource.capacity).max()!), shaded: shaded, markers: marks,
                                  format: Format.number)
        }
        let caches = ranked(resources.filter { $0.kind == .cache }) { r in
            Double(windows.reduce(0) { $0 + $1.cacheLookups[r.index] })
        }.prefix(Self.chartedCaches)
        if !caches.isEmpty {
            out += SVGChart.lines(title: "Cache hit ratio over time", spans: spans,
                                  caches.map { r in .init(label: r.name, values: meanPerWindow { hitRatio(r, in: $0) ?? .nan }) },
                                  maximum: 1, shaded: shaded, markers: marks, format: Format.percent)
        }
        let width = spans[spans.count / 2].end - spans[spans.count / 2].start
        let over = replications.count == 1 ? "one replication's" : "the mean over \(replications.count) replications of"
        out += "<figcaption>Each point is \(over) one window of "
            + "\(htmlEscaped(Format.time(width))); shaded: the warm-up, which every other figure of the report leaves out. "
            + "Latency is that of the requests completed in the window (a request that timed out is an error). "
        if !marks.isEmpty {
            out += "Red bands: a component down; dashed lines: health checks (red) and scaling (green out, purple in), "
                + "as they happened in the first replication (the table of what happened lists them). "
        }
        out += "Every replication's windows are in timeseries.csv.</figcaption>\n</figure>\n"
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
