/// Mean-field variance propagation (Poole et al. 2016, Schoenholz et al. 2017; <doc:MeanField>),
/// computed by Gaussian quadrature in Double (`GaussianQuadrature`: Gauss-Hermite, or by default
/// composite Gauss-Legendre split at 0 so that ReLU-like kinks are integrated exactly).
///
/// For a wide Dense network with weights `W ~ (0, s_w^2 / n)` (any zero-mean distribution with that
/// variance) and biases `b ~ (0, s_b^2)`, the pre-activations of a layer are approximately
/// `N(0, q^l)` with
///
///     q^l = s_w^2 E_z[phi(sqrt(q^{l-1}) z)^2] + s_b^2,      z ~ N(0, 1),
///
/// which converges to a fixed point `q*`; perturbations (and back-propagated gradients) grow or
/// shrink per layer by
///
///     chi_1 = s_w^2 E_z[phi'(sqrt(q*) z)^2],
///
/// and gradients neither explode nor vanish at the edge of chaos `chi_1 = 1`.
///
/// The theory of a network's `Activation` comes from `init(activation:)`, which takes `phi` and
/// `phi'` from the activation's scalar Double definitions; any other function can be studied by
/// passing `phi` and `phi'` as closures.
public struct MeanFieldTheory: Sendable {
    /// `phi`.
    public let activation: @Sendable (Double) -> Double
    /// `phi'`.
    public let derivative: @Sendable (Double) -> Double
    /// The rule used for every Gaussian expectation.
    public let quadrature: GaussianQuadrature

    /// - Parameters:
    ///   - activation: `phi`, evaluated in Double.
    ///   - derivative: `phi'` (any value at a kink, e.g. 0 or 1 for ReLU at 0).
    ///   - quadrature: defaults to `GaussianQuadrature.standard`.
    public init(
        activation: @escaping @Sendable (Double) -> Double,
        derivative: @escaping @Sendable (Double) -> Double,
        quadrature: GaussianQuadrature = .standard
    ) {
        self.activation = activation
        self.derivative = derivative
        self.quadrature = quadrature
    }

    /// The theory of `activation` (`Activation.valueInDouble(_:)` and `Activation.derivativeInDouble(_:)`).
    public init(activation: Activation, quadrature: GaussianQuadrature = .standard) {
        self.init(activation: { activation.valueInDouble($0) }, derivative: { activation.derivativeInDouble($0) }, quadrature: quadrature)
    }

    // MARK: Single-layer maps

    /// `E_z[phi(sqrt(q) z)^2]`: the second moment of a layer's activations when its
    /// pre-activations are `N(0, q)`.
    public func activationSecondMoment(preactivationVariance q: Double) -> Double {
        quadrature.expectation(variance: q) { let a = activation($0); return a * a }
    }

    /// `E_z[phi(sqrt(q) z)]`.
    public func activationMean(preactivationVariance q: Double) -> Double {
        quadrature.expectation(variance: q) { activation($0) }
    }

    /// `E_z[phi'(sqrt(q) z)^2]`.
    public func derivativeSecondMoment(preactivationVariance q: Double) -> Double {
        quadrature.expectation(variance: q) { let d = derivative($0); return d * d }
    }

    /// The length map `q -> s_w^2 E_z[phi(sqrt(q) z)^2] + s_b^2`.
    public func varianceMap(_ q: Double, weightScale: Double, biasVariance: Double = 0) -> Double {
        weightScale * activationSecondMoment(preactivationVariance: q) + biasVariance
    }

    /// `chi_1 = s_w^2 E_z[phi'(sqrt(q) z)^2]`, the per-layer growth factor of back-propagated
    /// gradient variance (and of small perturbations) at pre-activation variance `q`.
    public func chi1(preactivationVariance q: Double, weightScale: Double) -> Double {
        weightScale * derivativeSecondMoment(preactivationVariance: q)
    }

    /// `q^1 ... q^depth` from the recursion, starting at `q^0 = initialVariance` (the first layer
    /// sees `phi(z^0)` with `z^0 ~ N(0, q^0)`; use `predict` for a network fed raw inputs).
    public func preactivationVariances(
        initialVariance: Double, depth: Int, weightScale: Double, biasVariance: Double = 0
    ) -> [Double] {
        var q = initialVariance
        return (0..<Swift.max(depth, 0)).map { _ in
            q = varianceMap(q, weightScale: weightScale, biasVariance: biasVariance)
            return q
        }
    }

    /// The fixed point `q*` of the length map, iterated from `start`; `nil` when the iteration
    /// has not settled (relative change `> tolerance`) after `maximumIterations` or diverged.
    public func fixedPoint(
        weightScale: Double, biasVariance: Double = 0, start: Double = 1,
        tolerance: Double = 1e-12, maximumIterations: Int = 10_000
    ) -> Double? {
        var q = start
        for _ in 0..<maximumIterations {
            let next = varianceMap(q, weightScale: weightScale, biasVariance: biasVariance)
            guard next.isFinite else { return nil }
            if abs(next - q) <= tolerance * Swift.max(abs(next), Double.leastNormalMagnitude) { return next }
            q = next
        }
        return nil
    }

    // MARK: Whole networks

    /// How the loss's gradient with respect to the last layer's activations `A^depth` is formed.
    public enum TopGradient: Sendable, Equatable {
        /// `dC/dA` independent of the forward pass with i.i.d. zero-mean entries of this variance
        /// (the random readout `C = (1/B) sum R . A` has variance `1/B^2`).
        case independent(variance: Double)
        /// `dC/dA = scale * A` (the quadratic loss `C = 0.5 sum A^2 / B` has `scale = 1/B`).
        case proportional(scale: Double)
    }

    /// Predicted per-layer statistics of one Dense network at initialization.
    ///
    /// Layer `l` (1-based) has weights of variance `weightVariances[l-1]` and shape
    /// `[widths[l], widths[l-1]]`, biases of variance `biasVariances[l-1]` (0 when `nil`), and is fed
    /// `A^{l-1}` (`A^0` = the inputs, zero-mean with second moment `inputSecondMoment`):
    ///
    /// - `q^l = n_{l-1} Var[W^l] E[(A^{l-1})^2] + Var[b^l]`, `E[(A^l)^2] = E_z[phi(sqrt(q^l) z)^2]`
    /// - `G^l = E[(dC/dz^l)^2] = E_z[phi'(sqrt(q^l) z)^2] n_{l+1} Var[W^{l+1}] G^{l+1}`, with the top
    ///   `G^depth` from `topGradient`
    /// - `Var[dC/dW^l] = batch * G^l * E[(A^{l-1})^2]` (the gradient sums over the batch).
    ///
    /// With `phi` the identity this reproduces `LinearRegime` exactly.
    ///
    /// - Throws: `VarianceKitError` when widths, variances or the batch are out of range.
    public func predict(
        widths: [Int], weightVariances: [Double], biasVariances: [Double]? = nil,
        inputSecondMoment: Double = 1, topGradient: TopGradient, batch: Int
    ) throws -> [LayerPrediction] {
        try LinearRegime.validate(widths: widths, weightVariances: weightVariances)
        try VarianceKitError.requireNonNegativeFinite(inputSecondMoment, "inputSecondMoment")
        guard batch > 0 else {
            throw VarianceKitError.invalidParameter(name: "batch", value: "\(batch)", expected: "an integer >= 1")
        }
        let depth = weightVariances.count
        let biases = biasVariances ?? [Double](repeating: 0, count: depth)
        guard biases.count == depth else {
            throw VarianceKitError.shape(
                "MeanFieldTheory.predict", "biasVariances", actual: [biases.count], expected: [depth],
                "\(depth) layers but \(biases.count) bias variances")
        }
        for (i, variance) in biases.enumerated() {
            try VarianceKitError.requireNonNegativeFinite(variance, "biasVariances[\(i)]")
        }

        var preactivation = [Double](repeating: 0, count: depth)
        var secondMoment = [Double](repeating: 0, count: depth)
        var mean = [Double](repeating: 0, count: depth)
        var previousSecondMoment = inputSecondMoment
        for l in 0..<depth {
            let q = Double(widths[l]) * weightVariances[l] * previousSecondMoment + biases[l]
            preactivation[l] = q
            secondMoment[l] = activationSecondMoment(preactivationVariance: q)
            mean[l] = activationMean(preactivationVariance: q)
            previousSecondMoment = secondMoment[l]
        }

        var gradientSecondMoment = [Double](repeating: 0, count: depth)
        var gradientVariance = [Double](repeating: 0, count: depth)
        let top = depth - 1
        switch topGradient {
        case .independent(let variance):
            try VarianceKitError.requireNonNegativeFinite(variance, "topGradient variance")
            gradientSecondMoment[top] = variance * derivativeSecondMoment(preactivationVariance: preactivation[top])
            gradientVariance[top] = gradientSecondMoment[top]
        case .proportional(let scale):
            try VarianceKitError.requireFinite(scale, "topGradient scale")
            let q = preactivation[top]
            let product = quadrature.expectation(variance: q) { activation($0) * derivative($0) }
            let productSquared = quadrature.expectation(variance: q) {
                let p = activation($0) * derivative($0); return p * p
            }
            gradientSecondMoment[top] = scale * scale * productSquared
            gradientVariance[top] = scale * scale * Swift.max(productSquared - product * product, 0)
        }
        if depth >= 2 {
            for l in stride(from: top - 1, through: 0, by: -1) {
                gradientSecondMoment[l] = derivativeSecondMoment(preactivationVariance: preactivation[l])
                    * Double(widths[l + 2]) * weightVariances[l + 1] * gradientSecondMoment[l + 1]
                gradientVariance[l] = gradientSecondMoment[l]
            }
        }

        return (0..<depth).map { l in
            let inputMoment = l == 0 ? inputSecondMoment : secondMoment[l - 1]
            return LayerPrediction(
                index: l + 1,
                preactivationVariance: preactivation[l],
                activationVariance: Swift.max(secondMoment[l] - mean[l] * mean[l], 0),
                activationSecondMoment: secondMoment[l],
                gradientVariance: gradientVariance[l],
                weightGradientVariance: Double(batch) * gradientSecondMoment[l] * inputMoment)
        }
    }
}

/// What `MeanFieldTheory.predict` expects of one layer at initialization.
public struct LayerPrediction: Codable, Sendable, Equatable {
    /// 1-based layer index.
    public var index: Int
    /// `q^l = Var[z^l]`.
    public var preactivationVariance: Double
    /// `Var[phi(z^l)] = E[phi^2] - E[phi]^2`.
    public var activationVariance: Double
    /// `E[phi(z^l)^2]`, what the next layer's variance is built from.
    public var activationSecondMoment: Double
    /// `Var[dC/dz^l]` over all entries.
    public var gradientVariance: Double
    /// `Var[dC/dW^l]` over all entries.
    public var weightGradientVariance: Double

    /// A prediction with these values.
    public init(
        index: Int, preactivationVariance: Double, activationVariance: Double,
        activationSecondMoment: Double, gradientVariance: Double, weightGradientVariance: Double
    ) {
        self.index = index
        self.preactivationVariance = preactivationVariance
        self.activationVariance = activationVariance
        self.activationSecondMoment = activationSecondMoment
        self.gradientVariance = gradientVariance
        self.weightGradientVariance = weightGradientVariance
    }
}
