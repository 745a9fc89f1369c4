/// How much detail a probe records.
public struct ProbeOptions: Sendable, Hashable, Codable {
    /// Number of histogram bins per tensor (0: no histograms).
    public private(set) var histogramBins: Int
    /// At most this many entries of each tensor are binned (evenly spread runs of 64 consecutive entries, see `Histogram`); moments,
    /// minimum and maximum always use every entry.
    public private(set) var histogramSampleLimit: Int

    /// 32 bins over at most 16384 entries per tensor: what `probe(step:)` uses by default, cheap
    /// enough to probe every training step.
    public static let standard = ProbeOptions(validatedBins: 32, sampleLimit: 16_384)

    /// - Throws: `VarianceKitError.invalidParameter` when `histogramBins` is not in `0...100_000` or
    ///   `histogramSampleLimit < 1`.
    public init(histogramBins: Int = 32, histogramSampleLimit: Int = 16_384) throws {
        guard (0...100_000).contains(histogramBins) else {
            throw VarianceKitError.invalidParameter(
                name: "histogramBins", value: "\(histogramBins)", expected: "an integer in 0...100000")
        }
        guard histogramSampleLimit >= 1 else {
            throw VarianceKitError.invalidParameter(
                name: "histogramSampleLimit", value: "\(histogramSampleLimit)", expected: "an integer >= 1")
        }
        self.init(validatedBins: histogramBins, sampleLimit: histogramSampleLimit)
    }

    private init(validatedBins: Int, sampleLimit: Int) {
        histogramBins = validatedBins
        histogramSampleLimit = sampleLimit
    }

    private enum CodingKeys: String, CodingKey { case histogramBins, histogramSampleLimit }

    /// Decodes and validates as `init(histogramBins:histogramSampleLimit:)` does.
    ///
    /// - Throws: `DecodingError` for missing or mistyped fields; `VarianceKitError.invalidParameter`
    ///   for values out of range.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(histogramBins: c.decode(Int.self, forKey: .histogramBins),
                      histogramSampleLimit: c.decode(Int.self, forKey: .histogramSampleLimit))
    }
}

/// The tensors of one layer that a probe measures. `allCases` is the order in which they are
/// handed to the probe's threads: the parameter-sized ones first, the batch-sized ones next, the
/// vectors last.
public enum ProbedTensor: String, CaseIterable, Codable, Sendable, Hashable {
    /// `W`.
    case weight
    /// `dL/dW`.
    case weightGradient
    /// `Z = X Wᵀ + b`.
    case preActivation
    /// `A = φ(Z)`.
    case activation
    /// `dL/dZ`.
    case preActivationGradient
    /// `b`.
    case bias
    /// `dL/db`.
    case biasGradient

    /// The order in which the forward pass computes them within a layer.
    public static let forwardOrder: [ProbedTensor] = [.weight, .bias, .preActivation, .activation]
    /// The order in which the backward pass computes them within a layer.
    public static let backwardOrder: [ProbedTensor] = [.preActivationGradient, .weightGradient, .biasGradient]
}

/// Where a non-finite value (inf or NaN) was found: the probe's step, the 0-based layer and the
/// tensor.
public struct NonFiniteLocation: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The probe's step.
    public var step: Int
    /// 0-based layer index.
    public var layer: Int
    /// The tensor that holds the value.
    public var tensor: ProbedTensor

    /// The location of a non-finite value in `tensor` of layer `layer` (0-based) at `step`.
    public init(step: Int, layer: Int, tensor: ProbedTensor) {
        self.step = step
        self.layer = layer
        self.tensor = tensor
    }

    /// For example `step 3, layer 2, activation` (the layer 1-based).
    public var description: String { "step \(step), layer \(layer + 1), \(tensor.rawValue)" }
}

/// The statistics of one layer at one probe. Tensors that do not exist yet are nil: `Z` and `A`
/// before the first forward pass, the gradients before the first backward pass.
public struct LayerProbe: Codable, Sendable, Equatable {
    /// 0-based layer index.
    public var layer: Int
    /// The layer's fan-in.
    public var inputs: Int
    /// The layer's fan-out.
    public var outputs: Int
    /// `Activation.description` of the layer's activation.
    public var activationName: String
    /// `W`.
    public var weight: TensorStatistics
    /// `b` (nil without bias).
    public var bias: TensorStatistics?
    /// `Z = X Wᵀ + b`.
    public var preActivation: TensorStatistics?
    /// `A = φ(Z)`.
    public var activation: TensorStatistics?
    /// `dL/dZ`.
    public var preActivationGradient: TensorStatistics?
    /// `dL/dW`.
    public var weightGradient: TensorStatistics?
    /// `dL/db` (nil without bias).
    public var biasGradient: TensorStatistics?
    /// Fraction of `A` in the saturated region of `Activation.saturation` (`|a| > 0.99` for tanh,
    /// `a < 0.01` or `a > 0.99` for sigmoid, `|a| > 0.9` for softsign); nil for other activations
    /// or before a forward pass.
    public var saturatedFraction: Double?
    /// Fraction of `A` exactly 0 for ReLU (`Activation.SaturationRule.exactlyZero`); nil for other
    /// activations or before a forward pass.
    public var deadFraction: Double?

    /// The statistics of `tensor` in this layer (nil where it does not exist yet, or no bias).
    public func statistics(of tensor: ProbedTensor) -> TensorStatistics? {
        switch tensor {
        case .weight: return weight
        case .bias: return bias
        case .preActivation: return preActivation
        case .activation: return activation
        case .preActivationGradient: return preActivationGradient
        case .weightGradient: return weightGradient
        case .biasGradient: return biasGradient
        }
    }
}

/// A snapshot of every layer's statistics, plain Codable data for printing and saving as JSON.
///
/// All numbers are finite (statistics skip non-finite entries and count them), except that
/// `loss` is nil when it was not finite, so `JSONEncoder` with its default strategies can encode it.
public struct NetworkProbe: Codable, Sendable, Equatable {
    /// The training step given to `probe(step:)`.
    public var step: Int
    /// The batch size of the last pass (0 before any).
    public var batchSize: Int
    /// The last backward pass's loss (nil before one, or when it was not finite).
    public var loss: Double?
    /// One entry per layer, in forward order.
    public var layers: [LayerProbe]
    /// The first non-finite tensor in this probe, in the order the values were computed (forward
    /// through the layers: weight, bias, Z, A; then backward from the top: dL/dZ, dL/dW, dL/db).
    public var nonFinite: NonFiniteLocation?
    /// The earliest `nonFinite` of all probes of this network so far (the step where it started).
    public var firstNonFinite: NonFiniteLocation?
}
