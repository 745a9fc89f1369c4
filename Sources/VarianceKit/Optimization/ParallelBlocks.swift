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
