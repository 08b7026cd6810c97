/// A JSON document as a tree, with object members kept in the order they were written.
///
/// The scenario reader parses files into this form (so it can name the JSON path of every
/// problem and reject unknown keys), and the reports are built in it and written by
/// `JSONValue.serialized` so that the same values always give the same bytes.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([Member])

    /// One `"key": value` pair of an object.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue
        public init(_ key: String, _ value: JSONValue) { self.key = key; self.value = value }
    }
}
