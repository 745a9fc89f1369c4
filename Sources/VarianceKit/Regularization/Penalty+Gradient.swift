extension Penalty {
    /// `R(w) = (λ₁/n) Σ|wᵢ| + (λ₂/(2n)) Σ wᵢ²`, accumulated in `Double` over the elements of `weights`
    /// in row-major order. Add it to the data loss to report the regularized objective.
    public func value(of weights: Matrix) -> Double {
        guard !isNone else { return 0 }
        return weights.withUnsafeBufferPointer { w in
            var absoluteSum = 0.0
            var squareSum = 0.0
            for x in w {
                absoluteSum += Double(abs(x))
                squareSum += Double(x) * Double(x)
            }
            return Double(l1Coefficient) * absoluteSum + Double(l2Coefficient) / 2 * squareSum
        }
    }

    /// Adds the penalty's gradient into `gradient`, in place, in one vectorized pass:
    /// `g ← g + (λ₂/n) w + (λ₁/n) sgn(w)`, where the L1 subgradient term is left out under
    /// `L1Method.proximal` (the optimizer then applies `softThreshold(_:threshold:)` after the step).
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` when `gradient` and `weights` differ in shape;
    ///   nothing is written then.
    public func addGradient(of weights: Matrix, to gradient: inout Matrix) throws {
        guard weights.rows == gradient.rows, weights.columns == gradient.columns else {
            throw VarianceKitError.shape(
                "Penalty.addGradient", "gradient", actual: [gradient.rows, gradient.columns], expected: [weights.rows, weights.columns],
                "weights are \(weights.rows) x \(weights.columns) but the gradient is \(gradient.rows) x \(gradient.columns); they must match")
        }
        guard !isNone else { return }
        let l1 = subgradientL1Coefficient
        let l2 = l2Coefficient
        try gradient.makeUniqueStorage()
        weights.withUnsafeBufferPointer { w in
            gradient.withUnsafeMutableBufferPointer { g in
                for i in 0..<w.count {
                    let x = w[i]
                    let sign: Float = x > 0 ? 1 : (x < 0 ? -1 : 0)
                    g[i] += l2 * x + l1 * sign
                }
            }
        }
    }

    /// The proximal operator of `t |w|`, in place: `w ← sign(w) max(|w| - t, 0)`. Elements with
    /// `|w| <= t` become exactly `+0`. Returns the number of exact zeros afterwards.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` when `threshold` is negative or not finite.
    @discardableResult
    public static func softThreshold(_ weights: inout Matrix, threshold: Float) throws -> Int {
        try VarianceKitError.requireNonNegativeFinite(threshold, "threshold")
        try weights.makeUniqueStorage()
        return weights.withUnsafeMutableBufferPointer { w in
            var zeros = 0
            for i in 0..<w.count {
                let x = w[i]
                let shrunk: Float = x > threshold ? x - threshold : (x < -threshold ? x + threshold : 0)
                w[i] = shrunk
                if shrunk == 0 { zeros += 1 }
            }
            return zeros
        }
    }
}
