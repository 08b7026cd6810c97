extension Distribution {
    /// The names a scenario uses in `"dist"`, in the order messages list them.
    static let scenarioNames = ["exponential", "deterministic", "uniform", "erlang", "gamma",
                                "lognormal", "hyperexponential", "pareto"]

    /// The parameter keys of each distribution (besides `dist`).
    static func parameterKeys(of name: String) -> [String] {
        switch name {
        case "exponential": return ["mean"]
        case "deterministic": return ["value"]
        case "uniform": return ["min", "max"]
        case "erlang": return ["k", "mean"]
        case "gamma", "hyperexponential": return ["mean", "scv"]
        case "lognormal": return ["mean", "scv", "p50", "p99"]
        case "pareto": return ["alpha", "min", "max"]
        default: return []
        }
    }

    /// Largest time a distribution parameter may have, in seconds (about 31,700 years).
    static let maximumSeconds = 1e12
    /// Largest squared coefficient of variation (beyond it the generators lose all precision).
    static let maximumSCV = 1e6
    /// Largest number of Erlang phases.
    static let maximumErlangPhases = 10_000

    /// Reads a distribution written `{ "dist": "lognormal", "mean": 0.2, "scv": 2.0 }`.
    ///
    /// Times (`mean`, `value`, `min`, `max`, `p50`, `p99`) are seconds, as numbers or strings with
    /// a unit; `k`, `scv` and `alpha` are plain numbers. Valid ranges:
    /// - `exponential {mean}`: mean > 0;
    /// - `deterministic {value}`: value >= 0;
    /// - `uniform {min, max}`: 0 <= min < max;
    /// - `erlang {k, mean}`: k a whole number in 1...10000, mean > 0;
    /// - `gamma {mean, scv}`, `lognormal {mean, scv}`: mean > 0, scv > 0;
    /// - `lognormal {p50, p99}`: 0 < p50 < p99;
    /// - `hyperexponential {mean, scv}`: mean > 0, scv >= 1;
    /// - `pareto {alpha, min, max}`: alpha > 0, 0 < min < max.
    ///
    /// Times are at most 1e12 seconds and scv at most 1e6. A parameter of another distribution
    /// (`scv` on an exponential) is reported as not belonging to this one. When `dist` is
    /// missing or unknown, only that is reported (the other keys depend on it).
    ///
    /// - Returns: The distribution, or nil with every problem recorded.
    static func read(_ reader: JSONReader) -> Distribution? {
        guard case .object(let members) = reader.value else {
            reader.reportExpected(#"a distribution such as {"dist": "exponential", "mean": 0.1}"#)
            return nil
        }
        let allParameters = ["mean", "value", "min", "max", "k", "scv", "p50", "p99", "alpha"]
        // Looks at `dist` without recording anything: the keys allowed depend on it.
        let peek = JSONObjectReader(members: members, path: reader.path, log: IssueLog())
        let knownName = peek.optional("dist").flatMap { dist -> String? in
            guard case .string(let name) = dist.value, scenarioNames.contains(name) else { return nil }
            return name
        }
        guard let name = knownName else {
            // Without a known name the parameters cannot be checked: report the name only.
            _ = JSONObjectReader(members: members, path: reader.path, log: reader.log)
                .required("dist", note: "(one of \(Suggestion.quotedList(scenarioNames)))")?
                .choice(scenarioNames)
            return nil
        }
        let keys = parameterKeys(of: name)
        var misplaced: [String: String] = [:]
        for key in allParameters where !keys.contains(key) {
            misplaced[key] = "not a parameter of \(name) (it takes \(Suggestion.quotedList(keys)))"
        }
        guard let object = reader.object(allowedKeys: ["dist"] + keys, misplacedKeys: misplaced) else {
            return nil
        }
        return read(name, object)
    }

    private static func read(_ name: String, _ object: JSONObjectReader) -> Distribution? {
        let needs = "(\(name) needs \(Suggestion.quotedList(parameterKeys(of: name))))"
        let positiveTime = NumberRule.positive.limited(to: maximumSeconds)
        let nonNegativeTime = NumberRule.nonNegative.limited(to: maximumSeconds)
        func time(_ key: String, _ rule: NumberRule, note: String = needs) -> Double? {
            object.required(key, note: note)?.time(rule)
        }
        func scv(_ rule: NumberRule, note: String = needs) -> Double? {
            object.required("scv", note: note)?.number(rule.limited(to: maximumSCV))
        }

        switch name {
        case "exponential":
            guard let mean = time("mean", positiveTime) else { return nil }
            return .exponential(mean: mean)
        case "deterministic":
            guard let value = time("value", nonNegativeTime) else { return nil }
            return .deterministic(value: value)
        case "uniform":
            let low = time("min", nonNegativeTime)
            let high = time("max", positiveTime)
            guard let low, let high, ordered(low, high, object, lowKey: "min", highKey: "max") else { return nil }
            return .uniform(min: low, max: high)
        case "erlang":
            let k = object.required("k", note: needs)?.wholeNumber(minimum: 1, maximum: maximumErlangPhases)
            let mean = time("mean", positiveTime)
            guard let k, let mean else { return nil }
            return .erlang(k: k, mean: mean)
        case "gamma":
            let mean = time("mean", positiveTime)
            let scv = scv(.positive)
            guard let mean, let scv else { return nil }
            return .gamma(mean: mean, scv: scv)
        case "hyperexponential":
            let mean = time("mean", positiveTime)
            let scv = scv(.atLeast(1))
            guard let mean, let scv else { return nil }
            return .hyperexponential(mean: mean, scv: scv)
        case "lognormal":
            let byMoments = object.contains("mean") || object.contains("scv")
            let byQuantiles = object.contains("p50") || object.contains("p99")
            if byMoments, byQuantiles {
                object.reader.report(#"lognormal takes either "mean" and "scv", or "p50" and "p99", not both"#)
                return nil
            }
            if byQuantiles {
                let note = #"(lognormal by quantiles needs "p50" and "p99")"#
                let p50 = time("p50", positiveTime, note: note)
                let p99 = time("p99", positiveTime, note: note)
                guard let p50, let p99, ordered(p50, p99, object, lowKey: "p50", highKey: "p99") else { return nil }
                return .lognormalQuantiles(p50: p50, p99: p99)
            }
            let note = #"(lognormal needs "mean" and "scv", or "p50" and "p99")"#
            let mean = time("mean", positiveTime, note: note)
            let scv = scv(.positive, note: note)
            guard let mean, let scv else { return nil }
            return .lognormal(mean: mean, scv: scv)
        case "pareto":
            let alpha = object.required("alpha", note: needs)?.number(NumberRule.positive.limited(to: 1e6))
            let low = time("min", positiveTime)
            let high = time("max", positiveTime)
            guard let alpha, let low, let high, ordered(low, high, object, lowKey: "min", highKey: "max") else {
                return nil
            }
            return .pareto(alpha: alpha, min: low, max: high)
        default:
            return nil
        }
    }

    /// Whether `low < high`; otherwise records `must be greater than min (0.5), got 0.2` at `highKey`.
    private static func ordered(_ low: Double, _ high: Double, _ object: JSONObjectReader,
                                lowKey: String, highKey: String) -> Bool {
        guard low >= high else { return true }
        if let reader = object.optional(highKey) {
            reader.report("must be greater than \(lowKey) (\(JSONValue.numberText(low))), got \(JSONReader.describe(reader.value))")
        }
        return false
    }
}
