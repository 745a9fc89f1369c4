internal import CBLAS

/// Checked wrappers over LAPACKE (single precision). A LAPACK failure is a thrown
/// `VarianceKitError.lapackFailure`, never a silent garbage result.
///
/// Input holding inf or NaN is refused before any routine runs
/// (`VarianceKitError.nonFiniteInput`, naming the routine and the first such element): LAPACK
/// has no meaningful result for it. Left to itself, LAPACKE's high-level functions (`LAPACKE_sgeqrf`,
/// `LAPACKE_sgesdd`) scan their matrix arguments for NaN and return `info = -p`, `p` the
/// argument's position (-4 for `sgeqrf`'s `a`, -5 for `sgesdd`'s), which reads as an illegal
/// argument; the `_work` functions do not scan, and neither scan looks for inf, which comes back
/// as NaN results with `info = 0`.
public enum LAPACK {
    /// The thin QR factorization `A = Q R` of an `m x n` matrix.
    ///
    /// Returns `Q` of shape `m x k` with orthonormal columns (`QᵀQ = I_k`), where `k = min(m, n)`,
    /// and the `k` diagonal entries of the upper-triangular (trapezoidal) `R` of shape `k x n`,
    /// as produced by `sgeqrf` (Householder reflections) followed by `sorgqr`. LAPACK's diagonal
    /// may be negative; `Q * diag(sign(diag R))` is the sign-corrected factor that makes Q Haar
    /// distributed for a Gaussian `A`.
    ///
    /// - Throws: `VarianceKitError.nonFiniteInput` when `a` holds inf or NaN,
    ///   `.lapackFailure` if a routine reports `info != 0`.
    public static func qr(_ a: Matrix) throws -> (q: Matrix, r: Matrix, rDiagonal: [Float]) {
        let m = a.rows, n = a.columns, k = min(m, n)
        guard k > 0 else {
            return (Matrix(validatedRows: m, columns: 0), Matrix(validatedRows: 0, columns: n), [])
        }
        try checkDimensions("qr", m, n)
        try requireFinite(a, routine: "sgeqrf")
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
    /// - Throws: `VarianceKitError.nonFiniteInput` when `a` holds inf or NaN,
    ///   `.lapackFailure` when the iteration does not converge.
    public static func singularValues(_ a: Matrix) throws -> [Float] {
        let m = a.rows, n = a.columns, k = min(m, n)
        guard k > 0 else { return [] }
        try checkDimensions("singularValues", m, n)
        try requireFinite(a, routine: "sgesdd")
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

    /// Throws `.nonFiniteInput` for the first (row-major) element of `matrix` that is inf or NaN.
    /// One pass over the exponent bits (vectorizable), then a search only when one is found.
    static func requireFinite(_ matrix: Matrix, routine: String) throws {
        let columns = matrix.columns
        let found: (index: Int, value: Float)? = matrix.withUnsafeBufferPointer { buffer in
            let exponentMask: UInt32 = 0x7F80_0000
            var largestExponent: UInt32 = 0
            for value in buffer { largestExponent = max(largestExponent, value.bitPattern & exponentMask) }
            guard largestExponent == exponentMask else { return nil }
            let index = buffer.firstIndex { !$0.isFinite }!
            return (index, buffer[index])
        }
        if let found {
            throw VarianceKitError.nonFiniteInput(routine: routine, row: found.index / columns,
                                                  column: found.index % columns, value: found.value)
        }
    }

    /// The element count of a LAPACK workspace query's answer (LAPACK returns it as a Float,
    /// rounded up where it is not exact), at least 1.
    ///
    /// - Throws: `.lapackFailure(routine:info: -1010)` (LAPACKE's "cannot allocate the
    ///   workspace") for a size that is not finite or does not fit LAPACK's 32-bit `lwork`.
    static func workspaceCount(_ query: Float, routine: String) throws -> Int {
        guard query.isFinite, query < 0x1p31 else {
            throw VarianceKitError.lapackFailure(routine: routine, info: Int(LAPACK_WORK_MEMORY_ERROR))
        }
        return max(Int(query.rounded(.up)), 1)
    }

    private static func checkDimensions(_ operation: String, _ dimensions: Int...) throws {
        for d in dimensions where d > BLAS.maximumDimension {
            throw VarianceKitError.shape(operation, "a dimension", actual: [d], expected: [BLAS.maximumDimension],
                                         "dimension \(d) exceeds the LAPACK limit of \(BLAS.maximumDimension)")
        }
    }
}
