extension RunSettings {
    /// `run.duration` when the file gives none: 10,000 simulated seconds.
    public static let defaultDuration = 10_000.0
    /// `run.warmup` when the file gives none, as a fraction of the duration: 10%.
    public static let defaultWarmupFraction = 0.1
    /// `run.replications` when the file gives none: 5.
    public static let defaultReplications = 5
    /// `run.confidence` when the file gives none: 0.95.
    public static let defaultConfidence = 0.95
    /// Most replications a file may ask for.
    public static let maximumReplications = 100_000
    /// Longest run, in simulated seconds (about 31,700 years).
    static let maximumDuration = 1e12
    /// Time windows of a run when the file gives no `run.window`: the window is a sixtieth of
    /// the duration.
    public static let defaultWindows = 60
    /// Most time windows a run may have (`run.window` at least `duration / maximumWindows`):
    /// the time series' memory is windows × resources.
    public static let maximumWindows = 10_000

    /// The keys of the `run` object.
    static let keys = ["duration", "warmup", "replications", "confidence", "window"]

    /// Reads the `run` object: `{ "duration", "warmup", "replications", "confidence", "window" }`,
    /// every key optional.
    ///
    /// - `duration`: time > 0 (at most 1e12 s), default 10,000 s; warm-up included;
    /// - `warmup`: time >= 0 and < duration, default 10% of the duration;
    /// - `replications`: whole number in 1...100,000, default 5;
    /// - `confidence`: in (0, 1), default 0.95;
    /// - `window`: time > 0, at most the duration and at least `duration / 10,000`, default
    ///   a sixtieth of the duration: the width of the time series' windows.
    ///
    /// - Parameter reader: The `run` member, or nil when the file has none (all defaults).
    /// - Returns: The settings, or nil with every problem recorded.
    static func read(_ reader: JSONReader?) -> RunSettings? {
        guard let reader else {
            return RunSettings(duration: defaultDuration, warmup: defaultDuration * defaultWarmupFraction,
                               replications: defaultReplications, confidence: defaultConfidence)
        }
        guard let object = reader.object(allowedKeys: keys) else { return nil }
        let duration = object.optional("duration", default: defaultDuration) {
            $0.time(NumberRule.positive.limited(to: maximumDuration))
        }
        let warmup = object.optional("warmup", default: Double?.none) {
            // Double?? : nil when rejected, .some(nil) when absent.
            $0.time(NumberRule.nonNegative.limited(to: maximumDuration)).map(Optional.some)
        }
        let replications = object.optional("replications", default: defaultReplications) {
            $0.wholeNumber(minimum: 1, maximum: maximumReplications)
        }
        let confidence = object.optional("confidence", default: defaultConfidence) {
            $0.number(.openUnitInterval)
        }
        let window = object.optional("window", default: Double?.none) {
            $0.time(NumberRule.positive.limited(to: maximumDuration)).map(Optional.some)
        }
        if let duration, let given = warmup ?? nil, given >= duration, let warmupReader = object.optional("warmup") {
            warmupReader.report("must be less than the duration (\(JSONValue.numberText(duration)) s), got \(JSONReader.describe(warmupReader.value))")
            return nil
        }
        if let duration, let given = window ?? nil, let windowReader = object.optional("window") {
            let got = JSONReader.describe(windowReader.value)
            if given > duration {
                windowReader.report("must be at most the duration (\(JSONValue.numberText(duration)) s), got \(got)")
                return nil
            }
            if duration / given > Double(maximumWindows) {
                let least = JSONValue.numberText(duration / Double(maximumWindows))
                windowReader.report("must be at least the duration / \(maximumWindows) (\(least) s: at most \(maximumWindows) windows), got \(got)")
                return nil
            }
        }
        guard let duration, let warmup, let replications, let confidence, let window else { return nil }
        return RunSettings(duration: duration, warmup: warmup ?? duration * defaultWarmupFraction,
                           replications: replications, confidence: confidence, window: window)
    }
}
