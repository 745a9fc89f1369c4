import Foundation

/// A fixed set of helper threads for the short parallel passes of a training step and its probe;
/// the step's must not allocate: `DispatchQueue.concurrentPerform` costs about three heap allocations per call
/// (libdispatch's continuations are allocated on the calling thread and freed on the workers).
///
/// `run(workers:_:)` calls the job for worker 0 on the calling thread and for workers
/// `1 ..< workers` on helpers, each of which first leaves the caller's processor
/// (`ThreadPlacement.awayFrom`), and returns when all have finished. The helpers are started once,
/// on first use, and block on a condition variable between runs (they never spin). Runs from
/// different threads take turns. A job must not call `run` itself.
///
/// Jobs are structs with a C-convention entry point rather than closures: handing a closure to
/// another thread needs an escaping context (`withoutActuallyEscaping` allocates one per call),
/// while a pointer to a struct on the caller's stack and a context-free function pointer need none.
final class HelperThreads: @unchecked Sendable {
    /// One helper per active processor beyond the first.
    static let shared = HelperThreads(helperCount: Parallel.defaultThreadCount - 1)

    /// The number of helper threads; `run` uses at most `helperCount + 1` workers.
    let helperCount: Int

    private let runLock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let stateLock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let workAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let workFinished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `stateLock`.
    private var generation = 0
    private var workers = 0
    private var pending = 0
    private var callerProcessor: Int32 = -1
    /// The current run's job (on the caller's stack) and its entry point; nil between runs.
    private var job: UnsafeRawPointer?
    private var entry: HelperJobEntry?

    private init(helperCount: Int) {
        self.helperCount = max(0, helperCount)
        for lock in [runLock, stateLock] { pthread_mutex_init(lock, nil) }
        for condition in [workAvailable, workFinished] { pthread_cond_init(condition, nil) }
        for index in 0..<self.helperCount {
            let thread = Thread { [unowned self] in self.serve(helper: index + 1) }
            thread.name = "VarianceKit helper \(index + 1)"
            thread.start()
        }
    }

    /// Runs the job for `worker` in `0 ..< min(workers, helperCount + 1)`, worker 0 on the calling
    /// thread, and returns when every call has returned.
    func run<Job: HelperJob>(workers requested: Int, _ job: Job) {
        let count = max(1, min(requested, helperCount + 1))
        withUnsafePointer(to: job) { jobPointer in
            let raw = UnsafeRawPointer(jobPointer)
            if count == 1 {
                Job.entry(raw, 0, 1)
                return
            }
            pthread_mutex_lock(runLock)
            defer { pthread_mutex_unlock(runLock) }
            pthread_mutex_lock(stateLock)
            self.job = raw
            entry = Job.entry
            workers = count
            pending = count - 1
            callerProcessor = ThreadPlacement.currentProcessor
            generation += 1
            pthread_cond_broadcast(workAvailable)
            pthread_mutex_unlock(stateLock)

            Job.entry(raw, 0, count)

            pthread_mutex_lock(stateLock)
            while pending > 0 { pthread_cond_wait(workFinished, stateLock) }
            self.job = nil
            entry = nil
            pthread_mutex_unlock(stateLock)
        }
    }

    /// A helper's loop: wait for a run that includes it, do its share, report, wait again.
    private func serve(helper index: Int) {
        var seen = 0
        pthread_mutex_lock(stateLock)
        while true {
            while generation == seen { pthread_cond_wait(workAvailable, stateLock) }
            seen = generation
            guard index < workers else { continue }
            let (processor, count) = (callerProcessor, workers)
            pthread_mutex_unlock(stateLock)
            doShare(helper: index, of: count, awayFrom: processor)
            pthread_mutex_lock(stateLock)
            pending -= 1
            if pending == 0 { pthread_cond_signal(workFinished) }
        }
    }

    /// Calls the current job for `index`. `job` and `entry` are read without the lock: they were
    /// set before the run's generation was published and stay until every helper has reported.
    private func doShare(helper index: Int, of count: Int, awayFrom processor: Int32) {
        guard let job, let entry else { return }
        ThreadPlacement.awayFrom(processor: processor) { entry(job, index, count) }
    }
}

/// A job's entry point: called with a pointer to the job, a worker index and the number of workers
/// of the run (`min(workers, helperCount + 1)`). C convention, so it carries no context.
typealias HelperJobEntry = @convention(c) (UnsafeRawPointer, Int, Int) -> Void

/// Work that `HelperThreads.run` splits among workers.
protocol HelperJob {
    /// Does worker `worker`'s share (of `workers`) of the job at the pointer (of type `Self`).
    static var entry: HelperJobEntry { get }
}
