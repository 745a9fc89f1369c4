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

    /// Statistics of these values (the probes compute them; this initializer is for decoding and tests).
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
/// To keep probing cheap, a tensor with more entries than the sample limit is binned on a
/// deterministic, evenly spread sample of contiguous runs: `runLength` consecutive entries starting
/// every `runSpacing` entries (contiguous runs keep the memory access streaming). When every entry
/// is binned, `runLength == runSpacing`. Only finite entries are binned.
public struct Histogram: Codable, Sendable, Equatable {
    /// The left edge of the first bin.
    public var lowerBound: Double
    /// The right edge of the last bin (included in it).
    public var upperBound: Double
    /// Entries per bin.
    public var counts: [Int]
    /// Number of finite entries binned (`counts` sum to it).
    public var sampledCount: Int
    /// Length of each run of consecutive entries binned.
    public var runLength: Int
    /// Distance between the starts of two runs.
    public var runSpacing: Int

    /// A histogram of these bins and sampling.
    public init(lowerBound: Double, upperBound: Double, counts: [Int], sampledCount: Int, runLength: Int, runSpacing: Int) {
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.counts = counts
        self.sampledCount = sampledCount
        self.runLength = runLength
        self.runSpacing = runSpacing
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
    /// entry by entry, counting inf and NaN), then the histogram of a sample (see `Histogram`).
    ///
    /// Squares are the one thing Float lanes cannot hold at every scale: below `2^-63` a centered
    /// entry's square is subnormal or zero (at `1e-25` every square is 0 and the variance with
    /// them). So a block whose centered entries all lie within `wellScaledReach` (`2^-50`) of the
    /// shift has its squares summed again by `rescaledSquares`, scaled by a power of two (exact);
    /// every other block keeps its single pass. Blocks whose squares overflow are already redone
    /// in Double. The relative error of the variance stays about `1e-7` from Float's smallest
    /// normal numbers to its largest.
    /// `path` chooses the kernel of the blocks' lanes (`KernelPath`): `vectorMoments` (SSE2 on
    /// baseline x86-64, bound by its additions, not by memory), `AVX2Kernels.moments` (eight
    /// lanes per instruction) or `MomentKernels.momentsAVX512` (sixteen); all three add the same
    /// entries in the same lanes in the same order, so they give the same bits.
    static func measure(_ pointer: UnsafePointer<Float>, count: Int, options: ProbeOptions,
                        path: KernelPath = .preferred) -> TensorStatistics {
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
            var moments = switch path {
            case .avx512: MomentKernels.momentsAVX512(pointer + blockStart, count: vectorEnd - blockStart, shift: shift)
            case .avx2: AVX2Kernels.moments(pointer + blockStart, count: vectorEnd - blockStart, shift: shift)
            case .vector: vectorMoments(pointer + blockStart, count: vectorEnd - blockStart, shift: shiftVector)
            }
            for index in vectorEnd..<blockEnd {
                let centered = pointer[index] - shift
                moments.sum += centered
                moments.squares += centered * centered
                moments.minimum = Swift.min(moments.minimum, pointer[index])
                moments.maximum = Swift.max(moments.maximum, pointer[index])
            }
            let (s, s2) = (moments.sum, moments.squares)
            if s.isFinite && s2.isFinite {
                finiteCount += blockEnd - blockStart
                sum += Double(s)
                // Every centered entry lies within `reach` of 0 (`x - shift` rounds monotonically).
                let reach = Swift.max(moments.maximum - shift, shift - moments.minimum)
                if reach < wellScaledReach && reach > 0 {
                    sumOfSquares += rescaledSquares(pointer + blockStart, count: blockEnd - blockStart,
                                                    shift: shift, reach: reach)
                } else {
                    sumOfSquares += Double(s2)
                }
                minimum = Swift.min(minimum, moments.minimum)
                maximum = Swift.max(maximum, moments.maximum)
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

    /// Centered entries below this in magnitude have squares below `2^-100`, within `2^26` of
    /// Float's smallest normal number, where the lanes' squares start to lose bits: a block of
    /// them is summed again by `rescaledSquares`. (Above it, the squares that underflow are those
    /// of entries below `2^-63`, which add at most `1024 * 2^-150` to a block's sum of at least
    /// `2^-100`.)
    static let wellScaledReach: Float = 0x1p-50

    /// `Σ (x - shift)²` over `pointer[0 ..< count]`, whose centered entries `x - shift` all lie
    /// within `reach` (`0 < reach < 2^-50`) of 0: each is multiplied by `2^k`, `k` chosen so
    /// that `reach 2^k` is in `[1, 2)` (exact: a power of two, and no product overflows; `k` up
    /// to 149 is applied as two factors, `2^k` itself not being a Float beyond 127), squared and
    /// summed in Float lanes as the main pass does at ordinary scales, and the sum multiplied by
    /// `2^-2k` in Double. Both paths use this loop.
    static func rescaledSquares(_ pointer: UnsafePointer<Float>, count: Int, shift: Float, reach: Float) -> Double {
        typealias Vector = ActivationMath.Vector
        let lanes = ActivationMath.lanes
        let power = -Int(reach.exponent)
        let (firstFactor, secondFactor) = (Float(sign: .plus, exponent: power / 2, significand: 1),
                                           Float(sign: .plus, exponent: power - power / 2, significand: 1))
        let shiftVector = Vector(repeating: shift)
        var squares = Vector.zero, otherSquares = Vector.zero
        var index = 0
        while index + 2 * lanes <= count {
            let centered = (ActivationMath.load(pointer + index) - shiftVector) * firstFactor * secondFactor
            let nextCentered = (ActivationMath.load(pointer + index + lanes) - shiftVector) * firstFactor * secondFactor
            squares += centered * centered
            otherSquares += nextCentered * nextCentered
            index += 2 * lanes
        }
        var total = (squares + otherSquares).sum()
        for index in index..<count {
            let centered = (pointer[index] - shift) * firstFactor * secondFactor
            total += centered * centered
        }
        return Double(total) * Double(sign: .plus, exponent: -2 * power, significand: 1)
    }

    /// The SSE2 counterpart of `AVX2Kernels.moments`: `Σ (x - shift)`, `Σ (x - shift)²`, min and max
    /// of `pointer[0 ..< count]` (`count` a multiple of the lane count) in Float lanes, with two
    /// sets of accumulators so that consecutive vectors do not wait on each other's additions.
    /// The reference order the C kernels follow: entry `16 j + l` goes to lane `l` of the first
    /// set (`l < 8`) or lane `l - 8` of the second, a last single vector to the first; the sets
    /// are added, then the eight lanes pairwise (`s_l += s_{l+4}`, `s_l += s_{l+2}`,
    /// `s_0 + s_1`); minima and maxima keep `x < m ? x : m` and `x > m ? x : m` with the new entry
    /// first, and the lanes are reduced in lane order the same way.
    @inline(__always)
    static func vectorMoments(_ pointer: UnsafePointer<Float>, count: Int,
                              shift shiftVector: ActivationMath.Vector) -> LaneMoments {
        typealias Vector = ActivationMath.Vector
        let lanes = ActivationMath.lanes
        var blockSum = Vector.zero, otherSum = Vector.zero
        var blockSquares = Vector.zero, otherSquares = Vector.zero
        var blockMinimum = Vector(repeating: .infinity), otherMinimum = blockMinimum
        var blockMaximum = Vector(repeating: -.infinity), otherMaximum = blockMaximum
        var index = 0
        while index + lanes < count {
            let value = ActivationMath.load(pointer + index)
            let next = ActivationMath.load(pointer + index + lanes)
            let centered = value - shiftVector
            let nextCentered = next - shiftVector
            blockSum += centered
            otherSum += nextCentered
            blockSquares += centered * centered
            otherSquares += nextCentered * nextCentered
            blockMinimum = ActivationMath.minimum(blockMinimum, value)
            otherMinimum = ActivationMath.minimum(otherMinimum, next)
            blockMaximum = ActivationMath.maximum(blockMaximum, value)
            otherMaximum = ActivationMath.maximum(otherMaximum, next)
            index += 2 * lanes
        }
        if index < count {
            let value = ActivationMath.load(pointer + index)
            let centered = value - shiftVector
            blockSum += centered
            blockSquares += centered * centered
            blockMinimum = ActivationMath.minimum(blockMinimum, value)
            blockMaximum = ActivationMath.maximum(blockMaximum, value)
        }
        blockSum += otherSum
        blockSquares += otherSquares
        let minima = ActivationMath.minimum(blockMinimum, otherMinimum)
        let maxima = ActivationMath.maximum(blockMaximum, otherMaximum)
        var minimum = minima[0], maximum = maxima[0]
        for lane in 1..<lanes {
            minimum = minima[lane] < minimum ? minima[lane] : minimum
            maximum = maxima[lane] > maximum ? maxima[lane] : maximum
        }
        return LaneMoments(sum: pairwiseSum(blockSum), squares: pairwiseSum(blockSquares),
                           minimum: minimum, maximum: maximum)
    }

    /// `((s₀ + s₄) + (s₂ + s₆)) + ((s₁ + s₅) + (s₃ + s₇))`: the eight lanes added pairwise, halves
    /// first, as the C moments kernels add them.
    @inline(__always)
    static func pairwiseSum(_ lanes: ActivationMath.Vector) -> Float {
        let quarters = lanes.lowHalf + lanes.highHalf
        let halves = quarters.lowHalf + quarters.highHalf
        return halves[0] + halves[1]
    }
}

extension Histogram {
    /// Length of the contiguous runs sampled from tensors larger than the sample limit.
    static let sampleRunLength = 64

    /// Bins the finite entries of the sample described in the type's notes: every entry when
    /// `count <= options.histogramSampleLimit`, otherwise `ceil(limit / 64)` runs of 64 entries
    /// at a spacing of `count / runs` (rounded down).
    static func sample(_ pointer: UnsafePointer<Float>, count: Int, lowerBound: Float, upperBound: Float,
                       options: ProbeOptions) -> Histogram {
        let bins = options.histogramBins
        let runLength: Int
        let runSpacing: Int
        if count <= options.histogramSampleLimit {
            (runLength, runSpacing) = (count, max(count, 1))
        } else {
            let runs = max(1, (options.histogramSampleLimit + sampleRunLength - 1) / sampleRunLength)
            runLength = min(sampleRunLength, count)
            runSpacing = max(count / runs, runLength)
        }
        var counts = [Int](repeating: 0, count: bins)
        let low = Double(lowerBound)
        let width = Double(upperBound) - low
        let scale = width > 0 ? Double(bins) / width : 0
        var sampled = 0
        counts.withUnsafeMutableBufferPointer { counts in
            var start = 0
            while start < count {
                for index in start..<min(start + runLength, count) {
                    let value = pointer[index]
                    if value.isFinite {
                        let bin = Int((Double(value) - low) * scale)
                        counts[Swift.min(Swift.max(bin, 0), bins - 1)] += 1
                        sampled += 1
                    }
                }
                start += runSpacing
            }
        }
        return Histogram(lowerBound: low, upperBound: Double(upperBound), counts: counts,
                         sampledCount: sampled, runLength: runLength, runSpacing: runSpacing)
    }
}
