extension ArchitectureReport {
    /// `timeseries.csv`: one row per stage, replication and window (see `TimeSeries.csv`).
    public var timeSeriesCSV: String { TimeSeries.csv(timeSeries, keyColumn: "stage") }

    /// The charts over time of `stage` (see `TimeSeries.htmlFigure`), under a heading.
    func timeSeriesHTML(for stage: StageResult) -> String {
        guard let series = timeSeries.first(where: { $0.name == stage.name }) else { return "" }
        let figure = series.htmlFigure
        return figure.isEmpty ? "" : "<h3>\(htmlEscaped(stage.name)) over time</h3>\n" + figure
    }
}
