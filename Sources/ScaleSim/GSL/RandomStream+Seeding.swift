@preconcurrency import CGSL

extension RandomStream {
    /// The 64-bit key of the stream `(seed, name, replication)`.
    ///
    /// FNV-1a 64 (Fowler, Noll and Vo; offset basis 0xcbf29ce484222325, prime 0x100000001b3) hashes
    /// the name's UTF-8 bytes; then three SplitMix64 steps chain seed, name hash and replication:
    /// `k1 = mix(seed)`, `k2 = mix(k1 ^ nameHash)`, `key = mix(k2 ^ replication)`, where `mix` is
    /// one SplitMix64 step (a bijection of 64-bit words). Each input therefore changes the key
    /// bijectively when the others are fixed: two streams that differ in name or replication never
    /// share a key (names only up to FNV collisions), and the avalanche of SplitMix64's finalizer
    /// makes neighbouring inputs (replication 1 and 2, names "a1" and "a2") give unrelated keys.
    /// Only integer arithmetic on fixed-width words: the same on every run, process and platform
    /// (no `Hasher`, no `hashValue`, no dependence on the width of C's `long`).
    static func key(seed: UInt64, name: String, replication: Int) -> UInt64 {
        var x = seed
        let k1 = scalesim_splitmix64_next(&x)
        x = k1 ^ fnv1a64(name.utf8)
        let k2 = scalesim_splitmix64_next(&x)
        x = k2 ^ UInt64(truncatingIfNeeded: replication)
        return scalesim_splitmix64_next(&x)
    }

    /// FNV-1a 64 of a byte sequence.
    static func fnv1a64<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// Fills the four xoshiro256** words with four consecutive SplitMix64 outputs from `key`, the
    /// seeding that xoshiro's authors recommend. Four consecutive outputs are distinct (SplitMix64
    /// is a bijection of its counter), so the state is never all zero.
    static func fillState(_ state: UnsafeMutablePointer<UInt64>, key: UInt64) {
        var x = key
        for i in 0..<4 { state[i] = scalesim_splitmix64_next(&x) }
    }

    /// The first output of SplitMix64 seeded with `x`, for tests against the reference values.
    static func splitMix64(_ x: UInt64) -> UInt64 {
        var x = x
        return scalesim_splitmix64_next(&x)
    }
}
