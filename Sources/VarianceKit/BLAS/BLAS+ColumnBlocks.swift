// Deterministic products: `C = alpha op(A) op(B) + beta C` cut into fixed column blocks of `C`,
// one single-threaded sgemm per block, the blocks spread over the parallel runtime's threads.

import Foundation

extension BLAS {
    /// The most columns of `C` one block of a deterministic product holds.
    static let maximumBlockColumns = 512
    /// Block boundaries fall on multiples of this many columns (64 bytes of `Float`), except the
    /// last, which ends at the last column.
    static let blockColumnAlignment = 16

    /// The fixed column blocks of a product with `columns` columns: `b = ⌈columns / 512⌉` blocks;
    /// with `g = ⌈columns / 16⌉` groups of 16 columns, block `i` holds the groups
    /// `⌊g i / b⌋ ..< ⌊g (i + 1) / b⌋`, so the blocks cover `0 ..< columns` in order, each holds at
    /// most 512 columns and at least one group, and their sizes differ by at most 16 columns.
    /// They depend on `columns` only, never on a thread count.
    struct ColumnBlocks: Sendable, Hashable {
        /// Columns of `C`, `>= 1`.
        let columns: Int

        /// The number of blocks, `⌈columns / 512⌉`.
        var count: Int { (columns + BLAS.maximumBlockColumns - 1) / BLAS.maximumBlockColumns }

        /// The columns of block `index` (in `0 ..< count`).
        @inline(__always)
        func columns(ofBlock index: Int) -> Range<Int> {
            let alignment = BLAS.blockColumnAlignment
            let groups = (columns + alignment - 1) / alignment
            let blocks = count
            return groups * index / blocks * alignment ..< min(columns, groups * (index + 1) / blocks * alignment)
        }
    }

    /// The column blocks of a deterministic product with `columns` columns.
    static func columnBlocks(columns: Int) -> ColumnBlocks { ColumnBlocks(columns: columns) }

    /// How many threads share a deterministic product of `columns` columns at `threads`:
    /// `min(threads, blocks)`, at most OpenBLAS's `MAX_THREADS` (each running call holds one of
    /// OpenBLAS's buffers, of which it has a few per thread).
    static func columnBlockWorkerCount(columns: Int, threads: Int) -> Int {
        max(1, min(threads, columnBlocks(columns: columns).count, ParallelRuntime.maximumWorkers, maximumConcurrentCalls))
    }

    /// The `MAX_THREADS` of OpenBLAS's build (`configuration`), 1 when it does not say.
    static let maximumConcurrentCalls: Int = {
        guard let range = configuration.range(of: #"MAX_THREADS=\d+"#, options: .regularExpression),
              let value = Int(configuration[range].dropFirst("MAX_THREADS=".count)) else { return 1 }
        return max(1, value)
    }()

    /// `C = alpha * op(A) * op(B) + beta * C` (row-major; `op(A)` `m x k`, `op(B)` `k x n`, `C`
    /// `m x n`, row strides `lda`, `ldb`, `ldc` of the stored arrays), the same bits for every
    /// `threads`: for each of the fixed blocks `[j₀, j₁)` of `columnBlocks(columns: n)`,
    /// `C[:, j₀ ..< j₁] = alpha op(A) op(B)[:, j₀ ..< j₁] + beta C[:, j₀ ..< j₁]` is one `sgemm`
    /// call with the whole inner dimension `k`, made while OpenBLAS runs on one thread. The blocks
    /// are split into contiguous runs among `columnBlockWorkerCount(columns: n, threads:)` workers
    /// of `ParallelRuntime` (the calling thread alone when that is 1). Which thread computes a
    /// block changes nothing in it, so neither does `threads`.
    ///
    /// Checks nothing (callers validated the shapes; every dimension fits in Int32) and allocates
    /// nothing. Must not be called from a `ParallelRuntime` job.
    static func uncheckedDeterministicSgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int
    ) {
        if m == 0 || n == 0 { return }
        let product = ColumnBlockedProduct(
            transposeA: transposeA, transposeB: transposeB, m: m, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, blocks: columnBlocks(columns: n))
        let workers = columnBlockWorkerCount(columns: n, threads: threads)
        ThreadPolicy.withBLASThreadCount(1) {
            if workers == 1 {
                product.run(blocks: 0..<product.blocks.count)
            } else {
                ParallelRuntime.shared.run(workers: workers, product)
            }
        }
    }
}

extension BLAS {
    /// A product of a network's passes as `ThreadPolicy` says: `uncheckedDeterministicSgemm` on
    /// `ThreadPolicy.threadCount` threads when `ThreadPolicy.deterministic`, else one
    /// `uncheckedSgemm` on OpenBLAS's threads. Same arguments and contract as `uncheckedSgemm`.
    static func uncheckedPolicySgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if ThreadPolicy.deterministic {
            uncheckedDeterministicSgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                        alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                                        threads: ThreadPolicy.threadCount)
        } else {
            uncheckedSgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                           alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }
}

/// The operands of one deterministic product (`BLAS.uncheckedDeterministicSgemm`), handed by
/// pointer to the runtime's threads; share `w` of `n` computes the blocks
/// `ParallelRuntime.share(w, of: n, count: blocks.count)`.
struct ColumnBlockedProduct: ParallelJob {
    let transposeA: Bool
    let transposeB: Bool
    let m: Int
    let k: Int
    let alpha: Float
    let a: UnsafePointer<Float>
    let lda: Int
    let b: UnsafePointer<Float>
    let ldb: Int
    let beta: Float
    let c: UnsafeMutablePointer<Float>
    let ldc: Int
    let blocks: BLAS.ColumnBlocks

    static var entry: ParallelJobEntry {
        { job, worker, workers in
            let product = job.assumingMemoryBound(to: ColumnBlockedProduct.self).pointee
            product.run(blocks: ParallelRuntime.share(worker, of: workers, count: product.blocks.count))
        }
    }

    /// One `sgemm` per block: `op(B)`'s columns `j₀ ..< j₁` start at `B + j₀` (or at row `j₀` of
    /// the stored `B` when it is transposed), `C`'s at `C + j₀`.
    @inline(__always)
    func run(blocks indices: Range<Int>) {
        for index in indices {
            let columns = blocks.columns(ofBlock: index)
            BLAS.uncheckedSgemm(transposeA: transposeA, transposeB: transposeB,
                                m: m, n: columns.count, k: k, alpha: alpha, a: a, lda: lda,
                                b: b + (transposeB ? columns.lowerBound * ldb : columns.lowerBound), ldb: ldb,
                                beta: beta, c: c + columns.lowerBound, ldc: ldc)
        }
    }
}
