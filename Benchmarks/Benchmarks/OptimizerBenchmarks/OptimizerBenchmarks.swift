import Benchmark
import CReferenceLoops
import Dispatch
import VarianceKit

/// Fused optimizer steps on 16M parameters (64 MiB per buffer), VarianceKit (the library's
/// `OptimizerMeasurement`, as `initbench kernels` runs it) next to the plain C fused loop over the
/// same buffers, both on 2 threads with the same contiguous halves.
///
/// The `side by side` benchmarks alternate one VarianceKit step and one C step in every
/// iteration (so both see the same machine load) and report each one's time and the bandwidth
/// ratio `t_C / t_VarianceKit` for the same update and the same byte count.
///
/// Bytes moved per element: SGD+L2 and SGD+L1 read `w`, `g` and write `w` (12 B); SGD with
/// momentum + L2 reads `w`, `g`, `buf` and writes `w`, `buf` (20 B); AdamW reads `w`, `g`, `m`,
/// `v` and writes `w`, `m`, `v` (28 B). VarianceKit checks the whole gradient for
/// inf/NaN before writing anything: plain SGD checks the gradient in the same pass while it
/// writes the new weights into the gradient buffer (then swaps the buffers: no extra traffic);
/// momentum SGD and AdamW update their state in place, so they check the whole gradient first
/// (one more read of `g`, 4 B per element: at best 20/24 = 83% and 28/32 = 87.5% of the bare
/// loop's speed at the same memory bandwidth). The C loops are run both bare and with the same full check in
/// front. Bandwidth = bytes / wall-clock time per step.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(4), maxIterations: 40)

    let count = 1 << 24
    let threads = 2

    let swiftTime = BenchmarkMetric.custom("VarianceKit step (µs)", polarity: .prefersSmaller, useScalingFactor: false)
    let referenceTime = BenchmarkMetric.custom("C fused loop (µs)", polarity: .prefersSmaller, useScalingFactor: false)
    let ratio = BenchmarkMetric.custom("bandwidth VarianceKit / C (%)", polarity: .prefersLarger, useScalingFactor: false)
    for kind in OptimizerKind.allCases {
        let label = kind.rawValue
        Benchmark(
            "\(label) 16M side by side: VarianceKit vs C (\(kind.measured.bytesPerParameter) B/element, \(threads) threads)",
            configuration: .init(metrics: [swiftTime, referenceTime, ratio], maxDuration: .seconds(8), maxIterations: 40)
        ) { benchmark, state in
            for _ in benchmark.scaledIterations {
                let start = DispatchTime.now().uptimeNanoseconds
                try state.measurement.step()
                let middle = DispatchTime.now().uptimeNanoseconds
                state.referenceStep(checkFirst: false)
                let end = DispatchTime.now().uptimeNanoseconds
                let (swift, reference) = (middle - start, end - middle)
                benchmark.measurement(swiftTime, Int(swift / 1000))
                benchmark.measurement(referenceTime, Int(reference / 1000))
                benchmark.measurement(ratio, Int(100 * Double(reference) / Double(swift)))
            }
            blackHole(state.measurement.parameter[0, 0])
        } setup: {
            try OptimizerState16M(kind: kind, count: count, threads: threads)
        }

        Benchmark("\(label) 16M VarianceKit step (checked, \(threads) threads)") { benchmark, state in
            for _ in benchmark.scaledIterations {
                try state.measurement.step()
            }
            blackHole(state.measurement.parameter[0, 0])
        } setup: {
            try OptimizerState16M(kind: kind, count: count, threads: threads)
        }

        Benchmark("\(label) 16M C fused loop (\(threads) threads)") { benchmark, state in
            for _ in benchmark.scaledIterations {
                state.referenceStep(checkFirst: false)
            }
            blackHole(state.measurement.parameter[0, 0])
        } setup: {
            try OptimizerState16M(kind: kind, count: count, threads: threads)
        }

        Benchmark("\(label) 16M C finiteness check + fused loop (\(threads) threads)") { benchmark, state in
            for _ in benchmark.scaledIterations {
                state.referenceStep(checkFirst: true)
            }
            blackHole(state.measurement.parameter[0, 0])
        } setup: {
            try OptimizerState16M(kind: kind, count: count, threads: threads)
        }
    }
}

/// The comparisons, named as in the benchmark names, and the VarianceKit kind each one measures.
enum OptimizerKind: String, CaseIterable {
    case sgdL2 = "SGD+L2"
    case sgdL1 = "SGD+L1"
    case sgdMomentumL2 = "SGD+momentum+L2"
    case adamW = "AdamW"

    var measured: OptimizerMeasurement.Kind {
        switch self {
        case .sgdL2: .sgdL2
        case .sgdL1: .sgdL1
        case .sgdMomentumL2: .sgdMomentumL2
        case .adamW: .adamW
        }
    }
}

/// VarianceKit's side is the library's `OptimizerMeasurement` (its buffers, its optimizer, one
/// warm-up step in its `init` so that the state exists outside the measurement); the C side runs
/// on the same `w` and `g`, with `m` and `v` of its own.
final class OptimizerState16M: @unchecked Sendable {
    let kind: OptimizerKind
    let threads: Int
    let measurement: OptimizerMeasurement
    var firstMoment: Matrix
    var secondMoment: Matrix

    init(kind: OptimizerKind, count: Int, threads: Int) throws {
        self.kind = kind
        self.threads = threads
        // Hyperparameters shared by both sides.
        measurement = try OptimizerMeasurement(kind: kind.measured, parameters: count, threads: threads,
                                               learningRate: 1e-4, regularization: 1e-2)
        firstMoment = try Matrix(rows: measurement.parameter.rows, columns: measurement.parameter.columns)
        secondMoment = try Matrix(rows: measurement.parameter.rows, columns: measurement.parameter.columns)
    }

    /// The C loops over the same buffers, split in two contiguous halves on `threads` threads.
    /// (VarianceKit's step consumes its gradient buffer: after plain SGD's swap it holds the
    /// previous weights, finite values that serve as the next gradient for both sides.)
    func referenceStep(checkFirst: Bool) {
        let (kind, threads) = (kind, threads)
        let (learningRate, lambda) = (measurement.learningRate, measurement.regularization)
        measurement.withUnsafeMutableBuffers { w, g in
            let count = w.count
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    let pointers = SendablePointers(w: w.baseAddress!, g: UnsafePointer(g.baseAddress!), m: m.baseAddress!, v: v.baseAddress!)
                    if checkFirst {
                        var finite = [Int32](repeating: 0, count: threads)
                        finite.withUnsafeMutableBufferPointer { flags in
                            let shared = SendableFlags(pointer: flags.baseAddress!)
                            DispatchQueue.concurrentPerform(iterations: threads) { part in
                                let range = (part * count / threads, (part + 1) * count / threads)
                                shared.pointer[part] = vk_reference_all_finite(pointers.g, range.0, range.1)
                            }
                        }
                        precondition(finite.allSatisfy { $0 == 1 })
                    }
                    DispatchQueue.concurrentPerform(iterations: threads) { part in
                        let begin = part * count / threads, end = (part + 1) * count / threads
                        switch kind {
                        case .sgdL2:
                            vk_reference_sgd_l2(pointers.w, pointers.g, begin, end, learningRate, lambda)
                        case .sgdL1:
                            vk_reference_sgd_l1(pointers.w, pointers.g, begin, end, learningRate, lambda)
                        case .sgdMomentumL2:
                            vk_reference_sgd_momentum_l2(pointers.w, pointers.g, pointers.m, begin, end, learningRate, lambda, 0.9)
                        case .adamW:
                            vk_reference_adamw(pointers.w, pointers.g, pointers.m, pointers.v, begin, end,
                                               learningRate / 0.1, 0.9, 0.999, 1 / (0.001 as Float).squareRoot(),
                                               1e-8, 1 - learningRate * lambda)
                        }
                    }
                }
            }
        }
    }
}

struct SendablePointers: @unchecked Sendable {
    let w: UnsafeMutablePointer<Float>
    let g: UnsafePointer<Float>
    let m: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>
}

struct SendableFlags: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int32>
}
