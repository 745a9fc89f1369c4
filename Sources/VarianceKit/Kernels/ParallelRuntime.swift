import Foundation

/// The one parallel runtime of VarianceKit: persistent helper threads that run the parallel
/// passes of the library (the fused element-wise passes of a layer, random fills, optimizer steps,
/// probes). How many threads a pass uses is `ThreadPolicy.threadCount` unless the call says
/// otherwise.
///
/// `run(workers: n, job)` calls the job once for each share `0 ..< n` and returns when all have
/// returned: share 0 on the calling thread, the others on whichever of the calling thread and
/// helpers `1 ..< n` claims them first, so a helper that is slow to be scheduled leaves its share
/// to a thread that is free. For jobs that ask for it (`ParallelJob.leavesCallerProcessor`),
/// helpers first leave the caller's processor (`ThreadPlacement`).
/// They are started when a run first needs them (up to `maximumWorkers - 1`) and block on a
/// condition variable of their own between runs (they never spin); a run wakes only the helpers
/// it may use, so at most `n` threads work on it. Runs from different threads take turns. A job
/// must not call `run` itself.
///
/// Jobs are structs with a C-convention entry point rather than closures: handing a closure to
/// another thread needs an escaping context (`withoutActuallyEscaping` allocates one per call),
/// while a pointer to a struct on the caller's stack and a context-free function pointer need none.
/// A run therefore allocates nothing on the heap, except the first run that needs more helpers
/// than were started, which starts them.
final class ParallelRuntime: @unchecked Sendable {
    static let shared = ParallelRuntime()

    /// The most workers one run uses (the caller and 255 helpers), `ThreadPolicy`'s upper bound.
    static let maximumWorkers = 256

    private let runLock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let stateLock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Helper `i` waits on `workAvailable[i]` (`i` in `1 ..< maximumWorkers`).
    private let workAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: maximumWorkers)
    private let workFinished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `stateLock`.
    private var startedHelpers = 0
    /// The current run's share count; 0 between runs.
    private var shares = 0
    private var nextShare = 0
    private var finishedShares = 0
    /// The processor helpers leave for the current run (-1: none).
    private var callerProcessor: Int32 = -1
    /// The current run's job (on the caller's stack) and its entry point; nil between runs.
    private var job: UnsafeRawPointer?
    private var entry: ParallelJobEntry?

    private init() {
        for lock in [runLock, stateLock] { pthread_mutex_init(lock, nil) }
        pthread_cond_init(workFinished, nil)
    }

    /// The number of helper threads started so far.
    var helperCount: Int {
        pthread_mutex_lock(stateLock)
        defer { pthread_mutex_unlock(stateLock) }
        return startedHelpers
    }

    /// Runs the job for each share in `0 ..< min(max(requested, 1), maximumWorkers)`, share 0 on
    /// the calling thread, and returns when every call has returned.
    func run<Job: ParallelJob>(workers requested: Int, _ job: Job) {
        let count = max(1, min(requested, Self.maximumWorkers))
        withUnsafePointer(to: job) { jobPointer in
            let raw = UnsafeRawPointer(jobPointer)
            if count == 1 {
                Job.entry(raw, 0, 1)
                return
            }
            pthread_mutex_lock(runLock)
            defer { pthread_mutex_unlock(runLock) }
            pthread_mutex_lock(stateLock)
            startHelpers(upTo: count - 1)
            self.job = raw
            entry = Job.entry
            shares = count
            nextShare = 1
            finishedShares = 0
            callerProcessor = Job.leavesCallerProcessor ? ThreadPlacement.currentProcessor : -1
            for helper in 1..<count { pthread_cond_signal(workAvailable + helper) }
            pthread_mutex_unlock(stateLock)

            Job.entry(raw, 0, count)

            pthread_mutex_lock(stateLock)
            finishedShares += 1
            while nextShare < shares {
                let share = nextShare
                nextShare += 1
                pthread_mutex_unlock(stateLock)
                Job.entry(raw, share, count)
                pthread_mutex_lock(stateLock)
                finishedShares += 1
            }
            while finishedShares < shares { pthread_cond_wait(workFinished, stateLock) }
            self.job = nil
            entry = nil
            shares = 0
            pthread_mutex_unlock(stateLock)
        }
    }

    /// Starts helpers until there are `helpers`; called with `stateLock` held, between runs.
    private func startHelpers(upTo helpers: Int) {
        while startedHelpers < helpers {
            startedHelpers += 1
            let index = startedHelpers
            pthread_cond_init(workAvailable + index, nil)
            let thread = Thread { [unowned self] in self.serve(helper: index) }
            thread.name = "VarianceKit helper \(index)"
            thread.start()
        }
    }

    /// A helper's loop: wait for a run that may use it and has shares left, claim and run shares
    /// while there are any, wait again.
    private func serve(helper index: Int) {
        pthread_mutex_lock(stateLock)
        while true {
            while index >= shares || nextShare >= shares {
                pthread_cond_wait(workAvailable + index, stateLock)
            }
            let (share, count, processor) = (nextShare, shares, callerProcessor)
            nextShare += 1
            // `job` and `entry` stay set until every claimed share has finished.
            let (job, entry) = (self.job!, self.entry!)
            pthread_mutex_unlock(stateLock)
            if processor >= 0 {
                ThreadPlacement.awayFrom(processor: processor) { entry(job, share, count) }
            } else {
                entry(job, share, count)
            }
            pthread_mutex_lock(stateLock)
            finishedShares += 1
            if finishedShares == shares { pthread_cond_signal(workFinished) }
        }
    }

    /// Worker `worker`'s part of `0 ..< count` split among `workers`: the contiguous range
    /// `count · worker / workers ..< count · (worker + 1) / workers`. The parts cover `0 ..< count`
    /// in order, and their sizes differ by at most one.
    @inline(__always)
    static func share(_ worker: Int, of workers: Int, count: Int) -> Range<Int> {
        count * worker / workers ..< count * (worker + 1) / workers
    }
}

/// A job's entry point: called with a pointer to the job, a share index and the number of shares
/// (workers) of the run. C convention, so it carries no context.
typealias ParallelJobEntry = @convention(c) (UnsafeRawPointer, Int, Int) -> Void

/// Work that `ParallelRuntime.run` splits among workers.
protocol ParallelJob {
    /// Does share `worker` (of `workers`) of the job at the pointer (of type `Self`); each share
    /// runs once per run, on any of the run's threads.
    static var entry: ParallelJobEntry { get }

    /// Whether helpers leave the caller's processor before running a share (`ThreadPlacement`):
    /// `true` (the default) for the passes that run between OpenBLAS calls, whose polling threads
    /// would otherwise share a processor with a helper; `false` for long memory-bound passes
    /// (fills, optimizer blocks), which keep up better on threads the scheduler may move when
    /// other processes share the processors.
    static var leavesCallerProcessor: Bool { get }
}

extension ParallelJob {
    static var leavesCallerProcessor: Bool { true }
}
