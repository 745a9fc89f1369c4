import ArgumentParser
import VarianceKit

/// `initbench kernels`: the speed report. Its header names OpenBLAS's kernel and why it runs
/// (`BLASKernelChoice`). For each network shape: sgemm GFLOP/s at the layer's three product
/// shapes, the median forward+backward step against the median of the same sgemm calls alone and
/// against the same step with `ThreadPolicy.deterministic`; initializer fill throughput;
/// optimizer step bandwidth.
///
/// The measurements are the library's (`StepMeasurement`, `FillMeasurement`,
/// `OptimizerMeasurement`, the same that `Benchmarks/` runs); this command turns the options into
/// their configurations, refuses (exit status 64) a run whose buffers exceed the available memory
/// before it allocates anything, and renders the results as a `KernelReport`.
struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Speed report: sgemm GFLOP/s at the layer shapes, step time vs bare sgemm, fill throughput, optimizer bandwidth.",
        discussion: """
        Default shapes: (depth 10, width 1024, batch 256, tanh) and (depth 20, width 2048, batch 512, relu); \
        give --depth, --width, --batch and --activation to measure one shape instead. Each step is timed \
        twice, in turns: each product one sgemm on OpenBLAS's threads, and deterministic (fixed column \
        blocks, each a single-threaded sgemm; --deterministic makes every pass of a run so). The header \
        names OpenBLAS's kernel and why it runs. Times are medians of --repetitions runs after one warm-up. Before measuring, the largest measurement of the selected \
        sections is checked against the available memory (MemAvailable in /proc/meminfo, or \
        VARIANCEKIT_MEMORY_AVAILABLE_BYTES when set); a run that does not fit is refused with exit status 64.
        """)

    @Option(help: "Measure one network shape of this depth (with --width, --batch, --activation).")
    var depth: Int?
    @Option(help: "Width of the one shape.")
    var width: Int?
    @Option(help: "Batch of the one shape.")
    var batch: Int?
    @Option(help: "Activation of the one shape (\(Activation.acceptedNames)).")
    var activation: String?

    @Option(help: "Timed repetitions per measurement (the median is reported).")
    var repetitions: Int = 3

    @Option(help: "Rows and columns of the matrix the fills write (fill-size x fill-size).")
    var fillSize: Int = 4096

    @Option(help: "Parameters per optimizer step (from 4096 on, rounded down to whole 4096-element rows).")
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

    @OptionGroup var seed: SeedOption
    @OptionGroup var common: RunOptions
    @OptionGroup var output: OutputOptions

    struct Shape { var depth: Int, width: Int, batch: Int, activation: Activation }

    func validate() throws {
        let custom = [depth != nil, width != nil, batch != nil]
        if custom.contains(true), custom.contains(false) {
            throw ValidationError("--depth, --width and --batch go together (one custom shape); give all three or none")
        }
        if let depth { try ExperimentOptions.requireRange(depth, PropagationExperiment.depthRange, "--depth") }
        if let width { try ExperimentOptions.requireRange(width, PropagationExperiment.widthRange, "--width") }
        if let batch { try ExperimentOptions.requireRange(batch, PropagationExperiment.batchRange, "--batch") }
        if let activation { _ = try NameList.activations(activation) }
        try ExperimentOptions.requireRange(repetitions, 1...1000, "--repetitions")
        try ExperimentOptions.requireRange(fillSize, 1...16384, "--fill-size")
        try ExperimentOptions.requireRange(optimizerParameters, 1...(1 << 30), "--optimizer-parameters")
        for size in orthogonalSize { try ExperimentOptions.requireRange(size, 1...16384, "--orthogonal-size") }
    }

    var shapes: [Shape] {
        if let depth, let width, let batch {
            let name = activation.flatMap { try? Activation.named($0) } ?? .tanh
            return [Shape(depth: depth, width: width, batch: batch, activation: name)]
        }
        return [Shape(depth: 10, width: 1024, batch: 256, activation: .tanh),
                Shape(depth: 20, width: 2048, batch: 512, activation: .relu)]
    }

    /// The optimizer steps of the report, in its order.
    static let optimizerKinds: [OptimizerMeasurement.Kind] = [.sgd, .sgdMomentumL2, .adam, .adamW]
    /// The non-orthogonal fills of the report, at `--fill-size`.
    static let fillNames: [InitializerName] = [.xavierUniform, .xavierNormal, .truncatedNormal]

    func stepConfiguration(_ shape: Shape) -> StepMeasurement.Configuration {
        StepMeasurement.Configuration(depth: shape.depth, width: shape.width, batch: shape.batch,
                                      activation: shape.activation, seed: seed.seed)
    }

    /// What each measurement of the selected sections will allocate, with the option that sets it.
    /// The measurements run one after another and each frees its buffers before the next one
    /// allocates, so each must fit on its own (and each checks again when it is built).
    var memoryRequirements: [(requirement: MemoryRequirement, option: String)] {
        var requirements: [(MemoryRequirement, String)] = []
        if measures(.networks) {
            requirements += shapes.map { (StepMeasurement.memoryRequirement(for: stepConfiguration($0)), "--depth, --width or --batch") }
        }
        if measures(.fills) {
            requirements += Self.fillNames.map {
                (FillMeasurement.memoryRequirement(initializer: $0.scheme(gain: nil), size: fillSize), "--fill-size")
            }
            requirements += orthogonalSize.map {
                (FillMeasurement.memoryRequirement(initializer: .orthogonal(gain: 1), size: $0), "--orthogonal-size")
            }
        }
        if measures(.optimizers) {
            requirements += Self.optimizerKinds.map {
                (OptimizerMeasurement.memoryRequirement(kind: $0, parameters: optimizerParameters), "--optimizer-parameters")
            }
        }
        return requirements
    }

    func run() throws {
        try reportingFailures {
            let threads = try common.applyThreads()
            // Refuse before measuring anything, with the library's own figures. The measurements
            // run one at a time, so the largest one is the run's peak.
            if let (requirement, option) = memoryRequirements.max(by: { $0.requirement.bytes < $1.requirement.bytes }) {
                try hintingMemory("reduce \(option)") { try requirement.check() }
            }
            let fillThreads = Array(Set([1, threads])).sorted()
            let steps = (measures(.networks) ? shapes.count * 2 : 0)
                + (measures(.fills) ? fillThreads.count * (Self.fillNames.count + orthogonalSize.count) : 0)
                + (measures(.optimizers) ? Self.optimizerKinds.count : 0)
            let progress = ProgressBar(quiet: common.quiet)
            defer { progress.finish() }
            var done = 0
            var report = KernelReport(config: KernelConfiguration(
                repetitions: repetitions, fillSize: fillSize, optimizerParameters: optimizerParameters,
                seed: seed.seed, threads: threads, deterministic: ThreadPolicy.deterministic, blasKernel: BLAS.kernelName,
                blasConfiguration: BLAS.configuration, blas: .current, versions: .current))
            for shape in shapes where measures(.networks) {
                progress.update(done, of: steps, "sgemm at width \(shape.width)"); done += 1
                let measurement = try StepMeasurement(stepConfiguration(shape))
                report.sgemm += try measurement.measureProducts(repetitions: repetitions).map(KernelReport.SgemmTiming.init)
                progress.update(done, of: steps, "step at width \(shape.width)"); done += 1
                report.networks.append(KernelReport.NetworkTiming(
                    shape: shape, try measurement.measureStep(repetitions: repetitions)))
            }
            for fillThread in fillThreads where measures(.fills) {
                for name in Self.fillNames {
                    progress.update(done, of: steps, "\(name.rawValue) fill, \(fillThread) thread(s)"); done += 1
                    let measurement = try FillMeasurement(initializer: name.scheme(gain: nil), size: fillSize,
                                                          threads: fillThread, seed: seed.seed)
                    report.fills.append(KernelReport.FillTiming(name, measurement, try measurement.measure(repetitions: repetitions)))
                }
                for size in orthogonalSize {
                    progress.update(done, of: steps, "orthogonal \(size)x\(size), \(fillThread) thread(s)"); done += 1
                    let measurement = try FillMeasurement(initializer: .orthogonal(gain: 1), size: size, threads: fillThread, seed: seed.seed)
                    report.fills.append(KernelReport.FillTiming(.orthogonal, measurement, try measurement.measure(repetitions: repetitions)))
                }
            }
            for kind in Self.optimizerKinds where measures(.optimizers) {
                progress.update(done, of: steps, "\(kind.rawValue) step"); done += 1
                let measurement = try OptimizerMeasurement(kind: kind, parameters: optimizerParameters, threads: threads, seed: seed.seed)
                report.optimizers.append(KernelReport.OptimizerTiming(measurement, try measurement.measure(repetitions: repetitions)))
            }
            try output.emit(report)
        }
    }
}
