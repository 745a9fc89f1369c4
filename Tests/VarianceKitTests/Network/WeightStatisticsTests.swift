import Foundation
import Testing
@testable import VarianceKit

/// `Network.weightStatistics()` and the two reports built on it, against weights whose squares
/// and zeros are counted in exact integer arithmetic.
@Suite struct WeightStatisticsTests {
    /// Element `i` of layer `l` is `((i + l) mod 5 - 2) / 2`, one of -1, -1/2, 0, 1/2, 1, except
    /// element 1 of each layer, which is -0 (a zero too). Every square is a multiple of 1/4, so
    /// the sums are exact: `Σ ((i + l) mod 5 - 2)^2` counted as integers, over 4.
    static func network() throws -> Network {
        let network = try Network(widths: [4, 3, 5], activation: .tanh, initializer: .xavierUniform(), seed: 1)
        for (index, layer) in network.layers.enumerated() {
            var weight = layer.weight
            weight.withUnsafeMutableBufferPointer { w in
                for i in w.indices { w[i] = Float((i + index) % 5 - 2) / 2 }
                w[1] = -0.0
            }
            try layer.setWeight(weight)
        }
        return network
    }

    static func expected(layer: Int, count: Int) -> (quarterSquares: Int, zeros: Int) {
        var squares = 0, zeros = 0
        for i in 0..<count where i != 1 {
            let k = (i + layer) % 5 - 2
            squares += k * k
            if k == 0 { zeros += 1 }
        }
        return (squares, zeros + 1)
    }

    @Test func perLayerSumsZerosAndCountsAreExact() throws {
        let network = try Self.network()
        let statistics = network.weightStatistics()
        #expect(statistics.count == 2)
        for (layer, (entry, count)) in zip(statistics, [12, 15]).enumerated() {
            let (quarterSquares, zeros) = Self.expected(layer: layer, count: count)
            #expect(entry.count == count)
            #expect(entry.sumOfSquares == Double(quarterSquares) / 4)
            #expect(entry.exactZeros == zeros)
            #expect(entry.norm == (Double(quarterSquares) / 4).squareRoot())
            #expect(entry.zeroFraction == Double(zeros) / Double(count))
        }
        #expect(WeightMatrixStatistics(sumOfSquares: 0, exactZeros: 0, count: 0).zeroFraction == 0)
    }

    @Test func regularizationReportsAddTheLayers() throws {
        let network = try Self.network()
        let first = Self.expected(layer: 0, count: 12), second = Self.expected(layer: 1, count: 15)
        #expect(RegularizationExperiment.weightNorm(network) == (Double(first.quarterSquares + second.quarterSquares) / 4).squareRoot())
        let (overall, byLayer) = RegularizationExperiment.sparsity(network)
        #expect(overall == Double(first.zeros + second.zeros) / 27)
        #expect(byLayer == [Double(first.zeros) / 12, Double(second.zeros) / 15])
    }
}
