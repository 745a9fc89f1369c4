import Foundation

/// Glorot and Bengio's experiment, for any schemes and activations: one network per
/// (initializer, activation) pair, each fed the same batch of i.i.d. standard-normal inputs, run
/// forward and backward once, and measured layer by layer next to the mean-field prediction.
///
/// Every network has `depth` Dense `width x width` layers on `width` input features (weights from
/// `initializer.scheme(gain:)`, resolved for the layer's activation; when `bias`, biases
/// `N(0, biasStandardDeviation^2)`, zeros by default),
/// seeded by `seed`: weights on `RandomStream.weight(layer:)`, the input batch on
/// `RandomStream.input`, the readout on `RandomStream.readout`. The same experiment gives the same
/// bits whatever the thread count.
///
/// Per layer it records the population variance of `Z`, `A`, `dL/dZ` (batch-mean loss, the `1/B`
/// included), `dL/dW` and `W`, the means of `Z` and `A`, the saturated and dead fractions
/// (`Activation.saturation`), histograms on axes shared by the run's layers, and what
/// `MeanFieldTheory.predict` expects for the scheme's target variance. A network whose values
/// overflow is recorded as diverged at its first non-finite layer; the other runs complete. With
/// `spectrumSamples`, it also records the singular values of the input-output Jacobian
/// (`Network.jacobianSpectrum`) beside the predictions of `SpectrumTheory`.
public struct PropagationExperiment: Sendable, Hashable, Codable {
    /// The loss whose gradient is back-propagated.
    public enum TopLoss: String, Sendable, Hashable, Codable, CaseIterable {
        /// `Loss.randomReadout`: a fixed random linear readout, so the top gradient `R/B` is
        /// independent of the forward pass (`Var = 1/B^2`).
        case readout
        /// `Loss.quadratic`: `0.5 sum A^2 / B`, top gradient `A/B`.
        case quadratic
    }

    /// The schemes compared, in order.
    public private(set) var initializers: [InitializerName]
    /// The activations compared, in order (every layer of a network has the same one).
    public private(set) var activations: [Activation]
    /// Dense layers per network, in `depthRange`.
    public private(set) var depth: Int
    /// Units per layer and input features, in `widthRange`.
    public private(set) var width: Int
    /// Rows of the input batch, in `batchRange`.
    public private(set) var batch: Int
    /// The seed of the weights, the input batch and the readout.
    public private(set) var seed: UInt64
    /// Whether every layer has a bias (drawn with `biasStandardDeviation`; zeros when it is 0).
    public private(set) var bias: Bool
    /// The standard deviation `s_b` of the biases (with `bias`; 0: zeros). The mean-field
    /// predictions use `s_b^2`.
    public private(set) var biasStandardDeviation: Double
    /// Replaces the default gain of the schemes that take one (`InitializerName.scheme(gain:)`):
    /// a number or a rule (`.fixedPoint`, `.critical`, `.ofActivation`).
    public private(set) var gain: Gain?
    /// The loss back-propagated.
    public private(set) var loss: TopLoss
    /// `lsuv`'s tolerance: each layer's variance is brought within `1 ± lsuvTolerance`.
    public private(set) var lsuvTolerance: Double
    /// `lsuv`'s `T_max`: rescalings per layer before it is kept as it is.
    public private(set) var lsuvMaximumIterations: Int
    /// Bins of every histogram (0: none).
    public private(set) var histogramBins: Int
    /// At most this many entries of each tensor are binned (an evenly strided sample).
    public private(set) var histogramSampleLimit: Int
    /// When set, each run also records the singular values of the input-output Jacobian at the
    /// first this many input rows, at `spectrumDepths` (`Network.jacobianSpectrum`), with the
    /// predictions of `SpectrumTheory`: its moments and, where the weights' ensemble is known, its
    /// density on `spectrumDensityPoints` points (nil: not measured).
    public private(set) var spectrumSamples: Int?

    /// Grid points of each predicted density (`SpectrumTheory.density(depth:points:)`).
    public static let spectrumDensityPoints = 96

    /// The depths whose Jacobian spectra are recorded: about a quarter, half, three quarters and
    /// all of `depth` (rounded up, without repeats).
    public var spectrumDepths: [Int] {
        Array(Set([1, 2, 3, 4].map { (depth * $0 + 3) / 4 })).sorted()
    }

    /// The largest depth, width and batch an experiment accepts.
    public static let depthRange = 1...1000
    /// The widths an experiment accepts.
    public static let widthRange = 1...16384
    /// The batch sizes an experiment accepts.
    public static let batchRange = 1...65536

    /// - Throws: `VarianceKitError.invalidParameter` for empty lists, a size outside
    ///   `depthRange`/`widthRange`/`batchRange`, a gain that is not finite and `> 0`, a gain with
    ///   schemes that take none, histogram settings out of range, or `spectrumSamples` outside
    ///   `1...batch`.
    public init(
        initializers: [InitializerName], activations: [Activation], depth: Int, width: Int, batch: Int,
        seed: UInt64, bias: Bool = false, biasStandardDeviation: Double = 0, gain: Gain? = nil, loss: TopLoss = .readout,
        lsuvTolerance: Double = 0.05, lsuvMaximumIterations: Int = 10,
        histogramBins: Int = 50, histogramSampleLimit: Int = 1 << 16, spectrumSamples: Int? = nil
    ) throws {
        guard lsuvTolerance.isFinite, lsuvTolerance > 0, lsuvTolerance < 1 else {
            throw VarianceKitError.invalidParameter(name: "lsuvTolerance", value: "\(lsuvTolerance)", expected: "a number in (0, 1)")
        }
        guard (1...10_000).contains(lsuvMaximumIterations) else {
            throw VarianceKitError.invalidParameter(
                name: "lsuvMaximumIterations", value: "\(lsuvMaximumIterations)", expected: "an integer in 1...10000")
        }
        guard !initializers.isEmpty else {
            throw VarianceKitError.invalidParameter(name: "initializers", value: "[]", expected: "at least one initializer")
        }
        guard !activations.isEmpty else {
            throw VarianceKitError.invalidParameter(name: "activations", value: "[]", expected: "at least one activation")
        }
        for activation in activations { try activation.validate() }
        for (name, value, range) in [("depth", depth, Self.depthRange), ("width", width, Self.widthRange), ("batch", batch, Self.batchRange)]
        where !range.contains(value) {
            throw VarianceKitError.invalidParameter(
                name: name, value: "\(value)", expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        if let gain {
            if case let .value(number) = gain { try VarianceKitError.requirePositiveFinite(number, "gain") }
            let without = initializers.filter { !$0.acceptsGain }
            guard without.isEmpty else {
                throw VarianceKitError.invalidParameter(
                    name: "gain", value: "\(gain) with \(without.map(\.rawValue).joined(separator: ", "))",
                    expected: "schemes that take a gain: \(InitializerName.allCases.filter(\.acceptsGain).map(\.rawValue).joined(separator: ", "))")
            }
        }
        guard biasStandardDeviation.isFinite, biasStandardDeviation >= 0, biasStandardDeviation <= 1e6 else {
            throw VarianceKitError.invalidParameter(
                name: "biasStandardDeviation", value: "\(biasStandardDeviation)", expected: "a finite number in [0, 1e6]")
        }
        guard biasStandardDeviation == 0 || bias else {
            throw VarianceKitError.invalidParameter(
                name: "biasStandardDeviation", value: "\(biasStandardDeviation)", expected: "0 unless the layers have biases (bias: true)")
        }
        guard (0...100_000).contains(histogramBins) else {
            throw VarianceKitError.invalidParameter(name: "histogramBins", value: "\(histogramBins)", expected: "an integer in 0...100000")
        }
        if let spectrumSamples, !(1...batch).contains(spectrumSamples) {
            throw VarianceKitError.invalidParameter(
                name: "spectrumSamples", value: "\(spectrumSamples)", expected: "an integer in 1...\(batch) (the batch)")
        }
        guard histogramSampleLimit >= 1 else {
            throw VarianceKitError.invalidParameter(name: "histogramSampleLimit", value: "\(histogramSampleLimit)", expected: "an integer >= 1")
        }
        self.initializers = initializers
        self.activations = activations
        self.depth = depth
        self.width = width
        self.batch = batch
        self.seed = seed
        self.bias = bias
        self.biasStandardDeviation = biasStandardDeviation
        self.gain = gain
        self.loss = loss
        self.lsuvTolerance = lsuvTolerance
        self.lsuvMaximumIterations = lsuvMaximumIterations
        self.histogramBins = histogramBins
        self.histogramSampleLimit = histogramSampleLimit
        self.spectrumSamples = spectrumSamples
    }

    /// The runs in order: activations outer, initializers inner.
    public var pairs: [(initializer: InitializerName, activation: Activation)] {
        activations.flatMap { activation in initializers.map { (initializer: $0, activation: activation) } }
    }

    /// The widths of every network: `depth + 1` times `width`.
    public var widths: [Int] { [Int](repeating: width, count: depth + 1) }

    /// Bytes the experiment holds at its peak: the input batch, one network at a time
    /// (`Network.memoryFootprint(widths:bias:batchSize:randomReadout:)`, what it allocates) and
    /// the records of every run (eight bytes per statistic and histogram bin).
    public var memoryRequirement: Int {
        let floatSize = MemoryLayout<Float>.stride
        let network = Network.memoryFootprint(widths: widths, bias: bias, batchSize: batch, randomReadout: loss == .readout)
        let perLayerRecord = 8 * (16 + 3 * histogramBins)
        let records = pairs.count.multipliedReportingOverflow(by: depth * perLayerRecord)
        // The Jacobian: two [width, width] buffers, the matrix handed to sgesdd, its copy there and
        // the derivatives of the sampled rows.
        let spectrum = spectrumSamples.map { samples in 4 * width * width * floatSize + depth * samples * width * floatSize } ?? 0
        let total = [batch * width * floatSize, network.total, records.overflow ? Int.max : records.partialValue, spectrum]
            .reduce(0) { sum, part in
                let next = sum.addingReportingOverflow(part)
                return next.overflow ? Int.max : next.partialValue
            }
        return total
    }

    /// Runs every pair in order. `progress` is called with `(completed, total, label)` as each of
    /// the four stages of each run (initialize, forward, backward, measure) begins.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` before allocating anything when
    ///   `memoryRequirement` exceeds `MemoryBudget.availableBytes()`; errors of the library calls.
    public func run(progress: (_ completed: Int, _ total: Int, _ label: String) -> Void = { _, _, _ in }) throws -> PropagationResult {
        try MemoryBudget.require(memoryRequirement, for: "a propagation experiment of depth \(depth), width \(width), batch \(batch)")
        var input = try Matrix(rows: batch, columns: width)
        try RandomFill.normal(&input, seed: seed, stream: RandomStream.input.id)
        let pairs = self.pairs
        let total = 4 * pairs.count
        var runs = [PropagationRun]()
        for (index, pair) in pairs.enumerated() {
            let label = "\(pair.initializer.rawValue) / \(pair.activation.name)"
            runs.append(try runOne(pair.initializer, pair.activation, input: input) { stage, name in
                progress(4 * index + stage, total, "\(label): \(name)")
            })
        }
        progress(total, total, "done")
        return PropagationResult(runs: runs)
    }

    /// One network: build, initialize, forward, backward, measure.
    public func runOne(
        _ initializerName: InitializerName, _ activation: Activation, input: Matrix,
        stage: (Int, String) -> Void = { _, _ in }
    ) throws -> PropagationRun {
        let start = Date()
        stage(0, "initializing")
        let scheme = initializerName.scheme(gain: gain).resolved(for: activation)
        let biasInitializer: Initializer = biasStandardDeviation > 0 ? .normal(mean: 0, standardDeviation: Float(biasStandardDeviation)) : .zeros
        let descriptions = (0..<depth).map { _ in
            LayerDescription(outputs: width, activation: activation, weightInitializer: scheme, bias: bias, biasInitializer: biasInitializer)
        }
        let network = try Network(inputs: width, layers: descriptions, seed: seed)
        let lsuv = initializerName == .lsuv
            ? try network.initializeLSUV(data: input, seed: seed, tolerance: lsuvTolerance,
                                         maximumIterations: lsuvMaximumIterations, orthogonalFirst: false)
            : nil
        stage(1, "forward")
        try network.forward(input)
        stage(2, "backward")
        try network.backward(loss: loss == .readout ? .randomReadout(seed: seed) : .quadratic)
        stage(3, "measuring")
        let probe = network.probe(step: 0, options: try ProbeOptions(histogramBins: 0))

        let divergedAt = probe.nonFinite.map { $0.layer + 1 }
        // LSUV's weights depend on the data: no scheme variance to predict from.
        let predictions = lsuv == nil ? try? prediction(scheme: scheme, activation: activation) : nil
        let analysis = (lsuv == nil ? scheme.targetVariance(fanIn: width, fanOut: width) : nil).flatMap { variance in
            try? MeanFieldTheory(activation: activation).analysis(weightScale: Double(width) * variance, biasVariance: biasVariance)
        }
        let ranges = HistogramRanges(probe: probe)
        let binner = try HistogramBinner(bins: histogramBins, sampleLimit: histogramSampleLimit)
        var layers = [PropagationLayer]()
        layers.reserveCapacity(depth)
        for (l, layer) in probe.layers.enumerated() {
            let histograms = LayerHistograms(
                preactivation: binner.histogram(network.preActivation(ofLayer: l), on: ranges.preactivation),
                activation: binner.histogram(network.activation(ofLayer: l), on: ranges.activation),
                gradient: binner.histogram(network.preActivationGradient(ofLayer: l), on: ranges.gradient))
            layers.append(PropagationLayer(
                index: l + 1,
                preactivationMean: Self.finiteStatistic(layer.preActivation, \.mean),
                preactivationVariance: Self.finiteStatistic(layer.preActivation, \.variance),
                activationMean: Self.finiteStatistic(layer.activation, \.mean),
                activationVariance: Self.finiteStatistic(layer.activation, \.variance),
                gradientVariance: Self.finiteStatistic(layer.preActivationGradient, \.variance),
                weightGradientVariance: Self.finiteStatistic(layer.weightGradient, \.variance),
                weightVariance: Self.finiteStatistic(layer.weight, \.variance),
                saturatedFraction: layer.saturatedFraction ?? 0,
                deadFraction: layer.deadFraction ?? 0,
                histograms: histograms,
                theory: PredictedVariances(predictions?[l])))
        }
        let spectrum = try spectrumSamples.map { samples in
            var spectrum = try network.jacobianSpectrum(inputs: input, samples: samples, depths: spectrumDepths)
            // LSUV's weights depend on the data: no scheme variance to predict from.
            if lsuv == nil, let variance = scheme.targetVariance(fanIn: width, fanOut: width) {
                let theory = SpectrumTheory(activation: activation, weightScale: Double(width) * variance,
                                            biasVariance: biasVariance, ensemble: scheme.weightEnsemble)
                for (i, prediction) in try theory.predictions(depths: spectrum.depths.map(\.depth)).enumerated() {
                    spectrum.depths[i].prediction = prediction
                    do {
                        spectrum.depths[i].density = try theory.density(depth: prediction.depth, points: Self.spectrumDensityPoints)
                    } catch let error as VarianceKitError {
                        // A law with an atom at σ² > 0, or equations that could not be solved: the
                        // measured spectrum and the moments stand without a density.
                        spectrum.depths[i].densityUnavailable = error.description
                    }
                }
            }
            return spectrum
        }
        return PropagationRun(
            initializer: initializerName.rawValue, activation: activation.name,
            formula: lsuv == nil ? scheme.formula(fanIn: width, fanOut: width)
                : "LSUV (Mishkin & Matas 2016): orthogonal, then each layer's W rescaled until Var(Z) = 1 ± \(lsuvTolerance), at most \(lsuvMaximumIterations) times",
            gain: scheme.gain.flatMap { if case let .value(g) = $0 { Double(g) } else { nil } },
            weightVarianceTarget: scheme.targetVariance(fanIn: width, fanOut: width) ?? .nan,
            status: divergedAt == nil ? .ok : .diverged,
            divergedAtLayer: divergedAt,
            seconds: Date().timeIntervalSince(start),
            layers: layers,
            meanField: analysis,
            trainability: analysis.map { TrainabilityVerdict(depth: depth, analysis: $0) },
            lsuv: lsuv,
            spectrum: spectrum)
    }

    /// `s_b^2` of the predictions: `biasStandardDeviation^2` with `bias`, else 0.
    public var biasVariance: Double { bias ? biasStandardDeviation * biasStandardDeviation : 0 }

    /// The mean-field prediction for this scheme's target variance (every layer `width x width`,
    /// biases of variance `biasVariance`, unit-variance inputs); under the quadratic loss only the forward quantities and
    /// the top layer's gradient.
    func prediction(scheme: Initializer, activation: Activation) throws -> [LayerPrediction] {
        guard let variance = scheme.targetVariance(fanIn: width, fanOut: width) else { return [] }
        let top: MeanFieldTheory.TopGradient = loss == .readout
            ? .independent(variance: 1 / (Double(batch) * Double(batch)))
            : .proportional(scale: 1 / Double(batch))
        var predictions = try MeanFieldTheory(activation: activation).predict(
            widths: widths, weightVariances: [Double](repeating: variance, count: depth),
            biasVariances: [Double](repeating: biasVariance, count: depth),
            inputSecondMoment: 1, topGradient: top, batch: batch)
        if loss == .quadratic {
            // The backward recursion assumes the top gradient independent of the forward pass (true
            // for the readout). With dL/dA = A/B it is not: below the top layer the gradient is
            // W^T W ... A, whose variance the independent-products theory underestimates (about 2x per
            // layer for Gaussian weights), and dL/dW = dZ^T A correlates its two factors. Only the
            // top layer's gradient variance is predicted then.
            for l in predictions.indices {
                if l < predictions.count - 1 { predictions[l].gradientVariance = .nan }
                predictions[l].weightGradientVariance = .nan
            }
        }
        return predictions
    }

    /// A statistic when the tensor has no inf/NaN (else nil: the layer diverged).
    static func finiteStatistic(_ statistics: TensorStatistics?, _ key: KeyPath<TensorStatistics, Double?>) -> Double? {
        guard let statistics, statistics.nonFiniteCount == 0, let value = statistics[keyPath: key] else { return nil }
        return value.isFinite ? value : nil
    }
}

extension PropagationExperiment {
    enum CodingKeys: String, CodingKey {
        case initializers, activations, depth, width, batch, seed, bias, biasStandardDeviation, gain, loss
        case lsuvTolerance, lsuvMaximumIterations, histogramBins, histogramSampleLimit, spectrumSamples
    }

    /// Decodes the settings and validates them as `init` does, so a decoded experiment is one
    /// the initializer accepts.
    ///
    /// - Throws: `DecodingError` for missing or mistyped fields; the initializer's
    ///   `VarianceKitError` for values out of range.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            initializers: try c.decode([InitializerName].self, forKey: .initializers),
            activations: try c.decode([Activation].self, forKey: .activations),
            depth: try c.decode(Int.self, forKey: .depth), width: try c.decode(Int.self, forKey: .width),
            batch: try c.decode(Int.self, forKey: .batch), seed: try c.decode(UInt64.self, forKey: .seed),
            bias: try c.decode(Bool.self, forKey: .bias),
            biasStandardDeviation: try c.decode(Double.self, forKey: .biasStandardDeviation),
            gain: try c.decodeIfPresent(Gain.self, forKey: .gain), loss: try c.decode(TopLoss.self, forKey: .loss),
            lsuvTolerance: try c.decode(Double.self, forKey: .lsuvTolerance),
            lsuvMaximumIterations: try c.decode(Int.self, forKey: .lsuvMaximumIterations),
            histogramBins: try c.decode(Int.self, forKey: .histogramBins),
            histogramSampleLimit: try c.decode(Int.self, forKey: .histogramSampleLimit),
            spectrumSamples: try c.decodeIfPresent(Int.self, forKey: .spectrumSamples))
    }
}
