import Foundation

/// The phase of a deep network at initialization (Poole et al. 2016; Schoenholz et al. 2017):
/// `ordered` when `chi_1 < 1` (nearby inputs converge, gradients vanish), `chaotic` when
/// `chi_1 > 1` (nearby inputs diverge, gradients explode), `critical` on the edge of chaos
/// `chi_1 = 1`.
public enum MeanFieldPhase: String, Codable, Sendable, Hashable {
    /// `chi_1 < 1`: gradients vanish with depth.
    case ordered
    /// `chi_1 = 1`: the edge of chaos.
    case critical
    /// `chi_1 > 1`: gradients explode with depth.
    case chaotic
}

/// What mean-field theory says about a network with weight variance `s_w^2 / fanIn` and bias
/// variance `s_b^2` at its fixed point. Depth scales that are infinite (at criticality) or
/// undefined are nil, and encode as JSON `null`.
public struct MeanFieldAnalysis: Codable, Sendable, Equatable {
    /// `s_w^2`.
    public var weightScale: Double
    /// `s_b^2`.
    public var biasVariance: Double
    /// `q*`, the fixed point of the length map (nil when it diverges).
    public var lengthFixedPoint: Double?
    /// `dq^{l+1}/dq^l` at `q*`.
    public var lengthMapSlope: Double?
    /// `chi_1 = s_w^2 E[phi'(sqrt(q*) z)^2]`, the slope of the correlation map at `c = 1` and the
    /// per-layer factor of back-propagated gradient variance.
    public var chi1: Double?
    /// `c*`, the stable fixed point of the correlation map.
    public var correlationFixedPoint: Double?
    /// The phase `chi_1` puts the network in (nil when `chi_1` is undefined).
    public var phase: MeanFieldPhase?
    /// `xi_q = -1 / ln(dq^{l+1}/dq^l at q*)`: layers over which the length approaches `q*`.
    public var lengthDepthScale: Double?
    /// `xi_c = -1 / ln(s_w^2 E[phi'(u1) phi'(u2)])` at `c*` (Schoenholz et al. 2017, eq. 9):
    /// layers over which correlations approach `c*`; networks much deeper than about `6 xi_c`
    /// do not train.
    public var correlationDepthScale: Double?
    /// `xi_grad = 1 / |ln chi_1|`: layers over which gradient variance changes by a factor e
    /// (shrinks in the ordered phase, grows in the chaotic one).
    public var gradientDepthScale: Double?

    /// Writes every key; the optional figures that are nil or not finite as null.
    public func encode(to encoder: Encoder) throws {
        func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(weightScale, forKey: .weightScale)
        try container.encode(biasVariance, forKey: .biasVariance)
        try container.encode(finite(lengthFixedPoint), forKey: .lengthFixedPoint)
        try container.encode(finite(lengthMapSlope), forKey: .lengthMapSlope)
        try container.encode(finite(chi1), forKey: .chi1)
        try container.encode(finite(correlationFixedPoint), forKey: .correlationFixedPoint)
        try container.encode(phase, forKey: .phase)
        try container.encode(finite(lengthDepthScale), forKey: .lengthDepthScale)
        try container.encode(finite(correlationDepthScale), forKey: .correlationDepthScale)
        try container.encode(finite(gradientDepthScale), forKey: .gradientDepthScale)
    }
}

extension MeanFieldTheory {
    /// `chi_1` within this distance of 1 counts as critical.
    public static let criticalTolerance = 1e-9

    /// The fixed points, `chi_1`, the phase and the depth scales for `(s_w^2, s_b^2)`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` unless `weightScale > 0` and
    ///   `biasVariance >= 0` are finite.
    public func analysis(weightScale: Double, biasVariance: Double = 0) throws -> MeanFieldAnalysis {
        try VarianceKitError.requirePositiveFinite(weightScale, "weightScale")
        try VarianceKitError.requireNonNegativeFinite(biasVariance, "biasVariance")
        var result = MeanFieldAnalysis(weightScale: weightScale, biasVariance: biasVariance)
        guard let q = fixedPoint(weightScale: weightScale, biasVariance: biasVariance) else { return result }
        let chi = chi1(preactivationVariance: Self.positive(q), weightScale: weightScale)
        let slope = lengthMapSlope(preactivationVariance: Self.positive(q), weightScale: weightScale)
        result.lengthFixedPoint = q
        result.chi1 = chi
        result.lengthMapSlope = slope
        result.phase = abs(chi - 1) <= Self.criticalTolerance ? .critical : (chi < 1 ? .ordered : .chaotic)
        result.lengthDepthScale = Self.depthScale(slope)
        result.gradientDepthScale = chi == 1 ? .infinity : 1 / abs(log(chi))
        if let c = correlationFixedPoint(fixedPoint: q, weightScale: weightScale, biasVariance: biasVariance) {
            result.correlationFixedPoint = c
            let factor = c >= 1 ? chi : weightScale * derivativeCorrelation(preactivationVariance: q, correlation: c)
            result.correlationDepthScale = Self.depthScale(factor)
        }
        return result
    }

    /// `-1 / ln(factor)` for a per-layer contraction `0 < factor < 1`; infinite at 1.
    static func depthScale(_ factor: Double) -> Double? {
        guard factor > 0, factor.isFinite else { return nil }
        guard factor < 1 else { return factor == 1 ? .infinity : nil }
        return -1 / log(factor)
    }

    /// The edge of chaos at bias variance `s_b^2`: the `s_w^2` where `chi_1(q*(s_w^2, s_b^2)) = 1`,
    /// to `relativeTolerance`, by bisection on `ln s_w^2` in `searchRange` (a weight scale whose
    /// `q*` diverges counts as beyond the edge).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a negative or non-finite bias variance;
    ///   `.notConverged` when `chi_1 - 1` does not change sign on `searchRange`, or when `q*`
    ///   diverges before `chi_1` reaches 1 (ReLU with a bias).
    public func criticalWeightScale(
        biasVariance: Double = 0, searchRange: ClosedRange<Double> = 0.01...100, relativeTolerance: Double = 1e-10
    ) throws -> Double {
        try VarianceKitError.requireNonNegativeFinite(biasVariance, "biasVariance")
        // Without a bias and with phi(0) = 0, q = 0 is a fixed point, stable exactly while
        // chi_1(0) < 1; past the edge a positive fixed point takes over, whose chi_1 exceeds 1 only
        // at second order in its distance from the edge. Whether q* > 0 is then the sharper test.
        let zeroIsFixed = biasVariance == 0 && varianceMap(0, weightScale: 1) == 0
        func excess(_ weightScale: Double) -> Double? {
            guard let q = fixedPoint(weightScale: weightScale, biasVariance: biasVariance) else { return nil }
            if zeroIsFixed { return q > 0 ? 1 : -1 }
            return chi1(preactivationVariance: Self.positive(q), weightScale: weightScale) - 1
        }
        func failure(_ iterations: Int, _ value: Double?, _ reason: String) -> VarianceKitError {
            .notConverged(operation: "MeanFieldTheory.criticalWeightScale", layer: nil, iterations: iterations,
                          value: value, reason: reason)
        }
        guard let lowExcess = excess(searchRange.lowerBound), lowExcess < 0 else {
            throw failure(0, nil, "chi_1 is not below 1 at s_w^2 = \(searchRange.lowerBound)")
        }
        if let highExcess = excess(searchRange.upperBound), highExcess < 0 {
            throw failure(0, nil, "chi_1 stays below 1 for s_w^2 in \(searchRange)")
        }
        var low = log(searchRange.lowerBound), high = log(searchRange.upperBound)
        var iterations = 0
        while high - low > relativeTolerance / 4, iterations < 200 {
            iterations += 1
            let middle = (low + high) / 2
            if let value = excess(exp(middle)), value < 0 { low = middle } else { high = middle }
        }
        guard zeroIsFixed || excess(exp(high)) != nil else {
            throw failure(iterations, exp(low), "q* diverges before chi_1 reaches 1 at s_b^2 = \(biasVariance)")
        }
        return exp((low + high) / 2)
    }

    /// `q`, or a variance small enough to stand for the limit `q -> 0` where `q` is 0: there the
    /// derivative at exactly 0 is not the limit for activations with a kink (ReLU's `phi'(0) = 0`
    /// but `E[phi'(sqrt(q) z)^2] = 1/2` for every `q > 0`).
    static func positive(_ q: Double) -> Double { Swift.max(q, 1e-300) }
}

extension MeanFieldAnalysis {
    init(weightScale: Double, biasVariance: Double) {
        self.weightScale = weightScale
        self.biasVariance = biasVariance
    }
}
