/// A fully connected layer `A = φ(X Wᵀ + b)`.
///
/// Layout: the weight `W` is `[outputs, inputs]` (fan-in = columns, fan-out = rows), the bias `b`
/// is `[1, outputs]`, batches `X`, `Z`, `A` are `[batch, features]`, row-major.
///
/// A layer belongs to at most one `Network`, which owns its per-batch workspaces (pre-activations,
/// activations and the back-propagated gradient) and runs it; on its own a `Dense` only holds
/// parameters and their gradients.
public final class Dense {
    /// Number of input features (fan-in).
    public let inputs: Int
    /// Number of output features (fan-out).
    public let outputs: Int
    /// The activation `φ`.
    public let activation: Activation
    /// Whether the layer adds a bias `b`.
    public let hasBias: Bool

    /// `W`, `[outputs, inputs]`.
    public internal(set) var weight: Matrix
    /// `dL/dW`, `[outputs, inputs]`, filled by `Network.backward`.
    public internal(set) var weightGradient: Matrix
    /// `b` stored as `[1, outputs]` (all zeros and unused when `hasBias` is false).
    var biasStorage: Matrix
    /// `dL/db`, `[1, outputs]`.
    var biasGradientStorage: Matrix

    // Per-batch workspaces, `[batch, outputs]`, allocated by the owning network.
    /// `Z = X Wᵀ + b`.
    var preActivation: Matrix
    /// `A = φ(Z)`.
    var output: Matrix
    /// `dL/dA` while the layer above back-propagates into it, then `dL/dZ` in place.
    var delta: Matrix

    /// Whether a network has adopted this layer.
    var isOwned = false

    /// A layer with zero weights and biases; set them with `setWeight(_:)` / `setBias(_:)` or build
    /// the layer through `Network(inputs:layers:seed:)` to initialize them.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` when `inputs` or `outputs` is below 1, an
    ///   activation parameter is invalid or the parameter count overflows `Int`;
    ///   `.insufficientMemory` when the weight, bias and their gradients (`2 (outputs inputs +
    ///   outputs)` floats) exceed `MemoryBudget.availableBytes()`; `.allocationFailed` when the
    ///   allocator refuses one of them. Nothing is kept allocated then.
    public init(inputs: Int, outputs: Int, activation: Activation = .linear, bias: Bool = true) throws {
        guard inputs >= 1 else {
            throw VarianceKitError.invalidParameter(name: "Dense inputs", value: "\(inputs)", expected: "an integer >= 1")
        }
        guard outputs >= 1 else {
            throw VarianceKitError.invalidParameter(name: "Dense outputs", value: "\(outputs)", expected: "an integer >= 1")
        }
        try activation.validate()
        try Matrix.validateShape(rows: outputs, columns: inputs)
        let parameterBytes = Dense.parameterBytes(inputs: inputs, outputs: outputs)
        guard let parameterBytes else {
            throw VarianceKitError.invalidParameter(
                name: "Dense shape", value: "\(outputs) x \(inputs)", expected: "a parameter count whose bytes fit in Int")
        }
        if 2 * parameterBytes >= MatrixStorage.budgetCheckThreshold {
            try MemoryBudget.require(2 * parameterBytes, for: "Dense(inputs: \(inputs), outputs: \(outputs)): its weight, bias and their gradients")
        }
        self.inputs = inputs
        self.outputs = outputs
        self.activation = activation
        self.hasBias = bias
        weight = try Matrix(rows: outputs, columns: inputs)
        weightGradient = try Matrix(rows: outputs, columns: inputs)
        biasStorage = try Matrix(rows: 1, columns: outputs)
        biasGradientStorage = try Matrix(rows: 1, columns: outputs)
        preActivation = Matrix(validatedRows: 0, columns: outputs)
        output = Matrix(validatedRows: 0, columns: outputs)
        delta = Matrix(validatedRows: 0, columns: outputs)
    }

    /// Bytes of `W` and `b` (`(outputs inputs + outputs)` floats; the bias is stored with or
    /// without `hasBias`), so that twice this is `W`, `b` and their gradients; nil on overflow
    /// (then twice it overflows too).
    static func parameterBytes(inputs: Int, outputs: Int) -> Int? {
        let (weights, weightOverflow) = outputs.multipliedReportingOverflow(by: inputs)
        let (elements, sumOverflow) = weights.addingReportingOverflow(outputs)
        let (bytes, byteOverflow) = elements.multipliedReportingOverflow(by: 2 * MemoryLayout<Float>.stride)
        return weightOverflow || sumOverflow || byteOverflow ? nil : bytes / 2
    }

    /// `b` as `[1, outputs]`, or nil for a layer without bias.
    public var bias: Matrix? { hasBias ? biasStorage : nil }

    /// `dL/db` as `[1, outputs]`, or nil for a layer without bias.
    public var biasGradient: Matrix? { hasBias ? biasGradientStorage : nil }

    /// Number of trainable parameters: `outputs * inputs` (+ `outputs` with a bias).
    public var parameterCount: Int { outputs * inputs + (hasBias ? outputs : 0) }

    /// Replaces `W`.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` unless `weight` is `[outputs, inputs]`.
    public func setWeight(_ weight: Matrix) throws {
        guard weight.rows == outputs, weight.columns == inputs else {
            throw VarianceKitError.shape(
                "Dense.setWeight", "weight", actual: [weight.rows, weight.columns], expected: [outputs, inputs],
                "weight is \(weight.rows) x \(weight.columns) but this layer needs \(outputs) x \(inputs) (outputs x inputs)")
        }
        self.weight = weight
    }

    /// Replaces `b`.
    ///
    /// - Throws: `VarianceKitError.missingCapability` for a layer without bias, `.shapeMismatch` unless
    ///   `bias` is `[1, outputs]`.
    public func setBias(_ bias: Matrix) throws {
        guard hasBias else {
            throw VarianceKitError.missingCapability(operation: "Dense.setBias", missing: "this layer was built without a bias")
        }
        guard bias.rows == 1, bias.columns == outputs else {
            throw VarianceKitError.shape(
                "Dense.setBias", "bias", actual: [bias.rows, bias.columns], expected: [1, outputs],
                "bias is \(bias.rows) x \(bias.columns) but this layer needs 1 x \(outputs)")
        }
        biasStorage = bias
    }

    /// Sets `dL/dW` and `dL/db` to zero (for accumulating gradients over several backward passes).
    ///
    /// - Throws: the allocation errors of `Matrix.makeUniqueStorage()` when a copy of a gradient
    ///   taken through `weightGradient` or `biasGradient` still shares its buffer (the layer then
    ///   needs one of its own); the gradients are unchanged then.
    public func zeroGradients() throws {
        try makeGradientBuffersUnique()
        weightGradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        biasGradientStorage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// Gives `Z` and `A`, which the forward pass writes, buffers of their own, so that the pass
    /// needs no implicit copy-on-write copy (a matrix handed out by `Network.preActivation(ofLayer:)`
    /// or `activation(ofLayer:)` and still held shares its buffer with the layer). Costs one
    /// reference check per matrix when nothing is shared.
    ///
    /// - Throws: the allocation errors of `Matrix.makeUniqueStorage()`.
    func makeForwardBuffersUnique() throws {
        try preActivation.makeUniqueStorage()
        try output.makeUniqueStorage()
    }

    /// Gives `dL/dZ`, `dL/dW` and `dL/db`, which the backward pass writes, buffers of their own
    /// (see `makeForwardBuffersUnique()`).
    ///
    /// - Throws: the allocation errors of `Matrix.makeUniqueStorage()`.
    func makeGradientBuffersUnique() throws {
        try delta.makeUniqueStorage()
        try weightGradient.makeUniqueStorage()
        try biasGradientStorage.makeUniqueStorage()
    }

    /// The `[batch, outputs]` workspaces `Z`, `A`, `dL/dZ` for `batchSize` rows (the current ones
    /// when they already have that many).
    ///
    /// - Throws: the allocation errors of `Matrix(rows:columns:)`.
    func workspaces(batchSize: Int) throws -> (preActivation: Matrix, output: Matrix, delta: Matrix) {
        guard preActivation.rows != batchSize else { return (preActivation, output, delta) }
        return (try Matrix(rows: batchSize, columns: outputs), try Matrix(rows: batchSize, columns: outputs),
                try Matrix(rows: batchSize, columns: outputs))
    }

    /// Takes `workspaces` as this layer's `Z`, `A`, `dL/dZ`.
    func adopt(_ workspaces: (preActivation: Matrix, output: Matrix, delta: Matrix)) {
        (preActivation, output, delta) = workspaces
    }
}
