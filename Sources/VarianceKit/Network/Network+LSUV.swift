/// Which per-layer quantity LSUV normalizes to unit variance.
public enum LSUVQuantity: String, Sendable, Hashable, Codable, CaseIterable {
    /// `Z = X Wᵀ + b`, the layer's output before the activation (the usual reading of the paper).
    case preActivation
    /// `A = φ(Z)`.
    case activation
}

/// What `initializeLSUV` did, layer by layer.
public struct LSUVReport: Codable, Sendable, Equatable {
    /// What LSUV did to one layer.
    public struct Layer: Codable, Sendable, Equatable {
        /// 0-based layer index.
        public var layer: Int
        /// Number of rescalings of `W`.
        public var iterations: Int
        /// The variance before the first rescaling.
        public var initialVariance: Double
        /// The variance after the last rescaling (within `1 ± tolerance` when `converged`).
        public var finalVariance: Double
        /// The product of all factors applied to `W`.
        public var scale: Double
        /// Whether the variance came within `1 ± tolerance`; false when the layer was kept as
        /// it was after `maximumIterations` rescalings (Algorithm 1's `T_max`).
        public var converged: Bool

        /// A layer's record with these values.
        public init(layer: Int, iterations: Int, initialVariance: Double, finalVariance: Double, scale: Double, converged: Bool) {
            self.layer = layer
            self.iterations = iterations
            self.initialVariance = initialVariance
            self.finalVariance = finalVariance
            self.scale = scale
            self.converged = converged
        }
    }

    /// One entry per layer, in forward order.
    public var layers: [Layer]
    /// The quantity normalized.
    public var quantity: LSUVQuantity
    /// The tolerance used.
    public var tolerance: Double

    /// Whether every layer converged.
    public var converged: Bool { layers.allSatisfy(\.converged) }
}

extension Network {
    /// Layer-sequential unit-variance initialization (Mishkin and Matas, "All you need is a good
    /// init", ICLR 2016).
    ///
    /// 1. When `orthogonalFirst`, every weight is redrawn as `Initializer.orthogonal(gain: 1)` from
    ///    `(seed, RandomStream.weight(layer: l))` and every bias set to zero.
    /// 2. Layer by layer, from the first: run the forward pass of `data` up to this layer, measure
    ///    the variance `v` (population, over all `batch x outputs` entries) of `quantity`, and while
    ///    `|v - 1| > tolerance`, scale `W` by `1/sqrt(v)` and measure again, at most
    ///    `maximumIterations` times. For `preActivation` without bias one step is exact
    ///    (`Var(Z)` is quadratic in the scale of `W`); activations and biases need a few. As in
    ///    the paper's Algorithm 1, a layer still outside the tolerance after `maximumIterations`
    ///    rescalings is kept as it is, reported with `converged == false`, and the next layer
    ///    follows.
    ///
    /// After it returns, the forward pass of `data` has run with the final weights.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for `tolerance` outside `(0, 1)`,
    ///   `maximumIterations < 1`, or `data` with fewer than 2 entries; `.shapeMismatch` for `data`
    ///   with the wrong number of features; `.nonFinite` naming the layer and tensor when the
    ///   measured tensor holds inf or NaN; `.notConverged` naming the layer when the variance is 0,
    ///   so that no rescaling can reach 1 (the layers before it keep their new weights).
    @discardableResult
    public func initializeLSUV(
        data: Matrix, seed: UInt64, tolerance: Double = 0.05, maximumIterations: Int = 10,
        quantity: LSUVQuantity = .preActivation, orthogonalFirst: Bool = true, threads: Int? = nil
    ) throws -> LSUVReport {
        guard tolerance.isFinite, tolerance > 0, tolerance < 1 else {
            throw VarianceKitError.invalidParameter(name: "LSUV tolerance", value: "\(tolerance)", expected: "a number in (0, 1)")
        }
        guard maximumIterations >= 1 else {
            throw VarianceKitError.invalidParameter(
                name: "LSUV maximumIterations", value: "\(maximumIterations)", expected: "an integer >= 1")
        }
        try validateInput(data, operation: "Network.initializeLSUV")
        guard data.count >= 2 else {
            throw VarianceKitError.invalidParameter(
                name: "LSUV data", value: "\(data.rows) x \(data.columns)", expected: "at least 2 entries to measure a variance")
        }
        if orthogonalFirst {
            try reinitialize(weights: .orthogonal(gain: 1), seed: seed, threads: threads)
        }
        try loadInput(data)
        let options = try ProbeOptions(histogramBins: 0)
        var results: [LSUVReport.Layer] = []
        for (index, layer) in layers.enumerated() {
            var scale = 1.0
            var initialVariance = 0.0
            var iteration = 0
            while true {
                forwardLayer(index)
                let measured = quantity == .preActivation ? layer.preActivation : layer.output
                let statistics = TensorStatistics(measured, options: options)
                guard statistics.nonFiniteCount == 0 else {
                    throw VarianceKitError.nonFinite(NonFiniteLocation(
                        step: iteration, layer: index, tensor: quantity == .preActivation ? .preActivation : .activation))
                }
                guard let variance = statistics.variance, variance > 0 else {
                    throw VarianceKitError.notConverged(
                        operation: "LSUV", layer: index + 1, iterations: iteration, value: statistics.variance,
                        reason: "the \(quantity.rawValue) variance of layer \(index + 1) of \(layers.count) is \(statistics.variance.map { "\($0)" } ?? "undefined") with \(statistics.nonFiniteCount) non-finite entries; it cannot be rescaled to 1")
                }
                if iteration == 0 { initialVariance = variance }
                let converged = Swift.abs(variance - 1) <= tolerance
                if converged || iteration == maximumIterations {
                    results.append(.init(layer: index, iterations: iteration, initialVariance: initialVariance,
                                         finalVariance: variance, scale: scale, converged: converged))
                    break
                }
                let factor = 1 / variance.squareRoot()
                try layer.weight.makeUniqueStorage()
                layer.weight.withUnsafeMutableBufferPointer { weight in
                    BLAS.uncheckedSscal(count: weight.count, alpha: Float(factor), x: weight.baseAddress!)
                }
                scale *= factor
                iteration += 1
            }
        }
        hasForwardPass = true
        return LSUVReport(layers: results, quantity: quantity, tolerance: tolerance)
    }
}
