import Foundation

/// A complex number in Double, with the few operations the spectral-density solver
/// (`SpectrumTheory.density`) needs: arithmetic, the principal logarithm, the modulus.
struct Complex: Sendable, Equatable {
    var real: Double
    var imaginary: Double

    init(_ real: Double, _ imaginary: Double = 0) {
        self.real = real
        self.imaginary = imaginary
    }

    static let zero = Complex(0)
    static let one = Complex(1)

    /// `|z|`, without overflow for large parts.
    var magnitude: Double { hypot(real, imaginary) }

    var isFinite: Bool { real.isFinite && imaginary.isFinite }

    /// The principal logarithm `log|z| + i arg z`, `arg z` in `(-π, π]`.
    var logarithm: Complex { Complex(Foundation.log(magnitude), atan2(imaginary, real)) }

    /// `1/z` by Smith's scaling, which avoids overflow of `|z|^2`.
    var reciprocal: Complex { Complex.one / self }

    static func + (a: Complex, b: Complex) -> Complex { Complex(a.real + b.real, a.imaginary + b.imaginary) }
    static func - (a: Complex, b: Complex) -> Complex { Complex(a.real - b.real, a.imaginary - b.imaginary) }
    static prefix func - (a: Complex) -> Complex { Complex(-a.real, -a.imaginary) }
    static func * (a: Complex, b: Complex) -> Complex {
        Complex(a.real * b.real - a.imaginary * b.imaginary, a.real * b.imaginary + a.imaginary * b.real)
    }
    static func * (a: Double, b: Complex) -> Complex { Complex(a * b.real, a * b.imaginary) }
    static func + (a: Complex, b: Double) -> Complex { Complex(a.real + b, a.imaginary) }
    static func - (a: Double, b: Complex) -> Complex { Complex(a - b.real, -b.imaginary) }

    /// `a / b` by Smith's algorithm: divides by the larger of `b`'s parts first.
    static func / (a: Complex, b: Complex) -> Complex {
        if abs(b.real) >= abs(b.imaginary) {
            let ratio = b.imaginary / b.real, denominator = b.real + b.imaginary * ratio
            return Complex((a.real + a.imaginary * ratio) / denominator, (a.imaginary - a.real * ratio) / denominator)
        }
        let ratio = b.real / b.imaginary, denominator = b.real * ratio + b.imaginary
        return Complex((a.real * ratio + a.imaginary) / denominator, (a.imaginary * ratio - a.real) / denominator)
    }

    static func / (a: Complex, b: Double) -> Complex { Complex(a.real / b, a.imaginary / b) }
    static func += (a: inout Complex, b: Complex) { a = a + b }
}
