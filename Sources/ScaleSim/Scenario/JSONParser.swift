/// A JSON text that is not valid, with the place of the first problem.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line of the problem (lines end at `\n`).
    public var line: Int
    /// 1-based column of the problem, in Unicode scalars from the start of the line.
    public var column: Int
    /// What was expected and what was found, e.g. `expected ',' or '}' after an object member, found ']'`.
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line L, column C: message`.
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A strict RFC 8259 JSON parser that builds a `JSONValue`.
///
/// Strict means: one value surrounded only by JSON whitespace; no comments, trailing commas,
/// single quotes, `NaN` or `Infinity`; numbers follow the RFC grammar and must fit in a
/// `Double` (`1e400` is an error, `1e-400` underflows to 0); strings must be valid UTF-8, with
/// control characters escaped and `\u` surrogates correctly paired; keys of one object must be
/// distinct. Objects keep their members in the order written. A leading UTF-8 byte order mark
/// is ignored (RFC 8259 section 8.1 allows that).
///
/// The parser never traps on any input: containers nested deeper than `maximumDepth` are an
/// error rather than a stack overflow, and every read is bounds-checked.
public enum JSONParser {
    /// Most arrays and objects nested inside each other; a deeper document is an error.
    public static let maximumDepth = 256

    /// Most elements in one array; a longer one is an error as soon as it is seen, so a
    /// generated file of tens of megabytes fails in a second instead of taking gigabytes.
    /// (A load profile of one point a second for a week has 604,800.)
    public static let maximumArrayLength = 1_000_000

    /// Parses one JSON text.
    ///
    /// - Parameter bytes: The UTF-8 text.
    /// - Returns: The value it holds.
    /// - Throws: `JSONSyntaxError` with the line, the column and what was expected.
    /// - Complexity: O(n) in the number of bytes.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var parser = State(bytes: bytes)
        return try parser.parseDocument()
    }
}

extension JSONParser {
    /// The state of one parse: the bytes and the read position.
    struct State {
        let bytes: [UInt8]
        var index = 0
        var depth = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        // MARK: Document and values

        mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
            skipWhitespace()
            if index >= bytes.count {
                throw error(at: index, bytes.isEmpty ? "expected a JSON value, found an empty input"
                                                     : "expected a JSON value, found only whitespace")
            }
            let value = try parseValue()
            skipWhitespace()
            if index < bytes.count {
                throw error(at: index, "expected the end of the input after the JSON value, found \(found(at: index))")
            }
            return value
        }

        mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
            guard let byte = peek() else {
                throw error(at: index, "expected a JSON value, found the end of the input")
            }
            switch byte {
            case UInt8(ascii: "{"): return try parseObject()
            case UInt8(ascii: "["): return try parseArray()
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); return .null
            default:
                throw error(at: index, "expected a JSON value, found \(found(at: index))\(hint(at: index))")
            }
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
            let start = index
            let count = literal.utf8CodeUnitCount
            let matches = literal.withUTF8Buffer { text in
                guard bytes.count - start >= count else { return false }
                for offset in 0..<count where bytes[start + offset] != text[offset] { return false }
                // `trueish` is not `true`: a literal must not run on into more letters.
                return start + count >= bytes.count || !isWordByte(bytes[start + count])
            }
            guard matches else {
                throw error(at: start, "expected a JSON value, found \(found(at: start))\(hint(at: start))")
            }
            index += count
        }

        // MARK: Containers

        mutating func enterContainer(at start: Int) throws(JSONSyntaxError) {
            depth += 1
            if depth > JSONParser.maximumDepth {
                throw error(at: start, "arrays and objects are nested more than \(JSONParser.maximumDepth) levels deep")
            }
        }

        mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
            try enterContainer(at: index)
            index += 1  // [
            var elements: [JSONValue] = []
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                if peek() == UInt8(ascii: "]"), !elements.isEmpty {
                    throw error(at: index, "expected a JSON value after ',', found ']' (trailing commas are not allowed)")
                }
                if elements.count == JSONParser.maximumArrayLength {
                    throw error(at: index, "an array has more than \(JSONParser.maximumArrayLength) elements")
                }
                elements.append(try parseValue())
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","):
                    index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    depth -= 1
                    return .array(elements)
                default:
                    throw error(at: index, "expected ',' or ']' after an array element, found \(found(at: index))")
                }
            }
        }

        mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
            try enterContainer(at: index)
            index += 1  // {
            var members: [JSONValue.Member] = []
            var keys: Set<String> = []
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else {
                    if peek() == UInt8(ascii: "}"), !members.isEmpty {
                        throw error(at: index, "expected a string key after ',', found '}' (trailing commas are not allowed)")
                    }
                    let what = members.isEmpty ? "expected a string key or '}'" : "expected a string key after ','"
                    throw error(at: index, "\(what), found \(found(at: index))\(hint(at: index))")
                }
                let keyStart = index
                let key = try parseString()
                if !keys.insert(key).inserted {
                    throw error(at: keyStart, "duplicate key \(quoted(key)) in an object")
                }
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else {
                    throw error(at: index, "expected ':' after the key \(quoted(key)), found \(found(at: index))")
                }
                index += 1
                skipWhitespace()
                let value = try parseValue()
                members.append(JSONValue.Member(key, value))
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","):
                    index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    depth -= 1
                    return .object(members)
                default:
                    throw error(at: index, "expected ',' or '}' after an object member, found \(found(at: index))")
                }
            }
        }

        // MARK: Numbers

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, converted to the nearest `Double`.
        mutating func parseNumber() throws(JSONSyntaxError) -> Double {
            let start = index
            if peek() == UInt8(ascii: "-") { index += 1 }
            guard let first = peek(), isDigit(first) else {
                throw error(at: index, "expected a digit after '-', found \(found(at: index))\(hint(at: index))")
            }
            index += 1
            if first == UInt8(ascii: "0"), let next = peek(), isDigit(next) {
                throw error(at: start, "a number must not start with '0' followed by more digits")
            }
            skipDigits()
            if peek() == UInt8(ascii: ".") {
                index += 1
                guard let digit = peek(), isDigit(digit) else {
                    throw error(at: index, "expected a digit after the decimal point, found \(found(at: index))")
                }
                skipDigits()
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                index += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
                guard let digit = peek(), isDigit(digit) else {
                    throw error(at: index, "expected a digit in the exponent, found \(found(at: index))")
                }
                skipDigits()
            }
            // The grammar above already holds, so the standard library's conversion only rounds.
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard let value = Double(text), value.isFinite else {
                throw error(at: start, "the number \(abbreviated(text)) is too large for a 64-bit floating-point value")
            }
            return value
        }

        mutating func skipDigits() {
            while let byte = peek(), isDigit(byte) { index += 1 }
        }

        // MARK: Strings

        /// Reads a string starting at its opening quote; checks UTF-8 and escapes.
        mutating func parseString() throws(JSONSyntaxError) -> String {
            let start = index
            index += 1  // "
            var utf8: [UInt8] = []
            var runStart = index
            while true {
                guard let byte = peek() else {
                    let (line, column) = position(of: start)
                    throw error(at: index, "expected '\"' to end the string that starts at line \(line), column \(column), found the end of the input")
                }
                switch byte {
                case UInt8(ascii: "\""):
                    utf8.append(contentsOf: bytes[runStart..<index])
                    index += 1
                    return String(decoding: utf8, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    utf8.append(contentsOf: bytes[runStart..<index])
                    try parseEscape(into: &utf8)
                    runStart = index
                case 0..<0x20:
                    throw error(at: index, "control character \(scalarName(UInt32(byte))) must be escaped in a string")
                case 0x20..<0x80:
                    index += 1
                default:
                    guard let (_, length) = decodeScalar(at: index) else {
                        throw error(at: index, "invalid UTF-8 byte 0x\(hex(byte, digits: 2)) in a string")
                    }
                    index += length
                }
            }
        }

        /// Reads one escape sequence starting at its backslash and appends its UTF-8.
        mutating func parseEscape(into utf8: inout [UInt8]) throws(JSONSyntaxError) {
            let start = index
            index += 1  // backslash
            guard let byte = peek() else {
                throw error(at: index, "expected an escape character after '\\', found the end of the input")
            }
            index += 1
            switch byte {
            case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                let first = try parseHex4()
                var scalarValue = first
                if (0xD800...0xDBFF).contains(first) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard peek() == UInt8(ascii: "\\"), peek(offset: 1) == UInt8(ascii: "u") else {
                        throw error(at: start, "the high surrogate \\u\(hex(first, digits: 4)) must be followed by an escaped low surrogate (\\uDC00 to \\uDFFF)")
                    }
                    index += 2
                    let second = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(second) else {
                        throw error(at: start, "the high surrogate \\u\(hex(first, digits: 4)) must be followed by a low surrogate (\\uDC00 to \\uDFFF), found \\u\(hex(second, digits: 4))")
                    }
                    scalarValue = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(first) {
                    throw error(at: start, "the low surrogate \\u\(hex(first, digits: 4)) is not preceded by a high surrogate")
                }
                guard let scalar = Unicode.Scalar(scalarValue) else {
                    throw error(at: start, "\\u\(hex(first, digits: 4)) is not a Unicode scalar")
                }
                utf8.append(contentsOf: String(Character(scalar)).utf8)
            default:
                throw error(at: start, "invalid escape sequence '\\\(printable(byte))'; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
            }
        }

        /// Reads the four hex digits of a `\u` escape.
        mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = peek(), let digit = hexValue(byte) else {
                    throw error(at: index, "expected 4 hex digits after '\\u', found \(found(at: index))")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        /// Decodes one well-formed UTF-8 scalar (RFC 3629: no overlong forms, no surrogates,
        /// nothing above U+10FFFF); nil when the bytes at `offset` are not one.
        func decodeScalar(at offset: Int) -> (Unicode.Scalar, Int)? {
            guard offset < bytes.count else { return nil }
            let lead = bytes[offset]
            let length: Int
            var value: UInt32
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // range of the second byte
            switch lead {
            case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
            case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
            case 0xE0: length = 3; value = UInt32(lead & 0x0F); low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3; value = UInt32(lead & 0x0F)
            case 0xED: length = 3; value = UInt32(lead & 0x0F); high = 0x9F
            case 0xF0: length = 4; value = UInt32(lead & 0x07); low = 0x90
            case 0xF1...0xF3: length = 4; value = UInt32(lead & 0x07)
            case 0xF4: length = 4; value = UInt32(lead & 0x07); high = 0x8F
            default: return nil
            }
            guard bytes.count - offset >= length else { return nil }
            for position in 1..<length {
                let byte = bytes[offset + position]
                let range = position == 1 ? low...high : 0x80...0xBF
                guard range.contains(byte) else { return nil }
                value = value << 6 | UInt32(byte & 0x3F)
            }
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return (scalar, length)
        }

        // MARK: Reading helpers

        func peek(offset: Int = 0) -> UInt8? {
            let position = index + offset
            return position < bytes.count ? bytes[position] : nil
        }

        mutating func skipWhitespace() {
            while let byte = peek(),
                  byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
                index += 1
            }
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        func isWordByte(_ byte: UInt8) -> Bool {
            isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
        }

        func hexValue(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
    }
}
