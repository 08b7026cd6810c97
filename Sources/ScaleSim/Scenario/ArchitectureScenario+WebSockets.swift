/// Long-lived connections: the workload's `realtime` section and a stage's `websockets` service.
extension ArchitectureScenario {
    /// The users that hold a realtime connection (a websocket) and what flows over it.
    ///
    /// `connections(users:)` connections are open at once: a share of the active users.
    /// Connections arrive as a Poisson stream at `connections / connectionDuration` (Little's
    /// law), whatever the HTTP workload (open or closed), from every region by its share.
    public struct Realtime: Sendable, Hashable {
        /// Share of the active users that hold a connection at once, in (0, 1].
        public var connectedShare: Double
        /// Mean lifetime of one connection, seconds (> 0).
        public var connectionDuration: Double
        /// Messages each connection carries per minute of its own (>= 0).
        public var messagesPerMinute: Double
        /// Messages pushed to followers' connections when they post (nil: none).
        public var fanOut: FanOut?
        public var notes: String?

        /// Each request of `classes` pushes one message to each of `followersOnline`
        /// followers' connections.
        public struct FanOut: Sendable, Hashable {
            /// Names of the workload's request classes that push (each appears once).
            public var classes: [String]
            /// Followers online (holding a connection) per post, >= 0.
            public var followersOnline: Double
            public var notes: String?
        }

        /// The connections open at once: users × activeShare × connectedShare (not rounded).
        public func connections(users: Int, workload: Workload) -> Double {
            Double(users) * workload.activeShare * connectedShare
        }

        /// New connections per second: connections over their duration (Little's law).
        public func connectionRate(users: Int, workload: Workload) -> Double {
            connections(users: users, workload: workload) / connectionDuration
        }

        /// The mean messages per minute per connection, fan-out included: the own rate plus
        /// (rate of the pushing classes × followersOnline) spread over the open connections.
        ///
        /// A mean over time, not the burst of one post: a post's messages are spread over the
        /// connections' lifetimes instead of arriving together. For a closed workload the
        /// classes' rate is the one with instant responses (`Workload.requestRate`).
        public func effectiveMessagesPerMinute(users: Int, workload: Workload) -> Double {
            guard let fanOut else { return messagesPerMinute }
            let connected = connections(users: users, workload: workload)
            guard connected > 0 else { return messagesPerMinute }
            let share = workload.classes.filter { fanOut.classes.contains($0.name) }.reduce(0) { $0 + $1.share }
            let pushed = workload.requestRate(users: users) * share * fanOut.followersOnline
            return messagesPerMinute + pushed / connected * 60
        }
    }
}

extension ArchitectureScenario.Stage {
    /// A service of its own that holds the realtime connections, behind its own load balancer.
    ///
    /// Each instance holds at most `connectionsPerInstance` connections: the configured
    /// maximum, or fewer when their memory does not fit in the instance's.
    public struct WebSockets: Sendable, Hashable {
        public var instances: Int
        public var coresPerInstance: Int
        public var maxConnectionsPerInstance: Int
        /// Bytes of memory of one instance (for connections).
        public var memoryPerInstance: Double
        /// Bytes one open connection holds (buffers, session state), > 0.
        public var memoryPerConnection: Double
        public var whenFull: WhenFull
        /// How long a connection waits for a slot when `whenFull == .queue`, seconds (> 0).
        public var connectTimeout: Double
        /// CPU time of one message on an instance.
        public var cpuPerMessage: Distribution
        /// Spreads connections over the instances (least connections unless set).
        public var loadBalancer: LoadBalancer
        /// Target tracking of the instance count (metric `connections` or `cpu`).
        public var autoscaling: Autoscaling?
        public var costPerInstancePerHour: Double
        public var notes: String?

        /// What happens to a connection when its instance holds its limit.
        public enum WhenFull: String, Sendable, Hashable, CaseIterable {
            /// Refused at once (an error).
            case reject
            /// Waits for a slot (FIFO), giving up after `connectTimeout`.
            case queue
        }

        /// The most connections one instance holds: `maxConnectionsPerInstance`, or the
        /// connections whose memory fits in `memoryPerInstance` when fewer.
        public var connectionsPerInstance: Int {
            min(maxConnectionsPerInstance, Int(min(1e15, (memoryPerInstance / memoryPerConnection).rounded(.down))))
        }
    }
}

// MARK: - Decoding

extension ArchitectureDecoder {
    static let realtimeKeys = ["connectedShare", "connectionDuration", "messagesPerMinute", "fanOut", "notes"]
    static let fanOutKeys = ["classes", "followersOnline", "notes"]

    /// `workload.realtime`; `classes` are the workload's request classes (nil when rejected:
    /// the fan-out's class names are not checked).
    func readRealtime(_ reader: JSONReader, classes: [Scenario.RequestClass?]?) -> Scenario.Realtime? {
        guard let object = reader.object(allowedKeys: Self.realtimeKeys) else { return nil }
        let share = object.required("connectedShare", note: "(share of the active users that hold a connection)")?
            .number(NumberRule(minimum: 0, minimumIsExclusive: true, maximum: 1), expected: "a share")
        let duration = object.required("connectionDuration", note: "(how long a connection stays open)")?
            .time(NumberRule.positive.limited(to: Scenario.maximumSeconds))
        let perMinute = object.optional("messagesPerMinute", default: 0) {
            $0.number(NumberRule.nonNegative.limited(to: 1e6), expected: "a number of messages per minute")
        }
        let fanOut = object.optional("fanOut").map { readFanOut($0, classes: classes) }
        guard let share, let duration, let perMinute else { return nil }
        if let fanOut, fanOut == nil { return nil }
        return Scenario.Realtime(connectedShare: share, connectionDuration: duration, messagesPerMinute: perMinute,
                                 fanOut: fanOut ?? nil, notes: object.notes())
    }

    private func readFanOut(_ reader: JSONReader, classes: [Scenario.RequestClass?]?) -> Scenario.Realtime.FanOut? {
        guard let object = reader.object(allowedKeys: Self.fanOutKeys) else { return nil }
        let known = classes.map { $0.compactMap { $0?.name } }
        let names = object.required("classes", note: "(the request classes whose requests push to followers)")?
            .array(nonEmpty: true, of: "class name")?.map { element -> String? in
                guard let name = element.string() else { return nil }
                if let known, !known.contains(name) {
                    element.report("no request class named \(JSONReader.describe(.string(name)))"
                        + Suggestion.didYouMean(name, among: known))
                    return nil
                }
                return name
            }
        let followers = object.required("followersOnline", note: "(followers' connections one post reaches)")?
            .number(NumberRule.nonNegative.limited(to: 1e9), expected: "a number of connections")
        guard let names, let followers else { return nil }
        let valid = names.compactMap { $0 }
        guard valid.count == names.count else { return nil }
        if let list = object.optional("classes") { checkUniqueNames(valid, list, what: "fan-out class") }
        return Scenario.Realtime.FanOut(classes: valid, followersOnline: followers, notes: object.notes())
    }
}

extension StageDecoder {
    static let webSocketKeys = ["instances", "coresPerInstance", "maxConnectionsPerInstance", "memoryPerInstance",
                                "memoryPerConnection", "whenFull", "connectTimeout", "cpuPerMessage", "loadBalancer",
                                "autoscaling", "costPerInstancePerHour", "notes"]
    /// Websocket defaults: 10,000 connections per instance (a common `worker_connections`
    /// order of magnitude), 4 GB of memory per instance, 64 KB per connection (read and write
    /// buffers plus session state), 10 s to wait for a slot, 0.1 ms of CPU per message.
    static let defaultMaxConnections = 10_000
    static let defaultInstanceMemory = 4e9
    static let defaultConnectionMemory = 64e3
    static let defaultConnectTimeout = 10.0
    static let defaultMessageCpu = Distribution.exponential(mean: 0.000_1)

    /// A stage's `websockets` service.
    func readWebSockets(_ reader: JSONReader) -> Stage.WebSockets? {
        guard let object = reader.object(allowedKeys: Self.webSocketKeys) else { return nil }
        let instances = object.count("instances", default: 1, minimum: 1, maximum: Self.maximumCount)
        let cores = object.count("coresPerInstance", default: 1, minimum: 1, maximum: Self.maximumCount)
        let maxConnections = object.count("maxConnectionsPerInstance", default: Self.defaultMaxConnections,
                                          minimum: 1, maximum: 1_000_000_000)
        let size = NumberRule.positive.limited(to: 1e18)
        let memory = object.optional("memoryPerInstance", default: Self.defaultInstanceMemory) { $0.bytes(size) }
        let perConnection = object.optional("memoryPerConnection", default: Self.defaultConnectionMemory) { $0.bytes(size) }
        typealias WhenFull = Stage.WebSockets.WhenFull
        let whenFull = object.optional("whenFull", default: WhenFull.reject.rawValue) { $0.choice(WhenFull.allCases.map(\.rawValue)) }
            .flatMap(WhenFull.init(rawValue:))
        let connectTimeout = object.optional("connectTimeout", default: Self.defaultConnectTimeout) {
            $0.time(NumberRule.positive.limited(to: ArchitectureScenario.maximumSeconds))
        }
        let cpu = object.optional("cpuPerMessage", default: Self.defaultMessageCpu) { $0.work() }
        let lbReader = object.optional("loadBalancer")
        var loadBalancer = lbReader.map(readLoadBalancer) ?? Stage.LoadBalancer(
            policy: .leastConnections, latency: Self.defaultHopLatency, costPerHour: 0, notes: nil)
        if let lbReader, JSONObjectReader.member(lbReader, "policy") == nil { loadBalancer?.policy = .leastConnections }
        let autoscaling = object.optional("autoscaling").map {
            readAutoscaling($0, instances: instances, instancesReader: object.optional("instances"), component: "websockets")
        }
        let cost = object.cost("costPerInstancePerHour")
        if let memory, let perConnection, memory < perConnection, let memoryReader = object.optional("memoryPerInstance") {
            memoryReader.report("must hold at least one connection of memoryPerConnection (\(JSONValue.numberText(perConnection)) bytes), got \(JSONValue.numberText(memory)) bytes")
            return nil
        }
        guard let instances, let cores, let maxConnections, let memory, let perConnection, let whenFull,
              let connectTimeout, let cpu, let loadBalancer, let cost else { return nil }
        if let autoscaling, autoscaling == nil { return nil }
        return Stage.WebSockets(instances: instances, coresPerInstance: cores, maxConnectionsPerInstance: maxConnections,
                                memoryPerInstance: memory, memoryPerConnection: perConnection, whenFull: whenFull,
                                connectTimeout: connectTimeout, cpuPerMessage: cpu, loadBalancer: loadBalancer,
                                autoscaling: autoscaling ?? nil, costPerInstancePerHour: cost, notes: object.notes())
    }
}

// MARK: - Schema

extension ArchitectureSchema {
    static var realtime: JSONValue {
        object("Users that hold a realtime connection (a websocket). users × activeShare × connectedShare connections are open at once; they arrive as a Poisson stream at that count over connectionDuration (Little's law), from every region by its share, open or closed workload alike.", [
            "connectedShare": ["type": "number", "exclusiveMinimum": 0, "maximum": 1,
                               "description": "Share of the active users that hold a connection (required)."],
            "connectionDuration": ref("time", "Mean lifetime of a connection (required; > 0)."),
            "messagesPerMinute": ["type": "number", "minimum": 0, "description": "Messages a connection carries per minute (default 0)."],
            "fanOut": ref("fanOut", "Messages pushed to followers' connections when they post (default none)."),
            "notes": ref("notes"),
        ], required: ["connectedShare", "connectionDuration"])
    }

    static var fanOut: JSONValue {
        object("Each request of the classes pushes one message to each of followersOnline followers' connections (modelled as its mean rate per connection).", [
            "classes": ["type": "array", "minItems": 1, "items": ["type": "string"],
                        "description": "Names of the request classes that push (required)."],
            "followersOnline": ["type": "number", "minimum": 0, "description": "Followers' connections one post reaches (required)."],
            "notes": ref("notes"),
        ], required: ["classes", "followersOnline"])
    }

    static var websockets: JSONValue {
        object("A service of its own that holds the realtime connections, behind its own load balancer. An instance holds at most min(maxConnectionsPerInstance, memoryPerInstance / memoryPerConnection) connections.", [
            "instances": integer(1, "Instances (default 1)."),
            "coresPerInstance": integer(1, "CPU cores per instance (default 1)."),
            "maxConnectionsPerInstance": integer(1, "Most connections an instance holds (default 10000)."),
            "memoryPerInstance": ref("bytes", "Memory of an instance for connections (default 4 GB)."),
            "memoryPerConnection": ref("bytes", "Memory one connection holds (default 64 KB; > 0)."),
            "whenFull": choice(ArchitectureScenario.Stage.WebSockets.WhenFull.allCases.map(\.rawValue),
                               "A connection beyond the limit: reject (default) answers an error at once; queue lets it wait for a slot, giving up after connectTimeout."),
            "connectTimeout": ref("time", "How long a queued connection waits for a slot (default 10 s; queue only)."),
            "cpuPerMessage": ref("work", "CPU time of one message (default 0.1 ms, exponential)."),
            "loadBalancer": ref("loadBalancer", "The service's own load balancer (default least_connections, 0.25 ms, cost 0)."),
            "autoscaling": ref("autoscaling", "Changes the instance count (default metric connections: connections open per instance)."),
            "costPerInstancePerHour": cost("Cost of one instance per hour (default 0)."),
            "notes": ref("notes"),
        ])
    }
}
