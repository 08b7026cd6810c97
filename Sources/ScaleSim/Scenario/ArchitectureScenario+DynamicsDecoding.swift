/// Reads what changes during a run: `workload.profile` (and a stage's), a hot key's flash
/// crowd, a class's `retries`, health checks, `api.autoscaling` and a stage's `faults`.
extension ArchitectureDecoder {
    static let profileKeys = ["points", "spike", "daily", "notes"]
    static let profileShapes = ["points", "spike", "daily"]
    static let retryKeys = ["attempts", "backoff", "multiplier", "cap", "jitter", "budget", "budgetBurst", "notes"]
    /// Largest factor a profile may give (a sanity bound).
    static let maximumFactor = 1e6
    /// `retries` defaults, as `Model.RetryPolicy`'s: each wait twice the one before, up to
    /// 30 s, with full jitter; a budget saves up to 10 retries.
    static let defaultRetryMultiplier = 2.0
    static let defaultRetryCap = 30.0
    static let defaultRetryBudgetBurst = 10.0
    /// `daily.period` default: a day.
    static let defaultPeriod = 86_400.0

    private var time: NumberRule { NumberRule.nonNegative.limited(to: Scenario.maximumSeconds) }

    // MARK: Profile

    /// `{"points": [...]}`, `{"spike": {...}}` or `{"daily": {...}}`, and optional `notes`.
    func readProfile(_ reader: JSONReader) -> Scenario.Profile? {
        guard let object = reader.object(allowedKeys: Self.profileKeys, expected: "a profile object") else { return nil }
        let given = Self.profileShapes.filter { object.contains($0) }
        guard given.count == 1 else {
            if given.count > 1 {
                object.optional(given[1])!.report("give only one of \(Suggestion.quotedList(Self.profileShapes)); this profile also has \"\(given[0])\"")
            } else if object.members.allSatisfy({ Self.profileKeys.contains($0.key) }) {
                reader.report(#"give one of "points" (a curve through [{"at", "factor"}]), "spike" ({"at", "factor", "length", "ramp"}) or "daily" ({"peak", "trough", "peakAt", "period"})"#)
            }
            return nil
        }
        let shape: Scenario.Profile.Shape?
        switch given[0] {
        case "points": shape = object.optional("points").flatMap(readPoints)
        case "spike": shape = object.optional("spike").flatMap(readSpike)
        default: shape = object.optional("daily").flatMap(readDaily)
        }
        guard let shape else { return nil }
        return Scenario.Profile(shape: shape, notes: object.notes())
    }

    private func readPoints(_ reader: JSONReader) -> Scenario.Profile.Shape? {
        guard let elements = reader.array(nonEmpty: true, of: "point") else { return nil }
        var points: [Scenario.Profile.Point?] = []
        for element in elements {
            guard let object = element.object(allowedKeys: ["at", "factor"], expected: #"a point {"at": <time>, "factor": <number>}"#) else {
                points.append(nil)
                continue
            }
            let at = object.required("at")?.time(time)
            let factor = object.required("factor")?.number(NumberRule.nonNegative.limited(to: Self.maximumFactor), expected: "a factor")
            points.append(at.flatMap { at in factor.map { Scenario.Profile.Point(at: at, factor: $0) } })
        }
        for index in points.indices.dropFirst() {
            guard let point = points[index], let before = points[index - 1], point.at < before.at,
                  let at = JSONObjectReader.member(elements[index], "at"),
                  let earlier = JSONObjectReader.member(elements[index - 1], "at") else { continue }
            at.report("must not be earlier than the point before (\(JSONReader.describe(earlier.value))): times go forward; two points at one time make a step")
        }
        let valid = points.compactMap { $0 }
        guard valid.count == points.count else { return nil }
        guard valid.contains(where: { $0.factor > 0 }) else {
            reader.report("at least one factor must be positive (a profile of zeros sends nothing)")
            return nil
        }
        return .points(valid)
    }

    private func readSpike(_ reader: JSONReader) -> Scenario.Profile.Shape? {
        guard let object = reader.object(allowedKeys: ["at", "factor", "length", "ramp"]) else { return nil }
        let at = object.required("at", note: "(when the spike starts)")?.time(time)
        let factor = object.required("factor", note: "(the load at the top, as a multiple of the usual)")?
            .number(NumberRule.positive.limited(to: Self.maximumFactor), expected: "a factor")
        let length = object.required("length", note: "(how long the top lasts)")?.time(time)
        let ramp = object.optional("ramp", default: 0) { $0.time(time) }
        guard let at, let factor, let length, let ramp else { return nil }
        if length == 0, ramp == 0, let reader = object.optional("length") {
            reader.report("a spike needs a length or a ramp, got neither")
            return nil
        }
        return .spike(at: at, factor: factor, length: length, ramp: ramp)
    }

    private func readDaily(_ reader: JSONReader) -> Scenario.Profile.Shape? {
        guard let object = reader.object(allowedKeys: ["peak", "trough", "peakAt", "period"]) else { return nil }
        let factor = NumberRule.nonNegative.limited(to: Self.maximumFactor)
        let peak = object.required("peak")?.number(NumberRule.positive.limited(to: Self.maximumFactor), expected: "a factor")
        let trough = object.required("trough")?.number(factor, expected: "a factor")
        let peakAt = object.required("peakAt", note: "(the time of the peak)")?.time(time)
        let period = object.optional("period", default: Self.defaultPeriod) {
            $0.time(NumberRule.positive.limited(to: Scenario.maximumSeconds))
        }
        guard let peak, let trough, let peakAt, let period else { return nil }
        if trough > peak, let reader = object.optional("trough") {
            reader.report("must be at most the peak (\(JSONValue.numberText(peak))), got \(JSONReader.describe(reader.value))")
            return nil
        }
        return .daily(peak: peak, trough: trough, peakAt: peakAt, period: period)
    }

    // MARK: Flash crowd

    /// A hot key's `from` and `until`: nil when rejected (with the problem recorded).
    func readFlashCrowd(_ object: JSONObjectReader) -> (from: Double?, until: Double?)? {
        let from = object.optional("from").map { $0.time(time) }
        let until = object.optional("until").map { $0.time(NumberRule.positive.limited(to: Scenario.maximumSeconds)) }
        if let from, from == nil { return nil }
        if let until, until == nil { return nil }
        if until != nil, from == nil {
            object.optional("until")!.report(#"needs "from" (when the flash crowd starts)"#)
            return nil
        }
        if case let (start??, end??) = (from, until), end <= start {
            object.optional("until")!.report("must be later than \"from\" (\(JSONReader.describe(object.optional("from")!.value))), got \(JSONReader.describe(object.optional("until")!.value))")
            return nil
        }
        return (from ?? nil, until ?? nil)
    }

    /// Reports every hot key with a `from` after the first: the cache follows one flash crowd.
    func checkOneFlashCrowd(_ list: JSONReader) {
        guard case .array(let elements) = list.value else { return }
        var first: Int?
        for (index, element) in elements.enumerated() {
            guard let from = element["from"], from != .null else { continue }
            guard let first else { first = index; continue }
            log.add(list.path.appending(index).appending("from"),
                    "only one hot key may have a flash crowd (\"from\"); \(list.path.appending(first)) already has one")
        }
    }

    // MARK: Retries

    /// `{attempts, backoff, multiplier, cap, jitter, budget, budgetBurst, notes}`; `attempts`
    /// and `backoff` are required.
    func readRetries(_ reader: JSONReader) -> Scenario.Retries? {
        guard let object = reader.object(allowedKeys: Self.retryKeys) else { return nil }
        let attempts = object.required("attempts", note: "(most retries after the first attempt)")?.wholeNumber(minimum: 0, maximum: 100)
        let backoff = object.required("backoff", note: "(the wait before the first retry)")?.time(time)
        let multiplier = object.optional("multiplier", default: Self.defaultRetryMultiplier) {
            $0.number(NumberRule.atLeast(1).limited(to: 1000))
        }
        let cap = object.optional("cap", default: Self.defaultRetryCap) { $0.time(time) }
        let jitter = object.optional("jitter", default: true) { $0.bool() }
        let budget = object.optional("budget").map {
            $0.number(NumberRule(minimum: 0, minimumIsExclusive: true, maximum: 1), expected: "a share of a retry per request")
        }
        let burst = object.optional("budgetBurst", default: Self.defaultRetryBudgetBurst) {
            $0.number(NumberRule.atLeast(1).limited(to: 1e9), expected: "a number of retries")
        }
        if budget == nil, let reader = object.optional("budgetBurst") {
            reader.report(#"needs "budget" (the retries each request earns); without one, retries are not limited"#)
        }
        if let backoff, let cap, cap < backoff {
            if let reader = object.optional("cap") {
                reader.report("must be at least the backoff (\(JSONReader.describe(object.optional("backoff")!.value))), got \(JSONReader.describe(reader.value))")
            } else {
                object.optional("backoff")?.report("must be at most the cap (30 s unless \"cap\" is given), got \(JSONReader.describe(object.optional("backoff")!.value))")
            }
            return nil
        }
        guard let attempts, let backoff, let multiplier, let cap, let jitter, let burst else { return nil }
        if let budget, budget == nil { return nil }
        if budget == nil, object.contains("budgetBurst") { return nil }
        return Scenario.Retries(attempts: attempts, backoff: backoff, multiplier: multiplier, cap: cap, jitter: jitter,
                                budget: budget ?? nil, budgetBurst: burst, notes: object.notes())
    }
}

extension StageDecoder {
    static let healthCheckKeys = ["interval", "unhealthyThreshold", "healthyThreshold", "notes"]
    static let autoscalingKeys = ["metric", "target", "min", "max", "interval", "cooldown", "provisioningDelay", "notes"]
    static let faultKeys = ["component", "instance", "region", "at", "duration", "notes"]
    /// Health check defaults: a probe every 10 s, out of rotation after 2 failures in a row,
    /// back after 3 passes (AWS's Application Load Balancer uses 30 s, 2 and 5; a Kubernetes
    /// readiness probe 10 s, 3 and 1).
    static let defaultHealthCheck = Stage.HealthCheck(interval: 10, unhealthyThreshold: 2, healthyThreshold: 3, notes: nil)
    /// Autoscaling defaults: a decision a minute (one-minute metrics, as target tracking on
    /// AWS reads them), scale-ins 5 minutes apart (the Kubernetes HPA's scale-down
    /// stabilization window), 2 minutes for a new instance to boot and warm up (an
    /// assumption), and at least 1 instance (the HPA's default `minReplicas`).
    static let defaultScalingInterval = 60.0
    static let defaultCooldown = 300.0
    static let defaultProvisioningDelay = 120.0
    static let defaultMinimumInstances = 1

    private var duration: NumberRule { NumberRule.nonNegative.limited(to: ArchitectureScenario.maximumSeconds) }
    private var positiveDuration: NumberRule { NumberRule.positive.limited(to: ArchitectureScenario.maximumSeconds) }

    /// `{interval, unhealthyThreshold, healthyThreshold, notes}`, each optional.
    func readHealthCheck(_ reader: JSONReader) -> Stage.HealthCheck? {
        guard let object = reader.object(allowedKeys: Self.healthCheckKeys) else { return nil }
        let defaults = Self.defaultHealthCheck
        let interval = object.optional("interval", default: defaults.interval) { $0.time(positiveDuration) }
        let unhealthy = object.count("unhealthyThreshold", default: defaults.unhealthyThreshold, minimum: 1, maximum: 1000)
        let healthy = object.count("healthyThreshold", default: defaults.healthyThreshold, minimum: 1, maximum: 1000)
        guard let interval, let unhealthy, let healthy else { return nil }
        return Stage.HealthCheck(interval: interval, unhealthyThreshold: unhealthy, healthyThreshold: healthy,
                                 notes: object.notes())
    }

    /// `api.autoscaling`; `instances` (the API's count at the start, nil when rejected) must
    /// lie within `min...max`, reported at `instancesReader` when the file gives it.
    /// `component` names the service in messages (`api` or `websockets`); the websockets'
    /// autoscaling also takes the metric `connections`, its default.
    func readAutoscaling(_ reader: JSONReader, instances: Int?, instancesReader: JSONReader?,
                         component: String = "api") -> Stage.Autoscaling? {
        guard let object = reader.object(allowedKeys: Self.autoscalingKeys) else { return nil }
        typealias Metric = Stage.Autoscaling.Metric
        let metrics = component == "api" ? Metric.allCases.filter { $0 != .connections } : Metric.allCases
        let metric = object.optional("metric", default: (component == "api" ? Metric.cpu : .connections).rawValue) { $0.choice(metrics.map(\.rawValue)) }
            .flatMap(Metric.init(rawValue:))
        // The target's range depends on the metric: not checked against a metric that is wrong.
        let target = metric == nil ? nil : object.required("target", note: component == "api"
            ? "(the value of the metric to keep: a CPU utilization in (0, 1], or requests per second per instance)"
            : "(the value of the metric to keep: connections per instance, a CPU utilization in (0, 1], or requests per second per instance)")
            .flatMap { reader in
                switch metric {
                case .requestsPerInstance:
                    reader.number(NumberRule.positive.limited(to: 1e9), expected: "requests per second per instance")
                case .connections:
                    reader.number(NumberRule.positive.limited(to: 1e12), expected: "connections per instance")
                default:
                    reader.number(NumberRule(minimum: 0, minimumIsExclusive: true, maximum: 1), expected: "a CPU utilization")
                }
            }
        let minimum = object.count("min", default: Self.defaultMinimumInstances, minimum: 1, maximum: Self.maximumCount)
        let maximum = object.required("max", note: "(the most instances)")?.wholeNumber(minimum: 1, maximum: Self.maximumCount)
        let interval = object.optional("interval", default: Self.defaultScalingInterval) { $0.time(positiveDuration) }
        let cooldown = object.optional("cooldown", default: Self.defaultCooldown) { $0.time(duration) }
        let delay = object.optional("provisioningDelay", default: Self.defaultProvisioningDelay) { $0.time(duration) }
        guard let metric, let target, let minimum, let maximum, let interval, let cooldown, let delay else { return nil }
        if maximum < minimum {
            object.optional("max")!.report("must be at least min (\(minimum)), got \(maximum)")
            return nil
        }
        if let instances, !(minimum...maximum).contains(instances) {
            let bound = instances < minimum ? "min" : "max"
            if let instancesReader {
                instancesReader.report("the instances at the start must lie within autoscaling's min...max (\(minimum)...\(maximum)), got \(instances)")
            } else {
                (object.optional(bound) ?? object.reader).report(instances < minimum
                    ? "must be at most \(component).instances (\(instances), the default): the instances at the start lie within min...max"
                    : "must be at least \(component).instances (\(instances))")
            }
            return nil
        }
        return Stage.Autoscaling(metric: metric, target: target, minimum: minimum, maximum: maximum, interval: interval,
                                 cooldown: cooldown, provisioningDelay: delay, notes: object.notes())
    }

    // MARK: Faults

    /// The components a fault may name, as far as the stage's other values are valid.
    struct FaultTargets {
        /// How many of a component there are: `.absent` when the stage lacks it, `.unknown`
        /// when it was rejected (not checked: that problem is reported already).
        enum Extent { case absent, count(Int), unknown }
        var api: Extent
        /// Whether the API counts its autoscaling maximum (for messages).
        var apiScales: Bool
        var onHost: Bool
        var replicas: Extent
        var cacheNodes: Extent
        var webHosts: Extent
        /// The CDN (its count is 1).
        var cdn: Extent
        /// The workload's regions (nil: the workload is invalid).
        var regions: [String]?
        /// The websocket service's instances (its autoscaling maximum).
        var websockets: Extent = .absent
    }

    static let faultComponents = ["api", "replica", "database", "cache", "cdn", "web", "websocket"]

    /// Reads `faults`: each on a component `targets` has, no two overlapping on one component.
    func readFaults(_ reader: JSONReader, targets: FaultTargets) -> [Stage.Fault]? {
        guard let elements = reader.array(of: "fault") else { return nil }
        let faults = elements.map { readFault($0, targets: targets) }
        // Two faults on one component at once would leave its state to their order.
        var seen: [(component: String, fault: Stage.Fault, index: Int)] = []
        for (index, fault) in faults.enumerated() {
            guard let fault else { continue }
            let component = Self.componentName(fault.target, onHost: targets.onHost)
            if let other = seen.first(where: { $0.component == component && $0.fault.at < fault.end && fault.at < $0.fault.end }) {
                log.add(elements[index].path.appending("at"),
                        "overlaps \(reader.path.appending(other.index)) on the same component (\(component), down from \(Self.seconds(other.fault.at)) to \(Self.seconds(other.fault.end)))")
                continue
            }
            seen.append((component, fault, index))
        }
        let valid = faults.compactMap { $0 }
        return valid.count == faults.count && seen.count == faults.count ? valid : nil
    }

    /// `12 s`, for messages.
    static func seconds(_ value: Double) -> String { "\(JSONValue.numberText(value)) s" }

    /// The name of the Model component a fault's target is (`api[0]`, `host`, `cdn.europe`).
    static func componentName(_ target: Stage.Fault.Target, onHost: Bool) -> String {
        switch target {
        case .api(let i): return onHost ? "host" : "api[\(i)]"
        case .database: return onHost ? "host" : "database"
        case .replica(let i): return "replica[\(i)]"
        case .cache(let node): return "cache[\(node)]"
        case .cdn(let region): return "cdn.\(region)"
        case .web(let i): return "web[\(i)]"
        case .websocket(let i): return "websocket[\(i)]"
        }
    }

    private func readFault(_ reader: JSONReader, targets: FaultTargets) -> Stage.Fault? {
        // Which keys fit depends on the component: read it first (checked again below).
        var component: String?
        if case .string(let name)? = JSONObjectReader.member(reader, "component")?.value, Self.faultComponents.contains(name) {
            component = name
        }
        var misplaced: [String: String] = [:]
        switch component {
        case "database":
            misplaced["instance"] = "the database primary is one component: remove \"instance\" (a replica is \"component\": \"replica\")"
            misplaced["region"] = #"only a "cdn" fault names a region"#
        case "cdn":
            misplaced["instance"] = #"a CDN edge is named by its "region", not an instance"#
        case .some:
            misplaced["region"] = #"only a "cdn" fault names a region"#
        case nil:
            break
        }
        guard let object = reader.object(allowedKeys: Self.faultKeys.filter { misplaced[$0] == nil },
                                         misplacedKeys: misplaced, expected: "a fault object") else { return nil }
        _ = object.required("component", note: "(one of \(Suggestion.quotedList(Self.faultComponents)))")?
            .choice(Self.faultComponents)
        let numbered = component != "database" && component != "cdn"
        let instance = numbered ? object.count("instance", default: 0, minimum: 0, maximum: Self.maximumCount) : 0
        let at = object.required("at", note: "(when the component goes down)")?.time(duration)
        let length = object.required("duration", note: "(how long it stays down)")?.time(positiveDuration)
        guard let component, let at, let length, let instance else { return nil }

        let componentReader = object.optional("component")!
        /// How many of the component the stage has; nil (reported) when it has none.
        func count(_ extent: FaultTargets.Extent, key: String) -> Int? {
            switch extent {
            case .absent:
                componentReader.report("the stage has no \"\(key)\"")
                return nil
            case .unknown:
                return nil
            case .count(let count):
                return count
            }
        }
        /// Whether `instance` is below `count` (reported when not).
        func exists(_ count: Int?, _ what: String) -> Bool {
            guard let count else { return false }
            guard instance < count else {
                (object.optional("instance") ?? componentReader).report("must be less than \(count), the stage's \(what), got \(instance)")
                return false
            }
            return true
        }
        let target: Stage.Fault.Target
        switch component {
        case "api":
            let what = targets.apiScales ? "most API instances (autoscaling max)" : "API instances"
            guard exists(count(targets.api, key: "api"), what) else { return nil }
            target = .api(instance: instance)
        case "replica":
            guard exists(count(targets.replicas, key: "replicas"), "replicas") else { return nil }
            target = .replica(instance: instance)
        case "database":
            target = .database
        case "cache":
            guard exists(count(targets.cacheNodes, key: "cache"), "cache nodes") else { return nil }
            target = .cache(node: instance)
        case "web":
            guard exists(count(targets.webHosts, key: "webHosts"), "web hosts") else { return nil }
            target = .web(instance: instance)
        case "websocket":
            guard exists(count(targets.websockets, key: "websockets"), "websocket instances") else { return nil }
            target = .websocket(instance: instance)
        default:
            guard count(targets.cdn, key: "cdn") != nil, let regions = targets.regions,
                  let region = readRegion(object, regions: regions) else { return nil }
            target = .cdn(region: region)
        }
        return Stage.Fault(target: target, at: at, duration: length, notes: object.notes())
    }

    /// A CDN fault's `region`: one of the workload's; the only one when there is one.
    private func readRegion(_ object: JSONObjectReader, regions: [String]) -> String? {
        guard let reader = object.optional("region") else {
            if regions.count == 1 { return regions[0] }
            log.add(object.path.appending("region"),
                    "missing required key (the region whose edge fails: one of \(Suggestion.quotedList(regions)))")
            return nil
        }
        guard let name = reader.string() else { return nil }
        guard regions.contains(name) else {
            let suggestion = Suggestion.didYouMean(name, among: regions)
            reader.report("no region \(JSONReader.describe(.string(name))) in workload.regions"
                + (suggestion.isEmpty ? "; the regions are \(Suggestion.quotedList(regions))" : suggestion))
            return nil
        }
        return name
    }
}
