/// One shard of a sweep: `--shard I/N` runs the points whose index `i` has `i % N == I - 1`.
///
/// Shards are numbered from 1 (`1/4` … `4/4`), as in the part file names
/// (`sweep.part-1-of-4.json`). Points are dealt out round robin, so every shard gets points
/// from the whole range of every axis (the costly high-load points are spread, not lumped).
public struct SweepShard: Sendable, Hashable, CustomStringConvertible {
    /// 1...count.
    public var index: Int
    public var count: Int

    /// Most shards one sweep may be split into (as many as it may have points).
    public static let maximumCount = SweepGrid.maximumPoints

    /// - Throws: `SweepShardError` when `index` is not in 1...count or count is not in 1...maximumCount.
    public init(index: Int, count: Int) throws(SweepShardError) {
        guard (1...Self.maximumCount).contains(count) else {
            throw SweepShardError("the number of shards must be in 1...\(Self.maximumCount), got \(count)")
        }
        guard (1...count).contains(index) else {
            throw SweepShardError("the shard must be in 1...\(count) (shards are numbered from 1), got \(index)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (`2/4`).
    public static func parse(_ text: String) throws(SweepShardError) -> SweepShard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw SweepShardError("--shard \"\(text)\": expected I/N with whole numbers, e.g. --shard 2/4 (the second of 4 shards, numbered from 1)")
        }
        do {
            return try SweepShard(index: index, count: count)
        } catch {
            throw SweepShardError("--shard \(text): \(error.message)")
        }
    }

    /// The indices of the points of a grid of `points` points this shard runs (possibly none).
    public func indices(of points: Int) -> [Int] {
        Array(stride(from: index - 1, to: points, by: count))
    }

    /// `sweep.part-2-of-4.json`.
    public var fileName: String { "sweep.part-\(index)-of-\(count).json" }

    public var description: String { "\(index)/\(count)" }
}

/// A bad shard number, in words that name the option or variable.
public struct SweepShardError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What defines a sweep, besides the scenario file: the stage, the axes, the seed, the run
/// settings and the SLO. Two parts can be merged only when their definitions are equal.
public struct SweepDefinition: Sendable {
    /// The scenario's name (from the file).
    public var scenario: String
    /// Index of the swept stage in the file's `stages`, and its name.
    public var stageIndex: Int
    public var stage: String
    public var seed: UInt64
    public var run: RunSettings
    public var slo: ArchitectureScenario.SLO
    public var grid: SweepGrid

    public init(sweep: Sweep) {
        scenario = sweep.scenario.name
        stageIndex = sweep.stage
        stage = sweep.scenario.stages[sweep.stage].name
        seed = sweep.scenario.seed
        run = sweep.scenario.run
        slo = sweep.slo
        grid = sweep.grid
    }

    /// The report of these points (`SweepReport.init(sweep:points:)` without the scenario).
    public func report(points: [SweepPoint]) -> SweepReport {
        SweepReport(scenario: scenario, seed: seed, run: run, stage: stage, slo: slo, grid: grid, points: points)
    }

    /// Every number exactly (see `SweepPart.exact`).
    public var json: JSONValue {
        .object([
            .init("scenario", .string(scenario)),
            .init("stageIndex", .number(Double(stageIndex))),
            .init("stage", .string(stage)),
            .init("seed", .string(String(seed))),
            .init("run", .object([
                .init("duration", SweepPart.exact(run.duration)),
                .init("warmup", SweepPart.exact(run.warmup)),
                .init("replications", .number(Double(run.replications))),
                .init("confidence", SweepPart.exact(run.confidence)),
                .init("window", run.window.map(SweepPart.exact) ?? .null),
            ])),
            .init("slo", .object([.init("p99", slo.p99.map(SweepPart.exact) ?? .null),
                                  .init("errorRate", slo.errorRate.map(SweepPart.exact) ?? .null)])),
            .init("axes", .array(grid.axes.map { .object([.init("parameter", .string($0.parameter.rawValue)),
                                                          .init("values", .array($0.values.map(SweepPart.exact)))]) })),
        ])
    }

    init(json: JSONValue, at path: String) throws(SweepPartError) {
        let r = SweepPart.Reader(path: path)
        scenario = try r.string(json, "scenario")
        stageIndex = try r.int(json, "stageIndex")
        stage = try r.string(json, "stage")
        guard let seed = UInt64(try r.string(json, "seed")) else { throw r.bad("seed", "not a whole number") }
        self.seed = seed
        let run = try r.member(json, "run")
        let window = try r.member(run, "window")
        self.run = RunSettings(duration: try r.double(run, "duration"), warmup: try r.double(run, "warmup"),
                               replications: try r.int(run, "replications"), confidence: try r.double(run, "confidence"),
                               window: window == .null ? nil : try r.double(run, "window"))
        let slo = try r.member(json, "slo")
        self.slo = .init(p99: try r.optionalDouble(slo, "p99"), errorRate: try r.optionalDouble(slo, "errorRate"))
        var axes: [SweepAxis] = []
        for axis in try r.array(json, "axes") {
            let name = try r.string(axis, "parameter")
            guard let parameter = SweepParameter(rawValue: name) else { throw r.bad("axes", "unknown parameter \"\(name)\"") }
            let values = try r.array(axis, "values").map { v throws(SweepPartError) in try r.exact(v, "axes.values") }
            guard !values.isEmpty else { throw r.bad("axes", "\(name) has no values") }
            axes.append(SweepAxis(parameter: parameter, values: values))
        }
        guard !axes.isEmpty else { throw r.bad("axes", "no axes") }
        do {
            grid = try SweepGrid(axes: axes)
        } catch {
            throw r.bad("axes", error.description)
        }
    }
}

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

    /// Reads a part file's bytes.
    ///
    /// - Parameter name: the file's name, for messages.
    /// - Throws: `SweepPartError` saying what is wrong (not JSON, not a part, another format).
    public init(bytes: [UInt8], name: String) throws(SweepPartError) {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw SweepPartError("\(name) is not JSON: \(error)")
        }
        let r = Reader(path: name)
        guard case .string("sweep-part") = json["kind"] else {
            throw SweepPartError("\(name) is not a partial sweep result (written by scalesim sweep --shard I/N): no \"kind\": \"sweep-part\"")
        }
        let format = try r.int(json, "format")
        guard format == Self.formatVersion else {
            throw SweepPartError("\(name) has format \(format); this scalesim reads format \(Self.formatVersion): run the shards and the merge with the same scalesim")
        }
        version = try r.string(json, "version")
        file = try r.string(json, "file")
        fileHash = try r.string(json, "fileHash")
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
            guard case .number(let n) = try member(json, key), n == n.rounded(), abs(n) < 9_007_199_254_740_992 else {
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

extension SweepPart {
    /// The report of the whole sweep from all its parts (`scalesim merge`).
    ///
    /// The parts must come from the same scenario file (hash), the same definition, the same
    /// scalesim version (`version`, the merging one's by default) and the same number of
    /// shards N; every shard 1...N must be given exactly once and hold exactly its points.
    ///
    /// - Parameter parts: each part with its file's name (for messages).
    /// - Throws: `SweepPartError` naming the files, the missing or duplicate shards.
    public static func merge(_ parts: [(name: String, part: SweepPart)],
                             version: String = ScaleSimVersion.current) throws(SweepPartError) -> SweepReport {
        guard let (firstName, first) = parts.first else { throw SweepPartError("no parts to merge") }
        let definition = first.definition.json
        for (name, part) in parts {
            guard part.version == version else {
                throw SweepPartError("\(name) was written by scalesim \(part.version), this is \(version): run the shards and the merge with the same scalesim")
            }
            guard part.fileHash == first.fileHash else {
                throw SweepPartError("\(firstName) and \(name) come from different scenario files (\(first.file) \(first.fileHash), \(part.file) \(part.fileHash))")
            }
            let other = part.definition.json
            if other != definition {
                var differing: [String] = []
                if case .object(let a) = definition, case .object(let b) = other {
                    for (x, y) in zip(a, b) where x != y { differing.append(x.key) }
                }
                throw SweepPartError("\(firstName) and \(name) are parts of different sweeps (they differ in \(differing.joined(separator: ", ")))")
            }
            guard part.shard.count == first.shard.count else {
                throw SweepPartError("\(firstName) is a part of \(first.shard.count) shards, \(name) of \(part.shard.count)")
            }
        }
        let count = first.shard.count
        var seen: [Int: String] = [:]
        for (name, part) in parts {
            if let earlier = seen[part.shard.index] {
                throw SweepPartError("shard \(part.shard) is given twice: \(earlier) and \(name)")
            }
            seen[part.shard.index] = name
        }
        let missing = (1...count).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw SweepPartError("shard\(missing.count == 1 ? "" : "s") " + missing.map { "\($0)/\(count)" }.joined(separator: ", ")
                                 + " missing (given: " + seen.keys.sorted().map { "\($0)/\(count)" }.joined(separator: ", ") + ")")
        }
        let points = first.definition.grid.count
        for (name, part) in parts where part.points.map(\.index) != part.shard.indices(of: points) {
            throw SweepPartError("\(name): shard \(part.shard) must hold points \(part.shard.indices(of: points)), it holds \(part.points.map(\.index)) (an interrupted or edited part?)")
        }
        return first.definition.report(points: parts.flatMap(\.part.points))
    }
}
