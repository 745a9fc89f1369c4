internal import CBLAS

extension LAPACK {
    /// How `orthonormalize` computes the Householder QR (LQ) and its orthonormal factor. Both give
    /// the same reflectors, so the same `Q` and signs up to rounding (about 1e-6 apart).
    public enum HouseholderRoutine: String, Sendable, CaseIterable {
        /// `sgeqrt` with blocks of 128 reflectors (recursive panels, compact WY) and `Q` formed
        /// from those blocks by `slarfb` and `strmm`; LQ factors each panel with `sgelqf` + `slarft`.
        /// The default: about 0.7x the time of `lapackDrivers` at 4096 x 4096.
        case compactWY
        /// LAPACK's drivers `sgeqrf` + `sorgqr` (`sgelqf` + `sorglq`), whose block size is 32.
        case lapackDrivers
    }

    /// Replaces the rows (when `rows <= columns`) or the columns (when `rows > columns`) of the
    /// row-major `matrix` by an orthonormal basis of their span, by Householder QR, in place and
    /// without copies. Returns the signs (`+1` or `-1`, `+1` for zero) of the triangular factor's
    /// diagonal, one per basis vector, for the caller to fold in.
    ///
    /// Layout: a row-major `rows x columns` buffer is the column-major `columns x rows` matrix
    /// `A = Wᵀ`. With `rows <= columns`, `A` is tall: `sgeqrf` + `sorgqr` give `A = Q R` and
    /// overwrite `A` with `Q`, whose orthonormal columns are the rows of `W` (`W Wᵀ = I`); the sign
    /// of `R[i, i]` belongs to row `i`. With `rows > columns`, `A` is wide: `sgelqf` + `sorglq` give
    /// `A = L Q` (the QR factorization of `Aᵀ = W` with `R = Lᵀ`) and overwrite `A` with `Q`, whose
    /// orthonormal rows are the columns of `W` (`Wᵀ W = I`); the sign of `L[i, i]` belongs to column `i`.
    /// A square matrix takes the first path. `routine` chooses the LAPACK routines (see
    /// `HouseholderRoutine`); the names above are those of `.lapackDrivers`.
    ///
    /// The rows (columns) must be linearly independent for the result to span what they span;
    /// for a Gaussian matrix that holds with probability 1.
    ///
    /// Threads: `.compactWY` runs every BLAS and LAPACK call single-threaded (it sets OpenBLAS to
    /// one thread while it runs and back to the count it found, by `ThreadPolicy.withBLASThreadCount`,
    /// so that no other thread's change of the count reaches it) and splits the trailing updates
    /// into fixed blocks shared by `threads` workers (`nil`: OpenBLAS's current thread count), so
    /// its result is bit-identical for every thread count. `.lapackDrivers` runs on OpenBLAS's
    /// current thread count, whose threaded kernels round differently at different counts. OpenBLAS's
    /// count is process-wide: the library's callers hold `ThreadPolicy.withBLASThreadCount` around
    /// this call, and so should a program that changes the policy from other threads.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` beyond LAPACK's 32-bit dimensions,
    ///   `.nonFiniteInput` (naming the first routine it would have gone to) when `matrix` holds
    ///   inf or NaN, `.insufficientMemory` or `.allocationFailed` when a workspace cannot be
    ///   allocated, `.lapackFailure` when a routine reports `info != 0`. `matrix` is unchanged
    ///   then, except after a `.lapackFailure`.
    public static func orthonormalize(
        _ matrix: inout Matrix, routine: HouseholderRoutine = .compactWY, threads: Int? = nil
    ) throws -> [Float] {
        let rows = matrix.rows, columns = matrix.columns
        let rank = min(rows, columns)
        if let threads, !(1...ThreadPolicy.maximumThreadCount).contains(threads) {
            throw VarianceKitError.invalidParameter(name: "threads", value: "\(threads)",
                                                    expected: "an integer in 1...\(ThreadPolicy.maximumThreadCount), or nil for OpenBLAS's count")
        }
        let workers = threads ?? max(1, Int(openblas_get_num_threads()))
        guard rank > 0 else { return [] }
        for dimension in [rows, columns] where dimension > BLAS.maximumDimension {
            throw VarianceKitError.shape("LAPACK.orthonormalize", "a dimension", actual: [dimension], expected: [BLAS.maximumDimension],
                                         "dimension \(dimension) exceeds the LAPACK limit of \(BLAS.maximumDimension)")
        }
        let firstRoutine = switch (routine, columns >= rows) {
        case (.compactWY, true): "sgeqrt3"
        case (.lapackDrivers, true): "sgeqrf"
        case (_, false): "sgelqf"
        }
        try requireFinite(matrix, routine: firstRoutine)
        var signs = [Float](repeating: 1, count: rank)
        try matrix.withUnsafeMutableBufferPointer { buffer in
            try signs.withUnsafeMutableBufferPointer { signBuffer in
                let a = buffer.baseAddress!, signs = signBuffer.baseAddress!
                switch (routine, columns >= rows) {
                case (.compactWY, true):
                    try ThreadPolicy.withBLASThreadCount(1) {
                        try orthonormalizeColumnsCompactWY(a, height: columns, width: rows, signs: signs, threads: workers)
                    }
                case (.compactWY, false):
                    try ThreadPolicy.withBLASThreadCount(1) {
                        try orthonormalizeRowsCompactWY(a, height: columns, width: rows, signs: signs, threads: workers)
                    }
                case (.lapackDrivers, _):
                    try orthonormalizeWithDrivers(a, height: columns, width: rows, signs: signs)
                }
            }
        }
        return signs
    }

    /// The column-major `height x width` matrix `A` (leading dimension `height`) becomes the
    /// orthonormal factor of its QR (`height >= width`) or LQ (`height < width`) factorization,
    /// by LAPACK's driver routines.
    static func orthonormalizeWithDrivers(
        _ a: UnsafeMutablePointer<Float>, height: Int, width: Int, signs: UnsafeMutablePointer<Float>
    ) throws {
        let m = Int32(height), n = Int32(width)
        let rank = min(height, width)
        let tauStorage = try MatrixStorage(count: rank, repeating: 0, purpose: "the \(height >= width ? "sgeqrf" : "sgelqf") scalar factors")
        defer { withExtendedLifetime(tauStorage) {} }
        let tau = tauStorage.pointer
        let tall = height >= width
        let factorName = tall ? "sgeqrf" : "sgelqf"
        let formName = tall ? "sorgqr" : "sorglq"
        let k = Int32(rank)

        // Workspace query for both routines, then one allocation.
        var query: Float = 0
        var info = tall
            ? LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, m, n, a, m, tau, &query, -1)
            : LAPACKE_sgelqf_work(LAPACK_COL_MAJOR, m, n, a, m, tau, &query, -1)
        guard info == 0 else { throw VarianceKitError.lapackFailure(routine: factorName, info: Int(info)) }
        var workCount = try workspaceCount(query, routine: factorName)
        info = tall
            ? LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, m, n, k, a, m, tau, &query, -1)
            : LAPACKE_sorglq_work(LAPACK_COL_MAJOR, m, n, k, a, m, tau, &query, -1)
        guard info == 0 else { throw VarianceKitError.lapackFailure(routine: formName, info: Int(info)) }
        workCount = max(workCount, try workspaceCount(query, routine: formName))
        let workStorage = try MatrixStorage(count: workCount, repeating: 0, purpose: "the \(factorName)/\(formName) workspace")
        defer { withExtendedLifetime(workStorage) {} }
        let work = workStorage.pointer

        info = tall
            ? LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, m, n, a, m, tau, work, Int32(workCount))
            : LAPACKE_sgelqf_work(LAPACK_COL_MAJOR, m, n, a, m, tau, work, Int32(workCount))
        guard info == 0 else { throw VarianceKitError.lapackFailure(routine: factorName, info: Int(info)) }
        for i in 0..<rank {
            signs[i] = a[i * height + i] < 0 ? -1 : 1
        }
        info = tall
            ? LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, m, n, k, a, m, tau, work, Int32(workCount))
            : LAPACKE_sorglq_work(LAPACK_COL_MAJOR, m, n, k, a, m, tau, work, Int32(workCount))
        guard info == 0 else { throw VarianceKitError.lapackFailure(routine: formName, info: Int(info)) }
    }
}
