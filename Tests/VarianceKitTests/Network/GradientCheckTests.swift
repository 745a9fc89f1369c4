import Foundation
import Testing
@testable import VarianceKit

/// Back-propagation against central finite differences of an independent Double reference.
@Suite struct GradientCheckTests {
    struct Case: CustomStringConvertible, Sendable {
        var activation: Activation
        var bias: Bool
        var loss: String
        var description: String { "\(activation), bias: \(bias), \(loss)" }
    }

    static let activationCases: [Case] = allActivations.flatMap { activation in
        [true, false].map { Case(activation: activation, bias: $0, loss: "quadratic") }
    }
    static let lossCases: [Case] = ["mse", "softmax-cross-entropy", "random-readout", "quadratic"].flatMap { loss in
        [Activation.tanh, .linear].flatMap { activation in [true, false].map { Case(activation: activation, bias: $0, loss: loss) } }
    }

    /// Builds the loss pair (VarianceKit, reference) for a batch of `batch` rows and `outputs` columns.
    static func losses(_ name: String, batch: Int, outputs: Int, random: inout TestRandom) throws -> (Loss, ReferenceLoss) {
        switch name {
        case "mse":
            let targets = random.matrix(batch, outputs)
            return (.meanSquaredError(targets: targets), .meanSquaredError(targets.doubleRows))
        case "softmax-cross-entropy":
            let labels = (0..<batch).map { _ in Int(random.nextUInt64() % UInt64(outputs)) }
            return (.softmaxCrossEntropy(labels: labels), .softmaxCrossEntropy(labels))
        case "random-readout":
            let loss = Loss.randomReadout(seed: 99)
            let r = try Loss.readoutMatrix(seed: 99, rows: batch, columns: outputs).doubleRows
            return (loss, .randomReadout(r))
        default:
            return (.quadratic, .quadratic)
        }
    }

    @Test(arguments: activationCases + lossCases)
    func gradientsMatchFiniteDifferences(_ testCase: Case) throws {
        let widths = [5, 6, 4, 3]
        let batch = 4
        var random = TestRandom(seed: 2024)
        let network = try NetworkFixture.make(
            widths: widths, activations: Array(repeating: testCase.activation, count: 3),
            bias: testCase.bias, seed: 7)
        let input = random.matrix(batch, widths[0])
        let (loss, referenceLoss) = try Self.losses(testCase.loss, batch: batch, outputs: widths.last!, random: &random)

        try network.forward(input)
        let value = try network.backward(loss: loss)

        let reference = ReferenceNetwork(network)
        let x = input.doubleRows
        let numeric = reference.numericGradients(x, referenceLoss)
        let analytic = reference.backward(x, referenceLoss)
        let expectedLoss = reference.loss(x, referenceLoss)
        #expect(Swift.abs(Double(value) - expectedLoss) <= 1e-5 * max(1, Swift.abs(expectedLoss)))

        for l in 0..<3 {
            let layer = network.layers[l]
            let numericW = numeric.dw[l].flatMap { $0 }
            // The reference differentiated: analytic vs its own finite differences.
            #expect(relativeError(analytic.dw[l].flatMap { $0 }, numericW) < 1e-6, "reference dW layer \(l)")
            // Float32 network vs the reference.
            #expect(relativeError(layer.weightGradient.doubleElements, numericW) < 1e-3, "dW layer \(l): \(testCase)")
            if testCase.bias {
                #expect(relativeError(analytic.db[l], numeric.db[l]) < 1e-6, "reference db layer \(l)")
                #expect(relativeError(try #require(layer.biasGradient).doubleElements, numeric.db[l]) < 1e-3, "db layer \(l): \(testCase)")
            } else {
                #expect(layer.biasGradient == nil)
            }
        }
    }

    /// Three layers of different activations and widths: every Z, A, dL/dZ, dW, db against the
    /// naive Double reference, entry by entry.
    @Test(arguments: [Activation.tanh, .relu, .selu])
    func threeLayerForwardBackwardMatchesReference(_ hidden: Activation) throws {
        let widths = [13, 17, 9, 5]
        let batch = 7
        var random = TestRandom(seed: 5)
        let network = try NetworkFixture.make(
            widths: widths, activations: [hidden, .sigmoid, .linear], bias: true, seed: 3)
        let input = random.matrix(batch, widths[0])
        let targets = random.matrix(batch, widths[3])
        let output = try network.forward(input)
        try network.backward(loss: .meanSquaredError(targets: targets), computeInputGradient: true)

        let reference = ReferenceNetwork(network)
        let x = input.doubleRows
        let (zs, as_) = reference.forward(x)
        let (dzs, dws, dbs) = reference.backward(x, .meanSquaredError(targets.doubleRows))
        func close(_ actual: [Double], _ expected: [Double], _ what: String) {
            let scale = max(expected.map { Swift.abs($0) }.max() ?? 0, 1e-30)
            for i in actual.indices {
                #expect(Swift.abs(actual[i] - expected[i]) <= 1e-5 * scale, "\(what)[\(i)]: \(actual[i]) vs \(expected[i])")
            }
        }
        for l in 0..<3 {
            close(network.preActivation(ofLayer: l).doubleElements, zs[l].flatMap { $0 }, "Z\(l)")
            close(network.activation(ofLayer: l).doubleElements, as_[l].flatMap { $0 }, "A\(l)")
            close(network.preActivationGradient(ofLayer: l).doubleElements, dzs[l].flatMap { $0 }, "dZ\(l)")
            close(network.layers[l].weightGradient.doubleElements, dws[l].flatMap { $0 }, "dW\(l)")
            close(try #require(network.layers[l].biasGradient).doubleElements, dbs[l], "db\(l)")
        }
        close(output.doubleElements, as_[2].flatMap { $0 }, "output")
        // dL/dX = dZ_0 W_0.
        let expectedInputGradient = dzs[0].map { row in
            (0..<widths[0]).map { i in row.indices.reduce(0.0) { $0 + row[$1] * reference.weights[0][$1][i] } }
        }
        close(try #require(network.inputGradient).doubleElements, expectedInputGradient.flatMap { $0 }, "dX")
    }

    @Test func accumulateAddsAndOverwriteReplaces() throws {
        let network = try NetworkFixture.make(widths: [4, 3, 2], activations: [.tanh, .linear], bias: true, seed: 1)
        var random = TestRandom(seed: 8)
        try network.forward(random.matrix(5, 4))
        try network.backward(loss: .quadratic)
        let once = network.layers[0].weightGradient.doubleElements
        let onceBias = try #require(network.layers[1].biasGradient).doubleElements
        try network.backward(loss: .quadratic, accumulate: true)
        for (a, b) in zip(network.layers[0].weightGradient.doubleElements, once) { #expect(Swift.abs(a - 2 * b) <= 1e-6 * max(1, Swift.abs(b))) }
        for (a, b) in zip(try #require(network.layers[1].biasGradient).doubleElements, onceBias) { #expect(Swift.abs(a - 2 * b) <= 1e-6 * max(1, Swift.abs(b))) }
        try network.backward(loss: .quadratic)
        #expect(network.layers[0].weightGradient.doubleElements == once)
        try network.zeroGradients()
        #expect(network.layers[0].weightGradient.elements.allSatisfy { $0 == 0 })
    }

    /// Softmax cross-entropy stays finite and exact with logits far beyond exp's range.
    @Test func softmaxCrossEntropyIsStable() throws {
        let logits = try Matrix([[1000, 0, -1000], [-5000, -5001, -4999]])
        let loss = Loss.softmaxCrossEntropy(labels: [0, 2])
        let value = try loss.value(of: logits)
        // Row 1: log(1 + e^-1000 + ...) ≈ 0; row 2: logsumexp(-1, -2, 0) - 0 relative to the max.
        let row2 = Foundation.log(1 + Foundation.exp(-1.0) + Foundation.exp(-2.0))
        #expect(Swift.abs(value - row2 / 2) < 1e-6)
        let gradient = try loss.gradient(of: logits)
        #expect(gradient.elements.allSatisfy { $0.isFinite })
        #expect(Swift.abs(gradient[0, 0]) < 1e-7)
    }
}
