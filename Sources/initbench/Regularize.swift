import ArgumentParser
import Foundation
import VarianceKit

/// `initbench regularize`: L1, L2 and weight decay made visible. A student network learns a teacher
/// network's function (both generated from the seed) from the same initial weights under six
/// regularized optimizers: SGD+L2, SGD with decoupled decay at the equivalent fraction `η λ/n`,
/// Adam+L2, AdamW, SGD+L1 (subgradient) and SGD+L1 (proximal). Per run: the training loss and the
/// weight norm every few steps, and the final fraction of exactly-zero weights.
struct Regularize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train one network six ways (SGD+L2, SGD+decay, Adam+L2, AdamW, SGD+L1, SGD+proximal L1) and compare.",
        discussion: """
            A teacher network (widths --teacher-widths) generated from --seed labels --samples \
            standard-normal inputs; a student (widths --widths, tanh, Xavier-normal weights from \
            the seed) is trained full-batch on the mean squared error from the same initial \
            weights with each optimizer. L2(lambda, n) under SGD and decoupled decay of \
            lr*lambda/n per step give the same weights; under Adam they differ (AdamW). L1 by \
            subgradient oscillates around zero; the proximal step gives exact zeros.
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

    @Option(help: "Output format: table, csv or json.")
    var format: RegularizeFormat = .table

    @Option(help: "Write the report to this file (atomically: a temporary file, then a rename) instead of standard output.")
    var output: String?

    func validate() throws {
        let student = try Regularize.parseWidths(widths, option: "--widths")
        let teacher = try Regularize.parseWidths(teacherWidths, option: "--teacher-widths")
        guard student.first == teacher.first, student.last == teacher.last else {
            throw ValidationError("--widths \(widths) and --teacher-widths \(teacherWidths) must have the same inputs and outputs")
        }
        guard (1...1_000_000).contains(samples) else { throw ValidationError("--samples must be in 1...1000000, got \(samples)") }
        guard (1...100_000).contains(steps) else { throw ValidationError("--steps must be in 1...100000, got \(steps)") }
        guard recordEvery >= 1 else { throw ValidationError("--record-every must be >= 1, got \(recordEvery)") }
        for (name, value) in [("--learning-rate", learningRate), ("--adam-learning-rate", adamLearningRate)] {
            guard value.isFinite, value > 0 else { throw ValidationError("\(name) must be a finite number > 0, got \(value)") }
        }
        guard lambda.isFinite, lambda >= 0 else { throw ValidationError("--lambda must be a finite number >= 0, got \(lambda)") }
        if let normalizer, !(normalizer.isFinite && normalizer > 0) {
            throw ValidationError("--normalizer must be a finite number > 0, got \(normalizer)")
        }
        if let output { try RegularizeOutput.checkWritable(output) }
    }

    static func parseWidths(_ text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count >= 2, parts.allSatisfy({ $0 != nil && $0! >= 1 && $0! <= 1 << 16 }) else {
            throw ValidationError("\(option) must be at least two comma-separated integers in 1...65536, got \"\(text)\"")
        }
        return parts.map { $0! }
    }

    func run() throws {
        let experiment = RegularizationExperiment(
            seed: seed,
            widths: try Regularize.parseWidths(widths, option: "--widths"),
            teacherWidths: try Regularize.parseWidths(teacherWidths, option: "--teacher-widths"),
            samples: samples, steps: steps, recordEvery: recordEvery,
            learningRate: learningRate, adamLearningRate: adamLearningRate,
            lambda: lambda, normalizer: normalizer ?? Float(samples))
        let report: RegularizationReport
        do {
            report = try experiment.run()
        } catch let error as VarianceKitError {
            RegularizeOutput.printError("initbench regularize: \(error)")
            throw ExitCode(65)
        }
        let text = RegularizeOutput.render(report, format: format)
        if let output {
            do {
                try RegularizeOutput.writeAtomically(text, to: output)
            } catch {
                RegularizeOutput.printError("initbench regularize: cannot write --output \(output): \(error)")
                throw ExitCode(64)
            }
        } else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }
}

/// `--format` of `initbench regularize`.
enum RegularizeFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, csv, json
}
