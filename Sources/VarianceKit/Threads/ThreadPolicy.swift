import Foundation
import Synchronization

/// The number of threads every parallel pass of VarianceKit uses at most: OpenBLAS's calls (every
/// `sgemm` of a network, the LAPACK routines), the fused element-wise passes of a layer, random
/// fills and initializers, optimizer steps and probes.
///
/// The default is OpenBLAS's own choice at start-up: `OPENBLAS_NUM_THREADS` when it is set, else
/// the number of processors, at most the `MAX_THREADS` of OpenBLAS's build (`BLAS.configuration`).
///
/// Per-call counts override it where a call takes one (`threads:` on fills and initializers,
/// `threadCount:` on optimizers); `nil` there means the policy, read when the call runs, so an
/// optimizer built with `threadCount: nil` follows a later change at its next step.
///
/// The policy is process-wide, like OpenBLAS's thread count, which `setThreadCount(_:)` sets too:
/// set it once, from one thread, before work starts (a pass running while it changes may use
/// either count). Fills, initializers other than `orthogonal`, optimizer steps, the element-wise
/// passes and probes give the same bits for every count; OpenBLAS's products, and so a network's
/// passes and the orthogonal initializer, may round differently at different counts.
public enum ThreadPolicy {
    /// The largest accepted thread count.
    public static let maximumThreadCount = ParallelRuntime.maximumWorkers

    /// The most threads a parallel pass uses.
    public static var threadCount: Int { current.load(ordering: .relaxed) }

    /// Sets `threadCount` and OpenBLAS's thread count to `count` (OpenBLAS uses at most the
    /// `MAX_THREADS` of its build).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` when `count` is outside
    ///   `1...maximumThreadCount`; the count is unchanged then.
    public static func setThreadCount(_ count: Int) throws {
        guard (1...maximumThreadCount).contains(count) else {
            throw VarianceKitError.invalidParameter(
                name: "threadCount", value: "\(count)", expected: "an integer in 1...\(maximumThreadCount)")
        }
        blasLock.lock()
        defer { blasLock.unlock() }
        current.store(count, ordering: .relaxed)
        BLAS.setThreadCount(count)
    }

    /// `threads`, or the policy's count when `threads` is nil.
    static func resolve(_ threads: Int?) -> Int { threads ?? threadCount }

    /// Runs `body` with OpenBLAS set to `count` threads, then sets it back to `threadCount`. One
    /// such call runs at a time, and `setThreadCount(_:)` waits for it (OpenBLAS's count is
    /// process-wide).
    static func withBLASThreadCount<Result>(_ count: Int, _ body: () throws -> Result) rethrows -> Result {
        blasLock.lock()
        defer { blasLock.unlock() }
        _ = threadCount      // records `startupThreadCount` before OpenBLAS's count changes
        BLAS.setThreadCount(count)
        defer { BLAS.setThreadCount(threadCount) }
        return try body()
    }

    /// OpenBLAS's thread count, read while no `withBLASThreadCount` is running: `threadCount`
    /// capped by OpenBLAS's `MAX_THREADS`.
    static var settledBLASThreadCount: Int {
        blasLock.lock()
        defer { blasLock.unlock() }
        return BLAS.threadCount
    }

    /// OpenBLAS's thread count when the policy was first read, before VarianceKit changed it.
    static let startupThreadCount = max(1, min(BLAS.threadCount, maximumThreadCount))

    private static let current = Atomic<Int>(startupThreadCount)
    /// Held while OpenBLAS's thread count is set.
    private static let blasLock = NSLock()
}
