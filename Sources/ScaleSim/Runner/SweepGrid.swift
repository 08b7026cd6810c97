import Foundation

/// A number of an architecture stage that a sweep varies (`scalesim sweep --vary PARAM=SPEC`).
public enum SweepParameter: String, Sendable, Hashable, CaseIterable {
    /// The stage's users (the workload's request rate scales with them).
    case users
    case apiInstances = "api.instances"
    case apiWorkers = "api.workers"
    case databaseCores = "database.cores"
    case databaseConnections = "database.connections"
    /// The shards of a sharded database (each with the database's cores, connections and
    /// the stage's replicas per shard).
    case databaseShards = "database.shards"
    case replicasCount = "replicas.count"
    case cacheNodes = "cache.nodes"
    /// Seconds; the values may be written as times (`30s`, `5m`).
    case cacheTTL = "cache.ttl"

    /// Whether the values are whole numbers (rounded to the nearest when spaced on a range).
    public var isInteger: Bool { self != .cacheTTL }

    /// The smallest value the parameter takes.
    var minimum: Double { self == .cacheTTL ? 0 : 1 }

    /// Largest value: a bound against typing one zero too many.
    var maximum: Double {
        switch self {
        case .users: return 1e9
        case .cacheTTL: return 1e7
        case .databaseShards: return Double(StageDecoder.maximumShards)
        default: return 100_000
        }
    }

    /// The stage with the parameter set to `value` (already checked against `minimum`).
    ///
    /// - Throws: `SweepError.notApplicable` when the stage lacks the component.
    func apply(_ value: Double, to stage: inout ArchitectureScenario.Stage) throws(SweepError) {
        let whole = Int(value)
        func missing(_ why: String) -> SweepError { .notApplicable(parameter: rawValue, stage: stage.name, why: why) }
        switch self {
        case .users:
            stage.users = whole
        case .apiInstances:
            guard stage.host == nil else { throw missing("it runs one API instance on a shared host") }
            stage.api.instances = whole
            // An autoscaled API starts at the swept count; its range widens to hold it.
            if var scaling = stage.api.autoscaling {
                scaling.minimum = min(scaling.minimum, whole)
                scaling.maximum = max(scaling.maximum, whole)
                stage.api.autoscaling = scaling
            }
        case .apiWorkers:
            stage.api.workersPerInstance = whole
        case .databaseCores:
            guard stage.host == nil else { throw missing("its database shares the host's cores") }
            stage.database.cores = whole
        case .databaseConnections:
            stage.database.connections = whole
        case .databaseShards:
            guard stage.database.shards != nil else { throw missing("its database is not sharded (give it \"shards\")") }
            stage.database.shards!.count = whole
        case .replicasCount:
            guard stage.replicas != nil else { throw missing("it has no read replicas") }
            stage.replicas!.count = whole
        case .cacheNodes:
            guard stage.cache != nil else { throw missing("it has no cache") }
            stage.cache!.nodes = whole
        case .cacheTTL:
            guard stage.cache != nil else { throw missing("it has no cache") }
            stage.cache!.ttl = value
        }
    }
}

/// Why a `--vary` option or a sweep cannot be run, in words that name the option.
public enum SweepError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A `--vary` value that does not parse or is out of range.
    case badSpec(spec: String, reason: String)
    case notApplicable(parameter: String, stage: String, why: String)
    case duplicate(parameter: String)
    case tooManyPoints(Int)

    public var description: String {
        switch self {
        case .badSpec(let spec, let reason):
            return "--vary \"\(spec)\": \(reason); the forms are PARAM=a..b:log:N, PARAM=a..b:lin:N, PARAM=a..b (every integer) "
                + "or PARAM=a,b,c, numbers may end in k (thousand) or M (million), "
                + "PARAM one of \(SweepParameter.allCases.map(\.rawValue).joined(separator: ", "))"
        case .notApplicable(let parameter, let stage, let why):
            return "--vary \(parameter): stage \"\(stage)\" cannot vary it: \(why)"
        case .duplicate(let parameter):
            return "--vary \(parameter) is given twice; vary each parameter once"
        case .tooManyPoints(let count):
            return "--vary: the grid has \(count) points, more than \(SweepGrid.maximumPoints); use fewer values (a..b:log:N)"
        }
    }
}

/// One swept parameter and its values, in the order they are run.
public struct SweepAxis: Sendable, Hashable {
    public var parameter: SweepParameter
    public var values: [Double]

    public init(parameter: SweepParameter, values: [Double]) {
        self.parameter = parameter
        self.values = values
    }

    /// Most values one axis may have.
    public static let maximumValues = 1000

    /// Parses `PARAM=SPEC`.
    ///
    /// SPEC is `a..b:log:N` (N values spaced evenly on a log scale from a to b), `a..b:lin:N`
    /// (N values evenly spaced), `a..b` (every integer from a to b, at most `maximumValues`) or
    /// a list `a,b,c` (in that order). a may be larger than b (a descending sweep). Numbers may
    /// end in `k` (×1000) or `M` (×1,000,000); `cache.ttl` also takes times (`30s`, `5m`).
    /// Integer parameters round spaced values to the nearest integer, and a value that
    /// repeats after rounding is kept once.
    ///
    /// - Throws: `SweepError.badSpec` saying what is wrong.
    public static func parse(_ text: String) throws(SweepError) -> SweepAxis {
        func bad(_ reason: String) -> SweepError { .badSpec(spec: text, reason: reason) }
        guard let equals = text.firstIndex(of: "=") else { throw bad("no \"=\"") }
        let name = text[..<equals].trimmingCharacters(in: .whitespaces)
        let spec = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard let parameter = SweepParameter(rawValue: name) else { throw bad("unknown parameter \"\(name)\"") }
        func number(_ word: Substring) throws(SweepError) -> Double {
            let word = word.trimmingCharacters(in: .whitespaces)
            if let value = plainNumber(word) { return value }
            if parameter == .cacheTTL, let seconds = ArchitectureScenario.parseTime(word) { return seconds }
            throw bad("\"\(word)\" is not a number")
        }
        var values: [Double]
        if let dots = spec.range(of: "..") {
            let parts = spec[dots.upperBound...].split(separator: ":", omittingEmptySubsequences: false)
            guard !parts[0].hasPrefix(".") else { throw bad("a range is written a..b, with two dots") }
            let a = try number(spec[..<dots.lowerBound]), b = try number(parts[0])
            if parts.count == 1 {
                guard parameter.isInteger else { throw bad("\(name) is not a whole number: give a count, a..b:lin:N") }
                guard a == a.rounded(), b == b.rounded() else { throw bad("a..b takes whole numbers") }
                let count = Int(abs(b - a)) + 1
                guard count <= maximumValues else { throw bad("a..b has \(count) values, more than \(maximumValues); use a..b:log:N") }
                values = (0..<count).map { a + Double($0) * (b >= a ? 1 : -1) }
            } else {
                guard parts.count == 3, parts[1] == "log" || parts[1] == "lin" else { throw bad("after a..b expected :log:N or :lin:N") }
                guard let count = Int(parts[2]), (1...maximumValues).contains(count) else {
                    throw bad("N must be a whole number in 1...\(maximumValues), got \"\(parts[2])\"")
                }
                let log = parts[1] == "log"
                if log, !(a > 0 && b > 0) { throw bad("a log range needs a and b above 0") }
                values = (0..<count).map { i in
                    let t = count == 1 ? 0 : Double(i) / Double(count - 1)
                    // The ends exactly as written, not exp(log(a)) one ulp off.
                    if i == 0 { return a }
                    if i == count - 1 { return b }
                    return log ? Foundation.exp(Foundation.log(a) + t * (Foundation.log(b) - Foundation.log(a))) : a + t * (b - a)
                }
            }
        } else {
            let words = spec.split(separator: ",", omittingEmptySubsequences: false)
            guard !spec.isEmpty else { throw bad("no values") }
            values = []
            for word in words { values.append(try number(word)) }
            if parameter.isInteger, let fraction = values.first(where: { $0 != $0.rounded() }) {
                throw bad("\(name) takes whole numbers, got \(fraction)")
            }
            guard values.count <= maximumValues else { throw bad("more than \(maximumValues) values") }
        }
        if parameter.isInteger { values = values.map { $0.rounded() } }
        var seen = Set<Double>()
        values = values.filter { seen.insert($0).inserted }
        if let out = values.first(where: { !($0 >= parameter.minimum && $0 <= parameter.maximum) }) {
            throw bad("\(name) must be in \(Self.text(parameter.minimum))...\(Self.text(parameter.maximum)), got \(Self.text(out))")
        }
        return SweepAxis(parameter: parameter, values: values)
    }

    /// `12`, `1.5k`, `1M`, `2.5e3`: a finite number with an optional k or M suffix.
    static func plainNumber(_ word: String) -> Double? {
        var digits = Substring(word), factor = 1.0
        if digits.hasSuffix("k") { factor = 1e3; digits = digits.dropLast() }
        else if digits.hasSuffix("M") { factor = 1e6; digits = digits.dropLast() }
        guard let first = digits.first, first.isNumber || first == "." || first == "-",
              let value = Double(digits), value.isFinite else { return nil }
        return value * factor
    }

    /// A value as it appears in messages and tables: `10000`, `0.5`.
    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// The points of a sweep: the cartesian product of its axes, the first axis varying fastest.
///
/// Point `i` has, on axis `k`, the value at index `(i / (n_0 × … × n_{k-1})) mod n_k`, so the
/// points along the first axis for one value of the others are consecutive (one curve).
public struct SweepGrid: Sendable, Hashable {
    public var axes: [SweepAxis]

    /// Most points one sweep may have.
    public static let maximumPoints = 100_000

    /// - Throws: `SweepError` when a parameter is given twice, or the grid is too large.
    public init(axes: [SweepAxis]) throws(SweepError) {
        var seen = Set<SweepParameter>()
        for axis in axes where !seen.insert(axis.parameter).inserted { throw .duplicate(parameter: axis.parameter.rawValue) }
        let count = axes.reduce(1) { product, axis in
            let (next, overflow) = product.multipliedReportingOverflow(by: max(axis.values.count, 1))
            return overflow ? Int.max : next
        }
        guard count <= Self.maximumPoints else { throw .tooManyPoints(count) }
        self.axes = axes
    }

    /// Number of points.
    public var count: Int { axes.isEmpty ? 0 : axes.reduce(1) { $0 * $1.values.count } }

    /// The value of every axis at point `index` (in axis order).
    public func values(at index: Int) -> [Double] {
        var rest = index
        return axes.map { axis in
            defer { rest /= axis.values.count }
            return axis.values[rest % axis.values.count]
        }
    }

    /// The index of point `index` along the first axis (its position on its curve).
    public func position(of index: Int) -> Int { index % axes[0].values.count }

    /// The curve a point lies on: the index among the combinations of the other axes.
    public func curve(of index: Int) -> Int { index / axes[0].values.count }
}
