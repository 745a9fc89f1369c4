/// A coupled penalty: a term added to the objective, `C = C₀ + R(w)` (<doc:Regularization>).
///
/// With `λ₁ = l1Lambda`, `λ₂ = l2Lambda` and the normalizer `n`:
///
///     R(w)  = (λ₁/n) Σ|wᵢ| + (λ₂/(2n)) Σ wᵢ²
///     ∂R/∂w = (λ₁/n) sgn(w) + (λ₂/n) w          (sgn(0) = 0: the subgradient of |w| at 0)
///
/// L2 alone makes every plain SGD step multiply `w` by `1 - η λ₂/n`; L1 alone moves every weight a
/// constant `η λ₁/n` towards zero. With `L1Method.proximal` the L1 term is not differentiated:
/// after the gradient step the optimizer soft-thresholds,
/// `w ← sign(w) max(|w| - η λ₁/n, 0)`, which gives exact zeros (the proximal operator of
/// `η (λ₁/n) |w|`). The value `R(w)` is the same either way.
///
/// A penalty changes the objective, so under Adam its gradient is rescaled by the adaptive step
/// like any other gradient; `WeightDecay` is the decoupled alternative (<doc:Regularization>).
///
/// Build one with `.l1(lambda:normalizer:method:)`, `.l2(lambda:normalizer:)`,
/// `.elasticNet(l1Lambda:l2Lambda:normalizer:l1Method:)`; each validates its arguments.
public struct Penalty: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// How an optimizer applies the L1 term.
    public enum L1Method: String, Sendable, Codable, CaseIterable {
        /// Adds `(λ₁/n) sgn(w)` to the gradient: weights oscillate around zero, rarely reach it.
        case subgradient
        /// Soft-thresholds after the step by `η λ₁/n`: weights that would cross zero become exactly 0.
        case proximal
    }

    /// `λ₁`, the L1 coefficient (before division by the normalizer).
    public let l1Lambda: Float
    /// `λ₂`, the L2 coefficient (before division by the normalizer).
    public let l2Lambda: Float
    /// `n`, the normalizer (the number of weights, or in other texts the training-set size).
    public let normalizer: Float
    /// How the L1 term is applied by an optimizer.
    public let l1Method: L1Method

    /// No penalty: `R(w) = 0`.
    public static let none = Penalty(uncheckedL1: 0, l2: 0, normalizer: 1, l1Method: .subgradient)

    /// L1: `R(w) = (λ/n) Σ|w|`, gradient `(λ/n) sgn(w)` (or a proximal step, see `L1Method`).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` when `lambda` is negative or not finite, or
    ///   `normalizer` is not a finite number > 0.
    public static func l1(lambda: Float, normalizer: Float, method: L1Method = .subgradient) throws -> Penalty {
        try validate(lambda, "lambda", normalizer)
        return Penalty(uncheckedL1: lambda, l2: 0, normalizer: normalizer, l1Method: method)
    }

    /// L2: `R(w) = (λ/(2n)) Σw²`, gradient `(λ/n) w`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` when `lambda` is negative or not finite, or
    ///   `normalizer` is not a finite number > 0.
    public static func l2(lambda: Float, normalizer: Float) throws -> Penalty {
        try validate(lambda, "lambda", normalizer)
        return Penalty(uncheckedL1: 0, l2: lambda, normalizer: normalizer, l1Method: .subgradient)
    }

    /// Elastic net: `R(w) = (λ₁/n) Σ|w| + (λ₂/(2n)) Σw²`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` when a lambda is negative or not finite, or
    ///   `normalizer` is not a finite number > 0.
    public static func elasticNet(
        l1Lambda: Float, l2Lambda: Float, normalizer: Float, l1Method: L1Method = .subgradient
    ) throws -> Penalty {
        try validate(l1Lambda, "l1Lambda", normalizer)
        try VarianceKitError.requireNonNegativeFinite(l2Lambda, "l2Lambda")
        return Penalty(uncheckedL1: l1Lambda, l2: l2Lambda, normalizer: normalizer, l1Method: l1Method)
    }

    init(uncheckedL1 l1: Float, l2: Float, normalizer: Float, l1Method: L1Method) {
        self.l1Lambda = l1
        self.l2Lambda = l2
        self.normalizer = normalizer
        self.l1Method = l1Method
    }

    private static func validate(_ lambda: Float, _ name: String, _ normalizer: Float) throws {
        try VarianceKitError.requireNonNegativeFinite(lambda, name)
        try VarianceKitError.requirePositiveFinite(normalizer, "normalizer")
    }

    /// `λ₁/n`: the per-weight L1 coefficient (the step `η λ₁/n` moves each weight towards zero).
    public var l1Coefficient: Float { l1Lambda / normalizer }
    /// `λ₂/n`: the per-weight L2 coefficient (plain SGD multiplies `w` by `1 - η λ₂/n`).
    public var l2Coefficient: Float { l2Lambda / normalizer }

    /// `true` when the penalty is identically zero.
    public var isNone: Bool { l1Lambda == 0 && l2Lambda == 0 }

    /// `true` when an optimizer soft-thresholds after the step (L1 present, proximal method).
    public var isProximal: Bool { l1Lambda > 0 && l1Method == .proximal }

    /// The L1 coefficient an optimizer adds as a subgradient (zero under the proximal method).
    var subgradientL1Coefficient: Float { l1Method == .proximal ? 0 : l1Coefficient }

    /// The soft-threshold an optimizer applies after a step of learning rate `learningRate`:
    /// `η λ₁/n` under the proximal method, 0 otherwise.
    func proximalThreshold(learningRate: Float) -> Float {
        isProximal ? learningRate * l1Coefficient : 0
    }

    /// The penalty and its coefficients in words, e.g. `L2(lambda: 2.0, n: 256.0)`.
    public var description: String {
        switch (l1Lambda > 0, l2Lambda > 0) {
        case (false, false): return "none"
        case (true, false): return "L1(lambda: \(l1Lambda), n: \(normalizer), \(l1Method.rawValue))"
        case (false, true): return "L2(lambda: \(l2Lambda), n: \(normalizer))"
        case (true, true):
            return "elastic net(l1Lambda: \(l1Lambda), l2Lambda: \(l2Lambda), n: \(normalizer), \(l1Method.rawValue))"
        }
    }
}
