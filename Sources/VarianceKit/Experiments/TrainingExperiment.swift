/// One network trained per configuration on the same data, from initial weights drawn from the
/// same seed: the comparison `initbench train` runs.
///
/// A configuration is an initialization scheme (with an optional gain), an activation and an
/// optimizer (with its penalty and decoupled decay). Each network has widths
/// `[features] + hiddenWidths + [outputs]`, the configuration's activation on every hidden layer
/// and a linear output layer (logits for classes, values for regression), weights from the
/// scheme on `seed` and biases `N(0, biasStandardDeviation^2)` (zeros by default). `lsuv` starts orthogonal and rescales each layer on the
/// first `batchSize` training samples (Mishkin & Matas, Algorithm 1). Every run sees the same
/// minibatches (`settings.shuffleSeed`). A run that diverges is recorded as such and the others
/// go on.
public struct TrainingExperiment: Sendable, Hashable, Codable {
    /// One network's settings.
    public struct Configuration: Sendable, Hashable, Codable {
        /// The initialization scheme.
        public var initializer: InitializerName
        /// The gain replacing the scheme's default (nil: the default).
        public var gain: Gain?
        /// The hidden layers' activation.
        public var activation: Activation
        /// The optimizer, its penalty and decay.
        public var optimizer: OptimizerSettings

        /// A configuration of these settings.
        public init(initializer: InitializerName, gain: Gain? = nil, activation: Activation, optimizer: OptimizerSettings) {
            self.initializer = initializer
            self.gain = gain
            self.activation = activation
            self.optimizer = optimizer
        }

        /// For example `xavier-normal tanh adamw lr 0.001, decay 0.01`.
        public var label: String {
            var scheme = initializer.rawValue
            if let gain { scheme += " (gain \(gain))" }
            return "\(scheme) \(activation.name) \(optimizer.label)"
        }
    }

    /// Hidden layer widths (at least one).
    public private(set) var hiddenWidths: [Int]
    /// The configurations, in order.
    public private(set) var configurations: [Configuration]
    /// Batch size, steps, evaluation and probe cadence, shuffle seed.
    public private(set) var settings: TrainingSettings
    /// The seed of the initial weights.
    public private(set) var seed: UInt64
    /// The standard deviation `s_b` of every layer's initial biases (0: zeros); the mean-field
    /// bias variance is `sigma_b^2 = s_b^2`.
    public private(set) var biasStandardDeviation: Double

    /// The widths accepted for a hidden layer.
    public static let widthRange = 1...65536
    /// The most hidden layers accepted.
    public static let depthRange = 1...1000

    /// - Throws: `VarianceKitError.invalidParameter` for no configuration, no hidden layer, too
    ///   many, a width out of range, a gain for a scheme that takes none, or a bias standard
    ///   deviation that is not finite in [0, 1e3].
    public init(hiddenWidths: [Int], configurations: [Configuration], settings: TrainingSettings, seed: UInt64,
                biasStandardDeviation: Double = 0) throws {
        guard Self.depthRange.contains(hiddenWidths.count) else {
            throw VarianceKitError.invalidParameter(
                name: "hidden layers", value: "\(hiddenWidths.count)", expected: "\(Self.depthRange.lowerBound)...\(Self.depthRange.upperBound) hidden layers")
        }
        if let bad = hiddenWidths.first(where: { !Self.widthRange.contains($0) }) {
            throw VarianceKitError.invalidParameter(name: "hidden width", value: "\(bad)", expected: "an integer in 1...65536")
        }
        guard !configurations.isEmpty else {
            throw VarianceKitError.invalidParameter(name: "configurations", value: "none", expected: "at least one configuration")
        }
        if let without = configurations.first(where: { $0.gain != nil && !$0.initializer.acceptsGain }) {
            throw VarianceKitError.invalidParameter(
                name: "gain", value: "\(without.gain!) with \(without.initializer.rawValue)",
                expected: "schemes that take a gain: \(InitializerName.allCases.filter(\.acceptsGain).map(\.rawValue).joined(separator: ", "))")
        }
        guard biasStandardDeviation.isFinite, (0...1e3).contains(biasStandardDeviation) else {
            throw VarianceKitError.invalidParameter(
                name: "biasStandardDeviation", value: "\(biasStandardDeviation)", expected: "a finite number in [0, 1e3]")
        }
        self.biasStandardDeviation = biasStandardDeviation
        self.hiddenWidths = hiddenWidths
        self.configurations = configurations
        self.settings = settings
        self.seed = seed
    }

    /// The widths of a network for `data`: inputs, hidden widths, outputs.
    public func widths(for data: DatasetSplit) -> [Int] {
        [data.train.featureCount] + hiddenWidths + [data.train.outputCount]
    }

    /// Bytes one run holds at its peak: the network at the batch size and the optimizer's state
    /// (at most four buffers the size of the parameters: Adam's `m`, `v` and their spares).
    public func memoryRequirement(for data: DatasetSplit) -> Int {
        Self.memoryRequirement(widths: widths(for: data), batchSize: settings.batchSize)
    }

    /// Bytes one run of a network of `widths` at `batchSize` holds at its peak: the network and
    /// at most four optimizer buffers the size of the parameters.
    static func memoryRequirement(widths: [Int], batchSize: Int) -> Int {
        let footprint = Network.memoryFootprint(widths: widths, batchSize: batchSize)
        let state = footprint.parameters.multipliedReportingOverflow(by: 4)
        let total = footprint.total.addingReportingOverflow(state.overflow ? Int.max : state.partialValue)
        return total.overflow ? Int.max : total.partialValue
    }

    /// The network of `configuration` for `data`, initialized.
    ///
    /// - Throws: errors of the network's construction and of LSUV.
    public func makeNetwork(_ configuration: Configuration, for data: DatasetSplit) throws -> Network {
        let widths = widths(for: data)
        let scheme = configuration.initializer.scheme(gain: configuration.gain)
        let biasInitializer: Initializer = biasStandardDeviation > 0
            ? .normal(mean: 0, standardDeviation: Float(biasStandardDeviation)) : .zeros
        let layers = widths.dropFirst().enumerated().map { index, outputs in
            LayerDescription(outputs: outputs, activation: index == widths.count - 2 ? .linear : configuration.activation,
                             weightInitializer: scheme, bias: true, biasInitializer: biasInitializer)
        }
        let network = try Network(inputs: widths[0], layers: layers, seed: seed)
        if configuration.initializer.isDataDependent {
            let batch = try data.train.features.rows(0 ..< min(settings.batchSize, data.train.sampleCount))
            _ = try network.initializeLSUV(data: batch, seed: seed)
        }
        return network
    }

    /// Trains one network per configuration on `data`. `observe` sees every event of every run
    /// with the run's index, and may stop that run.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` before anything is allocated when one run
    ///   does not fit; errors of the library calls other than divergence.
    public func run(on data: DatasetSplit,
                    observe: ((Int, TrainingEvent) -> TrainingControl)? = nil) throws -> TrainingResult {
        try MemoryBudget.require(memoryRequirement(for: data), for: "training a \(widths(for: data)) network at batch \(settings.batchSize)")
        var runs: [TrainingRun] = []
        for (index, configuration) in configurations.enumerated() {
            let network = try makeNetwork(configuration, for: data)
            let trainer = try Trainer(network: network, optimizerSettings: configuration.optimizer, data: data, settings: settings)
            if let observe {
                trainer.observers.append(ClosureObserver { event, _ in observe(index, event) })
            }
            let record = try trainer.train()
            runs.append(TrainingRun(configuration: configuration, record: record))
        }
        return TrainingResult(runs: runs)
    }
}

extension TrainingExperiment {
    private enum CodingKeys: String, CodingKey {
        case hiddenWidths, configurations, settings, seed, biasStandardDeviation
    }

    /// Decodes and validates as `init` does (a missing `biasStandardDeviation` is 0).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(hiddenWidths: c.decode([Int].self, forKey: .hiddenWidths),
                      configurations: c.decode([Configuration].self, forKey: .configurations),
                      settings: c.decode(TrainingSettings.self, forKey: .settings), seed: c.decode(UInt64.self, forKey: .seed),
                      biasStandardDeviation: c.decodeIfPresent(Double.self, forKey: .biasStandardDeviation) ?? 0)
    }
}

/// What `TrainingExperiment.run` recorded: one run per configuration.
public struct TrainingResult: Sendable, Hashable, Codable {
    /// One run per configuration, in order.
    public var runs: [TrainingRun]

    /// A result of these runs.
    public init(runs: [TrainingRun]) {
        self.runs = runs
    }
}

/// One configuration's run.
public struct TrainingRun: Sendable, Hashable, Codable {
    /// What was trained.
    public var configuration: TrainingExperiment.Configuration
    /// How it went.
    public var record: TrainingRecord

    /// A run of `configuration`.
    public init(configuration: TrainingExperiment.Configuration, record: TrainingRecord) {
        self.configuration = configuration
        self.record = record
    }
}
