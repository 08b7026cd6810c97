import Foundation

/// Hit ratios of key-level caches under the independent reference model (IRM): each request
/// draws key i with probability `p_i`, independently, so key i is requested as a Poisson stream
/// of rate `lambda_i = lambda p_i`.
public enum CacheFormulas {

    /// Keys grouped by popularity: `count` keys that each have `value` (a probability or a
    /// rate). Zipf's long tail is nearly flat from one rank to the next, so
    /// `ZipfPopularity.groups` turns 200,000 keys into a few thousand groups, and every formula
    /// here sums over the groups instead of the keys.
    public struct KeyGroups: Sendable {
        public var groups: [(value: Double, count: Double)]

        /// One group per key.
        public init(_ values: [Double]) { groups = values.map { ($0, 1) } }

        public init(groups: [(value: Double, count: Double)]) { self.groups = groups }
    }

    // MARK: TTL

    /// Hit probability of one key with Poisson requests of rate `rate` in a cache whose entries
    /// expire `ttl` after insertion (a hit does not extend them): `lambda T / (1 + lambda T)`.
    ///
    /// A miss inserts the key; the next `lambda T` requests on average fall within its lifetime
    /// and hit; the first request after expiry misses again (renewal argument; Jung, Berger &
    /// Balakrishnan, "Modeling TTL-based Internet caches", IEEE INFOCOM 2003).
    public static func ttlHitProbability(rate: Double, ttl: Double) -> Double {
        precondition(rate >= 0 && ttl >= 0)
        let x = rate * ttl
        return x.isInfinite ? 1 : x / (1 + x)
    }

    /// Overall hit ratio `sum_i p_i h_i` of a TTL cache with unbounded capacity, with
    /// `h_i = ttlHitProbability(rate: lambda p_i, ttl: T)` (Jung, Berger & Balakrishnan 2003).
    ///
    /// Without a TTL and without a capacity (not this function) the long-run hit ratio is 1:
    /// only the first request of each key misses.
    ///
    /// - Complexity: O(keys).
    public static func ttlHitRatio(popularity p: [Double], arrivalRate lambda: Double, ttl: Double) -> Double {
        ttlHitRatio(KeyGroups(p), arrivalRate: lambda, ttl: ttl)
    }

    /// `ttlHitRatio` over keys grouped by popularity.
    public static func ttlHitRatio(_ keys: KeyGroups, arrivalRate lambda: Double, ttl: Double) -> Double {
        var hit = 0.0
        for (pi, n) in keys.groups { hit += n * pi * ttlHitProbability(rate: lambda * pi, ttl: ttl) }
        return hit
    }

    // MARK: LRU (Che's approximation)

    /// Che's characteristic time `t_C` of an LRU cache of `capacity` entries: the root of
    /// `sum_i (1 - exp(-rates_i t)) = C`.
    ///
    /// Che, Tung & Wang, "Hierarchical Web caching systems: modeling, design and experimental
    /// results", IEEE JSAC 20(7), 2002; justified asymptotically by Fricker, Robert & Roberts,
    /// "A versatile and accurate approximation for LRU cache performance", ITC 24, 2012. The
    /// left side increases from 0 to the number of keys with positive rate; since it is below
    /// `sum rates_i t`, the root exceeds `C / sum rates_i`, and the bracket is doubled from there
    /// until the sign changes, then the root is found by Brent's method (`GSLNumerics.findRoot`).
    ///
    /// - Returns: nil when `capacity` is at least the number of keys with positive rate (every
    ///   such key stays cached: `t_C` is infinite).
    /// - Complexity: O(keys) per evaluation, about 100 evaluations.
    public static func cheCharacteristicTime(rates: [Double], capacity: Double) -> Double? {
        cheCharacteristicTime(KeyGroups(rates), capacity: capacity)
    }

    /// `cheCharacteristicTime` over keys grouped by rate (`KeyGroups` of rates).
    public static func cheCharacteristicTime(_ rates: KeyGroups, capacity: Double) -> Double? {
        precondition(capacity > 0)
        let live = rates.groups.filter { $0.value > 0 }
        guard capacity < live.reduce(0, { $0 + $1.count }) else { return nil }
        return growAndFindRoot(start: capacity / live.reduce(0, { $0 + $1.value * $1.count })) { t in
            var occupancy = 0.0
            for (r, n) in live { occupancy -= n * expm1(-r * t) }
            return occupancy - capacity
        }
    }

    /// Overall hit ratio of an LRU cache of `capacity` entries by Che's approximation:
    /// `h_i = 1 - exp(-lambda_i t_C)`, hit ratio `sum_i p_i h_i` (Che, Tung & Wang 2002; Fricker,
    /// Robert & Roberts 2012). It does not depend on the total request rate (t_C scales as
    /// 1/lambda), so it is computed with rates `p_i`. A capacity of at least the number of keys
    /// gives 1 (in the long run nothing is evicted).
    public static func lruHitRatio(popularity p: [Double], capacity: Int) -> Double {
        lruHitRatio(KeyGroups(p), capacity: capacity)
    }

    /// `lruHitRatio` over keys grouped by popularity.
    public static func lruHitRatio(_ keys: KeyGroups, capacity: Int) -> Double {
        guard let t = cheCharacteristicTime(keys, capacity: Double(capacity)) else { return 1 }
        var hit = 0.0
        for (pi, n) in keys.groups { hit -= n * pi * expm1(-pi * t) }
        return hit
    }

    // MARK: LRU with TTL

    /// Approximate hit ratio of an LRU cache of `capacity` entries whose entries also expire
    /// `ttl` after insertion (a hit refreshes the LRU position, not the expiry).
    ///
    /// **An approximation.** Following the TTL view of LRU (Che et al. 2002; Fofack, Nain, Neglia &
    /// Towsley, "Performance evaluation of hierarchical TTL-based cache networks", Computer
    /// Networks 65, 2014), an entry is evicted `t_C` after its last request; here it also expires
    /// `T` after insertion. Alone, the two timers give hit probabilities `lambda_i T /
    /// (1 + lambda_i T)` (Jung et al. 2003) and `1 - exp(-lambda_i t_C)` (Che); both are
    /// `x / (1 + x)` of the mean time an entry stays (T, resp. `(exp(lambda_i t_C) - 1) /
    /// lambda_i`), and the entry stays for the *earlier* of the two events, so we take
    /// `h_i = min(lambda_i T / (1 + lambda_i T), 1 - exp(-lambda_i t_C))` -- an upper bound
    /// on the per-key hit probability of this model (`E[min(T, E)] <= min(T, E[E])`), exact when
    /// either constraint does not bind. `t_C` solves `sum_i h_i(t_C) = C` (mean occupancy equals
    /// the capacity); when the TTL alone keeps the mean occupancy `sum_i h_i^TTL` at or below C,
    /// the capacity does not bind and the TTL formula is returned.
    public static func ttlLRUHitRatio(popularity p: [Double], arrivalRate lambda: Double, ttl: Double,
                                      capacity: Int) -> Double {
        ttlLRUHitRatio(KeyGroups(p), arrivalRate: lambda, ttl: ttl, capacity: capacity)
    }

    /// `ttlLRUHitRatio` over keys grouped by popularity.
    public static func ttlLRUHitRatio(_ keys: KeyGroups, arrivalRate lambda: Double, ttl: Double,
                                      capacity: Int) -> Double {
        let t = ttlLRUCharacteristicTime(keys, arrivalRate: lambda, ttl: ttl, capacity: capacity)
        var hit = 0.0
        for (p, n) in keys.groups { hit += n * p * ttlLRUKeyHitProbability(rate: lambda * p, ttl: ttl, characteristicTime: t) }
        return hit
    }

    /// The characteristic time `t_C` of `ttlLRUHitRatio`'s model, nil when the capacity does
    /// not bind (the TTL alone keeps the mean occupancy at or below it). `ttl` may be infinite
    /// (plain LRU).
    public static func ttlLRUCharacteristicTime(_ keys: KeyGroups, arrivalRate lambda: Double, ttl: Double,
                                                capacity: Int) -> Double? {
        let occupancy = keys.groups.reduce(0) { $0 + $1.count * ttlHitProbability(rate: lambda * $1.value, ttl: ttl) }
        let c = Double(capacity)
        guard occupancy > c, lambda > 0 else { return nil }
        return growAndFindRoot(start: c / lambda) { t in
            var s = 0.0
            for (p, n) in keys.groups { s += n * ttlLRUKeyHitProbability(rate: lambda * p, ttl: ttl, characteristicTime: t) }
            return s - c
        }
    }

    /// One key's hit probability in `ttlLRUHitRatio`'s model: `min(λ T / (1 + λ T), 1 - exp(-λ t_C))`,
    /// the TTL formula alone when `characteristicTime` is nil.
    public static func ttlLRUKeyHitProbability(rate: Double, ttl: Double, characteristicTime t: Double?) -> Double {
        let byTTL = ttlHitProbability(rate: rate, ttl: ttl)
        guard let t else { return byTTL }
        return min(byTTL, -expm1(-rate * t))
    }

    /// The root of an increasing `f` with `f(start) < 0` and `f` positive somewhere to the right:
    /// doubles the upper end of the bracket until `f` changes sign, then Brent's method.
    private static func growAndFindRoot(start: Double, _ f: (Double) -> Double) -> Double {
        var lo = 0.0, hi = max(start, .leastNormalMagnitude) * 2
        while f(hi) < 0 && hi < .greatestFiniteMagnitude / 4 {
            lo = hi
            hi *= 2
        }
        return GSLNumerics.findRoot(in: lo...hi, f) ?? hi
    }
}
