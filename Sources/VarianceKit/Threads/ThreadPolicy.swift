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
/// either count). Fills, every initializer (the orthogonal one runs its QR as single-threaded
/// LAPACK and BLAS calls on fixed blocks), optimizer steps, the element-wise passes and probes give
/// the same bits for every count. A network's passes do too when `deterministic` is on (see
/// there); otherwise each of their products is one OpenBLAS call on OpenBLAS's threads, which may
/// round differently at different counts. The Jacobian spectra's singular values (`sgesdd`) run on
/// OpenBLAS's threads.
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
        closeFastPath()
        current.store(count, ordering: .relaxed)
        BLAS.setThreadCount(count)
        onePolicyThreadSettled.store(count == 1 && BLAS.threadCount == 1, ordering: .sequentiallyConsistent)
    }

    /// Turns the fast path of `withBLASThreadCount` off and waits for the calls already on it to
    /// return, so that OpenBLAS's count can change under none of them; returns whether it was on.
    /// Called with `blasLock` held.
    @discardableResult
    private static func closeFastPath() -> Bool {
        let wasOpen = onePolicyThreadSettled.exchange(false, ordering: .sequentiallyConsistent)
        while fastPathCalls.load(ordering: .sequentiallyConsistent) > 0 { sched_yield() }
        return wasOpen
    }

    /// Whether a network's products are deterministic: the same bits for every thread count.
    ///
    /// On, every product of `Network.forward`, `Network.backward` and the Jacobians
    /// (`Z = X Wᵀ`, `dW = dZᵀ X`, `dA = dZ W`, `J_l = W_l J_{l-1}`) is cut into fixed column blocks
    /// of its result, `C[:, j₀ ..< j₁] = op(A) op(B)[:, j₀ ..< j₁]`, whose boundaries depend only on
    /// the number of columns (`BLAS.columnBlocks(columns:)`); each block is one single-threaded
    /// OpenBLAS call with the whole inner dimension (for `dW` the whole batch), and the blocks are
    /// spread over `threadCount` threads of the parallel runtime. Every element is therefore
    /// computed by the same call on every thread count, so forward passes, gradients, optimizer
    /// steps and the experiments built on them give the same bits with 1 thread or 256, on one
    /// OpenBLAS kernel (`BLASKernelChoice`; different kernels round differently).
    ///
    /// Off (the default), each product is one OpenBLAS call on OpenBLAS's own `threadCount`
    /// threads. On, a product of at most 512 columns is one block, so it runs on one thread.
    public static var deterministic: Bool { deterministicProducts.load(ordering: .relaxed) }

    /// Sets `deterministic`. Process-wide, like the thread count: set it once, from one thread,
    /// before work starts.
    public static func setDeterministic(_ deterministic: Bool) {
        deterministicProducts.store(deterministic, ordering: .relaxed)
    }

    /// `threads`, or the policy's count when `threads` is nil.
    static func resolve(_ threads: Int?) -> Int { threads ?? threadCount }

    /// Runs `body` with OpenBLAS set to `count` threads, then sets it back to the count it had
    /// (`threadCount`, capped by OpenBLAS, outside another such call). Calls on different threads
    /// take turns and `setThreadCount(_:)` waits for them (OpenBLAS's count is process-wide); a
    /// call inside `body`, on the same thread, nests. Threads that `body` starts (the parallel
    /// runtime's helpers) may call OpenBLAS meanwhile, and see `count`.
    ///
    /// When the policy itself is one thread and `count` is 1, OpenBLAS is already at one thread
    /// and nothing is changed, so such calls run side by side without taking turns (how
    /// `initbench sweep --jobs` runs several single-threaded configurations at once). A call with
    /// A change of OpenBLAS's count (`setThreadCount`, or a call with another count) first closes
    /// that path and waits for the calls on it to return. A call nested inside one on that path
    /// runs `body` at once, on the one thread OpenBLAS has until the outer call returns (whatever
    /// `count` it asks for): taking turns there would wait for a `setThreadCount` that is itself
    /// waiting for the outer call.
    static func withBLASThreadCount<Result>(_ count: Int, _ body: () throws -> Result) rethrows -> Result {
        if isInsideFastPathCall { return try body() }
        if count == 1 {
            fastPathCalls.wrappingAdd(1, ordering: .sequentiallyConsistent)
            if fastPathIsOpen {
                isInsideFastPathCall = true
                defer {
                    isInsideFastPathCall = false
                    fastPathCalls.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                }
                return try body()
            }
            fastPathCalls.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        }
        blasLock.lock()
        defer { blasLock.unlock() }
        _ = threadCount      // records `startupThreadCount` before OpenBLAS's count changes
        let previous = BLAS.threadCount
        guard previous != count else { return try body() }
        let wasOpen = closeFastPath()
        BLAS.setThreadCount(count)
        defer {
            BLAS.setThreadCount(previous)
            if wasOpen { onePolicyThreadSettled.store(true, ordering: .sequentiallyConsistent) }
        }
        return try body()
    }

    /// OpenBLAS's thread count, read while no `withBLASThreadCount` is running: `threadCount`
    /// capped by OpenBLAS's `MAX_THREADS`.
    static var settledBLASThreadCount: Int {
        blasLock.lock()
        defer { blasLock.unlock() }
        return BLAS.threadCount
    }

    /// Whether `withBLASThreadCount(1)` runs without taking turns now (the one-thread fast path).
    static var fastPathIsOpen: Bool { onePolicyThreadSettled.load(ordering: .sequentiallyConsistent) }

    /// OpenBLAS's thread count when the policy was first read, before VarianceKit changed it.
    static let startupThreadCount = max(1, min(BLAS.threadCount, maximumThreadCount))

    private static let current = Atomic<Int>(startupThreadCount)
    private static let deterministicProducts = Atomic<Bool>(false)
    /// Whether `setThreadCount(1)` set the policy and OpenBLAS to one thread (the fast path of
    /// `withBLASThreadCount`).
    private static let onePolicyThreadSettled = Atomic<Bool>(false)
    /// The calls running on that fast path.
    private static let fastPathCalls = Atomic<Int>(0)
    /// Whether this thread is inside a call on that fast path (a thread-specific value).
    private static let fastPathKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key left for ThreadPolicy")
        return key
    }()
    private static var isInsideFastPathCall: Bool {
        get { pthread_getspecific(fastPathKey) != nil }
        set { pthread_setspecific(fastPathKey, newValue ? UnsafeRawPointer(bitPattern: 1) : nil) }
    }
    /// Held while OpenBLAS's thread count is set; recursive, so that `withBLASThreadCount` nests.
    private static let blasLock = NSRecursiveLock()
}
