extension ArchitectureScenario {
    /// The JSON Schema (draft 2020-12) of architecture scenario files.
    ///
    /// Editors use it through a file's `"$schema"` key (completion, types, typos); the
    /// validator (`decode`) stays the authority: it also checks what a schema cannot say
    /// (shares summing to 1, `extends` naming an earlier stage, keys required only when no
    /// stage is extended, components that need each other). Committed as
    /// `schema/architecture.schema.json` and printed by `scalesim schema`.
    public static var jsonSchema: JSONValue { ArchitectureSchema.document }
}

/// Builds `ArchitectureScenario.jsonSchema`.
enum ArchitectureSchema {
    static var document: JSONValue {
        .object([
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "scalesim architecture scenario",
            "description": "A workload and the architecture stages that serve it. Times are seconds, as numbers or strings with a unit (\"250ms\", \"30s\", \"5m\"); sizes are bytes (or \"200KB\", \"1.5MB\"); bandwidths bytes per second (or \"125MB/s\", \"1Gbit/s\"); shares are fractions of 1; costs are per hour.",
            "type": "object",
            "additionalProperties": false,
            "required": ["kind", "workload", "stages"],
            "properties": .object([
                "$schema": string("Path or URL of this schema, for editors; ignored by scalesim."),
                "kind": ["const": "architecture", "description": "The scenario kind."],
                "name": string("Name of the scenario in reports (default \"unnamed\")."),
                "seed": ["type": "integer", "minimum": 0, "maximum": 9_007_199_254_740_991,
                         "description": "Seed of every random stream (default 1)."],
                "run": ref("run", "Run settings (defaults: duration 10000 s, warm-up 10% of it, 5 replications, confidence 0.95)."),
                "notes": ref("notes"),
                "slo": ref("slo", "Targets every stage must meet unless it overrides them; a target left out is not checked."),
                "workload": ref("workload"),
                "stages": ["type": "array", "minItems": 1, "items": ref("stage"),
                           "description": "The architectures to compare under the same workload, in order."],
            ]),
            "$defs": definitions,
        ])
    }

    // MARK: Building blocks

    static func ref(_ name: String, _ description: String? = nil) -> JSONValue {
        guard let description else { return ["$ref": .string("#/$defs/\(name)")] }
        return ["$ref": .string("#/$defs/\(name)"), "description": .string(description)]
    }

    static func string(_ description: String) -> JSONValue {
        ["type": "string", "description": .string(description)]
    }

    static func integer(_ minimum: Int, _ description: String) -> JSONValue {
        ["type": "integer", "minimum": .number(Double(minimum)), "description": .string(description)]
    }

    static func share(_ description: String) -> JSONValue {
        ["type": "number", "minimum": 0, "maximum": 1, "description": .string(description)]
    }

    static func choice(_ values: [String], _ description: String) -> JSONValue {
        ["enum": .array(values.map(JSONValue.string)), "description": .string(description)]
    }

    static func cost(_ description: String) -> JSONValue {
        ["type": "number", "minimum": 0, "description": .string(description)]
    }

    /// An object that allows only `properties`; a component may also be `null` in a stage
    /// (removing what it inherited) when `nullable`.
    /// - Parameter oneOf: Keys of which exactly one must be present.
    static func object(_ description: String, _ properties: KeyValuePairs<String, JSONValue>,
                       required: [String] = [], oneOf: [String] = []) -> JSONValue {
        var members: [JSONValue.Member] = [
            .init("type", "object"), .init("description", .string(description)),
            .init("additionalProperties", false),
        ]
        if !required.isEmpty { members.append(.init("required", .array(required.map(JSONValue.string)))) }
        if !oneOf.isEmpty {
            members.append(.init("oneOf", .array(oneOf.map { ["required": [.string($0)]] })))
        }
        members.append(.init("properties", .object(properties.map { JSONValue.Member($0.key, $0.value) })))
        return .object(members)
    }

    static func component(_ name: String, _ description: String) -> JSONValue {
        ["description": .string(description), "anyOf": [ref(name), ["type": "null"]]]
    }

    static let numberPattern = #"^ *[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)? *"#

    static func unitString(_ units: [String]) -> JSONValue {
        return ["type": "string", "pattern": .string(numberPattern + "(" + units.joined(separator: "|") + ") *$")]
    }

    // MARK: Definitions

    static var definitions: JSONValue {
        .object([
            "time": ["description": "Seconds: a number, or a string with a unit (ns, us, ms, s, m, min, h).",
                     "anyOf": [["type": "number", "minimum": 0], unitString(TimeText.units.map(\.name))]],
            "bytes": ["description": "Bytes: a number, or a string with a unit (B, KB, MB, GB, KiB, MiB, GiB).",
                      "anyOf": [["type": "number", "minimum": 0], unitString(ByteText.units.map(\.name))]],
            "bandwidth": ["description": "Bytes per second: a number, or a string with a unit (B/s, KB/s, MB/s, GB/s, Mbit/s, Gbit/s, Mbps, Gbps).",
                          "anyOf": [["type": "number", "exclusiveMinimum": 0], unitString(ByteText.rateUnits.map(\.name))]],
            "work": ["description": "CPU time: a time alone is an exponential distribution with that mean (0: no work); or a distribution object.",
                     "anyOf": [ref("time"), ref("distribution")]],
            "distribution": distribution,
            "notes": string("Free text: why these numbers (shown in reports)."),
            "run": object("Run settings.", [
                "duration": ref("time", "Simulated time of one replication, warm-up included (default 10000 s)."),
                "warmup": ref("time", "Simulated time dropped at the start (default 10% of the duration)."),
                "replications": integer(1, "Independent replications (default 5)."),
                "confidence": ["type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1,
                               "description": "Confidence level of the intervals (default 0.95)."],
                "window": ref("time", "Width of the time windows of timeseries.csv and the charts over time (default a sixtieth of the duration; at least the duration / 10000)."),
            ]),
            "slo": object("Service level objectives.", [
                "p99": ["description": "Largest acceptable 99th percentile of latency (in a stage, null drops the scenario's target).",
                        "anyOf": [ref("time"), ["type": "null"]]],
                "errorRate": ["description": "Largest acceptable share of failed requests: timeouts, rejections (in a stage, null drops the scenario's target).",
                              "anyOf": [share("A share."), ["type": "null"]]],
            ]),
            "workload": object("The traffic every stage serves.", [
                "users": integer(1, "Registered users (a stage may override it)."),
                "activeShare": ["type": "number", "exclusiveMinimum": 0, "maximum": 1,
                                "description": "Share of the users active at once."],
                "requestsPerActiveUserPerMinute": ["type": "number", "exclusiveMinimum": 0,
                                                   "description": "Open workload: requests an active user sends per minute, as a Poisson process whatever the latency. Give this or thinkTime."],
                "thinkTime": ref("work", "Closed workload: users × activeShare sessions each think this long (a time alone: exponential with that mean), send one request, wait for its response, and think again. Give this or requestsPerActiveUserPerMinute."),
                "userKeys": object("Popularity of the cache keys user:<id>, one per user.", [
                    "zipf": ["type": "number", "minimum": 0, "description": "Zipf exponent (default 1; 0 is uniform)."],
                    "notes": ref("notes"),
                ]),
                "images": object("The images users view (the CDN's objects).", [
                    "perUser": integer(1, "Images per user (default 10)."),
                    "zipf": ["type": "number", "minimum": 0, "description": "Zipf exponent of image popularity (default 1)."],
                    "notes": ref("notes"),
                ]),
                "hotKeys": ["type": "array", "items": ref("hotKey"),
                            "description": "Keys hotter than any user's; their shares sum to at most 1 (default none)."],
                "regions": ["type": "array", "minItems": 1, "items": ref("region"),
                            "description": "Where the users are; shares sum to 1 (default one region with no latency)."],
                "classes": ["type": "array", "minItems": 1, "items": ref("requestClass"),
                            "description": "The request mix; shares sum to 1."],
                "profile": ref("profile", "The load over time in every stage that sets no profile of its own (default constant)."),
                "realtime": ref("realtime", "Users that hold a realtime connection (a websocket) and its messages (default none)."),
                "notes": ref("notes"),
            ], required: ["users", "activeShare", "classes"], oneOf: ["requestsPerActiveUserPerMinute", "thinkTime"]),
            "hotKey": object("A hot cache key.", [
                "name": string("The key, e.g. \"user:celebrity\"."),
                "share": share("Share of all cache reads of user keys that read this key instead."),
                "from": ref("time", "A flash crowd: the key has no share before this time and its share from then on. At most one hot key has one."),
                "until": ref("time", "When the flash crowd ends (later than from; default the end of the run)."),
                "queryCpu": ref("work", "Database CPU of one more query a miss of this key needs, e.g. a celebrity's follower count (default none)."),
                "notes": ref("notes"),
            ], required: ["name", "share"]),
            "region": object("A place the users are.", [
                "name": string("Name of the region."),
                "share": share("Share of the users."),
                "latencyToDataCentre": ref("time", "One-way network latency from a user to the data centre."),
                "latencyToEdge": ref("time", "One-way latency to the nearest CDN edge (default: latencyToDataCentre)."),
                "notes": ref("notes"),
            ], required: ["name", "share", "latencyToDataCentre"]),
            "requestClass": object("One kind of request and the work it does.", [
                "name": string("Name of the class, e.g. \"view_profile\"."),
                "share": share("Share of all requests."),
                "kind": choice(ArchitectureScenario.RequestClass.Kind.allCases.map(\.rawValue),
                               "api: served by the API; image: image bytes (through the API, or from the CDN once there is one); static_asset: the web client's files (API machine, or web hosts once there are some); upload: bytes uploaded (through the API, or straight to object storage once it exists)."),
                "apiCpu": ref("work", "CPU time on an API instance."),
                "cacheKey": choice(ArchitectureScenario.RequestClass.CacheKey.allCases.map(\.rawValue),
                                   "Cache key read when the stage has a cache (default none): user reads user:<id> (or a hot key by its share), hot reads a hot key; on a hit the dbReads are skipped."),
                "dbReads": integer(0, "SELECTs per request (default 0); on replicas when the stage has them."),
                "queryCpu": ref("work", "Database CPU time of one SELECT (required when dbReads > 0)."),
                "dbWrites": integer(0, "Writes per request, always on the primary (default 0)."),
                "writeCpu": ref("work", "Database CPU time of one write (required when dbWrites > 0)."),
                "requestBytes": ref("bytes", "Bytes the client sends (default 0; required for upload)."),
                "responseBytes": ref("bytes", "Bytes the client receives (default 0; required for image and static_asset)."),
                "timeout": ref("time", "The client gives up after this long and counts an error (default 30 s)."),
                "retries": ref("retries", "How the client retries a failed request: an error or its own timeout (default: it does not)."),
                "shardFanOut": ["description": .string("On a sharded database, how many shards the dbReads go to at once, waiting for the slowest (a feed gathering posts from many shards): a whole number, or \"all\" (default 1: the shard of the request's key)."),
                                "anyOf": [["type": "integer", "minimum": 1, "maximum": .number(Double(StageDecoder.maximumShards))], ["const": "all"]]],
                "notes": ref("notes"),
            ], required: ["name", "share", "kind", "apiCpu"]),
            "profile": profile,
            "retries": object("Retries with exponential backoff, optionally limited by a budget.", [
                "attempts": ["type": "integer", "minimum": 0, "maximum": 100,
                             "description": "Most retries after the first attempt (required)."],
                "backoff": ref("time", "The wait before the first retry (required)."),
                "multiplier": ["type": "number", "minimum": 1, "description": "Each wait is this many times the one before (default 2)."],
                "cap": ref("time", "Longest wait, at least backoff (default 30 s)."),
                "jitter": ["type": "boolean", "description": "Full jitter: the wait is uniform up to its bound (default true)."],
                "budget": ["type": "number", "exclusiveMinimum": 0, "maximum": 1,
                           "description": "Retries each first attempt earns, a token bucket (default: no budget)."],
                "budgetBurst": ["type": "number", "minimum": 1, "description": "Most retries the budget saves up (default 10; needs budget)."],
                "notes": ref("notes"),
            ], required: ["attempts", "backoff"]),
            "healthCheck": object("Active health checks: an instance that fails unhealthyThreshold probes in a row leaves the rotation; one that passes healthyThreshold in a row comes back.", [
                "interval": ref("time", "Time between two probes of an instance (default 10 s)."),
                "unhealthyThreshold": integer(1, "Failed probes in a row that take an instance out (default 2)."),
                "healthyThreshold": integer(1, "Passed probes in a row that put it back (default 3)."),
                "notes": ref("notes"),
            ]),
            "autoscaling": object("Target tracking of the API's instance count (needs a loadBalancer; not with a host). api.instances is the count at the start, within min...max.", [
                "metric": choice(ArchitectureScenario.Stage.Autoscaling.Metric.allCases.map(\.rawValue),
                                 "What is kept at the target (default cpu; websockets: connections): the instances' mean CPU utilization, requests per second per instance, or connections open per instance (websockets only)."),
                "target": ["type": "number", "exclusiveMinimum": 0,
                           "description": "The metric's target (required): a utilization in (0, 1] for cpu, requests per second or connections per instance for the others."],
                "min": integer(1, "Fewest instances (default 1)."),
                "max": integer(1, "Most instances (required); the API's resources are laid out for them."),
                "interval": ref("time", "Time between two decisions (default 1 min)."),
                "cooldown": ref("time", "Time a scale-in waits after a scaling action (default 5 min)."),
                "provisioningDelay": ref("time", "Time from a scale-out until the new instances take traffic (default 2 min)."),
                "notes": ref("notes"),
            ], required: ["target", "max"]),
            "fault": object("A component that goes down for a while.", [
                "component": choice(StageDecoder.faultComponents,
                                    "What fails: an API instance, a read replica, the database primary, a cache node, the CDN edge of a region, a web host, or a websocket instance. On a stage with a host, api and database are the one machine."),
                "instance": integer(0, "Which instance (api, replica, web, websocket) or cache node (default 0)."),
                "region": string("The region whose CDN edge fails (cdn only; default the workload's only region)."),
                "at": ref("time", "When it goes down."),
                "duration": ["description": "How long it stays down (> 0).", "anyOf": [["type": "number", "exclusiveMinimum": 0],
                                                                                     unitString(TimeText.units.map(\.name))]],
                "notes": ref("notes"),
            ], required: ["component", "at", "duration"]),
            "stage": stage,
            "realtime": realtime,
            "fanOut": fanOut,
            "websockets": websockets,
            "host": object("One machine that runs the API and the database, sharing its cores.", [
                "cores": integer(1, "CPU cores of the machine."),
                "costPerHour": cost("Cost of the machine per hour (default 0)."),
                "notes": ref("notes"),
            ]),
            "api": object("The API service: identical instances with a worker pool each.", [
                "instances": integer(1, "API instances (default 1; more need a loadBalancer)."),
                "coresPerInstance": integer(1, "CPU cores per instance (required without a host; not allowed with one)."),
                "workersPerInstance": integer(1, "Workers per instance; a request holds one until it leaves (default 4 per core)."),
                "backlog": integer(0, "Most requests an instance keeps waiting for a worker (its accept backlog); one more gets an error at once (503). Default: unbounded."),
                "networkBandwidth": ref("bandwidth", "Bandwidth per instance (default 1 Gbit/s)."),
                "costPerInstancePerHour": cost("Cost of one instance per hour (default 0)."),
                "autoscaling": ref("autoscaling", "Changes the instance count with the load (default: fixed)."),
                "notes": ref("notes"),
            ]),
            "loadBalancer": object("Spreads requests over the API instances and web hosts.", [
                "policy": choice(ArchitectureScenario.Stage.LoadBalancer.Policy.allCases.map(\.rawValue),
                                 "How an instance is chosen (default round_robin)."),
                "latency": ref("time", "One-way latency it adds (default 0.25 ms)."),
                "costPerHour": cost("Cost per hour (default 0)."),
                "healthCheck": ref("healthCheck", "Health checks of the API instances and web hosts (default none: a failed instance stays in rotation)."),
                "notes": ref("notes"),
            ]),
            "webHosts": object("Hosts that serve the web client's static files.", [
                "instances": integer(1, "Web hosts (default 1; more need a loadBalancer)."),
                "coresPerInstance": integer(1, "CPU cores per host (default 1)."),
                "cpuPerRequest": ref("work", "CPU time per static file request (required)."),
                "costPerInstancePerHour": cost("Cost of one host per hour (default 0)."),
                "notes": ref("notes"),
            ]),
            "database": object("The database primary.", [
                "cores": integer(1, "CPU cores (required without a host; not allowed with one)."),
                "connections": integer(1, "Most connections at once; a query holds one (default 100)."),
                "latencyFromApi": ref("time", "One-way latency from an API instance (default 0.25 ms; not allowed with a host)."),
                "costPerHour": cost("Cost per hour, per shard when sharded (default 0)."),
                "shards": ref("shards", "Split the data over shards by user id, each with its own primary, connections and replicas (default: one database)."),
                "notes": ref("notes"),
            ]),
            "shards": object("Shards of the database: each holds the users its placement gives it.", [
                "count": integer(1, "Number of shards (required; at most \(StageDecoder.maximumShards))."),
                "placement": choice(ArchitectureScenario.Stage.Shards.Placement.allCases.map(\.rawValue),
                                    "hash: a hash of the user id (default); range: ranges of user ids, numbered by popularity, so the first shard holds the most followed users."),
                "notes": ref("notes"),
            ], required: ["count"]),
            "replicas": object("Read replicas: SELECTs are spread over them, writes stay on the primary (per shard when the database is sharded).", [
                "count": integer(1, "Number of replicas (required)."),
                "coresEach": integer(1, "CPU cores of each (default: the primary's)."),
                "connectionsEach": integer(1, "Connections of each (default: the primary's)."),
                "replicationLag": ref("time", "How far a replica is behind the primary (default 0)."),
                "costPerReplicaPerHour": cost("Cost of one replica per hour (default 0)."),
                "healthCheck": ref("healthCheck", "Health checks of the replicas (default none)."),
                "notes": ref("notes"),
            ]),
            "cache": object("A key-value cache (Redis-like) in front of the database reads.", [
                "nodes": integer(1, "Nodes the keys are sharded over (default 1)."),
                "ttl": ref("time", "How long an entry lives after it is filled (required; 0 caches nothing)."),
                "capacityPerNode": integer(1, "Most entries per node, LRU beyond (default unbounded)."),
                "latency": ref("time", "One-way latency from an API instance (default 0.25 ms)."),
                "costPerNodePerHour": cost("Cost of one node per hour (default 0)."),
                "coalesce": ["type": "boolean", "description": "Request coalescing: concurrent misses of one key wait for a single fill (default false)."],
                "notes": ref("notes"),
            ]),
            "objectStorage": object("Object storage (S3-like) for images: the CDN's origin and the target of uploads.", [
                "latency": ref("time", "Time to first byte of a request (default 20 ms)."),
                "bandwidth": ref("bandwidth", "Bandwidth of one transfer (default 100 MB/s)."),
                "costPerHour": cost("Cost per hour (default 0)."),
                "notes": ref("notes"),
            ]),
            "cdn": object("A CDN with one edge per region (needs objectStorage).", [
                "ttl": ref("time", "How long an edge keeps an object (default 1 day)."),
                "capacityPerEdge": integer(1, "Most objects per edge, LRU beyond (default unbounded)."),
                "edgeLatency": ref("time", "One-way latency from a user to the edge (default: the region's latencyToEdge)."),
                "originFetchLatency": ref("time", "One-way latency from an edge to object storage, paid twice by a miss (default 50 ms)."),
                "costPerHour": cost("Cost of the CDN per hour (default 0)."),
                "notes": ref("notes"),
            ]),
        ])
    }

    static var stage: JSONValue {
        var schema = object("One architecture. With \"extends\" it is the named earlier stage deep-merged with this object (objects merge key by key, arrays, values and a profile replace, null removes a component); name and notes are not inherited.", [
            "name": string("Name of the stage in reports (unique)."),
            "extends": string("Name of an earlier stage this one changes."),
            "users": integer(1, "Users in this stage (default: workload.users)."),
            "slo": ref("slo", "Overrides of the scenario's targets, key by key."),
            "notes": ref("notes"),
            "host": component("host", "One machine for the API and the database (stage 1)."),
            "api": component("api", "The API (required)."),
            "loadBalancer": component("loadBalancer", "A load balancer."),
            "webHosts": component("webHosts", "Web-client hosts."),
            "database": component("database", "The database primary (required)."),
            "replicas": component("replicas", "Read replicas."),
            "cache": component("cache", "A cache."),
            "objectStorage": component("objectStorage", "Object storage."),
            "cdn": component("cdn", "A CDN."),
            "websockets": component("websockets", "A service of its own for the realtime connections (without it the API instances hold them)."),
            "profile": ["description": "The load over time in this stage (default the workload's; null: constant).",
                        "anyOf": [ref("profile"), ["type": "null"]]],
            "faults": ["type": "array", "items": ref("fault"), "description": "Components that go down during the run (default none)."],
        ], required: ["name"])
        guard case .object(var members) = schema else { return schema }
        members.append(.init("if", ["not": ["required": ["extends"]]]))
        members.append(.init("then", ["required": ["api", "database"]]))
        schema = .object(members)
        return schema
    }

    static var profile: JSONValue {
        let factor: JSONValue = ["type": "number", "minimum": 0]
        return object("A factor on the load over time (times from the start of the run, warm-up included): exactly one of points, spike or daily.", [
            "points": ["type": "array", "minItems": 1, "description": "A curve through points, times in order (two at one time make a step), constant before the first and after the last.",
                       "items": object("A point of the curve.", ["at": ref("time"), "factor": factor], required: ["at", "factor"])],
            "spike": object("1 until at, up to factor over ramp, held for length, back to 1 over ramp.", [
                "at": ref("time"), "factor": ["type": "number", "exclusiveMinimum": 0],
                "length": ref("time"), "ramp": ref("time", "Default 0: a step."),
            ], required: ["at", "factor", "length"]),
            "daily": object("A cosine between trough and peak, highest at peakAt and every period after.", [
                "peak": ["type": "number", "exclusiveMinimum": 0], "trough": factor, "peakAt": ref("time"),
                "period": ref("time", "Default 24 h."),
            ], required: ["peak", "trough", "peakAt"]),
            "notes": ref("notes"),
        ], oneOf: ArchitectureDecoder.profileShapes)
    }

    static var distribution: JSONValue {
        func variant(_ name: String, _ parameters: KeyValuePairs<String, JSONValue>, required: [String]) -> JSONValue {
            var properties: [JSONValue.Member] = [.init("dist", ["const": .string(name)])]
            properties += parameters.map { JSONValue.Member($0.key, $0.value) }
            return .object([
                .init("type", "object"), .init("additionalProperties", false),
                .init("required", .array((["dist"] + required).map(JSONValue.string))),
                .init("properties", .object(properties)),
            ])
        }
        let time = ref("time")
        let scv: JSONValue = ["type": "number", "exclusiveMinimum": 0]
        return [
            "description": "A distribution, e.g. {\"dist\": \"lognormal\", \"p50\": \"2ms\", \"p99\": \"20ms\"}.",
            "oneOf": [
                variant("exponential", ["mean": time], required: ["mean"]),
                variant("deterministic", ["value": time], required: ["value"]),
                variant("uniform", ["min": time, "max": time], required: ["min", "max"]),
                variant("erlang", ["k": ["type": "integer", "minimum": 1], "mean": time], required: ["k", "mean"]),
                variant("gamma", ["mean": time, "scv": scv], required: ["mean", "scv"]),
                variant("lognormal", ["mean": time, "scv": scv], required: ["mean", "scv"]),
                variant("lognormal", ["p50": time, "p99": time], required: ["p50", "p99"]),
                variant("hyperexponential", ["mean": time, "scv": ["type": "number", "minimum": 1]], required: ["mean", "scv"]),
                variant("pareto", ["alpha": scv, "min": time, "max": time], required: ["alpha", "min", "max"]),
            ],
        ]
    }
}
