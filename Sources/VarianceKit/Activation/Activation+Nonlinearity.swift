extension Activation {
    /// The entry of the initializers' gain table for this activation (`Nonlinearity.gain`), or nil
    /// for activations the table does not cover (softsign, ELU, GELU, SiLU: use gain 1 or measure).
    public var nonlinearity: Nonlinearity? {
        switch self {
        case .identity: .linear
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        case .relu: .relu
        case .leakyReLU(let slope): .leakyReLU(slope: slope)
        case .selu: .selu
        case .softsign, .elu, .gelu, .silu: nil
        }
    }
}
