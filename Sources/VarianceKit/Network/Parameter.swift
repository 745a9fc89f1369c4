/// Which trainable parameter of a network: layer `layer` (0-based, in forward order) and whether it
/// is the weight `[outputs, inputs]` or the bias `[1, outputs]`.
public struct ParameterID: Hashable, Codable, Sendable, CustomStringConvertible {
    /// Which of a layer's parameters: its weight `W` or its bias `b`.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// The weight matrix `W`, `[outputs, inputs]`.
        case weight
        /// The bias `b`, `[1, outputs]`.
        case bias
    }
    /// 0-based layer index.
    public var layer: Int
    /// The weight or the bias.
    public var kind: Kind

    /// The `kind` parameter of layer `layer` (0-based).
    public init(layer: Int, kind: Kind) {
        self.layer = layer
        self.kind = kind
    }

    /// For example `layer 1 weight` (1-based).
    public var description: String { "layer \(layer + 1) \(kind.rawValue)" }
}

/// Anything whose trainable parameters an optimizer can update in place: a network, or a test's
/// hand-made set of matrices.
///
/// A container that knows when its gradients were computed says so through
/// `gradientsAreCurrent`: an optimizer refuses to step on gradients a previous step consumed
/// (`VarianceKitError.outOfOrder`) and calls `markGradientsConsumed()` after each step that used
/// them. The default implementations (always current, nothing recorded) suit containers whose
/// gradients the caller manages.
public protocol ParameterContainer: AnyObject {
    /// Visits every trainable parameter with its gradient buffer (same shape), in layer order,
    /// weight before bias. `body` may change values and gradients in place, never their shapes.
    func forEachParameter(_ body: (ParameterID, inout Matrix, inout Matrix) throws -> Void) rethrows

    /// Whether the gradient buffers hold gradients that no optimizer step has consumed.
    var gradientsAreCurrent: Bool { get }

    /// Records that an optimizer step consumed the gradient buffers.
    func markGradientsConsumed()
}

extension ParameterContainer {
    /// Always true: the caller manages the gradients.
    public var gradientsAreCurrent: Bool { true }
    /// Records nothing.
    public func markGradientsConsumed() {}
}
