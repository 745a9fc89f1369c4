/// Glorot and Bengio's linear-regime variance products (<doc:Initialization>), in Double.
///
/// A network of `depth` Dense layers maps `n_0` inputs through widths `n_1 ... n_depth`; layer `l`
/// (1-based) has a weight `W^l` of shape `[n_l, n_{l-1}]` with i.i.d. zero-mean entries of variance
/// `Var[W^l]`, no bias, and an activation with `f'(0) = 1` in its linear region. Then, exactly for a
/// linear network (in expectation over the weights) and approximately near initialization otherwise:
///
/// - forward: `Var[z^l] = Var[x] * prod_{k=1}^{l} n_{k-1} Var[W^k]`
/// - backward: `Var[dC/dz^l] = Var[dC/dz^depth] * prod_{k=l+1}^{depth} n_k Var[W^k]`
/// - weight gradients: `Var[dC/dW^l] = B * Var[z^{l-1}] * Var[dC/dz^l]` for a batch of `B`
///   examples summed into the gradient (`Var[z^0] = Var[x]`); with `B = 1` this is Glorot's
///   product, the same for every layer when all `n_k Var[W^k]` are equal to 1.
///
/// Indices here are 1-based like the layers they describe; the returned arrays hold layers
/// `1 ... depth` at offsets `0 ... depth - 1`.
public enum LinearRegime {
    /// `Var[z^l]` for `l = 1 ... depth`: `inputVariance * prod_{k<=l} n_{k-1} Var[W^k]`.
    ///
    /// - Parameters:
    ///   - inputVariance: `Var[x]` of the input features, finite and `>= 0`.
    ///   - widths: `[n_0, n_1, ..., n_depth]`, at least two entries, all positive.
    ///   - weightVariances: `[Var[W^1], ..., Var[W^depth]]`, finite and `>= 0`.
    /// - Throws: `VarianceKitError.invalidParameter` or `.shapeMismatch` on bad input.
    public static func forwardVariances(
        inputVariance: Double, widths: [Int], weightVariances: [Double]
    ) throws -> [Double] {
        try validate(widths: widths, weightVariances: weightVariances)
        try VarianceKitError.requireNonNegativeFinite(inputVariance, "inputVariance")
        var variance = inputVariance
        return weightVariances.indices.map { k in
            variance *= Double(widths[k]) * weightVariances[k]
            return variance
        }
    }

    /// `Var[dC/dz^l]` for `l = 1 ... depth`, given the top layer's `Var[dC/dz^depth]`:
    /// `topGradientVariance * prod_{k=l+1}^{depth} n_k Var[W^k]`.
    public static func backwardVariances(
        topGradientVariance: Double, widths: [Int], weightVariances: [Double]
    ) throws -> [Double] {
        try validate(widths: widths, weightVariances: weightVariances)
        try VarianceKitError.requireNonNegativeFinite(topGradientVariance, "topGradientVariance")
        let depth = weightVariances.count
        var result = [Double](repeating: 0, count: depth)
        var variance = topGradientVariance
        for l in stride(from: depth, through: 1, by: -1) {
            result[l - 1] = variance
            if l > 1 { variance *= Double(widths[l]) * weightVariances[l - 1] }
        }
        return result
    }

    /// `Var[dC/dW^l] = batch * Var[z^{l-1}] * Var[dC/dz^l]` for `l = 1 ... depth`
    /// (layer inputs and back-propagated gradients independent, zero-mean).
    public static func weightGradientVariances(
        inputVariance: Double, topGradientVariance: Double, widths: [Int], weightVariances: [Double],
        batch: Int = 1
    ) throws -> [Double] {
        guard batch > 0 else {
            throw VarianceKitError.invalidParameter(name: "batch", value: "\(batch)", expected: "an integer >= 1")
        }
        let forward = try forwardVariances(inputVariance: inputVariance, widths: widths, weightVariances: weightVariances)
        let backward = try backwardVariances(topGradientVariance: topGradientVariance, widths: widths, weightVariances: weightVariances)
        return backward.indices.map { l in
            Double(batch) * (l == 0 ? inputVariance : forward[l - 1]) * backward[l]
        }
    }

    static func validate(widths: [Int], weightVariances: [Double]) throws {
        guard widths.count >= 2 else {
            throw VarianceKitError.invalidParameter(
                name: "widths", value: "\(widths)", expected: "[n_0, n_1, ..., n_depth] with at least two entries")
        }
        guard weightVariances.count == widths.count - 1 else {
            throw VarianceKitError.shape(
                "LinearRegime", "weightVariances", actual: [weightVariances.count], expected: [widths.count - 1],
                "\(widths.count) widths describe \(widths.count - 1) layers but \(weightVariances.count) weight variances were given")
        }
        for (i, width) in widths.enumerated() where width <= 0 {
            throw VarianceKitError.invalidParameter(name: "widths[\(i)]", value: "\(width)", expected: "an integer >= 1")
        }
        for (i, variance) in weightVariances.enumerated() {
            try VarianceKitError.requireNonNegativeFinite(variance, "weightVariances[\(i)]")
        }
    }
}
