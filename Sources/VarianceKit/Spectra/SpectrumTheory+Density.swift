import Foundation

extension SpectrumTheory {
    /// The most grid points `density(depth:points:)` accepts.
    public static let densityPointRange = 2...100_000
    /// Grid points below this fraction of the upper edge where the solver fails are left out.
    public static let densityTruncation = 1e-6
    /// The largest depth `density(depth:points:)` accepts.
    public static let densityDepthRange = 1...10_000

    /// The wide-limit density of the squared singular values `λ = σ²` of the input-output Jacobian
    /// of `depth` layers (Pennington, Schoenholz & Ganguli 2017, "Resurrecting the sigmoid in deep
    /// learning through dynamical isometry"; 2018, "The emergence of spectral universality in deep
    /// networks"), on `points` Chebyshev points of its support (`SpectrumDensity`).
    ///
    /// `J Jᵀ` is the free product of the `W_l W_lᵀ` (scaled by `s_w^2`) and the `D_l²`, with
    /// `D_l = diag φ'(h_l)`, `h_l ~ N(0, q^l)` and `q^l` from the mean-field recursion of
    /// `predictions(depths:)` at every layer (not only at the fixed point). With the moment generating
    /// function `ψ(u) = Σ_{k≥1} m_k u^k = ∫ λu/(1 - λu) dρ(λ)`, its inverse `χ`, and the S-transform
    /// `S(z) = χ(z) (1 + z)/z` (the paper's `(1 + z)/(z M^{-1}(z))` with `M(x) = ψ(1/x)`), the
    /// S-transforms multiply,
    ///
    ///     S_{JJᵀ}(z) = Π_l S_{W_l W_lᵀ}(z) S_{D_l²}(z),
    ///     S_{WWᵀ}(z) = 1/(s_w^2 (1 + z)) (independent entries),  1/s_w^2 (orthogonal),
    ///     S_{D_l²}(z) = (1 + z) t_l / z,   ψ_{D_l²}(t_l) = E[d t_l / (1 - d t_l)] = z,   d = φ'(√q^l ξ)²,
    ///
    /// so that `z = ψ_{JJᵀ}(1/w)` solves `1/w = z/(1 + z) Π_l t_l (1 + z)^e / (s_w^2 z)` (`e = 0` for
    /// independent entries, 1 for orthogonal). The Cauchy transform is `G(w) = (ψ(1/w) + 1)/w` and
    /// `ρ(λ) = -Im G(λ + i0)/π`.
    ///
    /// Numerically (`SquaredDerivativeLaw`, `JacobianFreeProduct`): each `D_l²` is a mixture of
    /// uniform laws built from the theory's quadrature with its exact `μ_1` and `μ_2`, so the
    /// density's mean and variance are those of `predictions(depths:)`. The edges of the support are
    /// the extrema of `χ` on the real axis (or the limit `s_w^{2L} Π_l max d_l` for orthogonal weights
    /// when `χ` is monotone); the solution is continued from `w = 64 λ_max (1 + i)` down to the grid, by Newton's method on `z` and the `t_l` together from a secant prediction, with iteration caps
    /// and step halving, at `Im w = 1e-9 Re w`. Where the support reaches 0 the grid goes down to
    /// about `1e-17 λ_max`; there the equations lose digits, and the grid stops at the first point
    /// below `densityTruncation λ_max` where the solver fails (its mass is then missing from
    /// `integral`).
    ///
    /// Where `φ'` vanishes on a set of positive probability (ReLU: 1/2), `D_l²` has an atom at 0, and
    /// so has `J Jᵀ`, of mass `max_l P(φ'(h_l) = 0)` (the atom of a free product is the larger
    /// factor's): reported as `zeroAtomMass`, beside the density of the rest. An atom at `λ > 0`
    /// (orthogonal weights with a linear activation at any depth, or with an activation whose `φ'`
    /// is constant on a set of positive probability, such as ReLU, at depth 1: the law of
    /// `s_w^2 φ'(h)²` itself) has no density, and is refused.
    ///
    /// - Returns: nil when `ensemble` is nil (the weights' spectrum is unknown).
    /// - Throws: `VarianceKitError.invalidParameter` for a depth outside `densityDepthRange`, points
    ///   outside `densityPointRange`, a weight scale that is not finite and `> 0`, a bias variance or
    ///   input second moment that is not finite and `>= 0`, a `q^l` or an edge that is not finite, or
    ///   a law with an atom at `λ > 0`; `.notConverged` when the equations cannot be solved.
    public func density(depth: Int, points: Int = 200) throws -> SpectrumDensity? {
        guard Self.densityDepthRange.contains(depth) else {
            throw VarianceKitError.invalidParameter(name: "depth", value: "\(depth)",
                                                    expected: "an integer in \(Self.densityDepthRange.lowerBound)...\(Self.densityDepthRange.upperBound)")
        }
        guard Self.densityPointRange.contains(points) else {
            throw VarianceKitError.invalidParameter(name: "points", value: "\(points)",
                                                    expected: "an integer in \(Self.densityPointRange.lowerBound)...\(Self.densityPointRange.upperBound)")
        }
        try VarianceKitError.requirePositiveFinite(weightScale, "weightScale")
        try VarianceKitError.requireNonNegativeFinite(biasVariance, "biasVariance")
        try VarianceKitError.requireNonNegativeFinite(inputSecondMoment, "inputSecondMoment")
        guard let ensemble else { return nil }

        let product = try freeProduct(depth: depth, ensemble: ensemble)
        let zeroMass = product.zeroMass
        let logScale = Double(depth) * Foundation.log(weightScale)
        guard 1 - zeroMass > 1e-12 else {
            return SpectrumDensity(depth: depth, ensemble: ensemble, squaredSingularValues: [], density: [],
                                   lowerEdge: 0, upperEdge: 0, gridExponent: 1, zeroAtomMass: 1, integral: 0)
        }
        // Edges and grid in units of s_w^{2L}.
        let upper = try product.upperEdge()
        let lower = product.lowerEdge(upper: upper)
        let scaledUpper = Foundation.exp(logScale) * upper
        guard upper.isFinite, upper > 0, scaledUpper.isFinite, scaledUpper > 0 else {
            throw VarianceKitError.invalidParameter(
                name: "depth", value: "\(depth)",
                expected: "a depth at which the spectrum's upper edge s_w^{2L} λ_max = exp(\(logScale)) × \(upper) is a positive finite Double")
        }
        // A support reaching 0 is graded towards it (exponent 4), where the density may diverge.
        let exponent = lower > 0 ? 1 : SpectrumDensity.gradedExponent
        let width = upper - lower
        let angles = (0..<points).map { Double.pi * (Double($0) + 0.5) / Double(points) }
        let grid = angles.map { lower + width * Foundation.pow((1 - Foundation.cos($0)) / 2, Double(exponent)) }

        // Continue ψ(1/w) from far away down to the grid, then along it from the top, at
        // Im w = 1e-9 Re w.
        let far = 64 * upper, relativeHeight = 1e-9
        var mean = 1.0
        for g in product.laws.indices { mean *= Foundation.pow(product.laws[g].mean, Double(product.counts[g])) }
        var origin = Complex(far, far)
        let guess = mean * origin.reciprocal
        let startingState = JacobianFreeProduct.State(onePlusZ: guess + 1, t: product.laws.map { guess / $0.mean })
        guard var state = product.newton(w: origin, from: startingState, maximumIterations: 100) else {
            throw VarianceKitError.notConverged(operation: "SpectrumTheory.density", layer: nil, iterations: 100, value: far,
                                                reason: "Newton's method for ψ(1/w) far from the support (w = \(far) (1 + i))")
        }
        let top = grid[points - 1]
        var path = [Complex]()
        var real = far / 2
        while real > top { path.append(Complex(real, far)); real /= 2 }
        var imaginary = far
        while imaginary > relativeHeight * top { path.append(Complex(top, imaginary)); imaginary /= 2 }
        for target in path {
            state = try product.continued(from: origin, state, to: target)
            origin = target
        }
        var density = [Double](repeating: 0, count: points)
        var first = 0
        for i in stride(from: points - 1, through: 0, by: -1) {
            let target = Complex(grid[i], relativeHeight * grid[i])
            do {
                state = try product.continued(from: origin, state, to: target)
            } catch let error where grid[i] < Self.densityTruncation * upper {
                // Deep in the hard edge at 0 the equations lose their digits: the grid stops here.
                _ = error
                first = i + 1
                break
            }
            origin = target
            let cauchy = state.onePlusZ / target
            let value = -cauchy.imaginary / Double.pi
            guard value.isFinite else {
                throw VarianceKitError.notConverged(operation: "SpectrumTheory.density", layer: nil, iterations: 0, value: grid[i],
                                                    reason: "the density at λ = \(grid[i]) s_w^{2L} is not finite")
            }
            density[i] = Swift.max(value, 0)
        }
        var integral = 0.0
        for i in first..<points {
            let c = (1 - Foundation.cos(angles[i])) / 2
            let slope = width * Double(exponent) * Foundation.pow(c, Double(exponent - 1)) * Foundation.sin(angles[i]) / 2
            integral += density[i] * slope * Double.pi / Double(points)
        }
        let scale = Foundation.exp(logScale)
        return SpectrumDensity(depth: depth, ensemble: ensemble, squaredSingularValues: grid[first...].map { $0 * scale },
                               density: density[first...].map { $0 / scale }, lowerEdge: lower * scale, upperEdge: scaledUpper,
                               gridExponent: exponent, zeroAtomMass: zeroMass, integral: integral)
    }

    /// The layers' `D_l²` laws (layers with `q^l` equal to 1e-12 relative share one) and the product
    /// they form with the weights.
    func freeProduct(depth: Int, ensemble: WeightEnsemble) throws -> JacobianFreeProduct {
        var variances = [Double](), counts = [Int]()
        var q = weightScale * inputSecondMoment + biasVariance
        for l in 1...depth {
            guard q.isFinite else {
                throw VarianceKitError.invalidParameter(
                    name: "weightScale", value: "\(weightScale)",
                    expected: "a scale at which the pre-activation variances q^l stay finite through layer \(depth) (q^\(l) is \(q))")
            }
            if let g = variances.firstIndex(where: { abs($0 - q) <= 1e-12 * Swift.max($0, q) }) {
                counts[g] += 1
            } else {
                variances.append(q)
                counts.append(1)
            }
            q = meanField.varianceMap(q, weightScale: weightScale, biasVariance: biasVariance)
        }
        let laws = try variances.map { try SquaredDerivativeLaw(meanField: meanField, preactivationVariance: $0) }
        if ensemble == .haarOrthogonal {
            // An atom of a free product at a·b has mass μ({a}) + ν({b}) - 1 when positive.
            var atomMass = 1.0 - Double(depth)
            for g in laws.indices { atomMass += Double(counts[g]) * laws[g].largestPositiveAtomMass }
            guard atomMass <= 1e-9 else {
                throw VarianceKitError.invalidParameter(
                    name: "activation", value: activation.name,
                    expected: "an activation whose φ' is not constant on a set of positive probability, with orthogonal weights at depth \(depth): the law of σ² has an atom of mass \(atomMass) at λ > 0 and no density")
            }
        }
        return JacobianFreeProduct(laws: laws, counts: counts, orthogonal: ensemble == .haarOrthogonal)
    }
}
