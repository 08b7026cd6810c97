/// Settings of a run that every scenario kind shares.
public struct RunSettings: Sendable, Hashable {
    /// Whole simulated time of one replication in seconds, warm-up included.
    public var duration: Double
    /// Simulated seconds dropped at the start of each replication.
    public var warmup: Double
    /// Number of independent replications.
    public var replications: Int
    /// Confidence level of the intervals, in (0, 1).
    public var confidence: Double
    /// Seconds per time window of the time series (nil: a sixtieth of the duration).
    public var window: Double?

    public init(duration: Double, warmup: Double, replications: Int, confidence: Double, window: Double? = nil) {
        self.duration = duration
        self.warmup = warmup
        self.replications = replications
        self.confidence = confidence
        self.window = window
    }
}

/// A validated network scenario: plain queueing network, stations referred to by index.
///
/// Produced by `NetworkScenario.decode` (Scenario/), which fills defaults and checks every
/// value; components may rely on every field being valid.
public struct NetworkScenario: Sendable, Hashable {
    public var name: String
    public var seed: UInt64
    public var run: RunSettings
    /// Open arrivals (empty for a closed network).
    public var arrivals: [Arrival]
    /// The closed population, when the network is closed (then `arrivals` is empty).
    public var population: Population?
    public var stations: [Station]

    public init(name: String, seed: UInt64, run: RunSettings, arrivals: [Arrival],
                population: Population?, stations: [Station]) {
        self.name = name
        self.seed = seed
        self.run = run
        self.arrivals = arrivals
        self.population = population
        self.stations = stations
    }

    /// A Poisson stream of requests of one class into one station.
    public struct Arrival: Sendable, Hashable {
        public var className: String
        /// Index into `stations`.
        public var to: Int
        /// Requests per second (may be 0).
        public var rate: Double
        public init(className: String, to: Int, rate: Double) {
            self.className = className; self.to = to; self.rate = rate
        }
    }

    /// A fixed number of users who think, then send a request into the network.
    public struct Population: Sendable, Hashable {
        public var className: String
        public var size: Int
        public var think: Distribution
        /// Index into `stations`.
        public var to: Int
        public init(className: String, size: Int, think: Distribution, to: Int) {
            self.className = className; self.size = size; self.think = think; self.to = to
        }
    }

    /// Where a request goes next with which probability; what is left of 1 leaves the network.
    public struct Route: Sendable, Hashable {
        /// Index into `stations`.
        public var to: Int
        public var p: Double
        public init(to: Int, p: Double) { self.to = to; self.p = p }
    }

    public enum Discipline: String, Sendable, Hashable {
        case fcfs, ps
    }

    public struct Station: Sendable, Hashable {
        public var name: String
        public var kind: Kind
        public init(name: String, kind: Kind) { self.name = name; self.kind = kind }

        public enum Kind: Sendable, Hashable {
            /// `servers` servers; `capacity` is the most requests in the station (in service
            /// included), arrivals beyond it are blocked and lost.
            case queue(servers: Int, discipline: Discipline, capacity: Int?, service: Distribution, next: [Route])
            /// Infinite servers.
            case delay(service: Distribution, next: [Route])
            /// Key-level cache: each arrival draws a key from `keys` keys with Zipf popularity
            /// of exponent `zipf` (0 = uniform); a miss inserts the key, which expires `ttl`
            /// after insertion (never when nil); `capacity` bounds the entries (LRU).
            case cache(keys: Int, zipf: Double, ttl: Double?, capacity: Int?, service: Distribution?,
                       hit: [Route], miss: [Route])
        }
    }
}
