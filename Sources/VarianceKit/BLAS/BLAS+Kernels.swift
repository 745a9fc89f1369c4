import Foundation
internal import CBLAS

// The only place (with LAPACK/) that speaks C: CblasRowMajor, Int32 dimensions, raw pointers.
// The `unchecked...` functions check nothing: callers have validated shapes, and every dimension
// fits in Int32.

extension BLAS {
    /// `C = alpha * op(A) * op(B) + beta * C`, row-major, with `op(A)` `m x k`, `op(B)` `k x n`,
    /// `C` `m x n`; `lda`, `ldb`, `ldc` are the row strides of the stored (untransposed) arrays.
    /// Handles `m`, `n` or `k` equal to zero (for `k == 0`, `C = beta * C`; `beta == 0` writes zeros).
    @inlinable
    internal static func uncheckedSgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            scaleRows(c, rows: m, columns: n, stride: ldc, by: beta)
            return
        }
        callSgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    @usableFromInline
    internal static func callSgemm(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int,
        _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(max(lda, 1)), b, Int32(max(ldb, 1)),
                    beta, c, Int32(max(ldc, 1)))
    }

    /// `y = alpha * op(A) * x + beta * y`, row-major `A` of `rows x columns`.
    internal static func uncheckedSgemv(
        transpose: Bool, rows: Int, columns: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
        beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        let outputCount = transpose ? columns : rows
        let inputCount = transpose ? rows : columns
        if outputCount == 0 { return }
        if inputCount == 0 {
            scaleRows(y, rows: 1, columns: outputCount, stride: outputCount, by: beta)
            return
        }
        cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans,
                    Int32(rows), Int32(columns), alpha, a, Int32(max(lda, 1)), x, 1, beta, y, 1)
    }

    /// `y += alpha * x` over `count` elements.
    internal static func uncheckedSaxpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        forEachChunk(count) { offset, length in cblas_saxpy(length, alpha, x + offset, 1, y + offset, 1) }
    }

    /// `x *= alpha` over `count` elements.
    internal static func uncheckedSscal(count: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
        forEachChunk(count) { offset, length in cblas_sscal(length, alpha, x + offset, 1) }
    }

    /// `sum x[i] * y[i]`, accumulated per chunk in Float by OpenBLAS and across chunks in Double.
    internal static func uncheckedSdot(count: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        var total = 0.0
        forEachChunk(count) { offset, length in total += Double(cblas_sdot(length, x + offset, 1, y + offset, 1)) }
        return Float(total)
    }

    /// `sqrt(sum x[i]^2)`, computed by OpenBLAS without overflow for one chunk.
    internal static func uncheckedSnrm2(count: Int, x: UnsafePointer<Float>) -> Float {
        if count <= Int(Int32.max) { return count == 0 ? 0 : cblas_snrm2(Int32(count), x, 1) }
        var sumOfSquares = 0.0
        forEachChunk(count) { offset, length in
            let norm = Double(cblas_snrm2(length, x + offset, 1))
            sumOfSquares += norm * norm
        }
        return Float(sumOfSquares.squareRoot())
    }

    /// `sum |x[i]|`.
    internal static func uncheckedSasum(count: Int, x: UnsafePointer<Float>) -> Float {
        var total = 0.0
        forEachChunk(count) { offset, length in total += Double(cblas_sasum(length, x + offset, 1)) }
        return Float(total)
    }

    /// Splits `count` into pieces that fit BLAS's 32-bit lengths.
    private static func forEachChunk(_ count: Int, _ body: (Int, Int32) -> Void) {
        let chunk = Int(Int32.max) & ~63
        var offset = 0
        while offset < count {
            let length = min(chunk, count - offset)
            body(offset, Int32(length))
            offset += length
        }
    }

    /// `C[r, c] *= beta` for an `rows x columns` block with row stride `stride`; `beta == 0` writes
    /// exact zeros (so NaN in `C` does not survive, as BLAS specifies for `beta == 0`).
    @usableFromInline
    internal static func scaleRows(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int, by beta: Float) {
        for r in 0..<rows {
            let row = c + r * stride
            if beta == 0 {
                row.update(repeating: 0, count: columns)
            } else if beta != 1 {
                for j in 0..<columns { row[j] *= beta }
            }
        }
    }
}

// MARK: - Threads and kernel

extension BLAS {
    /// The number of threads OpenBLAS uses for one call; `ThreadPolicy.threadCount` outside
    /// `ThreadPolicy.withBLASThreadCount`.
    static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of threads OpenBLAS uses for one call (at most its build's `MAX_THREADS`).
    /// Only `ThreadPolicy` calls it, which validated `count`.
    static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }

    /// The name of the compute kernel OpenBLAS selected (e.g. `Haswell`, `SkylakeX`); it follows
    /// `OPENBLAS_CORETYPE` when that is set.
    public static var kernelName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name).trimmingCharacters(in: .whitespaces)
    }

    /// OpenBLAS's build configuration string (version, threading, maximum threads).
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text).trimmingCharacters(in: .whitespaces)
    }
}
