/// An activation function, for the gain its initializers should use.
///
/// The gain `g` multiplies the standard deviation of a variance-preserving scheme
/// (`Var(W) = g^2/fan`) to make up for what the nonlinearity does to the variance.
public enum Nonlinearity: Sendable, Hashable {
    /// Identity (no activation). Gain 1: in the linear regime `Var(z) = fan Var(W) Var(x)` needs no
    /// correction (Glorot and Bengio 2010).
    case linear
    /// Logistic sigmoid. Gain 1, PyTorch's `calculate_gain` convention (Glorot and Bengio 2010
    /// used the unscaled scheme for sigmoid networks).
    case sigmoid
    /// Hyperbolic tangent. Gain 5/3, PyTorch's `calculate_gain` value: for `z ~ N(0, 1)`,
    /// `E[tanh(z)^2] = 0.394`, and `1/sqrt(0.394) = 1.59`, close to 5/3.
    case tanh
    /// Rectified linear unit. Gain `sqrt(2)`: ReLU zeroes half of a symmetric input, halving the
    /// second moment (He, Zhang, Ren and Sun 2015, "Delving Deep into Rectifiers").
    case relu
    /// Leaky ReLU with negative slope `slope`. Gain `sqrt(2/(1 + slope^2))` (He et al. 2015):
    /// the second moment is multiplied by `(1 + slope^2)/2`.
    case leakyReLU(slope: Float)
    /// Scaled exponential linear unit. Gain 3/4, PyTorch's `calculate_gain` value (an empirical
    /// choice). Self-normalizing networks proper (Klambauer et al. 2017) want LeCun's
    /// `Var(W) = 1/fanIn`, i.e. `.lecunNormal` or gain 1.
    case selu

    /// The gain `g`, with `Var(W) = g^2/fan` the variance-preserving choice for this activation.
    public var gain: Float {
        switch self {
        case .linear, .sigmoid: return 1
        case .tanh: return 5.0 / 3.0
        case .relu: return Float(2.0.squareRoot())
        case let .leakyReLU(slope): return Float((2.0 / (1.0 + Double(slope) * Double(slope))).squareRoot())
        case .selu: return 0.75
        }
    }
}
