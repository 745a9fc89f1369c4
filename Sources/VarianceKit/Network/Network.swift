/// A feed-forward stack of `Dense` layers, trained by back-propagation whose matrix products are
/// `sgemm` calls: per layer, `Z = X Wᵀ` forward and `dW = dZᵀ X`, `dX = dZ W` backward.
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
/// Not thread-safe: one network is driven by one thread at a time. Inside a pass, each product
/// and each fused element-wise pass (split by columns, bit-identical to one thread) uses
/// `ThreadPolicy.threadCount` threads. With `ThreadPolicy.deterministic` a product is a set of
/// single-threaded `sgemm` calls on fixed column blocks of its result, and a pass gives the same
/// bits at every thread count; otherwise it is one `sgemm` call on OpenBLAS's threads.
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
    /// Whether the gradient buffers hold gradients that no optimizer step has consumed yet: set
    /// by `backward` and `zeroGradients()`, cleared by an optimizer step and by `reinitialize`.
    var hasCurrentGradients = false

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
                throw VarianceKitError.shape(
                    "Network", "layer \(index + 1) weight", actual: [layer.outputs, layer.inputs], expected: [nil, previous.outputs],
                    "layer \(index) produces \(previous.outputs) features (weight \(previous.outputs) x \(previous.inputs)) but layer \(index + 1) expects \(layer.inputs) (weight \(layer.outputs) x \(layer.inputs)); consecutive widths must match")
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

    /// Bytes held by a network, by role.
    public struct MemoryFootprint: Sendable, Hashable, Codable {
        /// `W` and `b` of every layer (bias storage of bias-free layers included).
        public var parameters: Int
        /// `dL/dW` and `dL/db`, the same sizes.
        public var gradients: Int
        /// The per-batch workspaces: the input copy, `Z`, `A` and `dL/dZ` of every layer, `dL/dX`
        /// and the random readout matrix when allocated.
        public var workspaces: Int

        /// Everything together (saturating at `Int.max`).
        public var total: Int {
            let sum = parameters.addingReportingOverflow(gradients)
            let all = sum.partialValue.addingReportingOverflow(workspaces)
            return sum.overflow || all.overflow ? Int.max : all.partialValue
        }
    }

    /// What this network holds now: the element counts of its matrices as allocated (the
    /// workspaces by the last pass), in bytes.
    public var memoryFootprint: MemoryFootprint {
        let floatSize = MemoryLayout<Float>.stride
        var parameters = 0
        var workspaces = input.count + inputGradientStorage.count + (readout?.matrix.count ?? 0)
        for layer in layers {
            parameters += layer.weight.count + layer.biasStorage.count
            workspaces += layer.preActivation.count + layer.output.count + layer.delta.count
        }
        return MemoryFootprint(parameters: parameters * floatSize, gradients: parameters * floatSize,
                               workspaces: workspaces * floatSize)
    }

    /// What a network of `widths` allocates: at construction its parameters and gradients (every
    /// layer stores a bias vector, used or not, so `bias` only documents intent), and on its
    /// first pass with `batchSize` rows its workspaces (`batchSize x` each width for the input
    /// copy and each layer's `Z`, `A`, `dL/dZ`; the readout matrix `batchSize x outputs` with
    /// `randomReadout`; `dL/dX` with `inputGradient`). Products that overflow saturate at
    /// `Int.max`. After such a pass, a network's `memoryFootprint` equals this (tested).
    public static func memoryFootprint(
        widths: [Int], bias: Bool = true, batchSize: Int, randomReadout: Bool = false, inputGradient: Bool = false
    ) -> MemoryFootprint {
        func product(_ a: Int, _ b: Int) -> Int {
            let result = a.multipliedReportingOverflow(by: b)
            return result.overflow ? Int.max : result.partialValue
        }
        func sum(_ values: [Int]) -> Int {
            values.reduce(0) { total, value in
                let result = total.addingReportingOverflow(value)
                return result.overflow ? Int.max : result.partialValue
            }
        }
        let floatSize = MemoryLayout<Float>.stride
        guard let inputs = widths.first, widths.count >= 2 else {
            return MemoryFootprint(parameters: 0, gradients: 0, workspaces: 0)
        }
        let layerWidths = Array(zip(widths.dropLast(), widths.dropFirst()))
        let parameterElements = sum(layerWidths.map { fanIn, fanOut in sum([product(fanOut, fanIn), fanOut]) })
        let workspaceElements = sum([
            product(batchSize, inputs),
            sum(layerWidths.map { _, fanOut in product(3, product(batchSize, fanOut)) }),
            randomReadout ? product(batchSize, widths[widths.count - 1]) : 0,
            inputGradient ? product(batchSize, inputs) : 0,
        ])
        let parameters = product(parameterElements, floatSize)
        return MemoryFootprint(parameters: parameters, gradients: parameters, workspaces: product(workspaceElements, floatSize))
    }

    /// Sets every weight and bias gradient to zero (before accumulating several backward passes;
    /// zero gradients count as current, so an optimizer may step on them).
    ///
    /// - Throws: as `Dense.zeroGradients()`; the layers before the refused one are zeroed.
    public func zeroGradients() throws {
        for layer in layers { try layer.zeroGradients() }
        hasCurrentGradients = true
    }

    /// Allocates the per-batch workspaces unless they already have `batchSize` rows, in which
    /// case it gives the ones the forward pass writes buffers of their own
    /// (`makeForwardBuffersUnique()`). The new set is allocated before the old one is released,
    /// so a refusal leaves the network as it was.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` when the workspaces of `batchSize` rows
    ///   (`Network.memoryFootprint(widths:batchSize:...)`) exceed `MemoryBudget.availableBytes()`;
    ///   the allocation errors of `Matrix(rows:columns:)` and `makeUniqueStorage()`.
    func prepare(batchSize: Int) throws {
        guard batchSize != self.batchSize else { return try makeForwardBuffersUnique() }
        let keepsInputGradient = inputGradientStorage.rows != 0
        let needed = Network.memoryFootprint(
            widths: widths, batchSize: batchSize, randomReadout: readout != nil, inputGradient: keepsInputGradient).workspaces
        try MemoryBudget.require(needed, for: "the workspaces of a batch of \(batchSize) rows (Z, A and dL/dZ of \(depth) layers)")
        let newInput = try Matrix(rows: batchSize, columns: inputs)
        let newInputGradient = keepsInputGradient ? try Matrix(rows: batchSize, columns: inputs) : inputGradientStorage
        let workspaces = try layers.map { try $0.workspaces(batchSize: batchSize) }
        self.batchSize = batchSize
        input = newInput
        inputGradientStorage = newInputGradient
        for (layer, workspace) in zip(layers, workspaces) { layer.adopt(workspace) }
        hasForwardPass = false
        hasBackwardPass = false
        hasInputGradient = false
    }
}

extension Network {
    /// Gives the matrices the forward pass writes (the input copy, every layer's `Z` and `A`)
    /// buffers of their own, so that the pass throws where an implicit copy-on-write copy would
    /// trap (the workspaces are handed out by `preActivation(ofLayer:)` and the like).
    ///
    /// - Throws: the allocation errors of `Matrix.makeUniqueStorage()`.
    func makeForwardBuffersUnique() throws {
        try input.makeUniqueStorage()
        for layer in layers { try layer.makeForwardBuffersUnique() }
    }

    /// Gives the matrices the backward pass writes (`dL/dX`, every layer's `dL/dZ`, `dL/dW`,
    /// `dL/db`) buffers of their own (see `makeForwardBuffersUnique()`).
    ///
    /// - Throws: the allocation errors of `Matrix.makeUniqueStorage()`.
    func makeGradientBuffersUnique() throws {
        try inputGradientStorage.makeUniqueStorage()
        for layer in layers { try layer.makeGradientBuffersUnique() }
    }
}

// MARK: - Parameters

extension Network: ParameterContainer {
    /// Whether `dL/dW` and `dL/db` hold gradients no optimizer step has consumed: true after
    /// `backward` or `zeroGradients()`, false after a step and after `reinitialize`.
    public var gradientsAreCurrent: Bool { hasCurrentGradients }

    /// Called by an optimizer whose step consumed the gradient buffers.
    public func markGradientsConsumed() { hasCurrentGradients = false }

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
