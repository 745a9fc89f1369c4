extension Network {
    /// Runs the forward pass on `input` (`[batch, inputs]`) and returns the last layer's `A`
    /// (`[batch, outputs]`) by value, in O(1) without copying (see the type's memory notes).
    ///
    /// Per layer: `Z = X Wᵀ` (one `sgemm`, or one per column block with
    /// `ThreadPolicy.deterministic`), then `Z += b` and `A = φ(Z)` in one fused, vectorized pass. Non-finite values propagate without trapping; `probe(step:)` says where they started.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for an empty batch, `.shapeMismatch` naming
    ///   layer 1's weight when `input` does not have `inputs` columns, `.insufficientMemory` when
    ///   a new batch size's workspaces do not fit (the network is unchanged then).
    @discardableResult
    public func forward(_ input: Matrix) throws -> Matrix {
        try validateInput(input, operation: "Network.forward")
        try loadInput(input)
        forwardLayers(through: layers.count - 1)
        return output
    }

    /// Runs the forward pass and copies the output into `output`, which must already be
    /// `[batch, outputs]` (the allocation-free form for callers that keep the result).
    ///
    /// - Throws: as `forward(_:)`, and `.shapeMismatch` when `output` has the wrong shape
    ///   (nothing is computed then).
    public func forward(_ input: Matrix, into output: inout Matrix) throws {
        try validateInput(input, operation: "Network.forward(_:into:)")
        guard output.rows == input.rows, output.columns == outputs else {
            throw VarianceKitError.shape(
                "Network.forward(_:into:)", "output", actual: [output.rows, output.columns], expected: [input.rows, outputs],
                "output is \(output.rows) x \(output.columns) but a batch of \(input.rows) needs \(input.rows) x \(outputs) (batch x outputs)")
        }
        try output.makeUniqueStorage()
        try loadInput(input)
        forwardLayers(through: layers.count - 1)
        let last = layers[layers.count - 1]
        last.output.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                target.baseAddress!.update(from: source.baseAddress!, count: source.count)
            }
        }
    }

    /// Checks an input batch against the first layer.
    func validateInput(_ input: Matrix, operation: String) throws {
        guard input.rows >= 1 else {
            throw VarianceKitError.invalidParameter(
                name: "batch size", value: "\(input.rows)",
                expected: "an integer >= 1 (\(operation) got a \(input.rows) x \(input.columns) input)")
        }
        guard input.columns == inputs else {
            throw VarianceKitError.shape(
                operation, "input batch", actual: [input.rows, input.columns], expected: [nil, inputs],
                "input batch is \(input.rows) x \(input.columns) but layer 1 (weight \(layers[0].outputs) x \(inputs)) expects \(inputs) features per row (batch x \(inputs))")
        }
    }

    /// Prepares the workspaces for `input.rows` and copies `input` into the network's input buffer.
    func loadInput(_ input: Matrix) throws {
        try prepare(batchSize: input.rows)
        self.input.withUnsafeMutableBufferPointer { target in
            input.withUnsafeBufferPointer { source in
                target.baseAddress!.update(from: source.baseAddress!, count: source.count)
            }
        }
        hasBackwardPass = false
        hasInputGradient = false
    }

    /// Runs layers `0...last` on the loaded input.
    func forwardLayers(through last: Int) {
        for index in 0...last { forwardLayer(index) }
        hasForwardPass = last == layers.count - 1
    }

    /// Calls `body` with the input of layer `index`: the input batch or the previous layer's `A`.
    @inline(__always)
    func withLayerInput<R>(_ index: Int, _ body: (UnsafePointer<Float>) -> R) -> R {
        if index == 0 {
            return input.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
        return layers[index - 1].output.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// `Z = X Wᵀ` (`[batch, inputs] x [inputs, outputs]`, `BLAS.uncheckedPolicySgemm`), then the
    /// fused `Z += b`, `A = φ(Z)`.
    func forwardLayer(_ index: Int) {
        let layer = layers[index]
        let batch = batchSize
        let (fanIn, fanOut) = (layer.inputs, layer.outputs)
        withLayerInput(index) { x in
            layer.weight.withUnsafeBufferPointer { w in
                layer.preActivation.withUnsafeMutableBufferPointer { z in
                    BLAS.uncheckedPolicySgemm(transposeA: false, transposeB: true, m: batch, n: fanOut, k: fanIn,
                                              alpha: 1, a: x, lda: fanIn, b: w.baseAddress!, ldb: fanIn,
                                              beta: 0, c: z.baseAddress!, ldc: fanOut)
                    layer.output.withUnsafeMutableBufferPointer { a in
                        layer.biasStorage.withUnsafeBufferPointer { b in
                            layer.activation.forward(
                                preActivation: z.baseAddress!, activation: a.baseAddress!,
                                bias: layer.hasBias ? b.baseAddress! : nil, rows: batch, columns: fanOut,
                                threads: ThreadPolicy.threadCount)
                        }
                    }
                }
            }
        }
    }
}
