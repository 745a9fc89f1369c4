/// Checked, Swift-shaped wrappers over OpenBLAS (single precision, row-major).
///
/// Every public function validates shapes and throws `VarianceKitError.shapeMismatch` naming both
/// operands; the pointer-level `uncheckedSgemm`, `uncheckedSgemv`, … in `BLAS+Kernels.swift` check
/// nothing and are for VarianceKit's own hot paths, whose shapes were validated once when a network
/// was built.
public enum BLAS {
    /// Largest dimension a BLAS call accepts (OpenBLAS uses 32-bit integers).
    public static let maximumDimension = Int(Int32.max)

    // MARK: Level 3

    /// General matrix multiply, accumulating into `c`:
    /// `C = alpha * op(A) * op(B) + beta * C`, where `op(X)` is `X` or `Xᵀ`.
    ///
    /// `op(A)` must be `m x k`, `op(B)` `k x n` and `c` already `m x n`. With `beta == 0` the
    /// previous contents of `c` are ignored (even NaN); with `beta == 1` the product is added.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` naming the three shapes when they disagree;
    ///   `.invalidParameter` when `alpha` or `beta` is not finite.
    public static func gemm(
        _ a: Matrix, _ b: Matrix, into c: inout Matrix,
        transposeA: Bool = false, transposeB: Bool = false,
        alpha: Float = 1, beta: Float = 0
    ) throws {
        try VarianceKitError.requireFinite(alpha, "alpha")
        try VarianceKitError.requireFinite(beta, "beta")
        let (m, ka) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
        // Built only on the error path: a checked call in a loop must not allocate.
        func shapes() -> String {
            "op(A) = \(describe(a, transposeA)) is \(m) x \(ka), op(B) = \(describe(b, transposeB)) is \(kb) x \(n), C is \(c.rows) x \(c.columns)"
        }
        guard ka == kb else {
            throw VarianceKitError.shape("gemm", "op(B)", actual: [kb, n], expected: [ka, nil],
                                         "\(shapes()); the inner dimensions must agree (columns of op(A) = rows of op(B))")
        }
        guard c.rows == m, c.columns == n else {
            throw VarianceKitError.shape("gemm", "C", actual: [c.rows, c.columns], expected: [m, n],
                                         "\(shapes()); C must be op(A).rows x op(B).columns")
        }
        try checkDimensions("gemm", m, n, ka)
        try c.makeUniqueStorage()
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    uncheckedSgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: ka,
                                   alpha: alpha, a: pa.baseAddress!, lda: a.columns,
                                   b: pb.baseAddress!, ldb: b.columns,
                                   beta: beta, c: pc.baseAddress!, ldc: n)
                }
            }
        }
    }

    /// `alpha * op(A) * op(B)` as a new matrix.
    public static func product(
        _ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false, alpha: Float = 1
    ) throws -> Matrix {
        let m = transposeA ? a.columns : a.rows
        let n = transposeB ? b.rows : b.columns
        var c = Matrix(validatedRows: m, columns: n)
        try gemm(a, b, into: &c, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: 0)
        return c
    }

    // MARK: Level 2

    /// Matrix-vector multiply, accumulating into `y`: `y = alpha * op(A) * x + beta * y`.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` when `x` or `y` has the wrong length for `op(A)`.
    public static func gemv<X: FloatBuffer, Y: FloatBuffer>(
        _ a: Matrix, _ x: X, into y: inout Y,
        transpose: Bool = false, alpha: Float = 1, beta: Float = 0
    ) throws {
        try VarianceKitError.requireFinite(alpha, "alpha")
        try VarianceKitError.requireFinite(beta, "beta")
        let (outputs, inputs) = transpose ? (a.columns, a.rows) : (a.rows, a.columns)
        guard x.count == inputs, y.count == outputs else {
            throw VarianceKitError.shape("gemv", "x and y", actual: [x.count, y.count], expected: [inputs, outputs],
                                         "op(A) = \(describe(a, transpose)) is \(outputs) x \(inputs), x has \(x.count) elements, y has \(y.count); expected x of \(inputs) and y of \(outputs)")
        }
        try checkDimensions("gemv", a.rows, a.columns)
        try y.makeUniqueStorage()
        a.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    uncheckedSgemv(transpose: transpose, rows: a.rows, columns: a.columns, alpha: alpha,
                                   a: pa.baseAddress!, lda: a.columns, x: px.baseAddress ?? pa.baseAddress!,
                                   beta: beta, y: py.baseAddress ?? UnsafeMutablePointer(mutating: pa.baseAddress!))
                }
            }
        }
    }

    // MARK: Level 1

    /// `y = alpha * x + y`, element by element.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` when the lengths differ.
    public static func axpy<X: FloatBuffer, Y: FloatBuffer>(_ alpha: Float, _ x: X, _ y: inout Y) throws {
        try VarianceKitError.requireFinite(alpha, "alpha")
        try requireSameCount("axpy", x.count, y.count)
        try y.makeUniqueStorage()
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                guard let xs = px.baseAddress, let ys = py.baseAddress else { return }
                uncheckedSaxpy(count: px.count, alpha: alpha, x: xs, y: ys)
            }
        }
    }

    /// `x = alpha * x`.
    public static func scal<X: FloatBuffer>(_ alpha: Float, _ x: inout X) throws {
        try VarianceKitError.requireFinite(alpha, "alpha")
        try x.makeUniqueStorage()
        x.withUnsafeMutableBufferPointer { px in
            guard let xs = px.baseAddress else { return }
            uncheckedSscal(count: px.count, alpha: alpha, x: xs)
        }
    }

    /// `sum_i x[i] * y[i]`.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` when the lengths differ.
    public static func dot<X: FloatBuffer, Y: FloatBuffer>(_ x: X, _ y: Y) throws -> Float {
        try requireSameCount("dot", x.count, y.count)
        return x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in
                guard let xs = px.baseAddress, let ys = py.baseAddress else { return 0 }
                return uncheckedSdot(count: px.count, x: xs, y: ys)
            }
        }
    }

    /// Euclidean norm `sqrt(sum_i x[i]^2)`.
    public static func nrm2<X: FloatBuffer>(_ x: X) -> Float {
        x.withUnsafeBufferPointer { px in
            guard let xs = px.baseAddress else { return 0 }
            return uncheckedSnrm2(count: px.count, x: xs)
        }
    }

    /// Sum of absolute values `sum_i |x[i]|`.
    public static func asum<X: FloatBuffer>(_ x: X) -> Float {
        x.withUnsafeBufferPointer { px in
            guard let xs = px.baseAddress else { return 0 }
            return uncheckedSasum(count: px.count, x: xs)
        }
    }

    // MARK: Validation helpers

    private static func describe(_ m: Matrix, _ transposed: Bool) -> String {
        transposed ? "(\(m.rows) x \(m.columns))ᵀ" : "\(m.rows) x \(m.columns)"
    }

    private static func requireSameCount(_ operation: String, _ xCount: Int, _ yCount: Int) throws {
        guard xCount == yCount else {
            throw VarianceKitError.shape(operation, "y", actual: [yCount], expected: [xCount],
                                         "x has \(xCount) elements and y has \(yCount); they must have the same length")
        }
    }

    private static func checkDimensions(_ operation: String, _ first: Int, _ second: Int, _ third: Int = 0) throws {
        let largest = max(first, second, third)
        guard largest <= maximumDimension else {
            throw VarianceKitError.shape(operation, "a dimension", actual: [largest], expected: [maximumDimension],
                                         "dimension \(largest) exceeds the BLAS limit of \(maximumDimension)")
        }
    }
}
