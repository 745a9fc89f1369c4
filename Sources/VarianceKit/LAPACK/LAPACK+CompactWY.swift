internal import CBLAS

/// Householder QR and LQ in compact WY form with wide blocks, and the orthonormal factor built
/// from those blocks, all in level-3 BLAS.
///
/// Householder QR writes `A = Q R` with `Q = H(1) H(2) ⋯ H(k)`, `H(i) = I - τᵢ vᵢ vᵢᵀ`. A block of
/// `b` consecutive reflectors is one block reflector (Schreiber and Van Loan 1989):
/// `H(j) ⋯ H(j+b-1) = I - V T Vᵀ`, with `V` the `b` reflector vectors (unit lower trapezoidal,
/// `V = [V₁; V₂]` with `V₁` square) and `T` a `b x b` upper-triangular matrix. Applying it costs
/// two matrix products of inner dimension `b`. LAPACK's drivers `sgeqrf`/`sorgqr` use `b = 32`,
/// factor each panel with level-2 BLAS and, in `slarfb`, copy rows of the matrix they update with
/// a stride of its leading dimension. Here `b = householderBlockWidth` (256), each panel is
/// factored recursively by `sgeqrt3` (Elmroth and Gustavson 2000), the updates are written out as
/// `sgemm`/`strmm` calls on contiguous column segments, and the updates that form `Q` skip the
/// rows known to be zero. The reflectors, and so `Q` and the signs of `R`'s diagonal, are those of
/// the same Householder QR up to rounding.
///
/// Threads: every BLAS and LAPACK call runs single-threaded (OpenBLAS set to one thread for the
/// duration). The updates of the columns (QR) or rows (LQ) beyond a panel are split into fixed
/// blocks of `updateBlockSize`, counted from the panel's edge, and each block is one sequence of
/// single-threaded calls on its own columns (rows); the workers of a `ParallelRuntime` share the
/// blocks out. Which blocks there are, and so every rounding, does not depend on how many workers
/// there are: the result is bit-identical for any thread count.
///
/// All matrices here are column-major with leading dimension `height`, as LAPACK stores them.
extension LAPACK {
    /// The number of reflectors per block reflector (the last block may have fewer).
    static let householderBlockWidth = 256

    /// The columns (QR) or rows (LQ) per block of a trailing update (the last block may have fewer).
    static let updateBlockSize = 128

    /// Scratch for one factorization: the `T` factors of every block (`blockWidth x rank`), a
    /// `blockWidth x length` product for the updates (`length` the longer side), `sgelqf`'s
    /// workspace, and two `blockWidth x blockWidth` squares for the diagonal blocks of `Q`.
    private struct CompactWYWorkspace {
        let blockWidth: Int
        let triangularFactors: UnsafeMutablePointer<Float>
        let product: UnsafeMutablePointer<Float>
        let work: UnsafeMutablePointer<Float>
        let workCount: Int
        let square: UnsafeMutablePointer<Float>
        let otherSquare: UnsafeMutablePointer<Float>
        /// Owns the memory of the pointers above: keep the workspace alive while they are used
        /// (`withExtendedLifetime`).
        private let storage: MatrixStorage

        /// - Throws: `VarianceKitError.allocationFailed` when the float count overflows `Int` or
        ///   the allocator refuses, `.insufficientMemory` when it exceeds the available memory.
        init(blockWidth: Int, rank: Int, length: Int, workCount: Int, routine: String) throws {
            self.blockWidth = blockWidth
            self.workCount = workCount
            let squareCount = blockWidth * blockWidth
            let purpose = "the \(routine) workspace"
            var total = 2 * squareCount
            for part in [blockWidth.multipliedReportingOverflow(by: rank), blockWidth.multipliedReportingOverflow(by: length),
                         (workCount, false)] {
                let (sum, overflow) = total.addingReportingOverflow(part.0)
                guard !part.1, !overflow else { throw VarianceKitError.allocationFailed(bytes: Int.max, purpose: purpose) }
                total = sum
            }
            storage = try MatrixStorage(count: total, repeating: 0, purpose: purpose)
            triangularFactors = storage.pointer
            product = triangularFactors + blockWidth * rank
            work = product + blockWidth * length
            square = work + workCount
            otherSquare = square + squareCount
        }

        /// The `T` factor of the block reflector whose first reflector is `start` (leading
        /// dimension `blockWidth`).
        func triangularFactor(start: Int) -> UnsafeMutablePointer<Float> {
            triangularFactors + start * blockWidth
        }
    }

    // MARK: - QR: reflectors in columns

    /// The tall (`height >= width`) column-major `A` becomes the `height x width` `Q` of
    /// `A = Q R`; `signs[i]` is the sign of `R[i, i]` (`+1` for zero).
    static func orthonormalizeColumnsCompactWY(
        _ a: UnsafeMutablePointer<Float>, height: Int, width: Int, signs: UnsafeMutablePointer<Float>, threads: Int
    ) throws {
        let m = height, rank = width
        let blockWidth = min(householderBlockWidth, rank)
        let workspace = try CompactWYWorkspace(blockWidth: blockWidth, rank: rank, length: width, workCount: 0, routine: "sgeqrt3")
        defer { withExtendedLifetime(workspace) {} }

        for start in stride(from: 0, to: rank, by: blockWidth) {
            let count = min(blockWidth, rank - start)
            let reflectors = a + start * m + start       // V: (m - start) x count, unit lower
            let factor = workspace.triangularFactor(start: start)
            let info = LAPACKE_sgeqrt3_work(LAPACK_COL_MAJOR, Int32(m - start), Int32(count), reflectors, Int32(m),
                                            factor, Int32(blockWidth))
            guard info == 0 else { throw VarianceKitError.lapackFailure(routine: "sgeqrt3", info: Int(info)) }
            let trailing = width - start - count
            if trailing > 0 {
                BlockUpdate(operation: .transposedFromLeft, v: reflectors, count: count, length: m - start,
                            factor: factor, ldt: blockWidth, c: reflectors + count * m, extent: trailing, ld: m,
                            product: workspace.product).run(threads: threads)
            }
        }
        for i in 0..<rank { signs[i] = a[i * m + i] < 0 ? -1 : 1 }

        // Q's columns, block by block from the last: Q[:, j..<j+b] = B_1 ⋯ B_b E, where block b's
        // reflector B_b = I - V T Vᵀ only touches rows j..<m.
        let lastStart = (rank - 1) / blockWidth * blockWidth
        for start in stride(from: lastStart, through: 0, by: -blockWidth) {
            let count = min(blockWidth, rank - start)
            let reflectors = a + start * m + start
            let factor = workspace.triangularFactor(start: start)
            let trailing = width - start - count
            if trailing > 0 {
                // The columns formed so far are zero in rows start..<start+count (still holding R).
                BlockUpdate(operation: .toZeroTopFromLeft, v: reflectors, count: count, length: m - start,
                            factor: factor, ldt: blockWidth, c: reflectors + count * m, extent: trailing, ld: m,
                            product: workspace.product).run(threads: threads)
            }
            // The block's own columns: B_b E = E - V (T V₁ᵀ). X = T V₁ᵀ is upper triangular;
            // V₂ ← -V₂ X in place; V₁ ← I - V₁ X.
            let x = workspace.square, top = workspace.otherSquare
            for column in 0..<count {
                for row in 0..<count {
                    x[column * count + row] = row == column ? 1 : (row < column ? reflectors[row * m + column] : 0)
                    top[column * count + row] = row == column ? 1 : (row > column ? reflectors[column * m + row] : 0)
                }
            }
            cblas_strmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit,
                        Int32(count), Int32(count), 1, factor, Int32(blockWidth), x, Int32(count))
            let below = m - start - count
            if below > 0 {
                BlockUpdate(operation: .negatedTimesTriangularFromRight, v: x, count: count, length: count,
                            factor: x, ldt: count, c: reflectors + count, extent: below, ld: m,
                            product: workspace.product).run(threads: threads)
            }
            cblas_strmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit,
                        Int32(count), Int32(count), -1, x, Int32(count), top, Int32(count))
            for column in 0..<count {
                for row in 0..<count {
                    reflectors[column * m + row] = top[column * count + row] + (row == column ? 1 : 0)
                }
                (a + (start + column) * m).update(repeating: 0, count: start)
            }
        }
    }

    /// `C ← (I - V T Vᵀ)ᵀ C = C - V Tᵀ (Vᵀ C)` for the `height x columns` `C` (rows `C₁` = the first
    /// `count`, `C₂` the rest): `Y = V₁ᵀ C₁ + V₂ᵀ C₂`, `Y ← Tᵀ Y`, `C₂ -= V₂ Y`, `C₁ -= V₁ Y`.
    fileprivate static func applyTransposedFromLeft(
        _ v: UnsafeMutablePointer<Float>, count: Int, height: Int, factor: UnsafePointer<Float>, ldt: Int,
        to c: UnsafeMutablePointer<Float>, columns: Int, ld: Int, product y: UnsafeMutablePointer<Float>
    ) {
        let below = height - count
        copyBlock(rows: count, columns: columns, from: c, ld, to: y, count)
        cblas_strmm(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasUnit,
                    Int32(count), Int32(columns), 1, v, Int32(ld), y, Int32(count))
        if below > 0 {
            cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(count), Int32(columns), Int32(below),
                        1, v + count, Int32(ld), c + count, Int32(ld), 1, y, Int32(count))
        }
        cblas_strmm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit,
                    Int32(count), Int32(columns), 1, factor, Int32(ldt), y, Int32(count))
        if below > 0 {
            cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(below), Int32(columns), Int32(count),
                        -1, v + count, Int32(ld), y, Int32(count), 1, c + count, Int32(ld))
        }
        cblas_strmm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit,
                    Int32(count), Int32(columns), 1, v, Int32(ld), y, Int32(count))
        subtractBlock(rows: count, columns: columns, y, count, from: c, ld)
    }

    /// `C ← (I - V T Vᵀ) C` for a `C` whose first `count` rows are zero (their stored values are
    /// ignored and overwritten): `Y = T (V₂ᵀ C₂)`, `C₂ -= V₂ Y`, `C₁ = -V₁ Y`.
    fileprivate static func applyToZeroTopFromLeft(
        _ v: UnsafeMutablePointer<Float>, count: Int, height: Int, factor: UnsafePointer<Float>, ldt: Int,
        to c: UnsafeMutablePointer<Float>, columns: Int, ld: Int, product y: UnsafeMutablePointer<Float>
    ) {
        let below = height - count
        precondition(below > 0, "columns to the right of a block imply rows below it in a tall matrix")
        cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(count), Int32(columns), Int32(below),
                    1, v + count, Int32(ld), c + count, Int32(ld), 0, y, Int32(count))
        cblas_strmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit,
                    Int32(count), Int32(columns), 1, factor, Int32(ldt), y, Int32(count))
        cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(below), Int32(columns), Int32(count),
                    -1, v + count, Int32(ld), y, Int32(count), 1, c + count, Int32(ld))
        cblas_strmm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit,
                    Int32(count), Int32(columns), -1, v, Int32(ld), y, Int32(count))
        copyBlock(rows: count, columns: columns, from: y, count, to: c, ld)
    }

    // MARK: - LQ: reflectors in rows

    /// The wide (`height < width`) column-major `A` becomes the `height x width` `Q` of
    /// `A = L Q` (orthonormal rows); `signs[i]` is the sign of `L[i, i]` (`+1` for zero).
    ///
    /// LQ mirrors QR: `Q = H(k) ⋯ H(1)` with the reflectors stored in rows, a block
    /// `H(j) ⋯ H(j+b-1) = I - Vᵀ T V` with `V = [V₁ V₂]`, `V₁` unit upper triangular. LAPACKE has no
    /// `sgelqt3`, so each panel of rows is factored by `sgelqf` and its `T` formed by `slarft`.
    static func orthonormalizeRowsCompactWY(
        _ a: UnsafeMutablePointer<Float>, height: Int, width: Int, signs: UnsafeMutablePointer<Float>, threads: Int
    ) throws {
        let m = height, rank = height
        let blockWidth = min(householderBlockWidth, rank)
        var query: Float = 0, unusedTau: Float = 0
        var info = LAPACKE_sgelqf_work(LAPACK_COL_MAJOR, Int32(blockWidth), Int32(width), a, Int32(m),
                                       &unusedTau, &query, -1)
        guard info == 0 else { throw VarianceKitError.lapackFailure(routine: "sgelqf", info: Int(info)) }
        let workCount = try workspaceCount(query, routine: "sgelqf") + rank   // sgelqf's workspace, then the scalar factors τ
        let workspace = try CompactWYWorkspace(blockWidth: blockWidth, rank: rank, length: height, workCount: workCount, routine: "sgelqf")
        defer { withExtendedLifetime(workspace) {} }
        let tau = workspace.work + (workCount - rank)

        for start in stride(from: 0, to: rank, by: blockWidth) {
            let count = min(blockWidth, rank - start)
            let reflectors = a + start * m + start        // V: count x (width - start), unit upper
            let factor = workspace.triangularFactor(start: start)
            info = LAPACKE_sgelqf_work(LAPACK_COL_MAJOR, Int32(count), Int32(width - start), reflectors, Int32(m),
                                       tau + start, workspace.work, Int32(workCount - rank))
            guard info == 0 else { throw VarianceKitError.lapackFailure(routine: "sgelqf", info: Int(info)) }
            info = LAPACKE_slarft_work(LAPACK_COL_MAJOR, character("F"), character("R"), Int32(width - start),
                                       Int32(count), reflectors, Int32(m), tau + start, factor, Int32(blockWidth))
            guard info == 0 else { throw VarianceKitError.lapackFailure(routine: "slarft", info: Int(info)) }
            let remaining = m - start - count
            if remaining > 0 {
                BlockUpdate(operation: .fromRight, v: reflectors, count: count, length: width - start,
                            factor: factor, ldt: blockWidth, c: reflectors + count, extent: remaining, ld: m,
                            product: workspace.product).run(threads: threads)
            }
        }
        for i in 0..<rank { signs[i] = a[i * m + i] < 0 ? -1 : 1 }

        // Q's rows, block by block from the last: Q[j..<j+b, :] = Eᵀ B_b ⋯ B_1 with
        // B_b = H(j+b-1) ⋯ H(j) = I - Vᵀ Tᵀ V touching columns j..<width.
        let lastStart = (rank - 1) / blockWidth * blockWidth
        for start in stride(from: lastStart, through: 0, by: -blockWidth) {
            let count = min(blockWidth, rank - start)
            let reflectors = a + start * m + start
            let factor = workspace.triangularFactor(start: start)
            let trailing = m - start - count
            if trailing > 0 {
                // The rows formed so far are zero in columns start..<start+count (still holding L).
                BlockUpdate(operation: .transposedToZeroLeftFromRight, v: reflectors, count: count, length: width - start,
                            factor: factor, ldt: blockWidth, c: reflectors + count, extent: trailing, ld: m,
                            product: workspace.product).run(threads: threads)
            }
            // The block's own rows: Eᵀ B_b = Eᵀ - (T V₁)ᵀ V. X = T V₁ is upper triangular;
            // V₂ ← -Xᵀ V₂ in place; V₁ ← I - Xᵀ V₁.
            let x = workspace.square, top = workspace.otherSquare
            for column in 0..<count {
                for row in 0..<count {
                    let v: Float = row == column ? 1 : (row < column ? reflectors[column * m + row] : 0)
                    x[column * count + row] = v
                    top[column * count + row] = v
                }
            }
            cblas_strmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit,
                        Int32(count), Int32(count), 1, factor, Int32(blockWidth), x, Int32(count))
            let right = width - start - count
            if right > 0 {
                BlockUpdate(operation: .negatedTransposedTriangularFromLeft, v: x, count: count, length: count,
                            factor: x, ldt: count, c: reflectors + count * m, extent: right, ld: m,
                            product: workspace.product).run(threads: threads)
            }
            cblas_strmm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit,
                        Int32(count), Int32(count), -1, x, Int32(count), top, Int32(count))
            for column in 0..<count {
                for row in 0..<count {
                    reflectors[column * m + row] = top[column * count + row] + (row == column ? 1 : 0)
                }
            }
            for column in 0..<start {
                (a + column * m + start).update(repeating: 0, count: count)
            }
        }
    }

    /// `C ← C (I - Vᵀ T V) = C - (C Vᵀ) T V` for the `rows x length` `C` (columns `C₁` = the first
    /// `count`, `C₂` the rest): `Y = C₁ V₁ᵀ + C₂ V₂ᵀ`, `Y ← Y T`, `C₂ -= Y V₂`, `C₁ -= Y V₁`.
    fileprivate static func applyFromRight(
        _ v: UnsafeMutablePointer<Float>, count: Int, length: Int, factor: UnsafePointer<Float>, ldt: Int,
        to c: UnsafeMutablePointer<Float>, rows: Int, ld: Int, product y: UnsafeMutablePointer<Float>, ldy: Int
    ) {
        let right = length - count
        copyBlock(rows: rows, columns: count, from: c, ld, to: y, ldy)
        cblas_strmm(CblasColMajor, CblasRight, CblasUpper, CblasTrans, CblasUnit,
                    Int32(rows), Int32(count), 1, v, Int32(ld), y, Int32(ldy))
        if right > 0 {
            cblas_sgemm(CblasColMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(count), Int32(right),
                        1, c + count * ld, Int32(ld), v + count * ld, Int32(ld), 1, y, Int32(ldy))
        }
        cblas_strmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit,
                    Int32(rows), Int32(count), 1, factor, Int32(ldt), y, Int32(ldy))
        if right > 0 {
            cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(right), Int32(count),
                        -1, y, Int32(ldy), v + count * ld, Int32(ld), 1, c + count * ld, Int32(ld))
        }
        cblas_strmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasUnit,
                    Int32(rows), Int32(count), 1, v, Int32(ld), y, Int32(ldy))
        subtractBlock(rows: rows, columns: count, y, ldy, from: c, ld)
    }

    /// `C ← C (I - Vᵀ T V)ᵀ` for a `C` whose first `count` columns are zero (their stored values
    /// are ignored and overwritten): `Y = (C₂ V₂ᵀ) Tᵀ`, `C₂ -= Y V₂`, `C₁ = -Y V₁`.
    fileprivate static func applyTransposedToZeroLeftFromRight(
        _ v: UnsafeMutablePointer<Float>, count: Int, length: Int, factor: UnsafePointer<Float>, ldt: Int,
        to c: UnsafeMutablePointer<Float>, rows: Int, ld: Int, product y: UnsafeMutablePointer<Float>, ldy: Int
    ) {
        let right = length - count
        precondition(right > 0, "rows below a block imply columns to its right in a wide matrix")
        cblas_sgemm(CblasColMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(count), Int32(right),
                    1, c + count * ld, Int32(ld), v + count * ld, Int32(ld), 0, y, Int32(ldy))
        cblas_strmm(CblasColMajor, CblasRight, CblasUpper, CblasTrans, CblasNonUnit,
                    Int32(rows), Int32(count), 1, factor, Int32(ldt), y, Int32(ldy))
        cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(right), Int32(count),
                    -1, y, Int32(ldy), v + count * ld, Int32(ld), 1, c + count * ld, Int32(ld))
        cblas_strmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasUnit,
                    Int32(rows), Int32(count), -1, v, Int32(ld), y, Int32(ldy))
        copyBlock(rows: rows, columns: count, from: y, ldy, to: c, ld)
    }

    /// Copies a column-major `rows x columns` block between leading dimensions.
    private static func copyBlock(rows: Int, columns: Int, from source: UnsafePointer<Float>, _ sourceLD: Int,
                                  to target: UnsafeMutablePointer<Float>, _ targetLD: Int) {
        for column in 0..<columns {
            (target + column * targetLD).update(from: source + column * sourceLD, count: rows)
        }
    }

    /// `target -= source` for column-major `rows x columns` blocks.
    private static func subtractBlock(rows: Int, columns: Int, _ source: UnsafePointer<Float>, _ sourceLD: Int,
                                      from target: UnsafeMutablePointer<Float>, _ targetLD: Int) {
        for column in 0..<columns {
            let targetColumn = target + column * targetLD, sourceColumn = source + column * sourceLD
            for row in 0..<rows { targetColumn[row] -= sourceColumn[row] }
        }
    }

    private static func character(_ letter: Unicode.Scalar) -> CChar {
        CChar(UInt8(ascii: letter))
    }
}

/// One trailing update of the compact WY routines, split into the fixed blocks of
/// `LAPACK.updateBlockSize` columns (the left-hand updates of QR) or rows (the right-hand updates
/// of LQ) of `C`, counted from its first column (row). Block `k` runs single-threaded calls on its
/// own columns (rows) of `C` and of the product `Y` only, so the blocks are independent and their
/// results do not depend on which worker runs them or how many workers there are.
///
/// For the triangular products, `v` and `factor` are the `count x count` upper-triangular `X`
/// (leading dimension `count`), and `C` is `V₂` of `orthonormalizeColumnsCompactWY` (`V₂ ← -V₂ X`,
/// `extent` rows) or of `orthonormalizeRowsCompactWY` (`V₂ ← -Xᵀ V₂`, `extent` columns).
private struct BlockUpdate: ParallelJob {
    enum Operation {
        /// `LAPACK.applyTransposedFromLeft` on columns.
        case transposedFromLeft
        /// `LAPACK.applyToZeroTopFromLeft` on columns.
        case toZeroTopFromLeft
        /// `C ← -C X` on rows (`strmm`).
        case negatedTimesTriangularFromRight
        /// `LAPACK.applyFromRight` on rows.
        case fromRight
        /// `LAPACK.applyTransposedToZeroLeftFromRight` on rows.
        case transposedToZeroLeftFromRight
        /// `C ← -Xᵀ C` on columns (`strmm`).
        case negatedTransposedTriangularFromLeft
    }

    let operation: Operation
    let v: UnsafeMutablePointer<Float>
    let count: Int
    /// The height (QR) or length (LQ) of the reflectors.
    let length: Int
    let factor: UnsafePointer<Float>
    let ldt: Int
    let c: UnsafeMutablePointer<Float>
    /// The columns (QR) or rows (LQ) of `C`.
    let extent: Int
    let ld: Int
    /// `count x extent` (QR, leading dimension `count`) or `extent x count` (LQ, leading
    /// dimension `extent`).
    let product: UnsafeMutablePointer<Float>

    var blockCount: Int { (extent + LAPACK.updateBlockSize - 1) / LAPACK.updateBlockSize }

    static let entry: ParallelJobEntry = { pointer, worker, workers in
        let job = pointer.assumingMemoryBound(to: BlockUpdate.self).pointee
        for block in ParallelRuntime.share(worker, of: workers, count: job.blockCount) { job.update(block: block) }
    }

    /// The BLAS calls run on OpenBLAS's single thread, so helpers have no OpenBLAS threads to
    /// keep away from.
    static var leavesCallerProcessor: Bool { false }

    /// Runs every block, on up to `threads` workers (one per block at most).
    func run(threads: Int) {
        ParallelRuntime.shared.run(workers: min(threads, blockCount), self)
    }

    /// Block `block`: columns (rows) `block · updateBlockSize ..< min(extent, (block + 1) · updateBlockSize)`.
    func update(block: Int) {
        let first = block * LAPACK.updateBlockSize
        let size = min(LAPACK.updateBlockSize, extent - first)
        switch operation {
        case .transposedFromLeft:
            LAPACK.applyTransposedFromLeft(v, count: count, height: length, factor: factor, ldt: ldt,
                                           to: c + first * ld, columns: size, ld: ld, product: product + first * count)
        case .toZeroTopFromLeft:
            LAPACK.applyToZeroTopFromLeft(v, count: count, height: length, factor: factor, ldt: ldt,
                                          to: c + first * ld, columns: size, ld: ld, product: product + first * count)
        case .negatedTimesTriangularFromRight:
            cblas_strmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit,
                        Int32(size), Int32(count), -1, factor, Int32(ldt), c + first, Int32(ld))
        case .fromRight:
            LAPACK.applyFromRight(v, count: count, length: length, factor: factor, ldt: ldt,
                                  to: c + first, rows: size, ld: ld, product: product + first, ldy: extent)
        case .transposedToZeroLeftFromRight:
            LAPACK.applyTransposedToZeroLeftFromRight(v, count: count, length: length, factor: factor, ldt: ldt,
                                                      to: c + first, rows: size, ld: ld, product: product + first, ldy: extent)
        case .negatedTransposedTriangularFromLeft:
            cblas_strmm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit,
                        Int32(count), Int32(size), -1, factor, Int32(ldt), c + first * ld, Int32(ld))
        }
    }
}
