/// A map from the 32 random words of one group (see `PhiloxLanes`) to 32 floats, element
/// `8j + l` of the group coming from word `j`, lane `l` (and, for pairs, its partner word).
protocol GroupTransform: Sendable {
    func values(_ words: (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>))
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
}

/// `low + (high - low) u`, `u = (word >> 8) 2^-24` in `[0, 1)`, kept below `high` when rounding
/// would reach it.
struct UniformTransform: GroupTransform {
    let low: Float
    let span: Float
    let largestBelowHigh: Float

    init(low: Float, high: Float) {
        self.low = low
        span = high - low
        largestBelowHigh = high.nextDown
    }

    @inline(__always)
    func one(_ word: SIMD8<UInt32>) -> SIMD8<Float> {
        let unit = VectorMath.scaledFloat(word &>> 8, 0x1p-24)
        return (unit * span + low).clamped(lowerBound: SIMD8(repeating: low),
                                           upperBound: SIMD8(repeating: largestBelowHigh))
    }

    @inline(__always)
    func values(_ words: (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>))
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
    {
        (one(words.0), one(words.1), one(words.2), one(words.3))
    }
}

/// Box-Muller: from words `(a, b)`, `r = sqrt(-2 ln u)` with `u = ((a >> 8) + 1) 2^-24` in `(0, 1]`,
/// and an angle uniform on the circle, `theta = q pi/2 + phi`, `q` the top two bits of `b`,
/// `phi` in `[-pi/4, pi/4)` from its next 24 bits; the outputs are `mean + sd r cos(theta)` and
/// `mean + sd r sin(theta)`, two independent normals.
struct NormalTransform: GroupTransform {
    let mean: Float
    let standardDeviation: Float

    @inline(__always)
    func pair(_ radiusWord: SIMD8<UInt32>, _ angleWord: SIMD8<UInt32>) -> (SIMD8<Float>, SIMD8<Float>) {
        let unit = VectorMath.scaledFloat((radiusWord &>> 8) &+ 1, 0x1p-24)
        let radius = (-2 * VectorMath.log(unit)).squareRoot() * standardDeviation
        let fraction = VectorMath.scaledFloat((angleWord &>> 6) & SIMD8(repeating: 0x00FF_FFFF), 0x1p-24)
        let phi = fraction * (Float.pi / 2) - Float.pi / 4
        let (cosine, sine) = VectorMath.cosSin(phi)
        let quadrant = angleWord &>> 30
        // Rotation by q quarter turns: q odd swaps (cos, sin); the signs follow the quadrant.
        let swap = (quadrant & SIMD8(repeating: 1)) .!= 0
        let first = cosine.replacing(with: sine, where: swap)
        let second = sine.replacing(with: cosine, where: swap)
        let firstSign = ((quadrant ^ (quadrant &>> 1)) & SIMD8(repeating: 1)) &<< 31
        let secondSign = (quadrant &>> 1) &<< 31
        let x = VectorMath.float(VectorMath.bits(first) ^ firstSign)
        let y = VectorMath.float(VectorMath.bits(second) ^ secondSign)
        return (x * radius + mean, y * radius + mean)
    }

    @inline(__always)
    func values(_ words: (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>))
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
    {
        let (a, b) = pair(words.0, words.1)
        let (c, d) = pair(words.2, words.3)
        return (a, b, c, d)
    }
}

/// The normal truncated to `[lower, upper]` standard deviations, by inversion (exact, no clamping
/// of the distribution): `u = (2k + 1) 2^-24` with `k = word >> 9`, then the point whose truncated
/// CDF is `u`. The quantile is taken from whichever tail is nearer, `t = min(Phi(a) + u Z,
/// Phi(-b) + (1 - u) Z)` with `Z = Phi(b) - Phi(a)`, so both tails keep relative precision;
/// lanes with `t < 1e-7` (beyond the single-precision polynomial's range) are recomputed in `Double`.
/// Results are finally kept inside the bounds against rounding.
struct TruncatedNormalTransform: GroupTransform {
    let mean: Float
    let standardDeviation: Float
    let lower: Float
    let upper: Float
    let lowerCDF: Double
    let upperTail: Double
    let mass: Double
    let lowerValue: Float
    let upperValue: Float

    static let tailThreshold: Float = 1e-7

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
    }

    /// The sample for one uniform, in `Double` (the reference for the vector path, used for tail lanes).
    func standardValue(unit: Double) -> Double {
        let fromLower = lowerCDF + unit * mass
        let fromUpper = upperTail + (1 - unit) * mass
        let x = fromLower < fromUpper ? StandardNormal.lowerQuantile(fromLower) : -StandardNormal.lowerQuantile(fromUpper)
        return min(max(x, Double(lower)), Double(upper))
    }

    @inline(__always)
    func one(_ word: SIMD8<UInt32>) -> SIMD8<Float> {
        let unit = VectorMath.scaledFloat(((word &>> 9) &<< 1) | SIMD8(repeating: 1), 0x1p-24)
        let fromLower = unit * Float(mass) + Float(lowerCDF)
        let fromUpper = (1 - unit) * Float(mass) + Float(upperTail)
        let useLower = fromLower .< fromUpper
        let nearerTail = fromLower.replacing(with: fromUpper, where: .!useLower)
        let tailQuantile = VectorMath.lowerNormalQuantile(nearerTail)
        var standard = (-tailQuantile).replacing(with: tailQuantile, where: useLower)
        let farTail = nearerTail .< TruncatedNormalTransform.tailThreshold
        if any(farTail) {
            for lane in 0..<8 where farTail[lane] {
                standard[lane] = Float(standardValue(unit: Double(unit[lane])))
            }
        }
        return (standard * standardDeviation + mean).clamped(
            lowerBound: SIMD8(repeating: lowerValue), upperBound: SIMD8(repeating: upperValue))
    }

    @inline(__always)
    func values(_ words: (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>))
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
    {
        (one(words.0), one(words.1), one(words.2), one(words.3))
    }
}
