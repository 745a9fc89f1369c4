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
    }

    // MARK: - Determinism

    static let fills: [String] = ["uniform", "normal", "truncated"]

    static func fill(_ kind: String, _ buffer: UnsafeMutableBufferPointer<Float>, seed: UInt64, stream: UInt64, threads: Int) throws {
        switch kind {
        case "uniform": try RandomFill.uniform(buffer, low: -1, high: 1, seed: seed, stream: stream, threads: threads)
        case "normal": try RandomFill.normal(buffer, seed: seed, stream: stream, threads: threads)
        default: try RandomFill.truncatedNormal(buffer, lower: -3, upper: 2, seed: seed, stream: stream, threads: threads)
        }
    }

    @Test(arguments: fills)
    func bitIdenticalWhateverTheThreadCount(kind: String) throws {
        // 200 003 elements: several threads' worth, and a partial last group.
        let count = 200_003
        var one = [Float](repeating: 0, count: count)
        var two = [Float](repeating: 0, count: count)
        var three = [Float](repeating: 0, count: count)
        var again = [Float](repeating: 0, count: count)
        try one.withUnsafeMutableBufferPointer { try RandomFillTests.fill(kind, $0, seed: 77, stream: 3, threads: 1) }
        try two.withUnsafeMutableBufferPointer { try RandomFillTests.fill(kind, $0, seed: 77, stream: 3, threads: 2) }
        try three.withUnsafeMutableBufferPointer { try RandomFillTests.fill(kind, $0, seed: 77, stream: 3, threads: 3) }
        try again.withUnsafeMutableBufferPointer { try RandomFillTests.fill(kind, $0, seed: 77, stream: 3, threads: 2) }
        #expect(one == two)
        #expect(one == three)
        #expect(two == again)
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

    // MARK: - Vector maths against Double

    @Test func vectorLogarithmIsAccurate() {
        var worst = 0.0
        var x: Float = 1e-30
        while x < 1e30 {
            let lanes = SIMD8<Float>(x, x * 1.1, x * 1.25, x * 1.4142, x * 1.5, x * 1.7, x * 1.9, x * 1.99)
            let result = VectorMath.log(lanes)
            for lane in 0..<8 {
                let exact = Foundation.log(Double(lanes[lane]))
                worst = max(worst, abs(Double(result[lane]) - exact) / max(1, abs(exact)))
            }
            x *= 2.3
        }
        #expect(worst < 3e-7)
        let nearOne = VectorMath.log(SIMD8<Float>(1, 0.999_999_94, 1.000_000_1, 0.999, 1.001, 0.75, 0.5, 0x1p-24))
        let expected: [Double] = [1, 0.999_999_94, 1.000_000_1, 0.999, 1.001, 0.75, 0.5, 0x1p-24].map { Foundation.log(Double(Float($0))) }
        for lane in 0..<8 {
            #expect(abs(Double(nearOne[lane]) - expected[lane]) <= 2e-7 * max(abs(expected[lane]), 1e-6) + 1e-12)
        }
    }

    @Test func vectorCosineAndSineAreAccurate() {
        var worst = 0.0
        for i in 0..<1000 {
            let phi = Float(-Double.pi / 4 + Double.pi / 2 * Double(i) / 999)
            let (c, s) = VectorMath.cosSin(SIMD8(repeating: phi))
            worst = max(worst, abs(Double(c[0]) - cos(Double(phi))), abs(Double(s[0]) - sin(Double(phi))))
        }
        #expect(worst < 2e-7)
    }

    @Test func vectorNormalQuantileIsAccurate() {
        var worst = 0.0
        var t = 1e-7
        while t <= 0.5 {
            let x = VectorMath.lowerNormalQuantile(SIMD8(repeating: Float(t)))[0]
            // Independent check: Phi(x) must give back t (in relative terms).
            let recovered = SampleStatistics.normalCDF(Double(x))
            let exactT = Double(Float(t))
            // |dx| = |dPhi| / phi(x); compare in x units.
            let error = abs(recovered - exactT) / SampleStatistics.normalDensity(Double(x))
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
