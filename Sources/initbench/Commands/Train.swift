import ArgumentParser
import Foundation
import VarianceKit

/// `initbench train`: one network trained per configuration (initializer x activation x
/// optimizer x penalty x weight decay) on one dataset, or a preset that reproduces a paper's
/// comparison.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train one network per configuration on a dataset (synthetic, IDX or CSV) and compare loss, accuracy, sparsity and generalization.",
        discussion: """
        Configurations are every combination of the comma lists --init, --activation, \
        --optimizer, --penalty and --weight-decay. Each network has the hidden --widths (or \
        --depth layers of --width units), the activation on every hidden layer, a linear output \
        layer, and is trained with minibatches of --batch on the softmax cross-entropy (class \
        labels) or the mean squared error (regression targets). Features are standardized on the \
        training split unless --no-standardize. A dataset without a test split gets one by seed \
        (--test-fraction), and a validation split (--validation-fraction). A run that diverges \
        stops, says at which step and where, and the others complete.

        Presets (--preset NAME; each finishes in a few minutes on 2 cores, and says whether it \
        showed what it should):
        \(TrainingPreset.allCases.map { "  \($0.rawValue): \($0.claim)" }.joined(separator: "\n"))

        Example: initbench train --dataset gaussian-mixture --init xavier-normal,he-normal --activation relu --optimizer sgd,adamw --epochs 5
        """)

    @Option(help: ArgumentHelp("A preset experiment: \(TrainingPreset.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "name"))
    var preset: TrainingPreset?

    @Flag(help: "With --preset: a reduced run (fewer samples and steps) that keeps the preset's shape, for tests and quick looks.")
    var reduced = false

    @OptionGroup var data: TrainingDataOptions

    @Option(help: "Hidden layer widths, comma-separated (default 256,256; or use --depth and --width).")
    var widths: String?

    @Option(help: "Hidden layers (with --width; instead of --widths).")
    var depth: Int?

    @Option(help: "Units per hidden layer (with --depth).")
    var width: Int?

    @Option(name: .customLong("init"),
            help: ArgumentHelp("Comma-separated initializers (or 'all').", discussion: "Accepted: \(InitializerName.acceptedNames).", valueName: "names"))
    var initializers: String = "he-normal"

    @Option(name: .customLong("activation"),
            help: ArgumentHelp("Comma-separated hidden activations (or 'all').", discussion: "Accepted: \(Activation.acceptedNames).", valueName: "names"))
    var activations: String = "relu"

    @Option(name: .customLong("optimizer"),
            help: ArgumentHelp("Comma-separated optimizers: \(OptimizerSettings.Algorithm.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "names"))
    var optimizers: String = "adamw"

    @Option(name: .customLong("penalty"),
            help: ArgumentHelp("Comma-separated coupled penalties of the weights: none, l2:LAMBDA, l1:LAMBDA (subgradient), l1-proximal:LAMBDA, elastic-net:L1:L2 (the gradient gains lambda*w for L2, as PyTorch's weight_decay).", valueName: "list"))
    var penalties: String = "none"

    @Option(name: .customLong("weight-decay"),
            help: ArgumentHelp("Comma-separated decoupled weight decays d (w <- w - lr*d*w each step).", valueName: "list"))
    var weightDecays: String = "0"

    @Option(help: "A gain for the schemes that take one: a number, fixed-point, critical or of-activation.")
    var gain: String?

    @Option(help: "Samples per minibatch.")
    var batch: Int = 128

    @Option(name: .customLong("learning-rate"), help: "Learning rate (default 0.05 for the SGD family, 0.001 for Adam and AdamW).")
    var learningRate: Float?

    @Option(help: "Momentum of the momentum and nesterov optimizers.")
    var momentum: Float = 0.9

    @Option(help: "Passes over the training split (default 10 unless --steps).")
    var epochs: Int?

    @Option(help: "Optimizer steps (instead of --epochs).")
    var steps: Int?

    @Option(name: .customLong("evaluate-every"), help: "Record training and validation figures every this many steps (default: about 20 points per run).")
    var evaluateEvery: Int?

    @Option(name: .customLong("probe-every"), help: "Probe activation and gradient variance per layer every this many steps (0: never).")
    var probeEvery: Int = 0

    @Option(help: "Seed of the initial weights, the synthetic data, the splits and the minibatch order.")
    var seed: UInt64 = 1

    @Option(name: .customLong("report"), help: ArgumentHelp("Also write an HTML report with SVG figures into this directory.", valueName: "directory"))
    var reportDirectory: String?

    @OptionGroup var common: RunOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let reportDirectory { try validateReportDirectory(reportDirectory) }
        if preset != nil {
            let explicit = [widths != nil || depth != nil || width != nil, epochs != nil || steps != nil, data.isGiven]
            if explicit.contains(true) {
                throw ValidationError("--preset sets its own dataset, widths and length; leave out --dataset/--idx/--csv, --widths/--depth/--width and --epochs/--steps")
            }
            return
        }
        if reduced { throw ValidationError("--reduced applies to --preset only") }
        _ = try hiddenWidths()
        _ = try configurations()
        try data.validateChoice()
        if epochs != nil, steps != nil { throw ValidationError("give --epochs or --steps, not both") }
        if let epochs, epochs < 1 { throw ValidationError("invalid --epochs \(epochs): expected an integer >= 1") }
        if let steps { try ExperimentOptions.requireRange(steps, TrainingSettings.stepRange, "--steps") }
        guard batch >= 1 else { throw ValidationError("invalid --batch \(batch): expected an integer >= 1") }
        if let evaluateEvery, evaluateEvery < 1 { throw ValidationError("invalid --evaluate-every \(evaluateEvery): expected an integer >= 1") }
        guard probeEvery >= 0 else { throw ValidationError("invalid --probe-every \(probeEvery): expected an integer >= 0 (0: never)") }
    }

    /// The hidden widths from --widths or --depth and --width.
    func hiddenWidths() throws -> [Int] {
        if let widths {
            guard depth == nil, width == nil else { throw ValidationError("give --widths or --depth with --width, not both") }
            let parts = widths.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0.map(TrainingExperiment.widthRange.contains) ?? false }) else {
                throw ValidationError("invalid --widths \"\(widths)\": expected comma-separated hidden widths, integers in 1...65536")
            }
            return parts.map { $0! }
        }
        switch (depth, width) {
        case (nil, nil): return [256, 256]
        case let (depth?, width?):
            try ExperimentOptions.requireRange(depth, TrainingExperiment.depthRange, "--depth")
            try ExperimentOptions.requireRange(width, TrainingExperiment.widthRange, "--width")
            return Array(repeating: width, count: depth)
        default: throw ValidationError("--depth and --width go together (or use --widths)")
        }
    }

    /// Every combination of the lists, in the order init, activation, optimizer, penalty, decay.
    func configurations() throws -> [TrainingExperiment.Configuration] {
        let initializerList = try NameList.initializers(initializers)
        let activationList = try NameList.activations(activations)
        let algorithms = try NameList.parse(optimizers, option: "--optimizer", kind: "optimizer",
                                            accepted: OptimizerSettings.Algorithm.allCases.map(\.rawValue).joined(separator: ", "),
                                            all: OptimizerSettings.Algorithm.allCases, named: OptimizerSettings.algorithm(named:))
        let penaltyList = try NameList.parse(penalties, option: "--penalty", kind: "penalty",
                                             accepted: "none, l2:LAMBDA, l1:LAMBDA, l1-proximal:LAMBDA, elastic-net:L1:L2",
                                             all: [PenaltySettings.none], named: { try PenaltySettings(parsing: $0) })
        let decays = try weightDecays.split(separator: ",", omittingEmptySubsequences: false).map { part -> Float in
            guard let value = Float(part.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0 else {
                throw ValidationError("invalid --weight-decay \"\(weightDecays)\": expected comma-separated numbers >= 0")
            }
            return value
        }
        var parsedGain: Gain?
        if let gain {
            guard let value = try? Gain(parsing: gain) else {
                throw ValidationError("invalid --gain \(gain): expected a finite number > 0, fixed-point, critical or of-activation")
            }
            parsedGain = value
        }
        if let learningRate, !(learningRate.isFinite && learningRate > 0) {
            throw ValidationError("invalid --learning-rate \(learningRate): expected a finite number > 0")
        }
        guard momentum.isFinite, momentum >= 0, momentum < 1 else {
            throw ValidationError("invalid --momentum \(momentum): expected a number in [0, 1)")
        }
        var result: [TrainingExperiment.Configuration] = []
        for initializer in initializerList {
            for activation in activationList {
                for algorithm in algorithms {
                    for penalty in penaltyList {
                        for decay in decays {
                            let rate = learningRate ?? ([.adam, .adamw].contains(algorithm) ? 0.001 : 0.05)
                            let settings: OptimizerSettings
                            do {
                                settings = try OptimizerSettings(algorithm: algorithm, learningRate: rate, momentum: momentum,
                                                                 penalty: penalty, weightDecay: decay)
                            } catch let error as VarianceKitError {
                                throw ValidationError(error.description)
                            }
                            result.append(.init(initializer: initializer, gain: initializer.acceptsGain ? parsedGain : nil,
                                                activation: activation, optimizer: settings))
                        }
                    }
                }
            }
        }
        return result
    }

    func run() throws {
        try reportingFailures {
            let threads = try common.applyThreads()
            let plan: TrainingPlan
            if let preset {
                plan = try preset.plan(reduced: reduced, seed: seed)
            } else {
                let loaded = try data.load(seed: seed)
                let split = loaded.split
                let batchSize = min(batch, split.train.sampleCount)
                let totalSteps = try steps ?? TrainingSettings.steps(epochs: epochs ?? 10, trainingSamples: split.train.sampleCount, batchSize: batchSize)
                let settings = try TrainingSettings(batchSize: batchSize, steps: totalSteps,
                                                    evaluateEvery: evaluateEvery ?? max(totalSteps / 20, 1),
                                                    probeEvery: probeEvery, shuffleSeed: seed)
                let experiment = try TrainingExperiment(hiddenWidths: hiddenWidths(), configurations: configurations(),
                                                        settings: settings, seed: seed)
                plan = TrainingPlan(experiment: experiment, data: split, source: loaded.source, standardized: loaded.standardized)
            }
            let progress = ProgressBar(quiet: common.quiet)
            let experiment = plan.experiment
            let total = experiment.configurations.count * experiment.settings.steps
            let result = try hintingMemory("reduce --batch or the widths") {
                try experiment.run(on: plan.data) { index, event in
                    if case let .step(step, _) = event, step % 25 == 0 {
                        progress.update(index * experiment.settings.steps + step, of: total, "run \(index + 1) of \(experiment.configurations.count)")
                    }
                    return .proceed
                }
            }
            progress.finish()
            let outcome = preset.map { $0.outcome(of: result, plan: plan) }
            let document = TrainingDocument(experiment: experiment, data: plan.data, source: plan.source,
                                            standardized: plan.standardized, result: result, outcome: outcome, threads: threads)
            if let reportDirectory {
                let page = try HTMLReport.write(document, to: reportDirectory)
                StandardError.write("report: \(page)\n")
            }
            try output.emit(document)
        }
    }
}

extension TrainingPreset: ExpressibleByArgument {}
