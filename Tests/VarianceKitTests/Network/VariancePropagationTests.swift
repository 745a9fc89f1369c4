import Foundation
import Testing
import VarianceKit

/// The variance-propagation facts of the Initialization article, measured on real networks.
@Suite struct VariancePropagationTests {
    /// `[batch, features]` of i.i.d. N(0, 1).
    static func gaussianBatch(_ rows: Int, _ columns: Int, seed: UInt64) throws -> Matrix {
        var x = try Matrix(rows: rows, columns: columns)
        try Initializer.normal(mean: 0, standardDeviation: 1).fill(&x, fanIn: columns, fanOut: rows, seed: seed, stream: 77)
        return x
    }

    static func variance(_ m: Matrix) -> Double { NaiveStatistics(m.elements).variance }

    /// Linear, width 512, depth 10: `standard` multiplies the forward variance by
    /// `n Var(W) = 1/3` per layer, and the back-propagated one by 1/3 per layer going down.
    @Test func standardShrinksVarianceByAThirdPerLayer() throws {
        let network = try Network(widths: Array(repeating: 512, count: 11), activation: .linear,
                                  initializer: .standard, bias: false, seed: 2016)
        let x = try Self.gaussianBatch(256, 512, seed: 1)
        try network.forward(x)
        try network.backward(loss: .randomReadout(seed: 3))
        var previous = Self.variance(x)
        for l in 0..<10 {
            let current = Self.variance(network.preActivation(ofLayer: l))
            let ratio = current / previous
            #expect(ratio > 0.30 && ratio < 0.37, "layer \(l + 1): Var ratio \(ratio), expected about one third")
            previous = current
        }
        let total = Self.variance(network.preActivation(ofLayer: 9)) / Self.variance(x)
        #expect(total > pow(0.30, 10) && total < pow(0.37, 10), "10 layers: \(total) vs 3^-10 = \(Foundation.pow(1.0 / 3.0, 10.0))")
        for l in 0..<9 {
            let ratio = Self.variance(network.preActivationGradient(ofLayer: l)) / Self.variance(network.preActivationGradient(ofLayer: l + 1))
            #expect(ratio > 0.30 && ratio < 0.37, "backward layer \(l + 1): ratio \(ratio)")
        }
    }

    /// Linear, width 512, depth 10: `xavierUniform` keeps forward and backward variance within
    /// 10% of where it started.
    @Test func xavierUniformKeepsVarianceNearOne() throws {
        let network = try Network(widths: Array(repeating: 512, count: 11), activation: .linear,
                                  initializer: .xavierUniform(), bias: false, seed: 2010)
        let x = try Self.gaussianBatch(256, 512, seed: 2)
        try network.forward(x)
        try network.backward(loss: .randomReadout(seed: 4))
        let inputVariance = Self.variance(x)
        let topGradientVariance = Self.variance(network.preActivationGradient(ofLayer: 9))
        // Top gradient: dL/dA = R/B, so Var = 1/B².
        #expect(Swift.abs(topGradientVariance * 256 * 256 - 1) < 0.05)
        for l in 0..<10 {
            let forward = Self.variance(network.preActivation(ofLayer: l)) / inputVariance
            #expect(Swift.abs(forward - 1) < 0.1, "layer \(l + 1): forward variance \(forward)")
            let backward = Self.variance(network.preActivationGradient(ofLayer: l)) / topGradientVariance
            #expect(Swift.abs(backward - 1) < 0.1, "layer \(l + 1): backward variance \(backward)")
        }
    }
}
