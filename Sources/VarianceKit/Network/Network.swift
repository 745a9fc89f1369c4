/// A feed-forward stack of `Dense` layers, trained by back-propagation whose matrix products are
/// single `sgemm` calls: per layer, `Z = X Wᵀ` forward and `dW = dZᵀ X`, `dX = dZ W` backward.
///
/// Layout: batches are `[batch, features]` row-major; layer `l` maps `[batch, widths[l]]` to
/// `[batch, widths[l + 1]]` with a weight `[widths[l + 1], widths[l]]`.
///
/// Memory: the input copy, every layer's `Z`, `A` and `dL/dZ` (`[batch, outputs]`) and the random
/// readout matrix are allocated on the first pass with a given batch size and reused by every
/// later pass with that batch size: a training step (`forward` + `backward`) allocates nothing on
/// the heap after the first one. Parameters and their gradients are allocated once, at
/// construction. The output accessors return matrices by value in O(1) (copy-on-write): keeping
/// one across the next pass costs that pass one copy.
///
/// Not thread-safe: one network is driven by one thread at a time. Inside a pass, each `sgemm`
/// call and each fused element-wise pass (split by columns, bit-identical to one thread) uses
/// `ThreadPolicy.threadCount` threads.
public final class Network {
    /// The layers, in forward order.
    public let layers: [Dense]

    /// The batch size of the workspaces (0 before the first forward pass).
    public internal(set) var batchSize = 0

    /// A copy of the last input batch, `[batchSize, inputs]` (read by the first layer's `dW`).
    var input: Matrix
    /// `dL/dX` for the input batch, allocated on the first `backward(..., computeInputGradient: true)`.
    var inputGradientStorage: Matrix
    /// `R` of the last `randomReadout` loss, with its seed.
    var readout: (seed: UInt64, matrix: Matrix)?
    /// The loss of the last backward pass.
    public internal(set) var lastLoss: Double?

    /// Whether `forward` ran since the workspaces were (re)allocated, and `backward` after it.
    var hasForwardPass = false
    var hasBackwardPass = false
    /// Whether the last backward pass filled `inputGradientStorage`.
    var hasInputGradient = false

    /// The earliest place where a probe found a non-finite value (see `probe(step:)`).
    public internal(set) var firstNonFinite: NonFiniteLocation?

    /// A network running `layers` in order.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for an empty list or a layer that appears twice
    ///   or already belongs to another network; `.shapeMismatch` naming both layers and shapes when
    ///   `layers[l].outputs != layers[l + 1].inputs`.
    public init(layers: [Dense]) throws {
        guard let first = layers.first else {
            throw VarianceKitError.invalidParameter(name: "layers", value: "[]", expected: "at least one Dense layer")
        }
        var seen = Set<ObjectIdentifier>()
        for (index, layer) in layers.enumerated() {
            guard !layer.isOwned, seen.insert(ObjectIdentifier(layer)).inserted else {
                throw VarianceKitError.invalidParameter(
                    name: "layers[\(index)]", value: "a Dense layer already used",
                    expected: "each layer in exactly one network, once")
            }
            if index > 0, layers[index - 1].outputs != layer.inputs {
                let previous = layers[index - 1]
                throw VarianceKitError.shapeMismatch(
                    operation: "Network",
                    details: "layer \(index) produces \(previous.outputs) features (weight \(previous.outputs) x \(previous.inputs)) but layer \(index + 1) expects \(layer.inputs) (weight \(layer.outputs) x \(layer.inputs)); consecutive widths must match")
            }
        }
        for layer in layers { layer.isOwned = true }
        self.layers = layers
        input = Matrix(validatedRows: 0, columns: first.inputs)
        inputGradientStorage = Matrix(validatedRows: 0, columns: first.inputs)
    }

    /// Number of input features.
    public var inputs: Int { layers[0].inputs }
    /// Number of outputs of the last layer.
    public var outputs: Int { layers[layers.count - 1].outputs }
    /// Number of layers.
    public var depth: Int { layers.count }
    /// `[inputs, layers[0].outputs, ..., layers[depth - 1].outputs]`.
    public var widths: [Int] { [inputs] + layers.map(\.outputs) }
    /// Number of trainable parameters (weights and biases).
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    /// Bytes held by this network, by role: parameters (`W`, `b`), their gradients, and the
    /// per-batch workspaces (input copy, `Z`, `A`, `dL/dZ` of every layer, `dL/dX` and the readout
    /// matrix when allocated). Bias storage of bias-free layers is counted with the parameters.
    public var memoryFootprint: (parameters: Int, gradients: Int, workspaces: Int) {
        let floatSize = MemoryLayout<Float>.stride
        var parameters = 0
        var workspaces = input.count + inputGradientStorage.count + (readout?.matrix.count ?? 0)
        for layer in layers {
            parameters += layer.weight.count + layer.biasStorage.count
            workspaces += layer.preActivation.count + layer.output.count + layer.delta.count
        }
        return (parameters * floatSize, parameters * floatSize, workspaces * floatSize)
    }

    /// Sets every weight and bias gradient to zero.
    public func zeroGradients() {
        for layer in layers { layer.zeroGradients() }
    }

    /// Allocates the per-batch workspaces unless they already have `batchSize` rows.
    func prepare(batchSize: Int) {
        guard batchSize != self.batchSize else { return }
        self.batchSize = batchSize
        input = Matrix(validatedRows: batchSize, columns: inputs)
        if inputGradientStorage.rows != 0 {
            inputGradientStorage = Matrix(validatedRows: batchSize, columns: inputs)
        }
        for layer in layers { layer.prepare(batchSize: batchSize) }
        hasForwardPass = false
        hasBackwardPass = false
        hasInputGradient = false
    }
}

// MARK: - Parameters

extension Network: ParameterContainer {
    /// Visits `(W, dL/dW)` then, for layers with a bias, `(b, dL/db)`, layer by layer in forward
    /// order. `body` may change values and gradients in place, never their shapes (checked).
    public func forEachParameter(_ body: (ParameterID, inout Matrix, inout Matrix) throws -> Void) rethrows {
        for (index, layer) in layers.enumerated() {
            try body(ParameterID(layer: index, kind: .weight), &layer.weight, &layer.weightGradient)
            precondition(layer.weight.rows == layer.outputs && layer.weight.columns == layer.inputs
                         && layer.weightGradient.rows == layer.outputs && layer.weightGradient.columns == layer.inputs,
                         "forEachParameter: the weight or its gradient of layer \(index + 1) changed shape")
            if layer.hasBias {
                try body(ParameterID(layer: index, kind: .bias), &layer.biasStorage, &layer.biasGradientStorage)
                precondition(layer.biasStorage.rows == 1 && layer.biasStorage.columns == layer.outputs
                             && layer.biasGradientStorage.rows == 1 && layer.biasGradientStorage.columns == layer.outputs,
                             "forEachParameter: the bias or its gradient of layer \(index + 1) changed shape")
            }
        }
    }
}

// MARK: - Inspection

extension Network {
    /// The output `A` of the last layer after the last forward pass, `[batchSize, outputs]`.
    public var output: Matrix { layers[layers.count - 1].output }

    /// `Z` of layer `layer` (0-based) after the last forward pass, `[batchSize, outputs of that layer]`.
    public func preActivation(ofLayer layer: Int) -> Matrix { layers[layer].preActivation }

    /// `A = φ(Z)` of layer `layer` (0-based) after the last forward pass.
    public func activation(ofLayer layer: Int) -> Matrix { layers[layer].output }

    /// `dL/dZ` of layer `layer` (0-based) after the last backward pass.
    public func preActivationGradient(ofLayer layer: Int) -> Matrix { layers[layer].delta }

    /// `dL/dX` of the input batch after the last `backward(..., computeInputGradient: true)`.
    public var inputGradient: Matrix? {
        hasInputGradient ? inputGradientStorage : nil
    }
}
