/// Times written as strings with a unit: `"250ms"`, `"30s"`, `"5m"`, `"1h"`, `"2.5us"`.
enum TimeText {
    enum Parsed: Equatable {
        /// The time in seconds (may be infinite when the number is huge, or negative).
        case seconds(Double)
        /// A bare number in a string, such as `"30"`.
        case missingUnit(String)
        /// A number followed by something that is not a unit.
        case unknownUnit(String)
        /// Not a number with a unit at all.
        case invalid
    }

    /// Seconds per unit.
    static let units: [(name: String, seconds: Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3),
        ("s", 1), ("m", 60), ("min", 60), ("h", 3600),
    ]

    /// The unit names shown in messages.
    static let unitNames = ["ns", "us", "ms", "s", "m", "h"]

    /// Parses a time: a decimal number (`-?digits(.digits)?([eE][+-]?digits)?`, or `.5`-style
    /// fractions) and a unit, with optional spaces around and between them.
    static func parse(_ text: String) -> Parsed {
        guard let (number, numberText, unit) = split(text) else { return .invalid }
        if unit.isEmpty { return .missingUnit(numberText) }
        guard let factor = units.first(where: { $0.name == unit })?.seconds else {
            return .unknownUnit(unit)
        }
        return .seconds(number * factor)
    }

    /// Splits `"2.5 MB"` into the number (2.5), the number as written in plain decimal form
    /// (`"2.5"`), and the unit (`"MB"`, empty when there is none); nil when `text` does not
    /// start with a number. Shared by every quantity written with a unit (times, bytes).
    static func split(_ text: String) -> (number: Double, numberText: String, unit: String)? {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func isDigit(_ i: Int) -> Bool { i < scalars.count && ("0"..."9").contains(scalars[i]) }
        func skipSpaces() { while index < scalars.count, scalars[index] == " " { index += 1 } }

        skipSpaces()
        let numberStart = index
        if index < scalars.count, scalars[index] == "-" || scalars[index] == "+" { index += 1 }
        var digits = 0
        while isDigit(index) { index += 1; digits += 1 }
        if index < scalars.count, scalars[index] == "." {
            index += 1
            while isDigit(index) { index += 1; digits += 1 }
        }
        guard digits > 0 else { return nil }
        if index < scalars.count, scalars[index] == "e" || scalars[index] == "E" {
            var look = index + 1
            if look < scalars.count, scalars[look] == "+" || scalars[look] == "-" { look += 1 }
            if isDigit(look) {
                index = look
                while isDigit(index) { index += 1 }
            }
        }
        var numberText = String(String.UnicodeScalarView(scalars[numberStart..<index]))
        if numberText.hasPrefix("+") { numberText.removeFirst() }
        if numberText.hasSuffix(".") { numberText += "0" }
        if numberText.hasPrefix(".") { numberText = "0" + numberText }
        if numberText.hasPrefix("-.") { numberText = "-0" + numberText.dropFirst() }
        guard let number = Double(numberText) else { return nil }
        skipSpaces()
        var unitEnd = scalars.count
        while unitEnd > index, scalars[unitEnd - 1] == " " { unitEnd -= 1 }
        let unit = String(String.UnicodeScalarView(scalars[index..<max(index, unitEnd)]))
        return (number, numberText, unit)
    }
}

extension ArchitectureScenario {
    /// A time written with a unit (`"300ms"`, `"1.5s"`), as scenario files take them; nil
    /// when `text` is not one. For command-line options.
    public static func parseTime(_ text: String) -> Double? {
        if case .seconds(let seconds) = TimeText.parse(text), seconds.isFinite { return seconds }
        return nil
    }
}
