/// Histograms of a tensor on a given axis, from an evenly strided sample of its entries: the
/// figures of a propagation run share one axis per quantity across layers (`HistogramRanges`),
/// which the probe's own histograms (each on its own `[min, max]`) cannot give.
public struct HistogramBinner: Sendable, Hashable {
    /// Number of bins (0: every histogram is `HistogramCounts.empty`).
    public private(set) var bins: Int
    /// At most about this many entries are binned: every `max(1, count / sampleLimit)`-th entry.
    public private(set) var sampleLimit: Int

    /// The bin counts a binner accepts (those of `ProbeOptions`).
    public static let binRange = 0...100_000

    /// A binner of `bins` bins that looks at about `sampleLimit` entries of each tensor (at least 1).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` when `bins` is not in `binRange`.
    public init(bins: Int, sampleLimit: Int) throws {
        guard Self.binRange.contains(bins) else {
            throw VarianceKitError.invalidParameter(
                name: "histogram bins", value: "\(bins)", expected: "an integer in \(Self.binRange.lowerBound)...\(Self.binRange.upperBound)")
        }
        self.bins = bins
        self.sampleLimit = Swift.max(1, sampleLimit)
    }

    /// The histogram of `matrix` on `range`; entries outside go to the end bins, non-finite
    /// entries are skipped. Empty for a nil or degenerate range.
    public func histogram(_ matrix: Matrix, on range: ClosedRange<Double>?) -> HistogramCounts {
        guard bins > 0, let range, range.upperBound > range.lowerBound else { return .empty }
        var counts = [Int](repeating: 0, count: bins)
        var zeros = 0
        // In Double: a range narrower than Float resolves would give an infinite Float scale and
        // 0 x inf = NaN at the lower bound.
        let lower = range.lowerBound
        let scale = Double(bins) / (range.upperBound - range.lowerBound)
        guard scale.isFinite else { return .empty }
        matrix.withUnsafeBufferPointer { buffer in
            let stride = Swift.max(1, buffer.count / sampleLimit)
            var index = 0
            while index < buffer.count {
                let value = buffer[index]
                if value == 0 { zeros += 1 }
                if value.isFinite {
                    // Clamp before converting: a huge value's position overflows Int.
                    let position = (Double(value) - lower) * scale
                    let bin = !(position >= 0) ? 0 : (position >= Double(bins) ? bins - 1 : Int(position))
                    counts[bin] += 1
                }
                index += stride
            }
        }
        return HistogramCounts(lower: range.lowerBound, upper: range.upperBound, counts: counts, zeros: zeros)
    }
}

/// One horizontal axis per quantity for every layer of a run, so that stacked histograms share
/// it: `[-4 s, 4 s]` with `s` the largest root-mean-square over the layers, clipped to the
/// smallest and largest finite entry seen.
public struct HistogramRanges: Sendable, Equatable {
    /// The axis of the pre-activation histograms `Z` (nil: no finite entries).
    public var preactivation: ClosedRange<Double>?
    /// The axis of the activation histograms `A` (nil: no finite entries).
    public var activation: ClosedRange<Double>?
    /// The axis of the back-propagated gradient histograms `dL/dZ` (nil: no finite entries).
    public var gradient: ClosedRange<Double>?

    /// The axes of `probe`'s layers.
    public init(probe: NetworkProbe) {
        preactivation = Self.range(probe.layers.map(\.preActivation))
        activation = Self.range(probe.layers.map(\.activation))
        gradient = Self.range(probe.layers.map(\.preActivationGradient))
    }

    static func range(_ statistics: [TensorStatistics?]) -> ClosedRange<Double>? {
        var rootMeanSquare = 0.0
        var minimum = Double.infinity, maximum = -Double.infinity
        for case let s? in statistics {
            guard let mean = s.mean, let variance = s.variance, let low = s.minimum, let high = s.maximum else { continue }
            let rms = (variance + mean * mean).squareRoot()
            guard rms.isFinite else { continue }
            rootMeanSquare = Swift.max(rootMeanSquare, rms)
            minimum = Swift.min(minimum, low)
            maximum = Swift.max(maximum, high)
        }
        guard rootMeanSquare > 0, minimum < maximum else { return nil }
        let lower = Swift.max(minimum, -4 * rootMeanSquare)
        let upper = Swift.min(maximum, 4 * rootMeanSquare)
        return lower < upper ? lower...upper : nil
    }
}
