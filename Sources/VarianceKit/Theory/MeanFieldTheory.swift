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

    /// The slope of the length map at `q`, `dq^{l+1}/dq^l = s_w^2 E_z[phi'(sqrt(q) z) phi(sqrt(q) z) z] / sqrt(q)`,
    /// which by Stein's lemma is `chi_1 + s_w^2 E[phi(sqrt(q) z) phi''(sqrt(q) z)]` (Schoenholz et al.
    /// 2017, eq. 6), so no second derivative is needed. At `q = 0` it is the limit `q -> 0`.
    public func lengthMapSlope(preactivationVariance q: Double, weightScale: Double) -> Double {
        let root = Swift.max(q, 1e-300).squareRoot()
        return weightScale * quadrature.expectation { z in
            let u = root * z
            return activation(u) * derivative(u) * z
        } / root
    }

    /// The stable fixed point `q*` of the length map that iterating from `start` converges to:
    /// the first root of `V(q) - q` in the direction the iterates move (the length map is
    /// increasing in `q` for every activation), bracketed by doubling or halving `q` and refined
    /// by the Illinois variant of regula falsi to `tolerance` (relative).
    ///
    /// Returns 0 when the map contracts to zero: no bias, `phi(0) = 0`, and `V(q) < q` all the
    /// way down (geometrically in the ordered phase; only algebraically, `q^l ~ 1/(2 l)`, at the
    /// critical point of tanh at `s_w^2 = 1`, `s_b^2 = 0`). `nil` when `V(q) > q` up to `1e100`
    /// (the iterates grow without bound) or the refinement has not converged after
    /// `maximumIterations` steps.
    public func fixedPoint(
        weightScale: Double, biasVariance: Double = 0, start: Double = 1,
        tolerance: Double = 1e-12, maximumIterations: Int = 10_000
    ) -> Double? {
        func excess(_ q: Double) -> Double { varianceMap(q, weightScale: weightScale, biasVariance: biasVariance) - q }
        let start = Swift.max(start, Double.leastNormalMagnitude)
        let atStart = excess(start)
        guard atStart.isFinite else { return nil }
        if atStart == 0 { return start }
        // Bracket [low, high] with excess(low) > 0 >= excess(high).
        var (low, high) = (start, start)
        var (lowExcess, highExcess) = (atStart, atStart)
        if atStart > 0 {
            // Growing: double until V(q) < q. The growth factor V(q)/q = 1 + excess/q falls towards
            // its limit; once q is large, a limit above 1 extrapolated from the last two doublings
            // (exact for V(q) = a q + b, as for ReLU) means the iterates grow without bound.
            var previousRatio: Double?
            while highExcess > 0 {
                high *= 2
                guard high < 1e100 else { return nil }
                highExcess = excess(high)
                guard highExcess.isFinite else { return nil }
                if highExcess > 0 { (low, lowExcess) = (high, highExcess) }
                let ratio = 1 + highExcess / high
                if let previousRatio, high >= 1e4 * start, ratio - (previousRatio - ratio) > 1 + 1e-9 { return nil }
                previousRatio = ratio
            }
        } else {
            // An excess within rounding of 0 (|V(q) - q| below a few ulps of q) does not show a
            // root: at the edge of chaos V(q) - q ~ -2 q^2 vanishes into rounding near q ~ 1e-16.
            while lowExcess < 4 * Double.ulpOfOne * low {
                low /= 2
                if low < 1e-300 {
                    let atZero = varianceMap(0, weightScale: weightScale, biasVariance: biasVariance)
                    if atZero == 0 { return 0 }
                    (low, lowExcess) = (0, atZero)
                    break
                }
                lowExcess = excess(low)
                if lowExcess < 4 * Double.ulpOfOne * low { (high, highExcess) = (low, Swift.min(lowExcess, -Double.leastNonzeroMagnitude)) }
            }
        }
        if highExcess == 0 { return high }
        // Illinois: regula falsi that halves the weight of an end point kept twice in a row.
        var side = 0
        for _ in 0..<maximumIterations {
            if high - low <= tolerance * high { return (low + high) / 2 }
            var q = (low * highExcess - high * lowExcess) / (highExcess - lowExcess)
            if !(q > low && q < high) { q = (low + high) / 2 }
            let value = excess(q)
            if value == 0 { return q }
            if value > 0 {
                (low, lowExcess) = (q, value)
                if side == 1 { highExcess /= 2 }
                side = 1
            } else {
                (high, highExcess) = (q, value)
                if side == -1 { lowExcess /= 2 }
                side = -1
            }
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
