/// Decoupled weight decay: `w ← w - d·w` applied with the optimizer step, separately from the
/// gradient, leaving the objective alone (<doc:Regularization>; Loshchilov & Hutter 2019, "Decoupled
/// Weight Decay Regularization").
///
/// The fraction `d` removed per step depends on the convention:
///
/// - `.learningRateScaled(weightDecay)`: `d = η_t · weightDecay`, where `η_t` is the scheduled
///   learning rate — what PyTorch's `AdamW`/`SGD` and most libraries do. Under plain SGD,
///   `weightDecay = λ/n` reproduces `L2(λ, n)` exactly (same update, up to rounding).
/// - `.scheduleScaled(weightDecay)`: `d = s_t · weightDecay`, where `s_t` is the schedule's
///   multiplier (1 for a constant schedule) — the paper's `η_t λ` with `η_t` the schedule
///   multiplier, independent of the base learning rate. Under plain SGD with learning rate `η`,
///   `weightDecay = η λ/n` reproduces `L2(λ, n)`.
///
/// Under Adam the decay is not rescaled by the adaptive step, so every weight shrinks by the same
/// fraction (AdamW); L2 under Adam is rescaled per parameter and behaves differently.
public struct WeightDecay: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Which quantity multiplies `weightDecay` to give the per-step fraction.
    public enum Convention: String, Sendable, Codable, CaseIterable {
        /// `d = η_t · weightDecay` (common libraries).
        case learningRateScaled
        /// `d = s_t · weightDecay` (Loshchilov & Hutter 2019).
        case scheduleScaled
    }

    /// The weight-decay coefficient.
    public let weightDecay: Float
    /// How the per-step fraction is formed.
    public let convention: Convention

    /// No decay.
    public static let none = WeightDecay(unchecked: 0, convention: .learningRateScaled)

    /// `d = η_t · weightDecay` per step.
    /// - Throws: `VarianceKitError.invalidParameter` when `weightDecay` is negative or not finite.
    public static func learningRateScaled(_ weightDecay: Float) throws -> WeightDecay {
        try VarianceKitError.requireNonNegativeFinite(weightDecay, "weightDecay")
        return WeightDecay(unchecked: weightDecay, convention: .learningRateScaled)
    }

    /// `d = s_t · weightDecay` per step (`s_t` the schedule multiplier).
    /// - Throws: `VarianceKitError.invalidParameter` when `weightDecay` is negative or not finite.
    public static func scheduleScaled(_ weightDecay: Float) throws -> WeightDecay {
        try VarianceKitError.requireNonNegativeFinite(weightDecay, "weightDecay")
        return WeightDecay(unchecked: weightDecay, convention: .scheduleScaled)
    }

    init(unchecked weightDecay: Float, convention: Convention) {
        self.weightDecay = weightDecay
        self.convention = convention
    }

    /// `true` when no decay is applied.
    public var isNone: Bool { weightDecay == 0 }

    /// The fraction `d` removed at a step whose scheduled learning rate is `learningRate`
    /// (`η · s_t`) and whose schedule multiplier is `scheduleMultiplier` (`s_t`).
    public func fraction(learningRate: Float, scheduleMultiplier: Float) -> Float {
        switch convention {
        case .learningRateScaled: return learningRate * weightDecay
        case .scheduleScaled: return scheduleMultiplier * weightDecay
        }
    }

    /// The convention and the coefficient in words.
    public var description: String {
        isNone ? "none" : "\(convention.rawValue)(\(weightDecay))"
    }
}
