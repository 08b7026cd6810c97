/// The analytic model of a compiled `Model` whose programs run forward (every architecture
/// stage): what queueing theory predicts for the same resources and programs the engine runs,
/// in milliseconds instead of seconds (DESIGN.md section 5).
///
/// How it is solved:
/// - **Demand** per resource from the programs: every path through a program (lookups fork
///   into hit and miss, branch tables into their targets) carries its share of the source's
///   rate; a step on an instance chosen by a router splits evenly over the instances (what
///   round robin, least connections and power of two choices all do in the long run for equal
///   instances).
/// - **Cache hit ratios** per key from the lookup rate and the key popularity: the TTL formula
///   `λ_k T / (1 + λ_k T)` (Jung, Berger & Balakrishnan 2003), Che's approximation for LRU
///   capacity, and their combination (`CacheFormulas`); the lookup rate does not depend on
///   the cache's own hits, so a short fixed-point iteration settles it.
/// - **CPUs**: utilization law; processor sharing with c cores is insensitive, so its mean
///   response is the M/M/c one (exact, `QueueingFormulas.mgcPSMeanResponse`), and a visit of
///   mean work s takes `s · R/E[S]`; FCFS CPUs use Allen-Cunneen's M/G/c approximation.
/// - **Held resources** as a layered model: a pool (API workers, database connections) is a
///   multi-server station whose service time is the whole time a unit is held, found by
///   walking the path from acquire to release with the response times of everything in
///   between (queueing included, inner pools' waits included), and whose wait is Erlang C's;
///   iterated to a fixed point.
/// - **Closed workloads**: the interactive response time law `X = N / (Z + R(X))`, solved for
///   X by bisection with the open model's response time at rate X (exact as N grows; an
///   approximation for a handful of users, where MVA would be exact).
/// - **Latency percentiles**: each path's latency is its fixed network delays plus a gamma
///   variable matched to the mean and variance of the rest (sojourn variances: the service
///   time's, scaled by the slowdown, and Erlang C's waiting-time mixture); a percentile is
///   the root of the mixture's CDF over the paths. An approximation, checked against the
///   simulation in every report.
/// - **Bottleneck law**: throughput is at most `c_k / D_k` over the resources (cores over CPU
///   demand per request, units over hold time per request).
///
/// Not modelled here (the simulation has them): client timeouts that free a client while the
/// servers work on, blocking at a CPU's capacity, warm-up (the model is the steady state).
/// Nor what changes during a run: the model is the steady state at the base rate (a rate
/// profile's factor 1), with every component up, an autoscaled router at its initial count
/// of instances, and no retries.
public struct ModelAnalytic: Sendable {
    /// Predicted figures of one CPU, delay centre or pool.
    public struct Station: Sendable {
        /// Visits (CPU, delay) or acquisitions (pool) per second.
        public var arrivalRate: Double
        /// Offered utilization: busy cores over cores (CPU) or units held over units (pool). It
        /// can exceed 1: the resource is then overloaded (nil when a held time is unbounded).
        public var utilization: Double?
        /// Mean time per visit: the sojourn at a CPU or delay, the wait for a unit at a pool;
        /// nil when the resource (or what it waits on) is overloaded.
        public var meanResponse: Double?
        /// Mean number waiting (not in service); nil when overloaded.
        public var meanQueueLength: Double?
    }

    public struct ClassFigures: Sendable {
        /// Requests per second of the class.
        public var throughput: Double
        public var meanLatency: Double?
        public var p99: Double?
        /// Share of the class's requests whose latency exceeds its client timeout.
        public var errorRate: Double
    }

    /// A resource that can saturate.
    public enum Resource: Sendable, Hashable {
        case cpu(Int)
        case pool(Int)

        public func name(in model: Model) -> String {
            switch self {
            case .cpu(let i): return model.cpus[i].name
            case .pool(let i): return model.pools[i].name
            }
        }
    }

    public var cpus: [Station]
    public var delays: [Station]
    public var pools: [Station]
    /// Hit ratio per cache (`Model.caches` order).
    public var hitRatios: [Double]
    public var classes: [ClassFigures]
    /// Requests per second sent (for a closed workload, solved from the response time law).
    public var throughput: Double
    /// Whether every resource runs below its capacity; when false, latencies are unbounded.
    public var stable: Bool
    public var meanLatency: Double?
    public var p50: Double?
    public var p95: Double?
    public var p99: Double?
    /// Share of requests that fail: when overloaded, at least those beyond `maxThroughput`;
    /// otherwise those slower than their client's timeout.
    public var errorRate: Double
    /// The largest request rate, with this load's mix, at which every resource is stable: the
    /// bottleneck law's `min c_k / D_k`, or less where a pool saturates first because queueing
    /// downstream lengthens its holds.
    public var maxThroughput: Double
    /// The resource that saturates at `maxThroughput`.
    public var bottleneck: Resource?
    /// The resources overloaded at this load, the most loaded first.
    public var saturated: [Resource]

    /// Solves `model`, or gives nil when its programs loop (use `NetworkAnalytic` for
    /// networks with feedback).
    ///
    /// - Parameter findLimit: Whether to search for `maxThroughput` (a few dozen more
    ///   evaluations); without it `maxThroughput` is the bottleneck law's bound.
    public static func solve(_ model: Model, findLimit: Bool = true) -> ModelAnalytic? {
        guard let paths = ProgramPath.enumerate(model) else { return nil }
        let solver = ModelAnalyticSolver(model: model, paths: paths)
        return solver.solve(findLimit: findLimit)
    }

    /// The resource to name as what limits this load: a CPU at 95% or more when there is one
    /// (a pool of workers runs out because what its holders wait on is saturated), else the
    /// first saturated resource, else the most utilized one.
    public func binding(in model: Model) -> Resource? {
        let busiestCPU = cpus.indices.filter { cpus[$0].arrivalRate > 0 }
            .max { (cpus[$0].utilization ?? 0) < (cpus[$1].utilization ?? 0) }
        if let busiestCPU, (cpus[busiestCPU].utilization ?? 0) >= 0.95 { return .cpu(busiestCPU) }
        if let first = saturated.first { return first }
        let busiestPool = pools.indices.filter { pools[$0].arrivalRate > 0 }
            .max { (pools[$0].utilization ?? 1) < (pools[$1].utilization ?? 1) }
        let cpuLoad = busiestCPU.map { cpus[$0].utilization ?? 1 } ?? 0
        let poolLoad = busiestPool.map { pools[$0].utilization ?? 1 } ?? 0
        if let busiestPool, poolLoad > cpuLoad { return .pool(busiestPool) }
        return busiestCPU.map(Resource.cpu)
    }
}
