import Foundation

/// A loss `L(A)` of a network's output `A` (`[batch, outputs]`, row-major), with the gradient
/// `dL/dA` that starts back-propagation. Every loss averages over the batch size `B`, so the
/// gradient scale does not depend on `B`.
///
/// - `meanSquaredError(targets: T)`: `L = (1/(B n)) Σ_ij (A_ij - T_ij)²`, `dL/dA = 2 (A - T)/(B n)`,
///   `n` = outputs (the mean over all entries, as PyTorch's `MSELoss`). `T` must be `[B, n]`.
/// - `softmaxCrossEntropy(labels: y)`: `L = (1/B) Σ_i [log Σ_j e^{A_ij} - A_{i y_i}]`,
///   `dL/dA = (softmax(A) - onehot(y))/B`, computed with the row maximum subtracted first, so large
///   logits neither overflow nor lose the answer. `y` has `B` entries in `0..<n`.
/// - `randomReadout(seed: s)`: `L = (1/B) Σ_ij R_ij A_ij` with `R` i.i.d. `N(0, 1)` drawn from
///   Philox4x32 with key `s` on `RandomStream.readout`, fixed for a given seed and shape.
///   `dL/dA = R/B` does not depend on the forward pass, so `Var(dL/dA) = 1/B²` exactly in
///   expectation: the clean top gradient for measuring backward variance propagation.
/// - `quadratic`: `L = (1/(2B)) Σ_ij A_ij²`, `dL/dA = A/B`.
///
/// Bad targets (wrong shape, a label out of range, a label count that is not the batch size)
/// are reported by the network as `VarianceKitError.shapeMismatch` / `.invalidParameter`.
public enum Loss: Sendable {
    /// The mean squared error against `targets` (`[batch, outputs]`).
    case meanSquaredError(targets: Matrix)
    /// Softmax cross-entropy against one class label per row.
    case softmaxCrossEntropy(labels: [Int])
    /// A fixed random linear readout drawn from `seed`: a top gradient independent of the forward pass.
    case randomReadout(seed: UInt64)
    /// `0.5 Σ A²/B`.
    case quadratic

    /// A short kebab-case name: `mse`, `softmax-cross-entropy`, `random-readout`, `quadratic`.
    public var name: String {
        switch self {
        case .meanSquaredError: "mse"
        case .softmaxCrossEntropy: "softmax-cross-entropy"
        case .randomReadout: "random-readout"
        case .quadratic: "quadratic"
        }
    }

    /// Checks that this loss can be applied to an output of `rows x columns` (batch x outputs).
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` for targets of the wrong shape or a label count
    ///   that is not the batch size; `.invalidParameter` for a label outside `0..<columns`.
    public func validate(outputRows rows: Int, outputColumns columns: Int) throws {
        switch self {
        case .meanSquaredError(let targets):
            guard targets.rows == rows, targets.columns == columns else {
                throw VarianceKitError.shape(
                    "Loss.meanSquaredError", "targets", actual: [targets.rows, targets.columns], expected: [rows, columns],
                    "targets are \(targets.rows) x \(targets.columns) but the network output is \(rows) x \(columns) (batch x outputs); they must match")
            }
        case .softmaxCrossEntropy(let labels):
            guard labels.count == rows else {
                throw VarianceKitError.shape(
                    "Loss.softmaxCrossEntropy", "labels", actual: [labels.count], expected: [rows],
                    "\(labels.count) labels for a batch of \(rows) (network output \(rows) x \(columns)); there must be one label per row")
            }
            for (index, label) in labels.enumerated() where label < 0 || label >= columns {
                throw VarianceKitError.invalidParameter(
                    name: "labels[\(index)]", value: "\(label)",
                    expected: "a class index in 0..<\(columns) (the network has \(columns) outputs)")
            }
        case .randomReadout, .quadratic:
            break
        }
    }
}

extension Loss {
    /// `L(A)` for `output` (`[batch, outputs]`), accumulated in Double.
    ///
    /// - Throws: as `validate(outputRows:outputColumns:)`; `.invalidParameter` for an empty batch.
    public func value(of output: Matrix) throws -> Double {
        var gradient = Matrix(validatedRows: output.rows, columns: output.columns)
        return try evaluate(output: output, gradient: &gradient)
    }

    /// `dL/dA` for `output`, as a new matrix of the same shape.
    ///
    /// - Throws: as `value(of:)`.
    public func gradient(of output: Matrix) throws -> Matrix {
        var gradient = Matrix(validatedRows: output.rows, columns: output.columns)
        _ = try evaluate(output: output, gradient: &gradient)
        return gradient
    }

    /// Validates, then writes `dL/dA` into `gradient` (same shape as `output`) and returns `L`.
    func evaluate(output: Matrix, gradient: inout Matrix) throws -> Double {
        guard output.rows > 0 else {
            throw VarianceKitError.invalidParameter(name: "batch size", value: "0", expected: "an integer >= 1")
        }
        try validate(outputRows: output.rows, outputColumns: output.columns)
        let readout = try readoutMatrixIfAny(rows: output.rows, columns: output.columns)
        let (rows, columns) = (output.rows, output.columns)
        return output.withUnsafeBufferPointer { a in
            gradient.withUnsafeMutableBufferPointer { g in
                readout.withUnsafeBufferPointer { r in
                    evaluate(output: a.baseAddress!, rows: rows, columns: columns,
                             gradient: g.baseAddress!, readout: r.baseAddress!)
                }
            }
        }
    }

    /// The matrix `R` of `randomReadout` for a `rows x columns` output (an empty matrix for the other losses).
    func readoutMatrixIfAny(rows: Int, columns: Int) throws -> Matrix {
        guard case .randomReadout(let seed) = self else { return Matrix(validatedRows: 0, columns: 0) }
        return try Loss.readoutMatrix(seed: seed, rows: rows, columns: columns)
    }

    /// Unchecked kernel: writes `dL/dA` for the `rows x columns` output `a` into `gradient` and
    /// returns `L`. `readout` is `R` (`rows x columns`) for `randomReadout` and ignored otherwise.
    /// The loss has been validated against this shape.
    func evaluate(
        output a: UnsafePointer<Float>, rows: Int, columns: Int,
        gradient: UnsafeMutablePointer<Float>, readout: UnsafePointer<Float>
    ) -> Double {
        let count = rows * columns
        let inverseBatch = 1 / Float(rows)
        switch self {
        case .meanSquaredError(let targets):
            let scale = 2 / Float(count)
            let sum = targets.withUnsafeBufferPointer { t in
                Loss.sumOfProducts(count: count) { index in
                    let difference = ActivationMath.load(a + index) - ActivationMath.load(t.baseAddress! + index)
                    ActivationMath.store(scale * difference, gradient + index)
                    return difference * difference
                } scalar: { index in
                    let difference = a[index] - t[index]
                    gradient[index] = scale * difference
                    return difference * difference
                }
            }
            return sum / Double(count)
        case .randomReadout:
            let sum = Loss.sumOfProducts(count: count) { index in
                let r = ActivationMath.load(readout + index)
                ActivationMath.store(inverseBatch * r, gradient + index)
                return r * ActivationMath.load(a + index)
            } scalar: { index in
                gradient[index] = inverseBatch * readout[index]
                return readout[index] * a[index]
            }
            return sum / Double(rows)
        case .quadratic:
            let sum = Loss.sumOfProducts(count: count) { index in
                let value = ActivationMath.load(a + index)
                ActivationMath.store(inverseBatch * value, gradient + index)
                return value * value
            } scalar: { index in
                gradient[index] = inverseBatch * a[index]
                return a[index] * a[index]
            }
            return 0.5 * sum / Double(rows)
        case .softmaxCrossEntropy(let labels):
            var total = 0.0
            for row in 0..<rows {
                total += Loss.softmaxCrossEntropyRow(
                    a + row * columns, columns: columns, label: labels[row],
                    gradient: gradient + row * columns, scale: inverseBatch)
            }
            return total / Double(rows)
        }
    }

    /// `Σ vector(i)` over `count` elements, eight lanes at a time, each block of up to 512 elements
    /// summed in Float and the blocks in Double.
    @inline(__always)
    static func sumOfProducts(
        count: Int, vector: (Int) -> ActivationMath.Vector, scalar: (Int) -> Float
    ) -> Double {
        let lanes = ActivationMath.lanes
        let blockLength = 512
        var total = 0.0
        var index = 0
        let fullCount = count - count % lanes
        while index < fullCount {
            let blockEnd = min(index + blockLength, fullCount)
            var partial = ActivationMath.Vector.zero
            while index < blockEnd {
                partial += vector(index)
                index += lanes
            }
            total += Double(partial.sum())
        }
        while index < count {
            total += Double(scalar(index))
            index += 1
        }
        return total
    }

    /// One row of softmax cross-entropy: returns `log Σ_j e^{a_j} - a_label` and writes
    /// `scale (softmax(a) - onehot(label))` into `gradient`.
    static func softmaxCrossEntropyRow(
        _ a: UnsafePointer<Float>, columns: Int, label: Int, gradient: UnsafeMutablePointer<Float>, scale: Float
    ) -> Double {
        var maximum = -Float.infinity
        for j in 0..<columns where a[j] > maximum || a[j].isNaN { maximum = a[j] }
        if !maximum.isFinite {
            // ±inf or NaN logits: the loss is not finite; say so without trapping.
            for j in 0..<columns { gradient[j] = .nan }
            return .nan
        }
        let lanes = ActivationMath.lanes
        let fullColumns = columns - columns % lanes
        var sum = 0.0
        var j = 0
        while j < fullColumns {
            let e = ActivationMath.exp(ActivationMath.load(a + j) - maximum)
            ActivationMath.store(e, gradient + j)
            sum += Double(e.sum())
            j += lanes
        }
        if j < columns {
            let remaining = columns - j
            // Padding lanes get -inf: exp gives its clamped tiny value, which is not stored or summed.
            let e = ActivationMath.exp(ActivationMath.loadPartial(a + j, count: remaining) - maximum)
            ActivationMath.storePartial(e, gradient + j, count: remaining)
            for lane in 0..<remaining { sum += Double(e[lane]) }
        }
        let factor = scale / Float(sum)
        for j in 0..<columns { gradient[j] *= factor }
        gradient[label] -= scale
        return Double(maximum) + Foundation.log(sum) - Double(a[label])
    }
}

