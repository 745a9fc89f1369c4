/// What a scheme samples once its fans are known: the one place where each scheme's formula
/// becomes concrete numbers (computed in `Double`, then rounded once to `Float`).
enum InitializerSampling: Equatable {
    case constant(Float)
    case uniform(low: Float, high: Float)
    case normal(mean: Float, standardDeviation: Float)
    case truncatedNormal(mean: Float, standardDeviation: Float, lower: Float, upper: Float)
    case orthogonal(gain: Float)
    case identity(gain: Float)
    case sparse(sparsity: Float, standardDeviation: Float)
}

extension Initializer {
    /// The standard deviation of the standard normal truncated to `[-2, 2]`, `0.87962566...`:
    /// `varianceScaling(.truncatedNormal)` divides by it so the resulting variance is `scale/fan`.
    public static let truncatedNormalCorrection: Double =
        StandardNormal.truncatedMoments(lower: -2, upper: 2).variance.squareRoot()

    /// Validates every parameter and the fans, and returns what to sample.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` naming the offending parameter.
    func sampling(fanIn: Int, fanOut: Int) throws -> InitializerSampling {
        try Initializer.validateFans(fanIn: fanIn, fanOut: fanOut)
        // Fans of any size (up to `Int.max`) are exact enough in Double for these formulas;
        // `mode.fan` takes the integers.
        let fans = (fanIn: fanIn, fanOut: fanOut)
        let fanIn = Double(fanIn), fanOut = Double(fanOut)
        switch self {
        case .zeros:
            return .constant(0)
        case .ones:
            return .constant(1)
        case let .constant(value):
            try VarianceKitError.requireFinite(value, "constant")
            return .constant(value)
        case let .uniform(low, high):
            try RandomFill.validateUniform(low: low, high: high)
            return .uniform(low: low, high: high)
        case let .normal(mean, standardDeviation):
            try RandomFill.validateNormal(mean: mean, standardDeviation: standardDeviation)
            return .normal(mean: mean, standardDeviation: standardDeviation)
        case let .truncatedNormal(mean, standardDeviation, lower, upper):
            try RandomFill.validateTruncatedNormal(mean: mean, standardDeviation: standardDeviation, lower: lower, upper: upper)
            return .truncatedNormal(mean: mean, standardDeviation: standardDeviation, lower: lower, upper: upper)
        case .standard:
            let limit = 1 / fanIn.squareRoot()
            return .uniform(low: Float(-limit), high: Float(limit))
        case let .xavierUniform(gain):
            let gain = try gain.require()
            let limit = Double(gain) * (6 / (fanIn + fanOut)).squareRoot()
            return .uniform(low: Float(-limit), high: Float(limit))
        case let .xavierNormal(gain):
            let gain = try gain.require()
            return .normal(mean: 0, standardDeviation: Float(Double(gain) * (2 / (fanIn + fanOut)).squareRoot()))
        case let .heUniform(mode, gain):
            let gain = try gain.require()
            let limit = Double(gain) * (3 / mode.fan(fanIn: fans.fanIn, fanOut: fans.fanOut)).squareRoot()
            return .uniform(low: Float(-limit), high: Float(limit))
        case let .heNormal(mode, gain):
            let gain = try gain.require()
            let deviation = Double(gain) / mode.fan(fanIn: fans.fanIn, fanOut: fans.fanOut).squareRoot()
            return .normal(mean: 0, standardDeviation: Float(deviation))
        case .lecunUniform:
            let limit = (3 / fanIn).squareRoot()
            return .uniform(low: Float(-limit), high: Float(limit))
        case .lecunNormal:
            return .normal(mean: 0, standardDeviation: Float(1 / fanIn.squareRoot()))
        case let .varianceScaling(scale, mode, distribution):
            try VarianceKitError.requirePositiveFinite(scale, "scale")
            let variance = Double(scale) / mode.fan(fanIn: fans.fanIn, fanOut: fans.fanOut)
            switch distribution {
            case .uniform:
                let limit = (3 * variance).squareRoot()
                return .uniform(low: Float(-limit), high: Float(limit))
            case .normal:
                return .normal(mean: 0, standardDeviation: Float(variance.squareRoot()))
            case .truncatedNormal:
                let deviation = variance.squareRoot() / Initializer.truncatedNormalCorrection
                return .truncatedNormal(mean: 0, standardDeviation: Float(deviation), lower: -2, upper: 2)
            }
        case let .orthogonal(gain):
            return .orthogonal(gain: try gain.require())
        case let .identity(gain):
            return .identity(gain: try gain.require())
        case let .sparse(sparsity, standardDeviation):
            guard sparsity.isFinite, sparsity >= 0, sparsity < 1 else {
                throw VarianceKitError.invalidParameter(name: "sparsity", value: "\(sparsity)", expected: "a number in [0, 1)")
            }
            try VarianceKitError.requirePositiveFinite(standardDeviation, "standardDeviation")
            return .sparse(sparsity: sparsity, standardDeviation: standardDeviation)
        }
    }

    static func validateFans(fanIn: Int, fanOut: Int) throws {
        guard fanIn >= 1 else {
            throw VarianceKitError.invalidParameter(name: "fanIn", value: "\(fanIn)", expected: "an integer >= 1")
        }
        guard fanOut >= 1 else {
            throw VarianceKitError.invalidParameter(name: "fanOut", value: "\(fanOut)", expected: "an integer >= 1")
        }
    }

    /// Whether the scheme's result depends on the matrix being `[fanOut, fanIn]`
    /// (orthogonal, identity and sparse are defined by the shape itself).
    var requiresMatchingShape: Bool {
        switch self {
        case .orthogonal, .identity, .sparse: return true
        default: return false
        }
    }
}
