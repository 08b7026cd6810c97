/// A partial result of a sharded sweep (`scalesim sweep --shard I/N`): the points of one
/// shard, with what `scalesim merge` needs to check that parts belong together and to
/// rebuild the report of the whole sweep, byte for byte as one process writes it.
///
/// The file (`sweep.part-I-of-N.json`) is a JSON object:
/// - `kind`: `"sweep-part"`; `format`: `SweepPart.formatVersion`; `version`: scalesim's;
/// - `file`: the scenario file's name (for people) and `fileHash`: `fnv1a64:` and the 16 hex
///   digits of the FNV-1a 64 hash of its bytes;
/// - `sweep`: the definition (`SweepDefinition.json`); `shard`: `{index, count}` (from 1);
/// - `points`: the shard's points, in index order.
///
/// Every number is written exactly (`exact`): a finite Double as the shortest decimal that
/// reads back to the same bits, NaN, infinities and -0 as strings; 64-bit counts as strings.
public struct SweepPart: Sendable {
    /// Raised when the layout of the file changes; merge refuses other versions.
    public static let formatVersion = 1

    /// scalesim's version that computed the points (merge requires its own).
    public var version: String
    public var file: String
    public var fileHash: String
    public var definition: SweepDefinition
    public var shard: SweepShard
    public var points: [SweepPoint]

    public init(version: String = ScaleSimVersion.current, file: String, fileHash: String, definition: SweepDefinition,
                shard: SweepShard, points: [SweepPoint]) {
        self.version = version
        self.file = file
        self.fileHash = fileHash
        self.definition = definition
        self.shard = shard
        self.points = points.sorted { $0.index < $1.index }
    }

    /// `fnv1a64:` and the 16 hex digits of the FNV-1a 64 hash of `bytes` (a scenario file's).
    public static func hash<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let hex = String(RandomStream.fnv1a64(bytes), radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// A Double that reads back bit for bit: finite values (but -0) as numbers (the writer's
    /// shortest round-trip form), the others as the strings `nan`, `inf`, `-inf`, `-0`.
    public static func exact(_ value: Double) -> JSONValue {
        if value.isNaN { return .string("nan") }
        if value.isInfinite { return .string(value > 0 ? "inf" : "-inf") }
        if value == 0, value.sign == .minus { return .string("-0") }
        return .number(value)
    }

    public var json: JSONValue {
        .object([
            .init("kind", .string("sweep-part")),
            .init("format", .number(Double(Self.formatVersion))),
            .init("version", .string(version)),
            .init("file", .string(file)),
            .init("fileHash", .string(fileHash)),
            .init("sweep", definition.json),
            .init("shard", .object([.init("index", .number(Double(shard.index))), .init("count", .number(Double(shard.count)))])),
            .init("points", .array(points.map(Self.pointJSON))),
        ])
    }

    static func estimateJSON(_ e: Estimate) -> JSONValue {
        .object([.init("mean", exact(e.mean)), .init("halfWidth", e.halfWidth.map(exact) ?? .null)])
    }

    static func pointJSON(_ p: SweepPoint) -> JSONValue {
        .object([
            .init("index", .number(Double(p.index))),
            .init("values", .array(p.values.map(exact))),
            .init("users", .number(Double(p.users))),
            .init("requestRate", exact(p.requestRate)),
            .init("costPerHour", exact(p.costPerHour)),
            .init("throughput", estimateJSON(p.throughput)),
            .init("latency", .object(p.latency.keys.sorted().map { JSONValue.Member($0, estimateJSON(p.latency[$0]!)) })),
            .init("errorRate", estimateJSON(p.errorRate)),
            .init("busiest", .array(p.busiest.map { .object([.init("resource", .string($0.resource)),
                                                             .init("utilization", estimateJSON($0.utilization))]) })),
            .init("bottleneck", p.bottleneck.map(JSONValue.string) ?? .null),
            .init("sloMet", .bool(p.sloMet)),
            .init("violations", .array(p.violations.map(JSONValue.string))),
            .init("analyticStable", p.analyticStable.map(JSONValue.bool) ?? .null),
            .init("events", .string(String(p.events))),
            .init("stoppedEarly", .array(p.stoppedEarly.map(JSONValue.string))),
        ])
    }

    /// Whether `bytes` hold a sweep part (for merge's messages).
    public static func isSweepPart(_ bytes: [UInt8]) -> Bool { isPart(bytes, kind: "sweep-part") }

    /// Whether `bytes` are JSON with `"kind": kind`.
    static func isPart(_ bytes: [UInt8], kind: String) -> Bool {
        guard let json = try? JSONParser.parse(bytes), case .string(kind) = json["kind"] else { return false }
        return true
    }

    /// The members every part file starts with, read and checked: the JSON, its `kind` (else
    /// "not <what> (written by <writer>)"), `format` (`formatVersion`), `version`, `file`, `fileHash`.
    static func header(_ bytes: [UInt8], name: String, kind: String, formatVersion: Int, what: String, writer: String)
        throws(SweepPartError) -> (json: JSONValue, version: String, file: String, fileHash: String) {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw SweepPartError("\(name) is not JSON: \(error)")
        }
        let r = Reader(path: name)
        guard case .string(kind) = json["kind"] else {
            throw SweepPartError("\(name) is not \(what) (written by \(writer)): no \"kind\": \"\(kind)\"")
        }
        let format = try r.int(json, "format")
        guard format == formatVersion else {
            throw SweepPartError("\(name) has format \(format); this scalesim reads format \(formatVersion): run the shards and the merge with the same scalesim")
        }
        return (json, try r.string(json, "version"), try r.string(json, "file"), try r.string(json, "fileHash"))
    }

    /// Reads a part file's bytes.
    ///
    /// - Parameter name: the file's name, for messages.
    /// - Throws: `SweepPartError` saying what is wrong (not JSON, not a part, another format).
    public init(bytes: [UInt8], name: String) throws(SweepPartError) {
        let json: JSONValue
        (json, version, file, fileHash) = try Self.header(bytes, name: name, kind: "sweep-part", formatVersion: Self.formatVersion,
                                                          what: "a partial sweep result", writer: "scalesim sweep --shard I/N")
        let r = Reader(path: name)
        definition = try SweepDefinition(json: try r.member(json, "sweep"), at: name + ": sweep")
        let shardJSON = try r.member(json, "shard")
        let index = try r.int(shardJSON, "index"), count = try r.int(shardJSON, "count")
        do {
            shard = try SweepShard(index: index, count: count)
        } catch {
            throw r.bad("shard", error.message)
        }
        var points: [SweepPoint] = []
        for (position, point) in try r.array(json, "points").enumerated() {
            points.append(try Self.point(point, Reader(path: "\(name): points[\(position)]")))
        }
        self.points = points
    }

    static func estimate(_ json: JSONValue, _ r: Reader, _ key: String) throws(SweepPartError) -> Estimate {
        let e = try r.member(json, key)
        return Estimate(mean: try r.double(e, "mean"), halfWidth: try r.optionalDouble(e, "halfWidth"))
    }

    static func point(_ json: JSONValue, _ r: Reader) throws(SweepPartError) -> SweepPoint {
        var latency: [String: Estimate] = [:]
        guard case .object(let members) = try r.member(json, "latency") else { throw r.bad("latency", "not an object") }
        for member in members { latency[member.key] = try estimate(.object(members), r, member.key) }
        var busiest: [SweepPoint.Utilization] = []
        for b in try r.array(json, "busiest") {
            busiest.append(.init(resource: try r.string(b, "resource"), utilization: try estimate(b, r, "utilization")))
        }
        let bottleneck = try r.member(json, "bottleneck")
        let analytic = try r.member(json, "analyticStable")
        guard let events = UInt64(try r.string(json, "events")) else { throw r.bad("events", "not a whole number") }
        return SweepPoint(
            index: try r.int(json, "index"),
            values: try r.array(json, "values").map { v throws(SweepPartError) in try r.exact(v, "values") },
            users: try r.int(json, "users"), requestRate: try r.double(json, "requestRate"),
            costPerHour: try r.double(json, "costPerHour"), throughput: try estimate(json, r, "throughput"),
            latency: latency, errorRate: try estimate(json, r, "errorRate"), busiest: busiest,
            bottleneck: bottleneck == .null ? nil : try r.string(json, "bottleneck"),
            sloMet: try r.bool(json, "sloMet"),
            violations: try r.array(json, "violations").map { v throws(SweepPartError) in try r.text(v, "violations") },
            analyticStable: analytic == .null ? nil : try r.bool(json, "analyticStable"),
            events: events,
            stoppedEarly: try r.array(json, "stoppedEarly").map { v throws(SweepPartError) in try r.text(v, "stoppedEarly") })
    }

    /// Reads members of a part file, with errors that name the file and the member.
    struct Reader {
        var path: String

        func bad(_ key: String, _ why: String) -> SweepPartError { SweepPartError("\(path): \(key): \(why)") }

        func member(_ json: JSONValue, _ key: String) throws(SweepPartError) -> JSONValue {
            guard let value = json[key] else { throw bad(key, "missing") }
            return value
        }
        func string(_ json: JSONValue, _ key: String) throws(SweepPartError) -> String {
            try text(try member(json, key), key)
        }
        func text(_ value: JSONValue, _ key: String) throws(SweepPartError) -> String {
            guard case .string(let s) = value else { throw bad(key, "not a string") }
            return s
        }
        func bool(_ json: JSONValue, _ key: String) throws(SweepPartError) -> Bool {
            guard case .bool(let b) = try member(json, key) else { throw bad(key, "not true or false") }
            return b
        }
        func int(_ json: JSONValue, _ key: String) throws(SweepPartError) -> Int {
            try whole(try member(json, key), key)
        }
        func whole(_ value: JSONValue, _ key: String) throws(SweepPartError) -> Int {
            guard case .number(let n) = value, n == n.rounded(), abs(n) < 9_007_199_254_740_992 else {
                throw bad(key, "not a whole number")
            }
            return Int(n)
        }
        func array(_ json: JSONValue, _ key: String) throws(SweepPartError) -> [JSONValue] {
            guard case .array(let a) = try member(json, key) else { throw bad(key, "not an array") }
            return a
        }
        func double(_ json: JSONValue, _ key: String) throws(SweepPartError) -> Double {
            try exact(try member(json, key), key)
        }
        func optionalDouble(_ json: JSONValue, _ key: String) throws(SweepPartError) -> Double? {
            let value = try member(json, key)
            return value == .null ? nil : try exact(value, key)
        }
        /// The inverse of `SweepPart.exact`.
        func exact(_ value: JSONValue, _ key: String) throws(SweepPartError) -> Double {
            switch value {
            case .number(let n): return n
            case .string("nan"): return .nan
            case .string("inf"): return .infinity
            case .string("-inf"): return -.infinity
            case .string("-0"): return -0.0
            default: throw bad(key, "not a number")
            }
        }
    }
}

/// A part file that cannot be read, or parts that do not make one sweep.
public struct SweepPartError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
