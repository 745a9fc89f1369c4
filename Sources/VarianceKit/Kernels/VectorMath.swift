/// Branch-free single-precision functions for the random fills, in two forms with the same
/// operations in the same order: scalar code here (the reference, and what unoptimized builds
/// run) and eight-lane code in `VectorMath+SIMD8.swift` (what optimized fills run). The two give
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
        var series: Float = logSeries.0
        series = series * z + logSeries.1
        series = series * z + logSeries.2
        series = series * z + logSeries.3
        series = series * z + 2
        let logMantissa = s * series
        return exponent * ln2High + (exponent * ln2Low + logMantissa)
    }

    // The constants, as hexadecimal literals (exact, and the same in the C kernel of
    // `CKernels`): 2/9, 2/7, 2/5, 2/3 rounded to Float; ln 2 split into 0x3F317200 (exact in
    // 16 bits) and the rest, ln 2 - ln2High = 1.4286068e-06.
    static let logSeries: (Float, Float, Float, Float) = (0x1.c71c72p-3, 0x1.24924ap-2, 0x1.99999ap-2, 0x1.555556p-1)
    static let ln2High: Float = 0x1.62e4p-1
    static let ln2Low: Float = 0x1.7f7d1cp-20

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

    /// pi/2 and pi/4 from pi rounded to the nearest Float (`Float.pi` is rounded toward zero),
    /// in hexadecimal as in the C kernel.
    static let halfPi: Float = 0x1.921fb6p+0
    static let quarterPi: Float = 0x1.921fb6p-1

    /// Cephes' `sinf` coefficients -1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1 and `cosf`
    /// coefficients 2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2, rounded to
    /// Float and written in hexadecimal (exact, and the same in the C kernel).
    static let sineCoefficients: (Float, Float, Float) = (-0x1.9943f2p-13, 0x1.11073cp-7, -0x1.555546p-3)
    static let cosineCoefficients: (Float, Float, Float) = (0x1.99eb9cp-16, -0x1.6c0c34p-10, 0x1.55554ap-5)

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
