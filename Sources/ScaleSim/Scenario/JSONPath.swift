/// The place of a value in a JSON document, written like `stations[2].service.mean`.
///
/// The document itself is `$`. Keys that are identifiers are joined with dots; other keys are
/// written as quoted subscripts (`routes["a b"]`); array elements as `[index]`.
struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    var components: [Component] = []

    /// The whole document, `$`.
    static let root = JSONPath()

    /// The path of the member `key` of the object at this path.
    func appending(_ key: String) -> JSONPath {
        JSONPath(components: components + [.key(key)])
    }

    /// The path of the element `index` of the array at this path.
    func appending(_ index: Int) -> JSONPath {
        JSONPath(components: components + [.index(index)])
    }

    var description: String {
        guard !components.isEmpty else { return "$" }
        var text = ""
        for component in components {
            switch component {
            case .key(let key) where Self.isIdentifier(key):
                if !text.isEmpty { text += "." }
                text += key
            case .key(let key):
                if text.isEmpty { text = "$" }
                let shown = key.count > 40 ? String(key.prefix(40)) + "..." : key
                text += "[\(JSONValue.string(shown).serialized(pretty: false))]"
            case .index(let index):
                if text.isEmpty { text = "$" }
                text += "[\(index)]"
            }
        }
        return text
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`, at most 40 characters.
    static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.utf8.first, key.utf8.count <= 40 else { return false }
        func isLetter(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
        }
        return isLetter(first) && key.utf8.allSatisfy { isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }
}
