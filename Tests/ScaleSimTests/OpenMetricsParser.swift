import Foundation

/// Parses the OpenMetrics 1.0 text format (the ABNF of the specification) for the metric
/// types scalesim writes (counter, gauge; unknown when no TYPE is given), strictly: metadata
/// (TYPE, UNIT, HELP, at most one each, before the family's samples) and no other comment,
/// no interleaved families or metrics, valid names and escapes, single spaces, numbers per the
/// ABNF, a timestamp on every sample (required by `promtool tsdb create-blocks-from
/// openmetrics`) that increases within each metric, counters as `_total` non-decreasing and not
/// negative, a unit that is the family's suffix, and exactly `# EOF\n` at the end.
enum OpenMetricsParser {
    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    struct Label: Equatable, CustomStringConvertible {
        var name: String
        var value: String
        init(_ name: String, _ value: String) { self.name = name; self.value = value }
        var description: String { "\(name)=\(value)" }
    }

    struct Point { var value: Double; var timestamp: Double }

    struct Metric {
        var sampleName: String
        var labels: [Label]
        var points: [Point] = []
        func label(_ name: String) -> String? { labels.first { $0.name == name }?.value }
    }

    struct Family {
        var name: String
        var type = "unknown"
        var unit: String?
        var help: String?
        var metrics: [Metric] = []
        var hasSamples: Bool { !metrics.isEmpty }
    }

    struct Exposition {
        var families: [Family]
        func family(_ name: String) -> Family? { families.first { $0.name == name } }
    }

    static func parse(_ text: String) throws(Failure) -> Exposition {
        let bytes = Array(text.utf8)
        guard bytes.count >= 6, bytes.suffix(6) == Array("# EOF\n".utf8) else {
            throw Failure(line: 0, reason: "does not end with exactly \"# EOF\\n\"")
        }
        guard !bytes.contains(13) else { throw Failure(line: 0, reason: "a carriage return") }
        var lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // "# EOF"
        var families: [Family] = []
        var seen = Set<String>()
        var metadata = Set<String>()  // of the current family
        for (index, line) in lines.enumerated() {
            let number = index + 1
            func fail(_ reason: String) -> Failure { Failure(line: number, reason: "\(reason): \(line)") }
            guard !line.isEmpty else { throw fail("an empty line") }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                guard parts.count >= 3, parts[0] == "#", ["TYPE", "UNIT", "HELP"].contains(parts[1]) else {
                    throw fail("a line starting with # that is neither TYPE, UNIT nor HELP (nor the last EOF)")
                }
                let name = parts[2]
                guard isMetricName(name) else { throw fail("not a valid metric family name") }
                if families.last?.name != name {
                    guard !seen.contains(name) else { throw fail("family \(name) again after another family (interleaved)") }
                    families.append(Family(name: name))
                    seen.insert(name)
                    metadata = []
                }
                guard !families[families.count - 1].hasSamples else { throw fail("metadata after the family's samples") }
                guard metadata.insert(parts[1]).inserted else { throw fail("a second \(parts[1]) line") }
                let rest = parts.count == 4 ? parts[3] : nil
                switch parts[1] {
                case "TYPE":
                    guard let rest, ["counter", "gauge", "unknown"].contains(rest) else {
                        throw fail("a type that is not counter, gauge or unknown")
                    }
                    families[families.count - 1].type = rest
                case "UNIT":
                    guard let rest, !rest.isEmpty, rest.unicodeScalars.allSatisfy(isNameCharacter),
                          name.hasSuffix("_" + rest) else { throw fail("a unit that is not the suffix _<unit> of the name") }
                    families[families.count - 1].unit = rest
                default:
                    guard let rest else { throw fail("HELP without text") }
                    families[families.count - 1].help = try unescape(rest[...], fail)
                }
                continue
            }
            // sample = metricname [labels] SP number SP timestamp LF
            var rest = line[...]
            let name = String(rest.prefix { $0 != "{" && $0 != " " })
            rest = rest.dropFirst(name.count)
            guard isMetricName(name) else { throw fail("not a valid metric name") }
            var labels: [Label] = []
            if rest.first == "{" {
                rest = rest.dropFirst()
                while rest.first != "}" {
                    if !labels.isEmpty {
                        guard rest.first == "," else { throw fail("labels not separated by a comma") }
                        rest = rest.dropFirst()
                    }
                    let labelName = String(rest.prefix { $0 != "=" })
                    guard isLabelName(labelName) else { throw fail("not a valid label name \"\(labelName)\"") }
                    guard !labels.contains(where: { $0.name == labelName }) else { throw fail("label \(labelName) twice") }
                    rest = rest.dropFirst(labelName.count)
                    guard rest.hasPrefix("=\"") else { throw fail("a label value not in double quotes") }
                    rest = rest.dropFirst(2)
                    // The value runs to the first double quote not escaped.
                    var end = rest.startIndex, escaping = false
                    while end < rest.endIndex, escaping || rest[end] != "\"" {
                        escaping = !escaping && rest[end] == "\\"
                        end = rest.index(after: end)
                    }
                    guard end < rest.endIndex else { throw fail("a label value without its closing quote") }
                    labels.append(Label(labelName, try unescape(rest[..<end], fail)))
                    rest = rest[rest.index(after: end)...]
                    guard !rest.isEmpty else { throw fail("labels without their closing brace") }
                }
                rest = rest.dropFirst()
            }
            let fields = rest.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0].isEmpty else {
                throw fail("not <name>[labels] <value> <timestamp> with single spaces")
            }
            guard let value = parseNumber(fields[1]) else { throw fail("value \"\(fields[1])\" is not a number") }
            guard isRealNumber(fields[2]), let timestamp = Double(fields[2]) else {
                throw fail("timestamp \"\(fields[2])\" is not a real number")
            }
            // Which family: the current one when the name is its sample name, else a new one
            // (of unknown type, whose sample name is its own name).
            if let current = families.last, sampleName(of: current, is: name) {
            } else {
                guard !seen.contains(name) else { throw fail("family \(name) again after another family (interleaved)") }
                if let current = families.last, !current.hasSamples, current.type != "unknown" {
                    throw fail("sample \(name) does not belong to family \(current.name) of type \(current.type)")
                }
                families.append(Family(name: name))
                seen.insert(name)
                metadata = []
            }
            var family = families[families.count - 1]
            if family.type == "counter" {
                guard value >= 0, !value.isNaN else { throw fail("a counter total that is negative or NaN") }
            }
            if let last = family.metrics.last, last.sampleName == name, last.labels == labels {
                guard timestamp > last.points.last!.timestamp else { throw fail("a timestamp that does not increase") }
                if family.type == "counter", value < last.points.last!.value { throw fail("a counter that goes down") }
                family.metrics[family.metrics.count - 1].points.append(Point(value: value, timestamp: timestamp))
            } else {
                guard !family.metrics.contains(where: { $0.sampleName == name && $0.labels == labels }) else {
                    throw fail("metric \(name)\(labels) again after another metric (interleaved)")
                }
                family.metrics.append(Metric(sampleName: name, labels: labels, points: [Point(value: value, timestamp: timestamp)]))
            }
            families[families.count - 1] = family
        }
        return Exposition(families: families)
    }

    /// Whether `name` is a sample name of `family`: `_total` for a counter, the name itself
    /// for a gauge or unknown.
    static func sampleName(of family: Family, is name: String) -> Bool {
        family.type == "counter" ? name == family.name + "_total" : name == family.name
    }

    static func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == ":"
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`, not starting with an underscore (reserved).
    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first), first != "_" else { return false }
        return name.unicodeScalars.allSatisfy(isNameCharacter)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with an underscore (reserved).
    static func isLabelName(_ name: String) -> Bool {
        isMetricName(name) && !name.contains(":")
    }

    /// An escaped-string: `\\`, `\"` and `\n` are the only escapes (others are rejected, as the
    /// specification advises against them); no raw double quote or line feed.
    static func unescape(_ text: Substring, _ fail: (String) -> Failure) throws(Failure) -> String {
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars[...]
        while let c = scalars.popFirst() {
            switch c {
            case "\\":
                switch scalars.popFirst() {
                case "\\": out.append("\\")
                case "\"": out.append("\"")
                case "n": out.append("\n")
                default: throw fail("an escape other than \\\\, \\\" or \\n")
                }
            case "\"", "\n": throw fail("an unescaped double quote or line feed")
            default: out.append(c)
            }
        }
        return String(out)
    }

    /// realnumber = [SIGN] 1*DIGIT / [SIGN] 1*DIGIT ["." *DIGIT] ["e" [SIGN] 1*DIGIT] /
    /// [SIGN] *DIGIT "." 1*DIGIT ["e" [SIGN] 1*DIGIT]
    static func isRealNumber(_ text: Substring) -> Bool {
        var s = text.unicodeScalars[...]
        func digits() -> Int {
            let n = s.prefix { ("0"..."9").contains($0) }.count
            s = s.dropFirst(n)
            return n
        }
        if s.first == "+" || s.first == "-" { s = s.dropFirst() }
        let whole = digits()
        var fraction = 0
        if s.first == "." {
            s = s.dropFirst()
            fraction = digits()
        }
        guard whole + fraction > 0 else { return false }
        if s.first == "e" || s.first == "E" {
            s = s.dropFirst()
            if s.first == "+" || s.first == "-" { s = s.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return s.isEmpty
    }

    /// number = realnumber / [SIGN] ("inf" / "infinity") / "nan", case insensitive.
    static func parseNumber(_ text: Substring) -> Double? {
        let lower = text.lowercased()
        switch lower {
        case "nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return isRealNumber(text) ? Double(text) : nil
        }
    }
}
