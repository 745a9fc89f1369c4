import Foundation
import Testing
import VarianceKit

@Suite struct LSUVTests {
    @Test(arguments: [Activation.tanh, .relu])
    func everyLayerEndsWithUnitVariance(_ activation: Activation) throws {
        let network = try Network(widths: [64, 128, 128, 128, 32], activation: activation,
                                  initializer: .standard, seed: 5)
        let data = try VariancePropagationTests.gaussianBatch(256, 64, seed: 3)
        let report = try network.initializeLSUV(data: data, seed: 11, tolerance: 0.02)
        #expect(report.layers.count == 4)
        try network.forward(data)
        for l in 0..<4 {
            let variance = VariancePropagationTests.variance(network.preActivation(ofLayer: l))
            #expect(Swift.abs(variance - 1) <= 0.02, "layer \(l + 1): Var(Z) = \(variance)")
            #expect(Swift.abs(report.layers[l].finalVariance - variance) < 1e-4)
            // W is the orthogonal draw times the reported scale: rows orthonormal up to scale² (rows <= columns).
            let w = network.layers[l].weight
            let scale = report.layers[l].scale
            if w.rows <= w.columns {
                for i in [0, w.rows / 2, w.rows - 1] {
                    for j in [0, w.rows - 1] {
                        let dot = (0..<w.columns).reduce(0.0) { $0 + Double(w[i, $1]) * Double(w[j, $1]) }
                        #expect(Swift.abs(dot - (i == j ? scale * scale : 0)) < 1e-4 * max(1, scale * scale))
                    }
                }
            }
            #expect(network.layers[l].bias?.elements.allSatisfy { $0 == 0 } == true)
        }
    }

    /// Algorithm 1 of Mishkin & Matas: after `T_max` rescalings a layer is kept as it is and the
    /// next one follows; nothing throws. A tanh network asked for unit activation variance cannot
    /// get there (|tanh| < 1), yet every layer is processed and reported.
    @Test func layersThatDoNotConvergeAreKeptAndTheNextFollows() throws {
        let network = try Network(widths: [16, 16, 16, 16], activation: .tanh, initializer: .standard, seed: 1)
        let data = try VariancePropagationTests.gaussianBatch(64, 16, seed: 1)
        let report = try network.initializeLSUV(data: data, seed: 1, maximumIterations: 5, quantity: .activation)
        #expect(report.layers.count == 3)
        #expect(!report.converged)
        for layer in report.layers {
            #expect(!layer.converged && layer.iterations == 5, "\(layer)")
            #expect(layer.finalVariance < 1 && layer.finalVariance > layer.initialVariance)
        }
        // The weights really were rescaled: the first layer's weight is 'scale' times its orthogonal start.
        var start = try Matrix(rows: 16, columns: 16)
        try Initializer.orthogonal(gain: 1).fillWeight(&start, seed: 1, stream: RandomStream.weight(layer: 0).id)
        let ratio = Double(network.layers[0].weight[0, 0]) / Double(start[0, 0])
        #expect(abs(ratio - report.layers[0].scale) < 1e-4 * report.layers[0].scale)
        // Pre-activations converge in one step each (Var(Z) is quadratic in W's scale).
        let converged = try network.initializeLSUV(data: data, seed: 1, quantity: .preActivation)
        #expect(converged.converged && converged.layers.allSatisfy { $0.iterations <= 2 })
        // Zero data: zero variance, nothing to rescale: that is an error, naming the layer.
        #expect {
            try network.initializeLSUV(data: Matrix(rows: 8, columns: 16), seed: 1)
        } throws: { error in
            guard case let .notConverged(_, layer, _, _, _) = error as? VarianceKitError else { return false }
            return layer == 1
        }
    }

    @Test func badArgumentsThrow() throws {
        let network = try Network(widths: [4, 4], activation: .tanh, initializer: .standard, seed: 1)
        let data = try VariancePropagationTests.gaussianBatch(8, 4, seed: 1)
        #expect(throws: VarianceKitError.self) { try network.initializeLSUV(data: data, seed: 1, tolerance: 0) }
        #expect(throws: VarianceKitError.self) { try network.initializeLSUV(data: data, seed: 1, tolerance: .nan) }
        #expect(throws: VarianceKitError.self) { try network.initializeLSUV(data: data, seed: 1, maximumIterations: 0) }
        #expect(throws: VarianceKitError.self) { try network.initializeLSUV(data: Matrix(rows: 8, columns: 5), seed: 1) }
        #expect(throws: VarianceKitError.self) { try network.initializeLSUV(data: Matrix(rows: 1, columns: 1), seed: 1) }
    }
}

@Suite struct LSUVNonFiniteTests {
    /// A batch holding inf makes the first layer's pre-activations non-finite: the error names
    /// the layer and the tensor as values, not prose.
    @Test func nonFiniteDataIsReportedWithItsLocation() throws {
        let network = try Network(widths: [4, 4, 2], activation: .tanh, initializer: .xavierNormal(), seed: 1)
        var data = try Matrix(rows: 8, columns: 4, repeating: 0.5)
        data[3, 2] = .infinity
        #expect(throws: VarianceKitError.nonFinite(NonFiniteLocation(step: 0, layer: 0, tensor: .preActivation))) {
            try network.initializeLSUV(data: data, seed: 1)
        }
    }
}
