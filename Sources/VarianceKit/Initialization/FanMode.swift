/// Which fan a variance-scaling initializer divides by.
///
/// For a Dense weight `[outputs, inputs]`: `fanIn` = inputs (columns), `fanOut` = outputs (rows).
/// - `fanIn`: `Var(W) = scale/fanIn` keeps the forward activation variance (He et al. 2015, LeCun 1998).
/// - `fanOut`: `Var(W) = scale/fanOut` keeps the back-propagated gradient variance.
/// - `fanAverage`: `Var(W) = scale/((fanIn + fanOut)/2)`, Glorot and Bengio's (2010) compromise.
public enum FanMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// `fan = fanIn` (the inputs of the layer: keeps the forward variance).
    case fanIn
    /// `fan = fanOut` (the outputs: keeps the backward variance).
    case fanOut
    /// `fan = (fanIn + fanOut)/2` (Glorot & Bengio's compromise).
    case fanAverage

    /// The fan this mode divides by: `fanIn`, `fanOut` or `(fanIn + fanOut) / 2`.
    public func fan(fanIn: Int, fanOut: Int) -> Double {
        switch self {
        case .fanIn: return Double(fanIn)
        case .fanOut: return Double(fanOut)
        case .fanAverage: return (Double(fanIn) + Double(fanOut)) / 2
        }
    }

    /// The fan as it appears in a formula: `fanIn`, `fanOut` or `(fanIn+fanOut)/2`.
    var symbol: String {
        switch self {
        case .fanIn: return "fanIn"
        case .fanOut: return "fanOut"
        case .fanAverage: return "((fanIn+fanOut)/2)"
        }
    }
}

/// The distribution of a variance-scaling initializer; each is scaled so that the resulting
/// `Var(W)` is exactly `scale/fan`.
/// - `uniform`: `U[-limit, limit]`, `limit = sqrt(3 scale/fan)`.
/// - `normal`: `N(0, scale/fan)`.
/// - `truncatedNormal`: a normal truncated at two of its own standard deviations, whose standard
///   deviation is raised to `sqrt(scale/fan) / 0.8796` to make up for the variance the truncation
///   removes (`0.8796^2 = 0.7737` is the variance of the standard normal truncated to `[-2, 2]`).
public enum VarianceScalingDistribution: String, Sendable, Hashable, Codable, CaseIterable {
    case uniform
    case normal
    case truncatedNormal
}
