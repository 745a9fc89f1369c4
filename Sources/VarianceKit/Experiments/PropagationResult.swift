/// What `PropagationExperiment.run` measured: one run per (initializer, activation) pair, in the
/// experiment's order. Plain Codable data: statistics that are not finite (a diverged run) are nil
/// and encode as JSON `null`, with `PropagationRun.status` saying why.
public struct PropagationResult: Codable, Sendable, Equatable {
    /// One run per (initializer, activation) pair, activations outer, initializers inner.
    public var runs: [PropagationRun]

    /// A result of these runs.
    public init(runs: [PropagationRun]) {
        self.runs = runs
    }
}

/// One (initializer, activation) network.
public struct PropagationRun: Codable, Sendable, Equatable {
    /// `InitializerName.rawValue`.
    public var initializer: String
    /// `Activation.name`.
    public var activation: String
    /// `Initializer.formula(fanIn:fanOut:)` of the scheme used.
    public var formula: String
    /// The gain used (nil for schemes without one).
    public var gain: Double?
    /// `Initializer.targetVariance(fanIn:fanOut:)` (NaN where undefined).
    public var weightVarianceTarget: Double
    /// `ok`, or `diverged` when a layer's statistics are not finite.
    public var status: RunStatus
    /// 1-based: the first layer whose statistics are not finite.
    public var divergedAtLayer: Int?
    /// Wall-clock time of the run.
    public var seconds: Double
    /// From the first layer (index 1) to the last.
    public var layers: [PropagationLayer]
    /// Mean-field theory at `s_w^2 = width Var(W)`, `s_b^2` of the biases: `q*`, `chi_1`, the
    /// phase and the depth scales (nil where the scheme has no target variance).
    public var meanField: MeanFieldAnalysis?
    /// The depth against `6 xi_c`.
    public var trainability: TrainabilityVerdict?
    /// What LSUV did, layer by layer (the `lsuv` initializer only).
    public var lsuv: LSUVReport?
    /// The input-output Jacobian's singular values at a few depths, with the free-probability and
    /// mean-field predictions (when the experiment has `spectrumSamples`).
    public var spectrum: JacobianSpectrum?

    /// A run record with these values.
    public init(initializer: String, activation: String, formula: String, gain: Double?, weightVarianceTarget: Double,
                status: RunStatus, divergedAtLayer: Int?, seconds: Double, layers: [PropagationLayer],
                meanField: MeanFieldAnalysis? = nil, trainability: TrainabilityVerdict? = nil, lsuv: LSUVReport? = nil,
                spectrum: JacobianSpectrum? = nil) {
        self.initializer = initializer
        self.activation = activation
        self.formula = formula
        self.gain = gain
        self.weightVarianceTarget = weightVarianceTarget
        self.status = status
        self.divergedAtLayer = divergedAtLayer
        self.seconds = seconds
        self.layers = layers
        self.meanField = meanField
        self.trainability = trainability
        self.lsuv = lsuv
        self.spectrum = spectrum
    }

    enum CodingKeys: String, CodingKey {
        case initializer = "init"
        case activation, formula, gain, weightVarianceTarget, status, divergedAtLayer, seconds, layers
        case meanField, trainability, lsuv, spectrum
    }

    /// Writes every key, `nil` as null and a `weightVarianceTarget` that is not finite as null.
    public func encode(to encoder: Encoder) throws {
        // Every key is written, nil as null.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(initializer, forKey: .initializer)
        try container.encode(activation, forKey: .activation)
        try container.encode(formula, forKey: .formula)
        try container.encode(gain, forKey: .gain)
        try container.encode(weightVarianceTarget.isFinite ? weightVarianceTarget : nil, forKey: .weightVarianceTarget)
        try container.encode(status, forKey: .status)
        try container.encode(divergedAtLayer, forKey: .divergedAtLayer)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(layers, forKey: .layers)
        try container.encode(meanField, forKey: .meanField)
        try container.encode(trainability, forKey: .trainability)
        try container.encode(lsuv, forKey: .lsuv)
        try container.encode(spectrum, forKey: .spectrum)
    }

    /// Reads what `encode(to:)` writes; a null `weightVarianceTarget` becomes NaN.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        initializer = try container.decode(String.self, forKey: .initializer)
        activation = try container.decode(String.self, forKey: .activation)
        formula = try container.decode(String.self, forKey: .formula)
        gain = try container.decodeIfPresent(Double.self, forKey: .gain)
        weightVarianceTarget = try container.decodeIfPresent(Double.self, forKey: .weightVarianceTarget) ?? .nan
        status = try container.decode(RunStatus.self, forKey: .status)
        divergedAtLayer = try container.decodeIfPresent(Int.self, forKey: .divergedAtLayer)
        seconds = try container.decode(Double.self, forKey: .seconds)
        layers = try container.decode([PropagationLayer].self, forKey: .layers)
        meanField = try container.decodeIfPresent(MeanFieldAnalysis.self, forKey: .meanField)
        trainability = try container.decodeIfPresent(TrainabilityVerdict.self, forKey: .trainability)
        lsuv = try container.decodeIfPresent(LSUVReport.self, forKey: .lsuv)
        spectrum = try container.decodeIfPresent(JacobianSpectrum.self, forKey: .spectrum)
    }
}

/// Per-layer measurements of one run, with the mean-field prediction beside them. Variances are
/// population variances over all entries (batch x width, or the whole weight); nil where the
/// tensor was not finite.
public struct PropagationLayer: Codable, Sendable, Equatable {
    /// 1-based.
    public var index: Int
    /// `Z = A_{l-1} Wᵀ (+ b)`.
    public var preactivationMean: Double?
    /// `Var(Z)`.
    public var preactivationVariance: Double?
    /// `A = φ(Z)`.
    public var activationMean: Double?
    /// `Var(A)`.
    public var activationVariance: Double?
    /// `dL/dZ` for the batch-mean loss (the `1/B` included).
    public var gradientVariance: Double?
    /// `dL/dW`.
    public var weightGradientVariance: Double?
    /// `W` itself.
    public var weightVariance: Double?
    /// Fraction of the entries of `A` where the activation saturates (`Activation.saturation`).
    public var saturatedFraction: Double
    /// Fraction of the entries of `A` where the activation is dead (zero gradient; `Activation.saturation`).
    public var deadFraction: Double
    /// Histograms of `Z`, `A` and `dL/dZ` on the run's shared axes.
    public var histograms: LayerHistograms
    /// The mean-field prediction for this layer.
    public var theory: PredictedVariances

    /// A layer record with these values.
    public init(index: Int, preactivationMean: Double?, preactivationVariance: Double?, activationMean: Double?,
                activationVariance: Double?, gradientVariance: Double?, weightGradientVariance: Double?,
                weightVariance: Double?, saturatedFraction: Double, deadFraction: Double,
                histograms: LayerHistograms, theory: PredictedVariances) {
        self.index = index
        self.preactivationMean = preactivationMean
        self.preactivationVariance = preactivationVariance
        self.activationMean = activationMean
        self.activationVariance = activationVariance
        self.gradientVariance = gradientVariance
        self.weightGradientVariance = weightGradientVariance
        self.weightVariance = weightVariance
        self.saturatedFraction = saturatedFraction
        self.deadFraction = deadFraction
        self.histograms = histograms
        self.theory = theory
    }

    /// Writes every key, `nil` as null, so that every layer has every key.
    public func encode(to encoder: Encoder) throws {
        // Every key is written, nil as null, so that every layer has every key.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(preactivationMean, forKey: .preactivationMean)
        try container.encode(preactivationVariance, forKey: .preactivationVariance)
        try container.encode(activationMean, forKey: .activationMean)
        try container.encode(activationVariance, forKey: .activationVariance)
        try container.encode(gradientVariance, forKey: .gradientVariance)
        try container.encode(weightGradientVariance, forKey: .weightGradientVariance)
        try container.encode(weightVariance, forKey: .weightVariance)
        try container.encode(saturatedFraction, forKey: .saturatedFraction)
        try container.encode(deadFraction, forKey: .deadFraction)
        try container.encode(histograms, forKey: .histograms)
        try container.encode(theory, forKey: .theory)
    }
}

/// Histograms of one layer (see `HistogramBinner`).
public struct LayerHistograms: Codable, Sendable, Equatable {
    /// Of `Z`.
    public var preactivation: HistogramCounts
    /// Of `A`.
    public var activation: HistogramCounts
    /// Of `dL/dZ`.
    public var gradient: HistogramCounts

    /// The three histograms of a layer.
    public init(preactivation: HistogramCounts, activation: HistogramCounts, gradient: HistogramCounts) {
        self.preactivation = preactivation
        self.activation = activation
        self.gradient = gradient
    }
}

/// A fixed-bin histogram on `[lower, upper]`: equal-width bins, values outside counted in the end
/// bins, non-finite values not counted; `zeros` says how many counted values were exactly 0 (dead
/// ReLU units and their gradients), which are also in their bin.
public struct HistogramCounts: Codable, Sendable, Equatable {
    /// The lower end of the axis.
    public var lower: Double
    /// The upper end of the axis.
    public var upper: Double
    /// Entries per bin, from `lower` to `upper`.
    public var counts: [Int]
    /// How many counted entries were exactly 0.
    public var zeros: Int

    /// No bins (a tensor with no finite spread).
    public static let empty = HistogramCounts(lower: 0, upper: 0, counts: [], zeros: 0)

    /// A histogram with these bins.
    public init(lower: Double, upper: Double, counts: [Int], zeros: Int) {
        self.lower = lower
        self.upper = upper
        self.counts = counts
        self.zeros = zeros
    }

    /// The number of counted entries.
    public var total: Int { counts.reduce(0, +) }
}

/// The mean-field prediction for one layer (`MeanFieldTheory.predict`); nil where it is not
/// finite or not predicted.
public struct PredictedVariances: Codable, Sendable, Equatable {
    /// `Var(Z)` predicted.
    public var preactivationVariance: Double?
    /// `Var(A)` predicted.
    public var activationVariance: Double?
    /// `Var(dL/dZ)` predicted.
    public var gradientVariance: Double?
    /// `Var(dL/dW)` predicted.
    public var weightGradientVariance: Double?

    /// The finite values of `prediction` (nil: none predicted).
    public init(_ prediction: LayerPrediction?) {
        func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        preactivationVariance = finite(prediction?.preactivationVariance)
        activationVariance = finite(prediction?.activationVariance)
        gradientVariance = finite(prediction?.gradientVariance)
        weightGradientVariance = finite(prediction?.weightGradientVariance)
    }

    /// Writes every key, `nil` as null.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(preactivationVariance, forKey: .preactivationVariance)
        try container.encode(activationVariance, forKey: .activationVariance)
        try container.encode(gradientVariance, forKey: .gradientVariance)
        try container.encode(weightGradientVariance, forKey: .weightGradientVariance)
    }
}
