import Foundation
import VarianceKit

extension ActivationName {
    /// `phi` in Double, for the mean-field predictions (`MeanFieldTheory`).
    var function: @Sendable (Double) -> Double {
        switch self {
        case .linear: return { $0 }
        case .tanh: return { Foundation.tanh($0) }
        case .sigmoid: return { 1 / (1 + exp(-$0)) }
        case .relu: return { max($0, 0) }
        case .leakyReLU: return { $0 > 0 ? $0 : ActivationName.leakySlope * $0 }
        case .softsign: return { $0 / (1 + abs($0)) }
        case .selu: return { $0 > 0 ? Self.seluScale * $0 : Self.seluScale * Self.seluAlpha * (exp($0) - 1) }
        case .elu: return { $0 > 0 ? $0 : ActivationName.eluAlpha * (exp($0) - 1) }
        case .gelu: return { 0.5 * $0 * erfc(-$0 / 2.0.squareRoot()) }
        case .silu: return { $0 / (1 + exp(-$0)) }
        }
    }

    /// `phi'` in Double (the right derivative at kinks).
    var derivative: @Sendable (Double) -> Double {
        switch self {
        case .linear: return { _ in 1 }
        case .tanh: return { let t = Foundation.tanh($0); return 1 - t * t }
        case .sigmoid: return { let s = 1 / (1 + exp(-$0)); return s * (1 - s) }
        case .relu: return { $0 > 0 ? 1 : 0 }
        case .leakyReLU: return { $0 > 0 ? 1 : ActivationName.leakySlope }
        case .softsign: return { let d = 1 + abs($0); return 1 / (d * d) }
        case .selu: return { $0 > 0 ? Self.seluScale : Self.seluScale * Self.seluAlpha * exp($0) }
        case .elu: return { $0 > 0 ? 1 : ActivationName.eluAlpha * exp($0) }
        case .gelu: return { x in 0.5 * erfc(-x / 2.0.squareRoot()) + x * exp(-x * x / 2) / (2 * Double.pi).squareRoot() }
        case .silu: return { x in let s = 1 / (1 + exp(-x)); return s * (1 + x * (1 - s)) }
        }
    }

    /// SELU's constants (Klambauer et al. 2017).
    static let seluScale = 1.0507009873554804934193349852946
    static let seluAlpha = 1.6732632423543772848170429916717

    /// The mean-field model of this activation.
    var meanField: MeanFieldTheory { MeanFieldTheory(activation: function, derivative: derivative) }
}
