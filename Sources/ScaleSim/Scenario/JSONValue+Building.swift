// Conveniences for building JSON values in code (reports, tests):
//
//     let report: JSONValue = [
//         "kind": "network",
//         "replications": 10,
//         "stations": [["name": "api", "utilization": 0.8]],
//         "halfWidth": nil,
//     ]
//
// A dictionary literal keeps its keys in the order written.

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .number(value) }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// An object with the members in the order written; a repeated key keeps its first
    /// position and takes the last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { JSONValue.Member($0.0, $0.1) }.uniquingKeys())
    }
}

extension JSONValue {
    /// An object with the members in the order given; a repeated key keeps its first position
    /// and takes the last value (so the result is always valid JSON).
    public static func object(_ members: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(members.map { JSONValue.Member($0.key, $0.value) }.uniquingKeys())
    }

    /// A number, or `null` for nil (e.g. a confidence half-width that cannot be given).
    public init(_ number: Double?) {
        self = number.map(JSONValue.number) ?? .null
    }

    /// A whole number.
    public init(_ number: Int) { self = .number(Double(number)) }

    /// The value of the member `key` of an object; nil when absent or when this is not an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The element at `index` of an array; nil when out of range or when this is not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}

extension Array where Element == JSONValue.Member {
    /// Members with distinct keys: the first position of a key, its last value.
    func uniquingKeys() -> [JSONValue.Member] {
        var position: [String: Int] = [:]
        var result: [JSONValue.Member] = []
        result.reserveCapacity(count)
        for member in self {
            if let existing = position[member.key] {
                result[existing].value = member.value
            } else {
                position[member.key] = result.count
                result.append(member)
            }
        }
        return result
    }
}
