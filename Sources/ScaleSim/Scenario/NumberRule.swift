/// The range a number of a scenario must lie in, with the words to say so.
///
/// `minimum` and `maximum` are part of the meaning (a probability lies in [0, 1]) and show in
/// wrong-type messages (`expected a number in [0, 1]`); `limit` is a sanity bound against
/// absurd input (a mean of 1e300 seconds) that is only mentioned when it is exceeded.
struct NumberRule: Sendable, Hashable {
    var minimum: Double?
    var minimumIsExclusive = false
    var maximum: Double?
    var maximumIsExclusive = false
    var limit: Double?

    /// Greater than 0.
    static let positive = NumberRule(minimum: 0, minimumIsExclusive: true)
    /// At least 0.
    static let nonNegative = NumberRule(minimum: 0)
    /// In [0, 1].
    static let probability = NumberRule(minimum: 0, maximum: 1)
    /// In (0, 1).
    static let openUnitInterval = NumberRule(minimum: 0, minimumIsExclusive: true,
                                             maximum: 1, maximumIsExclusive: true)

    /// At least `value`.
    static func atLeast(_ value: Double) -> NumberRule { NumberRule(minimum: value) }

    /// The same rule, with values above `limit` rejected too.
    func limited(to limit: Double) -> NumberRule {
        var rule = self
        rule.limit = limit
        return rule
    }

    /// The bounds in symbols for wrong-type messages: `> 0`, `>= 1`, `in [0, 1]`, `in (0, 1)`.
    var summary: String {
        switch (minimum, maximum) {
        case let (low?, high?):
            return "in \(minimumIsExclusive ? "(" : "[")\(Self.text(low)), \(Self.text(high))\(maximumIsExclusive ? ")" : "]")"
        case let (low?, nil): return "\(minimumIsExclusive ? ">" : ">=") \(Self.text(low))"
        case let (nil, high?): return "\(maximumIsExclusive ? "<" : "<=") \(Self.text(high))"
        case (nil, nil): return ""
        }
    }

    /// Why `value` breaks the rule (`must be positive`), or nil when it does not.
    func violation(_ value: Double) -> String? {
        guard value.isFinite else { return "must be a finite number" }
        let tooLow = minimum.map { minimumIsExclusive ? value <= $0 : value < $0 } ?? false
        let tooHigh = maximum.map { maximumIsExclusive ? value >= $0 : value > $0 } ?? false
        if tooLow || tooHigh {
            switch (minimum, maximum) {
            case let (low?, high?):
                if !minimumIsExclusive, !maximumIsExclusive {
                    return "must be between \(Self.text(low)) and \(Self.text(high))"
                }
                return "must be in \(summary.dropFirst(3))"
            case let (low?, nil):
                switch (low, minimumIsExclusive) {
                case (0, true): return "must be positive"
                case (0, false): return "must not be negative"
                case (_, true): return "must be greater than \(Self.text(low))"
                case (_, false): return "must be at least \(Self.text(low))"
                }
            case let (nil, high?):
                return maximumIsExclusive ? "must be less than \(Self.text(high))" : "must be at most \(Self.text(high))"
            case (nil, nil):
                break
            }
        }
        if let limit, value > limit { return "must be at most \(Self.text(limit))" }
        return nil
    }

    static func text(_ value: Double) -> String { JSONValue.numberText(value) }
}
