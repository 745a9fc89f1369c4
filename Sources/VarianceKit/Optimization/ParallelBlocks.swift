/// Fixed-size blocks of an element-wise pass, shared among a few threads.
///
/// A buffer of `count` elements is cut into blocks of `blockSize` elements at fixed offsets
/// (`0, blockSize, 2 blockSize, …`), independent of the thread count; each share of a
/// `ParallelRuntime` run takes a contiguous run of whole blocks. Element-wise results therefore never depend on the thread
/// count, and per-block partial sums, reduced in block order, do not either.
enum ParallelBlocks {
    /// Elements per block: 16 KiB of floats, a multiple of the SIMD width, small enough that
    /// per-lane `Float` partial sums stay accurate (512 terms per lane).
    static let blockSize = 4096
    /// Buffers smaller than this are processed on the calling thread.
    static let parallelThreshold = 1 << 16

    static func blockCount(_ count: Int) -> Int { (count + blockSize - 1) / blockSize }

    /// The elements of block `index` in a buffer of `count` elements.
    @inline(__always)
    static func range(ofBlock index: Int, count: Int) -> Range<Int> {
        index * blockSize ..< min((index + 1) * blockSize, count)
    }

    /// How many threads share a buffer of `count` elements.
    static func workerCount(count: Int, threadCount: Int) -> Int {
        count < parallelThreshold ? 1 : max(1, min(threadCount, blockCount(count), ParallelRuntime.maximumWorkers))
    }

    /// The blocks share `worker` of `workers` takes: a contiguous run of whole blocks
    /// (`ParallelRuntime.share` of the block indices).
    @inline(__always)
    static func blocks(ofWorker worker: Int, of workers: Int, count: Int) -> Range<Int> {
        ParallelRuntime.share(worker, of: workers, count: blockCount(count))
    }

    /// Runs `job` once for every block; blocks are split among `min(threadCount, blocks)`
    /// workers of `ParallelRuntime` (one when the buffer is small). A job must only touch the
    /// elements of its range and per-block slots. Jobs are small structs rather than closures,
    /// so that handing one to the threads allocates nothing.
    static func forEachBlock<Job: BlockJob>(count: Int, threadCount: Int, _ job: Job) {
        let workers = workerCount(count: count, threadCount: threadCount)
        if workers == 1 {
            for block in 0..<blockCount(count) { job.run(block: block, range: range(ofBlock: block, count: count)) }
            return
        }
        ParallelRuntime.shared.run(workers: workers, BlockRun(job: job, count: count))
    }

    /// `true` when every element of `values` is finite (no inf, no NaN). Reads the buffer once,
    /// vectorized, split like `forEachBlock`; allocates nothing.
    static func allFinite(_ values: UnsafeBufferPointer<Float>, threadCount: Int) -> Bool {
        guard let base = values.baseAddress, values.count > 0 else { return true }
        let count = values.count
        let workers = workerCount(count: count, threadCount: threadCount)
        if workers == 1 { return FusedKernels.isFinite(base, 0..<count) }
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: workers) { results in
            results.initialize(repeating: false)
            ParallelRuntime.shared.run(
                workers: workers, FiniteCheck(values: base, count: count, results: results.baseAddress!))
            return results.allSatisfy { $0 }
        }
    }
}

/// One block's worth of an element-wise pass (see `ParallelBlocks.forEachBlock`).
protocol BlockJob {
    func run(block: Int, range: Range<Int>)
    /// The entry point of `BlockRun<Self>`: `{ BlockRun<Self>.runBlocks($0, $1, $2) }` (a C
    /// function cannot be formed in generic code).
    static var blockRunEntry: ParallelJobEntry { get }
}

/// `ParallelBlocks.forEachBlock` on `ParallelRuntime`: share `w` of `n` runs the job on the
/// blocks `ParallelBlocks.blocks(ofWorker: w, of: n, count: count)`, in order.
struct BlockRun<Job: BlockJob>: ParallelJob {
    let job: Job
    let count: Int

    static var entry: ParallelJobEntry { Job.blockRunEntry }
    static var leavesCallerProcessor: Bool { false }

    @inline(__always)
    static func runBlocks(_ pointer: UnsafeRawPointer, _ worker: Int, _ workers: Int) {
        let run = pointer.assumingMemoryBound(to: BlockRun.self).pointee
        for block in ParallelBlocks.blocks(ofWorker: worker, of: workers, count: run.count) {
            run.job.run(block: block, range: ParallelBlocks.range(ofBlock: block, count: run.count))
        }
    }
}

/// `ParallelBlocks.allFinite` on `ParallelRuntime`: share `w` checks the elements of its blocks
/// and writes the answer to `results[w]`.
struct FiniteCheck: ParallelJob {
    let values: UnsafePointer<Float>
    let count: Int
    let results: UnsafeMutablePointer<Bool>

    static var leavesCallerProcessor: Bool { false }
    static let entry: ParallelJobEntry = { pointer, worker, workers in
        let job = pointer.assumingMemoryBound(to: FiniteCheck.self).pointee
        let blocks = ParallelBlocks.blocks(ofWorker: worker, of: workers, count: job.count)
        let elements = blocks.lowerBound * ParallelBlocks.blockSize ..< min(blocks.upperBound * ParallelBlocks.blockSize, job.count)
        job.results[worker] = FusedKernels.isFinite(job.values, elements)
    }
}
