/// Sizes and bandwidths written with a unit: `"200KB"`, `"1.5 MiB"`, `"125MB/s"`, `"1Gbit/s"`.
enum ByteText {
    /// Bytes per unit: decimal (kB = 1000 B) and binary (KiB = 1024 B).
    static let units: [(name: String, bytes: Double)] = [
        ("B", 1), ("kB", 1e3), ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12),
        ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
    ]
    /// Bytes per second per bandwidth unit: the units above followed by `/s`, and bit rates.
    static let rateUnits: [(name: String, bytesPerSecond: Double)] =
        units.map { ($0.name + "/s", $0.bytes) } + [
            ("bit/s", 1.0 / 8), ("kbit/s", 1e3 / 8), ("Mbit/s", 1e6 / 8), ("Gbit/s", 1e9 / 8),
            ("kbps", 1e3 / 8), ("Mbps", 1e6 / 8), ("Gbps", 1e9 / 8),
        ]
    /// Units shown in messages.
    static let unitNames = ["B", "KB", "MB", "GB", "KiB", "MiB", "GiB"]
    static let rateUnitNames = ["B/s", "KB/s", "MB/s", "GB/s", "Mbit/s", "Gbit/s"]
}

extension JSONReader {
    /// A number of bytes: a number, or a string with a unit (`"200KB"`, `"1.5MiB"`), satisfying `rule`.
    func bytes(_ rule: NumberRule) -> Double? {
        quantity(rule, what: "a size in bytes", example: #""200KB", "1.5MB""#,
                 units: ByteText.units.map { ($0.name, $0.bytes) }, shown: ByteText.unitNames)
    }

    /// Bytes per second: a number, or a string with a unit (`"125MB/s"`, `"1Gbit/s"`), satisfying `rule`.
    func bandwidth(_ rule: NumberRule) -> Double? {
        quantity(rule, what: "a bandwidth in bytes per second", example: #""125MB/s", "1Gbit/s""#,
                 units: ByteText.rateUnits.map { ($0.name, $0.bytesPerSecond) }, shown: ByteText.rateUnitNames)
    }

    /// CPU time of one piece of work: a distribution object, or a time alone, which means an
    /// exponential distribution with that mean (`"2ms"`); a time of 0 means no work at all.
    func work() -> Distribution? {
        switch value {
        case .number, .string:
            guard let mean = time(NumberRule.nonNegative.limited(to: Distribution.maximumSeconds)) else { return nil }
            return mean == 0 ? .deterministic(value: 0) : .exponential(mean: mean)
        case .object:
            return Distribution.read(self)
        default:
            reportExpected(#"a time (the mean of an exponential, e.g. "2ms") or a distribution such as {"dist": "lognormal", "p50": "2ms", "p99": "20ms"}"#)
            return nil
        }
    }

    private func quantity(_ rule: NumberRule, what: String, example: String,
                          units: [(String, Double)], shown: [String]) -> Double? {
        let expected = "\(what) \(rule.summary) (a number, or a string with a unit such as \(example))"
        var number: Double
        switch value {
        case .number(let plain):
            number = plain
        case .string(let text):
            guard let (amount, amountText, unit) = TimeText.split(text) else {
                reportExpected(expected)
                return nil
            }
            guard !unit.isEmpty else {
                report("\(Self.describe(value)) has no unit; write \(amountText) as a number, or add a unit (\(shown.joined(separator: ", ")))")
                return nil
            }
            guard let factor = units.first(where: { $0.0 == unit })?.1 else {
                let suggestion = Suggestion.didYouMean(unit, among: units.map(\.0))
                report("unknown unit \(Self.describe(.string(unit))) in \(Self.describe(value))\(suggestion); units are \(shown.joined(separator: ", "))")
                return nil
            }
            number = amount * factor
        default:
            reportExpected(expected)
            return nil
        }
        if let violation = rule.violation(number) {
            report("\(violation), got \(Self.describe(value))")
            return nil
        }
        return number
    }
}

extension JSONObjectReader {
    /// The free-text `notes` member (any string), or nil when absent.
    func notes() -> String? {
        optional("notes")?.string(allowEmpty: true)
    }

    /// A whole number member in `minimum...maximum`, or `defaultValue` when absent.
    func count(_ key: String, default defaultValue: Int, minimum: Int, maximum: Int) -> Int? {
        optional(key, default: defaultValue) { $0.wholeNumber(minimum: minimum, maximum: maximum) }
    }

    /// A cost per hour (>= 0), 0 when absent.
    func cost(_ key: String) -> Double? {
        optional(key, default: 0) { $0.number(NumberRule.nonNegative.limited(to: 1e12), expected: "a cost per hour") }
    }
}
