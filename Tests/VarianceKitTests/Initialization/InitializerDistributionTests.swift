import Foundation
import Testing
@testable import VarianceKit

/// The distribution a scheme must produce for given fans, written out independently of the
/// library's formulas (Double, straight from the papers' definitions).
enum ExpectedDistribution {
    case uniform(low: Double, high: Double)
    case normal(mean: Double, standardDeviation: Double)
    case truncatedNormal(mean: Double, standardDeviation: Double, lower: Double, upper: Double)

    var moments: (mean: Double, variance: Double, fourth: Double) {
        switch self {
        case let .uniform(low, high):
            let width = high - low
            return ((low + high) / 2, width * width / 12, pow(width, 4) / 80)
        case let .normal(mean, sd):
            return (mean, sd * sd, 3 * pow(sd, 4))
        case let .truncatedNormal(mean, sd, lower, upper):
            let m = SampleStatistics.truncatedNormalMoments(lower: lower, upper: upper)
            return (mean + sd * m.mean, sd * sd * m.variance, pow(sd, 4) * m.fourth)
        }
    }

    func cdf(_ x: Double) -> Double {
        switch self {
        case let .uniform(low, high):
            return min(max((x - low) / (high - low), 0), 1)
        case let .normal(mean, sd):
            return SampleStatistics.normalCDF((x - mean) / sd)
        case let .truncatedNormal(mean, sd, lower, upper):
            let z = min(max((x - mean) / sd, lower), upper)
            let base = SampleStatistics.normalCDF(lower)
            return (SampleStatistics.normalCDF(z) - base) / (SampleStatistics.normalCDF(upper) - base)
        }
    }

    var support: ClosedRange<Double>? {
        switch self {
        case let .uniform(low, high): return low...high
        case .normal: return nil
        case let .truncatedNormal(mean, sd, lower, upper): return (mean + lower * sd)...(mean + upper * sd)
        }
    }
}

struct RandomScheme: CustomTestStringConvertible, Sendable {
    let initializer: Initializer
    let expected: @Sendable (_ fanIn: Double, _ fanOut: Double) -> ExpectedDistribution
    var testDescription: String { "\(initializer)" }
}

@Suite struct InitializerDistributionTests {
    /// `[fanOut, fanIn]` weight shapes of the issue.
    static let shapes: [(rows: Int, columns: Int)] = [(3, 5), (784, 1000), (1000, 10), (1000, 1000)]

    /// The truncated normal's standard deviation at [-2, 2]: 0.8796256610342398 (Keras' constant).
    static let truncationCorrection = 0.879_625_661_034_239_8

    static let schemes: [RandomScheme] = [
        RandomScheme(initializer: .uniform(low: -0.3, high: 0.1)) { _, _ in .uniform(low: -0.3, high: 0.1) },
        RandomScheme(initializer: .normal(mean: 0.2, standardDeviation: 0.05)) { _, _ in .normal(mean: 0.2, standardDeviation: 0.05) },
        RandomScheme(initializer: .truncatedNormal(mean: -0.1, standardDeviation: 0.02, lower: -1, upper: 2.5)) { _, _ in
            .truncatedNormal(mean: -0.1, standardDeviation: 0.02, lower: -1, upper: 2.5)
        },
        RandomScheme(initializer: .standard) { fanIn, _ in .uniform(low: -1 / fanIn.squareRoot(), high: 1 / fanIn.squareRoot()) },
        RandomScheme(initializer: .xavierUniform()) { fanIn, fanOut in
            let limit = (6 / (fanIn + fanOut)).squareRoot()
            return .uniform(low: -limit, high: limit)
        },
        RandomScheme(initializer: .xavierNormal(gain: .value(5.0 / 3.0))) { fanIn, fanOut in
            .normal(mean: 0, standardDeviation: 5.0 / 3.0 * (2 / (fanIn + fanOut)).squareRoot())
        },
        RandomScheme(initializer: .heUniform(.relu)) { fanIn, _ in
            let limit = Double(Float(2.0.squareRoot())) * (3 / fanIn).squareRoot()
            return .uniform(low: -limit, high: limit)
        },
        RandomScheme(initializer: .heNormal(mode: .fanOut, gain: 1)) { _, fanOut in .normal(mean: 0, standardDeviation: 1 / fanOut.squareRoot()) },
        RandomScheme(initializer: .lecunUniform) { fanIn, _ in
            let limit = (3 / fanIn).squareRoot()
            return .uniform(low: -limit, high: limit)
        },
        RandomScheme(initializer: .lecunNormal) { fanIn, _ in .normal(mean: 0, standardDeviation: 1 / fanIn.squareRoot()) },
        RandomScheme(initializer: .varianceScaling(scale: 2, mode: .fanOut, distribution: .uniform)) { _, fanOut in
            let limit = (6 / fanOut).squareRoot()
            return .uniform(low: -limit, high: limit)
        },
        RandomScheme(initializer: .varianceScaling(scale: 0.5, mode: .fanAverage, distribution: .normal)) { fanIn, fanOut in
            .normal(mean: 0, standardDeviation: (0.5 / ((fanIn + fanOut) / 2)).squareRoot())
        },
        RandomScheme(initializer: .varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal)) { fanIn, _ in
            let sd = (1 / fanIn).squareRoot() / truncationCorrection
            return .truncatedNormal(mean: 0, standardDeviation: sd, lower: -2, upper: 2)
        },
    ]

    @Test(arguments: schemes, shapes.indices)
    func samplesFollowTheExactDistribution(scheme: RandomScheme, shapeIndex: Int) throws {
        let (rows, columns) = InitializerDistributionTests.shapes[shapeIndex]
        var weight = try Matrix(rows: rows, columns: columns, repeating: .nan)
        try scheme.initializer.fillWeight(&weight, seed: 20_240_601, stream: UInt64(shapeIndex))
        let expected = scheme.expected(Double(columns), Double(rows))
        let moments = expected.moments

        // The variance the scheme announces before sampling is the distribution's.
        let announced = try #require(scheme.initializer.targetVariance(fanIn: columns, fanOut: rows))
        #expect(abs(announced - moments.variance) <= 1e-6 * moments.variance, "announced \(announced) vs \(moments.variance)")
        // Its bounds are the support, where there is one.
        if let support = expected.support {
            let bounds = try #require(scheme.initializer.bounds(fanIn: columns, fanOut: rows))
            #expect(abs(bounds.lowerBound - support.lowerBound) <= 1e-6 * abs(support.lowerBound) + 1e-9)
            #expect(abs(bounds.upperBound - support.upperBound) <= 1e-6 * abs(support.upperBound) + 1e-9)
        } else {
            #expect(scheme.initializer.bounds(fanIn: columns, fanOut: rows) == nil)
        }

        weight.withUnsafeBufferPointer { values in
            if let support = expected.support {
                // Nothing beyond the bounds (float rounding of the bounds aside).
                let slack = 1e-6 * max(abs(support.lowerBound), abs(support.upperBound))
                let outside = values.filter { !(Double($0) >= support.lowerBound - slack && Double($0) <= support.upperBound + slack) }.count
                #expect(outside == 0)
            } else {
                #expect(values.allSatisfy { $0.isFinite })
            }
            let check = SampleStatistics.momentsAgree(values, mean: moments.mean, variance: moments.variance,
                                                      fourthCentralMoment: moments.fourth)
            #expect(check.ok, "\(scheme.initializer) on \(rows)x\(columns): \(check.message)")
            let distance = SampleStatistics.kolmogorovSmirnov(values, cdf: expected.cdf)
            #expect(distance < SampleStatistics.kolmogorovSmirnovCritical(values.count),
                    "\(scheme.initializer) on \(rows)x\(columns): KS distance \(distance)")
        }
    }

    @Test(arguments: shapes.indices)
    func constantSchemesAreExact(shapeIndex: Int) throws {
        let (rows, columns) = InitializerDistributionTests.shapes[shapeIndex]
        var weight = try Matrix(rows: rows, columns: columns, repeating: .nan)
        for (initializer, value) in [(Initializer.zeros, Float(0)), (.ones, 1), (.constant(-0.75), -0.75)] {
            try initializer.fillWeight(&weight, seed: 1)
            #expect(weight.elements.allSatisfy { $0 == value })
            #expect(initializer.targetVariance(fanIn: columns, fanOut: rows) == 0)
            #expect(initializer.bounds(fanIn: columns, fanOut: rows) == Double(value)...Double(value))
        }
    }

    @Test(arguments: shapes.indices)
    func identityIsExact(shapeIndex: Int) throws {
        let (rows, columns) = InitializerDistributionTests.shapes[shapeIndex]
        var weight = try Matrix(rows: rows, columns: columns, repeating: .nan)
        try Initializer.identity(gain: 1.5).fillWeight(&weight, seed: 1)
        var sum = 0.0, sumOfSquares = 0.0
        weight.withUnsafeBufferPointer { values in
            for r in 0..<rows {
                for c in 0..<columns {
                    let v = values[r * columns + c]
                    #expect(v == (r == c ? 1.5 : 0))
                    sum += Double(v); sumOfSquares += Double(v) * Double(v)
                }
            }
        }
        let n = Double(rows * columns)
        let variance = sumOfSquares / n - (sum / n) * (sum / n)
        let announced = try #require(Initializer.identity(gain: 1.5).targetVariance(fanIn: columns, fanOut: rows))
        #expect(abs(announced - variance) <= 1e-12)
        #expect(Initializer.identity(gain: 1.5).bounds(fanIn: columns, fanOut: rows) == 0...1.5)
    }

    @Test(arguments: shapes.indices)
    func sparseZeroesAFixedFractionOfEachColumn(shapeIndex: Int) throws {
        let (rows, columns) = InitializerDistributionTests.shapes[shapeIndex]
        let sparsity: Float = 0.3
        let deviation: Float = 0.01
        var weight = try Matrix(rows: rows, columns: columns, repeating: .nan)
        let initializer = Initializer.sparse(sparsity: sparsity, standardDeviation: deviation)
        try initializer.fillWeight(&weight, seed: 99, stream: 4)
        let zerosPerColumn = SparseCountTests.decimalZeroCount(sparsity: sparsity, rows: rows)
        var nonzero = [Float]()
        nonzero.reserveCapacity(rows * columns)
        var zerosPerRow = [Int](repeating: 0, count: rows)
        weight.withUnsafeBufferPointer { values in
            for c in 0..<columns {
                var zeros = 0
                for r in 0..<rows {
                    let v = values[r * columns + c]
                    if v == 0 { zeros += 1; zerosPerRow[r] += 1 } else { nonzero.append(v) }
                }
                #expect(zeros == zerosPerColumn)
            }
        }
        // Announced variance: sd^2 (1 - zeros/rows).
        let announced = try #require(initializer.targetVariance(fanIn: columns, fanOut: rows))
        let exact = Double(deviation) * Double(deviation) * (1 - Double(zerosPerColumn) / Double(rows))
        #expect(abs(announced - exact) <= 1e-9 * exact)
        // The rest is N(0, sd^2).
        let sd = Double(deviation)
        nonzero.withUnsafeBufferPointer { values in
            let check = SampleStatistics.momentsAgree(values, mean: 0, variance: sd * sd, fourthCentralMoment: 3 * pow(sd, 4))
            #expect(check.ok, "\(check.message)")
            let distance = SampleStatistics.kolmogorovSmirnov(values) { SampleStatistics.normalCDF($0 / sd) }
            #expect(distance < SampleStatistics.kolmogorovSmirnovCritical(values.count))
        }
        // Zero rows are chosen at random: with many columns, each row is zero in about
        // columns * zerosPerColumn / rows of them (binomial, 6 standard errors).
        if columns >= 1000 {
            let p = Double(zerosPerColumn) / Double(rows)
            let expected = Double(columns) * p
            let error = (Double(columns) * p * (1 - p)).squareRoot()
            #expect(zerosPerRow.allSatisfy { abs(Double($0) - expected) < 6 * error })
        }
    }
}
