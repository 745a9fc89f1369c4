import Foundation
import Testing
@testable import VarianceKit

/// The probe's variance of `scale z`, `z ~ N(0, 1)`, from Float's smallest normal scales to its
/// large ones, on both moments paths, against a naive Double reference on the same Floats.
@Suite struct StatisticsScaleTests {
    /// `scale z` rounded to Float, `z` standard normal by Box-Muller in Double, plus `offset`.
    static func normals(count: Int, scale: Double, offset: Double = 0, seed: UInt64) -> [Float] {
        var random = TestRandom(seed: seed)
        return (0..<count).map { _ in
            let u = (Double(random.nextUInt64() >> 11) + 1) * 0x1p-53
            let angle = Double(random.nextUInt64() >> 11) * 0x1p-53 * 2 * Double.pi
            return Float(offset + scale * (-2 * log(u)).squareRoot() * cos(angle))
        }
    }

    /// Population variance of the finite values, two passes in Double.
    static func naiveVariance(_ values: [Float]) -> Double {
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
        return values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(values.count)
    }

    @Test(arguments: [1, 1e-10, 1e-20, 1e-22, 1e-25, 1e-30, 1e-37, 1e18, 1e30])
    func varianceKeepsItsRelativePrecision(scale: Double) throws {
        // Lengths that end mid-vector and mid-block, so the scalar tails are scaled too.
        for count in [1000, 50_003] {
            let values = Self.normals(count: count, scale: scale, seed: UInt64(count))
            let reference = Self.naiveVariance(values)
            #expect(reference > 0)
            for path in KernelPath.available {
                let statistics = values.withUnsafeBufferPointer {
                    TensorStatistics.measure($0.baseAddress!, count: count, options: .standard, path: path)
                }
                let variance = try #require(statistics.variance)
                #expect(abs(variance - reference) <= 1e-6 * reference,
                        "scale \(scale), \(count) values, path \(path): \(variance) vs \(reference), relative \(abs(variance - reference) / reference)")
                #expect(statistics.minimum == values.min().map(Double.init) && statistics.maximum == values.max().map(Double.init))
            }
        }
    }

    /// A small spread on a large offset, and blocks of very different scales in one tensor.
    @Test func offsetsAndMixedScales() throws {
        let offset = Self.normals(count: 4100, scale: 1e-25, offset: 3e-23, seed: 4)
        var mixed = Self.normals(count: 3 * 1024, scale: 1e-30, seed: 5)
        mixed += Self.normals(count: 1024, scale: 1, seed: 6)
        mixed += Self.normals(count: 1500, scale: 1e-36, seed: 7)
        for values in [offset, mixed] {
            let reference = Self.naiveVariance(values)
            for path in KernelPath.available {
                let statistics = values.withUnsafeBufferPointer {
                    TensorStatistics.measure($0.baseAddress!, count: values.count, options: .standard, path: path)
                }
                let variance = try #require(statistics.variance)
                #expect(abs(variance - reference) <= 1e-6 * reference, "path \(path): \(variance) vs \(reference)")
            }
        }
    }

    /// Entries all equal keep a variance of exactly 0, at any scale.
    @Test(arguments: [Float(1e-30), 1, .leastNonzeroMagnitude])
    func constantEntriesHaveZeroVariance(value: Float) throws {
        let values = [Float](repeating: value, count: 2000)
        for path in KernelPath.available {
            let statistics = values.withUnsafeBufferPointer {
                TensorStatistics.measure($0.baseAddress!, count: values.count, options: .standard, path: path)
            }
            #expect(statistics.variance == 0)
        }
    }

    /// A deep tanh network with the standard scheme shrinks its signal by about 3x per layer; at
    /// layer 100 the activations are about 1e-24, whose squares underflow Float, and the probe
    /// still reports their variance.
    @Test func deepTanhNetworkReportsTinyVariances() throws {
        let depth = 100
        let network = try Network(widths: [Int](repeating: 32, count: depth + 1), activation: .tanh,
                                  initializer: .standard, bias: false, seed: 3)
        var random = TestRandom(seed: 9)
        try network.forward(random.matrix(16, 32).map(scale: 1.7))
        let probe = network.probe(step: 0)
        for layer in [depth / 2, depth - 1] {
            let values = network.activation(ofLayer: layer).elements
            let reference = Self.naiveVariance(values)
            let variance = try #require(probe.layers[layer].activation?.variance)
            #expect(reference > 0 && reference < 1e-40 || layer != depth - 1, "layer \(layer + 1): \(reference)")
            #expect(abs(variance - reference) <= 1e-6 * reference, "layer \(layer + 1): \(variance) vs \(reference)")
        }
    }
}
