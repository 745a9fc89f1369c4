#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// The eight-lane forms of `VectorMath`'s functions: the same operations in the same order, so
/// every lane gives the bits the scalar function gives (checked in the tests). On x86-64 the
/// few operations that Swift's generic SIMD code would not lower to one instruction per half
/// (square root, minimum, maximum, comparison, integer-to-float conversion) are spelled as SSE
/// intrinsics on the two halves.
///
/// Eight lanes are two SSE registers, so every operation is two independent instructions: the
/// long dependency chains of these functions (a division, then polynomials of degree 8) then
/// overlap in pairs, which four-lane code leaves to the out-of-order window and runs at about
/// half the speed.
extension VectorMath {
    typealias Lanes = SIMD8<Float>
    typealias Words = SIMD8<UInt32>

    #if arch(x86_64)
    typealias Half = SIMD4<Float>   // `__m128`
    typealias IntegerHalf = SIMD2<Int64>   // `__m128i`

    /// `operation` applied to both halves.
    @inline(__always)
    static func halves(_ x: Lanes, _ operation: (Half) -> Half) -> Lanes {
        Lanes(lowHalf: operation(x.lowHalf), highHalf: operation(x.highHalf))
    }

    @inline(__always)
    static func halves(_ a: Lanes, _ b: Lanes, _ operation: (Half, Half) -> Half) -> Lanes {
        Lanes(lowHalf: operation(a.lowHalf, b.lowHalf), highHalf: operation(a.highHalf, b.highHalf))
    }
    #endif

    /// `Float(Int32(bitPattern: word))` lane by lane (`cvtdq2ps`).
    @inline(__always)
    static func float(_ words: Words) -> Lanes {
        #if arch(x86_64)
        return Lanes(lowHalf: _mm_cvtepi32_ps(unsafeBitCast(words.lowHalf, to: IntegerHalf.self)),
                     highHalf: _mm_cvtepi32_ps(unsafeBitCast(words.highHalf, to: IntegerHalf.self)))
        #else
        return Lanes(SIMD8<Int32>(truncatingIfNeeded: words))
        #endif
    }

    @inline(__always)
    static func bits(_ x: Lanes) -> Words { unsafeBitCast(x, to: Words.self) }

    @inline(__always)
    static func lanes(_ bits: Words) -> Lanes { unsafeBitCast(bits, to: Lanes.self) }

    /// All ones in the lanes where `a < b`, zeros elsewhere (`cmpltps`). Masks are spelled as
    /// words and applied with bit operations: the generic `SIMDMask` and `replacing(with:where:)`
    /// can make LLVM split the surrounding arithmetic into scalar lanes.
    @inline(__always)
    static func lessThan(_ a: Lanes, _ b: Lanes) -> Words {
        #if arch(x86_64)
        return bits(halves(a, b) { _mm_cmplt_ps($0, $1) })
        #else
        return Words(repeating: 0).replacing(with: .max, where: a .< b)
        #endif
    }

    /// `mask ? a : b` lane by lane, for a mask of all-ones or all-zeros lanes.
    @inline(__always)
    static func select(_ mask: Words, _ a: Lanes, _ b: Lanes) -> Lanes {
        lanes((bits(a) & mask) | (bits(b) & ~mask))
    }

    /// Whether any lane of `mask` is set (`movmskps`).
    @inline(__always)
    static func any(_ mask: Words) -> Bool {
        #if arch(x86_64)
        return (_mm_movemask_ps(lanes(mask).lowHalf) | _mm_movemask_ps(lanes(mask).highHalf)) != 0
        #else
        return mask != Words(repeating: 0)
        #endif
    }

    /// `-x` as a sign-bit flip. Swift's prefix minus is the same operation, but an `fneg` feeding
    /// a polynomial can make LLVM split the polynomial into scalar lanes.
    @inline(__always)
    static func negative(_ x: Lanes) -> Lanes {
        lanes(bits(x) ^ 0x8000_0000)
    }

    /// `a < b ? a : b` lane by lane (`minps`).
    @inline(__always)
    static func minimum(_ a: Lanes, _ b: Lanes) -> Lanes {
        #if arch(x86_64)
        return halves(a, b) { _mm_min_ps($0, $1) }
        #else
        return b.replacing(with: a, where: a .< b)
        #endif
    }

    /// `a > b ? a : b` lane by lane (`maxps`).
    @inline(__always)
    static func maximum(_ a: Lanes, _ b: Lanes) -> Lanes {
        #if arch(x86_64)
        return halves(a, b) { _mm_max_ps($0, $1) }
        #else
        return b.replacing(with: a, where: a .> b)
        #endif
    }

    /// `squareRoot(_:)` lane by lane, correctly rounded (`sqrtps`).
    @inline(__always)
    static func squareRoot(_ x: Lanes) -> Lanes {
        #if arch(x86_64)
        return halves(x) { _mm_sqrt_ps($0) }
        #else
        return x.squareRoot()
        #endif
    }

    /// `log(_:)` lane by lane.
    @inline(__always)
    static func log(_ x: Lanes) -> Lanes {
        let sqrtHalfBits: UInt32 = 0x3F35_04F3
        let shifted = bits(x) &- sqrtHalfBits
        let exponentBits = Words(truncatingIfNeeded: SIMD8<Int32>(truncatingIfNeeded: shifted) &>> 23) &+ 0x4B40_0000
        let exponent = lanes(exponentBits) - 12_582_912
        let mantissa = lanes((shifted & 0x007F_FFFF) &+ sqrtHalfBits)
        let s = (mantissa - 1) / (mantissa + 1)
        let z = s * s
        var series = Lanes(repeating: logSeries.0)
        series = series * z + logSeries.1
        series = series * z + logSeries.2
        series = series * z + logSeries.3
        series = series * z + 2
        let logMantissa = s * series
        return exponent * ln2High + (exponent * ln2Low + logMantissa)
    }

    /// `cosSin(_:)` lane by lane.
    @inline(__always)
    static func cosSin(_ phi: Lanes) -> (Lanes, Lanes) {
        let z = phi * phi
        var sine = Lanes(repeating: sineCoefficients.0)
        sine = sine * z + sineCoefficients.1
        sine = sine * z + sineCoefficients.2
        sine = (sine * z) * phi + phi
        var cosine = Lanes(repeating: cosineCoefficients.0)
        cosine = cosine * z + cosineCoefficients.1
        cosine = cosine * z + cosineCoefficients.2
        cosine = cosine * z - 0.5
        cosine = cosine * z + 1
        return (cosine, sine)
    }

    /// `lowerNormalQuantile(_:)` lane by lane.
    @inline(__always)
    static func lowerNormalQuantile(_ t: Lanes) -> Lanes {
        let w = negative(log(4 * t * (1 - t)))
        // `w >= 5` is `!(w < 5)`: `w` is never NaN here.
        let polynomial = select(lessThan(w, Lanes(repeating: 5)), centralPolynomial(w), tailPolynomial(w))
        return -1.414_213_562 * polynomial * (1 - 2 * t)
    }

    /// `centralNormalQuantile(_:)` lane by lane.
    @inline(__always)
    static func centralNormalQuantile(_ t: Lanes) -> Lanes {
        let w = negative(log(4 * t * (1 - t)))
        return -1.414_213_562 * centralPolynomial(w) * (1 - 2 * t)
    }

    @inline(__always)
    static func centralPolynomial(_ w: Lanes) -> Lanes {
        let central = w - 2.5
        var p = Lanes(repeating: 2.810_226_36e-08)
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
    static func tailPolynomial(_ w: Lanes) -> Lanes {
        let tail = squareRoot(w) - 3
        var q = Lanes(repeating: -0.000_200_214_257)
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
