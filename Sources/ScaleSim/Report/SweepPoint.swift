/// The figures of one point of a sweep, over its replications.
///
/// Self-contained: it carries its index in the grid and its parameter values, so points
/// computed in different processes can be put together by index (`SweepReport.init`).
public struct SweepPoint: Sendable {
    /// How many of the busiest components a point keeps.
    public static let busiestShown = 3

    /// The point's index in the grid (`SweepGrid.values(at:)`).
    public var index: Int
    /// The value of each axis, in axis order.
    public var values: [Double]
    public var users: Int
    /// Requests per second the users send (offered).
    public var requestRate: Double
    public var costPerHour: Double
    /// Completed requests per second.
    public var throughput: Estimate
    /// End-to-end latency: mean, p50, p95, p99.
    public var latency: [String: Estimate]
    public var errorRate: Estimate
    /// The busiest components (each by its busiest instance: `api.cpu` for `api.cpu[3]`),
    /// highest simulated utilization first.
    public var busiest: [Utilization]
    /// The resource that limits the stage (see `ArchitectureReport.StageResult.bottleneck`), by base name.
    public var bottleneck: String?
    public var sloMet: Bool
    public var violations: [String]
    /// Whether the analytic model finds a steady state (nil: no analytic model).
    public var analyticStable: Bool?
    public var events: UInt64
    /// Replications that stopped early, with why.
    public var stoppedEarly: [String]

    public struct Utilization: Sendable {
        public var resource: String
        public var utilization: Estimate
    }

    public var p99: Estimate { latency["p99"] ?? Estimate(mean: .nan, halfWidth: nil) }
    public var meanLatency: Estimate { latency["mean"] ?? Estimate(mean: .nan, halfWidth: nil) }
}

extension SweepPoint {
    /// The point as it appears in `sweep.json`'s `points`.
    public var json: JSONValue {
        .object([
            .init("index", .number(Double(index))),
            .init("values", .array(values.map(JSONValue.number))),
            .init("users", .number(Double(users))),
            .init("requestRate", .number(requestRate)),
            .init("costPerHour", .number(costPerHour)),
            .init("throughput", throughput.json),
            .init("latency", .object(["mean", "p50", "p95", "p99"].map {
                JSONValue.Member($0, (latency[$0] ?? Estimate(mean: .nan, halfWidth: nil)).json)
            })),
            .init("errorRate", errorRate.json),
            .init("busiest", .array(busiest.map { .object([.init("resource", .string($0.resource)),
                                                            .init("utilization", $0.utilization.json)]) })),
            .init("bottleneck", bottleneck.map(JSONValue.string) ?? .null),
            .init("slo", .object([.init("met", .bool(sloMet)), .init("violations", .array(violations.map(JSONValue.string)))])),
            .init("analyticStable", analyticStable.map(JSONValue.bool) ?? .null),
            .init("events", .number(Double(events))),
            .init("notes", .array(stoppedEarly.map(JSONValue.string))),
        ])
    }
}
