import Foundation

extension Activation {
    /// `φ(z)` in Double, for the theory (`MeanFieldTheory`): the formulas of the type's table,
    /// with SELU's constants in full precision and leaky ReLU's slope and ELU's alpha as stored.
    public func valueInDouble(_ z: Double) -> Double {
        switch self {
        case .linear: return z
        case .tanh: return Foundation.tanh(z)
        case .sigmoid: return 1 / (1 + exp(-z))
        case .relu: return Swift.max(z, 0)
        case .leakyReLU(let slope): return z > 0 ? z : Double(slope) * z
        case .softsign: return z / (1 + Swift.abs(z))
        case .selu: return z > 0 ? Self.seluScaleExact * z : Self.seluScaleExact * Self.seluAlphaExact * (exp(z) - 1)
        case .elu(let alpha): return z > 0 ? z : Double(alpha) * (exp(z) - 1)
        case .gelu: return 0.5 * z * erfc(-z / 2.0.squareRoot())
        case .silu: return z / (1 + exp(-z))
        }
    }

    /// `φ'(z)` in Double (the right derivative at kinks, so ReLU's is 0 at `z <= 0` and 1 above).
    public func derivativeInDouble(_ z: Double) -> Double {
        switch self {
        case .linear: return 1
        case .tanh: let t = Foundation.tanh(z); return 1 - t * t
        case .sigmoid: let s = 1 / (1 + exp(-z)); return s * (1 - s)
        case .relu: return z > 0 ? 1 : 0
        case .leakyReLU(let slope): return z > 0 ? 1 : Double(slope)
        case .softsign: let d = 1 + Swift.abs(z); return 1 / (d * d)
        case .selu: return z > 0 ? Self.seluScaleExact : Self.seluScaleExact * Self.seluAlphaExact * exp(z)
        case .elu(let alpha): return z > 0 ? 1 : Double(alpha) * exp(z)
        case .gelu: return 0.5 * erfc(-z / 2.0.squareRoot()) + z * exp(-z * z / 2) / (2 * Double.pi).squareRoot()
        case .silu: let s = 1 / (1 + exp(-z)); return s * (1 + z * (1 - s))
        }
    }
}
