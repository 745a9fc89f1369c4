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
    static func orthogonalMatrix(
        rows: Int, columns: Int, gain: Float, seed: UInt64, stream: UInt64, threads: Int
    ) throws -> Matrix {
        var result = Matrix(validatedRows: rows, columns: columns)
        try RandomFill.normal(&result, seed: seed, stream: stream, threads: threads)
        let signs = try ThreadPolicy.withBLASThreadCount(threads) { try LAPACK.orthonormalize(&result) }
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

    /// `ceil(sparsity * rows)`, computed so that `0.1 * 10` gives exactly 1.
    static func sparseZeroCount(sparsity: Float, rows: Int) -> Int {
        let product = Double(sparsity) * Double(rows)
        return min(rows, Int((product - 1e-9).rounded(.up)))
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
