import Foundation

extension Initializer {
    /// The scheme's kebab-case name: `zeros`, `ones`, `constant`, `uniform`, `normal`,
    /// `truncated-normal`, `standard`, `xavier-uniform`, `xavier-normal`, `he-uniform`, `he-normal`,
    /// `lecun-uniform`, `lecun-normal`, `variance-scaling`, `orthogonal`, `identity`, `sparse`.
    public var name: String {
        switch self {
        case .zeros: return "zeros"
        case .ones: return "ones"
        case .constant: return "constant"
        case .uniform: return "uniform"
        case .normal: return "normal"
        case .truncatedNormal: return "truncated-normal"
        case .standard: return "standard"
        case .xavierUniform: return "xavier-uniform"
        case .xavierNormal: return "xavier-normal"
        case .heUniform: return "he-uniform"
        case .heNormal: return "he-normal"
        case .lecunUniform: return "lecun-uniform"
        case .lecunNormal: return "lecun-normal"
        case .varianceScaling: return "variance-scaling"
        case .orthogonal: return "orthogonal"
        case .identity: return "identity"
        case .sparse: return "sparse"
        }
    }

    /// The equivalent `.varianceScaling` for the schemes that are one (`standard`, Xavier, He,
    /// LeCun, and `varianceScaling` itself); `nil` for the others and for a gain still
    /// `.ofActivation` (resolve it first).
    /// `standard` is `scale 1/3, fanIn, uniform`; Xavier `scale g^2, fanAverage`; He `scale g^2` with
    /// its mode; LeCun `scale 1, fanIn`.
    public func asVarianceScaling() -> Initializer? {
        switch self {
        case .standard:
            return .varianceScaling(scale: 1.0 / 3.0, mode: .fanIn, distribution: .uniform)
        case let .xavierUniform(.value(gain)):
            return .varianceScaling(scale: gain * gain, mode: .fanAverage, distribution: .uniform)
        case let .xavierNormal(.value(gain)):
            return .varianceScaling(scale: gain * gain, mode: .fanAverage, distribution: .normal)
        case let .heUniform(mode, .value(gain)):
            return .varianceScaling(scale: gain * gain, mode: mode, distribution: .uniform)
        case let .heNormal(mode, .value(gain)):
            return .varianceScaling(scale: gain * gain, mode: mode, distribution: .normal)
        case .lecunUniform:
            return .varianceScaling(scale: 1, mode: .fanIn, distribution: .uniform)
        case .lecunNormal:
            return .varianceScaling(scale: 1, mode: .fanIn, distribution: .normal)
        case .varianceScaling:
            return self
        default:
            return nil
        }
    }

    /// `Var(W)`, the variance of one entry the scheme targets for these fans, before sampling.
    ///
    /// For the deterministic schemes it is the variance of the entries (0 for constants; for
    /// `identity`, that of `min(fanIn, fanOut)` entries equal to `gain` among `fanIn * fanOut`).
    /// `nil` when the fans or parameters are invalid (the variance is then undefined).
    public func targetVariance(fanIn: Int, fanOut: Int) -> Double? {
        guard (try? sampling(fanIn: fanIn, fanOut: fanOut)) != nil else { return nil }
        return exactVariance(fans: (fanIn, fanOut))
    }

    private func exactVariance(fans: (fanIn: Int, fanOut: Int)) -> Double {
        let fanIn = Double(fans.fanIn), fanOut = Double(fans.fanOut)
        switch self {
        case .zeros, .ones, .constant:
            return 0
        case let .uniform(low, high):
            let width = Double(high) - Double(low)
            return width * width / 12
        case let .normal(_, standardDeviation):
            return Double(standardDeviation) * Double(standardDeviation)
        case let .truncatedNormal(_, standardDeviation, lower, upper):
            let factor = StandardNormal.truncatedMoments(lower: Double(lower), upper: Double(upper)).variance
            return Double(standardDeviation) * Double(standardDeviation) * factor
        case .standard:
            return 1 / (3 * fanIn)
        case let .xavierUniform(gain), let .xavierNormal(gain):
            return 2 * gain.squared / (fanIn + fanOut)
        case let .heUniform(mode, gain), let .heNormal(mode, gain):
            return gain.squared / mode.fan(fanIn: fans.fanIn, fanOut: fans.fanOut)
        case .lecunUniform, .lecunNormal:
            return 1 / fanIn
        case let .varianceScaling(scale, mode, _):
            return Double(scale) / mode.fan(fanIn: fans.fanIn, fanOut: fans.fanOut)
        case let .orthogonal(gain):
            return gain.squared / max(fanIn, fanOut)
        case let .identity(gain):
            let fraction = min(fanIn, fanOut) / (fanIn * fanOut)
            let g = gain.squared.squareRoot()
            return g * g * fraction - (g * fraction) * (g * fraction)
        case let .sparse(sparsity, standardDeviation):
            let zeros = Double(Initializer.sparseZeroCount(sparsity: sparsity, rows: fans.fanOut))
            return Double(standardDeviation) * Double(standardDeviation) * (1 - zeros / fanOut)
        }
    }

    /// The target variance as a formula and its value, e.g.
    /// `Var(W) = 2/(fanIn+fanOut) = 0.000977` (three significant digits), followed by the
    /// distribution; for invalid fans or parameters, the formula alone with the reason.
    public func formula(fanIn: Int, fanOut: Int) -> String {
        let expression = varianceExpression
        let distribution = distributionDescription
        guard let variance = targetVariance(fanIn: fanIn, fanOut: fanOut) else {
            return "Var(W) = \(expression) (undefined for fanIn = \(fanIn), fanOut = \(fanOut) with these parameters); \(distribution)"
        }
        return "Var(W) = \(expression) = \(Initializer.format(variance)); \(distribution)"
    }

    private var varianceExpression: String {
        switch self {
        case .zeros, .ones, .constant:
            return "0"
        case let .uniform(low, high):
            return "(\(Initializer.format(high))-(\(Initializer.format(low))))^2/12"
        case let .normal(_, sd):
            return "\(Initializer.format(sd))^2"
        case let .truncatedNormal(_, sd, lower, upper):
            let factor = StandardNormal.truncatedMoments(lower: Double(lower), upper: Double(upper)).variance
            return "\(Initializer.format(sd))^2*\(Initializer.format(factor))"
        case .standard:
            return "1/(3*fanIn)"
        case let .xavierUniform(gain), let .xavierNormal(gain):
            return gain == 1 ? "2/(fanIn+fanOut)" : "2*\(gain.symbol)^2/(fanIn+fanOut)"
        case let .heUniform(mode, gain), let .heNormal(mode, gain):
            return "\(gain.symbol)^2/\(mode.symbol)"
        case .lecunUniform, .lecunNormal:
            return "1/fanIn"
        case let .varianceScaling(scale, mode, _):
            return "\(Initializer.format(scale))/\(mode.symbol)"
        case let .orthogonal(gain):
            return "\(gain.symbol)^2/max(fanIn,fanOut)"
        case let .identity(gain):
            return "\(gain.symbol)^2*k/(fanIn*fanOut)-(\(gain.symbol)*k/(fanIn*fanOut))^2, k=min(fanIn,fanOut)"
        case let .sparse(sparsity, sd):
            return "\(Initializer.format(sd))^2*(1-ceil(\(Initializer.format(sparsity))*fanOut)/fanOut)"
        }
    }

    private var distributionDescription: String {
        switch self {
        case .zeros: return "W = 0"
        case .ones: return "W = 1"
        case let .constant(value): return "W = \(Initializer.format(value))"
        case .uniform: return "W ~ U[low, high)"
        case .normal: return "W ~ N(mean, sd^2)"
        case let .truncatedNormal(_, _, lower, upper):
            return "W ~ N(mean, sd^2) truncated to [mean\(Initializer.signed(lower))*sd, mean\(Initializer.signed(upper))*sd], exact"
        case .standard: return "W ~ U[-1/sqrt(fanIn), 1/sqrt(fanIn)]"
        case .xavierUniform: return "W ~ U[-gain*sqrt(6/(fanIn+fanOut)), +gain*sqrt(6/(fanIn+fanOut))]"
        case .xavierNormal: return "W ~ N(0, Var(W))"
        case .heUniform: return "W ~ U[-gain*sqrt(3/fan), +gain*sqrt(3/fan)]"
        case .heNormal, .lecunNormal: return "W ~ N(0, Var(W))"
        case .lecunUniform: return "W ~ U[-sqrt(3/fanIn), +sqrt(3/fanIn)]"
        case let .varianceScaling(_, _, distribution):
            switch distribution {
            case .uniform: return "W ~ U[-sqrt(3*Var(W)), +sqrt(3*Var(W))]"
            case .normal: return "W ~ N(0, Var(W))"
            case .truncatedNormal:
                return "W ~ N(0, s^2) truncated to [-2s, 2s], s = sqrt(Var(W))/\(Initializer.format(Initializer.truncatedNormalCorrection))"
            }
        case .orthogonal: return "W = gain*Q, Q Haar-distributed with orthonormal rows or columns"
        case .identity: return "W = gain*I (rectangular: ones on the leading diagonal)"
        case .sparse: return "W ~ N(0, sd^2) with ceil(sparsity*rows) zeros per column"
        }
    }

    /// The support `[min, max]` of the entries where it is bounded: uniform schemes `[low, high]`,
    /// truncated normals their bounds (`varianceScaling(.truncatedNormal)`: `+-2 s`), constants a
    /// point, `orthogonal` `[-gain, gain]`, `identity` `[0, gain]`; `nil` for normal schemes,
    /// `sparse`, and invalid fans or parameters.
    public func bounds(fanIn: Int, fanOut: Int) -> ClosedRange<Double>? {
        guard let plan = try? sampling(fanIn: fanIn, fanOut: fanOut) else { return nil }
        switch plan {
        case let .constant(value):
            return Double(value)...Double(value)
        case let .uniform(low, high):
            return Double(low)...Double(high)
        case .normal, .sparse:
            return nil
        case let .truncatedNormal(mean, sd, lower, upper):
            return (Double(mean) + Double(lower) * Double(sd))...(Double(mean) + Double(upper) * Double(sd))
        case let .orthogonal(gain):
            return -Double(gain)...Double(gain)
        case let .identity(gain):
            return 0...Double(gain)
        }
    }

    static func format<T: BinaryFloatingPoint>(_ value: T) -> String {
        String(format: "%.3g", Double(value))
    }

    static func signed(_ value: Float) -> String {
        value < 0 ? "-\(format(-value))" : "+\(format(value))"
    }
}

extension Gain {
    /// `g^2` in Double (NaN for a rule, whose schemes have no target variance until resolved).
    var squared: Double {
        switch self {
        case .ofActivation, .fixedPoint, .critical: return .nan
        case let .value(gain): return Double(gain) * Double(gain)
        }
    }

    /// The gain in a formula: three significant digits, or `gain(rule)`.
    var symbol: String {
        switch self {
        case .ofActivation, .fixedPoint, .critical: return "gain(\(description))"
        case let .value(gain): return Initializer.format(gain)
        }
    }
}
