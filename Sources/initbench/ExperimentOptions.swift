import ArgumentParser

/// What to compare: which schemes and activations, and the network's shape. The defaults are the
/// default comparison (Glorot and Bengio's experiment at depth 20, width 512).
struct ExperimentOptions: ParsableArguments {
    static let defaultInitializers = "standard,xavier-uniform,he-normal,orthogonal"
    static let defaultActivations = "tanh,relu"

    @Option(name: .customLong("init"),
            help: ArgumentHelp("Comma-separated initializers (or 'all').",
                               discussion: "Accepted: \(InitializerName.acceptedValues).",
                               valueName: "names"))
    var initializers: String = ExperimentOptions.defaultInitializers

    @Option(name: .customLong("activation"),
            help: ArgumentHelp("Comma-separated activations (or 'all').",
                               discussion: "Accepted: \(ActivationName.acceptedValues).",
                               valueName: "names"))
    var activations: String = ExperimentOptions.defaultActivations

    @Option(help: "Number of Dense layers (1...1000).")
    var depth: Int = 20

    @Option(help: "Units per layer, and input features (1...16384).")
    var width: Int = 512

    @Option(help: "Examples in the batch of i.i.d. standard-normal inputs (1...65536).")
    var batch: Int = 1024

    @Flag(help: "Give every layer a bias (initialized to zero).")
    var bias = false

    @Option(help: "Gain for the schemes that take one (xavier-*, he-*, orthogonal, identity); default: orthogonal uses the activation's gain from the gain table, he-* sqrt(2), xavier-* and identity 1.")
    var gain: Double?

    @Option(help: "The loss back-propagated: readout (a fixed random linear readout, top gradient independent of the forward pass) or quadratic (0.5 sum A^2 / batch).")
    var loss: LossName = .readout

    /// The parsed lists (valid after `validate()`).
    var initializerNames: [InitializerName] { (try? InitializerName.list(initializers, option: "--init")) ?? [] }
    var activationNames: [ActivationName] { (try? ActivationName.list(activations, option: "--activation")) ?? [] }

    func validate() throws {
        let initializerList = try InitializerName.list(initializers, option: "--init")
        _ = try ActivationName.list(activations, option: "--activation")
        try Self.requireRange(depth, 1...1000, "--depth")
        try Self.requireRange(width, 1...16384, "--width")
        try Self.requireRange(batch, 1...65536, "--batch")
        if let gain {
            guard gain.isFinite, gain > 0 else {
                throw ValidationError("invalid --gain \(gain): expected a finite number > 0")
            }
            let without = initializerList.filter { !$0.acceptsGain }
            if !without.isEmpty {
                throw ValidationError(
                    "--gain cannot be combined with \(without.map(\.rawValue).joined(separator: ", ")), which take no gain; "
                    + "it applies to \(InitializerName.allCases.filter(\.acceptsGain).map(\.rawValue).joined(separator: ", "))")
            }
        }
    }

    static func requireRange(_ value: Int, _ range: ClosedRange<Int>, _ option: String) throws {
        guard range.contains(value) else {
            throw ValidationError("invalid \(option) \(value): expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
    }

    func experiment(seed: UInt64, threads: Int, command: String) -> PropagationExperiment {
        PropagationExperiment(
            initializers: initializerNames, activations: activationNames, depth: depth, width: width,
            batch: batch, seed: seed, bias: bias, gain: gain, loss: loss, threads: threads, command: command)
    }
}
