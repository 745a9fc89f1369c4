import Dispatch

/// Fixed-size blocks of an element-wise pass, shared among a few threads.
///
/// A buffer of `count` elements is cut into blocks of `blockSize` elements at fixed offsets
/// (`0, blockSize, 2 blockSize, …`), independent of the thread count; each thread takes a
/// contiguous run of whole blocks. Element-wise results therefore never depend on the thread
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
        count < parallelThreshold ? 1 : max(1, min(threadCount, blockCount(count)))
    }

    /// Runs `job` once for every block; blocks are split among `min(threadCount, blocks)`
    /// threads (one when the buffer is small). A job must only touch the elements of its range
    /// and per-block slots. Jobs are small structs rather than closures, so that handing one to
    /// the threads allocates nothing (a closure would need its context boxed).
    static func forEachBlock<Job: BlockJob>(count: Int, threadCount: Int, _ job: Job) {
        let blocks = blockCount(count)
        let workers = workerCount(count: count, threadCount: threadCount)
        if workers == 1 {
            for block in 0..<blocks { job.run(block: block, range: range(ofBlock: block, count: count)) }
            return
        }
        // The threads only ever touch disjoint blocks, and `concurrentPerform` returns after the
        // last one.
        let shared = UncheckedSendable(value: job)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let first = worker * blocks / workers
            let last = (worker + 1) * blocks / workers
            for block in first..<last { shared.value.run(block: block, range: range(ofBlock: block, count: count)) }
        }
    }

    /// `true` when every element of `values` is finite (no inf, no NaN). Reads the buffer once,
    /// vectorized, split like `forEachBlock`; allocates nothing.
    static func allFinite(_ values: UnsafeBufferPointer<Float>, threadCount: Int) -> Bool {
        guard let base = values.baseAddress, values.count > 0 else { return true }
        let count = values.count
        let workers = workerCount(count: count, threadCount: threadCount)
        if workers == 1 { return FusedKernels.isFinite(base, 0..<count) }
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: workers) { results in
            let blocks = blockCount(count)
            let shared = UncheckedSendable(value: (results, base))
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let (results, base) = shared.value
                let first = worker * blocks / workers
                let last = (worker + 1) * blocks / workers
                let elements = first * blockSize ..< min(last * blockSize, count)
                results.initializeElement(at: worker, to: FusedKernels.isFinite(base, elements))
            }
            return results.allSatisfy { $0 }
        }
    }
}

/// A value handed to the threads of `concurrentPerform`, which each touch a disjoint part of it
/// and all finish before the call returns.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}

/// One block's worth of an element-wise pass (see `ParallelBlocks.forEachBlock`).
protocol BlockJob {
    func run(block: Int, range: Range<Int>)
}
