/// The regularization applied to one group of parameters: a coupled `Penalty` (changes the
/// objective and the gradient) and/or a decoupled `WeightDecay` (shrinks the weights, leaves the
/// objective alone).
public struct ParameterGroup: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The coupled penalty (added to the gradient).
    public var penalty: Penalty
    /// The decoupled weight decay (applied to the weights).
    public var weightDecay: WeightDecay

    /// A group with `penalty` and `weightDecay` (none by default).
    public init(penalty: Penalty = .none, weightDecay: WeightDecay = .none) {
        self.penalty = penalty
        self.weightDecay = weightDecay
    }

    /// Neither penalty nor decay.
    public static let unregularized = ParameterGroup()

    /// The penalty and the decay in words.
    public var description: String { "penalty \(penalty), weight decay \(weightDecay)" }
}

/// Which `ParameterGroup` each parameter of a network belongs to.
///
/// By default every weight matrix gets `weights` and every bias gets `biases` (unregularized
/// unless you say otherwise: penalizing biases does not fight over-fitting and can hurt); a layer
/// or a single parameter can be given its own group, which wins over the default.
public struct ParameterGroups: Sendable, Equatable {
    /// The group of every weight matrix without an override.
    public var weights: ParameterGroup
    /// The group of every bias without an override.
    public var biases: ParameterGroup
    /// Per-parameter groups that replace the defaults.
    public private(set) var overrides: [ParameterID: ParameterGroup] = [:]

    /// The groups of the weight matrices and of the biases (none by default).
    public init(weights: ParameterGroup = .unregularized, biases: ParameterGroup = .unregularized) {
        self.weights = weights
        self.biases = biases
    }

    /// Gives parameter `id` its own group.
    /// - Throws: `VarianceKitError.invalidParameter` when `id.layer` is negative.
    public mutating func setGroup(_ group: ParameterGroup, for id: ParameterID) throws {
        guard id.layer >= 0 else {
            throw VarianceKitError.invalidParameter(name: "layer", value: "\(id.layer)", expected: "an integer >= 0")
        }
        overrides[id] = group
    }

    /// Gives the listed parameters of layer `layer` (0-based; weight and bias by default) their own group.
    /// - Throws: `VarianceKitError.invalidParameter` when `layer` is negative.
    public mutating func setGroup(
        _ group: ParameterGroup, forLayer layer: Int, kinds: [ParameterID.Kind] = ParameterID.Kind.allCases
    ) throws {
        for kind in kinds { try setGroup(group, for: ParameterID(layer: layer, kind: kind)) }
    }

    /// Removes the override of `id`, if any, so that it falls back to `weights` or `biases`.
    public mutating func removeOverride(for id: ParameterID) {
        overrides[id] = nil
    }

    /// The group that applies to `id`: its override, else `weights` or `biases` by kind.
    public func group(for id: ParameterID) -> ParameterGroup {
        if let group = overrides[id] { return group }
        return id.kind == .weight ? weights : biases
    }
}
