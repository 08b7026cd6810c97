extension Model {
    /// The model with the open sources of its background classes (long-lived connections)
    /// silenced: what the analytic model of requests solves.
    ///
    /// A connection holds its slot for minutes: as a request it would dominate the latency
    /// mixture, and a connection pool that rejects when full (a loss system) would read as an
    /// unstable queue. Their resources keep their indices (rates 0); the websocket report gives
    /// the connections' own analytic figures (Erlang B). A stage whose API instances hold the
    /// connections is therefore seen by the analytic model without them: only the simulation
    /// shows the workers they take.
    public var requestsOnly: Model {
        guard classes.contains(where: \.background) else { return self }
        var model = self
        model.sources = sources.map { source in
            if case let .open(c, _, entry, stream) = source, classes[c].background {
                return .open(classIndex: c, rate: 0, entry: entry, streamName: stream)
            }
            return source
        }
        return model
    }
}
