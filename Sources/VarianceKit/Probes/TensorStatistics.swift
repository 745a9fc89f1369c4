import Foundation

/// Summary statistics of every entry of one tensor (a matrix taken as a flat list of values).
///
/// Moments, minimum and maximum are over the finite entries only (`nonFiniteCount` says how many
/// were inf or NaN); they are nil when no entry is finite. The variance is the population one,
/// `Var = (1/n) Σ (x - mean)²`, accumulated in Double from a shifted sum (the shift is the first
/// finite entry, so a large common offset does not cancel the variance away).
public struct TensorStatistics: Codable, Sendable, Equatable {
    /// Number of entries.
    public var count: Int
    /// Number of entries that are inf or NaN.
    public var nonFiniteCount: Int
    /// Mean of the finite entries.
    public var mean: Double?
    /// Population variance of the finite entries.
    public var variance: Double?
    /// Smallest finite entry.
    public var minimum: Double?
    /// Largest finite entry.
    public var maximum: Double?
    /// Fixed-bin histogram over `[minimum, maximum]` (nil when disabled or nothing is finite).
    public var histogram: Histogram?

    /// `sqrt(variance)`.
    public var standardDeviation: Double? { variance.map { $0.squareRoot() } }

    public init(count: Int, nonFiniteCount: Int, mean: Double?, variance: Double?,
                minimum: Double?, maximum: Double?, histogram: Histogram?) {
        self.count = count
        self.nonFiniteCount = nonFiniteCount
        self.mean = mean
        self.variance = variance
        self.minimum = minimum
        self.maximum = maximum
        self.histogram = histogram
    }
}

/// A histogram with `counts.count` equal-width bins spanning `[lowerBound, upperBound]`; bin `i`
/// holds `lowerBound + i w <= x < lowerBound + (i + 1) w` (the last bin includes `upperBound`).
///
/// To keep probing cheap, the entries binned are a deterministic, evenly strided sample: every
/// `stride`-th entry, `sampledCount` in all (`stride == 1`: every finite entry).
public struct Histogram: Codable, Sendable, Equatable {
    public var lowerBound: Double
    public var upperBound: Double
    public var counts: [Int]
    /// Number of finite entries binned (`counts` sum to it).
    public var sampledCount: Int
    /// Distance between binned entries.
    public var stride: Int

    public init(lowerBound: Double, upperBound: Double, counts: [Int], sampledCount: Int, stride: Int) {
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.counts = counts
        self.sampledCount = sampledCount
        self.stride = stride
    }
}

extension TensorStatistics {
    /// The statistics of `matrix`'s entries, with a histogram as `options` says.
    public init(_ matrix: Matrix, options: ProbeOptions = .standard) {
        self = matrix.withUnsafeBufferPointer { buffer in
            TensorStatistics.measure(buffer.baseAddress!, count: buffer.count, options: options)
        }
    }

    /// One vectorized pass for count, moments, minimum and maximum (blocks of 1024 entries summed in
    /// Float lanes, blocks combined in Double; a block whose sums are not finite is redone in Double
    /// entry by entry, counting inf and NaN), then the strided histogram sample.
    static func measure(_ pointer: UnsafePointer<Float>, count: Int, options: ProbeOptions) -> TensorStatistics {
        typealias Vector = ActivationMath.Vector
        let lanes = ActivationMath.lanes
        var shift: Float = 0
        for index in 0..<min(count, 64) where pointer[index].isFinite {
            shift = pointer[index]
            break
        }
        let shiftVector = Vector(repeating: shift)
        var finiteCount = 0
        var nonFiniteCount = 0
        var sum = 0.0
        var sumOfSquares = 0.0
        var minimum = Float.infinity
        var maximum = -Float.infinity

        let blockLength = 1024
        var blockStart = 0
        while blockStart < count {
            let blockEnd = min(blockStart + blockLength, count)
            let vectorEnd = blockStart + (blockEnd - blockStart) / lanes * lanes
            var blockSum = Vector.zero
            var blockSquares = Vector.zero
            var blockMinimum = Vector(repeating: .infinity)
            var blockMaximum = Vector(repeating: -.infinity)
            var index = blockStart
            while index < vectorEnd {
                let value = ActivationMath.load(pointer + index)
                let centered = value - shiftVector
                blockSum += centered
                blockSquares += centered * centered
                blockMinimum = pointwiseMin(blockMinimum, value)
                blockMaximum = pointwiseMax(blockMaximum, value)
                index += lanes
            }
            var tailSum: Float = 0
            var tailSquares: Float = 0
            while index < blockEnd {
                let centered = pointer[index] - shift
                tailSum += centered
                tailSquares += centered * centered
                blockMinimum[0] = Swift.min(blockMinimum[0], pointer[index])
                blockMaximum[0] = Swift.max(blockMaximum[0], pointer[index])
                index += 1
            }
            let s = blockSum.sum() + tailSum
            let s2 = blockSquares.sum() + tailSquares
            if s.isFinite && s2.isFinite {
                finiteCount += blockEnd - blockStart
                sum += Double(s)
                sumOfSquares += Double(s2)
                minimum = Swift.min(minimum, blockMinimum.min())
                maximum = Swift.max(maximum, blockMaximum.max())
            } else {
                for index in blockStart..<blockEnd {
                    let value = pointer[index]
                    guard value.isFinite else {
                        nonFiniteCount += 1
                        continue
                    }
                    let centered = Double(value) - Double(shift)
                    finiteCount += 1
                    sum += centered
                    sumOfSquares += centered * centered
                    minimum = Swift.min(minimum, value)
                    maximum = Swift.max(maximum, value)
                }
            }
            blockStart = blockEnd
        }

        guard finiteCount > 0 else {
            return TensorStatistics(count: count, nonFiniteCount: nonFiniteCount, mean: nil, variance: nil,
                                    minimum: nil, maximum: nil, histogram: nil)
        }
        let centeredMean = sum / Double(finiteCount)
        let variance = Swift.max(0, sumOfSquares / Double(finiteCount) - centeredMean * centeredMean)
        let histogram = options.histogramBins > 0
            ? Histogram.sample(pointer, count: count, lowerBound: minimum, upperBound: maximum, options: options)
            : nil
        return TensorStatistics(count: count, nonFiniteCount: nonFiniteCount, mean: Double(shift) + centeredMean,
                                variance: variance, minimum: Double(minimum), maximum: Double(maximum),
                                histogram: histogram)
    }
}

extension Histogram {
    /// Bins every `stride`-th finite entry, with `stride = ceil(count / options.histogramSampleLimit)`.
    static func sample(_ pointer: UnsafePointer<Float>, count: Int, lowerBound: Float, upperBound: Float,
                       options: ProbeOptions) -> Histogram {
        let bins = options.histogramBins
        let stride = Swift.max(1, (count + options.histogramSampleLimit - 1) / options.histogramSampleLimit)
        var counts = [Int](repeating: 0, count: bins)
        let low = Double(lowerBound)
        let width = Double(upperBound) - low
        let scale = width > 0 ? Double(bins) / width : 0
        var sampled = 0
        counts.withUnsafeMutableBufferPointer { counts in
            var index = 0
            while index < count {
                let value = pointer[index]
                if value.isFinite {
                    let bin = Int((Double(value) - low) * scale)
                    counts[Swift.min(Swift.max(bin, 0), bins - 1)] += 1
                    sampled += 1
                }
                index += stride
            }
        }
        return Histogram(lowerBound: low, upperBound: Double(upperBound), counts: counts,
                         sampledCount: sampled, stride: stride)
    }
}
