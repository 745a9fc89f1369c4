import VarianceKit

extension ActivationName {
    /// The library's activation.
    var activation: Activation {
        switch self {
        case .linear: return .identity
        case .tanh: return .tanh
        case .sigmoid: return .sigmoid
        case .relu: return .relu
        case .leakyReLU: return .leakyReLU(slope: Float(ActivationName.leakySlope))
        case .softsign: return .softsign
        case .selu: return .selu
        case .elu: return .elu(alpha: Float(ActivationName.eluAlpha))
        case .gelu: return .gelu
        case .silu: return .silu
        }
    }

    /// The gain orthogonal initialization uses by default: the gain table's, 1 where it has none.
    var defaultGain: Float { activation.nonlinearity?.gain ?? 1 }
}

extension InitializerName {
    /// The scheme this name selects for a network of `activation` units, with `gain` (`--gain`)
    /// when given: `orthogonal` takes the activation's gain from the gain table, `he-*` sqrt(2),
    /// `xavier-*` and `identity` 1. The fixed-scale baselines are `normal` = N(0, 0.01^2) and
    /// `uniform` = U[-0.05, 0.05]; `truncated-normal` is the normal truncated at 2 standard
    /// deviations, rescaled so that `Var(W) = 1/fanIn`.
    func scheme(activation: ActivationName, gain: Float?) -> Initializer {
        switch self {
        case .standard: return .standard
        case .xavierUniform: return .xavierUniform(gain: gain ?? 1)
        case .xavierNormal: return .xavierNormal(gain: gain ?? 1)
        case .heUniform: return .heUniform(mode: .fanIn, gain: gain ?? Float(2.0.squareRoot()))
        case .heNormal: return .heNormal(mode: .fanIn, gain: gain ?? Float(2.0.squareRoot()))
        case .heUniformFanOut: return .heUniform(mode: .fanOut, gain: gain ?? Float(2.0.squareRoot()))
        case .heNormalFanOut: return .heNormal(mode: .fanOut, gain: gain ?? Float(2.0.squareRoot()))
        case .lecunUniform: return .lecunUniform
        case .lecunNormal: return .lecunNormal
        case .orthogonal: return .orthogonal(gain: gain ?? activation.defaultGain)
        case .identity: return .identity(gain: gain ?? 1)
        case .truncatedNormal: return .varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal)
        case .normal: return .normal(mean: 0, standardDeviation: 0.01)
        case .uniform: return .uniform(low: -0.05, high: 0.05)
        }
    }

    /// The gain actually used (`nil` for schemes without one).
    func effectiveGain(activation: ActivationName, gain: Float?) -> Double? {
        switch scheme(activation: activation, gain: gain) {
        case let .xavierUniform(g), let .xavierNormal(g), let .orthogonal(g), let .identity(g): return Double(g)
        case let .heUniform(_, g), let .heNormal(_, g): return Double(g)
        default: return nil
        }
    }
}
