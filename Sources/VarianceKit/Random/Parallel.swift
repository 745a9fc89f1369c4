import Foundation

/// Splitting work over threads without oversubscribing the machine.
enum Parallel {
    /// The thread count used when a caller passes `threads: nil`: the active processor count.
    static var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// A pointer that may be shared by worker threads writing disjoint ranges.
    struct SharedPointer<Element>: @unchecked Sendable {
        let base: UnsafeMutablePointer<Element>
    }

    /// Calls `body` on contiguous, disjoint subranges that cover `0 ..< count`, on up to `threads`
    /// threads (one subrange each, `DispatchQueue.concurrentPerform`), or inline when one thread
    /// suffices or each would get fewer than `minimumPerThread` items. Which subranges are used
    /// must not change the result; every caller's work is a fixed function of the item index.
    static func forEachRange(
        count: Int, threads: Int, minimumPerThread: Int,
        _ body: @Sendable (Range<Int>) -> Void
    ) {
        let workers = max(1, min(threads, count / max(minimumPerThread, 1)))
        if workers <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = count * worker / workers
            let end = count * (worker + 1) / workers
            body(start..<end)
        }
    }
}
