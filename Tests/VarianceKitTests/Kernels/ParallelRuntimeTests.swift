import Foundation
import Synchronization
import Testing
@testable import VarianceKit

/// `ParallelRuntime.run`: every share runs exactly once per run, share 0 on the caller, with the
/// run's share count, over many back-to-back runs, with more workers than processors, and with
/// several callers at once; the helpers run shares while the caller runs its own.
@Suite struct ParallelRuntimeTests {
    /// Adds one to `slots[worker]` and records the share count it was given.
    struct CountJob: ParallelJob {
        let slots: UnsafeMutablePointer<Int>
        let workerCounts: UnsafeMutablePointer<Int>
        let caller: pthread_t
        let wrongThread: UnsafeMutablePointer<Bool>
        static let entry: ParallelJobEntry = { pointer, worker, workers in
            let job = pointer.assumingMemoryBound(to: CountJob.self).pointee
            job.slots[worker] += 1        // one writer per slot
            job.workerCounts[worker] = workers
            if worker == 0 && pthread_equal(pthread_self(), job.caller) == 0 { job.wrongThread.pointee = true }
        }
    }

    /// Per-worker counters owned by one caller.
    final class Counts: @unchecked Sendable {
        static let capacity = ParallelRuntime.maximumWorkers
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        let workerCounts = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        let wrongThread = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        init() {
            slots.initialize(repeating: 0, count: Self.capacity)
            workerCounts.initialize(repeating: 0, count: Self.capacity)
            wrongThread.initialize(to: false)
        }
        deinit {
            slots.deallocate()
            workerCounts.deallocate()
            wrongThread.deallocate()
        }

        /// `runs` runs of `requested` workers; `true` when each of the first `min(requested, 256)`
        /// shares ran once per run with that share count, no other did, and share 0 ran on the
        /// calling thread.
        func check(requested: Int, runs: Int) -> Bool {
            let used = max(1, min(requested, ParallelRuntime.maximumWorkers))
            for _ in 0..<runs {
                ParallelRuntime.shared.run(workers: requested, CountJob(
                    slots: slots, workerCounts: workerCounts, caller: pthread_self(), wrongThread: wrongThread))
            }
            return !wrongThread.pointee
                && (0..<Self.capacity).allSatisfy { slots[$0] == ($0 < used ? runs : 0) }
                && (0..<used).allSatisfy { workerCounts[$0] == used }
        }
    }

    @Test(arguments: [0, 1, 2, 3, 5, 8])
    func everyWorkerRunsOncePerRun(workers: Int) {
        #expect(Counts().check(requested: workers, runs: 500), "workers \(workers)")
    }

    /// Far more workers than processors: the pool grows to serve them, oversubscribed, and a
    /// request beyond the maximum runs on the maximum.
    @Test func moreWorkersThanProcessors() {
        let many = 4 * max(2, ProcessInfo.processInfo.activeProcessorCount) + 1
        #expect(Counts().check(requested: many, runs: 50))
        #expect(ParallelRuntime.shared.helperCount >= many - 1)
        #expect(Counts().check(requested: ParallelRuntime.maximumWorkers, runs: 5))
        #expect(Counts().check(requested: ParallelRuntime.maximumWorkers + 44, runs: 5))
        #expect(ParallelRuntime.shared.helperCount == ParallelRuntime.maximumWorkers - 1)
    }

    @Test func concurrentCallersTakeTurns() async {
        await withTaskGroup(of: Bool.self) { group in
            for caller in 0..<4 {
                group.addTask { Counts().check(requested: [2, 3, 7, 2][caller], runs: 200) }
            }
            for await ok in group { #expect(ok) }
        }
    }

    /// Share 0 waits (up to ten seconds) until every other share has started: only helpers can
    /// start them while the caller is in share 0.
    final class Rendezvous: Sendable {
        let started = Atomic<Int>(0)
        let complete = Atomic<Bool>(false)
    }

    struct RendezvousJob: ParallelJob {
        let rendezvous: Rendezvous
        static let entry: ParallelJobEntry = { pointer, worker, workers in
            let rendezvous = pointer.assumingMemoryBound(to: RendezvousJob.self).pointee.rendezvous
            guard worker == 0 else {
                rendezvous.started.add(1, ordering: .releasing)
                return
            }
            for _ in 0..<10_000 where rendezvous.started.load(ordering: .acquiring) < workers - 1 { usleep(1000) }
            rendezvous.complete.store(rendezvous.started.load(ordering: .acquiring) == workers - 1, ordering: .relaxed)
        }
    }

    @Test(arguments: [2, 3, 9])
    func helpersRunSharesWhileTheCallerRunsItsOwn(workers: Int) {
        let rendezvous = Rendezvous()
        ParallelRuntime.shared.run(workers: workers, RendezvousJob(rendezvous: rendezvous))
        let complete = rendezvous.complete.load(ordering: .relaxed)
        #expect(complete)
    }

    /// `share` cuts `0 ..< count` into `workers` contiguous, ordered parts whose sizes differ by
    /// at most one.
    @Test func sharesCoverTheRangeInOrder() {
        for count in [0, 1, 5, 31, 4096, 100_003] {
            for workers in [1, 2, 3, 7, 256] {
                let parts = (0..<workers).map { ParallelRuntime.share($0, of: workers, count: count) }
                #expect(parts.first?.lowerBound == 0 && parts.last?.upperBound == count)
                #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                let sizes = parts.map(\.count)
                #expect(sizes.max()! - sizes.min()! <= 1, "count \(count), workers \(workers)")
            }
        }
    }
}
