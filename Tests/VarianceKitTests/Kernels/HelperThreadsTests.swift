import Foundation
import Testing
@testable import VarianceKit

/// `HelperThreads.run`: every worker index runs exactly once per run, worker 0 on the caller,
/// over many back-to-back runs and with several callers at once.
@Suite struct HelperThreadsTests {
    /// Adds one to `slots[worker]`.
    struct CountJob: HelperJob {
        let slots: UnsafeMutablePointer<Int>
        let caller: pthread_t
        let wrongThread: UnsafeMutablePointer<Bool>
        static let entry: HelperJobEntry = { pointer, worker, _ in
            let job = pointer.assumingMemoryBound(to: CountJob.self).pointee
            job.slots[worker] += 1        // one writer per slot
            if worker == 0 && pthread_equal(pthread_self(), job.caller) == 0 { job.wrongThread.pointee = true }
        }
    }

    final class Flag: @unchecked Sendable {
        let value = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        init() { value.initialize(to: false) }
        deinit { value.deallocate() }
    }

    final class Counts: @unchecked Sendable {
        let slots: UnsafeMutablePointer<Int>
        init(_ count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: 0, count: count)
        }
        deinit { slots.deallocate() }
    }

    @Test func everyWorkerRunsOncePerRun() {
        let pool = HelperThreads.shared
        let maximum = pool.helperCount + 1
        for workers in 1...(maximum + 1) {
            let used = min(workers, maximum)
            let counts = Counts(maximum)
            let wrongThread = Flag()
            for _ in 0..<500 {
                pool.run(workers: workers, CountJob(slots: counts.slots, caller: pthread_self(), wrongThread: wrongThread.value))
            }
            #expect(!wrongThread.value.pointee)
            for worker in 0..<maximum { #expect(counts.slots[worker] == (worker < used ? 500 : 0), "workers \(workers)") }
        }
    }

    @Test func concurrentCallersTakeTurns() async {
        let maximum = HelperThreads.shared.helperCount + 1
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let counts = Counts(maximum)
                    let wrongThread = Flag()
                    for _ in 0..<200 {
                        HelperThreads.shared.run(workers: maximum, CountJob(slots: counts.slots, caller: pthread_self(), wrongThread: wrongThread.value))
                    }
                    if wrongThread.value.pointee { return false }
                    return (0..<maximum).allSatisfy { counts.slots[$0] == 200 }
                }
            }
            for await ok in group { #expect(ok) }
        }
    }
}
