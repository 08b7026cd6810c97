/// What happened during a run (faults, health checks, scaling actions), in words for the
/// tables and as marks for the charts over time.
extension ReplicationResult.Marker {
    /// The event in words, for the "What happened" table: `api[0] fails`, `scale out: api 6`.
    public var text: String {
        switch kind {
        case .faultStart: "\(label) fails"
        case .faultEnd: "\(label) recovers"
        case .removed: "\(label) taken out of rotation (health checks)"
        case .restored: "\(label) back in rotation (health checks)"
        case .scaleOut: "scale out: \(label)"
        case .scaleIn: "scale in: \(label)"
        case .provisioned: "new instances in service: \(label)"
        }
    }

    /// Rows of a "What happened" table at most (`report.json` has every event).
    static let tableRows = 40

    /// The "What happened" table of `markers` (those of the first replication, in time
    /// order): the sentence before it and its rows (time, marked in the warm-up, and event).
    static func table(_ markers: [Self], warmup: Double) -> (lead: String, rows: [[String]]) {
        let shown = markers.prefix(tableRows)
        let lead = "In the first replication, warm-up included"
            + (shown.count < markers.count ? ": the first \(shown.count) of \(markers.count) events (report.json has them all)." : ".")
        return (lead, shown.map { [Format.time($0.time) + ($0.time < warmup ? " (warm-up)" : ""), $0.text] })
    }
}

extension TimeSeries {
    /// The marks of `markers` (in time order) on a chart over time: a fault is a band from its
    /// start to the end of the next fault of the same label (to `end` while it lasts past the
    /// run), labelled `<label> down`; every other marker is a line with a short label.
    ///
    /// - Complexity: O(n × faults): a fault's end is looked for from its start on.
    static func chartMarkers(_ markers: [ReplicationResult.Marker], end: Double) -> [SVGChart.TimeMarker] {
        var marks: [SVGChart.TimeMarker] = []
        var closed = Set<Int>()  // the fault ends that close a band
        for (i, m) in markers.enumerated() {
            switch m.kind {
            case .faultStart:
                let endIndex = markers.indices.dropFirst(i + 1).first { k in
                    markers[k].kind == .faultEnd && markers[k].label == m.label && !closed.contains(k)
                }
                if let endIndex { closed.insert(endIndex) }
                marks.append(.init(time: m.time, until: endIndex.map { markers[$0].time } ?? max(end, m.time),
                                   label: "\(m.label) down", kind: .fault))
            case .faultEnd:
                // A recovery without its fault (cannot happen: markers start with the run).
                if !closed.contains(i) { marks.append(.init(time: m.time, label: "\(m.label) up", kind: .fault)) }
            case .removed: marks.append(.init(time: m.time, label: "removed \(m.label)", kind: .health))
            case .restored: marks.append(.init(time: m.time, label: "restored \(m.label)", kind: .health))
            case .scaleOut: marks.append(.init(time: m.time, label: "scale out \(m.label)", kind: .scaleOut))
            case .scaleIn: marks.append(.init(time: m.time, label: "scale in \(m.label)", kind: .scaleIn))
            case .provisioned: marks.append(.init(time: m.time, label: "ready \(m.label)", kind: .scaleOut))
            }
        }
        return marks
    }
}
