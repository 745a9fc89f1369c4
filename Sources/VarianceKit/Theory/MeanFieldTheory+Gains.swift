extension MeanFieldTheory {
    /// The gain whose `s_w^2 = g^2` makes `q = 1` a fixed point of the length map without bias:
    /// `g^2 = 1 / E[phi(z)^2]`, `z ~ N(0, 1)` (tanh: 1.593; ReLU: `sqrt(2)`; SELU: 1).
    public var fixedPointGain: Double {
        (1 / activationSecondMoment(preactivationVariance: 1)).squareRoot()
    }

    /// The gain whose `s_w^2 = g^2` makes `chi_1 = 1` at unit pre-activation variance without
    /// bias: `g^2 = 1 / E[phi'(z)^2]` (tanh: 1.467; ReLU: `sqrt(2)`), so that the layers fed
    /// unit-variance signals pass gradients on with their variance unchanged.
    public var criticalGain: Double {
        (1 / derivativeSecondMoment(preactivationVariance: 1)).squareRoot()
    }
}
