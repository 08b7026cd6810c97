/// The figures of one JSON report written by scalesim, read back so that two reports can be
/// compared (`ReportComparison`).
///
/// Reading follows the contract of DESIGN.md section 6 and is lenient where the contract
/// allows growth ("more keys may be added"): the keys it knows are checked (an estimate must be
/// `{"mean": x, "halfWidth": h}`, a stage must have a name, ...), and keys it does not know are
/// read by their shape (an estimate, a number, a string, a boolean, an object of those), so
/// that a figure added to reports later is compared without a change here.
public struct ReportSnapshot: Sendable {
    /// The file name the report was read from, for messages (`old.json: stages[1]...`).
    public var file: String
    /// `architecture` or `network`.
    public var kind: String
    public var scenario: String
    public var seed: Double
    public var replications: Int
    public var confidence: Double
    /// `run.duration`, `run.warmup` (seconds) and `run.version`, when present.
    public var duration: Double?
    public var warmup: Double?
    public var version: String?
    /// Stages, or stations followed by `system`, in the order of the file.
    var groups: [Node]

    /// The report kinds there are.
    public static let kinds = ["architecture", "network"]

    /// A stage, station, `system`, request class or resource: a name and its figures.
    struct Node: Sendable {
        /// `stage`, `station`, `system`, `class`, `resource` (an array key made singular).
        var kind: String
        var name: String
        /// The figures, by their key path inside the node (`["latency", "p99"]`), in file order.
        var figures: [(path: [String], figure: ReportComparison.Figure)] = []
        /// Named objects listed inside a stage (`classes`, `resources`).
        var items: [Node] = []
    }

    /// Reads a report.
    ///
    /// - Parameters:
    ///   - bytes: The file's contents (UTF-8 JSON).
    ///   - file: The file's name, kept for messages.
    /// - Returns: The report's figures.
    /// - Throws: `ReportFileError` with every problem found and its JSON path; a file that is
    ///   not JSON gives one problem at `$` with the line and column.
    public static func read(bytes: [UInt8], file: String) throws(ReportFileError) -> ReportSnapshot {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw ReportFileError(file: file, issues: ScenarioError(error).issues)
        }
        let log = IssueLog()
        if let snapshot = ReportReader(log: log).read(value, file: file), log.isEmpty { return snapshot }
        throw ReportFileError(file: file, issues: log.issues)
    }
}

/// A file that is not a scalesim report, or not one that can be compared with the other.
public struct ReportFileError: Error, CustomStringConvertible, Sendable {
    /// The file, as given to `ReportSnapshot.read`.
    public var file: String
    /// The problems, each with its JSON path; never empty when thrown.
    public var issues: [ScenarioIssue]

    public init(file: String, issues: [ScenarioIssue]) {
        self.file = file
        self.issues = issues
    }

    /// One line per problem: `file: path: message`.
    public var description: String {
        issues.map { "\(file): \($0)" }.joined(separator: "\n")
    }
}

/// Reads a report document into a `ReportSnapshot`, recording every problem in `log`.
struct ReportReader {
    let log: IssueLog

    /// Keys that hold no figure to compare: identity, prose, the count of simulated events
    /// (it differs with every seed and says nothing about the system) and the analytic answers
    /// (they follow from the parameters; the simulated figures are what is compared).
    static let ignoredKeys: Set<String> = ["name", "kind", "notes", "events", "analytic"]

    /// Arrays of named objects inside a stage, with the singular of their key.
    static let itemKeys = ["classes": "class", "resources": "resource", "routers": "router"]

    func read(_ value: JSONValue, file: String) -> ReportSnapshot? {
        let root = JSONReader(value, log: log)
        guard case .object(let members) = value else {
            root.reportExpected(#"a scalesim report (a JSON object with "kind", "replications", ...)"#)
            return nil
        }
        let object = JSONObjectReader(members: members, path: .root, log: log)
        let kinds = Suggestion.quotedList(ReportSnapshot.kinds)
        if value["replications"] == nil, ["workload", "arrivals", "population", "run"].contains(where: { value[$0] != nil }) {
            root.report("this is a scenario, not a report: compare reads the report.json that \"scalesim run\" writes")
            return nil
        }
        guard let kind = object.required("kind", note: "(a scalesim report has \"kind\": \(kinds))")?.choice(ReportSnapshot.kinds) else {
            return nil
        }
        let scenario = object.required("scenario")?.string(allowEmpty: true)
        let seed = object.required("seed")?.number(.nonNegative)
        let replications = object.required("replications")?.wholeNumber(minimum: 1, maximum: Int.max / 2)
        let confidence = object.required("confidence")?.number(.openUnitInterval)
        let runObject = object.optional("run").flatMap { objectReader($0) }
        var groups: [ReportSnapshot.Node] = []
        if kind == "architecture" {
            groups = namedObjects(object.required("stages"), kind: "stage").map { node($0, kind: "stage", allowItems: true) }
        } else {
            groups = namedObjects(object.required("stations"), kind: "station").map { node($0, kind: "station", allowItems: false) }
            if let system = object.required("system"), let systemObject = objectReader(system) {
                var node = ReportSnapshot.Node(kind: "system", name: "system")
                addFigures(systemObject, prefix: [], to: &node, allowItems: false)
                if let stable = object.optional("stability").flatMap({ objectReader($0) })?.optional("stable")?.bool() {
                    let overloaded = value["stability"]?["overloaded"].map(Self.overloadedNames) ?? ""
                    node.figures.append((["stable"], .flag(stable, detail: overloaded)))
                }
                groups.append(node)
            }
        }
        guard let scenario, let seed, let replications, let confidence else { return nil }
        return ReportSnapshot(file: file, kind: kind, scenario: scenario, seed: seed, replications: replications,
                              confidence: confidence,
                              duration: runObject?.optional("duration")?.number(.nonNegative),
                              warmup: runObject?.optional("warmup")?.number(.nonNegative),
                              version: runObject?.optional("version")?.string(allowEmpty: true),
                              groups: groups)
    }

    /// `db, api` from the `stability.overloaded` list of a network report.
    static func overloadedNames(_ value: JSONValue) -> String {
        guard case .array(let elements) = value else { return "" }
        let names = elements.compactMap { element -> String? in
            if case .string(let name)? = element["station"] { return name }
            return nil
        }
        return names.joined(separator: ", ")
    }

    func objectReader(_ reader: JSONReader) -> JSONObjectReader? {
        guard case .object(let members) = reader.value else {
            reader.reportExpected("an object")
            return nil
        }
        return JSONObjectReader(members: members, path: reader.path, log: log)
    }

    /// The elements of an array of objects that each have a distinct, non-empty `name`.
    func namedObjects(_ reader: JSONReader?, kind: String) -> [(name: String, object: JSONObjectReader)] {
        guard let elements = reader?.array(of: kind) else { return [] }
        var result: [(name: String, object: JSONObjectReader)] = []
        var seen: [String: JSONPath] = [:]
        for element in elements {
            guard let object = objectReader(element), let name = object.required("name")?.string() else { continue }
            if let first = seen[name] {
                element.report("duplicate \(kind) name \(JSONReader.describe(.string(name))) (also at \(first)); names must be distinct to be matched")
                continue
            }
            seen[name] = element.path
            result.append((name, object))
        }
        return result
    }

    func node(_ named: (name: String, object: JSONObjectReader), kind: String, allowItems: Bool) -> ReportSnapshot.Node {
        var node = ReportSnapshot.Node(kind: kind, name: named.name)
        addFigures(named.object, prefix: [], to: &node, allowItems: allowItems)
        return node
    }

    /// Adds the figures of `object` to `node`, keyed by `prefix` + their key path.
    func addFigures(_ object: JSONObjectReader, prefix: [String], to node: inout ReportSnapshot.Node, allowItems: Bool) {
        for member in object.members where !Self.ignoredKeys.contains(member.key) {
            let reader = JSONReader(member.value, path: object.path.appending(member.key), log: log)
            let path = prefix + [member.key]
            let info = ReportComparison.FigureInfo.of(member.key)
            if member.key == "slo", case .object = member.value {
                if let slo = objectReader(reader), let met = slo.required("met")?.bool() {
                    let violations = slo.optional("violations")?.array(of: "violation")?.compactMap { $0.string() } ?? []
                    node.figures.append((path, .flag(met, detail: violations.joined(separator: "; "))))
                }
                continue
            }
            if allowItems, let singular = Self.itemKeys[member.key] ?? (Self.isNamedObjectArray(member.value) ? member.key : nil) {
                for named in namedObjects(reader, kind: singular) {
                    var item = ReportSnapshot.Node(kind: singular, name: named.name)
                    addFigures(named.object, prefix: [], to: &item, allowItems: false)
                    node.items.append(item)
                }
                continue
            }
            switch (member.value, info?.shape) {
            case (.null, .text?):
                node.figures.append((path, .text("none")))  // no bottleneck
            case (.null, _):
                continue  // a figure that does not apply here, as if left out
            case (_, .estimate?):
                if let estimate = self.estimate(reader) { node.figures.append((path, .estimate(estimate))) }
            case (.object, _) where Self.isEstimateShaped(member.value):
                if let estimate = self.estimate(reader) { node.figures.append((path, .estimate(estimate))) }
            case (.object, .group?), (.object, nil):
                if let nested = objectReader(reader) { addFigures(nested, prefix: path, to: &node, allowItems: false) }
            case (.number(let number), .exact?), (.number(let number), nil):
                node.figures.append((path, .exact(number)))
            case (.string(let text), .text?), (.string(let text), nil):
                node.figures.append((path, .text(text)))
            case (.bool(let flag), .flag?), (.bool(let flag), nil):
                node.figures.append((path, .flag(flag, detail: "")))
            case (_, nil):
                continue  // an array under a key this version does not know: nothing to compare
            case (_, let shape?):
                reader.reportExpected(shape.expected)
            }
        }
    }

    /// `{"mean": x, "halfWidth": h}`: `x` a number or null (no value, e.g. no request completed),
    /// `h` a number >= 0 or null (one replication).
    func estimate(_ reader: JSONReader) -> Estimate? {
        guard Self.isEstimateShaped(reader.value), let object = objectReader(reader) else {
            reader.reportExpected(ReportComparison.FigureInfo.Shape.estimate.expected)
            return nil
        }
        var valid = true
        var mean = Double.nan
        if let reader = object.optional("mean") {
            if case .number(let number) = reader.value { mean = number } else { reader.reportExpected("a number or null"); valid = false }
        }
        var halfWidth: Double?
        if let reader = object.optional("halfWidth") {
            halfWidth = reader.number(.nonNegative, expected: "a number or null")
            valid = valid && halfWidth != nil
        }
        return valid ? Estimate(mean: mean, halfWidth: halfWidth) : nil
    }

    /// An object with both `mean` and `halfWidth`.
    static func isEstimateShaped(_ value: JSONValue) -> Bool {
        value["mean"] != nil && value["halfWidth"] != nil
    }

    /// A non-empty array of objects that all have a string `name`.
    static func isNamedObjectArray(_ value: JSONValue) -> Bool {
        guard case .array(let elements) = value, !elements.isEmpty else { return false }
        return elements.allSatisfy { if case .string? = $0["name"] { true } else { false } }
    }
}
