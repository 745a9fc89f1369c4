import ArgumentParser
import Foundation
import VarianceKit

/// `initbench kernels`: the speed report. For each network shape: sgemm GFLOP/s at the layer's
/// three product shapes, the median forward+backward step against the median of the same sgemm
/// calls alone; initializer fill throughput; optimizer step bandwidth.
struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Speed report: sgemm GFLOP/s at the layer shapes, step time vs bare sgemm, fill throughput, optimizer bandwidth.",
        discussion: """
        Default shapes: (depth 10, width 1024, batch 256, tanh) and (depth 20, width 2048, batch 512, relu); \
        give --depth, --width, --batch and --activation to measure one shape instead. Times are medians \
        of --repetitions runs after one warm-up.
        """)

    @Option(help: "Measure one network shape of this depth (with --width, --batch, --activation).")
    var depth: Int?
    @Option(help: "Width of the one shape.")
    var width: Int?
    @Option(help: "Batch of the one shape.")
    var batch: Int?
    @Option(help: "Activation of the one shape (\(ActivationName.acceptedValues)).")
    var activation: String?

    @Option(help: "Timed repetitions per measurement (the median is reported).")
    var repetitions: Int = 3

    @Option(help: "Rows and columns of the matrix the fills write (fill-size x fill-size).")
    var fillSize: Int = 4096

    @Option(help: "Parameters per optimizer step.")
    var optimizerParameters: Int = 1 << 24

    @Option(help: "Square size of an orthogonal fill to measure against its bare sgeqrf+sorgqr calls (repeatable).")
    var orthogonalSize: [Int] = [1024]

    @Option(help: "Measure only this section (repeatable: \(Section.allCases.map(\.rawValue).joined(separator: ", "))); default: all.")
    var only: [Section] = []

    /// The parts of the report, each measurable on its own (`--only`).
    enum Section: String, CaseIterable, ExpressibleByArgument {
        case networks, fills, optimizers
    }

    func measures(_ section: Section) -> Bool { only.isEmpty || only.contains(section) }

    @OptionGroup var common: RunOptions
    @OptionGroup var output: OutputOptions

    struct Shape { var depth: Int, width: Int, batch: Int, activation: ActivationName }

    func validate() throws {
        let custom = [depth != nil, width != nil, batch != nil]
        if custom.contains(true), custom.contains(false) {
            throw ValidationError("--depth, --width and --batch go together (one custom shape); give all three or none")
        }
        if let depth { try ExperimentOptions.requireRange(depth, 1...1000, "--depth") }
        if let width { try ExperimentOptions.requireRange(width, 1...16384, "--width") }
        if let batch { try ExperimentOptions.requireRange(batch, 1...65536, "--batch") }
        if let activation { _ = try ActivationName.named(activation) }
        try ExperimentOptions.requireRange(repetitions, 1...1000, "--repetitions")
        try ExperimentOptions.requireRange(fillSize, 1...16384, "--fill-size")
        try ExperimentOptions.requireRange(optimizerParameters, 1...(1 << 30), "--optimizer-parameters")
        for size in orthogonalSize { try ExperimentOptions.requireRange(size, 1...16384, "--orthogonal-size") }
    }

    var shapes: [Shape] {
        if let depth, let width, let batch {
            let name = activation.flatMap { try? ActivationName.named($0) } ?? .tanh
            return [Shape(depth: depth, width: width, batch: batch, activation: name)]
        }
        return [Shape(depth: 10, width: 1024, batch: 256, activation: .tanh),
                Shape(depth: 20, width: 2048, batch: 512, activation: .relu)]
    }

    func run() throws {
        try reportingFailures {
            let threads = try common.applyThreads()
            for shape in shapes {
                try MemoryEstimate.check(MemoryEstimate.propagationBytes(depth: shape.depth, width: shape.width, batch: shape.batch) * 2,
                                         depth: shape.depth, width: shape.width, batch: shape.batch)
            }
            let fillThreads = Array(Set([1, threads])).sorted()
            let steps = (measures(.networks) ? shapes.count * 2 : 0) + (measures(.fills) ? fillThreads.count * (3 + orthogonalSize.count) : 0)
                + (measures(.optimizers) ? 4 : 0)
            let progress = ProgressBar(total: steps, quiet: common.quiet)
            defer { progress.finish() }
            var done = 0
            var report = KernelReport(config: KernelConfiguration(
                repetitions: repetitions, fillSize: fillSize, optimizerParameters: optimizerParameters,
                seed: common.seed, threads: threads, blasKernel: BLAS.kernelName,
                blasConfiguration: BLAS.configuration, versions: .current))
            for shape in shapes where measures(.networks) {
                progress.update(done, "sgemm at width \(shape.width)"); done += 1
                let (network, sgemm) = try measureNetwork(shape)
                report.networks.append(network)
                report.sgemm += sgemm
                progress.update(done, "step at width \(shape.width)"); done += 1
            }
            for fillThread in fillThreads where measures(.fills) {
                for name in [InitializerName.xavierUniform, .xavierNormal, .truncatedNormal] {
                    progress.update(done, "\(name.rawValue) fill, \(fillThread) thread(s)"); done += 1
                    report.fills.append(try measureFill(name, threads: fillThread))
                }
                for size in orthogonalSize {
                    progress.update(done, "orthogonal \(size)x\(size), \(fillThread) thread(s)"); done += 1
                    report.fills.append(try measureOrthogonal(size: size, threads: fillThread))
                }
            }
            try ThreadPolicy.setThreadCount(threads)
            for kind in KernelReport.OptimizerKind.allCases where measures(.optimizers) {
                progress.update(done, "\(kind.rawValue) step"); done += 1
                report.optimizers.append(try measureOptimizer(kind, threads: threads))
            }
            switch output.format {
            case .json: try output.emit(try report.jsonText())
            case .csv: try output.emit(report.csv)
            case .table: try output.emit(report.table)
            }
        }
    }

    // MARK: Measurements

    /// Median and shortest seconds of each of `bodies`, timed in turn within each of
    /// `repetitions` rounds (so all see the same machine load), after one warm-up of each. On a
    /// shared machine other work only adds time, so the shortest run is the most repeatable
    /// figure for a compute-bound kernel (and what the peer scripts' `best_of` reports).
    func timings(_ bodies: [() throws -> Void]) throws -> [(median: Double, best: Double)] {
        for body in bodies { try body() }
        var times = [[Double]](repeating: [], count: bodies.count)
        for _ in 0..<repetitions {
            for (index, body) in bodies.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                times[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
        }
        return times.map { let sorted = $0.sorted(); return (sorted[sorted.count / 2], sorted[0]) }
    }

    /// Median seconds of `body` (see `timings`).
    func median(_ body: @escaping () throws -> Void) throws -> Double {
        try timings([body])[0].median
    }

    func measureNetwork(_ shape: Shape) throws -> (KernelReport.NetworkTiming, [KernelReport.SgemmTiming]) {
        let (depth, width, batch) = (shape.depth, shape.width, shape.batch)
        var input = try Matrix(rows: batch, columns: width)
        try RandomFill.normal(&input, seed: common.seed, stream: PropagationExperiment.inputStream)
        // The bare products: per layer Z = X W^T, dW = dZ^T X and (above the first layer) dX = dZ W.
        var weights = [Matrix]()
        for l in 0..<depth {
            var w = try Matrix(rows: width, columns: width)
            try Initializer.xavierNormal(gain: 1).fillWeight(&w, seed: common.seed, stream: Network.weightStream(layer: l))
            weights.append(w)
        }
        var activations = [input] + (0..<depth).map { _ in try! Matrix(rows: batch, columns: width) }
        var delta = try Matrix(rows: batch, columns: width)
        try RandomFill.normal(&delta, seed: common.seed, stream: 7)
        var previousDelta = try Matrix(rows: batch, columns: width)
        var weightGradient = try Matrix(rows: width, columns: width)
        let flops = 2.0 * Double(batch) * Double(width) * Double(width)

        var sgemm = [KernelReport.SgemmTiming]()
        let forwardSeconds = try median { try BLAS.gemm(activations[0], weights[0], into: &activations[1], transposeB: true) }
        sgemm.append(.init(operation: "forward Z = X W^T", m: batch, n: width, k: width, seconds: forwardSeconds, gflops: flops / forwardSeconds / 1e9))
        let weightSeconds = try median { try BLAS.gemm(delta, activations[0], into: &weightGradient, transposeA: true) }
        sgemm.append(.init(operation: "backward dW = dZ^T X", m: width, n: width, k: batch, seconds: weightSeconds, gflops: flops / weightSeconds / 1e9))
        let inputSeconds = try median { try BLAS.gemm(delta, weights[0], into: &previousDelta) }
        sgemm.append(.init(operation: "backward dX = dZ W", m: batch, n: width, k: width, seconds: inputSeconds, gflops: flops / inputSeconds / 1e9))

        func bare() throws {
            for l in 0..<depth {
                try BLAS.gemm(activations[l], weights[l], into: &activations[l + 1], transposeB: true)
            }
            for l in stride(from: depth - 1, through: 0, by: -1) {
                try BLAS.gemm(delta, activations[l], into: &weightGradient, transposeA: true)
                if l > 0 { try BLAS.gemm(delta, weights[l], into: &previousDelta) }
            }
        }

        let network = try Network(
            widths: [Int](repeating: width, count: depth + 1), activation: shape.activation.activation,
            initializer: .xavierNormal(gain: 1), bias: false, seed: common.seed)
        func step() throws {
            try network.forward(input)
            try network.backward(loss: .randomReadout(seed: common.seed))
        }
        var probeStep = 0
        func probe() {
            probeStep += 1
            _ = network.probe(step: probeStep)
        }
        // Side by side: each repetition times the bare products, the step and a probe of every
        // layer after it back to back, so all three see the same machine load.
        let measured = try timings([bare, step, probe])
        let (bareSeconds, stepSeconds, probeSeconds) = (measured[0].median, measured[1].median, measured[2].median)
        return (KernelReport.NetworkTiming(
            depth: depth, width: width, batch: batch, activation: shape.activation.rawValue,
            stepSeconds: stepSeconds, sgemmSeconds: bareSeconds, ratio: stepSeconds / bareSeconds,
            gflops: flops * Double(3 * depth - 1) / stepSeconds / 1e9,
            probeSeconds: probeSeconds, probeOverStep: probeSeconds / stepSeconds), sgemm)
    }

    /// The orthogonal initializer and, interleaved with it, the bare LAPACK calls it makes
    /// (`LAPACK.orthonormalize` on a copy of a Gaussian matrix) and LAPACK's drivers sgeqrf +
    /// sorgqr (`routine: .lapackDrivers`) on the same copy.
    func measureOrthogonal(size: Int, threads: Int) throws -> KernelReport.FillTiming {
        var matrix = try Matrix(rows: size, columns: size)
        var gaussian = try Matrix(rows: size, columns: size)
        try RandomFill.normal(&gaussian, seed: common.seed, stream: 4)
        var factored = gaussian
        // The fill runs LAPACK on `threads` threads and then returns OpenBLAS to the policy's count;
        // the bare calls run on the policy's count.
        try ThreadPolicy.setThreadCount(threads)
        let fill = { try Initializer.orthogonal().fillWeight(&matrix, seed: common.seed, stream: 3, threads: threads) }
        func bare(_ routine: LAPACK.HouseholderRoutine) -> () throws -> Void {
            {
                factored = gaussian
                _ = try LAPACK.orthonormalize(&factored, routine: routine)
            }
        }
        let measured = try timings([fill, bare(.compactWY), bare(.lapackDrivers)])
        return .init(init: InitializerName.orthogonal.rawValue, rows: size, columns: size, threads: threads,
                     seconds: measured[0].median, bestSeconds: measured[0].best, lapackSeconds: measured[1].median, driversSeconds: measured[2].median)
    }

    func measureFill(_ name: InitializerName, threads: Int) throws -> KernelReport.FillTiming {
        let size = fillSize
        let scheme = name.scheme(activation: .linear, gain: nil)
        var matrix = try Matrix(rows: size, columns: size)
        let measured = try timings([{ try scheme.fillWeight(&matrix, seed: common.seed, stream: 3, threads: threads) }])[0]
        return .init(init: name.rawValue, rows: size, columns: size, threads: threads,
                     seconds: measured.median, bestSeconds: measured.best)
    }

    func measureOptimizer(_ kind: KernelReport.OptimizerKind, threads: Int) throws -> KernelReport.OptimizerTiming {
        let columns = 4096
        let rows = max(1, optimizerParameters / columns)
        var parameter = try Matrix(rows: rows, columns: columns)
        var gradient = try Matrix(rows: rows, columns: columns)
        try RandomFill.normal(&parameter, standardDeviation: 0.02, seed: common.seed, stream: 11)
        try RandomFill.normal(&gradient, standardDeviation: 1e-3, seed: common.seed, stream: 12)
        let optimizer: any Optimizer
        switch kind {
        case .sgd: optimizer = try SGD(learningRate: 1e-3, threadCount: threads)
        case .sgdMomentumL2: optimizer = try SGD(learningRate: 1e-3, momentum: 0.9, penalty: try .l2(lambda: 1e-4, normalizer: 1), threadCount: threads)
        case .adam: optimizer = try Adam(learningRate: 1e-3, threadCount: threads)
        case .adamW: optimizer = try AdamW(learningRate: 1e-3, weightDecay: 0.01, threadCount: threads)
        }
        let id = ParameterID(layer: 0, kind: .weight)
        let seconds = try median { try optimizer.step(parameter: &parameter, gradient: &gradient, id: id) }
        let count = rows * columns
        return .init(optimizer: kind.rawValue, parameters: count, threads: threads, seconds: seconds,
                     bytesPerSecond: Double(kind.bytesPerParameter * count) / seconds)
    }
}
