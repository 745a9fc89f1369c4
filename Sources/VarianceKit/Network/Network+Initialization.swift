extension Network {
    /// A network of `layers.count` Dense layers on `inputs` features, each initialized by its
    /// description from Philox4x32-10 keyed by `seed` (weight of layer `l` on
    /// `RandomStream.weight(layer: l)`, bias on `RandomStream.bias(layer: l)`): the same seed always gives the same network, whatever `threads` is.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for `inputs < 1`, an empty `layers`, a layer
    ///   with `outputs < 1` or an invalid activation or initializer parameter (the message names
    ///   the layer); `.shapeMismatch` for an initializer that needs a shape it cannot have.
    public convenience init(inputs: Int, layers descriptions: [LayerDescription], seed: UInt64, threads: Int? = nil) throws {
        guard inputs >= 1 else {
            throw VarianceKitError.invalidParameter(name: "network inputs", value: "\(inputs)", expected: "an integer >= 1")
        }
        guard !descriptions.isEmpty else {
            throw VarianceKitError.invalidParameter(name: "layers", value: "[]", expected: "at least one layer description")
        }
        var layers: [Dense] = []
        var fanIn = inputs
        for (index, description) in descriptions.enumerated() {
            let layer: Dense
            do {
                layer = try Dense(inputs: fanIn, outputs: description.outputs, activation: description.activation,
                                  bias: description.bias)
                try description.weightInitializer.resolved(for: description.activation).fillWeight(
                    &layer.weight, seed: seed, stream: RandomStream.weight(layer: index).id, threads: threads)
                if description.bias {
                    try description.biasInitializer.resolved(for: description.activation).fill(
                        &layer.biasStorage, fanIn: fanIn, fanOut: description.outputs,
                        seed: seed, stream: RandomStream.bias(layer: index).id, threads: threads)
                }
            } catch let error as VarianceKitError {
                throw error.inLayer(index + 1, of: descriptions.count)
            }
            layers.append(layer)
            fanIn = description.outputs
        }
        try self.init(layers: layers)
    }

    /// A network with widths `widths` (`widths[0]` = inputs, then one layer per further entry),
    /// every layer with `activation` (the last one with `outputActivation` when given), weights
    /// from `initializer`, zero biases when `bias`.
    ///
    /// - Throws: as `init(inputs:layers:seed:threads:)`; `.invalidParameter` for fewer than two widths.
    public convenience init(widths: [Int], activation: Activation, initializer: Initializer, bias: Bool = true,
                            outputActivation: Activation? = nil, seed: UInt64, threads: Int? = nil) throws {
        guard widths.count >= 2 else {
            throw VarianceKitError.invalidParameter(
                name: "widths", value: "\(widths)", expected: "at least two widths: the inputs, then one per layer")
        }
        let descriptions = widths.dropFirst().enumerated().map { index, outputs in
            LayerDescription(outputs: outputs,
                             activation: index == widths.count - 2 ? (outputActivation ?? activation) : activation,
                             weightInitializer: initializer, bias: bias)
        }
        try self.init(inputs: widths[0], layers: descriptions, seed: seed, threads: threads)
    }

    /// Redraws every layer's weight with `initializer` from `(seed, RandomStream.weight(layer: l))` and sets biases to zero.
    ///
    /// - Throws: as `Initializer.fillWeight`, naming the layer; the allocation errors of
    ///   `Matrix.makeUniqueStorage()` for a bias that shares its buffer with a copy; nothing is
    ///   changed then.
    public func reinitialize(weights initializer: Initializer, seed: UInt64, threads: Int? = nil) throws {
        var weights: [Matrix] = []
        for (index, layer) in layers.enumerated() {
            var weight = Matrix(validatedRows: layer.outputs, columns: layer.inputs)
            do {
                try initializer.resolved(for: layer.activation).fillWeight(&weight, seed: seed, stream: RandomStream.weight(layer: index).id, threads: threads)
            } catch let error as VarianceKitError {
                throw error.inLayer(index + 1, of: layers.count)
            }
            weights.append(weight)
        }
        // A bias handed out by `Dense.bias` and still held gets a buffer of its own before any
        // weight changes, so that a refusal leaves the network as it was.
        for layer in layers { try layer.biasStorage.makeUniqueStorage() }
        for (layer, weight) in zip(layers, weights) {
            layer.weight = weight
            layer.biasStorage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        hasForwardPass = false
        hasBackwardPass = false
        hasCurrentGradients = false
    }
}

extension VarianceKitError {
    /// The same error, said to have happened in layer `layer` (1-based) of `count`.
    func inLayer(_ layer: Int, of count: Int) -> VarianceKitError {
        .inLayer(layer: layer, layers: count, underlying: self)
    }
}
