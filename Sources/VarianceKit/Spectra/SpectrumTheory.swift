import Foundation

/// What theory expects of the input-output Jacobian's spectrum (`DepthSpectrum`) of a network of
/// wide square Dense layers at initialization, with weights of `s_w^2 = width Var(W)`, biases of
/// variance `s_b^2` and inputs of second moment `E[x^2]`.
///
/// Mean-field theory (any ensemble): the pre-activations of layer `l` are `N(0, q^l)` with
/// `q^1 = s_w^2 E[x^2] + s_b^2`, `q^{l+1} = s_w^2 E[φ(√q^l z)^2] + s_b^2`, and each layer multiplies
/// the mean squared singular value by `χ_1(q^l) = s_w^2 μ_1^l`, `μ_k^l = E[φ'(√q^l z)^{2k}]`:
///
///     m_1 = E[σ²] = Π_l s_w^2 μ_1^l                       (= χ_1^L at the fixed point).
///
/// Free probability (Pennington, Schoenholz & Ganguli 2017, "Resurrecting the sigmoid"): in the
/// wide limit `J Jᵀ` is the free product of the `D_l²` and the `W_l W_lᵀ`, whose S-transforms
/// multiply. The normalized variance `Var(λ)/E[λ]²` of a free product is the sum of its factors',
/// so with `s_1` the S-transform slope of `W Wᵀ` (`WeightEnsemble.sTransformSlope`: −1 for
/// independent entries, 0 for orthogonal):
///
///     Var(σ²) = m_1² ( Σ_l (μ_2^l / (μ_1^l)² − 1) − L s_1 ),
///
/// the paper's `σ²_{JJᵀ} = m_1² L (μ_2/μ_1² − 1 − s_1)` when every `q^l` sits at the fixed point
/// `q*`. For a linear network (`μ_k = 1`) the spectrum is known exactly: with orthogonal weights
/// every singular value is `(s_w^2)^{L/2}`; with independent entries `λ / (s_w^2)^L` follows the
/// Fuss–Catalan law of order `L` (the squared singular values of a product of `L` Ginibre matrices),
/// whose moments are the Fuss–Catalan numbers
///
///     E[λ^k] = FC_L(k) (s_w^2)^{kL},      FC_L(k) = binom((L+1) k, k) / (L k + 1).
///
/// The whole wide-limit law of `σ²`, for any activation, is `density(depth:points:)` (the S-transform
/// of each `D_l²` from its implicit equation, solved numerically). Not implemented: the finite-width
/// corrections (`O(L/width)` relative for `m_2`).
public struct SpectrumTheory: Sendable {
    public let activation: Activation
    /// `s_w^2 = width Var(W)`.
    public let weightScale: Double
    /// `s_b^2`.
    public let biasVariance: Double
    /// `E[x^2]` of the inputs.
    public let inputSecondMoment: Double
    /// Nil: only the mean-field `m_1` is predicted.
    public let ensemble: WeightEnsemble?
    public let meanField: MeanFieldTheory

    public init(activation: Activation, weightScale: Double, biasVariance: Double = 0, inputSecondMoment: Double = 1,
                ensemble: WeightEnsemble?, quadrature: GaussianQuadrature = .standard) {
        self.activation = activation
        self.weightScale = weightScale
        self.biasVariance = biasVariance
        self.inputSecondMoment = inputSecondMoment
        self.ensemble = ensemble
        meanField = MeanFieldTheory(activation: activation, quadrature: quadrature)
    }

    /// `FC_L(k) = binom((L+1) k, k) / (L k + 1)`, the `k`-th moment of the Fuss–Catalan law of order
    /// `L` (`FC_1` are the Catalan numbers, the moments of Marchenko–Pastur); `FC_L(0) = 1`.
    /// Infinite when it overflows Double.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a negative order or moment.
    public static func fussCatalan(order: Int, moment k: Int) throws -> Double {
        guard order >= 0 else {
            throw VarianceKitError.invalidParameter(name: "order", value: "\(order)", expected: "an integer >= 0")
        }
        guard k >= 0 else {
            throw VarianceKitError.invalidParameter(name: "moment", value: "\(k)", expected: "an integer >= 0")
        }
        let n = (Double(order) + 1) * Double(k)
        var binomial = 1.0
        // binom(n, i) = binom(n, i - 1) (n - i + 1) / i: every step an integer, exact below 2^53.
        for i in 0..<k { binomial = binomial * (n - Double(i)) / Double(i + 1) }
        return binomial / (Double(order) * Double(k) + 1)
    }

    /// The depths `predictions(depths:)` takes: its work and memory grow with the deepest.
    public static let predictionDepthRange = 1...1_000_000

    /// The predictions for the Jacobian of each of `depths` (1-based layer counts).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a depth outside `predictionDepthRange`, a
    ///   weight scale that is not finite and `> 0`, or a bias variance or input second moment that
    ///   is not finite and `>= 0`.
    public func predictions(depths: [Int]) throws -> [SpectrumPrediction] {
        if let outside = depths.first(where: { !Self.predictionDepthRange.contains($0) }) {
            throw VarianceKitError.invalidParameter(
                name: "depth", value: "\(outside)",
                expected: "an integer in \(Self.predictionDepthRange.lowerBound)...\(Self.predictionDepthRange.upperBound)")
        }
        try VarianceKitError.requirePositiveFinite(weightScale, "weightScale")
        try VarianceKitError.requireNonNegativeFinite(biasVariance, "biasVariance")
        try VarianceKitError.requireNonNegativeFinite(inputSecondMoment, "inputSecondMoment")
        guard let deepest = depths.max() else { return [] }
        let isLinear = activation == .linear
        // Per layer: log m_1 accumulated, and Σ (μ_2/μ_1² − 1).
        var logMean = [Double](repeating: 0, count: deepest + 1)
        var excessVariance = [Double](repeating: 0, count: deepest + 1)
        var q = weightScale * inputSecondMoment + biasVariance
        for l in 1...deepest {
            let mu1 = meanField.derivativeSecondMoment(preactivationVariance: q)
            let mu2 = isLinear ? 1 : meanField.quadrature.expectation(variance: q) { z in
                let d = meanField.derivative(z)
                return d * d * d * d
            }
            logMean[l] = logMean[l - 1] + Foundation.log(weightScale * mu1)
            excessVariance[l] = excessVariance[l - 1] + (isLinear ? 0 : mu2 / (mu1 * mu1) - 1)
            q = meanField.varianceMap(q, weightScale: weightScale, biasVariance: biasVariance)
        }
        return try depths.map { depth in
            let mean = Foundation.exp(logMean[depth])
            let variance = ensemble.map { ensemble in mean * mean * (excessVariance[depth] - Double(depth) * ensemble.sTransformSlope) }
            var moments: [Double?]?
            if isLinear, let ensemble {
                let scale = Foundation.pow(weightScale, Double(depth))
                moments = try (1...3).map { k in
                    let factor = ensemble == .haarOrthogonal ? 1 : try Self.fussCatalan(order: depth, moment: k)
                    return factor * Foundation.pow(scale, Double(k))
                }
            }
            return SpectrumPrediction(depth: depth, ensemble: ensemble, meanSquaredSingularValue: mean,
                                      squaredSingularValueVariance: variance, squaredSingularValueMoments: moments,
                                      exact: isLinear && ensemble != nil)
        }
    }
}

/// `SpectrumTheory`'s expectations for one depth; every value that is not finite is nil (JSON `null`).
public struct SpectrumPrediction: Codable, Sendable, Equatable {
    public var depth: Int
    /// The ensemble the free-probability values assume (nil: unknown, only `m_1` predicted).
    public var ensemble: WeightEnsemble?
    /// Mean-field `m_1 = E[σ²] = Π_l χ_1(q^l)`.
    public var meanSquaredSingularValue: Double?
    /// Free probability: `Var(σ²)`.
    public var squaredSingularValueVariance: Double?
    /// `E[λ^k]`, `k = 1, 2, 3`, for linear networks only (Fuss–Catalan or the orthogonal point mass).
    public var squaredSingularValueMoments: [Double?]?
    /// Whether the values are the exact wide-limit law (linear networks of a known ensemble).
    public var exact: Bool

    public init(depth: Int, ensemble: WeightEnsemble? = nil, meanSquaredSingularValue: Double? = nil,
                squaredSingularValueVariance: Double? = nil, squaredSingularValueMoments: [Double?]? = nil, exact: Bool = false) {
        func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        self.depth = depth
        self.ensemble = ensemble
        self.meanSquaredSingularValue = finite(meanSquaredSingularValue)
        self.squaredSingularValueVariance = finite(squaredSingularValueVariance)
        self.squaredSingularValueMoments = squaredSingularValueMoments?.map(finite)
        self.exact = exact
    }

    public func encode(to encoder: Encoder) throws {
        // Every key is written, nil as null.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(depth, forKey: .depth)
        try container.encode(ensemble, forKey: .ensemble)
        try container.encode(meanSquaredSingularValue, forKey: .meanSquaredSingularValue)
        try container.encode(squaredSingularValueVariance, forKey: .squaredSingularValueVariance)
        try container.encode(squaredSingularValueMoments, forKey: .squaredSingularValueMoments)
        try container.encode(exact, forKey: .exact)
    }
}
