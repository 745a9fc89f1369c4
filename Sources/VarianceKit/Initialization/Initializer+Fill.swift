import Foundation

extension Initializer {
    /// Fills `matrix` in place, with explicit fans, from Philox4x32-10 keyed by `seed` on `stream`.
    ///
    /// Validates everything first (fans `>= 1`, every parameter, `threads` in `1...4096`, and for
    /// `orthogonal`, `identity` and `sparse` a matrix of shape `[fanOut, fanIn]`); on error nothing
    /// is written. The result is bit-identical for a given `(seed, stream)` whatever `threads` is
    /// (`nil`: `ThreadPolicy.threadCount`), except for `orthogonal`, which runs LAPACK with OpenBLAS
    /// set to `threads` threads for the duration of the call (OpenBLAS's thread count is
    /// process-wide: one such call runs at a time) and is bit-identical for a given `threads`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` or `.shapeMismatch`, naming the parameter.
    public func fill(
        _ matrix: inout Matrix, fanIn: Int, fanOut: Int, seed: UInt64, stream: UInt64 = 0, threads: Int? = nil
    ) throws {
        let plan = try sampling(fanIn: fanIn, fanOut: fanOut)
        if requiresMatchingShape, matrix.rows != fanOut || matrix.columns != fanIn {
            throw VarianceKitError.shape(
                "Initializer.\(name).fill", "matrix", actual: [matrix.rows, matrix.columns], expected: [fanOut, fanIn],
                "matrix is \(matrix.rows) x \(matrix.columns) but fanOut x fanIn is \(fanOut) x \(fanIn); \(name) needs a [fanOut, fanIn] matrix")
        }
        let threadCount = try RandomFill.resolveThreads(threads)
        switch plan {
        case let .constant(value):
            try matrix.makeUniqueStorage()
            matrix.withUnsafeMutableBufferPointer { $0.update(repeating: value) }
        case let .uniform(low, high):
            try RandomFill.uniform(&matrix, low: low, high: high, seed: seed, stream: stream, threads: threadCount)
        case let .normal(mean, standardDeviation):
            try RandomFill.normal(&matrix, mean: mean, standardDeviation: standardDeviation,
                                  seed: seed, stream: stream, threads: threadCount)
        case let .truncatedNormal(mean, standardDeviation, lower, upper):
            try RandomFill.truncatedNormal(&matrix, mean: mean, standardDeviation: standardDeviation,
                                           lower: lower, upper: upper, seed: seed, stream: stream, threads: threadCount)
        case let .orthogonal(gain):
            matrix = try Initializer.orthogonalMatrix(rows: matrix.rows, columns: matrix.columns, gain: gain,
                                                      seed: seed, stream: stream, threads: threadCount)
        case let .identity(gain):
            let columns = matrix.columns
            try matrix.makeUniqueStorage()
            matrix.withUnsafeMutableBufferPointer { buffer in
                buffer.update(repeating: 0)
                for i in 0..<min(fanOut, fanIn) { buffer[i * columns + i] = gain }
            }
        case let .sparse(sparsity, standardDeviation):
            try RandomFill.normal(&matrix, mean: 0, standardDeviation: standardDeviation,
                                  seed: seed, stream: stream, threads: threadCount)
            Initializer.zeroSparseEntries(&matrix, zerosPerColumn: Initializer.sparseZeroCount(sparsity: sparsity, rows: fanOut),
                                          seed: seed, stream: stream)
        }
    }

    /// A Dense weight `[outputs, inputs]`: `fill` with `fanIn = columns`, `fanOut = rows`.
    public func fillWeight(_ weight: inout Matrix, seed: UInt64, stream: UInt64 = 0, threads: Int? = nil) throws {
        try fill(&weight, fanIn: weight.columns, fanOut: weight.rows, seed: seed, stream: stream, threads: threads)
    }

    // MARK: - Orthogonal

    /// `g Q D`: a Gaussian `rows x columns` matrix from `(seed, stream)`, orthonormalized in place
    /// (`LAPACK.orthonormalize`), each basis vector multiplied by the sign of its triangular
    /// factor's diagonal entry (Mezzadri 2007: this makes `Q` Haar distributed) and by `gain`.
    /// Bit-identical for every thread count.
    static func orthogonalMatrix(
        rows: Int, columns: Int, gain: Float, seed: UInt64, stream: UInt64, threads: Int
    ) throws -> Matrix {
        var result = Matrix(validatedRows: rows, columns: columns)
        try RandomFill.normal(&result, seed: seed, stream: stream, threads: threads)
        // Single-threaded BLAS calls in fixed blocks shared by `threads` workers: the same bits
        // for every thread count (`LAPACK.orthonormalize`).
        let signs = try ThreadPolicy.withBLASThreadCount(1) { try LAPACK.orthonormalize(&result, threads: threads) }
        result.withUnsafeMutableBufferPointer { buffer in
            if rows <= columns {
                // Basis vector i is row i (contiguous).
                for row in 0..<rows {
                    let factor = signs[row] * gain
                    let start = row * columns
                    for column in 0..<columns { buffer[start + column] *= factor }
                }
            } else {
                // Basis vector i is column i: scale every row by the vector of factors.
                let factors = signs.map { $0 * gain }
                factors.withUnsafeBufferPointer { factors in
                    for row in 0..<rows {
                        let start = row * columns
                        for column in 0..<columns { buffer[start + column] *= factors[column] }
                    }
                }
            }
        }
        return result
    }

    // MARK: - Sparse

    /// The number of zeros per column of `sparse` on `rows` rows: `ceil(sparsity rows)` in exact
    /// arithmetic, with `sparsity` taken as the decimal it stands for, the shortest decimal that
    /// rounds to it (`sparsity.description`: `0.1`, `0.3`, `1e-05`), not its binary value.
    ///
    /// The binary value of `Float(0.1)` is `0.100000001490116...`, so `ceil` of its exact product
    /// with 10 is 2 and with 1000 is 101; of the decimal, 1 and 100, which is what a person
    /// asking for a tenth of 10 rows means and what PyTorch's `sparse_` gives for these (it
    /// computes `ceil(sparsity * rows)` in Double, whose rounding hides the binary excess here
    /// but not always: 0.7 x 10 gives 8 there, 7 here). With `sparsity = d 10^-p`
    /// (`d` the decimal digits, at most 9), the count is `ceil(d rows / 10^p)` in 128-bit
    /// integers; it is at most `rows`, and 0 only for `sparsity = 0`.
    ///
    /// `sparsity` must be finite and in `[0, 1)`, `rows >= 0` (validated by `sampling`).
    static func sparseZeroCount(sparsity: Float, rows: Int) -> Int {
        precondition(sparsity.isFinite && sparsity >= 0 && sparsity < 1 && rows >= 0,
                     "sparseZeroCount: sparsity \(sparsity) and rows \(rows) were not validated")
        guard sparsity > 0, rows > 0 else { return 0 }
        let (digits, decimalPlaces) = shortestDecimal(sparsity)
        // digits < 10^9 and rows < 2^63: the product is below 2^93. 10^38 < 2^127 exceeds it,
        // so beyond 38 decimal places the quotient is 0 with a remainder: the count is 1.
        guard decimalPlaces <= 38 else { return 1 }
        let numerator = UInt128(digits) * UInt128(rows)
        var denominator: UInt128 = 1
        for _ in 0..<decimalPlaces { denominator *= 10 }
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        return min(rows, Int(quotient) + (remainder == 0 ? 0 : 1))
    }

    /// `value = digits 10^-decimalPlaces` for the shortest decimal that rounds to the positive
    /// `value` below 1, read off `value.description` (`0.001`, `1.5e-07`: digits, an optional
    /// point, an optional exponent).
    static func shortestDecimal(_ value: Float) -> (digits: UInt64, decimalPlaces: Int) {
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1])! : 0
        var digits: UInt64 = 0
        var placesAfterPoint = 0
        var afterPoint = false
        for character in parts[0] {
            if character == "." {
                afterPoint = true
                continue
            }
            let digit = character.wholeNumberValue!
            digits = digits * 10 + UInt64(digit)
            if afterPoint { placesAfterPoint += 1 }
        }
        precondition(digits > 0 && placesAfterPoint - exponent > 0, "shortestDecimal: \(text) is not in (0, 1)")
        return (digits, placesAfterPoint - exponent)
    }

    /// Sets `zerosPerColumn` entries of every column to zero, at rows chosen uniformly without
    /// replacement (a partial Fisher-Yates shuffle). Column `c` draws from the auxiliary half of
    /// the counter space, block `2^63 + c 2^31`, so the choice is independent of the values.
    static func zeroSparseEntries(_ matrix: inout Matrix, zerosPerColumn: Int, seed: UInt64, stream: UInt64) {
        let rows = matrix.rows, columns = matrix.columns
        guard zerosPerColumn > 0, rows > 0 else { return }
        var rowIndices = [Int](repeating: 0, count: rows)
        matrix.withUnsafeMutableBufferPointer { buffer in
            for column in 0..<columns {
                var generator = Philox4x32(seed: seed, stream: stream)
                generator.seek(toBlock: (1 << 63) | (UInt64(column) << 31))
                for i in 0..<rows { rowIndices[i] = i }
                for i in 0..<zerosPerColumn {
                    let j = i + Int(generator.nextBounded(UInt64(rows - i)))
                    rowIndices.swapAt(i, j)
                    buffer[rowIndices[i] * columns + column] = 0
                }
            }
        }
    }
}

extension Philox4x32 {
    /// Uniform on `0 ..< bound` without bias (Lemire's multiply-and-reject), `bound >= 1`.
    mutating func nextBounded(_ bound: UInt64) -> UInt64 {
        precondition(bound >= 1)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }
}
