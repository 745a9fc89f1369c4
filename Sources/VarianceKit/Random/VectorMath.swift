/// Branch-free single-precision functions on eight lanes, for the random fills.
///
/// Each is accurate to a few units in the last place over the domain the fills use (stated per
/// function and checked against `Double` in the tests); none calls into libm, so a fill loop is
/// straight-line SIMD code.
enum VectorMath {
    @inline(__always)
    static func bits(_ x: SIMD8<Float>) -> SIMD8<UInt32> { unsafeBitCast(x, to: SIMD8<UInt32>.self) }

    @inline(__always)
    static func float(_ bits: SIMD8<UInt32>) -> SIMD8<Float> { unsafeBitCast(bits, to: SIMD8<Float>.self) }

    /// `Float(value) * 2^-shift` for integers below 2^24 (exact).
    @inline(__always)
    static func scaledFloat(_ value: SIMD8<UInt32>, _ scale: Float) -> SIMD8<Float> {
        SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: value)) * scale
    }

    /// Natural logarithm for finite `x > 0` (normal numbers).
    ///
    /// `x = 2^e m` with `m` in `[sqrt(1/2), sqrt(2))`, `ln m = 2 atanh(s)` with `s = (m-1)/(m+1)`,
    /// `|s| <= 0.1716`, summed to `s^9` (truncation error below `1e-9`);
    /// `ln x = e ln 2 + ln m`, with `ln 2` split in two for the product.
    @inline(__always)
    static func log(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let sqrtHalfBits: UInt32 = 0x3F35_04F3
        let shifted = bits(x) &- SIMD8(repeating: sqrtHalfBits)
        let exponent = SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: shifted) &>> 23)
        let mantissa = float((shifted & SIMD8(repeating: 0x007F_FFFF)) &+ SIMD8(repeating: sqrtHalfBits))
        let s = (mantissa - 1) / (mantissa + 1)
        let z = s * s
        var series = SIMD8<Float>(repeating: 2.0 / 9.0)
        series = series * z + 2.0 / 7.0
        series = series * z + 2.0 / 5.0
        series = series * z + 2.0 / 3.0
        series = series * z + 2.0
        let logMantissa = s * series
        let ln2High: Float = 0.693_145_751_953_125      // 0x3F317200, exact in 16 bits
        let ln2Low: Float = 1.428_606_765_330_187e-06    // ln 2 - ln2High
        return exponent * ln2High + (exponent * ln2Low + logMantissa)
    }

    /// `(cos(phi), sin(phi))` for `|phi| <= pi/4`, Taylor series to `phi^8` and `phi^9`
    /// (truncation errors below `3e-8` and `2e-9`).
    @inline(__always)
    static func cosSin(_ phi: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
        let z = phi * phi
        var sine = SIMD8<Float>(repeating: 1.0 / 362_880.0)
        sine = sine * z - 1.0 / 5040.0
        sine = sine * z + 1.0 / 120.0
        sine = sine * z - 1.0 / 6.0
        sine = (sine * z) * phi + phi
        var cosine = SIMD8<Float>(repeating: 1.0 / 40320.0)
        cosine = cosine * z - 1.0 / 720.0
        cosine = cosine * z + 1.0 / 24.0
        cosine = cosine * z - 0.5
        cosine = cosine * z + 1
        return (cosine, sine)
    }

    /// `Phi^-1(t)` for `t` in `[1e-7, 0.5]` (the lower half of the standard normal quantile function).
    ///
    /// `Phi^-1(t) = -sqrt(2) erfinv(1 - 2t)`, with `erfinv(y) = y P(w)`, `w = -ln((1-y)(1+y)) = -ln(4t(1-t))`,
    /// and `P` the single-precision polynomials of M. Giles, "Approximating the erfinv function"
    /// (GPU Computing Gems Jade Edition, 2011): degree 8 in `w - 2.5` for `w < 5`, in `sqrt(w) - 3` otherwise.
    /// Written in `t` rather than `y`, so the lower tail keeps its relative precision.
    @inline(__always)
    static func lowerNormalQuantile(_ t: SIMD8<Float>) -> SIMD8<Float> {
        let w = -log(4 * t * (1 - t))
        let central = w - 2.5
        var p = SIMD8<Float>(repeating: 2.810_226_36e-08)
        p = p * central + 3.432_739_39e-07
        p = p * central - 3.523_387_7e-06
        p = p * central - 4.391_506_54e-06
        p = p * central + 0.000_218_580_87
        p = p * central - 0.001_253_725_03
        p = p * central - 0.004_177_681_64
        p = p * central + 0.246_640_727
        p = p * central + 1.501_409_41
        let tail = w.squareRoot() - 3
        var q = SIMD8<Float>(repeating: -0.000_200_214_257)
        q = q * tail + 0.000_100_950_558
        q = q * tail + 0.001_349_343_22
        q = q * tail - 0.003_673_428_44
        q = q * tail + 0.005_739_507_73
        q = q * tail - 0.007_622_461_3
        q = q * tail + 0.009_438_870_47
        q = q * tail + 1.001_674_06
        q = q * tail + 2.832_976_82
        let polynomial = p.replacing(with: q, where: w .>= 5)
        return -1.414_213_562 * polynomial * (1 - 2 * t)
    }
}
