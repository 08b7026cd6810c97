import Foundation

/// A source of uniform 64-bit words (a stream, or a borrowed view of one).
protocol UniformWords {
    func next() -> UInt64
}

extension RandomStream: UniformWords {}
extension BorrowedStream: UniformWords {}

/// Standard exponential variates by the ziggurat method (Marsaglia & Tsang, "The Ziggurat
/// Method for Generating Random Variables", Journal of Statistical Software 5(8), 2000), with
/// 256 layers.
///
/// Most draws cost one 64-bit word, a compare and a multiply, where inversion costs a `log`
/// (about half of an M/M/1 event's sampling time here). Unlike the paper's 32-bit version,
/// the layer comes from the low 8 bits of the word and the magnitude from its top 53 bits,
/// so the two are independent (Doornik, "An Improved Ziggurat Method", 2005, shows the
/// correlation that sharing bits causes).
enum ExponentialZiggurat {
    /// Start of the tail: the rightmost layer's edge.
    static let r = 7.69711747013104972
    /// The area of each layer (and of the base strip with its tail).
    static let v = 3.949659822581572e-3

    /// The layer tables, computed once per process (pointers, so a draw reads them without
    /// array checks): `k[i]` the acceptance bound of layer i in units of 2^-53, `w[i]` the
    /// scale from a 53-bit integer to x, `f[i] = exp(-x_i)`.
    struct Tables: @unchecked Sendable {
        let k: UnsafeMutablePointer<UInt64>
        let w: UnsafeMutablePointer<Double>
        let f: UnsafeMutablePointer<Double>

        init() {
            k = .allocate(capacity: 256)
            w = .allocate(capacity: 256)
            f = .allocate(capacity: 256)
            let m = 9007199254740992.0  // 2^53
            var d = ExponentialZiggurat.r
            var t = d
            let q = ExponentialZiggurat.v / exp(-d)
            k[0] = UInt64((d / q) * m)
            k[1] = 0
            w[0] = q / m
            w[255] = d / m
            f[0] = 1
            f[255] = exp(-d)
            for i in stride(from: 254, through: 1, by: -1) {
                d = -log(ExponentialZiggurat.v / d + exp(-d))
                k[i + 1] = UInt64((d / t) * m)
                t = d
                f[i] = exp(-d)
                w[i] = d / m
            }
        }
    }

    static let tables = Tables()

    /// One standard exponential variate (mean 1) drawn from `source`.
    @inline(__always)
    static func sample<Source: UniformWords>(_ source: Source) -> Double {
        let t = tables
        let word = source.next()
        let layer = Int(word & 255)
        let magnitude = word >> 11
        if magnitude < t.k[layer] { return Double(magnitude) * t.w[layer] }
        return slowPath(source, t, layer: layer, magnitude: magnitude)
    }

    /// The rare draws (about 1.2%) that fall outside a layer's inner rectangle.
    @inline(never)
    static func slowPath<Source: UniformWords>(_ source: Source, _ t: Tables, layer: Int, magnitude: UInt64) -> Double {
        var layer = layer, magnitude = magnitude
        while true {
            if layer == 0 {
                // The tail beyond r is r plus a standard exponential (memorylessness).
                return r - log((Double(source.next() >> 12) + 0.5) * 0x1.0p-52)
            }
            let x = Double(magnitude) * t.w[layer]
            let u = Double(source.next() >> 11) * 0x1.0p-53
            if t.f[layer] + u * (t.f[layer - 1] - t.f[layer]) < exp(-x) { return x }
            let word = source.next()
            layer = Int(word & 255)
            magnitude = word >> 11
            if magnitude < t.k[layer] { return Double(magnitude) * t.w[layer] }
        }
    }
}
