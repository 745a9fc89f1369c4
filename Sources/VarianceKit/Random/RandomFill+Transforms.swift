/// The SIMD code an optimized fill runs: the SSE2 kernels of the Swift code (the x86-64
/// baseline), or the C kernels for AVX2 or AVX-512 (`AVX2Kernels`, `AVX512Kernels`). All give the
/// bits of the scalar reference.
enum FillPath: Sendable, CaseIterable, CustomStringConvertible {
    case sse2, avx2, avx512

    /// The fastest path this processor runs and the environment allows (`CPUFeatures.usesAVX512`,
    /// then `CPUFeatures.usesAVX2`).
    static var fastest: FillPath {
        CPUFeatures.usesAVX512 ? .avx512 : CPUFeatures.usesAVX2 ? .avx2 : .sse2
    }

    /// The paths this processor runs, whatever the environment says (for the tests).
    static var supported: [FillPath] {
        allCases.filter { path in
            switch path {
            case .sse2: true
            case .avx2: CPUFeatures.hasAVX2
            case .avx512: CPUFeatures.hasAVX512
            }
        }
    }

    var description: String {
        switch self {
        case .sse2: "SSE2"
        case .avx2: "AVX2"
        case .avx512: "AVX-512"
        }
    }
}

/// A map from Philox words to the 32 floats of each group of a fill (`PhiloxLanes`' element
/// layout), in two forms with the same bits (the tests check): `storeScalar`, one element or
/// block at a time in scalar code (the reference, and what unoptimized builds run, where SIMD
/// code is slow), and `fillSIMD`, whole groups in vector code (what optimized builds run).
protocol FillTransform: Sendable {
    /// The 32 elements of group `group` at `output`, in scalar code.
    func storeScalar(group: Int, lanes: PhiloxLanes, to output: UnsafeMutablePointer<Float>)
    /// Groups `groups` at `base + 32 g` in SIMD code on `path` (which the processor runs).
    func fillSIMD(_ base: UnsafeMutablePointer<Float>, groups: Range<Int>, lanes: PhiloxLanes, path: FillPath)
    /// The entry point of `FillJob<Self>`: `{ FillJob<Self>.fillShare($0, $1, $2) }`.
    static var fillEntry: ParallelJobEntry { get }
}

extension FillTransform {
    /// Whether a fill of `count` elements at `base` goes out by non-temporal stores on the
    /// AVX-512 path: `StreamingStore.pays` and 64-byte alignment (a 512-bit streaming store's).
    static func streamsAVX512(_ base: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        StreamingStore.pays(for: base, count: count) && Int(bitPattern: base) & 63 == 0
    }
}

/// A transform applied block by block: word `j` of block `8g + l` gives element `32g + 8j + l`
/// (for the normal, with its partner word in the same block).
///
/// Each has two forms with the same operations in the same order, and so the same bits:
/// `store(group:to:)`, a group's eight blocks at once in eight-lane SIMD code, and
/// `store(block:to:)`, one block in scalar code.
protocol BlockTransform: FillTransform {
    /// The 32 elements of one group: word `j` of block `l` gives `output[8j + l]`; with
    /// non-temporal stores if `streaming` (then `output` is 16-byte aligned).
    func store(group words: GroupWords, to output: UnsafeMutablePointer<Float>, streaming: Bool)
    /// The elements of one block: word `j` gives `output[8j]`.
    func store(block: (UInt32, UInt32, UInt32, UInt32), to output: UnsafeMutablePointer<Float>)
    /// Groups `groups` at `base + 32 g` by a whole-fill C kernel for `path` (Philox and transform
    /// in C), if the transform has one; `false` if not (the default).
    func fillWhole(groups: Range<Int>, lanes: PhiloxLanes, base: UnsafeMutablePointer<Float>, path: FillPath) -> Bool
}

extension BlockTransform {
    func fillWhole(groups: Range<Int>, lanes: PhiloxLanes, base: UnsafeMutablePointer<Float>, path: FillPath) -> Bool { false }

    func storeScalar(group: Int, lanes: PhiloxLanes, to output: UnsafeMutablePointer<Float>) {
        for lane in 0..<8 {
            store(block: lanes.blockWords(group: group, lane: lane), to: output + lane)
        }
    }

    /// A whole-fill kernel where the transform has one for `path`; else words from the SSE2
    /// kernel group by group (`.sse2`), or from the AVX2 or AVX-512 kernel chunk by chunk,
    /// transformed by `store(group:to:streaming:)`.
    func fillSIMD(_ base: UnsafeMutablePointer<Float>, groups: Range<Int>, lanes: PhiloxLanes, path: FillPath) {
        if fillWhole(groups: groups, lanes: lanes, base: base, path: path) { return }
        guard path != .sse2 else {
            for group in groups {
                store(group: lanes.words(group: group), to: base + group &* 32, streaming: false)
            }
            return
        }
        // 2048 words (8 KiB) per chunk stay in the L1 cache between the kernel and the transform.
        // A fill larger than the caches goes to memory with non-temporal stores (`StreamingStore`).
        let streaming = StreamingStore.pays(for: base, count: groups.count &* 32)
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: RandomFill.groupsPerChunk * 32) { buffer in
            let words = buffer.baseAddress!
            var start = groups.lowerBound
            while start < groups.upperBound {
                let end = min(start + RandomFill.groupsPerChunk, groups.upperBound)
                if path == .avx512 {
                    AVX512Kernels.philoxWords(lanes, groups: start..<end, to: words)
                } else {
                    lanes.writeWordsAVX2(groups: start..<end, to: words)
                }
                for group in start..<end {
                    let groupWords = words + (group &- start) &* 32
                    store(group: (RandomFill.load(groupWords), RandomFill.load(groupWords + 8),
                                  RandomFill.load(groupWords + 16), RandomFill.load(groupWords + 24)),
                          to: base + group &* 32, streaming: streaming)
                }
                start = end
            }
        }
        if streaming { StreamingStore.fence() }
    }
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

    /// On AVX-512 the whole fill runs in C (`AVX512Kernels.philoxUniform`).
    func fillWhole(groups: Range<Int>, lanes: PhiloxLanes, base: UnsafeMutablePointer<Float>, path: FillPath) -> Bool {
        guard path == .avx512 else { return false }
        let output = base + groups.lowerBound &* 32
        let streaming = Self.streamsAVX512(output, count: groups.count &* 32)
        AVX512Kernels.philoxUniform(lanes, groups: groups, low: low, span: span, largestBelowHigh: largestBelowHigh,
                                    streaming: streaming, to: output)
        if streaming { StreamingStore.fence() }
        return true
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

    /// The polar form of one pair of words: the unit vector `(x, y) = (cos theta, sin theta)`
    /// and the radius `r = sqrt(-2 ln u)`, so that `(x r, y r)` is a pair of standard normals.
    @inline(__always)
    static func polar(_ radiusWord: UInt32, _ angleWord: UInt32) -> (x: Float, y: Float, radius: Float) {
        let unit = Float(Int32(bitPattern: (radiusWord >> 8) &+ 1)) * 0x1p-24
        let radius = VectorMath.squareRoot(-2 * VectorMath.log(unit))
        let fraction = Float(Int32(bitPattern: (angleWord >> 6) & 0x00FF_FFFF)) * 0x1p-24
        let phi = fraction * VectorMath.halfPi - VectorMath.quarterPi
        let (cosine, sine) = VectorMath.cosSin(phi)
        // Rotation by q = angleWord >> 30 quarter turns: q odd (bit 30) swaps (cos, sin); the
        // first sign flips when q is 1 or 2 (bit 30 xor bit 31), the second when q is 2 or 3 (bit 31).
        let swap = UInt32(bitPattern: Int32(bitPattern: angleWord << 1) >> 31)   // all ones where q is odd
        let swapped = (cosine.bitPattern ^ sine.bitPattern) & swap
        let x = Float(bitPattern: cosine.bitPattern ^ swapped ^ ((angleWord ^ (angleWord << 1)) & 0x8000_0000))
        let y = Float(bitPattern: sine.bitPattern ^ swapped ^ (angleWord & 0x8000_0000))
        return (x, y, radius)
    }

    /// `polar(_:_:)` lane by lane.
    @inline(__always)
    static func polars(_ radiusWords: VectorMath.Words, _ angleWords: VectorMath.Words)
        -> (x: VectorMath.Lanes, y: VectorMath.Lanes, radius: VectorMath.Lanes)
    {
        let unit = VectorMath.float((radiusWords &>> 8) &+ 1) * 0x1p-24
        let radius = VectorMath.squareRoot(-2 * VectorMath.log(unit))
        let fraction = VectorMath.float((angleWords &>> 6) & 0x00FF_FFFF) * 0x1p-24
        let phi = fraction * VectorMath.halfPi - VectorMath.quarterPi
        let (cosine, sine) = VectorMath.cosSin(phi)
        let swap = VectorMath.Words(truncatingIfNeeded: SIMD8<Int32>(truncatingIfNeeded: angleWords &<< 1) &>> 31)
        let swapped = (VectorMath.bits(cosine) ^ VectorMath.bits(sine)) & swap
        let x = VectorMath.lanes(VectorMath.bits(cosine) ^ swapped ^ ((angleWords ^ (angleWords &<< 1)) & 0x8000_0000))
        let y = VectorMath.lanes(VectorMath.bits(sine) ^ swapped ^ (angleWords & 0x8000_0000))
        return (x, y, radius)
    }

    /// `(mean + x r sd, mean + y r sd)` of `polar(_:_:)`, as `x (r sd) + mean`.
    @inline(__always)
    func pair(_ radiusWord: UInt32, _ angleWord: UInt32) -> (Float, Float) {
        let polar = Self.polar(radiusWord, angleWord)
        let radius = polar.radius * standardDeviation
        return (polar.x * radius + mean, polar.y * radius + mean)
    }

    /// `pair(_:_:)` lane by lane.
    @inline(__always)
    func pairs(_ radiusWords: VectorMath.Words, _ angleWords: VectorMath.Words) -> (VectorMath.Lanes, VectorMath.Lanes) {
        let polar = Self.polars(radiusWords, angleWords)
        let radius = polar.radius * standardDeviation
        return (polar.x * radius + mean, polar.y * radius + mean)
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

    /// The normal fill has AVX2 and AVX-512 kernels of its own (`AVX2Kernels.philoxNormal`,
    /// `AVX512Kernels.philoxNormal`): eight-lane SSE code leaves its long chains of float
    /// operations at half the throughput.
    func fillWhole(groups: Range<Int>, lanes: PhiloxLanes, base: UnsafeMutablePointer<Float>, path: FillPath) -> Bool {
        let output = base + groups.lowerBound &* 32
        switch path {
        case .sse2:
            return false
        case .avx2:
            lanes.writeNormalAVX2(groups: groups, mean: mean, standardDeviation: standardDeviation, to: output)
        case .avx512:
            let streaming = Self.streamsAVX512(output, count: groups.count &* 32)
            AVX512Kernels.philoxNormal(lanes, groups: groups, mean: mean, standardDeviation: standardDeviation,
                                       streaming: streaming, to: output)
            if streaming { StreamingStore.fence() }
        }
        return true
    }
}

/// The normal truncated to `[lower, upper]` standard deviations, by inversion (exact, no clamping
/// of the distribution; the fill for bounds that hold less than 0.8 of the normal's mass, and the
/// fallback of `TruncatedNormalRejection`): `u = (2k + 1) 2^-24` with `k = word >> 9`, then the point whose truncated
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
