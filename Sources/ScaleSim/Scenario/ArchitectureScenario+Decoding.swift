extension ArchitectureScenario {
    /// Most users a workload or a stage may have.
    static let maximumUsers = 1_000_000_000
    /// Slack allowed when shares must sum to 1.
    static let shareTolerance = 1e-6
    /// Longest time any key may give, seconds (about 31,700 years).
    static let maximumSeconds = Distribution.maximumSeconds
    /// Default `timeout` of a request class: 30 s, the usual default of HTTP clients.
    public static let defaultTimeout = 30.0

    /// Decodes and validates an architecture scenario.
    ///
    /// Top-level keys: `kind` (`"architecture"`), `$schema` (any string, ignored), `name`
    /// (default `"unnamed"`), `seed` (default 1), `run` (as in network scenarios), `notes`,
    /// `slo` (`{p99, errorRate}`, each optional), `workload` (required) and `stages` (required,
    /// non-empty). See `ArchitectureScenario.jsonSchema` and the README for every key.
    ///
    /// A stage with `"extends": "<earlier stage>"` is the earlier stage's JSON deep-merged with
    /// its own (objects merge key by key, arrays and scalars replace, `null` removes; a
    /// `profile` is replaced whole and its `null` means "constant"), then checked as a whole.
    /// A problem in a value the stage inherited is reported at the stage that wrote it.
    ///
    /// - Throws: `ScenarioError` listing every problem with its JSON path.
    public static func decode(_ value: JSONValue) throws(ScenarioError) -> ArchitectureScenario {
        let log = IssueLog()
        let scenario = ArchitectureDecoder(log: log).decode(JSONReader(value, log: log))
        if let error = log.error { throw error }
        guard let scenario else {
            throw ScenarioError(issues: [ScenarioIssue(path: "$", message: "the scenario could not be read")])
        }
        return scenario
    }
}

/// One pass over an architecture document that records every problem in an `IssueLog`.
struct ArchitectureDecoder {
    typealias Scenario = ArchitectureScenario
    static let topLevelKeys = ["$schema", "kind", "name", "seed", "run", "notes", "slo", "workload", "stages"]
    static let sloKeys = ["p99", "errorRate"]
    static let workloadKeys = ["users", "activeShare", "requestsPerActiveUserPerMinute", "thinkTime", "userKeys", "images",
                               "hotKeys", "regions", "classes", "profile", "realtime", "notes"]
    static let classKeys = ["name", "share", "kind", "apiCpu", "cacheKey", "dbReads", "queryCpu", "dbWrites", "shardFanOut",
                            "writeCpu", "requestBytes", "responseBytes", "timeout", "retries", "notes"]
    static let regionKeys = ["name", "share", "latencyToDataCentre", "latencyToEdge", "notes"]
    static let hotKeyKeys = ["name", "share", "from", "until", "queryCpu", "notes"]

    let log: IssueLog

    func decode(_ reader: JSONReader) -> ArchitectureScenario? {
        guard let root = reader.object(allowedKeys: Self.topLevelKeys, expected: "a scenario object") else {
            return nil
        }
        _ = root.optional("$schema")?.string(allowEmpty: true)
        _ = root.required("kind")?.choice(["architecture"])
        let name = root.optional("name", default: NetworkScenario.defaultName) { $0.string() }
        let seed = root.optional("seed", default: Int(NetworkScenario.defaultSeed)) {
            $0.wholeNumber(minimum: 0, maximum: Int(NetworkScenario.maximumSeed))
        }
        let run = RunSettings.read(root.optional("run"))
        let notes = root.notes()
        let slo = readSLO(root.optional("slo"), base: Scenario.SLO(p99: nil, errorRate: nil))
        let workload = root.required("workload").flatMap(readWorkload)
        let stages = root.required("stages").flatMap { reader in
            StageResolver(log: log, slo: slo ?? .init(p99: nil, errorRate: nil), workload: workload).stages(reader)
        }
        guard log.isEmpty, let name, let seed, let run, let slo, let workload, let stages else { return nil }
        return ArchitectureScenario(name: name, seed: UInt64(seed), run: run, notes: notes, slo: slo,
                                    workload: workload, stages: stages)
    }

    /// `{p99, errorRate}`; each key given replaces the one of `base` (`null` removes it).
    func readSLO(_ reader: JSONReader?, base: Scenario.SLO) -> Scenario.SLO? {
        guard let reader else { return base }
        guard let object = reader.object(allowedKeys: Self.sloKeys) else { return nil }
        var slo = base
        var valid = true
        // `null` drops a target the stage would otherwise inherit.
        for member in object.members where member.value == .null {
            if member.key == "p99" { slo.p99 = nil }
            if member.key == "errorRate" { slo.errorRate = nil }
        }
        if let p99 = object.optional("p99") {
            slo.p99 = p99.time(NumberRule.positive.limited(to: Scenario.maximumSeconds))
            valid = valid && slo.p99 != nil
        }
        if let errorRate = object.optional("errorRate") {
            slo.errorRate = errorRate.number(.probability)
            valid = valid && slo.errorRate != nil
        }
        return valid ? slo : nil
    }

    // MARK: Workload

    func readWorkload(_ reader: JSONReader) -> Scenario.Workload? {
        guard let object = reader.object(allowedKeys: Self.workloadKeys) else { return nil }
        let users = object.required("users")?.wholeNumber(minimum: 1, maximum: Scenario.maximumUsers)
        let activeShare = object.required("activeShare")?.number(
            NumberRule(minimum: 0, minimumIsExclusive: true, maximum: 1), expected: "a share")
        // Open (a Poisson rate per active user) or closed (sessions that think between
        // requests): exactly one of the two keys says which.
        var perMinute: Double?, thinkTime: Distribution?
        switch (object.optional("requestsPerActiveUserPerMinute"), object.optional("thinkTime")) {
        case let (rate?, nil):
            perMinute = rate.number(NumberRule.positive.limited(to: 1e9), expected: "a number of requests")
        case let (nil, think?):
            thinkTime = think.work()
            if let mean = thinkTime?.mean {
                if mean > 0 { perMinute = 60 / mean } else { think.report("must have a positive mean, got 0") }
            }
        case (_?, let think?):
            think.report(#"give either "requestsPerActiveUserPerMinute" (open arrivals) or "thinkTime" (closed sessions), not both"#)
        case (nil, nil):
            object.reader.report(#"missing "requestsPerActiveUserPerMinute" (open arrivals: requests an active user sends per minute) or "thinkTime" (closed sessions: the time a user thinks between requests)"#)
        }
        let userKeys = readUserKeys(object.optional("userKeys"))
        let images = readImages(object.optional("images"))
        let hotKeys = object.optional("hotKeys", default: []) { $0.array(of: "hot key")?.map(readHotKey) }
        let regions = object.optional("regions", default: [.some(Self.defaultRegion)]) {
            $0.array(nonEmpty: true, of: "region")?.map(readRegion)
        }
        let classes = object.required("classes")?.array(nonEmpty: true, of: "request class")?.map(readClass)
        let profile = object.optional("profile").map(readProfile)
        let realtime = object.optional("realtime").map { readRealtime($0, classes: classes) }

        if let hotKeys, let list = object.optional("hotKeys") {
            let shares = hotKeys.compactMap { $0?.share }
            let total = shares.reduce(0, +)
            if shares.count == hotKeys.count, total > 1 + Scenario.shareTolerance {
                list.report("the shares of the hot keys must sum to at most 1, got \(JSONValue.numberText(total))")
            }
            checkUniqueNames(hotKeys.map { $0?.name }, list, what: "hot key")
            checkOneFlashCrowd(list)
        }
        if let regions, let list = object.optional("regions") {
            checkSharesSumToOne(regions.map { $0?.share }, list, what: "regions")
            checkUniqueNames(regions.map { $0?.name }, list, what: "region")
        }
        if let classes, let list = object.optional("classes") {
            checkSharesSumToOne(classes.map { $0?.share }, list, what: "request classes")
            checkUniqueNames(classes.map { $0?.name }, list, what: "request class")
            let hotKeyCount = hotKeys?.count ?? 0
            for (index, requestClass) in classes.enumerated() where requestClass?.cacheKey == .hot && hotKeyCount == 0 {
                log.add(list.path.appending(index).appending("cacheKey"),
                        #""hot" reads one of workload.hotKeys, but there are none"#)
            }
        }
        guard let users, let activeShare, let perMinute, let userKeys, let images, let hotKeys,
              let regions, let classes else { return nil }
        if let profile, profile == nil { return nil }
        if let realtime, realtime == nil { return nil }
        let validHotKeys = hotKeys.compactMap { $0 }
        let validRegions = regions.compactMap { $0 }, validClasses = classes.compactMap { $0 }
        guard validHotKeys.count == hotKeys.count, validRegions.count == regions.count,
              validClasses.count == classes.count else { return nil }
        return Scenario.Workload(users: users, activeShare: activeShare, requestsPerActiveUserPerMinute: perMinute,
                                 thinkTime: thinkTime, userKeys: userKeys, images: images, hotKeys: validHotKeys,
                                 regions: validRegions, classes: validClasses, profile: profile ?? nil,
                                 notes: object.notes(), realtime: realtime ?? nil)
    }

    /// The region of a workload that lists none: everyone at the data centre's door.
    static let defaultRegion = Scenario.Region(name: "everywhere", share: 1, latencyToDataCentre: 0,
                                               latencyToEdge: 0, notes: nil)
    /// Default Zipf exponent of user keys and images: 1, the classic Zipf law.
    static let defaultZipf = 1.0
    /// Default images per user.
    static let defaultImagesPerUser = 10

    func readUserKeys(_ reader: JSONReader?) -> Scenario.UserKeys? {
        guard let reader else { return Scenario.UserKeys(zipf: Self.defaultZipf) }
        guard let object = reader.object(allowedKeys: ["zipf", "notes"]) else { return nil }
        return object.optional("zipf", default: Self.defaultZipf) { $0.number(NumberRule.nonNegative.limited(to: 100)) }
            .map { Scenario.UserKeys(zipf: $0) }
    }

    func readImages(_ reader: JSONReader?) -> Scenario.Images? {
        guard let reader else { return Scenario.Images(perUser: Self.defaultImagesPerUser, zipf: Self.defaultZipf, notes: nil) }
        guard let object = reader.object(allowedKeys: ["perUser", "zipf", "notes"]) else { return nil }
        let perUser = object.count("perUser", default: Self.defaultImagesPerUser, minimum: 1, maximum: 1_000_000)
        let zipf = object.optional("zipf", default: Self.defaultZipf) { $0.number(NumberRule.nonNegative.limited(to: 100)) }
        guard let perUser, let zipf else { return nil }
        return Scenario.Images(perUser: perUser, zipf: zipf, notes: object.notes())
    }

    func readHotKey(_ reader: JSONReader) -> Scenario.HotKey? {
        guard let object = reader.object(allowedKeys: Self.hotKeyKeys, expected: "a hot key object") else { return nil }
        let name = object.required("name")?.string()
        let share = object.required("share")?.number(.probability, expected: "a share")
        let flash = readFlashCrowd(object)
        let queryCpu = object.optional("queryCpu").map { $0.work() }
        guard let name, let share, let (from, until) = flash else { return nil }
        if let queryCpu, queryCpu == nil { return nil }
        return Scenario.HotKey(name: name, share: share, from: from, until: until, notes: object.notes(),
                               queryCpu: queryCpu ?? nil)
    }

    func readRegion(_ reader: JSONReader) -> Scenario.Region? {
        guard let object = reader.object(allowedKeys: Self.regionKeys, expected: "a region object") else { return nil }
        let latency = NumberRule.nonNegative.limited(to: Scenario.maximumSeconds)
        let name = object.required("name")?.string()
        let share = object.required("share")?.number(.probability, expected: "a share")
        let toDataCentre = object.required("latencyToDataCentre")?.time(latency)
        let toEdge = object.optional("latencyToEdge").map { $0.time(latency) }
        guard let name, let share, let toDataCentre else { return nil }
        if let toEdge, toEdge == nil { return nil }
        return Scenario.Region(name: name, share: share, latencyToDataCentre: toDataCentre,
                               latencyToEdge: (toEdge ?? nil) ?? toDataCentre, notes: object.notes())
    }

    // MARK: Request classes

    /// Reads one request class; see `RequestClass` for the meaning of each key.
    ///
    /// `name`, `share`, `kind` and `apiCpu` are required. `cacheKey` defaults to `"none"`,
    /// `dbReads` and `dbWrites` to 0 (`queryCpu` / `writeCpu` are required when they are
    /// positive), `requestBytes` and `responseBytes` to 0, `timeout` to 30 s, `retries` to
    /// none (see `readRetries`). An image or a static asset needs `responseBytes > 0`, an
    /// upload `requestBytes > 0`; a class that reads a cache key needs `dbReads > 0` (the
    /// reads the cache saves).
    func readClass(_ reader: JSONReader) -> Scenario.RequestClass? {
        guard let object = reader.object(allowedKeys: Self.classKeys, expected: "a request class object") else {
            return nil
        }
        typealias RequestClass = Scenario.RequestClass
        let name = object.required("name")?.string()
        let share = object.required("share")?.number(.probability, expected: "a share")
        let kind = object.required("kind", note: "(one of \(Suggestion.quotedList(RequestClass.Kind.allCases.map(\.rawValue))))")?
            .choice(RequestClass.Kind.allCases.map(\.rawValue)).flatMap(RequestClass.Kind.init(rawValue:))
        let apiCpu = object.required("apiCpu")?.work()
        let cacheKey = object.optional("cacheKey", default: "none") { $0.choice(RequestClass.CacheKey.allCases.map(\.rawValue)) }
            .flatMap(RequestClass.CacheKey.init(rawValue:))
        let dbReads = object.count("dbReads", default: 0, minimum: 0, maximum: 10_000)
        let dbWrites = object.count("dbWrites", default: 0, minimum: 0, maximum: 10_000)
        let queryCpu = readWork(object, "queryCpu", neededBy: "dbReads", count: dbReads)
        let writeCpu = readWork(object, "writeCpu", neededBy: "dbWrites", count: dbWrites)
        let size = NumberRule.nonNegative.limited(to: 1e15)
        let requestBytes = object.optional("requestBytes", default: 0) { $0.bytes(size) }
        let responseBytes = object.optional("responseBytes", default: 0) { $0.bytes(size) }
        let timeout = object.optional("timeout", default: ArchitectureScenario.defaultTimeout) {
            $0.time(NumberRule.positive.limited(to: Scenario.maximumSeconds))
        }
        let retries = object.optional("retries").map(readRetries)
        let fanOut = object.optional("shardFanOut", default: RequestClass.ShardFanOut.shards(1)) { reader in
            if case .string("all") = reader.value { return .all }
            if case .string = reader.value { reader.reportExpected(#"a whole number >= 1 or "all""#); return nil }
            return reader.wholeNumber(minimum: 1, maximum: StageDecoder.maximumShards).map(RequestClass.ShardFanOut.shards)
        }

        func needsBytes(_ key: String, _ bytes: Double?, _ what: String) {
            guard bytes == 0 else { return }
            let given = object.optional(key)
            log.add(object.path.appending(key), given == nil
                    ? "missing required key (\(what))"
                    : "must be positive (\(what)), got \(JSONReader.describe(given!.value))")
        }
        switch kind {
        case .image: needsBytes("responseBytes", responseBytes, "an image class moves the image's bytes")
        case .staticAsset: needsBytes("responseBytes", responseBytes, "a static asset class moves the web client's files")
        case .upload: needsBytes("requestBytes", requestBytes, "an upload class moves the uploaded bytes")
        case .api, nil: break
        }
        if let cacheKey, cacheKey != .none, dbReads == 0, let reader = object.optional("cacheKey") {
            reader.report("a class that reads the cache needs \"dbReads\" > 0 (the SELECTs a hit saves)")
        }

        guard let name, let share, let kind, let apiCpu, let cacheKey, let dbReads, let dbWrites,
              let queryCpu, let writeCpu, let requestBytes, let responseBytes, let timeout, let fanOut else { return nil }
        if let retries, retries == nil { return nil }
        return RequestClass(name: name, share: share, kind: kind, apiCpu: apiCpu, cacheKey: cacheKey,
                            dbReads: dbReads, queryCpu: queryCpu, dbWrites: dbWrites, writeCpu: writeCpu,
                            requestBytes: requestBytes, responseBytes: responseBytes, timeout: timeout,
                            retries: retries ?? nil, notes: object.notes(), shardFanOut: fanOut)
    }

    /// `queryCpu` / `writeCpu`: required when `count > 0`, otherwise optional and kept as
    /// written (nil when absent). Returns nil when rejected, `.some(nil)` when absent and unneeded.
    private func readWork(_ object: JSONObjectReader, _ key: String, neededBy countKey: String,
                          count: Int?) -> Distribution?? {
        if let reader = object.optional(key) {
            guard let work = reader.work() else { return nil }
            return .some(work)
        }
        if let count, count > 0 {
            log.add(object.path.appending(key), "missing required key (\"\(countKey)\" is \(count): the CPU time of each)")
            return nil
        }
        return .some(nil)
    }

    // MARK: Checks across a list

    /// Reports at the list when the shares (all valid) do not sum to 1 within `shareTolerance`.
    func checkSharesSumToOne(_ shares: [Double?], _ list: JSONReader, what: String) {
        let valid = shares.compactMap { $0 }
        guard valid.count == shares.count, !valid.isEmpty else { return }
        let total = valid.reduce(0, +)
        if abs(total - 1) > Scenario.shareTolerance {
            list.report("the shares of the \(what) must sum to 1, got \(JSONValue.numberText(total))")
        }
    }

    /// Reports every name that an earlier element of the list already has.
    func checkUniqueNames(_ names: [String?], _ list: JSONReader, what: String) {
        var first: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            guard let name else { continue }
            if let earlier = first[name] {
                log.add(list.path.appending(index).appending("name"),
                        "duplicate \(what) name \(JSONReader.describe(.string(name))) (also \(list.path.appending(earlier)))")
            } else {
                first[name] = index
            }
        }
    }
}
