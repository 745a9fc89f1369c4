/// A weight-initialization scheme.
///
/// Each scheme fills a `Matrix` in place given explicit fans (`fanIn`, `fanOut`; for a Dense
/// weight `[outputs, inputs]`, `fanIn` = columns and `fanOut` = rows), from Philox4x32-10 keyed by
/// `seed` on `stream` (one stream per layer gives independent layers). Before sampling it can state
/// the variance it targets (`targetVariance`), that variance as a formula (`formula`) and its
/// support (`bounds`).
///
/// Every scheme from `standard` to `lecunNormal` is a special case of `varianceScaling`
/// (`asVarianceScaling()`): `Var(W) = scale/fan`.
///
/// The schemes with a gain take a `Gain`: a number, or `.ofActivation`, the conventional gain of
/// the activation of the layer being filled (`Activation.gain`). `Network` resolves it per layer
/// (`resolved(for:)`); a scheme whose gain is still `.ofActivation` cannot be sampled on its own.
public enum Initializer: Sendable, Hashable {
    /// `W = 0`.
    case zeros
    /// `W = 1`.
    case ones
    /// `W = value`.
    case constant(Float)
    /// `W ~ U[low, high)`, `Var(W) = (high - low)^2/12`.
    case uniform(low: Float, high: Float)
    /// `W ~ N(mean, standardDeviation^2)`.
    case normal(mean: Float, standardDeviation: Float)
    /// `W ~ N(mean, standardDeviation^2)` conditioned on `[mean + lower sd, mean + upper sd]`
    /// (bounds in standard deviations of the untruncated normal), sampled exactly.
    /// `Var(W) = sd^2 (1 + (a phi(a) - b phi(b))/Z - ((phi(a) - phi(b))/Z)^2)`, `Z = Phi(b) - Phi(a)`.
    case truncatedNormal(mean: Float, standardDeviation: Float, lower: Float, upper: Float)
    /// Glorot and Bengio's "standard" scheme: `W ~ U[-1/sqrt(fanIn), 1/sqrt(fanIn)]`,
    /// `Var(W) = 1/(3 fanIn)`, so one layer fed unit-variance input has `Var(z) = 1/3`.
    case standard
    /// Glorot and Bengio's normalized scheme: `W ~ U[-g sqrt(6/(fanIn+fanOut)), +...]`,
    /// `Var(W) = 2 g^2/(fanIn + fanOut)`; `g = 1` unless given.
    case xavierUniform(gain: Gain = 1)
    /// `W ~ N(0, 2 g^2/(fanIn + fanOut))`; `g = 1` unless given.
    case xavierNormal(gain: Gain = 1)
    /// He et al.: `W ~ U[-g sqrt(3/fan), g sqrt(3/fan)]`, `Var(W) = g^2/fan`; `g` is the layer
    /// activation's gain unless given (`sqrt(2)` for ReLU).
    case heUniform(mode: FanMode = .fanIn, gain: Gain = .ofActivation)
    /// He et al.: `W ~ N(0, g^2/fan)`; `g` is the layer activation's gain unless given.
    case heNormal(mode: FanMode = .fanIn, gain: Gain = .ofActivation)
    /// LeCun: `W ~ U[-sqrt(3/fanIn), sqrt(3/fanIn)]`, `Var(W) = 1/fanIn`.
    case lecunUniform
    /// LeCun: `W ~ N(0, 1/fanIn)` (a plain normal, like `xavierNormal` and `heNormal`).
    case lecunNormal
    /// `Var(W) = scale/fan` with `fan` chosen by `mode` and the distribution by `distribution`
    /// (the truncated normal is corrected so the resulting variance is `scale/fan`).
    case varianceScaling(scale: Float, mode: FanMode, distribution: VarianceScalingDistribution)
    /// Saxe et al. (2014): `W = g Q`, `Q` uniformly (Haar) distributed with orthonormal rows
    /// (`rows <= columns`: `W Wᵀ = g^2 I`) or columns (`rows > columns`: `Wᵀ W = g^2 I`): the QR
    /// factor of a Gaussian matrix with the signs of `diag(R)` folded in. `Var(W) = g^2/max(fanIn, fanOut)`;
    /// `g` is the layer activation's gain unless given.
    case orthogonal(gain: Gain = .ofActivation)
    /// `W[i, i] = g` for `i < min(rows, columns)`, zero elsewhere (rectangular allowed); `g = 1`
    /// unless given.
    case identity(gain: Gain = 1)
    /// Martens (2010)-style sparse init: in every column, `ceil(sparsity rows)` entries at random
    /// rows are exactly zero, the rest `N(0, standardDeviation^2)`;
    /// `Var(W) = sd^2 (1 - ceil(sparsity rows)/rows)`. The count is exact for the decimal
    /// `sparsity` stands for (`0.1` on 10 rows: 1 zero per column; see `sparseZeroCount`).
    case sparse(sparsity: Float, standardDeviation: Float)
}

extension Initializer {
    /// He uniform with the gain of `activation` (`Var(W) = gain^2/fan`).
    public static func heUniform(_ activation: Activation, mode: FanMode = .fanIn) -> Initializer {
        .heUniform(mode: mode, gain: .value(activation.gain))
    }

    /// He normal with the gain of `activation`.
    public static func heNormal(_ activation: Activation, mode: FanMode = .fanIn) -> Initializer {
        .heNormal(mode: mode, gain: .value(activation.gain))
    }

    /// This scheme with a gain rule (`.ofActivation`, `.fixedPoint`, `.critical`) replaced by
    /// its value for `activation` (`Gain.value(for:)`); other schemes and explicit gains are
    /// returned unchanged.
    public func resolved(for activation: Activation) -> Initializer {
        func resolve(_ gain: Gain) -> Gain { .value(gain.value(for: activation)) }
        switch self {
        case let .xavierUniform(gain): return .xavierUniform(gain: resolve(gain))
        case let .xavierNormal(gain): return .xavierNormal(gain: resolve(gain))
        case let .heUniform(mode, gain): return .heUniform(mode: mode, gain: resolve(gain))
        case let .heNormal(mode, gain): return .heNormal(mode: mode, gain: resolve(gain))
        case let .orthogonal(gain): return .orthogonal(gain: resolve(gain))
        case let .identity(gain): return .identity(gain: resolve(gain))
        default: return self
        }
    }

    /// The gain of the schemes that take one (nil for the others).
    public var gain: Gain? {
        switch self {
        case let .xavierUniform(gain), let .xavierNormal(gain), let .orthogonal(gain), let .identity(gain): return gain
        case let .heUniform(_, gain), let .heNormal(_, gain): return gain
        default: return nil
        }
    }

    /// Every kind of scheme once, with default parameters and explicit gains (for sweeps and
    /// listings; He with `sqrt(2)`, orthogonal with 1).
    public static let allDefaults: [Initializer] = [
        .zeros, .ones, .constant(0.5), .uniform(low: -0.05, high: 0.05),
        .normal(mean: 0, standardDeviation: 0.05),
        .truncatedNormal(mean: 0, standardDeviation: 0.05, lower: -2, upper: 2),
        .standard, .xavierUniform(), .xavierNormal(), .heUniform(.relu), .heNormal(.relu), .lecunUniform, .lecunNormal,
        .varianceScaling(scale: 1, mode: .fanAverage, distribution: .truncatedNormal),
        .orthogonal(gain: 1), .identity(), .sparse(sparsity: 0.1, standardDeviation: 0.01),
    ]
}

/// The gain `g` of a variance-preserving initializer (`Var(W)` proportional to `g^2`): a number,
/// or a rule that gives one for the activation of the layer being filled:
///
/// | case | `g^2` | what it does (no bias) |
/// |---|---|---|
/// | `ofActivation` | `Activation.gain^2` (25/9 for tanh, 2 for ReLU) | the conventional table |
/// | `fixedPoint` | `1 / E[phi(z)^2]` | `q = 1` is a fixed point of the length map: unit-variance pre-activations stay so |
/// | `critical` | `1 / E[phi'(z)^2]` | `chi_1 = 1` at `q = 1`: gradient variance neither grows nor shrinks per layer at unit pre-activation variance |
///
/// (`z ~ N(0, 1)`; `MeanFieldTheory.fixedPointGain`, `.criticalGain`.) Float and integer
/// literals are gains.
public enum Gain: Sendable, Hashable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The conventional gain of the layer's activation, `Activation.gain`.
    case ofActivation
    /// `g^2 = 1 / E[phi(z)^2]`.
    case fixedPoint
    /// `g^2 = 1 / E[phi'(z)^2]`.
    case critical
    /// This gain.
    case value(Float)

    /// The gain `value` written as a literal, e.g. `gain: 1.5`.
    public init(floatLiteral value: Float) { self = .value(value) }
    /// The gain `value` written as an integer literal, e.g. `gain: 2`.
    public init(integerLiteral value: Int) { self = .value(Float(value)) }

    /// `of-activation`, `fixed-point`, `critical` or a positive finite number.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` naming the accepted values.
    public init(parsing text: String) throws {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "of-activation", "activation": self = .ofActivation
        case "fixed-point", "fixedpoint": self = .fixedPoint
        case "critical": self = .critical
        default:
            guard let number = Float(text), number.isFinite, number > 0 else {
                throw VarianceKitError.invalidParameter(
                    name: "gain", value: "\"\(text)\"", expected: "a finite number > 0, of-activation, fixed-point or critical")
            }
            self = .value(number)
        }
    }

    /// The number: `activation.gain` for `ofActivation`, the mean-field gains for `fixedPoint`
    /// and `critical`, the value itself otherwise.
    public func value(for activation: Activation) -> Float {
        switch self {
        case .ofActivation: return activation.gain
        case .fixedPoint: return Float(MeanFieldTheory(activation: activation).fixedPointGain)
        case .critical: return Float(MeanFieldTheory(activation: activation).criticalGain)
        case let .value(gain): return gain
        }
    }

    /// `of-activation`, `fixed-point`, `critical`, or the number.
    public var description: String {
        switch self {
        case .ofActivation: return "of-activation"
        case .fixedPoint: return "fixed-point"
        case .critical: return "critical"
        case let .value(gain): return "\(gain)"
        }
    }

    /// The number, validated (finite, `> 0`).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a gain that is not finite and `> 0`, or
    ///   that is still a rule (no layer activation to take it from).
    func require() throws -> Float {
        switch self {
        case .ofActivation, .fixedPoint, .critical:
            throw VarianceKitError.invalidParameter(
                name: "gain", value: description,
                expected: "an explicit gain, or the scheme resolved for an activation first (Initializer.resolved(for:); Network does this per layer)")
        case let .value(gain):
            try VarianceKitError.requirePositiveFinite(gain, "gain")
            return gain
        }
    }
}

extension Gain: Codable {
    /// A number, or the rule's name.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if case let .value(gain) = self { try container.encode(gain) } else { try container.encode(description) }
    }

    /// Reads a number, or a rule's name as `init(parsing:)` does.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Float.self) { self = .value(number); return }
        self = try Gain(parsing: try container.decode(String.self))
    }
}
