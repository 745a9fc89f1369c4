import Foundation

/// An elementwise activation function `φ`, applied to a Dense layer's pre-activations
/// `Z = X Wᵀ + b` to give `A = φ(Z)`, with its derivative `φ'` for back-propagation.
///
/// | case | `φ(z)` | `φ'(z)` | gain | saturated / dead |
/// |---|---|---|---|---|
/// | `linear` | `z` | `1` | 1 | |
/// | `tanh` | `tanh z` | `1 - φ(z)²` | 5/3 | `\|a\| > 0.99` |
/// | `sigmoid` | `1 / (1 + e^{-z})` | `φ(z)(1 - φ(z))` | 1 | `a < 0.01` or `a > 0.99` |
/// | `relu` | `max(z, 0)` | `1` if `z > 0`, else `0` | `√2` | dead: `a = 0` |
/// | `leakyReLU(slope: s)` | `z` if `z > 0`, else `s z` | `1` if `z > 0`, else `s` | `√(2/(1+s²))` | |
/// | `softsign` | `z / (1 + \|z\|)` | `1 / (1 + \|z\|)²` | 1 (none conventional) | `\|a\| > 0.9` |
/// | `selu` | `λ z` if `z > 0`, else `λ α (e^z - 1)` | `λ`, else `λ α e^z` | 3/4 | |
/// | `elu(alpha: α)` | `z` if `z > 0`, else `α (e^z - 1)` | `1`, else `α e^z` | 1 (none conventional) | |
/// | `gelu` | `z Φ(z)` (exact, with the normal CDF `Φ`) | `Φ(z) + z φ_N(z)` | 1 (none conventional) | |
/// | `silu` | `z σ(z)` (swish with β = 1) | `σ(z) + z σ(z)(1 - σ(z))` | 1 (none conventional) | |
///
/// SELU uses `λ = 1.0507009873554805`, `α = 1.6732632423543772` (Klambauer et al. 2017), the
/// constants that make `N(0, 1)` a fixed point of the forward variance under LeCun-normal weights.
/// The derivative at exactly `z = 0` is the left one for ReLU (`0`) and the right one elsewhere.
///
/// This type is the one definition of an activation: its vectorized Float kernels (the fused
/// passes of `Network`), its scalar Double `φ` and `φ'` for the theory (`valueInDouble(_:)`,
/// `derivativeInDouble(_:)`, used by `MeanFieldTheory`), its saturation rule (`saturation`), its
/// conventional initialization gain (`gain`), and its names (`name`, `named(_:)`).
/// All kernels are vectorized; NaN propagates, ±inf saturates as the formula says.
public enum Activation: Sendable, Hashable, Codable {
    /// `φ(z) = z`.
    case linear
    /// `φ(z) = tanh(z)`.
    case tanh
    /// `φ(z) = 1/(1 + e^-z)`.
    case sigmoid
    /// `φ(z) = max(z, 0)`.
    case relu
    /// `φ(z) = z` for `z > 0`, `slope · z` otherwise.
    case leakyReLU(slope: Float)
    /// `φ(z) = z/(1 + |z|)`.
    case softsign
    /// `φ(z) = λ z` for `z > 0`, `λ α (e^z - 1)` otherwise, with Klambauer et al.'s `λ` and `α`.
    case selu
    /// `φ(z) = z` for `z > 0`, `alpha (e^z - 1)` otherwise.
    case elu(alpha: Float)
    /// `φ(z) = z Φ(z)`, `Φ` the standard normal CDF.
    case gelu
    /// `φ(z) = z/(1 + e^-z)` (swish).
    case silu

    /// SELU's scale `λ` (Klambauer et al. 2017), in Double for the theory.
    public static let seluScaleExact = 1.0507009873554804934193349852946
    /// SELU's negative-side coefficient `α`, in Double for the theory.
    public static let seluAlphaExact = 1.6732632423543772848170429916717
    /// `λ` rounded to Float, as the kernels use it.
    public static let seluScale = Float(seluScaleExact)
    /// `α` rounded to Float, as the kernels use it.
    public static let seluAlpha = Float(seluAlphaExact)

    /// The slope of `leaky-relu` when a name is parsed without one (PyTorch's and Keras' default).
    public static let defaultLeakySlope: Float = 0.01
    /// The `alpha` of `elu` when a name is parsed without one.
    public static let defaultELUAlpha: Float = 1

    /// Every activation with its default parameters (`leakyReLU(slope: 0.01)`, `elu(alpha: 1)`).
    public static let allDefaults: [Activation] = [
        .linear, .tanh, .sigmoid, .relu, .leakyReLU(slope: defaultLeakySlope), .softsign, .selu,
        .elu(alpha: defaultELUAlpha), .gelu, .silu,
    ]

    /// The kebab-case name used on the command line and in JSON: `linear`, `tanh`, `sigmoid`,
    /// `relu`, `leaky-relu`, `softsign`, `selu`, `elu`, `gelu`, `silu` (parameters are not part of
    /// the name; see `description` for a name with them).
    public var name: String {
        switch self {
        case .linear: "linear"
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

    /// Other spellings `named(_:)` accepts, each for the activation with default parameters.
    public static let aliases: [String: Activation] = [
        "identity": .linear, "none": .linear, "logistic": .sigmoid, "swish": .silu,
        "leakyrelu": .leakyReLU(slope: defaultLeakySlope), "lrelu": .leakyReLU(slope: defaultLeakySlope),
    ]

    /// The canonical names, comma-separated (for messages and `--help`).
    public static var acceptedNames: String { allDefaults.map(\.name).joined(separator: ", ") }

    /// The activation called `name`: a canonical name or an alias (`identity`/`none` for
    /// `linear`, `logistic` for `sigmoid`, `swish` for `silu`, `leakyrelu`/`lrelu`), compared
    /// case-insensitively with `_` read as `-`; `leaky-relu` takes `leakySlope` and `elu` takes
    /// `eluAlpha`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` naming the accepted names for an unknown name,
    ///   or when `leakySlope` / `eluAlpha` is not finite and `>= 0`.
    public static func named(
        _ name: String, leakySlope: Float = defaultLeakySlope, eluAlpha: Float = defaultELUAlpha
    ) throws -> Activation {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
        guard let found = allDefaults.first(where: { $0.name == key }) ?? aliases[key] else {
            throw VarianceKitError.invalidParameter(
                name: "activation", value: "\"\(name)\"",
                expected: "one of \(acceptedNames) (aliases: \(aliases.keys.sorted().joined(separator: ", ")))")
        }
        let activation: Activation
        switch found {
        case .leakyReLU: activation = .leakyReLU(slope: leakySlope)
        case .elu: activation = .elu(alpha: eluAlpha)
        default: activation = found
        }
        try activation.validate()
        return activation
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
