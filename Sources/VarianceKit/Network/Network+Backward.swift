extension Network {
    /// Back-propagates `loss` through the last forward pass and returns its value `L` (in Double,
    /// like `lastLoss` and the penalty values of an optimizer step, so `L + summary.penaltyValue`
    /// is the regularized objective).
    ///
    /// From the top: `dL/dA_L` comes from the loss; per layer, `dZ = dA ⊙ φ'(Z)` and the bias
    /// gradient `db = Σ_rows dZ` in one fused pass, `dW = dZᵀ X` and `dA_{l-1} = dZ W` (skipped
    /// for the first layer unless `computeInputGradient`, which then fills `inputGradient`), each
    /// one `sgemm`, or with `ThreadPolicy.deterministic` one per fixed column block (of `dW`'s
    /// `inputs` columns, each summing over the whole batch, and of `dA`'s).
    ///
    /// With `accumulate`, `dW` and `db` are added to the gradients already held (zero them with
    /// `zeroGradients()`); otherwise they are overwritten.
    ///
    /// - Throws: `VarianceKitError.outOfOrder` before any forward pass (or after the batch size
    ///   changed); as `Loss.validate(outputRows:outputColumns:)` for targets or labels that do not
    ///   fit the output. Nothing is changed when it throws.
    @discardableResult
    public func backward(loss: Loss, accumulate: Bool = false, computeInputGradient: Bool = false) throws -> Double {
        guard hasForwardPass else {
            throw VarianceKitError.outOfOrder(
                operation: "Network.backward",
                required: "run forward on a batch (no forward pass since the network was built, reinitialized or changed batch size)")
        }
        let top = layers[layers.count - 1]
        try loss.validate(outputRows: batchSize, outputColumns: top.outputs)
        if case .randomReadout(let seed) = loss,
           readout?.seed != seed || readout?.matrix.rows != batchSize {
            readout = (seed, try Loss.readoutMatrix(seed: seed, rows: batchSize, columns: top.outputs))
        }
        if computeInputGradient, inputGradientStorage.rows != batchSize {
            inputGradientStorage = try Matrix(rows: batchSize, columns: inputs)
        }
        try makeGradientBuffersUnique()

        let batch = batchSize
        let value = top.output.withUnsafeBufferPointer { a in
            top.delta.withUnsafeMutableBufferPointer { gradient in
                withReadout { r in
                    loss.evaluate(output: a.baseAddress!, rows: batch, columns: top.outputs,
                                  gradient: gradient.baseAddress!, readout: r)
                }
            }
        }
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            backwardLayer(index, accumulate: accumulate, propagate: index > 0 || computeInputGradient)
        }
        lastLoss = value
        hasBackwardPass = true
        hasCurrentGradients = true
        hasInputGradient = computeInputGradient
        return value
    }

    /// Calls `body` with the readout matrix (or a dummy pointer when there is none).
    @inline(__always)
    func withReadout<R>(_ body: (UnsafePointer<Float>) -> R) -> R {
        if let matrix = readout?.matrix {
            return matrix.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
        var dummy: Float = 0
        return body(&dummy)
    }

    /// One layer of back-propagation; `delta` holds `dL/dA` on entry and `dL/dZ` on exit.
    func backwardLayer(_ index: Int, accumulate: Bool, propagate: Bool) {
        let layer = layers[index]
        let batch = batchSize
        let (fanIn, fanOut) = (layer.inputs, layer.outputs)
        layer.delta.withUnsafeMutableBufferPointer { deltaBuffer in
            let dz = deltaBuffer.baseAddress!
            layer.preActivation.withUnsafeBufferPointer { z in
                layer.output.withUnsafeBufferPointer { a in
                    layer.biasGradientStorage.withUnsafeMutableBufferPointer { db in
                        layer.activation.backward(
                            preActivation: z.baseAddress!, activation: a.baseAddress!,
                            gradient: dz, biasGradient: layer.hasBias ? db.baseAddress! : nil,
                            accumulate: accumulate, rows: batch, columns: fanOut, threads: ThreadPolicy.threadCount)
                    }
                }
            }
            // dW = dZᵀ X: [outputs, batch] x [batch, inputs].
            withLayerInput(index) { x in
                layer.weightGradient.withUnsafeMutableBufferPointer { dw in
                    BLAS.uncheckedPolicySgemm(transposeA: true, transposeB: false, m: fanOut, n: fanIn, k: batch,
                                              alpha: 1, a: dz, lda: fanOut, b: x, ldb: fanIn,
                                              beta: accumulate ? 1 : 0, c: dw.baseAddress!, ldc: fanIn)
                }
            }
            guard propagate else { return }
            // dX = dZ W: [batch, outputs] x [outputs, inputs], into the layer below (or dL/dX).
            layer.weight.withUnsafeBufferPointer { w in
                if index > 0 {
                    layers[index - 1].delta.withUnsafeMutableBufferPointer { dx in
                        BLAS.uncheckedPolicySgemm(transposeA: false, transposeB: false, m: batch, n: fanIn, k: fanOut,
                                                  alpha: 1, a: dz, lda: fanOut, b: w.baseAddress!, ldb: fanIn,
                                                  beta: 0, c: dx.baseAddress!, ldc: fanIn)
                    }
                } else {
                    inputGradientStorage.withUnsafeMutableBufferPointer { dx in
                        BLAS.uncheckedPolicySgemm(transposeA: false, transposeB: false, m: batch, n: fanIn, k: fanOut,
                                                  alpha: 1, a: dz, lda: fanOut, b: w.baseAddress!, ldb: fanIn,
                                                  beta: 0, c: dx.baseAddress!, ldc: fanIn)
                    }
                }
            }
        }
    }
}
