@preconcurrency import CGSL

/// One reproducible stream of random numbers: a xoshiro256** generator registered as a GSL
/// generator type, so that GSL's samplers (`gsl_ran_*`) and the fast paths in Swift draw from
/// the same sequence.
///
/// The generator is xoshiro256** 1.0 (Blackman and Vigna, "Scrambled linear pseudorandom number
/// generators", ACM TOMS 47(4), 2021): 256 bits of state, period 2^256 - 1, about 1 ns per
/// 64-bit output. Its four state words live in the `gsl_rng`'s `state` block, so GSL and Swift
/// see the same state; the step itself is the single C implementation in `CGSL/shim.h`.
///
/// As a GSL generator type (named `"xoshiro256starstar"`), `gsl_rng_get` returns the top 32 bits
/// of an output (`gsl_rng_max` is `0xFFFFFFFF`, as GSL's ziggurat Gaussian expects for its 32-bit
/// path) and `gsl_rng_uniform` returns the top 53 bits times 2^-53, so GSL's doubles have full
/// precision.
///
/// A stream is seeded from `(seed, name, replication)` only (see `RandomStream+Seeding.swift`), never
/// from the environment (`gsl_rng_env_setup()` is never called): the same triple gives the same
/// sequence in every run, process and platform, and a different name or replication gives an
/// unrelated sequence.
///
/// A stream is not thread-safe: one owner draws from it at a time.
public final class RandomStream: @unchecked Sendable, RandomNumberGenerator {
    /// The GSL generator, for GSL's samplers. Owned by this stream, freed in `deinit`.
    @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>
    /// The four xoshiro256** state words, inside `rng`'s state block.
    @usableFromInline let state: UnsafeMutablePointer<UInt64>

    /// The scenario seed this stream was made from.
    public let seed: UInt64
    /// The stable name of the random source this stream feeds.
    public let name: String
    /// The replication this stream belongs to.
    public let replication: Int

    /// A stream seeded from the scenario seed, the stable name of its source and the replication.
    ///
    /// - Parameters:
    ///   - seed: the scenario seed.
    ///   - name: the stable name of the random source (e.g. `"stage.api.arrivals"`); not its position.
    ///   - replication: the replication number.
    public init(seed: UInt64, name: String, replication: Int) {
        self.seed = seed
        self.name = name
        self.replication = replication
        (rng, state) = RandomStream.allocate()
        RandomStream.fillState(state, key: RandomStream.key(seed: seed, name: name, replication: replication))
    }

    /// A stream started from the given xoshiro256** state (not all zero), for tests against the
    /// reference implementation.
    init(state words: [UInt64]) {
        precondition(words.count == 4 && words.contains { $0 != 0 }, "xoshiro256** needs 4 words, not all zero")
        seed = 0
        name = "<explicit state>"
        replication = 0
        (rng, state) = RandomStream.allocate()
        for i in 0..<4 { state[i] = words[i] }
    }

    private static func allocate() -> (UnsafeMutablePointer<gsl_rng>, UnsafeMutablePointer<UInt64>) {
        _ = GSLNumerics.errorHandlerOff
        guard let rng = gsl_rng_alloc(scalesim_xoshiro_type()), let raw = rng.pointee.state else {
            fatalError("RandomStream: gsl_rng_alloc failed (out of memory)")
        }
        return (rng, raw.bindMemory(to: UInt64.self, capacity: 4))
    }

    deinit {
        gsl_rng_free(rng)
    }

    /// The next 64-bit output of xoshiro256**.
    @inlinable @inline(__always)
    public func next() -> UInt64 {
        scalesim_xoshiro_next(state)
    }

    /// A uniform double in `[0, 1)`: the top 53 bits of an output times 2^-53 (every multiple of
    /// 2^-53 in `[0, 1)` equally likely).
    @inlinable @inline(__always)
    public func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in `(0, 1)`, never 0 nor 1: `(k + 1/2) * 2^-52` with `k` the top 52 bits of
    /// an output, so one output per call, no rejection loop, and the values are symmetric about 1/2.
    /// Safe to pass to `log`.
    @inlinable @inline(__always)
    public func uniformPositive() -> Double {
        (Double(next() >> 12) + 0.5) * 0x1.0p-52
    }

    /// A uniform integer in `0..<n`, without modulo bias.
    ///
    /// Lemire's multiply-and-reject method ("Fast random integer generation in an interval",
    /// ACM TOMACS 29(1), 2019): the high word of `output * n`, rejecting the rare outputs whose low
    /// word falls below `2^64 mod n`.
    ///
    /// - Parameter n: the number of values, `n > 0`.
    /// - Complexity: O(1) expected; a rejection has probability below `n / 2^64`.
    @inlinable @inline(__always)
    public func uniformInt(_ n: Int) -> Int {
        precondition(n > 0, "uniformInt needs n > 0")
        let bound = UInt64(n)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return Int(product.high)
    }

    /// GSL's name of the generator type (`"xoshiro256starstar"`).
    var gslGeneratorName: String { String(cString: gsl_rng_name(rng)) }
    /// GSL's largest output of `gsl_rng_get` (`0xFFFFFFFF`).
    var gslMax: UInt { gsl_rng_max(rng) }
    /// One `gsl_rng_get` through GSL's generator type.
    func gslGet() -> UInt { gsl_rng_get(rng) }
    /// One `gsl_rng_uniform` through GSL's generator type.
    func gslUniform() -> Double { gsl_rng_uniform(rng) }
}
