/// An elementwise activation function `φ`, applied to a Dense layer's pre-activations
/// `Z = X Wᵀ + b` to give `A = φ(Z)`, with its derivative `φ'` for back-propagation.
///
/// | case | `φ(z)` | `φ'(z)` |
/// |---|---|---|
/// | `identity` | `z` | `1` |
/// | `tanh` | `tanh z` | `1 - φ(z)²` |
/// | `sigmoid` | `1 / (1 + e^{-z})` | `φ(z)(1 - φ(z))` |
/// | `relu` | `max(z, 0)` | `1` if `z > 0`, else `0` |
/// | `leakyReLU(slope: a)` | `z` if `z > 0`, else `a z` | `1` if `z > 0`, else `a` |
/// | `softsign` | `z / (1 + \|z\|)` | `1 / (1 + \|z\|)²` |
/// | `selu` | `λ z` if `z > 0`, else `λ α (e^z - 1)` | `λ`, else `λ α e^z` |
/// | `elu(alpha: α)` | `z` if `z > 0`, else `α (e^z - 1)` | `1`, else `α e^z` |
/// | `gelu` | `z Φ(z)` (exact, with the normal CDF `Φ`) | `Φ(z) + z φ_N(z)` |
/// | `silu` | `z σ(z)` (swish with β = 1) | `σ(z) + z σ(z)(1 - σ(z))` |
///
/// SELU uses `λ = 1.0507009873554805`, `α = 1.6732632423543772` (Klambauer et al. 2017), the
/// constants that make `N(0, 1)` a fixed point of the forward variance under LeCun-normal weights.
/// The derivative at exactly `z = 0` is the left one for ReLU (`0`) and the right one elsewhere.
///
/// All kernels are vectorized (see `ActivationMath`); NaN propagates, ±inf saturates as the formula says.
public enum Activation: Sendable, Hashable, Codable {
    case identity
    case tanh
    case sigmoid
    case relu
    case leakyReLU(slope: Float)
    case softsign
    case selu
    case elu(alpha: Float)
    case gelu
    case silu

    /// SELU's scale `λ`.
    public static let seluScale: Float = 1.050_700_987_355_480_5
    /// SELU's negative-side coefficient `α`.
    public static let seluAlpha: Float = 1.673_263_242_354_377_2

    /// Every activation with its default parameters (`leakyReLU(slope: 0.01)`, `elu(alpha: 1)`).
    public static let allDefaults: [Activation] = [
        .identity, .tanh, .sigmoid, .relu, .leakyReLU(slope: 0.01), .softsign, .selu, .elu(alpha: 1), .gelu, .silu,
    ]

    /// The kebab-case name used on the command line and in JSON: `identity`, `tanh`, `sigmoid`,
    /// `relu`, `leaky-relu`, `softsign`, `selu`, `elu`, `gelu`, `silu` (parameters are not part of
    /// the name; see `description` for a name with them).
    public var name: String {
        switch self {
        case .identity: "identity"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        case .relu: "relu"
        case .leakyReLU: "leaky-relu"
        case .softsign: "softsign"
        case .selu: "selu"
        case .elu: "elu"
        case .gelu: "gelu"
        case .silu: "silu"
        }
    }

    /// The activation called `name` (case-insensitive): `identity`/`linear`, `tanh`, `sigmoid`/`logistic`,
    /// `relu`, `leaky-relu`/`leakyrelu`/`leaky_relu` (slope `leakySlope`), `softsign`, `selu`,
    /// `elu` (alpha `eluAlpha`), `gelu`, `silu`/`swish`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` naming the accepted names for an unknown name,
    ///   or when `leakySlope` / `eluAlpha` is not finite and `>= 0`.
    public static func named(_ name: String, leakySlope: Float = 0.01, eluAlpha: Float = 1) throws -> Activation {
        switch name.lowercased() {
        case "identity", "linear": return .identity
        case "tanh": return .tanh
        case "sigmoid", "logistic": return .sigmoid
        case "relu": return .relu
        case "leaky-relu", "leakyrelu", "leaky_relu":
            try VarianceKitError.requireNonNegativeFinite(leakySlope, "leaky ReLU slope")
            return .leakyReLU(slope: leakySlope)
        case "softsign": return .softsign
        case "selu": return .selu
        case "elu":
            try VarianceKitError.requireNonNegativeFinite(eluAlpha, "ELU alpha")
            return .elu(alpha: eluAlpha)
        case "gelu": return .gelu
        case "silu", "swish": return .silu
        default:
            throw VarianceKitError.invalidParameter(
                name: "activation", value: "\"\(name)\"",
                expected: "one of identity (linear), tanh, sigmoid, relu, leaky-relu, softsign, selu, elu, gelu, silu (swish)")
        }
    }

    /// Checks the parameters of `leakyReLU` and `elu` (finite, `>= 0`).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` naming the parameter.
    public func validate() throws {
        switch self {
        case .leakyReLU(let slope): try VarianceKitError.requireNonNegativeFinite(slope, "leaky ReLU slope")
        case .elu(let alpha): try VarianceKitError.requireNonNegativeFinite(alpha, "ELU alpha")
        default: break
        }
    }

    /// Whether the probes report a saturated fraction for this activation, and the rule:
    /// `tanh`: `|a| > 0.99`; `sigmoid`: `a < 0.01` or `a > 0.99`; `softsign`: `|a| > 0.9`.
    public var hasSaturation: Bool {
        switch self {
        case .tanh, .sigmoid, .softsign: true
        default: false
        }
    }

    /// Whether the probes report a dead fraction (units whose activation is exactly 0): ReLU only.
    public var hasDeadUnits: Bool { self == .relu }
}

extension Activation: CustomStringConvertible {
    /// The name with its parameters, e.g. `leaky-relu(slope: 0.01)`.
    public var description: String {
        switch self {
        case .leakyReLU(let slope): "leaky-relu(slope: \(slope))"
        case .elu(let alpha): "elu(alpha: \(alpha))"
        default: name
        }
    }
}
