// Line and column of an error, and the words for what was found where (JSONParser.State).

extension JSONParser.State {
    // MARK: Errors

    func error(at offset: Int, _ message: String) -> JSONSyntaxError {
        let (line, column) = position(of: offset)
        return JSONSyntaxError(line: line, column: column, message: message)
    }

    /// Line and column of a byte offset; the column counts scalars (lead bytes), not bytes.
    func position(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for position in 0..<min(offset, bytes.count) {
            let byte = bytes[position]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    /// What stands at `offset`, for "found ..." in a message.
    func found(at offset: Int) -> String {
        guard offset < bytes.count else { return "the end of the input" }
        let byte = bytes[offset]
        if isWordByte(byte) {
            var end = offset
            while end < bytes.count, end - offset < 20, isWordByte(bytes[end]) { end += 1 }
            let word = String(decoding: bytes[offset..<end], as: UTF8.self)
            return "'\(word)\(end < bytes.count && isWordByte(bytes[end]) ? "..." : "")'"
        }
        if byte < 0x80 {
            if byte < 0x20 || byte == 0x7F { return "control character \(scalarName(UInt32(byte)))" }
            return "'\(printable(byte))'"
        }
        if let (scalar, _) = decodeScalar(at: offset) {
            return "'\(Character(scalar))' (\(scalarName(scalar.value)))"
        }
        return "the invalid UTF-8 byte 0x\(hex(byte, digits: 2))"
    }

    /// A remark for the usual non-JSON spellings (`NaN`, `Infinity`, `'text'`, comments).
    func hint(at offset: Int) -> String {
        guard offset < bytes.count else { return "" }
        let rest = bytes[offset..<min(bytes.count, offset + 9)]
        let word = String(decoding: rest, as: UTF8.self).lowercased()
        if word.hasPrefix("nan") || word.hasPrefix("inf") {
            return " (NaN and infinities are not JSON numbers)"
        }
        switch bytes[offset] {
        case UInt8(ascii: "'"): return " (JSON strings use double quotes)"
        case UInt8(ascii: "/"), UInt8(ascii: "#"): return " (JSON has no comments)"
        case UInt8(ascii: "+"), UInt8(ascii: "."): return " (a JSON number starts with '-' or a digit)"
        default: return ""
        }
    }

    func printable(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\u\(hex(UInt32(byte), digits: 4))"
    }

    func scalarName(_ value: UInt32) -> String { "U+\(hex(value, digits: 4))" }

    func hex<T: BinaryInteger>(_ value: T, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    func quoted(_ text: String) -> String {
        JSONValue.string(abbreviated(text)).serialized(pretty: false)
    }

    func abbreviated(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "..." : text
    }
}
