import Foundation
import Testing
@testable import VarianceKit

/// The fused forward and backward passes split over threads by columns give, element for element
/// and bit for bit, what one thread gives (each column's bias-gradient sum still runs in row
/// order), including ragged column counts and accumulation into an existing bias gradient.
@Suite struct ActivationSplitTests {
    static let shapes: [(rows: Int, columns: Int)] = [(300, 301), (64, 1030), (9000, 12), (40, 40)]
    static let activations: [Activation] = [.tanh, .relu, .gelu, .linear]

    @Test(arguments: shapes.indices)
    func splitPassesMatchOneThread(shapeIndex: Int) throws {
        let (rows, columns) = Self.shapes[shapeIndex]
        var random = TestRandom(seed: UInt64(shapeIndex + 40))
        let z0 = random.array(rows * columns).map { $0 * 3 }
        let bias = random.array(columns)
        let upstream = random.array(rows * columns)
        let startingBiasGradient = random.array(columns)
        for activation in Self.activations {
            var results = [[Float]]()
            for threads in [1, 2, 3] {
                var z = z0, a = [Float](repeating: .nan, count: rows * columns)
                var gradient = upstream, biasGradient = startingBiasGradient
                z.withUnsafeMutableBufferPointer { z in
                    a.withUnsafeMutableBufferPointer { a in
                        bias.withUnsafeBufferPointer { b in
                            activation.forward(preActivation: z.baseAddress!, activation: a.baseAddress!, bias: b.baseAddress!,
                                               rows: rows, columns: columns, threads: threads)
                        }
                        gradient.withUnsafeMutableBufferPointer { g in
                            biasGradient.withUnsafeMutableBufferPointer { db in
                                activation.backward(preActivation: z.baseAddress!, activation: a.baseAddress!,
                                                    gradient: g.baseAddress!, biasGradient: db.baseAddress!,
                                                    accumulate: true, rows: rows, columns: columns, threads: threads)
                            }
                        }
                    }
                }
                results.append(z + a + gradient + biasGradient)
            }
            // Against the scalar definition for a few entries, so that a split that skipped
            // columns would not pass by agreeing with itself.
            let (z, a) = (Array(results[0][0..<(rows * columns)]), Array(results[0][(rows * columns)..<(2 * rows * columns)]))
            for index in [0, columns - 1, rows * columns / 2, rows * columns - 1] {
                #expect(z[index] == z0[index] + bias[index % columns])
                #expect(a[index] == activation.value(z[index]))
            }
            for threads in 1..<results.count {
                #expect(results[threads].elementsEqual(results[0]) { $0.bitPattern == $1.bitPattern },
                        "\(activation) \(rows)x\(columns) with \(threads + 1) threads")
            }
        }
    }

    @Test func columnRangesCoverTheColumnsAtLaneBoundaries() {
        for columns in [8, 12, 301, 1030] {
            for workers in 1...4 where workers <= columns / ActivationMath.lanes {
                let ranges = (0..<workers).map { Activation.columnRange($0, of: workers, columns: columns) }
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == columns)
                for (left, right) in zip(ranges, ranges.dropFirst()) {
                    #expect(left.upperBound == right.lowerBound && right.lowerBound % ActivationMath.lanes == 0 && !left.isEmpty)
                }
            }
        }
        #expect(Activation.workerCount(rows: 10, columns: 10, threads: 2) == 1)          // too small
        #expect(Activation.workerCount(rows: 10_000, columns: 12, threads: 4) == 1)      // one lane group
        #expect(Activation.workerCount(rows: 300, columns: 301, threads: 2) == min(2, HelperThreads.shared.helperCount + 1))
    }
}

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
