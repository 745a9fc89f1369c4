import Foundation
import Testing
@testable import VarianceKit

@Suite struct RandomFillTests {
    static let counts = [15, 1_000_000]

    @Test(arguments: counts)
    func uniformMatchesItsDistribution(count: Int) throws {
        let (low, high): (Float, Float) = (-0.5, 1.5)
        var values = [Float](repeating: .nan, count: count)
        try values.withUnsafeMutableBufferPointer { try RandomFill.uniform($0, low: low, high: high, seed: 11) }
        let width = Double(high - low)
        try values.withUnsafeBufferPointer { buffer in
            #expect(buffer.allSatisfy { $0 >= low && $0 < high })
            let check = SampleStatistics.momentsAgree(buffer, mean: 0.5, variance: width * width / 12,
                                                      fourthCentralMoment: pow(width, 4) / 80)
            #expect(check.ok, "\(check.message)")
            let distance = SampleStatistics.kolmogorovSmirnov(buffer) { min(max((($0 - Double(low)) / width), 0), 1) }
            #expect(distance < SampleStatistics.kolmogorovSmirnovCritical(count))
            _ = try #require(buffer.first)
        }
    }

    @Test(arguments: counts)
    func normalMatchesItsDistribution(count: Int) throws {
        var values = [Float](repeating: .nan, count: count)
        try values.withUnsafeMutableBufferPointer { try RandomFill.normal($0, mean: 1, standardDeviation: 2, seed: 12, stream: 5) }
        values.withUnsafeBufferPointer { buffer in
            #expect(buffer.allSatisfy { $0.isFinite })
            let check = SampleStatistics.momentsAgree(buffer, mean: 1, variance: 4, fourthCentralMoment: 3 * 16)
            #expect(check.ok, "\(check.message)")
            let distance = SampleStatistics.kolmogorovSmirnov(buffer) { SampleStatistics.normalCDF(($0 - 1) / 2) }
            #expect(distance < SampleStatistics.kolmogorovSmirnovCritical(count))
        }
    }

    static let truncations: [(Float, Float)] = [(-2, 2), (-1, 3), (0.5, 1), (-6, -5), (4.5, 9), (-30, 0.1)]

    @Test(arguments: counts, truncations.indices)
    func truncatedNormalIsExact(count: Int, truncation: Int) throws {
        let (lower, upper) = RandomFillTests.truncations[truncation]
        // The far-tail bounds run the Double path on most lanes: keep those samples smaller.
        let n = (lower < -5 || upper > 5) && lower > -10 ? min(count, 100_000) : count
        let (mean, deviation): (Float, Float) = (0.25, 0.5)
        var values = [Float](repeating: .nan, count: n)
        try values.withUnsafeMutableBufferPointer {
            try RandomFill.truncatedNormal($0, mean: mean, standardDeviation: deviation, lower: lower, upper: upper, seed: 13)
        }
        let a = Double(lower), b = Double(upper)
        let reference = SampleStatistics.truncatedNormalMoments(lower: a, upper: b)
        let low = mean + deviation * lower, high = mean + deviation * upper
        values.withUnsafeBufferPointer { buffer in
            let outside = buffer.filter { !($0 >= low && $0 <= high) }.count
            #expect(outside == 0)
            let s = Double(deviation)
            let check = SampleStatistics.momentsAgree(
                buffer, mean: Double(mean) + s * reference.mean, variance: s * s * reference.variance,
                fourthCentralMoment: pow(s, 4) * reference.fourth)
            #expect(check.ok, "[\(lower), \(upper)]: \(check.message)")
            let mass = SampleStatistics.normalCDF(b) - SampleStatistics.normalCDF(a)
            let tailMass = SampleStatistics.normalCDF(-a) - SampleStatistics.normalCDF(-b)
            let distance = SampleStatistics.kolmogorovSmirnov(buffer) { x in
                let z = min(max((x - Double(mean)) / s, a), b)
                // Compute from the side that keeps precision in the far tails.
                return a >= 0 ? (SampleStatistics.normalCDF(-a) - SampleStatistics.normalCDF(-z)) / tailMass
                              : (SampleStatistics.normalCDF(z) - SampleStatistics.normalCDF(a)) / mass
            }
            #expect(distance < SampleStatistics.kolmogorovSmirnovCritical(n), "[\(lower), \(upper)]")
        }
    }

    @Test func truncatedMomentsMatchQuadrature() {
        for (lower, upper) in RandomFillTests.truncations {
            let exact = StandardNormal.truncatedMoments(lower: Double(lower), upper: Double(upper))
            let quadrature = SampleStatistics.truncatedNormalMoments(lower: Double(lower), upper: Double(upper))
            #expect(abs(exact.mean - quadrature.mean) < 1e-6 * max(1, abs(quadrature.mean)))
            #expect(abs(exact.variance - quadrature.variance) < 1e-6 * quadrature.variance)
        }
        #expect(abs(Initializer.truncatedNormalCorrection - 0.879_625_661_034_239_8) < 1e-12)
        // The truncated CDF against erfc directly, including the far upper tail.
        for (lower, upper, x) in [(-2.0, 2.0, 0.5), (-1.0, 3.0, -0.25), (5.0, 6.0, 5.2), (-30.0, 0.1, -3.0)] {
            let expected = (SampleStatistics.normalCDF(-lower) - SampleStatistics.normalCDF(-x))
                / (SampleStatistics.normalCDF(-lower) - SampleStatistics.normalCDF(-upper))
            #expect(abs(StandardNormal.truncatedCDF(x, lower: lower, upper: upper) - expected) < 1e-9)
            #expect(StandardNormal.truncatedCDF(lower - 1, lower: lower, upper: upper) == 0)
            #expect(StandardNormal.truncatedCDF(upper + 1, lower: lower, upper: upper) == 1)
        }
        #expect(abs(StandardNormal.density(1) - 0.241_970_724_519_143_37) < 1e-15)
    }

    // MARK: - Determinism

    /// "truncated" ([-3, 2]) samples by rejection, "truncated narrow" ([0.5, 1]) by inversion.
    static let fills: [String] = ["uniform", "normal", "truncated", "truncated narrow"]

    static func fill(_ kind: String, _ buffer: UnsafeMutableBufferPointer<Float>, seed: UInt64, stream: UInt64, threads: Int) throws {
        switch kind {
        case "uniform": try RandomFill.uniform(buffer, low: -1, high: 1, seed: seed, stream: stream, threads: threads)
        case "normal": try RandomFill.normal(buffer, seed: seed, stream: stream, threads: threads)
        case "truncated": try RandomFill.truncatedNormal(buffer, lower: -3, upper: 2, seed: seed, stream: stream, threads: threads)
        default: try RandomFill.truncatedNormal(buffer, lower: 0.5, upper: 1, seed: seed, stream: stream, threads: threads)
        }
    }

    @Test(arguments: fills)
    func bitIdenticalWhateverTheThreadCount(kind: String) throws {
        // 250 003 elements: seven threads' worth (at least 32 768 elements each), and a partial last group.
        let count = 250_003
        var one = [Float](repeating: 0, count: count)
        var two = [Float](repeating: 0, count: count)
        var three = [Float](repeating: 0, count: count)
        var seven = [Float](repeating: 0, count: count)
        var again = [Float](repeating: 0, count: count)
        try one.withUnsafeMutableBufferPointer { try RandomFillTests.fill(kind, $0, seed: 77, stream: 3, threads: 1) }
        try two.withUnsafeMutableBufferPointer { try RandomFillTests.fill(kind, $0, seed: 77, stream: 3, threads: 2) }
        try three.withUnsafeMutableBufferPointer { try RandomFillTests.fill(kind, $0, seed: 77, stream: 3, threads: 3) }
        try seven.withUnsafeMutableBufferPointer { try RandomFillTests.fill(kind, $0, seed: 77, stream: 3, threads: 7) }
        try again.withUnsafeMutableBufferPointer { try RandomFillTests.fill(kind, $0, seed: 77, stream: 3, threads: 2) }
        #expect(one.map(\.bitPattern) == two.map(\.bitPattern))
        #expect(one.map(\.bitPattern) == three.map(\.bitPattern))
        #expect(one.map(\.bitPattern) == seven.map(\.bitPattern))
        #expect(two.map(\.bitPattern) == again.map(\.bitPattern))
        // A prefix fill is the prefix of the full fill (the layout is a function of the index).
        var prefix = [Float](repeating: 0, count: 1001)
        try prefix.withUnsafeMutableBufferPointer { try RandomFillTests.fill(kind, $0, seed: 77, stream: 3, threads: 1) }
        #expect(Array(one[0..<1001]) == prefix)
    }

    @Test(arguments: fills)
    func differentStreamsAndSeedsDiffer(kind: String) throws {
        let count = 4096
        var base = [Float](repeating: 0, count: count)
        var otherStream = [Float](repeating: 0, count: count)
        var otherSeed = [Float](repeating: 0, count: count)
        try base.withUnsafeMutableBufferPointer { try RandomFillTests.fill(kind, $0, seed: 5, stream: 0, threads: 1) }
        try otherStream.withUnsafeMutableBufferPointer { try RandomFillTests.fill(kind, $0, seed: 5, stream: 1, threads: 1) }
        try otherSeed.withUnsafeMutableBufferPointer { try RandomFillTests.fill(kind, $0, seed: 6, stream: 0, threads: 1) }
        let sameStream = zip(base, otherStream).filter { $0 == $1 }.count
        let sameSeed = zip(base, otherSeed).filter { $0 == $1 }.count
        // Chance coincidences of 24-bit values are rare; a shared stream would match everywhere.
        #expect(sameStream < 10)
        #expect(sameSeed < 10)
        // Independence: the sample correlation of two streams is within 5 / sqrt(n) of zero.
        let meanA = base.reduce(0.0) { $0 + Double($1) } / Double(count)
        let meanB = otherStream.reduce(0.0) { $0 + Double($1) } / Double(count)
        var covariance = 0.0, varianceA = 0.0, varianceB = 0.0
        for i in 0..<count {
            let x = Double(base[i]) - meanA, y = Double(otherStream[i]) - meanB
            covariance += x * y; varianceA += x * x; varianceB += y * y
        }
        #expect(abs(covariance / (varianceA * varianceB).squareRoot()) < 5 / Double(count).squareRoot())
    }

    @Test func matrixOverloadsFillRowMajor() throws {
        var matrix = try Matrix(rows: 7, columns: 9)
        try RandomFill.normal(&matrix, seed: 3, stream: 2, threads: 1)
        var flat = [Float](repeating: 0, count: 63)
        try flat.withUnsafeMutableBufferPointer { try RandomFill.normal($0, seed: 3, stream: 2, threads: 1) }
        #expect(matrix.elements == flat)
        try RandomFill.uniform(&matrix, seed: 3)
        try flat.withUnsafeMutableBufferPointer { try RandomFill.uniform($0, seed: 3) }
        #expect(matrix.elements == flat)
        try RandomFill.truncatedNormal(&matrix, seed: 3)
        try flat.withUnsafeMutableBufferPointer { try RandomFill.truncatedNormal($0, seed: 3) }
        #expect(matrix.elements == flat)
    }

    /// The group words three ways: the fills' kernel (`words(group:)`, SSE2 on x86-64), the
    /// portable SIMD8 code, and the scalar reference block by block; including a group whose
    /// block index has a nonzero high word and the auxiliary half of the counter space.
    @Test(arguments: [0, 1, 536_870_911, 536_870_912, Int.max / 8 - 1])
    func simdAndScalarWordPathsAgree(group: Int) {
        for blockOffset: UInt64 in [0, 1 << 63] {
            let lanes = PhiloxLanes(seed: 0xDEAD_BEEF, stream: 9, blockOffset: blockOffset)
            let kernel = lanes.words(group: group)
            let generic = lanes.wordsGeneric(group: group)
            #expect(kernel.0 == generic.0 && kernel.1 == generic.1 && kernel.2 == generic.2 && kernel.3 == generic.3)
            if CPUFeatures.hasAVX2 {
                var avx2 = [UInt32](repeating: 0, count: 64)
                avx2.withUnsafeMutableBufferPointer { lanes.writeWordsAVX2(groups: group..<(group + 2), to: $0.baseAddress!) }
                let next = lanes.wordsGeneric(group: group + 1)
                let expected = [generic.0, generic.1, generic.2, generic.3, next.0, next.1, next.2, next.3].flatMap { v in (0..<8).map { v[$0] } }
                #expect(avx2 == expected)
            }
            for lane in 0..<8 {
                let block = Philox4x32.block(
                    counter: Philox4x32.counter(block: UInt64(group) &* 8 &+ UInt64(lane) &+ blockOffset, stream: 9),
                    key: Philox4x32.key(seed: 0xDEAD_BEEF))
                #expect(lanes.blockWords(group: group, lane: lane) == block)
                #expect(kernel.0[lane] == block.0 && kernel.1[lane] == block.1 && kernel.2[lane] == block.2 && kernel.3[lane] == block.3)
            }
        }
    }

    /// Optimized builds fill with the eight-lane SIMD transforms (words from the SSE2 kernel, or
    /// from the AVX2 or AVX-512 kernel, with whole fills in C where a transform has them),
    /// unoptimized ones (this test run) with the scalar reference: every path the processor runs
    /// must give the same bits, for every transform, including the truncated normal's
    /// double-precision tail path (bounds [-30, -5] send most draws there) and uniform widths
    /// where rounding would reach `high`. The AVX-512 path is compared only where
    /// `CPUFeatures.hasAVX512` holds, the AVX2 path where `hasAVX2` does (`FillPath.supported`).
    @Test func simdAndScalarTransformsGiveTheSameBits() {
        let groups = 0..<40
        func compare<T: BlockTransform>(_ transform: T, _ label: String) {
            let count = groups.count * 32
            var simd = [Float](), scalar = [Float](repeating: 1, count: count)
            for seed: UInt64 in [1, 0xFEED_F00D] {
                let lanes = PhiloxLanes(seed: seed, stream: 5)
                scalar.withUnsafeMutableBufferPointer { RandomFill.fillScalar($0.baseAddress!, groups: groups, lanes: lanes, transform: transform) }
                for path in FillPath.supported {
                    simd = [Float](repeating: 0, count: count)
                    simd.withUnsafeMutableBufferPointer {
                        RandomFill.fillSIMD($0.baseAddress!, groups: groups, lanes: lanes, transform: transform, path: path)
                    }
                    let mismatches = zip(simd, scalar).filter { $0.0.bitPattern != $0.1.bitPattern }.count
                    #expect(mismatches == 0, "\(label), seed \(seed), \(path): \(mismatches) of \(count) differ")
                }
                // Non-temporal stores (what fills larger than the caches use) write the same values.
                let aligned = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(to: Float.self, capacity: count)
                defer { aligned.deallocate() }
                for group in groups {
                    transform.store(group: lanes.words(group: group), to: aligned + group * 32, streaming: true)
                }
                StreamingStore.fence()
                #expect(Array(UnsafeBufferPointer(start: aligned, count: count)).map(\.bitPattern) == scalar.map(\.bitPattern), "\(label), streaming")
            }
        }
        compare(UniformTransform(low: 0, high: 1), "uniform [0, 1)")
        compare(UniformTransform(low: -0.05, high: 0.05), "uniform [-0.05, 0.05)")
        compare(UniformTransform(low: 1, high: 1.000_001), "uniform [1, 1.000001)")
        compare(NormalTransform(mean: 0, standardDeviation: 1), "normal")
        compare(NormalTransform(mean: -3, standardDeviation: 0.02), "normal(-3, 0.02)")
        for (lower, upper): (Float, Float) in [(-2, 2), (-6, 6), (-30, -5), (0.5, 9), (-1, 1)] {
            compare(TruncatedNormalTransform(mean: 0.1, standardDeviation: 2, lower: lower, upper: upper),
                    "truncated normal [\(lower), \(upper)]")
        }
    }

    /// A fill of any length, including a last partial group, equals the whole-group fill cut short.
    @Test(arguments: [1, 31, 32, 33, 95, 1000])
    func partialGroupsAreTheLeadingElementsOfWholeOnes(count: Int) throws {
        var exact = [Float](repeating: .nan, count: count)
        var padded = [Float](repeating: .nan, count: (count + 31) / 32 * 32)
        try exact.withUnsafeMutableBufferPointer { try RandomFill.truncatedNormal($0, seed: 8, stream: 2, threads: 1) }
        try padded.withUnsafeMutableBufferPointer { try RandomFill.truncatedNormal($0, seed: 8, stream: 2, threads: 1) }
        #expect(exact == Array(padded.prefix(count)))
    }

    /// The fills' element layout: element 32g + 8j + l is a function of word j of block 8g + l
    /// (for the normal, of that word and its partner in the same block).
    @Test func elementLayoutFollowsTheBlocks() throws {
        var values = [Float](repeating: 0, count: 64)
        try values.withUnsafeMutableBufferPointer { try RandomFill.uniform($0, seed: 21, stream: 3, threads: 1) }
        let uniform = UniformTransform(low: 0, high: 1)
        var normals = [Float](repeating: 0, count: 64)
        try normals.withUnsafeMutableBufferPointer { try RandomFill.normal($0, seed: 21, stream: 3, threads: 1) }
        let normal = NormalTransform(mean: 0, standardDeviation: 1)
        for group in 0..<2 {
            for lane in 0..<8 {
                let block = Philox4x32.block(counter: Philox4x32.counter(block: UInt64(group * 8 + lane), stream: 3),
                                             key: Philox4x32.key(seed: 21))
                let words = [block.0, block.1, block.2, block.3]
                for j in 0..<4 {
                    #expect(values[32 * group + 8 * j + lane] == uniform.value(words[j]))
                    // Exactly (word >> 8) / 2^24: 24 random bits.
                    #expect(Double(values[32 * group + 8 * j + lane]) == Double(words[j] >> 8) / 16_777_216)
                }
                let (a, b) = normal.pair(words[0], words[1])
                let (c, d) = normal.pair(words[2], words[3])
                #expect(normals[32 * group + lane] == a && normals[32 * group + 8 + lane] == b)
                #expect(normals[32 * group + 16 + lane] == c && normals[32 * group + 24 + lane] == d)
            }
        }
    }

    // MARK: - Vector maths against Double

    @Test func vectorLogarithmIsAccurate() {
        var worst = 0.0
        var x: Float = 1e-30
        while x < 1e30 {
            for factor: Float in [1, 1.1, 1.25, 1.4142, 1.5, 1.7, 1.9, 1.99] {
                let value = x * factor
                let exact = Foundation.log(Double(value))
                worst = max(worst, abs(Double(VectorMath.log(value)) - exact) / max(1, abs(exact)))
            }
            x *= 2.3
        }
        #expect(worst < 3e-7)
        for value: Float in [1, 0.999_999_94, 1.000_000_1, 0.999, 1.001, 0.75, 0.5, 0x1p-24] {
            let exact = Foundation.log(Double(value))
            #expect(abs(Double(VectorMath.log(value)) - exact) <= 2e-7 * max(abs(exact), 1e-6) + 1e-12, "\(value)")
        }
    }

    @Test func vectorSquareRootIsAccurate() {
        #expect(VectorMath.squareRoot(0) == 0)
        var x: Float = 1e-30
        while x < 1e30 {
            for factor: Float in [1, 1.3, 2, 3.7] {
                let value = x * factor
                let exact = Double(value).squareRoot()
                #expect(abs(Double(VectorMath.squareRoot(value)) - exact) <= 2.5e-7 * exact, "\(value)")
            }
            x *= 3.1
        }
    }

    @Test func vectorCosineAndSineAreAccurate() {
        var worst = 0.0
        for i in 0..<1000 {
            let phi = Float(-Double.pi / 4 + Double.pi / 2 * Double(i) / 999)
            let (c, s) = VectorMath.cosSin(phi)
            worst = max(worst, abs(Double(c) - cos(Double(phi))), abs(Double(s) - sin(Double(phi))))
        }
        #expect(worst < 2e-7)
    }

    @Test func vectorNormalQuantileIsAccurate() {
        var worst = 0.0
        var t = 1e-7
        while t <= 0.5 {
            let x = VectorMath.lowerNormalQuantile(Float(t))
            // Independent check: Phi(x) must give back t; the error is measured in x units,
            // |dx| = |dPhi| / phi(x), relative to max(1, |x|).
            let recovered = SampleStatistics.normalCDF(Double(x))
            let error = abs(recovered - Double(Float(t))) / SampleStatistics.normalDensity(Double(x))
            worst = max(worst, error / max(1, abs(Double(x))))
            t *= 1.07
        }
        #expect(worst < 2e-6)
    }

    @Test func doubleQuantileInvertsTheCDF() {
        for p in [1e-300, 1e-100, 1e-20, 1e-9, 1e-4, 0.01, 0.2, 0.5, 0.7, 0.99, 1 - 1e-12] {
            let x = StandardNormal.quantile(p)
            let back = p <= 0.5 ? SampleStatistics.normalCDF(x) : 1 - SampleStatistics.normalCDF(x)
            let target = p <= 0.5 ? p : 1 - p
            #expect(abs(back - target) <= 1e-12 * target, "p = \(p): x = \(x)")
        }
    }

    // MARK: - Errors: nothing written

    @Test func invalidArgumentsThrowAndWriteNothing() {
        var values = [Float](repeating: 42, count: 100)
        values.withUnsafeMutableBufferPointer { buffer in
            #expect(throws: VarianceKitError.invalidParameter(name: "high", value: "1.0", expected: "a number > low = 1.0")) {
                try RandomFill.uniform(buffer, low: 1, high: 1, seed: 0)
            }
            #expect(throws: VarianceKitError.invalidParameter(name: "low", value: "nan", expected: "a finite number")) {
                try RandomFill.uniform(buffer, low: .nan, high: 1, seed: 0)
            }
            #expect(throws: VarianceKitError.invalidParameter(name: "high", value: "inf", expected: "a finite number")) {
                try RandomFill.uniform(buffer, low: 0, high: .infinity, seed: 0)
            }
            #expect(throws: VarianceKitError.self) { try RandomFill.uniform(buffer, low: -3e38, high: 3e38, seed: 0) }
            #expect(throws: VarianceKitError.invalidParameter(name: "standardDeviation", value: "0.0", expected: "a finite number > 0")) {
                try RandomFill.normal(buffer, standardDeviation: 0, seed: 0)
            }
            #expect(throws: VarianceKitError.invalidParameter(name: "standardDeviation", value: "-1.0", expected: "a finite number > 0")) {
                try RandomFill.normal(buffer, standardDeviation: -1, seed: 0)
            }
            #expect(throws: VarianceKitError.invalidParameter(name: "mean", value: "nan", expected: "a finite number")) {
                try RandomFill.normal(buffer, mean: .nan, seed: 0)
            }
            #expect(throws: VarianceKitError.invalidParameter(name: "upper", value: "1.0", expected: "a number > lower = 2.0 (bounds in standard deviations)")) {
                try RandomFill.truncatedNormal(buffer, lower: 2, upper: 1, seed: 0)
            }
            #expect(throws: VarianceKitError.invalidParameter(name: "lower", value: "-inf", expected: "a finite number")) {
                try RandomFill.truncatedNormal(buffer, lower: -.infinity, upper: 1, seed: 0)
            }
            #expect(throws: VarianceKitError.self) { try RandomFill.truncatedNormal(buffer, lower: 50, upper: 60, seed: 0) }
            #expect(throws: VarianceKitError.invalidParameter(name: "threads", value: "0", expected: "an integer in 1...4096, or nil for the default")) {
                try RandomFill.normal(buffer, seed: 0, threads: 0)
            }
        }
        #expect(values.allSatisfy { $0 == 42 })
        var matrix = try! Matrix(rows: 3, columns: 3, repeating: 7)
        #expect(throws: VarianceKitError.self) { try RandomFill.normal(&matrix, standardDeviation: .nan, seed: 0) }
        #expect(throws: VarianceKitError.self) { try RandomFill.uniform(&matrix, seed: 0, threads: -1) }
        #expect(throws: VarianceKitError.self) { try RandomFill.truncatedNormal(&matrix, lower: 1, upper: 1, seed: 0) }
        #expect(matrix.elements.allSatisfy { $0 == 7 })
    }

    @Test func emptyBuffersAreFine() throws {
        var empty = [Float]()
        try empty.withUnsafeMutableBufferPointer { try RandomFill.normal($0, seed: 1) }
        var matrix = try Matrix(rows: 0, columns: 5)
        try RandomFill.uniform(&matrix, seed: 1)
        #expect(matrix.count == 0)
    }
}
