/// One problem of a scenario file, at one JSON path.
public struct ScenarioIssue: Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is, e.g. `stations[2].service.mean`; `$` is the whole document and is
    /// used only when no narrower place can be named (JSON syntax errors, a document that is
    /// not an object).
    public var path: String
    /// What is wrong, showing the offending value, e.g. `must be positive, got -5`.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}

/// A scenario that cannot be used, with every problem found in it.
///
/// Validation does not stop at the first problem: a file with three mistakes gives three
/// issues, in the order the file was checked.
public struct ScenarioError: Error, CustomStringConvertible, Sendable {
    /// The problems; never empty when thrown.
    public var issues: [ScenarioIssue]
    /// Problems found but not listed (beyond the first hundred); the last issue says how many.
    public var omitted = 0

    public init(issues: [ScenarioIssue], omitted: Int = 0) {
        self.issues = issues
        self.omitted = omitted
    }

    /// How many problems the file has: those listed and those left out.
    public var problemCount: Int { omitted > 0 ? issues.count - 1 + omitted : issues.count }

    /// A file that is not valid JSON: one issue at `$` that names the line and column.
    public init(_ syntaxError: JSONSyntaxError) {
        self.issues = [ScenarioIssue(path: "$", message: "invalid JSON at \(syntaxError)")]
    }

    /// One issue per line, `path: message`.
    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
