extension JSONValue {
    /// The JSON text of this value; the same value always gives the same bytes.
    ///
    /// Object members are written in their stored order. Pretty output puts every member and
    /// element on its own line, indented by two spaces per level, with `": "` after keys;
    /// empty containers are written `[]` and `{}`. Compact output has no whitespace at all.
    /// Neither form ends with a newline.
    ///
    /// Strings are escaped as RFC 8259 requires (`\"`, `\\`, and control characters as `\n`,
    /// `\t`, ... or `\u00XX`); other characters are written as UTF-8. Numbers that are whole and
    /// smaller than 2^53 in magnitude are written without a fraction (`7`, `-3`, `0`), others
    /// in the shortest form that reads back to the same `Double` (`0.1`, `1e-05`, `1e+20`).
    /// NaN and infinities, which JSON cannot hold, are written `null`.
    ///
    /// - Parameter pretty: Indent the output (the default) or write it on one line.
    /// - Returns: The JSON text.
    /// - Complexity: O(n) in the size of the output.
    public func serialized(pretty: Bool = true) -> String {
        var writer = JSONWriter(pretty: pretty)
        writer.write(self, indent: 0)
        return String(decoding: writer.output, as: UTF8.self)
    }

    /// The JSON text of a number as `serialized` writes it (`null` when not finite).
    static func numberText(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            return String(Int64(value))  // also turns -0.0 into "0"
        }
        // Swift's shortest round-trip form; for finite values it is always a valid JSON number
        // ("0.1", "1e-05", "1.5e+300").
        return value.description
    }
}

/// Writes a `JSONValue` into UTF-8 bytes.
private struct JSONWriter {
    let pretty: Bool
    var output: [UInt8] = []

    init(pretty: Bool) {
        self.pretty = pretty
        output.reserveCapacity(256)
    }

    mutating func write(_ value: JSONValue, indent: Int) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let number): append(JSONValue.numberText(number))
        case .string(let text): writeString(text)
        case .array(let elements):
            guard !elements.isEmpty else { append("[]"); return }
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent: indent + 1)
                write(element, indent: indent + 1)
            }
            newline(indent: indent)
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else { append("{}"); return }
            output.append(UInt8(ascii: "{"))
            for (position, member) in members.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent: indent + 1)
                writeString(member.key)
                output.append(UInt8(ascii: ":"))
                if pretty { output.append(UInt8(ascii: " ")) }
                write(member.value, indent: indent + 1)
            }
            newline(indent: indent)
            output.append(UInt8(ascii: "}"))
        }
    }

    mutating func newline(indent: Int) {
        guard pretty else { return }
        output.append(0x0A)
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }

    mutating func writeString(_ text: String) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x08: append("\\b")
            case 0x0C: append("\\f")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0..<0x20:
                let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
                append("\\u00")
                output.append(digits[Int(byte >> 4)])
                output.append(digits[Int(byte & 0x0F)])
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
