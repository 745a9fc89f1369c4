import Testing
import VarianceKit

/// An optimizer step consumes a network's gradients: a second step without a new backward pass
/// is refused, and a probe no longer reports the consumed buffers as dL/dW.
@Suite struct GradientGuardTests {
    static func trainedOnce() throws -> (Network, Matrix) {
        let network = try Network(widths: [6, 5, 3], activation: .tanh, initializer: .xavierNormal(), seed: 2)
        var random = TestRandom(seed: 9)
        let input = random.matrix(4, 6)
        try network.forward(input)
        try network.backward(loss: .quadratic)
        return (network, input)
    }

    static func weights(_ network: Network) -> [Matrix] {
        var values: [Matrix] = []
        network.forEachParameter { _, value, _ in values.append(value) }
        return values
    }

    @Test(arguments: ["sgd", "momentum", "adam"])
    func secondStepWithoutBackwardIsRefused(kind: String) throws {
        let (network, input) = try Self.trainedOnce()
        let optimizer: any Optimizer = switch kind {
        case "sgd": try SGD(learningRate: 0.1)
        case "momentum": try SGD(learningRate: 0.1, momentum: 0.9)
        default: try Adam(learningRate: 0.01)
        }
        #expect(network.gradientsAreCurrent)
        try optimizer.step(network)
        #expect(!network.gradientsAreCurrent)
        let after = Self.weights(network)
        let states = (0..<2).map { optimizer.state(for: ParameterID(layer: $0, kind: .weight)) }
        #expect {
            try optimizer.step(network)
        } throws: { error in
            guard case let .outOfOrder(operation, _) = error as? VarianceKitError else { return false }
            return operation.hasSuffix(".step")
        }
        // Refused: nothing written, no state advanced.
        #expect(Self.weights(network) == after)
        #expect((0..<2).map { optimizer.state(for: ParameterID(layer: $0, kind: .weight)) } == states)
        // A new backward pass makes the gradients current again.
        try network.forward(input)
        try network.backward(loss: .quadratic)
        try optimizer.step(network)
        #expect(Self.weights(network) != after)
    }

    @Test func zeroedGradientsMayBeAccumulatedAndStepped() throws {
        let (network, input) = try Self.trainedOnce()
        let optimizer = try SGD(learningRate: 0.1)
        try optimizer.step(network)
        try network.zeroGradients()
        try network.forward(input)
        try network.backward(loss: .quadratic, accumulate: true)
        try optimizer.step(network)
    }

    @Test func reinitializedNetworkHasNoGradientsToStepOn() throws {
        let (network, _) = try Self.trainedOnce()
        try network.reinitialize(weights: .xavierUniform(), seed: 5)
        #expect(throws: VarianceKitError.self) { try SGD(learningRate: 0.1).step(network) }
    }

    @Test func probeAfterAStepDoesNotReportTheConsumedGradient() throws {
        let (network, _) = try Self.trainedOnce()
        let before = network.probe(step: 0)
        #expect(before.layers.allSatisfy { $0.weightGradient != nil && $0.biasGradient != nil })
        try SGD(learningRate: 0.1).step(network)
        let after = network.probe(step: 1)
        #expect(after.layers.allSatisfy { $0.weightGradient == nil && $0.biasGradient == nil })
        // dL/dZ is not consumed by the step and is still reported.
        #expect(after.layers.allSatisfy { $0.preActivationGradient != nil })
    }

    /// `backward` returns the loss in Double, the type of `lastLoss` and of the step's penalty.
    @Test func lossAndPenaltyAddUp() throws {
        let (network, input) = try Self.trainedOnce()
        try network.forward(input)
        let dataLoss: Double = try network.backward(loss: .quadratic)
        #expect(dataLoss == network.lastLoss)
        let summary = try SGD(learningRate: 0.1, penalty: .l2(lambda: 1, normalizer: 1)).step(network)
        let objective = dataLoss + summary.penaltyValue
        #expect(objective > dataLoss)
    }
}
