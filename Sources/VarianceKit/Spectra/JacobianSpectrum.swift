import Foundation

/// The singular values of a network's input-output Jacobian at a few depths, for a few sample
/// inputs (`Network.jacobianSpectrum(inputs:samples:depths:histogramBins:)`).
///
/// For a Dense network with `Z_l = A_{l-1} W_lᵀ + b_l`, `A_l = φ(Z_l)` and weights `W_l`
/// `[outputs, inputs]`, the Jacobian of layer `l`'s output with respect to one input row `x` is
///
///     J_l = D_l W_l ⋯ D_1 W_1,      D_k = diag(φ'(z_k)),
///
/// a `widths[l] x inputs` matrix; its `min(widths[l], inputs)` singular values say how the network
/// stretches a small perturbation of `x` in each direction. Dynamical isometry (Saxe et al. 2014,
/// Pennington, Schoenholz & Ganguli 2017) is all of them near 1. Plain Codable data: statistics
/// that are not finite encode as JSON `null`.
public struct JacobianSpectrum: Codable, Sendable, Equatable {
    /// How many input rows the spectra pool (the first `samples` rows of the inputs).
    public var samples: Int
    /// One entry per depth asked for, in increasing depth.
    public var depths: [DepthSpectrum]
    /// Wall-clock time of the forward pass, the Jacobians and their singular values.
    public var seconds: Double

    public init(samples: Int, depths: [DepthSpectrum], seconds: Double) {
        self.samples = samples
        self.depths = depths
        self.seconds = seconds
    }
}

/// The singular values of `J_depth` over the samples, summarized, with a theory beside them.
public struct DepthSpectrum: Codable, Sendable, Equatable {
    /// 1-based: the Jacobian of this layer's output.
    public var depth: Int
    /// Samples whose Jacobian held inf or NaN at this depth; their singular values are left out.
    public var nonFiniteSamples: Int
    /// Over the singular values of every finite sample; nil when no sample was finite.
    public var summary: SingularValueSummary?
    /// Singular values on a log axis, pooled over the finite samples.
    public var histogram: LogHistogram
    /// What free probability and mean-field theory expect (filled in by callers that know the
    /// weights' distribution, as `PropagationExperiment` does; nil otherwise).
    public var prediction: SpectrumPrediction?
    /// The wide-limit law of `σ²` that free probability expects (`SpectrumTheory.density`), filled
    /// in beside `prediction` when the weights' ensemble is known; nil otherwise, or when it has no
    /// density (`densityUnavailable` then says why).
    public var density: SpectrumDensity?
    /// Why `density` is nil although a prediction was made: the law has an atom at `σ² > 0` (a
    /// linear network of orthogonal weights), or its equations could not be solved.
    public var densityUnavailable: String?

    public init(depth: Int, nonFiniteSamples: Int, summary: SingularValueSummary?, histogram: LogHistogram,
                prediction: SpectrumPrediction? = nil, density: SpectrumDensity? = nil, densityUnavailable: String? = nil) {
        self.depth = depth
        self.nonFiniteSamples = nonFiniteSamples
        self.summary = summary
        self.histogram = histogram
        self.prediction = prediction
        self.density = density
        self.densityUnavailable = densityUnavailable
    }

    public func encode(to encoder: Encoder) throws {
        // Every key is written, nil as null.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(depth, forKey: .depth)
        try container.encode(nonFiniteSamples, forKey: .nonFiniteSamples)
        try container.encode(summary, forKey: .summary)
        try container.encode(histogram, forKey: .histogram)
        try container.encode(prediction, forKey: .prediction)
        try container.encode(density, forKey: .density)
        try container.encode(densityUnavailable, forKey: .densityUnavailable)
    }
}

/// A histogram of positive values on a log axis: `counts.count` bins of equal width in
/// `log10(value)` from `lowerLog10` to `upperLog10`; exact zeros are counted in `zeros`, not binned.
public struct LogHistogram: Codable, Sendable, Equatable {
    public var lowerLog10: Double
    public var upperLog10: Double
    public var counts: [Int]
    public var zeros: Int

    /// No bins (no positive value, or no bins asked for).
    public static let empty = LogHistogram(lowerLog10: 0, upperLog10: 0, counts: [], zeros: 0)

    public init(lowerLog10: Double, upperLog10: Double, counts: [Int], zeros: Int) {
        self.lowerLog10 = lowerLog10
        self.upperLog10 = upperLog10
        self.counts = counts
        self.zeros = zeros
    }

    /// The number of binned values.
    public var total: Int { counts.reduce(0, +) }

    /// A degenerate span (every value equal) is widened to this many decades around its value.
    public static let minimumSpan = 0.1

    /// The most bins a histogram is made with.
    public static let maximumBins = 100_000

    /// `bins` bins spanning the positive finite `values` (`[min, max]` in log10, widened to
    /// `minimumSpan` decades when narrower); zeros counted apart; negative and non-finite values
    /// (which singular values never are) ignored.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for `bins` outside `0...maximumBins`.
    public init(_ values: [Double], bins: Int) throws {
        guard (0...Self.maximumBins).contains(bins) else {
            throw VarianceKitError.invalidParameter(name: "bins", value: "\(bins)", expected: "an integer in 0...\(Self.maximumBins)")
        }
        let positive = values.filter { $0 > 0 && $0.isFinite }
        let zeros = values.count { $0 == 0 }
        guard bins > 0, let smallest = positive.min(), let largest = positive.max() else {
            self = LogHistogram(lowerLog10: 0, upperLog10: 0, counts: [], zeros: zeros)
            return
        }
        var lower = log10(smallest), upper = log10(largest)
        if upper - lower < Self.minimumSpan {
            let middle = (lower + upper) / 2
            (lower, upper) = (middle - Self.minimumSpan / 2, middle + Self.minimumSpan / 2)
        }
        let scale = Double(bins) / (upper - lower)
        var counts = [Int](repeating: 0, count: bins)
        for value in positive {
            let position = (log10(value) - lower) * scale
            let bin = !(position >= 0) ? 0 : (position >= Double(bins) ? bins - 1 : Int(position))
            counts[bin] += 1
        }
        self = LogHistogram(lowerLog10: lower, upperLog10: upper, counts: counts, zeros: zeros)
    }
}
