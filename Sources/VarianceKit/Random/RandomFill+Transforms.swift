/// A map from Philox words to floats, applied block by block in the fills' element layout
/// (`PhiloxLanes`): word `j` of block `8g + l` gives element `32g + 8j + l`.
///
/// Each transform has two forms with the same operations in the same order, and so the same bits
/// (the tests check): `store(group:to:)`, a group's eight blocks at once in eight-lane SIMD code
/// (what optimized builds run), and `store(block:to:)`, one block in scalar code (the reference,
/// and what unoptimized builds run, where SIMD code is slow).
protocol BlockTransform: Sendable {
    /// The 32 elements of one group: word `j` of block `l` gives `output[8j + l]`; with
    /// non-temporal stores if `streaming` (then `output` is 16-byte aligned).
    func store(group words: GroupWords, to output: UnsafeMutablePointer<Float>, streaming: Bool)
    /// The elements of one block: word `j` gives `output[8j]`.
    func store(block: (UInt32, UInt32, UInt32, UInt32), to output: UnsafeMutablePointer<Float>)
    /// Groups `groups` at `base + 32 g` by a whole-fill AVX2 kernel (Philox and transform in C),
    /// if the transform has one; `false` if not (the default).
    func fillAVX2(groups: Range<Int>, lanes: PhiloxLanes, base: UnsafeMutablePointer<Float>) -> Bool
    /// The entry point of `FillJob<Self>`: `{ FillJob<Self>.fillShare($0, $1, $2) }`.
    static var fillEntry: ParallelJobEntry { get }
}

extension BlockTransform {
    func fillAVX2(groups: Range<Int>, lanes: PhiloxLanes, base: UnsafeMutablePointer<Float>) -> Bool { false }
}

extension BlockTransform {
    /// Eight lanes at `pointer`: `ActivationMath.store`, or non-temporal stores if `streaming`.
    @inline(__always)
    static func put(_ values: VectorMath.Lanes, _ pointer: UnsafeMutablePointer<Float>, streaming: Bool) {
        if streaming {
            StreamingStore.put(values, pointer)
        } else {
            ActivationMath.store(values, pointer)
        }
    }
}

/// A transform that maps each word to one element on its own (uniform, truncated normal).
protocol ElementwiseTransform: BlockTransform {
    /// The element of one word (the scalar reference).
    func value(_ word: UInt32) -> Float
    /// `value(_:)` lane by lane.
    func values(_ words: VectorMath.Words) -> VectorMath.Lanes
}

extension ElementwiseTransform {
    @inline(__always)
    func store(group words: GroupWords, to output: UnsafeMutablePointer<Float>, streaming: Bool) {
        Self.put(values(words.0), output, streaming: streaming)
        Self.put(values(words.1), output + 8, streaming: streaming)
        Self.put(values(words.2), output + 16, streaming: streaming)
        Self.put(values(words.3), output + 24, streaming: streaming)
    }

    @inline(__always)
    func store(block: (UInt32, UInt32, UInt32, UInt32), to output: UnsafeMutablePointer<Float>) {
        output[0] = value(block.0)
        output[8] = value(block.1)
        output[16] = value(block.2)
        output[24] = value(block.3)
    }
}

/// `low + (high - low) u`, `u = (word >> 8) 2^-24` in `[0, 1)`, kept below `high` when rounding
/// would reach it.
struct UniformTransform: ElementwiseTransform {
    let low: Float
    let span: Float
    let largestBelowHigh: Float

    static let fillEntry: ParallelJobEntry = { FillJob<UniformTransform>.fillShare($0, $1, $2) }

    init(low: Float, high: Float) {
        self.low = low
        span = high - low
        largestBelowHigh = high.nextDown
    }

    @inline(__always)
    func value(_ word: UInt32) -> Float {
        let unit = Float(Int32(bitPattern: word >> 8)) * 0x1p-24
        // unit * span + low >= low always; only rounding up to `high` needs a guard.
        let value = unit * span + low
        return value < largestBelowHigh ? value : largestBelowHigh   // the form of `minps`
    }

    @inline(__always)
    func values(_ words: VectorMath.Words) -> VectorMath.Lanes {
        let unit = VectorMath.float(words &>> 8) * 0x1p-24
        let value = unit * span + low
        return VectorMath.minimum(value, VectorMath.Lanes(repeating: largestBelowHigh))
    }
}

/// Box-Muller: from words `(a, b)`, `r = sqrt(-2 ln u)` with `u = ((a >> 8) + 1) 2^-24` in `(0, 1]`,
/// and an angle uniform on the circle, `theta = q pi/2 + phi`, `q` the top two bits of `b`,
/// `phi` in `[-pi/4, pi/4)` from its next 24 bits; the outputs are `mean + sd r cos(theta)` and
/// `mean + sd r sin(theta)`, two independent normals.
///
/// Pairs: word 0 (radius) with word 1 (angle), word 2 with word 3, of the same block; the cosine
/// goes to the radius word's element, the sine to the angle word's.
struct NormalTransform: BlockTransform {
    let mean: Float
    let standardDeviation: Float

    static let fillEntry: ParallelJobEntry = { FillJob<NormalTransform>.fillShare($0, $1, $2) }

    @inline(__always)
    func pair(_ radiusWord: UInt32, _ angleWord: UInt32) -> (Float, Float) {
        let unit = Float(Int32(bitPattern: (radiusWord >> 8) &+ 1)) * 0x1p-24
        let radius = VectorMath.squareRoot(-2 * VectorMath.log(unit)) * standardDeviation
        let fraction = Float(Int32(bitPattern: (angleWord >> 6) & 0x00FF_FFFF)) * 0x1p-24
        let phi = fraction * VectorMath.halfPi - VectorMath.quarterPi
        let (cosine, sine) = VectorMath.cosSin(phi)
        // Rotation by q = angleWord >> 30 quarter turns: q odd (bit 30) swaps (cos, sin); the
        // first sign flips when q is 1 or 2 (bit 30 xor bit 31), the second when q is 2 or 3 (bit 31).
        let swap = UInt32(bitPattern: Int32(bitPattern: angleWord << 1) >> 31)   // all ones where q is odd
        let swapped = (cosine.bitPattern ^ sine.bitPattern) & swap
        let x = Float(bitPattern: cosine.bitPattern ^ swapped ^ ((angleWord ^ (angleWord << 1)) & 0x8000_0000))
        let y = Float(bitPattern: sine.bitPattern ^ swapped ^ (angleWord & 0x8000_0000))
        return (x * radius + mean, y * radius + mean)
    }

    /// `pair(_:_:)` lane by lane.
    @inline(__always)
    func pairs(_ radiusWords: VectorMath.Words, _ angleWords: VectorMath.Words) -> (VectorMath.Lanes, VectorMath.Lanes) {
        let unit = VectorMath.float((radiusWords &>> 8) &+ 1) * 0x1p-24
        let radius = VectorMath.squareRoot(-2 * VectorMath.log(unit)) * standardDeviation
        let fraction = VectorMath.float((angleWords &>> 6) & 0x00FF_FFFF) * 0x1p-24
        let phi = fraction * VectorMath.halfPi - VectorMath.quarterPi
        let (cosine, sine) = VectorMath.cosSin(phi)
        let swap = VectorMath.Words(truncatingIfNeeded: SIMD8<Int32>(truncatingIfNeeded: angleWords &<< 1) &>> 31)
        let swapped = (VectorMath.bits(cosine) ^ VectorMath.bits(sine)) & swap
        let x = VectorMath.lanes(VectorMath.bits(cosine) ^ swapped ^ ((angleWords ^ (angleWords &<< 1)) & 0x8000_0000))
        let y = VectorMath.lanes(VectorMath.bits(sine) ^ swapped ^ (angleWords & 0x8000_0000))
        return (x * radius + mean, y * radius + mean)
    }

    @inline(__always)
    func store(group words: GroupWords, to output: UnsafeMutablePointer<Float>, streaming: Bool) {
        let (x0, y0) = pairs(words.0, words.1)
        Self.put(x0, output, streaming: streaming)
        Self.put(y0, output + 8, streaming: streaming)
        let (x1, y1) = pairs(words.2, words.3)
        Self.put(x1, output + 16, streaming: streaming)
        Self.put(y1, output + 24, streaming: streaming)
    }

    @inline(__always)
    func store(block: (UInt32, UInt32, UInt32, UInt32), to output: UnsafeMutablePointer<Float>) {
        (output[0], output[8]) = pair(block.0, block.1)
        (output[16], output[24]) = pair(block.2, block.3)
    }

    /// The normal fill has an AVX2 kernel of its own (`AVX2Kernels.philoxNormal`): eight-lane SSE
    /// code leaves its long chains of float operations at half the throughput.
    func fillAVX2(groups: Range<Int>, lanes: PhiloxLanes, base: UnsafeMutablePointer<Float>) -> Bool {
        lanes.writeNormalAVX2(groups: groups, mean: mean, standardDeviation: standardDeviation, to: base + groups.lowerBound &* 32)
        return true
    }
}

/// The normal truncated to `[lower, upper]` standard deviations, by inversion (exact, no clamping
/// of the distribution): `u = (2k + 1) 2^-24` with `k = word >> 9`, then the point whose truncated
/// CDF is `u`. The quantile is taken from whichever tail is nearer, `t = min(Phi(a) + u Z,
/// Phi(-b) + (1 - u) Z)` with `Z = Phi(b) - Phi(a)`, so both tails keep relative precision;
/// elements with `t < 1e-7` (beyond the single-precision polynomial's range) are recomputed in
/// `Double`. Results are finally kept inside the bounds against rounding.
struct TruncatedNormalTransform: ElementwiseTransform {
    let mean: Float
    let standardDeviation: Float
    let lower: Float
    let upper: Float
    let lowerCDF: Double
    let upperTail: Double
    let mass: Double
    let lowerValue: Float
    let upperValue: Float
    let massFloat: Float
    let lowerCDFFloat: Float
    let upperTailFloat: Float

    static let tailThreshold: Float = 1e-7
    /// Whether some `t` can fall below 0.002, where the tail polynomial is needed; otherwise
    /// (e.g. bounds within about 2.9 standard deviations) the central polynomial alone serves.
    let reachesTail: Bool

    static let fillEntry: ParallelJobEntry = { FillJob<TruncatedNormalTransform>.fillShare($0, $1, $2) }

    init(mean: Float, standardDeviation: Float, lower: Float, upper: Float) {
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.lower = lower
        self.upper = upper
        lowerCDF = StandardNormal.cdf(Double(lower))
        upperTail = StandardNormal.cdf(-Double(upper))
        mass = StandardNormal.probability(between: Double(lower), and: Double(upper))
        lowerValue = mean + standardDeviation * lower
        upperValue = mean + standardDeviation * upper
        massFloat = Float(mass)
        lowerCDFFloat = Float(lowerCDF)
        upperTailFloat = Float(upperTail)
        reachesTail = min(lowerCDF, upperTail) < 0.002
    }

    /// The sample for one uniform, in `Double` (used where the single-precision path stops).
    func standardValue(unit: Double) -> Double {
        let fromLower = lowerCDF + unit * mass
        let fromUpper = upperTail + (1 - unit) * mass
        let x = fromLower < fromUpper ? StandardNormal.lowerQuantile(fromLower) : -StandardNormal.lowerQuantile(fromUpper)
        return min(max(x, Double(lower)), Double(upper))
    }

    @inline(__always)
    func unit(_ word: UInt32) -> Float {
        Float(Int32(bitPattern: ((word >> 9) << 1) | 1)) * 0x1p-24
    }

    /// The sample for one word: single precision, or `slowValue(_:)` (Double) where the nearer
    /// tail probability is below `tailThreshold`.
    func value(_ word: UInt32) -> Float {
        let u = unit(word)
        let fromLower = u * massFloat + lowerCDFFloat
        let fromUpper = (1 - u) * massFloat + upperTailFloat
        let useLower = fromLower < fromUpper
        let nearerTail = useLower ? fromLower : fromUpper
        guard nearerTail >= TruncatedNormalTransform.tailThreshold else { return slowValue(word) }
        let tailQuantile = reachesTail
            ? VectorMath.lowerNormalQuantile(nearerTail) : VectorMath.centralNormalQuantile(nearerTail)
        let standard = useLower ? tailQuantile : -tailQuantile
        let value = standard * standardDeviation + mean
        let aboveLower = value > lowerValue ? value : lowerValue        // the form of `maxps`
        return aboveLower < upperValue ? aboveLower : upperValue         // and of `minps`
    }

    func slowValue(_ word: UInt32) -> Float {
        let standard = Float(standardValue(unit: Double(unit(word))))
        let value = standard * standardDeviation + mean
        return min(max(value, lowerValue), upperValue)
    }

    /// `value(_:)` lane by lane.
    @inline(__always)
    func values(_ words: VectorMath.Words) -> VectorMath.Lanes {
        let u = VectorMath.float(((words &>> 9) &<< 1) | 1) * 0x1p-24
        let fromLower = u * massFloat + lowerCDFFloat
        let fromUpper = (1 - u) * massFloat + upperTailFloat
        let useLower = VectorMath.lessThan(fromLower, fromUpper)
        // `useLower ? fromLower : fromUpper` is the minimum; `useLower ? q : -q` flips the sign bit.
        let nearerTail = VectorMath.minimum(fromLower, fromUpper)
        let tailQuantile = reachesTail
            ? VectorMath.lowerNormalQuantile(nearerTail) : VectorMath.centralNormalQuantile(nearerTail)
        let standard = VectorMath.lanes(VectorMath.bits(tailQuantile) ^ (~useLower & 0x8000_0000))
        let value = standard * standardDeviation + mean
        let aboveLower = VectorMath.maximum(value, VectorMath.Lanes(repeating: lowerValue))
        let clamped = VectorMath.minimum(aboveLower, VectorMath.Lanes(repeating: upperValue))
        let beyondFloat = VectorMath.lessThan(nearerTail, VectorMath.Lanes(repeating: TruncatedNormalTransform.tailThreshold))
        return VectorMath.any(beyondFloat) ? withSlowValues(clamped, words, where: beyondFloat) : clamped
    }

    /// `values` with the lanes in `mask` recomputed by `slowValue(_:)` (rare; kept out of line
    /// so that the vector code stays vector code).
    @inline(never)
    func withSlowValues(_ values: VectorMath.Lanes, _ words: VectorMath.Words, where mask: VectorMath.Words) -> VectorMath.Lanes {
        var patched = values
        for lane in 0..<8 where mask[lane] != 0 {
            patched[lane] = slowValue(words[lane])
        }
        return patched
    }
}
