/// A validated scenario file of any kind, chosen by its `"kind"` key.
public enum Scenario: Sendable, Hashable {
    /// `"kind": "network"`: a plain queueing network.
    case network(NetworkScenario)
    /// `"kind": "architecture"`: a workload served by one or more architecture stages.
    case architecture(ArchitectureScenario)

    /// Every kind a file may name.
    public static let kinds = ["network", "architecture"]

    /// Parses and validates a scenario file.
    ///
    /// - Parameter bytes: The file's contents (UTF-8 JSON).
    /// - Returns: The scenario, with defaults filled in.
    /// - Throws: `ScenarioError` with every problem and its JSON path; a file that is not
    ///   valid JSON gives one issue at `$` with the line and column.
    public static func load(bytes: [UInt8]) throws(ScenarioError) -> Scenario {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw ScenarioError(error)
        }
        return try decode(value)
    }

    /// Validates a parsed scenario document, dispatching on its `"kind"`.
    ///
    /// A missing or unknown kind is the only problem reported (the other keys depend on it):
    /// `kind: unknown scenario kind "netwrk" (did you mean "network"?); known kinds: ...`.
    ///
    /// - Throws: `ScenarioError` with every problem and its JSON path.
    public static func decode(_ value: JSONValue) throws(ScenarioError) -> Scenario {
        let log = IssueLog()
        let root = JSONReader(value, log: log)
        let known = "known kinds: \(Suggestion.quotedList(kinds))"
        guard case .object(let members) = value else {
            root.reportExpected(#"a scenario object such as {"kind": "network", ...}"#)
            throw log.error ?? ScenarioError(issues: [])
        }
        let object = JSONObjectReader(members: members, path: .root, log: log)
        guard let kindReader = object.required("kind", note: "(\(known))") else {
            throw log.error ?? ScenarioError(issues: [])
        }
        guard case .string(let kind) = kindReader.value else {
            kindReader.reportExpected("one of \(Suggestion.quotedList(kinds))")
            throw log.error ?? ScenarioError(issues: [])
        }
        switch kind {
        case "network":
            return .network(try NetworkScenario.decode(value))
        case "architecture":
            return .architecture(try ArchitectureScenario.decode(value))
        default:
            let shown = JSONReader.describe(kindReader.value)
            kindReader.report("unknown scenario kind \(shown)\(Suggestion.didYouMean(kind, among: kinds)); \(known)")
        }
        throw log.error ?? ScenarioError(issues: [])
    }
}
