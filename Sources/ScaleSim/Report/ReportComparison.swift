/// What changed between two reports of the same kind, per stage (or station) and figure, with
/// each change judged against the confidence intervals of the two reports.
///
/// Stages, stations, request classes and resources are matched by name; those in one report
/// only are listed as added or removed. `scalesim compare` renders a comparison as a table,
/// Markdown or JSON (`ReportComparison+Rendering.swift`).
///
/// ## When a change is significant
///
/// Each estimate is a mean over independent replications with the half-width `h` of its
/// confidence interval. For two independent estimates at the same confidence, the half-width of
/// the interval of their difference is about `√(h_old² + h_new²)` (the variances add; this is
/// the large-sample form of Welch's interval, Welch 1947). A change is *significant* when
/// `|new - old| > √(h_old² + h_new²)`: the interval of the difference leaves out zero. Asking
/// for intervals that do not overlap instead would need `|new - old| > h_old + h_new`, up to
/// √2 times more, and miss real changes (Schenker and Gentleman, "On judging the significance
/// of differences by examining the overlap between confidence intervals", 2001). With a `null`
/// half-width (one replication) no change can be judged: it is reported as "no interval".
///
/// Two runs with the same seed share their random numbers, so their figures are positively
/// correlated and the variance of the difference is smaller than the sum: the rule is then
/// conservative (a change it calls significant is, and a small real one may be missed). At a
/// confidence of 95% about one figure in twenty that did not really change is still marked
/// significant by chance; look for changes that agree with each other.
public struct ReportComparison: Sendable {
    /// `architecture` or `network`.
    public var kind: String
    public var old: ReportSnapshot
    public var new: ReportSnapshot
    /// Stages, or stations then `system`: those of the old report in its order, then those
    /// only in the new one.
    public var groups: [Group]
    /// What a reader should know before trusting the verdicts (different scenarios,
    /// confidence levels or run lengths; a report without intervals).
    public var notes: [String]

    /// A stage, a station or the network's `system`, in one report or both.
    public struct Group: Sendable {
        /// `stage`, `station` or `system`.
        public var kind: String
        public var name: String
        public var presence: Presence
        /// Every figure of the group and of its classes and resources, in report order.
        public var changes: [Change]
        /// Classes and resources in the old report only, and in the new report only.
        public var removedItems: [Item]
        public var addedItems: [Item]
    }

    /// Whether something is in both reports or in one of them.
    public enum Presence: String, Sendable {
        case both
        case oldOnly = "old only"
        case newOnly = "new only"
    }

    /// A request class or a resource of a stage.
    public struct Item: Sendable, Hashable {
        /// `class` or `resource`.
        public var kind: String
        public var name: String
    }

    /// A value as a report holds it.
    public enum Figure: Sendable, Hashable {
        /// `{"mean": x, "halfWidth": h}`; `x` is NaN when the report has `null`.
        case estimate(Estimate)
        /// A number without an interval: a setting (`users`, `costPerHour`) or a result
        /// computed exactly (`capacity.maxUsers`).
        case exact(Double)
        /// A name, such as the bottleneck (`none` for `null`).
        case text(String)
        /// A verdict such as `slo.met`, with the words that explain it (the SLO violations).
        case flag(Bool, detail: String)

        /// The number, for an estimate or an exact figure.
        var number: Double? {
            switch self {
            case .estimate(let estimate): estimate.mean
            case .exact(let value): value
            case .text, .flag: nil
            }
        }
    }

    /// The verdict on one figure.
    public enum Verdict: String, Sendable, CaseIterable {
        /// `|new - old| > √(h_old² + h_new²)`.
        case significant
        /// `|new - old| ≤ √(h_old² + h_new²)`: what changed is within the noise.
        case withinInterval = "within interval"
        /// The values differ but a half-width is `null` (one replication): cannot be judged.
        case noInterval = "no interval"
        /// An exact figure (a setting, a name, a verdict) that differs.
        case changed
        /// The same value in both (both `null` included).
        case unchanged
        /// A value on one side and `null` (no value, e.g. no request completed) on the other.
        case notComparable = "not comparable"
        /// The figure is in the old report only.
        case removed
        /// The figure is in the new report only.
        case added
    }

    /// Whether a change is for the better or the worse, for figures where that is clear
    /// (lower latency is better, a higher hit ratio is better; the number of users is neither).
    public enum Direction: String, Sendable {
        case better, worse
    }

    /// One figure of a group (or of one of its classes and resources) in both reports.
    public struct Change: Sendable {
        /// The class or resource the figure belongs to; nil for the stage, station or system.
        public var item: Item?
        /// The key path inside the group or item, e.g. `["latency", "p99"]`.
        public var path: [String]
        public var old: Figure?
        public var new: Figure?
        public var verdict: Verdict
        /// For significant and exact changes of figures with a better side.
        public var direction: Direction?
        /// `new - old`, when both are finite numbers.
        public var difference: Double?
        /// `(new - old) / |old|`, when `old` is a finite number other than 0.
        public var relative: Double?
        /// `√(h_old² + h_new²)`, when both half-widths are given.
        public var threshold: Double?
        /// A significant worsening of a latency, error rate, blocking probability or
        /// utilization, or an SLO (or a network's stability) lost: what `--fail-on-regression`
        /// fails on.
        public var isRegression: Bool

        /// The key path joined with dots, `latency.p99`.
        public var metric: String { path.joined(separator: ".") }

        /// What is known about the figure (unit, better side).
        var info: FigureInfo { FigureInfo.of(path.last ?? "") ?? .unknown }
    }

    /// Compares two reports.
    ///
    /// - Throws: `ReportFileError` for the new file when the reports are of different kinds.
    /// - Complexity: O(n log n) in the number of figures.
    public init(old: ReportSnapshot, new: ReportSnapshot) throws(ReportFileError) {
        guard old.kind == new.kind else {
            throw ReportFileError(file: new.file, issues: [ScenarioIssue(
                path: "kind",
                message: "\"\(new.kind)\" here but \"\(old.kind)\" in \(old.file): compare two reports of the same kind")])
        }
        self.kind = old.kind
        self.old = old
        self.new = new
        self.groups = Self.pairs(old.groups, new.groups).map { pair in
            let presence: Presence = pair.old == nil ? .newOnly : pair.new == nil ? .oldOnly : .both
            let node = (pair.old ?? pair.new)!
            guard let oldNode = pair.old, let newNode = pair.new else {
                return Group(kind: node.kind, name: node.name, presence: presence, changes: [], removedItems: [], addedItems: [])
            }
            var changes = Self.changes(oldNode.figures, newNode.figures, item: nil)
            var removed: [Item] = [], added: [Item] = []
            for itemPair in Self.pairs(oldNode.items, newNode.items) {
                switch (itemPair.old, itemPair.new) {
                case let (o?, n?): changes += Self.changes(o.figures, n.figures, item: Item(kind: o.kind, name: o.name))
                case let (o?, nil): removed.append(Item(kind: o.kind, name: o.name))
                case let (nil, n?): added.append(Item(kind: n.kind, name: n.name))
                case (nil, nil): break
                }
            }
            return Group(kind: node.kind, name: node.name, presence: presence, changes: changes,
                         removedItems: removed, addedItems: added)
        }
        self.notes = Self.notes(old, new)
    }

    /// The changes that `--fail-on-regression` fails on.
    public var regressions: [(group: Group, change: Change)] {
        groups.flatMap { group in group.changes.filter(\.isRegression).map { (group, $0) } }
    }

    // MARK: Matching

    /// Nodes matched by kind and name: those of `old` in order, then those only in `new`.
    static func pairs(_ old: [ReportSnapshot.Node], _ new: [ReportSnapshot.Node])
        -> [(old: ReportSnapshot.Node?, new: ReportSnapshot.Node?)] {
        func key(_ node: ReportSnapshot.Node) -> String { node.kind + "\u{0}" + node.name }
        let newByKey = Dictionary(new.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        let oldKeys = Set(old.map(key))
        return old.map { ($0, newByKey[key($0)]) } + new.filter { !oldKeys.contains(key($0)) }.map { (nil, $0) }
    }

    /// The figures of one node in both reports, matched by key path (old order, then new-only ones).
    static func changes(_ old: [(path: [String], figure: Figure)], _ new: [(path: [String], figure: Figure)],
                        item: Item?) -> [Change] {
        let newByPath = Dictionary(new.map { ($0.path, $0.figure) }, uniquingKeysWith: { first, _ in first })
        let oldPaths = Set(old.map(\.path))
        return old.map { judge(item: item, path: $0.path, old: $0.figure, new: newByPath[$0.path]) }
            + new.filter { !oldPaths.contains($0.path) }.map { judge(item: item, path: $0.path, old: nil, new: $0.figure) }
    }

    // MARK: Judging

    /// The verdict on two estimates of the same figure: see "When a change is significant".
    ///
    /// - Returns: `unchanged` when the means are the same (to 1e-12 relative) or both NaN,
    ///   `notComparable` when one mean is NaN, `noInterval` when a half-width is nil,
    ///   otherwise `significant` or `withinInterval`.
    public static func verdict(old: Estimate, new: Estimate) -> Verdict {
        if old.mean.isNaN || new.mean.isNaN { return old.mean.isNaN && new.mean.isNaN ? .unchanged : .notComparable }
        if isSame(old.mean, new.mean) { return .unchanged }
        guard let hOld = old.halfWidth, let hNew = new.halfWidth else { return .noInterval }
        return abs(new.mean - old.mean) > (hOld * hOld + hNew * hNew).squareRoot() ? .significant : .withinInterval
    }

    /// Equal, or within 1e-12 of each other relative to the larger (a value read back from JSON
    /// is the value written, so this only absorbs arithmetic noise).
    static func isSame(_ a: Double, _ b: Double) -> Bool {
        a == b || abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    }

    static func judge(item: Item?, path: [String], old: Figure?, new: Figure?) -> Change {
        let info = FigureInfo.of(path.last ?? "") ?? .unknown
        var change = Change(item: item, path: path, old: old, new: new, verdict: .unchanged, direction: nil,
                            difference: nil, relative: nil, threshold: nil, isRegression: false)
        guard let old, let new else {
            change.verdict = old == nil ? .added : .removed
            return change
        }
        if let a = old.number, let b = new.number, a.isFinite, b.isFinite {
            change.difference = b - a
            if a != 0 { change.relative = (b - a) / abs(a) }
        }
        switch (old, new) {
        case let (.estimate(a), .estimate(b)):
            change.verdict = verdict(old: a, new: b)
            if let hOld = a.halfWidth, let hNew = b.halfWidth { change.threshold = (hOld * hOld + hNew * hNew).squareRoot() }
            if change.verdict == .significant { change.direction = info.direction(of: b.mean - a.mean) }
        case let (.exact(a), .exact(b)) where a.isNaN && b.isNaN,
             let (.exact(a), .exact(b)) where isSame(a, b):
            change.verdict = .unchanged
        case let (.exact(a), .exact(b)):
            change.verdict = a.isNaN || b.isNaN ? .notComparable : .changed
            if change.verdict == .changed { change.direction = info.direction(of: b - a) }
        case let (.flag(a, _), .flag(b, _)):
            change.verdict = a == b ? .unchanged : .changed
            if a != b { change.direction = info.direction(of: b ? 1 : -1) }
        default:
            // Texts, or a figure whose form changed (an exact number that became an estimate).
            change.verdict = old == new ? .unchanged : .changed
        }
        change.isRegression = info.guarded && change.direction == .worse
            && (change.verdict == .significant || change.verdict == .changed)
        return change
    }

    // MARK: Notes

    static func notes(_ old: ReportSnapshot, _ new: ReportSnapshot) -> [String] {
        var notes: [String] = []
        if old.scenario != new.scenario {
            notes.append("the reports are of different scenarios (\"\(old.scenario)\" and \"\(new.scenario)\"); stages and stations are matched by name")
        }
        if !isSame(old.confidence, new.confidence) {
            notes.append("the confidence levels differ (\(Format.number(old.confidence * 100))% and \(Format.number(new.confidence * 100))%): "
                         + "the half-widths are combined as they are, so the verdicts hold at neither level exactly")
        }
        for (label, a, b) in [("duration", old.duration, new.duration), ("warm-up", old.warmup, new.warmup)] {
            if let a, let b, !isSame(a, b) {
                notes.append("the run \(label) differs (\(Format.time(a)) and \(Format.time(b))): figures that depend on it (tail percentiles of a short run) may move for that reason alone")
            }
        }
        let single = [old, new].filter { $0.replications == 1 }.map(\.file)
        if !single.isEmpty {
            notes.append("\(single.joined(separator: " and ")) \(single.count == 1 ? "has" : "have") one replication, hence no confidence intervals: "
                         + "no change can be judged; run with --replications 5 or more")
        }
        if let a = old.version, let b = new.version, a != b {
            notes.append("the reports were written by different versions of scalesim (\(a) and \(b))")
        }
        return notes
    }
}
