import Foundation

/// An optimizer as settings: what `initbench train --optimizer` accepts and what a saved run
/// records, so the same optimizer can be built again to resume it.
///
/// | name | optimizer |
/// |---|---|
/// | `sgd` | `SGD(η)` |
/// | `momentum` | `SGD(η, momentum: μ)` (heavy ball, `μ` = 0.9 unless set) |
/// | `nesterov` | `SGD(η, momentum: μ, nesterov: true)` |
/// | `adam` | `Adam(η, β₁, β₂, ε)` |
/// | `adamw` | `AdamW(η, β₁, β₂, ε, weightDecay)` |
///
/// `penalty` is the coupled penalty of every weight matrix (normalizer 1: L2 adds `λ₂ w` to the
/// gradient, as PyTorch's `weight_decay` argument of SGD and Adam does), and `weightDecay` the
/// decoupled decay `w ← w - η d w` (learning-rate scaled). Biases are not regularized.
public struct OptimizerSettings: Sendable, Hashable, Codable {
    /// The algorithm.
    public enum Algorithm: String, Sendable, Hashable, Codable, CaseIterable {
        /// Plain SGD.
        case sgd
        /// SGD with heavy-ball momentum.
        case momentum
        /// SGD with Nesterov momentum.
        case nesterov
        /// Adam (a decay makes it decoupled, as AdamW).
        case adam
        /// AdamW.
        case adamw
    }

    /// The algorithm.
    public var algorithm: Algorithm
    /// `η`.
    public var learningRate: Float
    /// `μ` of `momentum` and `nesterov`.
    public var momentum: Float
    /// Adam's `β₁`.
    public var beta1: Float
    /// Adam's `β₂`.
    public var beta2: Float
    /// Adam's `ε`.
    public var epsilon: Float
    /// The coupled penalty of the weight matrices.
    public var penalty: PenaltySettings
    /// The decoupled decay `d` of the weight matrices.
    public var weightDecay: Float
    /// How `weightDecay` becomes the fraction removed per step: `learningRateScaled` (`η d`, as
    /// PyTorch's AdamW) or `scheduleScaled` (`s_t d`, independent of `η`, as Loshchilov & Hutter).
    public var decayConvention: WeightDecay.Convention

    /// Settings of `algorithm`; the defaults are PyTorch's (`μ` = 0.9 for the momentum variants).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` as the optimizers' initializers do.
    public init(
        algorithm: Algorithm, learningRate: Float, momentum: Float = 0.9, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, penalty: PenaltySettings = .none, weightDecay: Float = 0,
        decayConvention: WeightDecay.Convention = .learningRateScaled
    ) throws {
        self.algorithm = algorithm
        self.learningRate = learningRate
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.penalty = penalty
        self.weightDecay = weightDecay
        self.decayConvention = decayConvention
        _ = try makeOptimizer()
    }

    /// The algorithm called `name` (case-insensitive).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` listing the accepted names.
    public static func algorithm(named name: String) throws -> Algorithm {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased()
        let aliases: [String: Algorithm] = ["sgd-momentum": .momentum, "heavy-ball": .momentum, "adam-w": .adamw]
        guard let found = Algorithm(rawValue: key) ?? aliases[key] else {
            throw VarianceKitError.invalidParameter(
                name: "optimizer", value: "\"\(name)\"",
                expected: "one of \(Algorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return found
    }

    /// A new optimizer with these settings (and no state).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` naming the first setting out of range.
    public func makeOptimizer() throws -> FusedOptimizer {
        let penalty = try self.penalty.penalty()
        let decay = decayConvention == .learningRateScaled
            ? try WeightDecay.learningRateScaled(weightDecay) : try WeightDecay.scheduleScaled(weightDecay)
        switch algorithm {
        case .sgd:
            return try SGD(learningRate: learningRate, penalty: penalty, weightDecay: decay)
        case .momentum:
            return try SGD(learningRate: learningRate, momentum: momentum, penalty: penalty, weightDecay: decay)
        case .nesterov:
            return try SGD(learningRate: learningRate, momentum: momentum, nesterov: true, penalty: penalty, weightDecay: decay)
        case .adam:
            return try Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                            penalty: penalty, weightDecay: decay)
        case .adamw:
            return try AdamW(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                             weightDecay: weightDecay, convention: decayConvention, penalty: penalty)
        }
    }

    /// For example `adamw lr 0.001, decay 0.01` or `sgd lr 0.1, l2:0.0001`.
    public var label: String {
        var parts = ["\(algorithm.rawValue) lr \(learningRate)"]
        if !penalty.isNone { parts.append(penalty.name) }
        if weightDecay > 0 { parts.append(decayConvention == .learningRateScaled ? "decay \(weightDecay)" : "decay \(weightDecay) (not lr-scaled)") }
        return parts.joined(separator: ", ")
    }

    private enum CodingKeys: String, CodingKey {
        case algorithm, learningRate, momentum, beta1, beta2, epsilon, penalty, weightDecay, decayConvention
    }

    /// Decodes and validates as `init` does.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            algorithm: c.decode(Algorithm.self, forKey: .algorithm), learningRate: c.decode(Float.self, forKey: .learningRate),
            momentum: c.decode(Float.self, forKey: .momentum), beta1: c.decode(Float.self, forKey: .beta1),
            beta2: c.decode(Float.self, forKey: .beta2), epsilon: c.decode(Float.self, forKey: .epsilon),
            penalty: c.decode(PenaltySettings.self, forKey: .penalty), weightDecay: c.decode(Float.self, forKey: .weightDecay),
            decayConvention: c.decodeIfPresent(WeightDecay.Convention.self, forKey: .decayConvention) ?? .learningRateScaled)
    }
}

/// A coupled penalty as settings, with normalizer 1: `none`, `l2:λ`, `l1:λ` (subgradient),
/// `l1-proximal:λ` (soft threshold), `elastic-net:λ₁:λ₂`. See `Penalty` for the formulas.
public struct PenaltySettings: Sendable, Hashable, Codable {
    /// `λ₁`.
    public var l1: Float
    /// `λ₂`.
    public var l2: Float
    /// How L1 is applied.
    public var l1Method: Penalty.L1Method

    /// No penalty.
    public static let none = PenaltySettings(uncheckedL1: 0, l2: 0, l1Method: .subgradient)

    /// A penalty of `l1` and `l2`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a negative or non-finite lambda.
    public init(l1: Float = 0, l2: Float = 0, l1Method: Penalty.L1Method = .subgradient) throws {
        try VarianceKitError.requireNonNegativeFinite(l1, "L1 lambda")
        try VarianceKitError.requireNonNegativeFinite(l2, "L2 lambda")
        self.init(uncheckedL1: l1, l2: l2, l1Method: l1Method)
    }

    private init(uncheckedL1 l1: Float, l2: Float, l1Method: Penalty.L1Method) {
        self.l1 = l1
        self.l2 = l2
        self.l1Method = l1Method
    }

    /// Reads `none`, `l2:λ`, `l1:λ`, `l1-proximal:λ` (alias `proximal-l1:λ`) or `elastic-net:λ₁:λ₂`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` saying which forms are accepted.
    public init(parsing text: String) throws {
        let parts = text.trimmingCharacters(in: .whitespaces).lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let accepted = "none, l2:LAMBDA, l1:LAMBDA, l1-proximal:LAMBDA or elastic-net:L1:L2 (LAMBDA a number >= 0)"
        func number(_ index: Int) throws -> Float {
            guard index < parts.count, let value = Float(parts[index]), value.isFinite, value >= 0 else {
                throw VarianceKitError.invalidParameter(name: "penalty", value: "\"\(text)\"", expected: accepted)
            }
            return value
        }
        switch (parts[0], parts.count) {
        case ("none", 1): self = .none
        case ("l2", 2): try self.init(l2: number(1))
        case ("l1", 2): try self.init(l1: number(1))
        case ("l1-proximal", 2), ("proximal-l1", 2), ("l1-prox", 2): try self.init(l1: number(1), l1Method: .proximal)
        case ("elastic-net", 3), ("elastic", 3): try self.init(l1: number(1), l2: number(2))
        default: throw VarianceKitError.invalidParameter(name: "penalty", value: "\"\(text)\"", expected: accepted)
        }
    }

    /// Whether there is no penalty.
    public var isNone: Bool { l1 == 0 && l2 == 0 }

    /// The form `init(parsing:)` reads, e.g. `l2:0.0001`.
    public var name: String {
        switch (l1 > 0, l2 > 0) {
        case (false, false): "none"
        case (false, true): "l2:\(l2)"
        case (true, false): l1Method == .proximal ? "l1-proximal:\(l1)" : "l1:\(l1)"
        case (true, true): "elastic-net:\(l1):\(l2)"
        }
    }

    /// The `Penalty` (normalizer 1).
    ///
    /// - Throws: as `Penalty.elasticNet`.
    public func penalty() throws -> Penalty {
        isNone ? .none : try .elasticNet(l1Lambda: l1, l2Lambda: l2, normalizer: 1, l1Method: l1Method)
    }

    private enum CodingKeys: String, CodingKey { case l1, l2, l1Method }

    /// Decodes and validates as `init(l1:l2:l1Method:)` does.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(l1: c.decode(Float.self, forKey: .l1), l2: c.decode(Float.self, forKey: .l2),
                      l1Method: c.decode(Penalty.L1Method.self, forKey: .l1Method))
    }
}
