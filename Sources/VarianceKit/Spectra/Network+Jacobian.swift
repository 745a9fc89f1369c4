import Foundation

extension Network {
    /// The Jacobian of layer `depth`'s output with respect to the input row `input` (`[1, inputs]`):
    ///
    ///     J = D_depth W_depth ⋯ D_1 W_1,      D_l = diag(φ'(z_l)),
    ///
    /// a `[widths[depth], inputs]` matrix (`J[i, j] = ∂a_i / ∂x_j`), built from the first layer
    /// by one `sgemm` per layer (`W_l J`, then its rows scaled by `φ'(z_l)`, with `φ'` from
    /// `Activation.derivativeInDouble` at the stored pre-activations). Runs a forward pass on
    /// `input`, which replaces the workspaces of the last one. `depth` defaults to every layer.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` unless `input` is `[1, inputs]`,
    ///   `.invalidParameter` for a depth outside `1...self.depth`.
    public func inputOutputJacobian(at input: Matrix, throughLayer depth: Int? = nil) throws -> Matrix {
        guard input.rows == 1 else {
            throw VarianceKitError.shape("Network.inputOutputJacobian", "input", actual: [input.rows, input.columns], expected: [1, inputs],
                                         "input is \(input.rows) x \(input.columns) but the Jacobian is taken at one row, 1 x \(inputs)")
        }
        let depth = depth ?? self.depth
        var result: Matrix?
        try forEachJacobian(inputs: input, samples: 1, depths: [depth], operation: "Network.inputOutputJacobian") { _, _, jacobian in result = jacobian }
        return result!
    }

    /// The singular values of the input-output Jacobian (`inputOutputJacobian(at:throughLayer:)`)
    /// at each of the first `samples` rows of `inputs`, at each of `depths` (1-based, default the
    /// last layer), summarized per depth (`SingularValueSummary`) with a `histogramBins`-bin log
    /// histogram. One forward pass on those rows (replacing the last pass's workspaces), then per
    /// sample one `sgemm` per layer and one `sgesdd` per depth: `samples (L n³ + |depths| n³)` flops
    /// for width `n`. A Jacobian holding inf or NaN is counted in `nonFiniteSamples` and left out.
    /// `prediction` is nil: `SpectrumTheory` gives it from the weights' distribution.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` when `inputs` does not have `inputs` columns,
    ///   `.invalidParameter` for `samples` outside `1...inputs.rows`, a depth outside
    ///   `1...self.depth`, an empty `depths` or `histogramBins` outside
    ///   `0...LogHistogram.maximumBins`; `.lapackFailure` when `sgesdd` does not converge.
    public func jacobianSpectrum(inputs: Matrix, samples: Int, depths: [Int]? = nil, histogramBins: Int = 40) throws -> JacobianSpectrum {
        guard (0...LogHistogram.maximumBins).contains(histogramBins) else {
            throw VarianceKitError.invalidParameter(name: "histogramBins", value: "\(histogramBins)",
                                                    expected: "an integer in 0...\(LogHistogram.maximumBins)")
        }
        let depths = Array(Set(depths ?? [self.depth])).sorted()
        var singularValues = [[[Float]]](repeating: [], count: depths.count)
        var nonFinite = [Int](repeating: 0, count: depths.count)
        let start = Date()
        try forEachJacobian(inputs: inputs, samples: samples, depths: depths, operation: "Network.jacobianSpectrum") { _, depthIndex, jacobian in
            do {
                singularValues[depthIndex].append(try LAPACK.singularValues(jacobian))
            } catch VarianceKitError.nonFiniteInput {
                nonFinite[depthIndex] += 1
            }
        }
        let spectra = try depths.indices.map { i in
            DepthSpectrum(depth: depths[i], nonFiniteSamples: nonFinite[i],
                          summary: SingularValueSummary(singularValues: singularValues[i]),
                          histogram: try LogHistogram(singularValues[i].flatMap { $0.map(Double.init) }, bins: histogramBins))
        }
        return JacobianSpectrum(samples: samples, depths: spectra, seconds: Date().timeIntervalSince(start))
    }

    /// Calls `body(sample, index in depths, J)` for each of the first `samples` rows and each of
    /// the sorted `depths`, after validating them and running the forward pass.
    func forEachJacobian(inputs batch: Matrix, samples: Int, depths: [Int], operation: String,
                         _ body: (Int, Int, Matrix) throws -> Void) throws {
        try validateInput(batch, operation: operation)
        guard (1...batch.rows).contains(samples) else {
            throw VarianceKitError.invalidParameter(name: "samples", value: "\(samples)", expected: "an integer in 1...\(batch.rows) (the rows of inputs)")
        }
        guard !depths.isEmpty else {
            throw VarianceKitError.invalidParameter(name: "depths", value: "[]", expected: "at least one depth")
        }
        for depth in depths where !(1...self.depth).contains(depth) {
            throw VarianceKitError.invalidParameter(name: "depth", value: "\(depth)", expected: "an integer in 1...\(self.depth) (the network's layers)")
        }
        let deepest = depths.max()!
        var rows = Matrix(validatedRows: samples, columns: inputs)
        batch.withUnsafeBufferPointer { source in
            rows.withUnsafeMutableBufferPointer { target in
                target.baseAddress!.update(from: source.baseAddress!, count: samples * inputs)
            }
        }
        try forward(rows)
        let derivatives = layers.prefix(deepest).map { layer in
            layer.preActivation.elements.map { Float(layer.activation.derivativeInDouble(Double($0))) }
        }
        let widest = layers.prefix(deepest).map(\.outputs).max()!
        // Two [widest, inputs] buffers: J_{l-1} and J_l, row-major with leading dimension `inputs`.
        var current = Matrix(validatedRows: widest, columns: inputs)
        var next = Matrix(validatedRows: widest, columns: inputs)
        for sample in 0..<samples {
            var fanIn = inputs
            var depthIndex = 0
            for l in 0..<deepest {
                let layer = layers[l]
                let fanOut = layer.outputs
                let derivative = derivatives[l]
                layer.weight.withUnsafeBufferPointer { weight in
                    next.withUnsafeMutableBufferPointer { target in
                        let j = target.baseAddress!
                        if l == 0 {
                            j.update(from: weight.baseAddress!, count: fanOut * inputs)
                        } else {
                            current.withUnsafeBufferPointer { previous in
                                BLAS.uncheckedPolicySgemm(transposeA: false, transposeB: false, m: fanOut, n: inputs, k: fanIn,
                                                          alpha: 1, a: weight.baseAddress!, lda: fanIn,
                                                          b: previous.baseAddress!, ldb: inputs, beta: 0, c: j, ldc: inputs)
                            }
                        }
                        for row in 0..<fanOut {
                            let scale = derivative[sample * fanOut + row]
                            let start = j + row * inputs
                            for column in 0..<inputs { start[column] *= scale }
                        }
                    }
                }
                swap(&current, &next)
                fanIn = fanOut
                if depthIndex < depths.count, depths[depthIndex] == l + 1 {
                    var jacobian = Matrix(validatedRows: fanOut, columns: inputs)
                    current.withUnsafeBufferPointer { source in
                        jacobian.withUnsafeMutableBufferPointer { target in
                            target.baseAddress!.update(from: source.baseAddress!, count: fanOut * inputs)
                        }
                    }
                    try body(sample, depthIndex, jacobian)
                    depthIndex += 1
                }
            }
        }
    }
}
