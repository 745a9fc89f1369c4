internal import CBLAS

/// Checked wrappers over LAPACKE (single precision). A LAPACK failure is a thrown
/// `VarianceKitError.lapackFailure`, never a silent garbage result.
public enum LAPACK {
    /// The thin QR factorization `A = Q R` of an `m x n` matrix.
    ///
    /// Returns `Q` of shape `m x k` with orthonormal columns (`QᵀQ = I_k`), where `k = min(m, n)`,
    /// and the `k` diagonal entries of the upper-triangular (trapezoidal) `R` of shape `k x n`,
    /// as produced by `sgeqrf` (Householder reflections) followed by `sorgqr`. LAPACK's diagonal
    /// may be negative; `Q * diag(sign(diag R))` is the sign-corrected factor that makes Q Haar
    /// distributed for a Gaussian `A`.
    ///
    /// - Throws: `VarianceKitError.lapackFailure` if a routine reports `info != 0`.
    public static func qr(_ a: Matrix) throws -> (q: Matrix, r: Matrix, rDiagonal: [Float]) {
        let m = a.rows, n = a.columns, k = min(m, n)
        guard k > 0 else {
            return (Matrix(validatedRows: m, columns: 0), Matrix(validatedRows: 0, columns: n), [])
        }
        try checkDimensions("qr", m, n)
        var factored = a
        var tau = [Float](repeating: 0, count: k)
        var info = factored.withUnsafeMutableBufferPointer { pa in
            tau.withUnsafeMutableBufferPointer { pt in
                LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), pa.baseAddress, Int32(n), pt.baseAddress)
            }
        }
        guard info == 0 else { throw VarianceKitError.lapackFailure(routine: "sgeqrf", info: Int(info)) }

        var r = Matrix(validatedRows: k, columns: n)
        var diagonal = [Float](repeating: 0, count: k)
        factored.withUnsafeBufferPointer { pa in
            r.withUnsafeMutableBufferPointer { pr in
                for i in 0..<k {
                    for j in i..<n { pr[i * n + j] = pa[i * n + j] }
                    diagonal[i] = pa[i * n + i]
                }
            }
        }

        // sorgqr forms the first k columns of Q in place (leading dimension n >= k).
        info = factored.withUnsafeMutableBufferPointer { pa in
            tau.withUnsafeBufferPointer { pt in
                LAPACKE_sorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(k), Int32(k), pa.baseAddress, Int32(n), pt.baseAddress)
            }
        }
        guard info == 0 else { throw VarianceKitError.lapackFailure(routine: "sorgqr", info: Int(info)) }
        var q = Matrix(validatedRows: m, columns: k)
        factored.withUnsafeBufferPointer { pa in
            q.withUnsafeMutableBufferPointer { pq in
                for i in 0..<m {
                    for j in 0..<k { pq[i * k + j] = pa[i * n + j] }
                }
            }
        }
        return (q, r, diagonal)
    }

    /// The singular values of an `m x n` matrix, `min(m, n)` of them in descending order
    /// (`sgesdd` without singular vectors).
    ///
    /// - Throws: `VarianceKitError.lapackFailure` when the iteration does not converge.
    public static func singularValues(_ a: Matrix) throws -> [Float] {
        let m = a.rows, n = a.columns, k = min(m, n)
        guard k > 0 else { return [] }
        try checkDimensions("singularValues", m, n)
        var work = a
        var values = [Float](repeating: 0, count: k)
        // With jobz = "N" neither U nor Vᵀ is referenced, but LAPACKE still checks their leading
        // dimensions against the row-major shapes.
        var unusedU: Float = 0, unusedVT: Float = 0
        let info = work.withUnsafeMutableBufferPointer { pa in
            values.withUnsafeMutableBufferPointer { ps in
                LAPACKE_sgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "N")), Int32(m), Int32(n),
                               pa.baseAddress, Int32(n), ps.baseAddress,
                               &unusedU, Int32(max(m, 1)), &unusedVT, Int32(max(n, 1)))
            }
        }
        guard info == 0 else { throw VarianceKitError.lapackFailure(routine: "sgesdd", info: Int(info)) }
        return values
    }

    private static func checkDimensions(_ operation: String, _ dimensions: Int...) throws {
        for d in dimensions where d > BLAS.maximumDimension {
            throw VarianceKitError.shape(operation, "a dimension", actual: [d], expected: [BLAS.maximumDimension],
                                         "dimension \(d) exceeds the LAPACK limit of \(BLAS.maximumDimension)")
        }
    }
}
