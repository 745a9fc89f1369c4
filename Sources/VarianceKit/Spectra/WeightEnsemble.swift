/// The random-matrix ensemble of a scheme's weights, as far as the free-probability predictions of
/// `SpectrumTheory` need it: the spectrum of `W Wᵀ` (scaled to `s_w^2 = fanIn Var(W)`) in the
/// limit of wide square layers.
public enum WeightEnsemble: String, Codable, Sendable, Hashable, CaseIterable {
    /// Independent zero-mean entries of equal variance (Gaussian, uniform, truncated normal, and,
    /// asymptotically, the sparse scheme): `W Wᵀ / s_w^2` follows the Marchenko–Pastur law of ratio
    /// 1, mean 1, variance 1, S-transform `S(z) = 1/(1 + z)`, so its first coefficient `s_1 = -1`.
    case independentEntries
    /// Haar-distributed orthogonal (`orthogonal`): `W Wᵀ = s_w^2 I`, `S(z) = 1`, `s_1 = 0`.
    case haarOrthogonal

    /// `s_1`, the first-order coefficient of the S-transform of `W Wᵀ / s_w^2`.
    public var sTransformSlope: Double {
        switch self {
        case .independentEntries: return -1
        case .haarOrthogonal: return 0
        }
    }
}

extension Initializer {
    /// The ensemble of this scheme's weights, or nil when it is neither (constant, identity and
    /// non-centred schemes). The gain plays no part: it only sets `s_w^2`.
    public var weightEnsemble: WeightEnsemble? {
        switch self {
        case .zeros, .ones, .constant, .identity: return nil
        case let .uniform(low, high): return low == -high && high > 0 ? .independentEntries : nil
        case let .normal(mean, standardDeviation): return mean == 0 && standardDeviation > 0 ? .independentEntries : nil
        case let .truncatedNormal(mean, standardDeviation, lower, upper):
            return mean == 0 && standardDeviation > 0 && lower == -upper ? .independentEntries : nil
        case .standard, .xavierUniform, .xavierNormal, .heUniform, .heNormal, .lecunUniform, .lecunNormal, .varianceScaling:
            return .independentEntries
        case let .sparse(sparsity, standardDeviation): return sparsity < 1 && standardDeviation > 0 ? .independentEntries : nil
        case .orthogonal: return .haarOrthogonal
        }
    }
}
