extension NetworkReport {
    /// `timeseries.csv`: one row per replication and window of the network (see `TimeSeries.csv`).
    public var timeSeriesCSV: String { TimeSeries.csv(timeSeries.map { [$0] } ?? [], keyColumn: "network") }

    /// The charts over time (see `TimeSeries.htmlFigure`), under a heading.
    var timeSeriesHTML: String {
        guard let figure = timeSeries?.htmlFigure, !figure.isEmpty else { return "" }
        return "<h2>Over time</h2>\n" + figure
    }
}
