import Foundation
import Testing
@testable import VarianceKit

/// The truncated normal by rejection (`TruncatedNormalRejection`): element by element against a
/// Double re-derivation from the Philox blocks, and as a distribution against the closed forms of
/// the truncated normal (mean, variance, fourth moment, CDF), including bounds where most elements
/// take the inversion fallback.
@Suite struct TruncatedNormalRejectionTests {
    /// `Phi^-1` of the truncated CDF at `u`, from the nearer tail, in Double.
    static func inversion(_ u: Double, lower a: Double, upper b: Double) -> Double {
        let fromLower = SampleStatistics.normalCDF(a) + u * (SampleStatistics.normalCDF(b) - SampleStatistics.normalCDF(a))
        let fromUpper = SampleStatistics.normalCDF(-b) + (1 - u) * (SampleStatistics.normalCDF(-a) - SampleStatistics.normalCDF(-b))
        return fromLower < fromUpper ? StandardNormal.quantile(fromLower) : -StandardNormal.quantile(fromUpper)
    }

    /// What element `32 g + i` must be, from the layout of `TruncatedNormalRejection`'s documentation
    /// computed in Double: Box-Muller `z = r cos(theta)` or `r sin(theta)` with
    /// `r = sqrt(-2 ln(((a >> 8) + 1) 2^-24))`, `theta = (b >> 30) pi/2 + ((b >> 6) mod 2^24) 2^-24 pi/2 - pi/4`
    /// from Philox group `5 g + s`; the inversion of word `i / 8` of group `5 g + 4` when four
    /// candidates miss. `nil` when a candidate lies within `1e-5` of a bound (Float rounding could
    /// decide either way there).
    static func expected(group: Int, position: Int, seed: UInt64, stream: UInt64,
                         lower: Double, upper: Double) -> (value: Double, fellBack: Bool)? {
        let lane = position % 8, word = position / 8
        func words(_ slot: Int) -> [UInt32] {
            let block = Philox4x32.block(counter: Philox4x32.counter(block: UInt64((5 * group + slot) * 8 + lane), stream: stream),
                                         key: Philox4x32.key(seed: seed))
            return [block.0, block.1, block.2, block.3]
        }
        for slot in 0..<4 {
            let w = words(slot)
            let (a, b) = word < 2 ? (w[0], w[1]) : (w[2], w[3])
            let radius = (-2 * log((Double(a >> 8) + 1) / 16_777_216)).squareRoot()
            let theta = Double(b >> 30) * Double.pi / 2 + Double((b >> 6) & 0xFF_FFFF) / 16_777_216 * Double.pi / 2 - Double.pi / 4
            let z = radius * (word % 2 == 0 ? cos(theta) : sin(theta))
            if abs(z - lower) < 1e-5 || abs(z - upper) < 1e-5 { return nil }
            if z >= lower && z <= upper { return (z, false) }
        }
        let u = (Double(words(4)[word] >> 9) * 2 + 1) / 16_777_216
        return (inversion(u, lower: lower, upper: upper), true)
    }

    static let bounds: [(Float, Float)] = [(-2, 2), (-1, 3), (0.5, 1), (2, 6), (-6, -1.5)]

    /// Every element of 64 groups equals the Double re-derivation to 5e-5 (in standard
    /// deviations); bounds [0.5, 1], [2, 6] and [-6, -1.5] send many elements to the fallback.
    @Test(arguments: bounds.indices)
    func elementsFollowTheDocumentedLayout(boundsIndex: Int) throws {
        let (lower, upper) = TruncatedNormalRejectionTests.bounds[boundsIndex]
        let (mean, deviation): (Float, Float) = (0.3, 1.5)
        let transform = TruncatedNormalRejection(mean: mean, standardDeviation: deviation, lower: lower, upper: upper)
        let seed: UInt64 = 0x5EED, stream: UInt64 = 12
        let groups = 0..<64
        var values = [Float](repeating: .nan, count: groups.count * 32)
        values.withUnsafeMutableBufferPointer {
            RandomFill.fillScalar($0.baseAddress!, groups: groups, lanes: PhiloxLanes(seed: seed, stream: stream), transform: transform)
        }
        var checked = 0, fallbacks = 0, worst = 0.0
        for group in groups {
            for position in 0..<32 {
                guard let expected = TruncatedNormalRejectionTests.expected(
                    group: group, position: position, seed: seed, stream: stream, lower: Double(lower), upper: Double(upper)) else { continue }
                let standard = (Double(values[32 * group + position]) - Double(mean)) / Double(deviation)
                worst = max(worst, abs(standard - expected.value))
                checked += 1
                if expected.fellBack { fallbacks += 1 }
            }
        }
        #expect(worst < 5e-5, "[\(lower), \(upper)]: worst difference \(worst) standard deviations")
        #expect(checked > 2000)
        if boundsIndex >= 2 { #expect(fallbacks > 200, "[\(lower), \(upper)]: only \(fallbacks) fallbacks") }
    }

    /// Pearson's chi-square of `values` in 100 bins of equal truncated-normal probability
    /// (edges from the exact quantile of the truncated CDF, in Double).
    static func chiSquare(_ values: [Float], mean: Double, deviation: Double, lower: Double, upper: Double) -> Double {
        let bins = 100
        let edges = (1..<bins).map { mean + deviation * inversion(Double($0) / Double(bins), lower: lower, upper: upper) }
        var counts = [Int](repeating: 0, count: bins)
        for value in values {
            var low = 0, high = edges.count
            while low < high {
                let middle = (low + high) / 2
                if Double(value) < edges[middle] { high = middle } else { low = middle + 1 }
            }
            counts[low] += 1
        }
        let expected = Double(values.count) / Double(bins)
        return counts.reduce(0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    }

    /// The 1 - 1e-6 quantile of chi-square with 99 degrees of freedom (Wilson-Hilferty: 181.0): a
    /// correct sampler exceeds it with probability 1e-6 for a random seed (the seeds are fixed),
    /// while bin probabilities off by 10% in a tenth of the bins add about 200 at 200 000 samples
    /// (`10 (0.1 n/100)^2 / (n/100)`) and 1000 at 1 000 000.
    static let chiSquareCritical = 181.0

    /// The public fill (rejection for [-2, 2], [-1, 3] and [-3, 2.5]; 1 000 000 elements) and the
    /// rejection transform forced onto bounds it would not be chosen for (200 000 elements, most
    /// of them by the fallback): bounds never exceeded, mean, variance and fourth moment within
    /// `SampleStatistics.momentsAgree`'s tolerance of the closed forms, Kolmogorov-Smirnov within
    /// the 0.1% critical value, chi-square in 100 equiprobable bins below its 1 - 1e-6 quantile.
    @Test(arguments: [(Float(-2), Float(2), true), (-1, 3, true), (-3, 2.5, true),
                      (0.5, 1, false), (2, 6, false), (-6, -1.5, false), (-0.5, 4, false)])
    func distributionIsTheTruncatedNormal(lower: Float, upper: Float, publicFill: Bool) throws {
        let (mean, deviation): (Float, Float) = (-0.75, 0.5)
        let count = publicFill ? 1_000_000 : 200_000
        var values = [Float](repeating: .nan, count: count)
        if publicFill {
            #expect(TruncatedNormalRejection.applies(lower: lower, upper: upper))
            try values.withUnsafeMutableBufferPointer {
                try RandomFill.truncatedNormal($0, mean: mean, standardDeviation: deviation, lower: lower, upper: upper, seed: 2024, stream: 7)
            }
        } else {
            let transform = TruncatedNormalRejection(mean: mean, standardDeviation: deviation, lower: lower, upper: upper)
            values.withUnsafeMutableBufferPointer {
                RandomFill.fillScalar($0.baseAddress!, groups: 0..<(count / 32), lanes: PhiloxLanes(seed: 2024, stream: 7), transform: transform)
            }
        }
        let a = Double(lower), b = Double(upper), s = Double(deviation)
        let low = mean + deviation * lower, high = mean + deviation * upper
        #expect(values.allSatisfy { $0 >= low && $0 <= high }, "[\(lower), \(upper)]: a value outside [\(low), \(high)]")
        let reference = SampleStatistics.truncatedNormalMoments(lower: a, upper: b)
        try values.withUnsafeBufferPointer { buffer in
            let check = SampleStatistics.momentsAgree(buffer, mean: Double(mean) + s * reference.mean, variance: s * s * reference.variance,
                                                      fourthCentralMoment: pow(s, 4) * reference.fourth)
            #expect(check.ok, "[\(lower), \(upper)]: \(check.message)")
            let distance = SampleStatistics.kolmogorovSmirnov(buffer) { x in
                StandardNormal.truncatedCDF((x - Double(mean)) / s, lower: a, upper: b)
            }
            #expect(distance < SampleStatistics.kolmogorovSmirnovCritical(count), "[\(lower), \(upper)]: KS distance \(distance)")
            _ = try #require(buffer.first)
        }
        let chiSquare = TruncatedNormalRejectionTests.chiSquare(values, mean: Double(mean), deviation: s, lower: a, upper: b)
        #expect(chiSquare < TruncatedNormalRejectionTests.chiSquareCritical, "[\(lower), \(upper)]: chi-square \(chiSquare)")
    }

    /// Which bounds reject: those holding at least 0.8 of the normal's mass.
    @Test func rejectionAppliesToBoundsHoldingMostOfTheMass() {
        #expect(TruncatedNormalRejection.applies(lower: -2, upper: 2))
        #expect(TruncatedNormalRejection.applies(lower: -1.5, upper: 30))
        #expect(TruncatedNormalRejection.applies(lower: -1.28, upper: 30))      // Phi(1.28) = 0.8997
        #expect(!TruncatedNormalRejection.applies(lower: -0.84, upper: 30))     // Phi(0.84) = 0.7995
        #expect(!TruncatedNormalRejection.applies(lower: -1, upper: 1))         // 0.6827
        #expect(!TruncatedNormalRejection.applies(lower: 0.5, upper: 1))
    }
}
