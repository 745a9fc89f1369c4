import Foundation

/// A multiplier `s_t` of the base learning rate at step `t` (0-based: the step about to be taken).
///
/// The scheduled learning rate is `η_t = η · s_t`; it scales the gradient step and the
/// learning-rate-scaled weight decay, and `s_t` itself scales the schedule-scaled (paper) decay.
///
/// - `.constant`: `s_t = 1`.
/// - `.step(every: k, factor: γ)`: `s_t = γ^⌊t/k⌋`.
/// - `.cosine(totalSteps: T, minimumMultiplier: s_min)`:
///   `s_t = s_min + (1 - s_min) (1 + cos(π min(t, T)/T)) / 2`, from 1 at `t = 0` down to `s_min`
///   at `t >= T` (Loshchilov & Hutter 2017, without restarts).
public struct LearningRateSchedule: Sendable, Equatable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Equatable, Hashable {
        case constant
        case step(every: Int, factor: Float)
        case cosine(totalSteps: Int, minimumMultiplier: Float)
    }

    let kind: Kind

    /// `s_t = 1`.
    public static let constant = LearningRateSchedule(kind: .constant)

    /// `s_t = factor^⌊t/every⌋`.
    /// - Throws: `VarianceKitError.invalidParameter` when `every < 1` or `factor` is not a finite
    ///   number in `(0, 1]`.
    public static func step(every: Int, factor: Float) throws -> LearningRateSchedule {
        guard every >= 1 else {
            throw VarianceKitError.invalidParameter(name: "every", value: "\(every)", expected: "an integer >= 1")
        }
        guard factor.isFinite, factor > 0, factor <= 1 else {
            throw VarianceKitError.invalidParameter(name: "factor", value: "\(factor)", expected: "a finite number in (0, 1]")
        }
        return LearningRateSchedule(kind: .step(every: every, factor: factor))
    }

    /// `s_t = s_min + (1 - s_min)(1 + cos(π min(t, T)/T))/2`.
    /// - Throws: `VarianceKitError.invalidParameter` when `totalSteps < 1` or `minimumMultiplier`
    ///   is not a finite number in `[0, 1]`.
    public static func cosine(totalSteps: Int, minimumMultiplier: Float = 0) throws -> LearningRateSchedule {
        guard totalSteps >= 1 else {
            throw VarianceKitError.invalidParameter(name: "totalSteps", value: "\(totalSteps)", expected: "an integer >= 1")
        }
        guard minimumMultiplier.isFinite, minimumMultiplier >= 0, minimumMultiplier <= 1 else {
            throw VarianceKitError.invalidParameter(
                name: "minimumMultiplier", value: "\(minimumMultiplier)", expected: "a finite number in [0, 1]")
        }
        return LearningRateSchedule(kind: .cosine(totalSteps: totalSteps, minimumMultiplier: minimumMultiplier))
    }

    /// The multiplier `s_t` for step `step` (0-based; negative steps are treated as 0).
    public func multiplier(atStep step: Int) -> Float {
        let t = max(step, 0)
        switch kind {
        case .constant:
            return 1
        case let .step(every, factor):
            return Float(pow(Double(factor), Double(t / every)))
        case let .cosine(totalSteps, minimum):
            let progress = Double(min(t, totalSteps)) / Double(totalSteps)
            let cosine = (1 + cos(Double.pi * progress)) / 2
            return Float(Double(minimum) + (1 - Double(minimum)) * cosine)
        }
    }

    /// The schedule and its settings in words.
    public var description: String {
        switch kind {
        case .constant: return "constant"
        case let .step(every, factor): return "step(every: \(every), factor: \(factor))"
        case let .cosine(totalSteps, minimum): return "cosine(totalSteps: \(totalSteps), minimumMultiplier: \(minimum))"
        }
    }
}
