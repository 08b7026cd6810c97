/// The time series of one simulated model (an architecture stage, or a network): every
/// replication's windows, with the resources they measured. `timeseries.csv` and the
/// report's charts over time are rendered from it; `report.json` does not hold it.
public struct TimeSeries: Sendable {
    /// A CPU or pool (with a utilization per window), a cache (with a hit ratio) or a router
    /// whose instance count changes (with its instances in service).
    public struct Resource: Sendable {
        public enum Kind: String, Sendable { case cpu, pool, cache, router }
        public var name: String
        public var kind: Kind
        /// Its index among the model's resources of its kind (in the windows' arrays).
        public var index: Int
        /// Cores (CPU), units (pool) or the most instances (router); 0 for a cache.
        public var capacity: Int
        /// A router with autoscaling (its count is meant to change, even in a run where it did not).
        public var autoscales = false
    }

    /// The stage's or the network's name.
    public var name: String
    public var duration: Double
    public var warmup: Double
    /// Every CPU, then every pool, then every cache of the model, then every router whose
    /// instance count can change (`Self.countChanges`).
    public var resources: [Resource]
    /// Per replication, its windows in time order (a replication that stopped early has fewer).
    public var replications: [[ReplicationResult.Window]]
    /// What happened during the first replication (faults, health checks, scaling actions), in
    /// time order: every chart over time marks them.
    public var markers: [ReplicationResult.Marker]
    /// Whether the model changes during a run (`Self.changes`): `timeseries.csv` then has the
    /// columns of a changing system.
    public var changes: Bool

    public init(name: String, model: Model, run: RunSettings, results: [ReplicationResult]) {
        self.name = name
        duration = run.duration
        warmup = run.warmup
        resources = model.cpus.enumerated().map { Resource(name: $1.name, kind: .cpu, index: $0, capacity: $1.cores) }
            + model.pools.enumerated().map { Resource(name: $1.name, kind: .pool, index: $0, capacity: $1.capacity) }
            + model.caches.enumerated().map { Resource(name: $1.name, kind: .cache, index: $0, capacity: 0) }
            + model.routers.enumerated().filter { Self.countChanges($1, in: model) }.map {
                Resource(name: $1.name, kind: .router, index: $0, capacity: $1.instances, autoscales: $1.autoscaling != nil)
            }
        replications = results.map(\.windows)
        markers = results.first?.markers ?? []
        changes = Self.changes(model)
    }

    /// Whether `model` changes during a run: a rate profile, faults, clients that retry,
    /// health checks or autoscaling, a flash crowd.
    public static func changes(_ model: Model) -> Bool {
        model.profile != nil || !model.faults.isEmpty || model.classes.contains { $0.retry != nil }
            || model.routers.contains { countChanges($0, in: model) } || model.caches.contains { $0.flash != nil }
    }

    /// Whether the instances in service of `router` of `model` can change: it autoscales, its
    /// load balancer checks them, or a fault hits one of them.
    public static func countChanges(_ router: Model.Router, in model: Model) -> Bool {
        router.autoscaling != nil || router.healthCheck != nil
            || model.faults.contains { router.components.contains($0.component) }
    }

    /// Completed requests per second in `window`.
    public static func throughput(_ window: ReplicationResult.Window) -> Double {
        Double(window.completed) / window.width
    }

    /// Arrived requests per second in `window`.
    public static func arrivalRate(_ window: ReplicationResult.Window) -> Double {
        Double(window.arrivals) / window.width
    }

    /// Requests that failed for good per second in `window`.
    public static func errorRate(_ window: ReplicationResult.Window) -> Double {
        Double(window.errors) / window.width
    }

    /// Attempts whose client gave up per second in `window`.
    public static func timeoutRate(_ window: ReplicationResult.Window) -> Double {
        Double(window.timeouts) / window.width
    }

    /// Retries (attempts after the first) per second in `window`.
    public static func retryRate(_ window: ReplicationResult.Window) -> Double {
        Double(window.retries) / window.width
    }

    /// Attempts per second in `window`: the requests that arrived and the retries, the load
    /// the servers are offered (in a retry storm, well above the arrivals).
    public static func offeredRate(_ window: ReplicationResult.Window) -> Double {
        Double(window.arrivals + window.retries) / window.width
    }

    /// The time-weighted utilization of CPU or pool `resource` in `window` (busy cores or units
    /// in use, over the capacity); nil for a cache or a router.
    public func utilization(_ resource: Resource, in window: ReplicationResult.Window) -> Double? {
        switch resource.kind {
        case .cpu: window.cpuBusyArea[resource.index] / (window.width * Double(resource.capacity))
        case .pool: window.poolInUseArea[resource.index] / (window.width * Double(resource.capacity))
        case .cache, .router: nil
        }
    }

    /// The time-weighted mean of the instances in service of router `resource` in `window`
    /// (its instance area over the width; NaN when the window does not have it); nil for
    /// another kind of resource.
    public func instances(_ resource: Resource, in window: ReplicationResult.Window) -> Double? {
        guard resource.kind == .router else { return nil }
        guard window.routerInstanceArea.indices.contains(resource.index) else { return .nan }
        return window.routerInstanceArea[resource.index] / window.width
    }

    /// Hits over lookups of cache `resource` in `window` (NaN without lookups); nil for a CPU
    /// or pool.
    public func hitRatio(_ resource: Resource, in window: ReplicationResult.Window) -> Double? {
        guard resource.kind == .cache else { return nil }
        let lookups = window.cacheLookups[resource.index]
        return lookups == 0 ? .nan : Double(window.cacheHits[resource.index]) / Double(lookups)
    }

    /// The windows' spans, from the replication with the most windows (every replication has
    /// the same edges; one that stopped early has only the first ones).
    var spans: [(start: Double, end: Double)] {
        (replications.max { $0.count < $1.count } ?? []).map { ($0.start, $0.end) }
    }

    /// Per window, the mean of `value` over the replications that have the window and give a
    /// finite value there (NaN where none does).
    func meanPerWindow(_ value: (ReplicationResult.Window) -> Double) -> [Double] {
        spans.indices.map { k in
            let values = replications.compactMap { $0.indices.contains(k) ? value($0[k]) : nil }.filter(\.isFinite)
            return values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        }
    }

    /// The mean of `value` over the measured windows of every replication, weighted by the
    /// windows' widths (NaN where no window gives a finite value).
    func measuredMean(_ value: (ReplicationResult.Window) -> Double) -> Double {
        var sum = 0.0, time = 0.0
        for window in replications.joined() where window.start >= warmup {
            let v = value(window)
            guard v.isFinite else { continue }
            sum += v * window.width
            time += window.width
        }
        return time > 0 ? sum / time : .nan
    }
}
