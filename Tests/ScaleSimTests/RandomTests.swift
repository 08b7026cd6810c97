import Foundation
import Testing
@testable import ScaleSim

// Tests of the random streams (RandomStream), the samplers (Sampler, ZipfKeySampler) and the exact
// moments of Distribution. Every statistical check uses a fixed seed, printed on failure, and a
// tolerance derived from the sampling distribution of the statistic, wide enough (5 standard errors,
// or a chi-square quantile at 1 - 1e-6) that a correct implementation essentially never fails, and
// narrow enough that a wrong parametrization does (see `theMomentCheckHasPower`).

// MARK: - Statistics helpers

/// Sample mean and unbiased sample variance (Welford's algorithm).
private struct SampleMoments {
    var count = 0
    var mean = 0.0
    private var m2 = 0.0
    var variance: Double { count > 1 ? m2 / Double(count - 1) : 0 }

    mutating func add(_ x: Double) {
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        m2 += delta * (x - mean)
    }
}

/// E[X^k] of the bounded Pareto in the textbook form (Harchol-Balter 2013, sec. 20.3), written
/// independently of `Distribution.boundedParetoMoment`.
private func paretoRawMoment(_ k: Double, alpha a: Double, min l: Double, max h: Double) -> Double {
    let norm = 1 - pow(l / h, a)
    if k == a { return a * pow(l, a) * log(h / l) / norm }
    return a * pow(l, a) * (pow(h, k - a) - pow(l, k - a)) / ((k - a) * norm)
}

/// The 4th central moment from the raw moments E[X], ..., E[X^4].
private func centralFourth(_ m: [Double]) -> Double {
    m[4] - 4 * m[3] * m[1] + 6 * m[2] * m[1] * m[1] - 3 * pow(m[1], 4)
}

/// The exact 4th central moment mu4 of each distribution, from standard closed forms
/// (Johnson, Kotz and Balakrishnan, vol. 1: gamma ch. 17, lognormal ch. 14), for the standard
/// error of the sample variance, sqrt((mu4 - sigma^4) / n).
private func fourthCentralMoment(_ d: Distribution) -> Double {
    switch d {
    case .exponential(let mean): return 9 * pow(mean, 4)
    case .deterministic: return 0
    case .uniform(let a, let b): return pow(b - a, 4) / 80
    case .erlang(let k, let mean):
        let shape = Double(k), scale = mean / shape
        return 3 * shape * (shape + 2) * pow(scale, 4)
    case .gamma(let mean, let scv):
        let shape = 1 / scv, scale = mean * scv
        return 3 * shape * (shape + 2) * pow(scale, 4)
    case .lognormal, .lognormalQuantiles:
        let s2 = log1p(d.scv)
        return pow(d.variance, 2) * (exp(4 * s2) + 2 * exp(3 * s2) + 3 * exp(2 * s2) - 3)
    case .hyperexponential(let mean, let scv):
        let p1 = (1 + ((scv - 1) / (scv + 1)).squareRoot()) / 2
        let phases = [(p1, mean / (2 * p1)), (1 - p1, mean / (2 * (1 - p1)))]
        let factorial = [1.0, 1, 2, 6, 24]
        let raw = (0...4).map { j in phases.reduce(0.0) { $0 + $1.0 * factorial[j] * pow($1.1, Double(j)) } }
        return centralFourth(raw)
    case .pareto(let alpha, let min, let max):
        return centralFourth((0...4).map { paretoRawMoment(Double($0), alpha: alpha, min: min, max: max) })
    }
}

/// Whether `moments` of `n` samples agree with the given mean and variance to within 5 standard
/// errors: sqrt(variance / n) for the mean, sqrt((mu4 - variance^2) / n) for the sample variance
/// (its large-sample variance; Cramér, *Mathematical Methods of Statistics*, 1946, sec. 27.4).
private func momentsAgree(_ moments: SampleMoments, mean: Double, variance: Double,
                          mu4: Double) -> (mean: Bool, variance: Bool, detail: String) {
    let n = Double(moments.count)
    let meanTolerance = 5 * (variance / n).squareRoot()
    let varianceTolerance = 5 * (Swift.max(0, mu4 - variance * variance) / n).squareRoot()
    let meanOK = abs(moments.mean - mean) <= meanTolerance
    let varianceOK = abs(moments.variance - variance) <= varianceTolerance
    let detail = "mean \(moments.mean) vs \(mean) ± \(meanTolerance), "
        + "variance \(moments.variance) vs \(variance) ± \(varianceTolerance)"
    return (meanOK, varianceOK, detail)
}

/// The 1 - 1e-6 quantile of the chi-square distribution with `dof` degrees of freedom, by the
/// Wilson-Hilferty approximation (Wilson and Hilferty, PNAS 17(12), 1931), good for dof >= 5.
private func chiSquareCritical(dof: Int) -> Double {
    let k = Double(dof), z = GSLNumerics.normalQuantile(1 - 1e-6)
    return k * pow(1 - 2 / (9 * k) + z * (2 / (9 * k)).squareRoot(), 3)
}

/// Pearson's chi-square statistic of `counts` against `probabilities`, pooling the cells whose
/// expected count is below 5 into one; returns the statistic and its degrees of freedom.
private func chiSquare(counts: [Int], probabilities: [Double]) -> (statistic: Double, dof: Int) {
    let total = Double(counts.reduce(0, +))
    var statistic = 0.0, cells = 0, pooledObserved = 0.0, pooledExpected = 0.0
    for (observed, p) in zip(counts, probabilities) {
        let expected = p * total
        if expected < 5 {
            pooledObserved += Double(observed)
            pooledExpected += expected
        } else {
            statistic += pow(Double(observed) - expected, 2) / expected
            cells += 1
        }
    }
    if pooledExpected > 0 {
        statistic += pow(pooledObserved - pooledExpected, 2) / pooledExpected
        cells += 1
    }
    return (statistic, cells - 1)
}

/// All the tests of this file (`swift test --filter RandomTests`).
@Suite struct RandomTests {}

// MARK: - The generator

extension RandomTests {
    @Suite struct Streams {
        @Test func xoshiroMatchesTheReferenceImplementation() {
            // Outputs of the reference xoshiro256starstar.c from the state {1, 2, 3, 4}, as published in
            // the tests of rand_xoshiro and reproduced with the reference C code.
            let reference: [UInt64] = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360,
                                       607988272756665600, 16172922978634559625, 8476171486693032832,
                                       10595114339597558777, 2904607092377533576]
            let stream = RandomStream(state: [1, 2, 3, 4])
            #expect(reference.map { _ in stream.next() } == reference)

            // GSL sees the same generator: get is the top 32 bits, uniform the top 53 bits / 2^53.
            let gets = RandomStream(state: [1, 2, 3, 4]), doubles = RandomStream(state: [1, 2, 3, 4])
            #expect(gets.gslGeneratorName == "xoshiro256starstar")
            #expect(gets.gslMax == 0xFFFF_FFFF)
            #expect(reference.map { _ in gets.gslGet() } == reference.map { UInt($0 >> 32) })
            #expect(reference.map { _ in doubles.gslUniform() } == reference.map { Double($0 >> 11) * 0x1.0p-53 })
        }

        @Test func seedingBuildingBlocksMatchTheirReferences() {
            // SplitMix64 from 0 (reference splitmix64.c) and from 1477776061723855037 (rand_xoshiro's test).
            #expect(RandomStream.splitMix64(0) == 0xE220_A839_7B1D_CDAF)
            #expect(RandomStream.splitMix64(1_477_776_061_723_855_037) == 1_985_237_415_132_408_290)
            let state = UnsafeMutablePointer<UInt64>.allocate(capacity: 4)
            defer { state.deallocate() }
            RandomStream.fillState(state, key: 0)
            #expect((0..<4).map { state[$0] } == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4,
                                                 0x06C4_5D18_8009_454F, 0xF88B_B8A8_724C_81EC])
            // FNV-1a 64 test vectors (Fowler, Noll and Vo).
            #expect(RandomStream.fnv1a64("".utf8) == 0xCBF2_9CE4_8422_2325)
            #expect(RandomStream.fnv1a64("a".utf8) == 0xAF63_DC4C_8601_EC8C)
            #expect(RandomStream.fnv1a64("foobar".utf8) == 0x8594_4171_F739_67E8)
        }

        @Test func streamsAreStableAcrossRunsAndPlatforms() {
            // Keys and first outputs computed by an independent implementation (Python, arbitrary-precision
            // integers masked to 64 bits) of the documented seeding: they pin the sequence of every stream.
            let golden: [(UInt64, String, Int, UInt64, [UInt64])] = [
                (42, "arrivals", 0, 0x7F6A_991D_9367_D2E1,
                 [0x834F_8B8A_F301_24A3, 0xA3CE_8AC2_7B9B_CA71, 0xC81F_A4F1_33E4_CF6C, 0x0492_0855_E610_4CF4]),
                (42, "arrivals", 1, 0x6D15_50CF_1E7A_0FDD,
                 [0x9D85_9F5A_BC81_3443, 0x5CE4_3345_7751_F29D, 0x15E9_88B9_CDF5_1AE8, 0x5D3F_22DC_66BA_B3A6]),
                (0, "", 0, 0xA6BB_C8DC_BE30_928C,
                 [0x0AE3_18D9_0CCE_ED20, 0xD3AA_DC1F_98C5_C9EC, 0x491C_0EF7_6FDE_2140, 0xB444_D497_88AB_869B]),
                (2024, "stage.api.service", -1, 0xC242_C76B_CD14_37C4,
                 [0x0A6F_3F32_D0C7_9082, 0x610B_7AC2_D87B_7C25, 0xA7EF_50F3_A46C_49E9, 0xCEB0_CBC0_786C_D54F]),
            ]
            for (seed, name, replication, key, outputs) in golden {
                #expect(RandomStream.key(seed: seed, name: name, replication: replication) == key, "seed \(seed) \(name) \(replication)")
                let stream = RandomStream(seed: seed, name: name, replication: replication)
                #expect(outputs.map { _ in stream.next() } == outputs, "seed \(seed) \(name) \(replication)")
            }
        }

        @Test func sameTripleSameSequence() {
            let seed: UInt64 = 7
            let a = RandomStream(seed: seed, name: "cache.keys", replication: 3)
            let b = RandomStream(seed: seed, name: "cache.keys", replication: 3)
            #expect((0..<1000).map { _ in a.next() } == (0..<1000).map { _ in b.next() }, "seed \(seed)")
            // Also through GSL's samplers, which share the state.
            let sa = Sampler(.gamma(mean: 1, scv: 0.3), stream: a), sb = Sampler(.gamma(mean: 1, scv: 0.3), stream: b)
            #expect((0..<1000).map { _ in sa.next() } == (0..<1000).map { _ in sb.next() }, "seed \(seed)")
        }

        @Test func differentNameReplicationOrSeedGiveUnrelatedSequences() {
            let seed: UInt64 = 11
            let base = RandomStream(seed: seed, name: "a1", replication: 0)
            let others = [RandomStream(seed: seed, name: "a2", replication: 0),
                          RandomStream(seed: seed, name: "a1", replication: 1),
                          RandomStream(seed: seed &+ 1, name: "a1", replication: 0),
                          RandomStream(seed: seed, name: "a1 ", replication: 0)]
            let n = 100_000
            let x = (0..<n).map { _ in base.uniform() }
            for other in others {
                let y = (0..<n).map { _ in other.uniform() }
                // No output in common (a coincidence has probability about n^2 / 2^53 per pair)...
                #expect(Set(x).isDisjoint(with: y), "seed \(seed) \(other.name) \(other.replication)")
                // ...and no linear correlation: |r| below 5 standard errors (1/sqrt(n) under independence).
                let mx = x.reduce(0, +) / Double(n), my = y.reduce(0, +) / Double(n)
                var sxy = 0.0, sxx = 0.0, syy = 0.0
                for i in 0..<n {
                    sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my)
                }
                let r = sxy / (sxx * syy).squareRoot()
                #expect(abs(r) < 5 / Double(n).squareRoot(), "seed \(seed) \(other.name) \(other.replication): r = \(r)")
            }
        }

        /// The state whose next output is `output`: xoshiro256**'s output is rotl(s1 * 5, 7) * 9, and
        /// 5 and 9 are invertible modulo 2^64.
        private func state(outputting output: UInt64) -> [UInt64] {
            func inverse(_ a: UInt64) -> UInt64 {  // Newton's iteration: each step doubles the correct bits.
                var x = a
                for _ in 0..<6 { x &*= 2 &- a &* x }
                return x
            }
            let y = output &* inverse(9)
            let s1 = ((y >> 7) | (y << 57)) &* inverse(5)
            return [1, s1, 3, 4]
        }

        @Test func uniformsStayInTheirIntervalsAtTheExtremes() {
            #expect(RandomStream(state: state(outputting: 0)).uniform() == 0)
            #expect(RandomStream(state: state(outputting: 0)).uniformPositive() == 0x1.0p-53)
            #expect(RandomStream(state: state(outputting: 0)).next() == 0)
            #expect(RandomStream(state: state(outputting: .max)).next() == .max)
            #expect(RandomStream(state: state(outputting: .max)).uniform() == 1 - 0x1.0p-53)
            #expect(RandomStream(state: state(outputting: .max)).uniformPositive() == 1 - 0x1.0p-53)
            #expect(RandomStream(state: state(outputting: .max)).uniformPositive() < 1)
        }

        @Test func uniformHasTheMomentsOfU01() {
            let seed: UInt64 = 5
            let stream = RandomStream(seed: seed, name: "uniform", replication: 0)
            var plain = SampleMoments(), positive = SampleMoments()
            for _ in 0..<200_000 {
                let u = stream.uniform(), v = stream.uniformPositive()
                #expect(u >= 0 && u < 1 && v > 0 && v < 1, "seed \(seed)")
                plain.add(u)
                positive.add(v)
            }
            for moments in [plain, positive] {
                let check = momentsAgree(moments, mean: 0.5, variance: 1.0 / 12, mu4: 1.0 / 80)
                #expect(check.mean && check.variance, "seed \(seed): \(check.detail)")
            }
        }

        @Test(arguments: [7, 10, 1000])
        func uniformIntIsInRangeAndUniform(n: Int) {
            let seed: UInt64 = 13
            let stream = RandomStream(seed: seed, name: "uniformInt", replication: n)
            var counts = [Int](repeating: 0, count: n)
            var outOfRange = 0
            for _ in 0..<200_000 {
                let i = stream.uniformInt(n)
                if i < 0 || i >= n { outOfRange += 1 } else { counts[i] += 1 }
            }
            #expect(outOfRange == 0, "seed \(seed)")
            let (statistic, dof) = chiSquare(counts: counts, probabilities: Array(repeating: 1 / Double(n), count: n))
            #expect(statistic < chiSquareCritical(dof: dof), "seed \(seed): chi-square \(statistic), dof \(dof)")
        }

        @Test func uniformIntEdgeCases() {
            let seed: UInt64 = 17
            let stream = RandomStream(seed: seed, name: "uniformInt.edges", replication: 0)
            #expect((0..<1000).allSatisfy { _ in stream.uniformInt(1) == 0 }, "seed \(seed)")
            #expect((0..<1000).allSatisfy { _ in (0..<Int.max).contains(stream.uniformInt(.max)) }, "seed \(seed)")
            // Half of 0..<(2^62 + 1) is below 2^61: a check that large n uses the high bits, not a modulo.
            let n = (1 << 62) + 1
            let below = (0..<10_000).filter { _ in stream.uniformInt(n) < 1 << 61 }.count
            #expect(abs(below - 5000) < 5 * 50, "seed \(seed): \(below)")
        }
    }
}

// MARK: - Distributions

extension RandomTests {
    @Suite struct Samplers {
        /// Every case, several parameter sets, scv below, at and above 1 where the case allows it.
        static let distributions: [Distribution] = [
            .exponential(mean: 1), .exponential(mean: 0.003), .exponential(mean: 250),
            .deterministic(value: 0.5), .deterministic(value: 0),
            .uniform(min: 0, max: 1), .uniform(min: 2, max: 7), .uniform(min: 0.001, max: 0.0011),
            .erlang(k: 1, mean: 2), .erlang(k: 2, mean: 1), .erlang(k: 5, mean: 0.01), .erlang(k: 30, mean: 3),
            .gamma(mean: 1, scv: 0.25), .gamma(mean: 2, scv: 1), .gamma(mean: 0.5, scv: 4),
            .gamma(mean: 10, scv: 0.05), .gamma(mean: 1, scv: 10),
            .lognormal(mean: 1, scv: 0.5), .lognormal(mean: 0.02, scv: 1), .lognormal(mean: 5, scv: 2),
            .lognormalQuantiles(p50: 0.01, p99: 0.05), .lognormalQuantiles(p50: 1, p99: 10),
            .lognormalQuantiles(p50: 100, p99: 120),
            .hyperexponential(mean: 1, scv: 1), .hyperexponential(mean: 1, scv: 2),
            .hyperexponential(mean: 0.05, scv: 5), .hyperexponential(mean: 3, scv: 20),
            .pareto(alpha: 1, min: 1, max: 100), .pareto(alpha: 2, min: 1, max: 100),
            .pareto(alpha: 1.5, min: 0.001, max: 0.1), .pareto(alpha: 0.5, min: 1, max: 10_000),
            .pareto(alpha: 3, min: 2, max: 50),
        ]

        @Test(arguments: distributions)
        func sampleMeanAndVarianceMatchTheExactMoments(_ distribution: Distribution) {
            let seed: UInt64 = 20_240_601
            let sampler = Sampler(distribution, stream: RandomStream(seed: seed, name: "\(distribution)", replication: 0))
            var moments = SampleMoments()
            var minimum = Double.infinity, maximum = -Double.infinity
            for _ in 0..<200_000 {
                let x = sampler.next()
                moments.add(x)
                minimum = min(minimum, x)
                maximum = max(maximum, x)
            }
            #expect(minimum >= 0 && maximum.isFinite, "seed \(seed): range [\(minimum), \(maximum)]")
            switch distribution {
            case .deterministic(let value):
                #expect(minimum == value && maximum == value, "seed \(seed)")
            case .uniform(let lo, let hi), .pareto(_, let lo, let hi):
                #expect(minimum >= lo && maximum <= hi, "seed \(seed): range [\(minimum), \(maximum)]")
            default:
                break
            }
            let check = momentsAgree(moments, mean: distribution.mean, variance: distribution.variance,
                                     mu4: fourthCentralMoment(distribution))
            #expect(check.mean, "seed \(seed): \(check.detail)")
            #expect(check.variance, "seed \(seed): \(check.detail)")
        }

        @Test func theMomentCheckHasPower() {
            // The same check must reject samples whose mean is 2% off, or whose variance is 10% off.
            let seed: UInt64 = 99
            let stream = RandomStream(seed: seed, name: "power", replication: 0)
            let exponential = Sampler(.exponential(mean: 1), stream: stream)
            var moments = SampleMoments()
            for _ in 0..<200_000 { moments.add(exponential.next()) }
            let wrongMean = Distribution.exponential(mean: 1.02)
            #expect(!momentsAgree(moments, mean: wrongMean.mean, variance: 1, mu4: 9).mean, "seed \(seed)")

            let gamma = Sampler(.gamma(mean: 1, scv: 0.5), stream: stream)
            moments = SampleMoments()
            for _ in 0..<200_000 { moments.add(gamma.next()) }
            let wrongVariance = Distribution.gamma(mean: 1, scv: 0.55)
            #expect(!momentsAgree(moments, mean: 1, variance: wrongVariance.variance,
                                  mu4: fourthCentralMoment(wrongVariance)).variance, "seed \(seed)")
        }

        @Test(arguments: [(0.01, 0.05), (1.0, 10.0), (100.0, 120.0)])
        func lognormalFromQuantilesHasThoseQuantiles(p50: Double, p99: Double) {
            let seed: UInt64 = 31
            let n = 200_000
            let sampler = Sampler(.lognormalQuantiles(p50: p50, p99: p99),
                                  stream: RandomStream(seed: seed, name: "lognormal.quantiles", replication: 0))
            let sorted = (0..<n).map { _ in sampler.next() }.sorted()
            // The sample p-quantile has standard error sqrt(p (1 - p) / n) / f(x_p) (Cramér 1946,
            // sec. 28.5); the lognormal density at its p-quantile is phi(z_p) / (x_p sigma).
            let sigma = log(p99 / p50) / GSLNumerics.normalQuantile(0.99)
            for (p, expected) in [(0.5, p50), (0.99, p99)] {
                let z = GSLNumerics.normalQuantile(p)
                let density = exp(-z * z / 2) / (2 * Double.pi).squareRoot() / (expected * sigma)
                let standardError = (p * (1 - p) / Double(n)).squareRoot() / density
                let empirical = sorted[Int(p * Double(n))]
                #expect(abs(empirical - expected) <= 5 * standardError,
                        "seed \(seed): p\(p * 100) \(empirical) vs \(expected) ± \(5 * standardError)")
            }
        }

        @Test func deterministicDrawsNothingAndExponentialDrawsOnce() {
            let seed: UInt64 = 3
            let a = RandomStream(seed: seed, name: "draws", replication: 0)
            let b = RandomStream(seed: seed, name: "draws", replication: 0)
            _ = Sampler(.deterministic(value: 1), stream: a).next()
            #expect(a.next() == b.next(), "seed \(seed)")
            _ = Sampler(.exponential(mean: 1), stream: a).next()
            _ = b.next()
            #expect(a.next() == b.next(), "seed \(seed)")
        }
    }
}

// MARK: - Exact moments

extension RandomTests {
    @Suite struct Moments {
        @Test func closedFormsByHand() {
            let tolerance = 1e-12
            #expect(abs(Distribution.uniform(min: 2, max: 8).variance - 3) < tolerance)
            #expect(abs(Distribution.erlang(k: 4, mean: 2).scv - 0.25) < tolerance)
            // Bounded Pareto, alpha 1 on [1, 100]: mean = ln(100) / 0.99, E[X^2] = 99 / 0.99 = 100.
            let pareto = Distribution.pareto(alpha: 1, min: 1, max: 100)
            #expect(abs(pareto.mean - log(100) / 0.99) < tolerance)
            #expect(abs(pareto.variance - (100 - pow(log(100) / 0.99, 2))) < 1e-10)
            // Lognormal from quantiles (1, e^z99): mu 0, sigma 1, mean e^0.5, variance (e - 1) e.
            let lognormal = Distribution.lognormalQuantiles(p50: 1, p99: exp(GSLNumerics.normalQuantile(0.99)))
            #expect(abs(lognormal.mean - exp(0.5)) < tolerance)
            #expect(abs(lognormal.variance - (M_E - 1) * M_E) < 1e-11)
            #expect(abs(lognormal.scv - (M_E - 1)) < tolerance)
            #expect(Distribution.deterministic(value: 3).scv == 0)
            #expect(Distribution.deterministic(value: 0).scv == 0)
        }

        @Test(arguments: Samplers.distributions)
        func scvIsVarianceOverMeanSquared(_ distribution: Distribution) {
            let d = distribution
            let expected = d.variance == 0 ? 0 : d.variance / (d.mean * d.mean)
            #expect(abs(d.scv - expected) <= 1e-12 * max(1, expected))
        }

        @Test(arguments: [0.5, 1, 1.5, 2, 2.5, 3])
        func boundedParetoMomentsMatchTheTextbookFormAndAreContinuousAtTheSpecialCases(alpha: Double) {
            for (lo, hi) in [(1.0, 100.0), (0.001, 10.0), (2.0, 2.5)] {
                for k in [1.0, 2.0] {
                    let exact = Distribution.boundedParetoMoment(k, alpha: alpha, min: lo, max: hi)
                    let textbook = paretoRawMoment(k, alpha: alpha, min: lo, max: hi)
                    #expect(abs(exact - textbook) <= 1e-9 * textbook, "alpha \(alpha) k \(k) [\(lo), \(hi)]")
                    // Approaching alpha == k from either side gives the special-case value.
                    for shift in [-1e-7, 1e-7] {
                        let near = Distribution.boundedParetoMoment(k, alpha: alpha + shift, min: lo, max: hi)
                        #expect(abs(near - exact) <= 1e-5 * exact, "alpha \(alpha + shift) k \(k) [\(lo), \(hi)]")
                    }
                }
            }
            #expect(Distribution.pareto(alpha: alpha, min: 3, max: 3).mean == 3)
            #expect(Distribution.pareto(alpha: alpha, min: 3, max: 3).variance == 0)
        }
    }
}

// MARK: - Zipf keys

extension RandomTests {
    @Suite struct ZipfKeys {
        @Test(arguments: [(1, 0.99), (3, 2.0), (1000, 0.0), (1000, 0.8), (1000, 0.99), (100_000, 1.2)])
        func theAliasTableEncodesZipfPopularity(keys: Int, exponent: Double) {
            let encoded = ZipfKeySampler(keys: keys, exponent: exponent).encodedProbabilities()
            let exact = ZipfPopularity.probabilities(keys: keys, exponent: exponent)
            // Each column's coin has 32 bits: each key is off by at most about 2^-32 in total.
            let worst = zip(encoded, exact).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-9, "keys \(keys) exponent \(exponent): worst error \(worst)")
        }

        @Test(arguments: [(50, 1.5), (1000, 0.0), (1000, 0.99)])
        func keyFrequenciesMatchZipfPopularity(keys: Int, exponent: Double) {
            let seed: UInt64 = 41
            let sampler = ZipfKeySampler(keys: keys, exponent: exponent)
            let stream = RandomStream(seed: seed, name: "zipf", replication: keys)
            var counts = [Int](repeating: 0, count: keys)
            for _ in 0..<500_000 { counts[sampler.next(stream)] += 1 }
            let (statistic, dof) = chiSquare(counts: counts,
                                             probabilities: ZipfPopularity.probabilities(keys: keys, exponent: exponent))
            #expect(statistic < chiSquareCritical(dof: dof), "seed \(seed): chi-square \(statistic), dof \(dof)")
        }

        @Test func oneKey() {
            let stream = RandomStream(seed: 1, name: "zipf.one", replication: 0)
            let sampler = ZipfKeySampler(keys: 1, exponent: 1)
            #expect((0..<100).allSatisfy { _ in sampler.next(stream) == 0 })
        }
    }
}
