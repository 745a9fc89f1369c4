import ArgumentParser
import Foundation
import VarianceKit

/// `initbench regularize`: `RegularizationExperiment` from the command line. A student network
/// learns a teacher network's function (both generated from the seed) from the same initial
/// weights under six regularized optimizers: SGD+L2, SGD with decoupled decay at the equivalent
/// fraction `η λ/n`, Adam+L2, AdamW, SGD+L1 (subgradient) and SGD+L1 (proximal).
struct Regularize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train one network six ways (SGD+L2, SGD+decay, Adam+L2, AdamW, SGD+L1, SGD+proximal L1) and compare.",
        discussion: """
            A teacher network (widths --teacher-widths) generated from --seed labels --samples \
            standard-normal inputs; a student (widths --widths, tanh, Xavier-normal weights from \
            the seed) is trained full-batch on the mean squared error from the same initial \
            weights with each optimizer. L2(lambda, n) under SGD and decoupled decay of \
            lr*lambda/n per step give the same weights; under Adam they differ (AdamW). L1 by \
            subgradient oscillates around zero; the proximal step gives exact zeros. A run whose \
            loss becomes inf or NaN is reported as diverged and the others complete.
            """)

    @Option(help: "Seed of the teacher, the inputs and the student's initial weights.")
    var seed: UInt64 = 42

    @Option(help: "Student widths, comma-separated: inputs, hidden..., outputs.")
    var widths: String = "16,64,64,1"

    @Option(name: .customLong("teacher-widths"), help: "Teacher widths, comma-separated (same inputs and outputs as the student).")
    var teacherWidths: String = "16,8,1"

    @Option(help: "Training samples (one full batch).")
    var samples: Int = 256

    @Option(help: "Optimizer steps per run.")
    var steps: Int = 400

    @Option(name: .customLong("record-every"), help: "Record loss and weight norm every this many steps (and at the end).")
    var recordEvery: Int = 25

    @Option(name: .customLong("learning-rate"), help: "SGD learning rate eta.")
    var learningRate: Float = 0.05

    @Option(name: .customLong("adam-learning-rate"), help: "Adam and AdamW learning rate.")
    var adamLearningRate: Float = 0.003

    @Option(help: "Regularization coefficient lambda (L1 and L2; decay uses lambda/n).")
    var lambda: Float = 2

    @Option(help: "Normalizer n of lambda/n (default: the number of samples).")
    var normalizer: Float?

    @OptionGroup var common: RunOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try experiment()
    }

    static func parseWidths(_ text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count >= 2, parts.allSatisfy({ $0.map(RegularizationExperiment.widthRange.contains) ?? false }) else {
            throw ValidationError("invalid \(option) \"\(text)\": expected at least two comma-separated integers in 1...65536")
        }
        return parts.map { $0! }
    }

    /// The library experiment these options describe.
    ///
    /// - Throws: `ValidationError` (exit 64, with usage) naming the option.
    func experiment() throws -> RegularizationExperiment {
        let student = try Regularize.parseWidths(widths, option: "--widths")
        let teacher = try Regularize.parseWidths(teacherWidths, option: "--teacher-widths")
        guard student.first == teacher.first, student.last == teacher.last else {
            throw ValidationError("--widths \(widths) and --teacher-widths \(teacherWidths) must have the same inputs and outputs")
        }
        try ExperimentOptions.requireRange(samples, RegularizationExperiment.sampleRange, "--samples")
        try ExperimentOptions.requireRange(steps, RegularizationExperiment.stepRange, "--steps")
        guard recordEvery >= 1 else { throw ValidationError("invalid --record-every \(recordEvery): expected an integer >= 1") }
        for (name, value) in [("--learning-rate", learningRate), ("--adam-learning-rate", adamLearningRate)] {
            guard value.isFinite, value > 0 else { throw ValidationError("invalid \(name) \(value): expected a finite number > 0") }
        }
        guard lambda.isFinite, lambda >= 0 else { throw ValidationError("invalid --lambda \(lambda): expected a finite number >= 0") }
        if let normalizer, !(normalizer.isFinite && normalizer > 0) {
            throw ValidationError("invalid --normalizer \(normalizer): expected a finite number > 0")
        }
        do {
            return try RegularizationExperiment(
                seed: seed, widths: student, teacherWidths: teacher, samples: samples, steps: steps,
                recordEvery: recordEvery, learningRate: learningRate, adamLearningRate: adamLearningRate,
                lambda: lambda, normalizer: normalizer)
        } catch let error as VarianceKitError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        try reportingFailures {
            let threads = try common.applyThreads()
            let experiment = try experiment()
            let result = try hintingMemory("reduce --samples, --widths or --teacher-widths") { try experiment.run() }
            try output.emit(RegularizationDocument(experiment: experiment, result: result, threads: threads))
        }
    }
}
