/// The issues found in one document; shared by every reader of that document.
///
/// Readers record a problem here and return nil instead of throwing, so that one pass over a
/// file reports every problem in it.
final class IssueLog {
    private(set) var issues: [ScenarioIssue] = []
    /// The same issues with their paths as components (to move an issue to another place, as
    /// stage inheritance does).
    private(set) var located: [(path: JSONPath, message: String)] = []

    /// Problems found beyond `maximumIssues`: counted, not kept.
    private(set) var omitted = 0

    /// Most problems kept: a generated file with a million wrong values gets the first
    /// hundred and a count, not a million lines (and gigabytes) of them.
    static let maximumIssues = 100

    var isEmpty: Bool { issues.isEmpty }

    func add(_ path: JSONPath, _ message: String) {
        guard issues.count < Self.maximumIssues else {
            omitted += 1
            return
        }
        issues.append(ScenarioIssue(path: path.description, message: message))
        located.append((path, message))
    }

    /// Counts `count` problems that another log left out.
    func omit(_ count: Int) {
        omitted += count
    }

    /// The collected issues as an error, or nil when there are none; when some were left out,
    /// a last issue at `$` says how many.
    var error: ScenarioError? {
        guard !issues.isEmpty else { return nil }
        guard omitted > 0 else { return ScenarioError(issues: issues) }
        return ScenarioError(issues: issues + [ScenarioIssue(
            path: "$", message: "and \(omitted) more problem\(omitted == 1 ? "" : "s") (only the first \(issues.count) are listed)")], omitted: omitted)
    }
}

/// A value of a JSON document at a known path, read with checks that record issues.
///
/// Every typed read returns nil and records one issue when the value does not fit, e.g.
/// `stations[0].servers: expected a whole number >= 1, got "two"` for a wrong type, or
/// `arrivals[0].rate: must not be negative, got -1` for a value out of range. Front ends
/// (network, and later architecture scenarios) build on these reads.
struct JSONReader {
    let value: JSONValue
    let path: JSONPath
    let log: IssueLog

    init(_ value: JSONValue, path: JSONPath = .root, log: IssueLog) {
        self.value = value
        self.path = path
        self.log = log
    }

    /// Records a problem at this path.
    func report(_ message: String) {
        log.add(path, message)
    }

    /// Records `expected <expected>, got <value>`.
    func reportExpected(_ expected: String) {
        report("expected \(expected), got \(Self.describe(value))")
    }

    /// The value as a message shows it: scalars as JSON (long strings cut), containers by kind.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text) where text.count > 40:
            return JSONValue.string(String(text.prefix(40)) + "...").serialized(pretty: false)
        case .null, .bool, .number, .string: return value.serialized(pretty: false)
        case .array(let elements): return elements.isEmpty ? "an empty array" : "an array"
        case .object(let members): return members.isEmpty ? "an empty object" : "an object"
        }
    }

    // MARK: Containers

    /// The value as an object whose keys must all be in `allowedKeys`.
    ///
    /// A key outside `allowedKeys` is reported at its own path: with the message from
    /// `misplacedKeys` when it has one (a key that belongs to another variant, e.g. `servers` on
    /// a delay station), otherwise as `unknown key "sevrers" (did you mean "servers"?)`, or with
    /// the list of allowed keys when none is close. The object is returned even when it has
    /// unknown keys, so that its known keys are still checked.
    ///
    /// - Parameters:
    ///   - allowedKeys: The keys this object may have.
    ///   - misplacedKeys: Messages for keys that are known but not allowed here.
    ///   - expected: What to call the object in a wrong-type message.
    /// - Returns: The object, or nil (with an issue) when the value is not an object.
    func object(allowedKeys: [String], misplacedKeys: [String: String] = [:],
                expected: String = "an object") -> JSONObjectReader? {
        guard case .object(let members) = value else {
            reportExpected(expected)
            return nil
        }
        var seen: Set<String> = []
        for member in members {
            let memberPath = path.appending(member.key)
            if !seen.insert(member.key).inserted {
                log.add(memberPath, "duplicate key \(Self.describe(.string(member.key)))")
            } else if allowedKeys.contains(member.key) {
                continue
            } else if let message = misplacedKeys[member.key] {
                log.add(memberPath, message)
            } else {
                let suggestion = Suggestion.didYouMean(member.key, among: allowedKeys)
                let shown = Self.describe(.string(member.key))
                log.add(memberPath, suggestion.isEmpty
                    ? "unknown key \(shown); allowed keys: \(Suggestion.quotedList(allowedKeys))"
                    : "unknown key \(shown)\(suggestion)")
            }
        }
        return JSONObjectReader(members: members, path: path, log: log)
    }

    /// The elements of an array, each with its path.
    ///
    /// - Parameters:
    ///   - nonEmpty: Report an empty array (`must list at least one <element>`).
    ///   - element: What one element is, for messages (`an arrival`).
    func array(nonEmpty: Bool = false, of element: String = "element") -> [JSONReader]? {
        guard case .array(let elements) = value else {
            reportExpected("an array")
            return nil
        }
        if nonEmpty, elements.isEmpty {
            report("must list at least one \(element)")
            return nil
        }
        return elements.enumerated().map { JSONReader($1, path: path.appending($0), log: log) }
    }

    // MARK: Scalars

    /// A string; an empty one is reported unless `allowEmpty`.
    func string(allowEmpty: Bool = false) -> String? {
        guard case .string(let text) = value else {
            reportExpected(allowEmpty ? "a string" : "a non-empty string")
            return nil
        }
        if !allowEmpty, text.isEmpty {
            report("must not be empty")
            return nil
        }
        return text
    }

    /// A boolean.
    func bool() -> Bool? {
        guard case .bool(let flag) = value else {
            reportExpected("true or false")
            return nil
        }
        return flag
    }

    /// One of a few strings, e.g. `"fcfs"` or `"ps"`; a near miss gets a suggestion.
    func choice(_ options: [String]) -> String? {
        let expected = "one of \(Suggestion.quotedList(options))"
        guard case .string(let text) = value else {
            reportExpected(expected)
            return nil
        }
        guard options.contains(text) else {
            report("expected \(expected), got \(Self.describe(value))\(Suggestion.didYouMean(text, among: options))")
            return nil
        }
        return text
    }

    /// A number that satisfies `rule`.
    ///
    /// - Parameter expected: What to call the value in a wrong-type message (`a number`,
    ///   `a rate per second`); the rule's bounds are added to it.
    func number(_ rule: NumberRule, expected: String = "a number") -> Double? {
        guard case .number(let number) = value else {
            reportExpected("\(expected) \(rule.summary)")
            return nil
        }
        return checked(number, rule)
    }

    /// A requests-per-second rate (a plain number) that satisfies `rule`.
    func rate(_ rule: NumberRule) -> Double? {
        number(rule, expected: "a rate per second")
    }

    /// A whole number in `minimum...maximum`; `2.0` counts as whole, `2.5` does not.
    func wholeNumber(minimum: Int, maximum: Int) -> Int? {
        let expected = "a whole number >= \(minimum)"
        guard case .number(let number) = value, number == number.rounded() else {
            reportExpected(expected)
            return nil
        }
        guard number >= Double(minimum) else {
            report("must be at least \(minimum), got \(Self.describe(value))")
            return nil
        }
        guard number <= Double(maximum) else {
            report("must be at most \(maximum), got \(Self.describe(value))")
            return nil
        }
        return Int(number)
    }

    /// A time in seconds: a number, or a string with a unit (`"250ms"`, `"30s"`, `"5m"`,
    /// `"1h"`, `"2.5us"`, `"10ns"`), that is finite and satisfies `rule`.
    func time(_ rule: NumberRule) -> Double? {
        let expected = "a time in seconds \(rule.summary) (a number, or a string with a unit such as \"250ms\", \"30s\", \"5m\")"
        switch value {
        case .number(let seconds):
            return checked(seconds, rule)
        case .string(let text):
            switch TimeText.parse(text) {
            case .seconds(let seconds):
                guard seconds.isFinite else {
                    report("must be a finite time, got \(Self.describe(value))")
                    return nil
                }
                return checked(seconds, rule)
            case .missingUnit(let number):
                report("the time \(Self.describe(value)) has no unit; write \(number) for seconds, or add a unit: \"\(number)ms\", \"\(number)s\", \"\(number)m\"")
                return nil
            case .unknownUnit(let unit):
                let suggestion = Suggestion.didYouMean(unit, among: TimeText.unitNames)
                report("unknown time unit \(Self.describe(.string(unit))) in \(Self.describe(value))\(suggestion); units are \(TimeText.unitNames.joined(separator: ", "))")
                return nil
            case .invalid:
                reportExpected(expected)
                return nil
            }
        default:
            reportExpected(expected)
            return nil
        }
    }

    /// `value` when it satisfies `rule`; otherwise records `must be ..., got <value>`.
    private func checked(_ number: Double, _ rule: NumberRule) -> Double? {
        if let violation = rule.violation(number) {
            report("\(violation), got \(Self.describe(value))")
            return nil
        }
        return number
    }
}

/// The members of an object at a known path.
struct JSONObjectReader {
    let members: [JSONValue.Member]
    let path: JSONPath
    let log: IssueLog

    /// The reader for the object itself (to report a problem that involves several members).
    var reader: JSONReader { JSONReader(.object(members), path: path, log: log) }

    /// Whether `key` is present with a value other than `null`.
    func contains(_ key: String) -> Bool { optional(key) != nil }

    /// The member `key`, or nil when it is absent or `null` (an optional key left out).
    func optional(_ key: String) -> JSONReader? {
        guard let member = members.first(where: { $0.key == key }), member.value != .null else { return nil }
        return JSONReader(member.value, path: path.appending(key), log: log)
    }

    /// Reads the member `key` with `read`, or gives `defaultValue` when it is absent or `null`.
    ///
    /// - Returns: The value read or the default; nil only when the member is present but
    ///   `read` rejected it (and recorded why).
    func optional<T>(_ key: String, default defaultValue: T, _ read: (JSONReader) -> T?) -> T? {
        guard let member = optional(key) else { return defaultValue }
        return read(member)
    }

    /// The member `key`, or nil with `missing required key` recorded at its path.
    ///
    /// A `null` value is returned (not treated as missing), so that the typed read that follows
    /// says what it expected instead.
    /// - Parameter note: Added to the message, e.g. `(exponential needs "mean")`.
    func required(_ key: String, note: String = "") -> JSONReader? {
        guard let member = members.first(where: { $0.key == key }) else {
            log.add(path.appending(key), "missing required key" + (note.isEmpty ? "" : " \(note)"))
            return nil
        }
        return JSONReader(member.value, path: path.appending(key), log: log)
    }
}
