import Foundation

// A comparison as people read it (a console table, Markdown for a pull request) and as tools
// read it (JSON with a fixed key order).

extension ReportComparison {
    /// The verdicts listed by default: what changed for sure, and what changed but cannot be
    /// judged. Changes within their confidence intervals and unchanged figures are only counted.
    public static let listedVerdicts: Set<Verdict> = [.significant, .noInterval, .changed, .notComparable, .added, .removed]

    /// Whether a change is listed: every one with `all`, otherwise those in `listedVerdicts`.
    public static func isListed(_ change: Change, all: Bool) -> Bool {
        all || listedVerdicts.contains(change.verdict)
    }

    /// How many figures got each verdict, over every group.
    public var verdictCounts: [Verdict: Int] {
        var counts: [Verdict: Int] = [:]
        for group in groups { for change in group.changes { counts[change.verdict, default: 0] += 1 } }
        return counts
    }

    /// How many significant changes are for the better (or the worse).
    func significantCount(_ direction: Direction) -> Int {
        groups.reduce(0) { $0 + $1.changes.filter { $0.verdict == .significant && $0.direction == direction }.count }
    }

    /// The comparison as a console table.
    ///
    /// - Parameter all: List every figure, not only the significant and unjudgeable changes.
    public func table(all: Bool = false) -> String {
        render(all: all, markdown: false)
    }

    /// The comparison as Markdown, for a pull request comment.
    ///
    /// - Parameter all: List every figure, not only the significant and unjudgeable changes.
    public func markdown(all: Bool = false) -> String {
        render(all: all, markdown: true)
    }

    static let header = ["figure", "old", "new", "change", "%", "± noise", "verdict"]

    func render(all: Bool, markdown: Bool) -> String {
        func describe(_ report: ReportSnapshot) -> String {
            let file = markdown ? "`\(report.file.replacingOccurrences(of: "`", with: "'"))`" : report.file
            return "\(file) (scenario \"\(report.scenario)\", seed \(Format.number(report.seed)), "
                + "\(Self.count(report.replications, "replication")), \(Format.number(report.confidence * 100))% confidence)"
        }
        var out = markdown ? "## scalesim compare: \(kind) reports\n\n" : "scalesim compare: \(kind) reports\n"
        out += (markdown ? "- old: " : "  old: ") + describe(old) + "\n"
        out += (markdown ? "- new: " : "  new: ") + describe(new) + "\n\n"
        out += (markdown ? "**\(summary)**\n\n" : summary + "\n")
        let hidden = !all && groups.contains { $0.changes.contains { !Self.isListed($0, all: false) } }
        out += "Significant (*): |new - old| > √(h_old² + h_new²), h the confidence half-widths; "
            + "% is relative to old\(hidden ? "; --all lists the figures within their intervals and the unchanged ones" : "").\n"
        if !notes.isEmpty {
            out += (markdown ? "\n" : "\nnotes:\n") + notes.map { "- \($0)\n" }.joined()
        }
        // The groups with something to list, each with its table; then one line for each of the others.
        var quiet: [String] = []
        for group in groups {
            if let block = render(group, all: all, markdown: markdown) {
                out += "\n" + block
            } else {
                quiet.append(title(group, markdown: markdown) + ": " + quietSummary(group))
            }
        }
        if !quiet.isEmpty {
            let others = kind == "architecture" ? "stages" : "stations"
            out += "\n" + (markdown ? "### Other \(others)\n\n" : "other \(others):\n") + quiet.map { "- \($0)\n" }.joined()
        }
        return out
    }

    /// `1 replication`, `3 replications`.
    static func count(_ n: Int, _ one: String, _ many: String? = nil) -> String {
        "\(n) \(n == 1 ? one : many ?? one + "s")"
    }

    /// One line: how many figures changed and how, and the regressions.
    public var summary: String {
        let counts = verdictCounts
        let directions = [Direction.worse, .better].compactMap { direction -> String? in
            let n = significantCount(direction)
            return n == 0 ? nil : "\(n) \(direction.rawValue)"
        }
        var parts = [Self.count(counts[.significant] ?? 0, "significant change")
                     + (directions.isEmpty ? "" : " (\(directions.joined(separator: ", ")))")]
        let other: [(Verdict, String, String)] = [
            (.changed, "other change (settings, names, verdicts)", "other changes (settings, names, verdicts)"),
            (.noInterval, "change without an interval", "changes without an interval"),
            (.notComparable, "figure with a value on one side only", "figures with a value on one side only"),
            (.added, "figure only in new", "figures only in new"), (.removed, "figure only in old", "figures only in old"),
            (.withinInterval, "figure within its confidence interval", "figures within their confidence intervals"),
            (.unchanged, "unchanged figure", "unchanged figures"),
        ]
        for (verdict, one, many) in other {
            if let n = counts[verdict], n > 0 { parts.append(Self.count(n, one, many)) }
        }
        let unit = kind == "architecture" ? "stage" : "station"
        for (presence, words) in [(Presence.oldOnly, "only in old"), (.newOnly, "only in new")] {
            let n = groups.filter { $0.presence == presence }.count
            if n > 0 { parts.append(Self.count(n, unit) + " " + words) }
        }
        let regressions = self.regressions.count
        return parts.joined(separator: ", ") + "; " + (regressions == 0 ? "no regression" : Self.count(regressions, "regression")) + "."
    }

    /// `stage "100k: cache and read replicas"`, `station "api"`, `system (end to end)`.
    func title(_ group: Group, markdown: Bool) -> String {
        if group.kind == "system" { return "system (end to end)" }
        return "\(group.kind) " + (markdown ? "`\(group.name.replacingOccurrences(of: "`", with: "'"))`" : "\"\(group.name)\"")
    }

    /// The figures of a group that are counted but not listed: `35 within their confidence intervals, 15 unchanged`.
    func hiddenCounts(_ group: Group, all: Bool) -> [String] {
        let kinds: [(Verdict, String, String)] = [(.withinInterval, "within its confidence interval", "within their confidence intervals"),
                                                  (.unchanged, "unchanged", "unchanged")]
        return kinds.compactMap { verdict, one, many in
            let n = group.changes.filter { $0.verdict == verdict && !Self.isListed($0, all: all) }.count
            return n == 0 ? nil : (n == 1 ? "1 \(one)" : "\(n) \(many)")
        }
    }

    /// Why a group has nothing to list.
    func quietSummary(_ group: Group) -> String {
        switch group.presence {
        case .oldOnly: return "only in the old report"
        case .newOnly: return "only in the new report"
        case .both:
            let counts = hiddenCounts(group, all: false)
            return "no significant change" + (counts.isEmpty ? "" : " (\(counts.joined(separator: ", ")))")
        }
    }

    /// A group's table and the lines below it; nil when it has nothing to list.
    func render(_ group: Group, all: Bool, markdown: Bool) -> String? {
        let listed = group.changes.filter { Self.isListed($0, all: all) }
        var lines: [String] = []
        for (items, words) in [(group.removedItems, "only in old"), (group.addedItems, "only in new")] {
            for kind in Set(items.map(\.kind)).sorted() {
                let names = items.filter { $0.kind == kind }.map(\.name)
                lines.append("\(kind == "class" ? "classes" : kind + "s") \(words): \(names.joined(separator: ", "))")
            }
        }
        guard !listed.isEmpty || !lines.isEmpty else { return nil }
        for change in listed {
            if case .flag(false, let detail)? = change.new, !detail.isEmpty, change.verdict != .unchanged {
                lines.append("\(label(change)) in the new report: \(change.info.words.no) (\(detail))")
            }
        }
        let hidden = hiddenCounts(group, all: all)
        if !hidden.isEmpty { lines.insert("not listed: " + hidden.joined(separator: ", "), at: 0) }
        var out = (markdown ? "### " : "") + title(group, markdown: markdown) + "\n" + (markdown ? "\n" : "")
        if !listed.isEmpty {
            out += Format.table(Self.header, listed.map { row($0, markdown: markdown) }, markdown: markdown)
            if markdown, !lines.isEmpty { out += "\n" }
        }
        out += lines.map { (markdown ? "- " : "") + $0 + "\n" }.joined()
        return out
    }

    /// `latency p99`, `resource db.primary.cpu: utilization`.
    func label(_ change: Change) -> String {
        let figure = change.path.map { FigureInfo.of($0)?.label ?? $0 }.joined(separator: " ")
        guard let item = change.item else { return figure }
        return "\(item.kind) \(item.name): \(figure)"
    }

    func row(_ change: Change, markdown: Bool) -> [String] {
        let info = change.info
        var verdict: String
        switch change.verdict {
        case .significant: verdict = (change.direction?.rawValue ?? "changed") + " *"
        case .changed: verdict = change.direction.map { "changed, \($0.rawValue)" } ?? "changed"
        case .added: verdict = "only in new"
        case .removed: verdict = "only in old"
        default: verdict = change.verdict.rawValue
        }
        if change.isRegression { verdict += " (regression)" }
        // A noise level that is only rounding (a figure that is the same in every replication) shows as 0.
        let scale = max(abs(change.old?.number ?? 0), abs(change.new?.number ?? 0))
        let cells = [label(change), Self.text(change.old, info), Self.text(change.new, info),
                     change.difference.map { Self.signed($0, info.unit) } ?? "",
                     change.relative.map { String(format: "%+.1f%%", $0 * 100) } ?? "",
                     change.threshold.map { Self.amount($0 <= 1e-9 * scale ? 0 : $0, info.unit) } ?? "",
                     verdict]
        return markdown ? cells.map { $0.replacingOccurrences(of: "|", with: "\\|") } : cells
    }

    /// A figure as the reports show it: `181 ms ± 662 µs`, `54.2%`, `met`; `-` when absent.
    static func text(_ figure: Figure?, _ info: FigureInfo) -> String {
        switch figure {
        case nil: "-"
        case .estimate(let estimate)?: Format.estimate(estimate) { value($0, info.unit) }
        case .exact(let number)?: value(number, info.unit)
        case .text(let text)?: text
        case .flag(let flag, _)?: flag ? info.words.yes : info.words.no
        }
    }

    /// A value in its unit: `12.3 ms`, `54.2%`, `800/s`, `$0.735/h`.
    static func value(_ number: Double, _ unit: FigureInfo.Unit) -> String {
        unit == .fraction ? Format.percent(number) : amount(number, unit)
    }

    /// An amount of change in its unit, a fraction in percentage points: `12.3 ms`, `4.0 pp`.
    static func amount(_ number: Double, _ unit: FigureInfo.Unit) -> String {
        switch unit {
        case .time: return Format.time(number)
        case .fraction:
            let points = number * 100
            return String(format: abs(points) >= 0.1 || points == 0 ? "%.1f pp" : "%.2g pp", points)
        case .rate: return Format.number(number) + "/s"
        case .money: return "$" + Format.number(number) + "/h"
        case .number:
            // Whole numbers (users, queue lengths of 0) in full rather than as 1e+05.
            return number == number.rounded() && abs(number) < 1e12 ? String(Int64(number)) : Format.number(number)
        }
    }

    /// A difference with its sign: `+12.3 ms`, `-4.0 pp`.
    static func signed(_ difference: Double, _ unit: FigureInfo.Unit) -> String {
        (difference > 0 ? "+" : difference < 0 ? "-" : "") + amount(abs(difference), unit)
    }
}

extension ReportComparison {
    /// The comparison for tools: every key always present and always in the same order.
    ///
    /// `groups[].changes` lists the same changes as the table (every figure with `all`);
    /// `summary` counts every figure whatever `all` is.
    public func json(all: Bool = false) -> JSONValue {
        func describe(_ report: ReportSnapshot) -> JSONValue {
            .object([
                .init("file", .string(report.file)), .init("scenario", .string(report.scenario)),
                .init("seed", .number(report.seed)), .init("replications", JSONValue(report.replications)),
                .init("confidence", .number(report.confidence)),
            ])
        }
        func items(_ list: [Item]) -> JSONValue {
            .array(list.map { .object([.init("kind", .string($0.kind)), .init("name", .string($0.name))]) })
        }
        let counts = verdictCounts
        var summary: [JSONValue.Member] = Verdict.allCases.map { JSONValue.Member(Self.jsonKey($0), JSONValue(counts[$0] ?? 0)) }
        summary += [
            .init("worse", JSONValue(significantCount(.worse))),
            .init("better", JSONValue(significantCount(.better))),
            .init("regressions", JSONValue(regressions.count)),
            .init("groupsOnlyInOld", JSONValue(groups.filter { $0.presence == .oldOnly }.count)),
            .init("groupsOnlyInNew", JSONValue(groups.filter { $0.presence == .newOnly }.count)),
        ]
        let groupValues: [JSONValue] = groups.map { group in
            .object([
                .init("kind", .string(group.kind)), .init("name", .string(group.name)),
                .init("presence", .string(group.presence.rawValue)),
                .init("onlyInOld", items(group.removedItems)), .init("onlyInNew", items(group.addedItems)),
                .init("changes", .array(group.changes.filter { Self.isListed($0, all: all) }.map(Self.json))),
            ])
        }
        return .object([
            .init("kind", .string(kind)),
            .init("rule", .string("significant when |new - old| > sqrt(hOld^2 + hNew^2), h the confidence half-widths")),
            .init("old", describe(old)), .init("new", describe(new)),
            .init("summary", .object(summary)),
            .init("notes", .array(notes.map(JSONValue.string))),
            .init("groups", .array(groupValues)),
        ])
    }

    /// `withinInterval`, `noInterval`, ...: the verdict as a JSON key.
    static func jsonKey(_ verdict: Verdict) -> String {
        let words = verdict.rawValue.split(separator: " ")
        return words.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.capitalized }.joined()
    }

    static func json(_ change: Change) -> JSONValue {
        func figure(_ value: Figure?) -> JSONValue {
            switch value {
            case nil: .null
            case .estimate(let estimate)?: estimate.json
            case .exact(let number)?: .number(number)
            case .text(let text)?: .string(text)
            case .flag(let flag, _)?: .bool(flag)
            }
        }
        return .object([
            .init("item", change.item.map { .object([.init("kind", .string($0.kind)), .init("name", .string($0.name))]) } ?? .null),
            .init("metric", .string(change.metric)),
            .init("old", figure(change.old)), .init("new", figure(change.new)),
            .init("difference", JSONValue(change.difference)), .init("relative", JSONValue(change.relative)),
            .init("threshold", JSONValue(change.threshold)),
            .init("verdict", .string(jsonKey(change.verdict))),
            .init("direction", change.direction.map { .string($0.rawValue) } ?? .null),
            .init("regression", .bool(change.isRegression)),
        ])
    }
}
