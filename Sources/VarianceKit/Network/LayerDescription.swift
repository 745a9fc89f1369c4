/// What one Dense layer of a `Network` should be: its width, activation, and how its parameters
/// are initialized.
public struct LayerDescription: Sendable, Hashable {
    /// Number of outputs (the layer's fan-out).
    public var outputs: Int
    /// The activation `φ`.
    public var activation: Activation
    /// How `W` (`[outputs, inputs]`) is drawn; fan-in = inputs, fan-out = outputs.
    public var weightInitializer: Initializer
    /// Whether the layer has a bias.
    public var bias: Bool
    /// How `b` (`[1, outputs]`) is drawn, with the layer's fans (default zeros).
    public var biasInitializer: Initializer

    /// A layer of `outputs` units with `activation`, its weight drawn by `weightInitializer` and, when `bias`, its bias by `biasInitializer`.
    public init(outputs: Int, activation: Activation, weightInitializer: Initializer,
                bias: Bool = true, biasInitializer: Initializer = .zeros) {
        self.outputs = outputs
        self.activation = activation
        self.weightInitializer = weightInitializer
        self.bias = bias
        self.biasInitializer = biasInitializer
    }
}
