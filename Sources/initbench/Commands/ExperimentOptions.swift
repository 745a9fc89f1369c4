import ArgumentParser
import VarianceKit

/// The seed of every random draw of a run.
struct SeedOption: ParsableArguments {
    @Option(help: "Seed for every random draw (weights, inputs, readout); runs with the same seed are identical.")
    var seed: UInt64 = 1
}

/// What to compare: which schemes and activations, and the network's shape. The defaults are the
/// default comparison (Glorot and Bengio's experiment at depth 20, width 512).
struct ExperimentOptions: ParsableArguments {
    static let defaultInitializers = "standard,xavier-uniform,he-normal,orthogonal"
    static let defaultActivations = "tanh,relu"

    @Option(name: .customLong("init"),
            help: ArgumentHelp("Comma-separated initializers (or 'all').",
                               discussion: "Accepted: \(InitializerName.acceptedNames); aliases: \(InitializerName.aliases.keys.sorted().joined(separator: ", ")).",
                               valueName: "names"))
    var initializers: String = ExperimentOptions.defaultInitializers

    @Option(name: .customLong("activation"),
            help: ArgumentHelp("Comma-separated activations (or 'all').",
                               discussion: "Accepted: \(Activation.acceptedNames); aliases: \(Activation.aliases.keys.sorted().joined(separator: ", ")).",
                               valueName: "names"))
    var activations: String = ExperimentOptions.defaultActivations

    @Option(help: "Number of Dense layers (\(PropagationExperiment.depthRange.lowerBound)...\(PropagationExperiment.depthRange.upperBound)).")
    var depth: Int = 20

    @Option(help: "Units per layer, and input features (\(PropagationExperiment.widthRange.lowerBound)...\(PropagationExperiment.widthRange.upperBound)).")
    var width: Int = 512

    @Option(help: "Examples in the batch of i.i.d. standard-normal inputs (\(PropagationExperiment.batchRange.lowerBound)...\(PropagationExperiment.batchRange.upperBound)).")
    var batch: Int = 1024

    @Flag(help: "Give every layer a bias (zeros unless --bias-std is given).")
    var bias = false

    @Option(name: .customLong("bias-std"), help: "With --bias: draw the biases from N(0, S^2); the mean-field predictions use s_b^2 = S^2.")
    var biasStandardDeviation: Double?

    @Option(help: ArgumentHelp(
        "Gain for the schemes that take one (xavier-*, he-*, orthogonal, identity): a number, or fixed-point (gain^2 = 1/E[phi(z)^2]: unit variance is a fixed point), critical (gain^2 = 1/E[phi'(z)^2]: chi_1 = 1 at unit variance) or of-activation (the conventional table).",
        discussion: "Default: orthogonal uses the activation's gain, he-* sqrt(2), xavier-* and identity 1.",
        valueName: "gain"))
    var gain: String?

    @Option(help: "The loss back-propagated: readout (a fixed random linear readout, top gradient independent of the forward pass) or quadratic (0.5 sum A^2 / batch).")
    var loss: PropagationExperiment.TopLoss = .readout

    @Option(name: .customLong("lsuv-tolerance"), help: "With --init lsuv: bring each layer's Var(Z) within 1 +- this (0 < t < 1).")
    var lsuvTolerance: Double = 0.05

    @Option(name: .customLong("lsuv-max-iterations"), help: "With --init lsuv: rescalings per layer before it is kept as it is (Mishkin & Matas' T_max, 1...10000).")
    var lsuvMaximumIterations: Int = 10

    @OptionGroup var seed: SeedOption

    func validate() throws {
        _ = try experiment()
    }

    static func requireRange(_ value: Int, _ range: ClosedRange<Int>, _ option: String) throws {
        guard range.contains(value) else {
            throw ValidationError("invalid \(option) \(value): expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
    }

    /// The library experiment these options describe.
    ///
    /// - Throws: `ValidationError` (exit 64, with usage) naming the option.
    func experiment() throws -> PropagationExperiment {
        let initializerList = try NameList.initializers(initializers)
        let activationList = try NameList.activations(activations)
        try Self.requireRange(depth, PropagationExperiment.depthRange, "--depth")
        try Self.requireRange(width, PropagationExperiment.widthRange, "--width")
        try Self.requireRange(batch, PropagationExperiment.batchRange, "--batch")
        var parsedGain: Gain?
        if let gain {
            do {
                parsedGain = try Gain(parsing: gain)
            } catch {
                throw ValidationError("invalid --gain \(gain): expected a finite number > 0, fixed-point, critical or of-activation")
            }
            let without = initializerList.filter { !$0.acceptsGain }
            if !without.isEmpty {
                throw ValidationError(
                    "--gain cannot be combined with \(without.map(\.rawValue).joined(separator: ", ")), which take no gain; "
                    + "it applies to \(InitializerName.allCases.filter(\.acceptsGain).map(\.rawValue).joined(separator: ", "))")
            }
        }
        guard lsuvTolerance.isFinite, lsuvTolerance > 0, lsuvTolerance < 1 else {
            throw ValidationError("invalid --lsuv-tolerance \(lsuvTolerance): expected a number in (0, 1)")
        }
        try Self.requireRange(lsuvMaximumIterations, 1...10_000, "--lsuv-max-iterations")
        if let biasStandardDeviation {
            guard biasStandardDeviation.isFinite, biasStandardDeviation >= 0, biasStandardDeviation <= 1e6 else {
                throw ValidationError("invalid --bias-std \(biasStandardDeviation): expected a finite number in 0...1e6")
            }
            guard bias else { throw ValidationError("--bias-std needs --bias (the layers have no biases without it)") }
        }
        do {
            return try PropagationExperiment(
                initializers: initializerList, activations: activationList, depth: depth, width: width, batch: batch,
                seed: seed.seed, bias: bias, biasStandardDeviation: biasStandardDeviation ?? 0, gain: parsedGain, loss: loss,
                lsuvTolerance: lsuvTolerance, lsuvMaximumIterations: lsuvMaximumIterations)
        } catch let error as VarianceKitError {
            throw ValidationError(error.description)
        }
    }
}

extension PropagationExperiment.TopLoss: ExpressibleByArgument {}
