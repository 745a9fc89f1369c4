/// Branch-free single-precision functions for the random fills, in two forms with the same
/// operations in the same order: scalar code here (the reference, and what unoptimized builds
/// run) and four-lane code in `VectorMath+SIMD4.swift` (what optimized fills run). The two give
/// the same bits for every input, which the tests check.
///
/// Each is accurate to a few units in the last place over the domain the fills use (stated per
/// function and checked against `Double` in the tests).
enum VectorMath {
    /// `sqrt(x)`, correctly rounded (IEEE 754 `squareRoot`, as `sqrtps` computes it lane by lane).
    @inline(__always)
    static func squareRoot(_ x: Float) -> Float {
        x.squareRoot()
    }

    /// Natural logarithm for finite `x > 0` (normal numbers).
    ///
    /// `x = 2^e m` with `m` in `[sqrt(1/2), sqrt(2))`, `ln m = 2 atanh(s)` with `s = (m-1)/(m+1)`,
    /// `|s| <= 0.1716`, summed to `s^9` (truncation error below `1e-9`);
    /// `ln x = e ln 2 + ln m`, with `ln 2` split in two for the product. The exponent becomes a
    /// float by the `1.5 * 2^23` bias trick (integer-to-float conversion without a libcall).
    @inline(__always)
    static func log(_ x: Float) -> Float {
        let sqrtHalfBits: UInt32 = 0x3F35_04F3
        let shifted = x.bitPattern &- sqrtHalfBits
        let exponentBits = UInt32(bitPattern: Int32(bitPattern: shifted) >> 23) &+ 0x4B40_0000
        let exponent = Float(bitPattern: exponentBits) - 12_582_912
        let mantissa = Float(bitPattern: (shifted & 0x007F_FFFF) &+ sqrtHalfBits)
        let s = (mantissa - 1) / (mantissa + 1)
        let z = s * s
        var series: Float = 2.0 / 9.0
        series = series * z + 2.0 / 7.0
        series = series * z + 2.0 / 5.0
        series = series * z + 2.0 / 3.0
        series = series * z + 2.0
        let logMantissa = s * series
        let ln2High: Float = 0.693_145_751_953_125      // 0x3F317200, exact in 16 bits
        let ln2Low: Float = 1.428_606_765_330_187e-06    // ln 2 - ln2High
        return exponent * ln2High + (exponent * ln2Low + logMantissa)
    }

    /// `(cos(phi), sin(phi))` for `|phi| <= pi/4`: the single-precision polynomials of Cephes'
    /// `cosf`/`sinf` (S. Moshier), `cos = 1 - z/2 + z^2 (c1 + c2 z + c3 z^2)` and
    /// `sin = phi + phi z (s1 + s2 z + s3 z^2)` with `z = phi^2` (approximation errors below
    /// `2e-10` and `3e-9`), in Horner form.
    @inline(__always)
    static func cosSin(_ phi: Float) -> (Float, Float) {
        let z = phi * phi
        var sine: Float = sineCoefficients.0
        sine = sine * z + sineCoefficients.1
        sine = sine * z + sineCoefficients.2
        sine = (sine * z) * phi + phi
        var cosine: Float = cosineCoefficients.0
        cosine = cosine * z + cosineCoefficients.1
        cosine = cosine * z + cosineCoefficients.2
        cosine = cosine * z - 0.5
        cosine = cosine * z + 1
        return (cosine, sine)
    }

    static let sineCoefficients: (Float, Float, Float) = (-1.951_529_589_1e-4, 8.332_160_873_6e-3, -1.666_665_461_1e-1)
    static let cosineCoefficients: (Float, Float, Float) = (2.443_315_711_809_948e-5, -1.388_731_625_493_765e-3, 4.166_664_568_298_827e-2)

    /// `Phi^-1(t)` for `t` in `[1e-7, 0.5]` (the lower half of the standard normal quantile function).
    ///
    /// `Phi^-1(t) = -sqrt(2) erfinv(1 - 2t)`, with `erfinv(y) = y P(w)`, `w = -ln((1-y)(1+y)) = -ln(4t(1-t))`,
    /// and `P` the single-precision polynomials of M. Giles, "Approximating the erfinv function"
    /// (GPU Computing Gems Jade Edition, 2011): degree 8 in `w - 2.5` for `w < 5`, in `sqrt(w) - 3`
    /// otherwise (both evaluated, then selected, to stay branch-free). Written in `t` rather than
    /// `y`, so the lower tail keeps its relative precision.
    @inline(__always)
    static func lowerNormalQuantile(_ t: Float) -> Float {
        let w = -log(4 * t * (1 - t))
        let polynomial = w >= 5 ? tailPolynomial(w) : centralPolynomial(w)
        return -1.414_213_562 * polynomial * (1 - 2 * t)
    }

    /// `lowerNormalQuantile` for `t >= 0.002` only (`w < 5`: the central polynomial alone).
    @inline(__always)
    static func centralNormalQuantile(_ t: Float) -> Float {
        let w = -log(4 * t * (1 - t))
        return -1.414_213_562 * centralPolynomial(w) * (1 - 2 * t)
    }

    @inline(__always)
    static func centralPolynomial(_ w: Float) -> Float {
        let central = w - 2.5
        var p: Float = 2.810_226_36e-08
        p = p * central + 3.432_739_39e-07
        p = p * central - 3.523_387_7e-06
        p = p * central - 4.391_506_54e-06
        p = p * central + 0.000_218_580_87
        p = p * central - 0.001_253_725_03
        p = p * central - 0.004_177_681_64
        p = p * central + 0.246_640_727
        p = p * central + 1.501_409_41
        return p
    }

    @inline(__always)
    static func tailPolynomial(_ w: Float) -> Float {
        let tail = squareRoot(w) - 3
        var q: Float = -0.000_200_214_257
        q = q * tail + 0.000_100_950_558
        q = q * tail + 0.001_349_343_22
        q = q * tail - 0.003_673_428_44
        q = q * tail + 0.005_739_507_73
        q = q * tail - 0.007_622_461_3
        q = q * tail + 0.009_438_870_47
        q = q * tail + 1.001_674_06
        q = q * tail + 2.832_976_82
        return q
    }
}
