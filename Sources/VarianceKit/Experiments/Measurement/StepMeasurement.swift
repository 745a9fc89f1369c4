/// One training step of a dense network next to the bare `sgemm` calls it makes, for timing.
///
/// The network has `depth` Dense `width x width` layers (weights `[outputs, inputs]`, drawn by
/// `configuration.initializer` from `RandomStream.weight(layer: l)`) and is fed one batch
/// `X = [batch, width]` of N(0, 1) entries from `RandomStream.input`. Three things can be timed on it:
///
/// - `step()`: `Network.forward` then `Network.backward` with the random readout loss, and
///   `step(deterministic:)`, the same with `ThreadPolicy.deterministic` on or off;
/// - `bareProducts()`: the `sgemm` calls of one step alone, on the same shapes and the network's
///   own weights: per layer `l` (1-based) `Z = X Wᵀ` (`[batch, width]`, k = width), then from the
///   top down `dW = dZᵀ X` (`[width, width]`, k = batch) and, above the first layer, `dX = dZ W`
///   (`[batch, width]`, k = width): exactly `3 depth - 1` products of `2 batch width²` FLOPs each.
///   `dZ` is a fixed N(0, 1) stand-in (`RandomStream.measurement(0)`), so the products do no
///   element-wise work; what the step costs beyond them is the network's own (activations,
///   their derivatives, the loss);
/// - `probe(step:)`: `Network.probe(step:)`, the statistics of every layer after a step.
///
/// Memory: every buffer, the network's workspaces included (one warm-up step runs in `init`), is
/// allocated once in `init`, so the timed calls allocate nothing; `memoryRequirement(for:)` states
/// what `init` allocates before it does. Not thread-safe (one network, one thread at a time); the
/// products and the step run on OpenBLAS's current thread count.
public final class StepMeasurement {
    /// The shape of the network and batch, and how the network is built.
    public struct Configuration: Sendable, Hashable {
        /// Number of Dense layers, `>= 1`.
        public var depth: Int
        /// Features in and out of every layer, `>= 1`.
        public var width: Int
        /// Rows of the input batch, `>= 1`.
        public var batch: Int
        /// The activation of every layer.
        public var activation: Activation
        /// The weights' scheme.
        public var initializer: Initializer
        /// Whether the layers add a bias (one more element-wise pass each way).
        public var bias: Bool
        /// The seed of every draw (weights, input batch, stand-in `dZ`, readout).
        public var seed: UInt64

        /// A network of `depth` Dense `width x width` layers fed `batch` rows, its weights from `initializer`.
        public init(depth: Int, width: Int, batch: Int, activation: Activation = .tanh,
                    initializer: Initializer = .xavierNormal(gain: 1), bias: Bool = false, seed: UInt64 = 1) {
            self.depth = depth
            self.width = width
            self.batch = batch
            self.activation = activation
            self.initializer = initializer
            self.bias = bias
            self.seed = seed
        }
    }

    /// The matrix products of one step, each one `sgemm` call.
    public enum Product: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        /// `Z = X Wᵀ`: `m = batch`, `n = width`, `k = width`.
        case forward
        /// `dW = dZᵀ X`: `m = width`, `n = width`, `k = batch`.
        case weightGradient
        /// `dX = dZ W`: `m = batch`, `n = width`, `k = width` (the step makes it above the first
        /// layer only; it can be timed at any layer).
        case inputGradient

        /// `"forward Z = X W^T"`, `"backward dW = dZ^T X"`, `"backward dX = dZ W"`.
        public var description: String {
            switch self {
            case .forward: "forward Z = X W^T"
            case .weightGradient: "backward dW = dZ^T X"
            case .inputGradient: "backward dX = dZ W"
            }
        }

        /// `(m, n, k)` of the product at `width` and `batch`: `op(A)` is `m x k`, `op(B)` `k x n`.
        public func dimensions(width: Int, batch: Int) -> (m: Int, n: Int, k: Int) {
            switch self {
            case .forward, .inputGradient: (batch, width, width)
            case .weightGradient: (width, width, batch)
            }
        }
    }

    /// The network and batch measured.
    public let configuration: Configuration
    /// The network that `step()` runs and `probe(step:)` inspects.
    public let network: Network
    /// The network's weights, shared (not copied) by the bare products.
    let weights: [Matrix]
    /// `[X, Z₁, ..., Z_depth]`, each `[batch, width]`: the input batch, then the outputs of the
    /// bare forward products (layer `l`'s product reads entry `l`, writes entry `l + 1`).
    var activations: [Matrix]
    /// The stand-in `dZ`, `[batch, width]`.
    let outputGradientStandIn: Matrix
    /// Output of the bare `dW = dZᵀ X`, `[width, width]`, shared by every layer.
    var weightGradientOutput: Matrix
    /// Output of the bare `dX = dZ W`, `[batch, width]`, shared by every layer.
    var inputGradientOutput: Matrix
    /// The step index the next `measureStep` probe reports.
    var probeCount = 0

    /// Builds the network and the buffers of the bare products, then runs one warm-up step so
    /// that the network's workspaces exist before anything is timed.
    ///
    /// - Parameters:
    ///   - configuration: the network and batch to measure.
    ///   - availableBytes: the memory the buffers must fit in (default:
    ///     `MemoryBudget.availableBytes()`; `nil` checks nothing).
    /// - Throws: `VarianceKitError.invalidParameter` for a depth outside
    ///   `PropagationExperiment.depthRange`, a width or batch below 1, or when
    ///   `memoryRequirement(for:)` exceeds `availableBytes` (naming both, before allocating);
    ///   what `Network` throws for the configuration.
    public init(_ configuration: Configuration, availableBytes: Int? = MemoryBudget.availableBytes()) throws {
        let depths = PropagationExperiment.depthRange
        guard depths.contains(configuration.depth) else {
            throw VarianceKitError.invalidParameter(
                name: "depth", value: "\(configuration.depth)", expected: "an integer in \(depths.lowerBound)...\(depths.upperBound)")
        }
        for (name, value) in [("width", configuration.width), ("batch", configuration.batch)] where value < 1 {
            throw VarianceKitError.invalidParameter(name: name, value: "\(value)", expected: "an integer >= 1")
        }
        try Self.memoryRequirement(for: configuration).check(availableBytes: availableBytes)
        let layout = Layout(configuration)
        self.configuration = configuration
        network = try Network(
            widths: [Int](repeating: configuration.width, count: configuration.depth + 1),
            activation: configuration.activation, initializer: configuration.initializer,
            bias: configuration.bias, seed: configuration.seed)
        weights = network.layers.map(\.weight)
        var input = try Matrix(rows: layout.batchShape.rows, columns: layout.batchShape.columns)
        try RandomFill.normal(&input, seed: configuration.seed, stream: RandomStream.input.id)
        activations = [input]
        for _ in 0..<layout.forwardOutputCount {
            activations.append(try Matrix(rows: layout.batchShape.rows, columns: layout.batchShape.columns))
        }
        var standIn = try Matrix(rows: layout.batchShape.rows, columns: layout.batchShape.columns)
        try RandomFill.normal(&standIn, seed: configuration.seed, stream: MeasurementStream.stepOutputGradient.id)
        outputGradientStandIn = standIn
        weightGradientOutput = try Matrix(rows: layout.weightShape.rows, columns: layout.weightShape.columns)
        inputGradientOutput = try Matrix(rows: layout.batchShape.rows, columns: layout.batchShape.columns)
        try step()
        assert(network.memoryFootprint.parameters + network.memoryFootprint.gradients + network.memoryFootprint.workspaces
               == MemoryRequirement(parameter: "", value: "", buffers: layout.networkBuffers).bytes,
               "StepMeasurement: the network allocated other buffers than Layout.networkBuffers lists")
    }

    /// The input batch `X`, `[batch, width]`, N(0, 1) from `RandomStream.input`.
    public var input: Matrix { activations[0] }

    /// The stand-in `dZ` of the bare backward products, `[batch, width]`, N(0, 1).
    public var outputGradient: Matrix { outputGradientStandIn }

    /// What the bare `product` at `layer` last wrote: `Z` of that layer (`.forward`), or the
    /// shared `dW` (`.weightGradient`) or `dX` (`.inputGradient`) output.
    public func lastOutput(of product: Product, layer: Int) -> Matrix {
        switch product {
        case .forward: activations[layer + 1]
        case .weightGradient: weightGradientOutput
        case .inputGradient: inputGradientOutput
        }
    }

    /// The left and right operands of `product` at `layer` (0-based): for `.forward` the layer's
    /// input (`X` for layer 0, else the previous bare forward output) and its weight `W`; for
    /// `.weightGradient` `dZ` and the layer's input; for `.inputGradient` `dZ` and `W`.
    public func operands(of product: Product, layer: Int) -> (left: Matrix, right: Matrix) {
        switch product {
        case .forward: (activations[layer], weights[layer])
        case .weightGradient: (outputGradientStandIn, activations[layer])
        case .inputGradient: (outputGradientStandIn, weights[layer])
        }
    }

    /// One bare `sgemm`: `product` at layer `layer` (0-based). Allocates nothing.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a layer outside `0 ..< depth`.
    public func run(_ product: Product, layer: Int) throws {
        guard layer >= 0, layer < configuration.depth else {
            throw VarianceKitError.invalidParameter(
                name: "layer", value: "\(layer)", expected: "a layer index in 0..<\(configuration.depth)")
        }
        switch product {
        case .forward:
            try BLAS.gemm(activations[layer], weights[layer], into: &activations[layer + 1], transposeB: true)
        case .weightGradient:
            try BLAS.gemm(outputGradientStandIn, activations[layer], into: &weightGradientOutput, transposeA: true)
        case .inputGradient:
            try BLAS.gemm(outputGradientStandIn, weights[layer], into: &inputGradientOutput)
        }
    }

    /// The `3 depth - 1` bare products of one step, in the step's order: `Z = X Wᵀ` for every
    /// layer bottom-up, then `dW = dZᵀ X` and (above the first layer) `dX = dZ W` top-down.
    /// Allocates nothing.
    public func bareProducts() throws {
        let depth = configuration.depth
        for layer in 0..<depth { try run(.forward, layer: layer) }
        for layer in stride(from: depth - 1, through: 0, by: -1) {
            try run(.weightGradient, layer: layer)
            if layer > 0 { try run(.inputGradient, layer: layer) }
        }
    }

    /// One training step: `network.forward(input)`, then `network.backward` with
    /// `Loss.randomReadout(seed:)` of the configuration's seed, its products as
    /// `ThreadPolicy.deterministic` says. Allocates nothing after `init`.
    ///
    /// - Returns: the loss.
    @discardableResult
    public func step() throws -> Double {
        try network.forward(activations[0])
        return try network.backward(loss: .randomReadout(seed: configuration.seed))
    }

    /// `step()` with `ThreadPolicy.deterministic` set to `deterministic` while it runs (then set
    /// back): the two ways a network's products run, on the same network.
    @discardableResult
    public func step(deterministic: Bool) throws -> Double {
        let setting = ThreadPolicy.deterministic
        ThreadPolicy.setDeterministic(deterministic)
        defer { ThreadPolicy.setDeterministic(setting) }
        return try step()
    }

    /// `network.probe(step:)`: the statistics of every layer after the last step.
    @discardableResult
    public func probe(step: Int) -> NetworkProbe {
        network.probe(step: step)
    }
}
