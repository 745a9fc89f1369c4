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

    @Test func failureToConvergeThrowsNamingTheLayer() throws {
        // Sigmoid activations lie in (0, 1): their variance can never reach 1.
        let network = try Network(widths: [16, 16, 16], activation: .sigmoid, initializer: .standard, seed: 1)
        let data = try VariancePropagationTests.gaussianBatch(64, 16, seed: 1)
        do {
            try network.initializeLSUV(data: data, seed: 1, maximumIterations: 5, quantity: .activation)
            Issue.record("expected LSUV to fail")
        } catch let error as VarianceKitError {
            #expect(error.description.contains("layer 1 of 2"), "\(error)")
            guard case let .notConverged(_, layer, iterations, _, _) = error else { Issue.record("wrong case \(error)"); return }
            #expect(layer == 1 && iterations == 5)
            #expect(error.description.contains("after 5 iterations"), "\(error)")
        }
        // Zero data: zero variance, nothing to rescale.
        #expect(throws: VarianceKitError.self) {
            try network.initializeLSUV(data: Matrix(rows: 8, columns: 16), seed: 1)
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
