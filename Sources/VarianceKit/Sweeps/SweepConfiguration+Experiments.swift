import Foundation

/// The data of a `train` configuration: which synthetic dataset, how many samples, its options,
/// its seed and the split. Every configuration with the same data settings trains on the same
/// samples.
public struct SweepDataSettings: Sendable, Hashable {
    /// The dataset.
    public var dataset: SyntheticDatasetName
    /// Its samples before the split.
    public var samples: Int
    /// Features, classes and noise, where given.
    public var options: SyntheticDatasetOptions
    /// The seed of the samples and of the split.
    public var seed: UInt64
    /// The fractions held out for validation and for the test.
    public var validationFraction: Double, testFraction: Double

    /// The standardized split: the dataset drawn from `seed`, split by `seed`, each feature
    /// standardized on the training split.
    ///
    /// - Throws: the dataset's and the split's errors.
    public func makeSplit() throws -> DatasetSplit {
        let data = try dataset.makeDataset(samples: samples, seed: seed, options: options)
        let split = try data.split(validationFraction: validationFraction, testFraction: testFraction, seed: seed)
        return try split.standardized().split
    }

    /// Bytes of a split of `samples` samples: features and targets, twice (the drawn dataset and
    /// its standardized copy).
    static func memoryRequirement(samples: Int, features: Int, outputs: Int) -> Int {
        let perSample = (features + outputs).multipliedReportingOverflow(by: 8)
        let total = samples.multipliedReportingOverflow(by: perSample.partialValue)
        return perSample.overflow || total.overflow ? Int.max : total.partialValue
    }
}

extension SweepConfiguration {
    /// The scheme and gain: `he-normal` with gain `sigma_w` when `weight-variance` is given
    /// (weights `N(0, sigma_w^2 / fan_in)`), else the `initializer` and `gain` settings.
    func scheme() throws -> (name: InitializerName, gain: Gain?) {
        if let weightVariance = number("weight-variance") {
            return (.heNormal, .value(Float(weightVariance.squareRoot())))
        }
        let name = try InitializerName.named(text("initializer") ?? InitializerName.xavierNormal.rawValue)
        let gain: Gain? = try settings["gain"].map { try Gain(parsing: $0.description) }
        return (name, gain)
    }

    /// The activation.
    func activation() throws -> Activation { try Activation.named(requiredText("activation")) }

    /// The `propagate` experiment of this configuration: one scheme, one activation, biases
    /// `N(0, sigma_b^2)` when `bias-variance` > 0, on `seed`.
    public func propagationExperiment() throws -> PropagationExperiment {
        let (name, gain) = try scheme()
        let biasVariance = requiredNumber("bias-variance")
        return try PropagationExperiment(
            initializers: [name], activations: [try activation()], depth: requiredInteger("depth"), width: requiredInteger("width"),
            batch: requiredInteger("batch"), seed: seed, bias: biasVariance > 0, biasStandardDeviation: biasVariance.squareRoot(),
            gain: gain, histogramBins: 0)
    }

    /// The data settings of a `train` configuration.
    public func dataSettings() throws -> SweepDataSettings {
        SweepDataSettings(
            dataset: try SyntheticDatasetName.named(requiredText("dataset")),
            samples: requiredInteger("samples"),
            options: SyntheticDatasetOptions(features: integer("features"), classes: integer("classes"), noise: number("noise")),
            seed: UInt64(requiredInteger("data-seed")),
            validationFraction: requiredNumber("validation-fraction"), testFraction: requiredNumber("test-fraction"))
    }

    /// The `train` experiment of this configuration: `depth` hidden layers of `width`, biases
    /// `N(0, sigma_b^2)`, weights and minibatch order from `seed`; evaluated every
    /// `evaluate-every` steps (0: at the end only).
    public func trainingExperiment() throws -> TrainingExperiment {
        let (name, gain) = try scheme()
        let optimizer = try OptimizerSettings(
            algorithm: OptimizerSettings.algorithm(named: requiredText("optimizer")),
            learningRate: Float(requiredNumber("learning-rate")), momentum: Float(requiredNumber("momentum")),
            penalty: PenaltySettings(parsing: requiredText("penalty")), weightDecay: Float(requiredNumber("weight-decay")))
        let steps = requiredInteger("steps")
        let every = requiredInteger("evaluate-every")
        guard every <= steps else {
            throw VarianceKitError.invalidParameter(name: "evaluate-every", value: "\(every)", expected: "at most steps (\(steps)), or 0 for the end only")
        }
        let settings = try TrainingSettings(batchSize: requiredInteger("batch"), steps: steps, evaluateEvery: every == 0 ? steps : every,
                                            shuffleSeed: seed)
        return try TrainingExperiment(
            hiddenWidths: Array(repeating: requiredInteger("width"), count: requiredInteger("depth")),
            configurations: [TrainingExperiment.Configuration(initializer: name, gain: gain, activation: try activation(), optimizer: optimizer)],
            settings: settings, seed: seed, biasStandardDeviation: requiredNumber("bias-variance").squareRoot())
    }

    /// `sigma_w^2` and `sigma_b^2` of a `theory` configuration.
    public func theoryVariances() -> (weight: Double, bias: Double) {
        (number("weight-variance") ?? 1, requiredNumber("bias-variance"))
    }
}
