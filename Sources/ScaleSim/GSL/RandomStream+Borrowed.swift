@preconcurrency import CGSL
import Foundation

/// A view of a `RandomStream` that holds no reference: plain pointers into the stream's state.
///
/// The engine's hot loop draws through these so that reading a component's stream never
/// retains or releases; the engine keeps the `RandomStream`s alive for as long as it runs.
/// The numbers are exactly those of the stream itself (same state, same step).
struct BorrowedStream {
    let rng: UnsafeMutablePointer<gsl_rng>
    let state: UnsafeMutablePointer<UInt64>

    init(_ stream: RandomStream) {
        rng = stream.rng
        state = stream.state
    }

    @inline(__always) func next() -> UInt64 { scalesim_xoshiro_next(state) }

    /// As `RandomStream.uniform()`: `[0, 1)`, 53 bits.
    @inline(__always) func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// As `RandomStream.uniformPositive()`: `(0, 1)`.
    @inline(__always) func uniformPositive() -> Double { (Double(next() >> 12) + 0.5) * 0x1.0p-52 }

    /// As `RandomStream.uniformInt(_:)` (Lemire's method).
    @inline(__always) func uniformInt(_ n: Int) -> Int {
        let bound = UInt64(n)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }
}

/// A `Sampler` that draws through a `BorrowedStream`: same parameters, same numbers, no
/// reference counting when it is copied.
struct BorrowedSampler {
    let kind: Sampler.Kind
    let stream: BorrowedStream

    init(_ sampler: Sampler) {
        kind = sampler.kind
        stream = BorrowedStream(sampler.stream)
    }

    @inline(__always)
    func next() -> Double {
        switch kind {
        case .exponential(let mean):
            return mean * ExponentialZiggurat.sample(stream)
        case .constant(let value):
            return value
        case .uniform(let min, let width):
            return min + width * stream.uniform()
        case .gamma(let shape, let scale):
            return gsl_ran_gamma(stream.rng, shape, scale)
        case .lognormal(let mu, let sigma):
            return exp(mu + sigma * gsl_ran_gaussian_ziggurat(stream.rng, 1))
        case .hyperexponential(let p1, let mean1, let mean2):
            let mean = stream.uniform() < p1 ? mean1 : mean2
            return mean * ExponentialZiggurat.sample(stream)
        case .boundedPareto(let min, let range, let negativeInverseAlpha):
            return min * pow(1 - stream.uniform() * range, negativeInverseAlpha)
        }
    }
}
