/// Vectorized single-precision transcendental functions for the activation kernels.
///
/// Every function works on `SIMD8<Float>` (two SSE registers on baseline x86-64, one AVX register
/// where the compiler may use it) with plain arithmetic, compares and integer bit operations, so the
/// compiler keeps the whole evaluation in vector registers: no libm call per element.
///
/// Accuracy (checked in `ActivationTests` against Foundation's Double functions):
/// - `exp`, `expm1`: Cody–Waite range reduction `x = k ln 2 + r`, `|r| <= ln 2 / 2`, and the
///   degree-8 Taylor polynomial of `expm1(r)` (truncation error below 1e-9 relative); the result is
///   `2^k (expm1(r) + 1)` or `2^k expm1(r) + (2^k - 1)`, a few ulp from the exact value. Inputs are
///   clamped to `[-87.3, 88]`, so `exp` underflows to `2^-126`-ish values instead of zero and never
///   overflows; callers that need the limits use them through the clamped values.
/// - `tanh(x) = sign(x) m / (m + 2)` with `m = expm1(2|x|)`: relative error of a few ulp everywhere,
///   including `|x| << 1`, where `1 - 2/(e^{2x}+1)` would cancel.
/// - `sigmoid(x) = 1/(1 + e^{-x})` for `x >= 0` and `e^{x}/(1 + e^{x})` for `x < 0`.
/// - `erfc(x)` for `x >= 0`: the Chebyshev-fitted form `t exp(-x^2 + P(t))`, `t = 1/(1 + x/2)`, with
///   fractional error below 1.2e-7 (Press et al., Numerical Recipes, section 6.2), so the Gaussian
///   tails used by GELU keep their relative accuracy.
/// NaN inputs give NaN outputs (restored explicitly after the clamps).
enum ActivationMath {
    typealias Vector = SIMD8<Float>
    typealias IntVector = SIMD8<Int32>

    /// Number of lanes in `Vector`.
    static let lanes = 8

    // MARK: Exponentials

    /// `(2^k, expm1(r))` with `x = k ln 2 + r` after clamping `x` to `[-87.3, 88]`.
    @inline(__always)
    static func exponentialParts(_ x: Vector) -> (scale: Vector, fraction: Vector) {
        reducedExponentialParts(clamp(x, -87.3, 88))
    }

    /// `exponentialParts` for `x` already in `[-87.3, 88]` (no clamp).
    @inline(__always)
    static func reducedExponentialParts(_ x: Vector) -> (scale: Vector, fraction: Vector) {
        // Round x / ln 2 to the nearest integer with the 1.5 * 2^23 trick: the sum lands in
        // [2^23, 2^24), where the spacing of floats is 1, and its low mantissa bits hold k.
        let roundingConstant: Float = 12_582_912
        let shifted = x * 1.442_695_04 + roundingConstant
        let k = shifted - roundingConstant
        // Cody–Waite: ln 2 = 0.693359375 (exact in 9 bits, so k * ln2High is exact) - 2.12194440e-4.
        let r = (x - k * 0.693_359_375) + k * 2.121_944_40e-4
        var polynomial = Vector(repeating: 1.0 / 40_320)
        polynomial = polynomial * r + 1.0 / 5_040
        polynomial = polynomial * r + 1.0 / 720
        polynomial = polynomial * r + 1.0 / 120
        polynomial = polynomial * r + 1.0 / 24
        polynomial = polynomial * r + 1.0 / 6
        polynomial = polynomial * r + 0.5
        polynomial = polynomial * r + 1
        let fraction = polynomial * r
        let kInteger = unsafeBitCast(shifted, to: IntVector.self) &- Int32(bitPattern: roundingConstant.bitPattern)
        let scale = unsafeBitCast((kInteger &+ 127) &<< 23, to: Vector.self)
        return (scale, fraction)
    }

    /// `e^x`, elementwise (see the type's accuracy notes).
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        let (scale, fraction) = exponentialParts(x)
        return restoringNaN(scale * (fraction + 1), from: x)
    }

    /// `e^x - 1`, elementwise, accurate in relative terms near 0.
    @inline(__always)
    static func expm1(_ x: Vector) -> Vector {
        let (scale, fraction) = exponentialParts(x)
        return restoringNaN(scale * fraction + (scale - 1), from: x)
    }

    // MARK: Hyperbolic and logistic

    /// `tanh(x)`, elementwise: `sign(x) m / (m + 2)` with `m = expm1(2 min(|x|, 9))` (tanh(9)
    /// rounds to 1 in Float).
    ///
    /// `2 min(|x|, 9)` lies in `[0, 18]`, so the exponential needs neither clamp nor NaN repair
    /// (`reducedExponentialParts`). The sign is copied bitwise (`tanh(-0) = -0`); NaN propagates
    /// through the arithmetic (`NaN > 9` is false, so the limit leaves it). About 40 operations per
    /// four lanes, against 55 through the general `expm1`.
    @inline(__always)
    static func tanh(_ x: Vector) -> Vector {
        let magnitude = magnitude(x)
        let limited = magnitude.replacing(with: 9, where: magnitude .> 9)
        let (scale, fraction) = reducedExponentialParts(2 * limited)
        let m = scale * fraction + (scale - 1)
        let positive = m / (m + 2)
        let sign = unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x8000_0000
        return unsafeBitCast(unsafeBitCast(positive, to: SIMD8<UInt32>.self) | sign, to: Vector.self)
    }

    /// `1 / (1 + e^{-x})`, elementwise, without overflow for large `|x|`.
    @inline(__always)
    static func sigmoid(_ x: Vector) -> Vector {
        let e = exp(-magnitude(x))
        let s = 1 / (1 + e)
        return restoringNaN(s.replacing(with: e * s, where: x .< 0), from: x)
    }

    // MARK: Gaussian

    /// `erfc(x)` for `x >= 0` (fractional error < 1.2e-7; see the type's notes).
    @inline(__always)
    static func erfcNonNegative(_ x: Vector) -> Vector {
        let t = 1 / (1 + 0.5 * x)
        var p = Vector(repeating: 0.170_872_77)
        p = p * t - 0.822_152_23
        p = p * t + 1.488_515_87
        p = p * t - 1.135_203_98
        p = p * t + 0.278_868_07
        p = p * t - 0.186_288_06
        p = p * t + 0.096_784_18
        p = p * t + 0.374_091_96
        p = p * t + 1.000_023_68
        p = p * t - 1.265_512_23
        return t * exp(p - x * x)
    }

    /// The standard normal CDF `Φ(x) = erfc(-x/√2)/2`, elementwise.
    @inline(__always)
    static func normalCDF(_ x: Vector) -> Vector {
        let upperTail = 0.5 * erfcNonNegative(magnitude(x) * 0.707_106_781_186_547_5)
        return restoringNaN(upperTail.replacing(with: 1 - upperTail, where: x .> 0), from: x)
    }

    /// The standard normal density `φ(x) = e^{-x²/2}/√(2π)`, elementwise.
    @inline(__always)
    static func normalDensity(_ x: Vector) -> Vector {
        0.398_942_280_401_432_7 * exp(-0.5 * x * x)
    }

    // MARK: Helpers

    /// `x` clamped to `[low, high]` with compare-and-select (the generic `clamped` goes lane by
    /// lane); NaN lanes come out as `low` or `high` (callers restore NaN).
    @inline(__always)
    static func clamp(_ x: Vector, _ low: Float, _ high: Float) -> Vector {
        let lower = Vector(repeating: low)
        let upper = Vector(repeating: high)
        return x.replacing(with: lower, where: x .< lower).replacing(with: upper, where: x .> upper)
    }

    /// Lane-wise `x < running ? x : running` (NaN in `x` is ignored; `minps` on x86-64).
    @inline(__always)
    static func minimum(_ running: Vector, _ x: Vector) -> Vector { VectorMath.minimum(x, running) }

    /// Lane-wise `x > running ? x : running` (NaN in `x` is ignored; `maxps` on x86-64).
    @inline(__always)
    static func maximum(_ running: Vector, _ x: Vector) -> Vector { VectorMath.maximum(x, running) }

    /// `|x|`, elementwise (clears the sign bit, so `|NaN|` is NaN).
    @inline(__always)
    static func magnitude(_ x: Vector) -> Vector {
        unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: Vector.self)
    }

    /// `value` with NaN wherever `x` is NaN.
    @inline(__always)
    static func restoringNaN(_ value: Vector, from x: Vector) -> Vector {
        value.replacing(with: x, where: x .!= x)
    }

    /// Loads `lanes` floats from `pointer` (no alignment needed). Spelled as element loads, which
    /// LLVM merges into vector loads: the generic `loadUnaligned(as:)` can stay an out-of-line
    /// call per vector when SwiftPM's release build splits the module into several LLVM modules.
    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        Vector(pointer[0], pointer[1], pointer[2], pointer[3], pointer[4], pointer[5], pointer[6], pointer[7])
    }

    /// Stores `lanes` floats at `pointer` (no alignment needed), as element stores (see `load`).
    @inline(__always)
    static func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        pointer[0] = value[0]; pointer[1] = value[1]; pointer[2] = value[2]; pointer[3] = value[3]
        pointer[4] = value[4]; pointer[5] = value[5]; pointer[6] = value[6]; pointer[7] = value[7]
    }

    /// Loads `count < lanes` floats, padding with `padding`.
    @inline(__always)
    static func loadPartial(_ pointer: UnsafePointer<Float>, count: Int, padding: Float = 0) -> Vector {
        var value = Vector(repeating: padding)
        for lane in 0..<count { value[lane] = pointer[lane] }
        return value
    }

    /// Stores the first `count < lanes` lanes of `value`.
    @inline(__always)
    static func storePartial(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>, count: Int) {
        for lane in 0..<count { pointer[lane] = value[lane] }
    }
}
