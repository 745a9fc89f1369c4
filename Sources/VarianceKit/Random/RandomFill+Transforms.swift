/// A map from Philox words to floats, chunk by chunk.
///
/// `fill` computes the elements of whole groups `groups` (32 elements each, see `PhiloxLanes`)
/// into `output`: it has `words` (32 words per group) and `scratch` (32 floats per group) to work
/// in. Each transform is a loop over contiguous buffers whose body is straight-line scalar code,
/// so the compiler vectorizes it; unoptimized builds run the same code, with the same bits.
protocol ChunkTransform: Sendable {
    func fill(groups: Range<Int>, lanes: PhiloxLanes, words: UnsafeMutablePointer<UInt32>,
              scratch: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>)
}

/// `low + (high - low) u`, `u = (word >> 8) 2^-24` in `[0, 1)`, kept below `high` when rounding
/// would reach it.
struct UniformTransform: ChunkTransform {
    let low: Float
    let span: Float
    let largestBelowHigh: Float

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

    func fill(groups: Range<Int>, lanes: PhiloxLanes, words: UnsafeMutablePointer<UInt32>,
              scratch: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
        lanes.writeWords(groups: groups, inElementOrderTo: words)
        for i in 0..<(groups.count &* 32) {
            output[i] = value(words[i])
        }
    }
}

/// Box-Muller: from words `(a, b)`, `r = sqrt(-2 ln u)` with `u = ((a >> 8) + 1) 2^-24` in `(0, 1]`,
/// and an angle uniform on the circle, `theta = q pi/2 + phi`, `q` the top two bits of `b`,
/// `phi` in `[-pi/4, pi/4)` from its next 24 bits; the outputs are `mean + sd r cos(theta)` and
/// `mean + sd r sin(theta)`, two independent normals.
///
/// Pairs: word 0 (radius) with word 1 (angle), word 2 with word 3, of the same block; the cosine
/// goes to the radius word's element, the sine to the angle word's.
struct NormalTransform: ChunkTransform {
    let mean: Float
    let standardDeviation: Float

    @inline(__always)
    func pair(_ radiusWord: UInt32, _ angleWord: UInt32) -> (Float, Float) {
        let unit = Float(Int32(bitPattern: (radiusWord >> 8) &+ 1)) * 0x1p-24
        let radius = VectorMath.squareRoot(-2 * VectorMath.log(unit)) * standardDeviation
        let fraction = Float(Int32(bitPattern: (angleWord >> 6) & 0x00FF_FFFF)) * 0x1p-24
        let phi = fraction * (Float.pi / 2) - Float.pi / 4
        let (cosine, sine) = VectorMath.cosSin(phi)
        // Rotation by q quarter turns: q odd swaps (cos, sin); the signs follow the quadrant.
        let quadrant = angleWord >> 30
        let swap = quadrant & 1 != 0
        let first = swap ? sine : cosine
        let second = swap ? cosine : sine
        let x = Float(bitPattern: first.bitPattern ^ (((quadrant ^ (quadrant >> 1)) & 1) << 31))
        let y = Float(bitPattern: second.bitPattern ^ ((quadrant >> 1) << 31))
        return (x * radius + mean, y * radius + mean)
    }

    func fill(groups: Range<Int>, lanes: PhiloxLanes, words: UnsafeMutablePointer<UInt32>,
              scratch: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
        // Radius words (0 and 2) and angle words (1 and 3) each in one contiguous run, 16 per
        // group, so the pair loop reads and writes unit-stride.
        let pairs = groups.count &* 16
        let radiusWords = words, angleWords = words + pairs
        lanes.writeWords(groups: groups, to: (radiusWords, angleWords, radiusWords + 8, angleWords + 8), stride: 16)
        let cosines = scratch, sines = scratch + pairs
        for p in 0..<pairs {
            let (x, y) = pair(radiusWords[p], angleWords[p])
            cosines[p] = x
            sines[p] = y
        }
        // Back to element order: run r of 8 pairs -> elements 16r ..< 16r + 8 (cosines) and
        // 16r + 8 ..< 16r + 16 (sines).
        for run in 0..<(pairs >> 3) {
            let source = run &* 8, target = run &* 16
            for lane in 0..<8 {
                output[target &+ lane] = cosines[source &+ lane]
                output[target &+ 8 &+ lane] = sines[source &+ lane]
            }
        }
    }
}

/// The normal truncated to `[lower, upper]` standard deviations, by inversion (exact, no clamping
/// of the distribution): `u = (2k + 1) 2^-24` with `k = word >> 9`, then the point whose truncated
/// CDF is `u`. The quantile is taken from whichever tail is nearer, `t = min(Phi(a) + u Z,
/// Phi(-b) + (1 - u) Z)` with `Z = Phi(b) - Phi(a)`, so both tails keep relative precision;
/// elements with `t < 1e-7` (beyond the single-precision polynomial's range) are recomputed in
/// `Double`. Results are finally kept inside the bounds against rounding.
struct TruncatedNormalTransform: ChunkTransform {
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

    /// The single-precision sample, or NaN where the nearer tail probability is below the threshold.
    @inline(__always)
    func fastValue(_ word: UInt32) -> Float {
        fastValue(word, reachesTail: true)
    }

    @inline(__always)
    func fastValue(_ word: UInt32, reachesTail: Bool) -> Float {
        let u = unit(word)
        let fromLower = u * massFloat + lowerCDFFloat
        let fromUpper = (1 - u) * massFloat + upperTailFloat
        let useLower = fromLower < fromUpper
        let nearerTail = useLower ? fromLower : fromUpper
        let tailQuantile = reachesTail
            ? VectorMath.lowerNormalQuantile(nearerTail) : VectorMath.centralNormalQuantile(nearerTail)
        let standard = useLower ? tailQuantile : -tailQuantile
        let value = standard * standardDeviation + mean
        let aboveLower = value > lowerValue ? value : lowerValue        // the form of `maxps`
        let clamped = aboveLower < upperValue ? aboveLower : upperValue  // and of `minps`
        return nearerTail < TruncatedNormalTransform.tailThreshold ? .nan : clamped
    }

    /// The sample for one word (single precision, or `Double` in the far tail).
    func value(_ word: UInt32) -> Float {
        let fast = fastValue(word)
        return fast.isNaN ? slowValue(word) : fast
    }

    func slowValue(_ word: UInt32) -> Float {
        let standard = Float(standardValue(unit: Double(unit(word))))
        let value = standard * standardDeviation + mean
        return min(max(value, lowerValue), upperValue)
    }

    func fill(groups: Range<Int>, lanes: PhiloxLanes, words: UnsafeMutablePointer<UInt32>,
              scratch: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
        lanes.writeWords(groups: groups, inElementOrderTo: words)
        let count = groups.count &* 32
        if reachesTail {
            for i in 0..<count {
                output[i] = fastValue(words[i], reachesTail: true)
            }
            for i in 0..<count where output[i].isNaN {
                output[i] = slowValue(words[i])
            }
        } else {
            for i in 0..<count {
                output[i] = fastValue(words[i], reachesTail: false)
            }
        }
    }
}
