extension Activation {
    /// The conventional initialization gain `g` of this activation: a variance-preserving scheme
    /// draws `Var(W) = g²/fan` to make up for what `φ` does to the second moment.
    ///
    /// - `linear`, `sigmoid`: 1. In the linear regime `Var(z) = fan Var(W) Var(x)` needs no
    ///   correction (Glorot and Bengio 2010); for sigmoid 1 is PyTorch's `calculate_gain` value.
    /// - `tanh`: 5/3, PyTorch's value: for `z ~ N(0, 1)`, `E[tanh(z)²] = 0.394` and
    ///   `1/sqrt(0.394) = 1.59`, close to 5/3.
    /// - `relu`: `√2`: ReLU zeroes half of a symmetric input, halving the second moment (He,
    ///   Zhang, Ren and Sun 2015).
    /// - `leakyReLU(slope: s)`: `√(2/(1 + s²))` (He et al. 2015): the second moment is multiplied
    ///   by `(1 + s²)/2`.
    /// - `selu`: 3/4, PyTorch's (empirical) value. Self-normalizing networks proper (Klambauer et
    ///   al. 2017) want LeCun's `Var(W) = 1/fanIn`, i.e. `.lecunNormal` or gain 1.
    /// - `softsign`, `elu`, `gelu`, `silu`: no conventional value exists (`hasConventionalGain` is
    ///   false); 1.
    public var gain: Float {
        switch self {
        case .linear, .sigmoid: return 1
        case .tanh: return 5.0 / 3.0
        case .relu: return Float(2.0.squareRoot())
        case let .leakyReLU(slope): return Float((2.0 / (1.0 + Double(slope) * Double(slope))).squareRoot())
        case .selu: return 0.75
        case .softsign, .elu, .gelu, .silu: return 1
        }
    }

    /// Whether `gain` is a published convention rather than the fallback 1.
    public var hasConventionalGain: Bool {
        switch self {
        case .softsign, .elu, .gelu, .silu: return false
        default: return true
        }
    }
}
