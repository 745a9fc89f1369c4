import Foundation
import Testing
@testable import VarianceKit

/// `ThreadPolicy`: its default, its validation, and that every pass that follows it gives the
/// same bits at 1 and 2 threads. Serialized, and every test restores the count it found: the
/// count is process-wide. Other suites pass explicit thread counts wherever a result could depend
/// on it.
@Suite(.serialized) struct ThreadPolicyTests {
    /// Runs `body` once with the policy at each of `counts`, then restores the count.
    static func withEachCount<Result>(_ counts: [Int], _ body: (Int) throws -> Result) throws -> [Result] {
        let original = ThreadPolicy.threadCount
        defer { try? ThreadPolicy.setThreadCount(original) }
        return try counts.map { count in
            try ThreadPolicy.setThreadCount(count)
            #expect(ThreadPolicy.threadCount == count)
            return try body(count)
        }
    }

    static func bits(_ matrix: Matrix) -> [UInt32] {
        matrix.withUnsafeBufferPointer { $0.map(\.bitPattern) }
    }

    /// OpenBLAS's own choice at start-up: `OPENBLAS_NUM_THREADS` (then `GOTO_NUM_THREADS`,
    /// `OMP_NUM_THREADS`) when set, else the processor count, at most its `MAX_THREADS`.
    static var openBLASStartupChoice: Int {
        let environment = ProcessInfo.processInfo.environment
        let requested = ["OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"].lazy
            .compactMap { environment[$0].flatMap { Int($0) } }.first { $0 > 0 }
        return min(requested ?? ProcessInfo.processInfo.activeProcessorCount, openBLASMaximum)
    }

    /// The `MAX_THREADS` of OpenBLAS's build (256 when its configuration does not say).
    static var openBLASMaximum: Int {
        guard let range = BLAS.configuration.range(of: #"MAX_THREADS=\d+"#, options: .regularExpression) else { return 256 }
        return Int(BLAS.configuration[range].dropFirst("MAX_THREADS=".count)) ?? 256
    }

    @Test func defaultIsOpenBLASChoiceAtStartUp() {
        #expect(ThreadPolicy.startupThreadCount == Self.openBLASStartupChoice)
        #expect(ThreadPolicy.threadCount == ThreadPolicy.startupThreadCount)
        #expect(ThreadPolicy.settledBLASThreadCount == ThreadPolicy.threadCount)
    }

    @Test(arguments: [0, -1, 257, Int.min, Int.max])
    func rejectsCountsOutsideTheRange(count: Int) {
        let before = ThreadPolicy.threadCount
        #expect {
            try ThreadPolicy.setThreadCount(count)
        } throws: { error in
            guard case let .invalidParameter(name, value, expected) = error as? VarianceKitError else { return false }
            return name == "threadCount" && value == "\(count)" && expected.contains("1...256")
        }
        #expect(ThreadPolicy.threadCount == before)
        #expect(ThreadPolicy.settledBLASThreadCount == before)
    }

    /// Setting the policy sets OpenBLAS's count; an orthogonal fill with its own `threads` sets
    /// OpenBLAS back to the policy's count afterwards; 256 is accepted (OpenBLAS caps it).
    @Test func setsOpenBLASAndSurvivesOverrides() throws {
        _ = try Self.withEachCount([1, 2, 256]) { count in
            let expected = min(count, Self.openBLASMaximum)
            #expect(ThreadPolicy.settledBLASThreadCount == expected)
            var matrix = try Matrix(rows: 40, columns: 30)
            try Initializer.orthogonal(gain: 1).fillWeight(&matrix, seed: 1, threads: count == 1 ? 2 : 1)
            #expect(ThreadPolicy.threadCount == count)
            #expect(ThreadPolicy.settledBLASThreadCount == expected)
        }
    }

    /// A `withBLASThreadCount(1)` nested inside one on the one-thread fast path returns while
    /// another thread's `setThreadCount` waits for the outer call; they deadlocked before (the
    /// nested call waited for the lock the count change held). Then both finish.
    @Test func nestedFastPathCallDoesNotWaitForACountChange() throws {
        _ = try Self.withEachCount([1]) { _ in
            #expect(ThreadPolicy.fastPathIsOpen)
            let outerEntered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
            let nestedDone = DispatchSemaphore(value: 0), changeDone = DispatchSemaphore(value: 0)
            Thread {
                ThreadPolicy.withBLASThreadCount(1) {
                    outerEntered.signal()
                    release.wait()
                    ThreadPolicy.withBLASThreadCount(1) {}
                    ThreadPolicy.withBLASThreadCount(2) {}
                }
                nestedDone.signal()
            }.start()
            outerEntered.wait()
            Thread {
                try? ThreadPolicy.setThreadCount(1)
                changeDone.signal()
            }.start()
            // The count change has closed the fast path and waits for the outer call.
            let deadline = Date().addingTimeInterval(10)
            while ThreadPolicy.fastPathIsOpen, Date() < deadline { usleep(1_000) }
            #expect(!ThreadPolicy.fastPathIsOpen)
            release.signal()
            #expect(nestedDone.wait(timeout: .now() + 10) == .success, "the nested calls waited for the count change")
            #expect(changeDone.wait(timeout: .now() + 10) == .success, "the count change did not finish")
        }
    }

    /// Fills and initializers with `threads: nil`, at 1 and 2 policy threads: the same bits (and
    /// each run split in two at 2, so that the comparison is one worker against two).
    @Test func fillsAreBitIdenticalAcrossPolicies() throws {
        let (rows, columns) = (700, 300)       // 210 000 elements: 6 groups of 32 768 and more
        #expect(max(1, min(2, (rows * columns / 32) / (RandomFill.minimumElementsPerThread / 32))) == 2)
        let results = try Self.withEachCount([1, 2]) { _ -> [[UInt32]] in
            var uniform = try Matrix(rows: rows, columns: columns)
            var normal = uniform, truncated = uniform, xavier = uniform, he = uniform
            try RandomFill.uniform(&uniform, low: -1, high: 3, seed: 7, stream: 1)
            try RandomFill.normal(&normal, mean: 1, standardDeviation: 2, seed: 7, stream: 2)
            try RandomFill.truncatedNormal(&truncated, seed: 7, stream: 3)
            try Initializer.xavierUniform().fillWeight(&xavier, seed: 7)
            try Initializer.heNormal(.relu).fillWeight(&he, seed: 7, stream: 4)
            return [uniform, normal, truncated, xavier, he].map(Self.bits)
        }
        for (index, name) in ["uniform", "normal", "truncated normal", "Xavier", "He"].enumerated() {
            #expect(results[0][index] == results[1][index], "\(name)")
        }
        // Not a constant fill that would agree with itself trivially.
        #expect(Set(results[0][1]).count > rows * columns / 2)
    }

    /// A network's forward and backward passes (the fused element-wise passes around each sgemm,
    /// split by columns at 2 threads) and the probe after them, at 1 and 2 policy threads. OpenBLAS
    /// stays on one thread for both: its products are not bit-identical across thread counts.
    @Test func networkPassesAndProbeAreBitIdenticalAcrossPolicies() throws {
        let (batch, width) = (256, 512)       // 131 072 elements per pass: split at 2 threads
        let network = try Network(widths: [width, width, width, width], activation: .tanh,
                                  initializer: .xavierUniform(), bias: true, seed: 5, threads: 1)
        var random = TestRandom(seed: 9)
        let input = random.matrix(batch, width)
        let results = try Self.withEachCount([1, 2]) { count -> (tensors: [[UInt32]], probe: NetworkProbe) in
            #expect(Activation.workerCount(rows: batch, columns: width, threads: ThreadPolicy.threadCount) == count)
            try ThreadPolicy.withBLASThreadCount(1) {
                _ = try network.forward(input)
                _ = try network.backward(loss: .randomReadout(seed: 3))
            }
            var tensors = [[UInt32]]()
            for index in network.layers.indices {
                tensors.append(Self.bits(network.preActivation(ofLayer: index)))
                tensors.append(Self.bits(network.activation(ofLayer: index)))
                tensors.append(Self.bits(network.preActivationGradient(ofLayer: index)))
                tensors.append(Self.bits(network.layers[index].weightGradient))
                tensors.append(network.layers[index].biasGradient.map(Self.bits) ?? [])
            }
            return (tensors, network.probe(step: 1))
        }
        #expect(results[0].tensors == results[1].tensors)
        #expect(results[0].probe == results[1].probe)
    }

    /// Momentum SGD and AdamW built with `threadCount: nil` follow the policy at step time; their
    /// weights, state and statistics are the same bits at 1 and 2 threads.
    @Test func optimizerStepsAreBitIdenticalAcrossPolicies() throws {
        let (rows, columns) = (300, 257)      // 77 100 elements: 19 blocks, the last one ragged
        #expect(rows * columns >= ParallelBlocks.parallelThreshold)
        var generator = TestRandom(seed: 21)
        let start = generator.matrix(rows, columns, scale: 0.2)
        let gradients = (0..<3).map { _ in generator.matrix(rows, columns) }
        let penalty = try Penalty.elasticNet(l1Lambda: 0.5, l2Lambda: 0.2, normalizer: 10, l1Method: .proximal)
        let optimizers: [any Optimizer] = [
            try SGD(learningRate: 0.05, momentum: 0.9, penalty: penalty),
            try AdamW(learningRate: 0.01, penalty: penalty),
        ]
        let id = ParameterID(layer: 0, kind: .weight)
        let results = try Self.withEachCount([1, 2]) { count -> [[UInt32]] in
            var outcome = [[UInt32]]()
            for optimizer in optimizers {
                #expect(optimizer.threadCount == count)
                #expect(ParallelBlocks.workerCount(count: rows * columns, threadCount: optimizer.threadCount) == count)
                optimizer.resetState()
                var weights = start
                var statistics = [ParameterStepStatistics]()
                for gradient in gradients {
                    statistics.append(try optimizer.step(parameter: &weights, gradientCopy: gradient, id: id))
                }
                let state = try #require(optimizer.state(for: id))
                outcome.append(Self.bits(weights))
                for buffer in [state.momentumBuffer, state.firstMoment, state.secondMoment].compactMap({ $0 }) {
                    outcome.append(Self.bits(buffer))
                }
                outcome.append(statistics.flatMap { [$0.penaltyValue.bitPattern, UInt64($0.exactZeroCount ?? -1)] }
                    .flatMap { [UInt32(truncatingIfNeeded: $0), UInt32(truncatingIfNeeded: $0 >> 32)] })
            }
            return outcome
        }
        #expect(results[0].count == results[1].count)
        for (one, two) in zip(results[0], results[1]) { #expect(one == two) }
    }
}
