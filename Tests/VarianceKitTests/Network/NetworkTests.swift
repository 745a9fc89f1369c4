import Foundation
import Testing
import VarianceKit

@Suite struct NetworkTests {
    // MARK: Bad input

    @Test func emptyNetworkThrows() throws {
        #expect(throws: VarianceKitError.self) { try Network(layers: []) }
        #expect(throws: VarianceKitError.self) {
            try Network(inputs: 4, layers: [], seed: 1)
        }
        #expect(throws: VarianceKitError.self) {
            try Network(widths: [4], activation: .tanh, initializer: .standard, seed: 1)
        }
    }

    @Test func mismatchedWidthsNameBothLayers() throws {
        let first = try Dense(inputs: 4, outputs: 3)
        let second = try Dense(inputs: 5, outputs: 2)
        do {
            _ = try Network(layers: [first, second])
            Issue.record("expected a shape mismatch")
        } catch let error as VarianceKitError {
            guard case let .shapeMismatch(mismatch) = error else { Issue.record("wrong case \(error)"); return }
            #expect(mismatch.operand == "layer 2 weight" && mismatch.actual == [2, 5] && mismatch.expected == [nil, 3])
            #expect(error.description.contains("layer 1 produces 3"))
        }
    }

    @Test func invalidLayerSizesAndInitializersNameTheLayer() throws {
        #expect(throws: VarianceKitError.self) { try Dense(inputs: 0, outputs: 3) }
        #expect(throws: VarianceKitError.self) { try Dense(inputs: 3, outputs: -1) }
        #expect(throws: VarianceKitError.self) { try Network(widths: [3, 0, 2], activation: .relu, initializer: .standard, seed: 1) }
        do {
            _ = try Network(inputs: 3, layers: [
                LayerDescription(outputs: 4, activation: .relu, weightInitializer: .standard),
                LayerDescription(outputs: 2, activation: .relu, weightInitializer: .uniform(low: 1, high: -1)),
            ], seed: 1)
            Issue.record("expected an invalid parameter")
        } catch let error as VarianceKitError {
            #expect(error.description.contains("layer 2 of 2"), "\(error)")
            guard case let .inLayer(layer, layers, underlying) = error, case let .invalidParameter(name, _, _) = underlying else {
                Issue.record("wrong case \(error)"); return
            }
            #expect(layer == 2 && layers == 2 && name == "high", "\(name)")
        }
    }

    @Test func aLayerCannotJoinTwoNetworks() throws {
        let layer = try Dense(inputs: 2, outputs: 2)
        _ = try Network(layers: [layer])
        #expect(throws: VarianceKitError.self) { try Network(layers: [layer]) }
        let other = try Dense(inputs: 2, outputs: 2)
        #expect(throws: VarianceKitError.self) { try Network(layers: [other, other]) }
    }

    @Test func wrongInputsTargetsAndLabelsThrowWithShapes() throws {
        let network = try Network(widths: [4, 5, 3], activation: .tanh, initializer: .xavierUniform(), seed: 2)
        do {
            try network.forward(Matrix(rows: 2, columns: 5))
            Issue.record("expected a shape mismatch")
        } catch let error as VarianceKitError {
            guard case let .shapeMismatch(mismatch) = error else { Issue.record("wrong case \(error)"); return }
            #expect(mismatch.operand == "input batch" && mismatch.actual == [2, 5] && mismatch.expected == [nil, 4])
        }
        #expect(throws: VarianceKitError.self) { try network.forward(Matrix(rows: 0, columns: 4)) }
        #expect(throws: VarianceKitError.self) { try network.backward(loss: .quadratic) }  // no forward yet

        try network.forward(Matrix(rows: 2, columns: 4, repeating: 0.5))
        #expect(throws: VarianceKitError.self) {
            try network.backward(loss: .meanSquaredError(targets: Matrix(rows: 2, columns: 4)))
        }
        #expect(throws: VarianceKitError.self) { try network.backward(loss: .softmaxCrossEntropy(labels: [0])) }
        #expect(throws: VarianceKitError.self) { try network.backward(loss: .softmaxCrossEntropy(labels: [0, 3])) }
        #expect(throws: VarianceKitError.self) { try network.backward(loss: .softmaxCrossEntropy(labels: [-1, 0])) }
        var wrongOutput = try Matrix(rows: 3, columns: 3)
        #expect(throws: VarianceKitError.self) {
            try network.forward(Matrix(rows: 2, columns: 4), into: &wrongOutput)
        }
        // A failed call leaves the last good pass usable.
        #expect(try network.backward(loss: .softmaxCrossEntropy(labels: [0, 2])).isFinite)
        #expect(throws: VarianceKitError.self) { try Dense(inputs: 2, outputs: 3).setWeight(Matrix(rows: 2, columns: 3)) }
        #expect(throws: VarianceKitError.self) { try Dense(inputs: 2, outputs: 3, bias: false).setBias(Matrix(rows: 1, columns: 3)) }
        #expect(throws: VarianceKitError.self) { try Dense(inputs: 2, outputs: 3).setBias(Matrix(rows: 3, columns: 1)) }
    }

    // MARK: Construction

    @Test func sameSeedSameNetworkAndLayersUseTheirOwnStreams() throws {
        let a = try Network(widths: [8, 8, 8], activation: .relu, initializer: .heNormal(), seed: 42)
        let b = try Network(widths: [8, 8, 8], activation: .relu, initializer: .heNormal(), seed: 42)
        let c = try Network(widths: [8, 8, 8], activation: .relu, initializer: .heNormal(), seed: 43)
        #expect(a.layers[0].weight == b.layers[0].weight)
        #expect(a.layers[1].weight == b.layers[1].weight)
        #expect(a.layers[0].weight != c.layers[0].weight)
        // Same shape, same seed, different stream: different weights.
        #expect(a.layers[0].weight != a.layers[1].weight)
        // Each layer's weight is the initializer's fill on that layer's stream.
        var expected = try Matrix(rows: 8, columns: 8)
        try Initializer.heNormal(.relu).fillWeight(&expected, seed: 42, stream: RandomStream.weight(layer: 1).id)
        #expect(a.layers[1].weight == expected)
        #expect(a.layers[0].bias == (try Matrix(rows: 1, columns: 8)))
    }

    @Test func descriptionsSetWidthsActivationsAndBiases() throws {
        let network = try Network(inputs: 3, layers: [
            LayerDescription(outputs: 5, activation: .relu, weightInitializer: .heUniform(),
                             bias: true, biasInitializer: .constant(0.1)),
            LayerDescription(outputs: 2, activation: .linear, weightInitializer: .xavierNormal(), bias: false),
        ], seed: 9)
        #expect(network.widths == [3, 5, 2])
        #expect(network.parameterCount == 3 * 5 + 5 + 5 * 2)
        #expect(network.layers[0].bias?.elements == [Float](repeating: 0.1, count: 5))
        #expect(network.layers[1].bias == nil)
        #expect(network.layers[1].activation == .linear)
        let convenience = try Network(widths: [3, 4, 2], activation: .tanh, initializer: .standard,
                                      outputActivation: .linear, seed: 1)
        #expect(convenience.layers.map(\.activation) == [.tanh, .linear])
    }

    // MARK: Parameters

    @Test func forEachParameterVisitsWeightsThenBiasesInLayerOrder() throws {
        let network = try Network(inputs: 3, layers: [
            LayerDescription(outputs: 4, activation: .tanh, weightInitializer: .standard),
            LayerDescription(outputs: 2, activation: .linear, weightInitializer: .standard, bias: false),
        ], seed: 3)
        var visited: [ParameterID] = []
        var shapes: [String] = []
        network.forEachParameter { id, value, gradient in
            visited.append(id)
            shapes.append("\(value.rows)x\(value.columns)/\(gradient.rows)x\(gradient.columns)")
        }
        #expect(visited == [ParameterID(layer: 0, kind: .weight), ParameterID(layer: 0, kind: .bias),
                            ParameterID(layer: 1, kind: .weight)])
        #expect(shapes == ["4x3/4x3", "1x4/1x4", "2x4/2x4"])

        // An SGD step through the container changes what forward computes, as the formula says.
        var random = TestRandom(seed: 4)
        let input = random.matrix(6, 3)
        let targets = random.matrix(6, 2)
        try network.forward(input)
        let before = try network.backward(loss: .meanSquaredError(targets: targets))
        let expectedWeight = network.layers[1].weight.doubleElements.enumerated().map {
            $0.element - 0.1 * Double(network.layers[1].weightGradient.elements[$0.offset])
        }
        network.forEachParameter { _, value, gradient in
            value.withUnsafeMutableBufferPointer { v in
                gradient.withUnsafeBufferPointer { g in for i in 0..<v.count { v[i] -= 0.1 * g[i] } }
            }
        }
        for (actual, expected) in zip(network.layers[1].weight.doubleElements, expectedWeight) {
            #expect(Swift.abs(actual - expected) < 1e-6)
        }
        try network.forward(input)
        let after = try network.backward(loss: .meanSquaredError(targets: targets))
        #expect(after < before)
    }

    // MARK: Non-finite values

    @Test func overflowDoesNotCrashAndTheProbeSaysWhereItStarted() throws {
        let network = try Network(widths: [4, 4, 4, 4], activation: .linear, initializer: .constant(1e15), seed: 1)
        var random = TestRandom(seed: 2)
        try network.forward(random.matrix(3, 4).map(scale: 100))
        _ = try network.backward(loss: .quadratic)
        let early = network.probe(step: 7)
        // Layer 1: |Z| <= 4e17; layer 2: 1.6e33; layer 3: 6.4e48 overflows Float.
        #expect(early.nonFinite == NonFiniteLocation(step: 7, layer: 2, tensor: .preActivation))
        #expect(early.firstNonFinite == early.nonFinite)
        #expect(early.loss == nil)
        #expect(early.layers[2].preActivation?.nonFiniteCount == 12)
        let encoded = try JSONEncoder().encode(early)   // finite numbers only: default strategies work
        #expect(!encoded.isEmpty)
        let later = network.probe(step: 9)
        #expect(later.firstNonFinite?.step == 7)
    }

    @Test func forwardIntoCopiesTheOutput() throws {
        let network = try Network(widths: [6, 5, 3], activation: .gelu, initializer: .lecunNormal, seed: 4)
        var random = TestRandom(seed: 6)
        let input = random.matrix(4, 6)
        var output = try Matrix(rows: 4, columns: 3, repeating: .nan)
        try network.forward(input, into: &output)
        let reference = ReferenceNetwork(network).forward(input.doubleRows).a.last!
        for r in 0..<4 {
            for c in 0..<3 { #expect(Swift.abs(Double(output[r, c]) - reference[r][c]) < 1e-5) }
        }
        #expect(output == network.output)
    }

    // MARK: Memory

    @Test func workspacesAreReusedForTheSameBatchSize() throws {
        let network = try Network(widths: [16, 32, 8], activation: .relu, initializer: .heNormal(), seed: 1)
        var random = TestRandom(seed: 3)
        try network.forward(random.matrix(4, 16))
        try network.backward(loss: .randomReadout(seed: 5))
        let footprint = network.memoryFootprint
        #expect(footprint.parameters == (16 * 32 + 32 + 32 * 8 + 8) * 4)
        #expect(footprint.workspaces == (4 * 16 + 3 * 4 * 32 + 3 * 4 * 8 + 4 * 8) * 4)
        // What a network of these widths allocates, predicted before building it.
        #expect(Network.memoryFootprint(widths: [16, 32, 8], batchSize: 4, randomReadout: true) == footprint)
        let z = network.preActivation(ofLayer: 0)
        try network.forward(random.matrix(4, 16))
        // The value we kept is unchanged (copy-on-write), the network's buffer holds the new pass.
        #expect(z != network.preActivation(ofLayer: 0))
        try network.forward(random.matrix(2, 16))
        #expect(network.batchSize == 2)
        #expect(network.output.rows == 2)
    }
}

extension Matrix {
    func map(scale: Float) -> Matrix {
        try! Matrix(rows: rows, columns: columns, elements: elements.map { $0 * scale })
    }
}
