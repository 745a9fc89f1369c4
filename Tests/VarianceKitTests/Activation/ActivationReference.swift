import Foundation
import VarianceKit

/// Independent Double-precision activations and their analytic derivatives, written from the
/// textbook formulas with Foundation's libm (no VarianceKit code).
enum ActivationReference {
    static let seluScale = 1.0507009873554805
    static let seluAlpha = 1.6732632423543772

    static func value(_ activation: Activation, _ z: Double) -> Double {
        switch activation {
        case .linear: return z
        case .tanh: return Foundation.tanh(z)
        case .sigmoid: return 1 / (1 + Foundation.exp(-z))
        case .relu: return max(z, 0)
        case .leakyReLU(let slope): return z > 0 ? z : Double(slope) * z
        case .softsign: return z / (1 + Swift.abs(z))
        case .selu: return seluScale * (z > 0 ? z : seluAlpha * Foundation.expm1(z))
        case .elu(let alpha): return z > 0 ? z : Double(alpha) * Foundation.expm1(z)
        case .gelu: return z * 0.5 * Foundation.erfc(-z / 2.0.squareRoot())
        case .silu: return z / (1 + Foundation.exp(-z))
        }
    }

    static func derivative(_ activation: Activation, _ z: Double) -> Double {
        switch activation {
        case .linear: return 1
        case .tanh:
            let t = Foundation.tanh(z)
            return 1 - t * t
        case .sigmoid:
            let s = 1 / (1 + Foundation.exp(-z))
            return s * (1 - s)
        case .relu: return z > 0 ? 1 : 0
        case .leakyReLU(let slope): return z > 0 ? 1 : Double(slope)
        case .softsign: return 1 / ((1 + Swift.abs(z)) * (1 + Swift.abs(z)))
        case .selu: return z > 0 ? seluScale : seluScale * seluAlpha * Foundation.exp(z)
        case .elu(let alpha): return z > 0 ? 1 : Double(alpha) * Foundation.exp(z)
        case .gelu:
            let cdf = 0.5 * Foundation.erfc(-z / 2.0.squareRoot())
            let density = Foundation.exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
            return cdf + z * density
        case .silu:
            let s = 1 / (1 + Foundation.exp(-z))
            return s + z * s * (1 - s)
        }
    }
}

/// Every activation, with non-default parameters where it has them.
let allActivations: [Activation] = [
    .linear, .tanh, .sigmoid, .relu, .leakyReLU(slope: 0.1), .softsign, .selu, .elu(alpha: 0.7), .gelu, .silu,
]
