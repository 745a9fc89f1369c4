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
    /// `Var(W) = 2 g^2/(fanIn + fanOut)`.
    case xavierUniform(gain: Float = 1)
    /// `W ~ N(0, 2 g^2/(fanIn + fanOut))`.
    case xavierNormal(gain: Float = 1)
    /// He et al.: `W ~ U[-g sqrt(3/fan), g sqrt(3/fan)]`, `Var(W) = g^2/fan`, `g = sqrt(2)` for ReLU.
    case heUniform(mode: FanMode = .fanIn, gain: Float = 1.4142135)
    /// He et al.: `W ~ N(0, g^2/fan)`.
    case heNormal(mode: FanMode = .fanIn, gain: Float = 1.4142135)
    /// LeCun: `W ~ U[-sqrt(3/fanIn), sqrt(3/fanIn)]`, `Var(W) = 1/fanIn`.
    case lecunUniform
    /// LeCun: `W ~ N(0, 1/fanIn)` (a plain normal, like `xavierNormal` and `heNormal`).
    case lecunNormal
    /// `Var(W) = scale/fan` with `fan` chosen by `mode` and the distribution by `distribution`
    /// (the truncated normal is corrected so the resulting variance is `scale/fan`).
    case varianceScaling(scale: Float, mode: FanMode, distribution: VarianceScalingDistribution)
    /// Saxe et al. (2014): `W = g Q`, `Q` uniformly (Haar) distributed with orthonormal rows
    /// (`rows <= columns`: `W Wᵀ = g^2 I`) or columns (`rows > columns`: `Wᵀ W = g^2 I`): the QR
    /// factor of a Gaussian matrix with the signs of `diag(R)` folded in. `Var(W) = g^2/max(fanIn, fanOut)`.
    case orthogonal(gain: Float = 1)
    /// `W[i, i] = g` for `i < min(rows, columns)`, zero elsewhere (rectangular allowed).
    case identity(gain: Float = 1)
    /// Martens (2010)-style sparse init: in every column, `ceil(sparsity rows)` entries at random
    /// rows are exactly zero, the rest `N(0, standardDeviation^2)`;
    /// `Var(W) = sd^2 (1 - ceil(sparsity rows)/rows)`.
    case sparse(sparsity: Float, standardDeviation: Float)
}

extension Initializer {
    /// He uniform with the gain of `nonlinearity` (`Var(W) = gain^2/fan`).
    public static func heUniform(_ nonlinearity: Nonlinearity, mode: FanMode = .fanIn) -> Initializer {
        .heUniform(mode: mode, gain: nonlinearity.gain)
    }

    /// He normal with the gain of `nonlinearity`.
    public static func heNormal(_ nonlinearity: Nonlinearity, mode: FanMode = .fanIn) -> Initializer {
        .heNormal(mode: mode, gain: nonlinearity.gain)
    }

    /// Every kind of scheme once, with default parameters (for sweeps and listings).
    public static let allDefaults: [Initializer] = [
        .zeros, .ones, .constant(0.5), .uniform(low: -0.05, high: 0.05),
        .normal(mean: 0, standardDeviation: 0.05),
        .truncatedNormal(mean: 0, standardDeviation: 0.05, lower: -2, upper: 2),
        .standard, .xavierUniform(), .xavierNormal(), .heUniform(), .heNormal(), .lecunUniform, .lecunNormal,
        .varianceScaling(scale: 1, mode: .fanAverage, distribution: .truncatedNormal),
        .orthogonal(), .identity(), .sparse(sparsity: 0.1, standardDeviation: 0.01),
    ]
}
