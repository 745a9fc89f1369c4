import Testing
@testable import VarianceKit

/// The internal pieces the fused steps rest on, against plain references.
@Suite struct FusedKernelTests {
    /// The ulp distance of a vector square root from the correctly rounded one, over 60 binades.
    private func worstUlpError(_ root: (FusedKernels.Vector) -> FusedKernels.Vector) -> Int {
        var generator = TestRandom(seed: 99)
        var worst = 0
        for _ in 0..<4000 {
            var x = FusedKernels.Vector()
            for lane in 0..<8 {
                let exponent = Int(generator.nextUInt64() % 120) - 60
                x[lane] = Float(sign: .plus, exponent: exponent, significand: 1 + abs(generator.uniform()))
            }
            let result = root(x)
            for lane in 0..<8 {
                let exact = x[lane].squareRoot()
                worst = max(worst, abs(Int(result[lane].bitPattern) - Int(exact.bitPattern)))
            }
        }
        return worst
    }

    /// Newton's square root (the portable fallback) is within 2 ulp for normal numbers.
    @Test func newtonSquareRootIsWithinTwoUlpsForNormalNumbers() {
        #expect(worstUlpError(FusedKernels.newtonSquareRoot) <= 2)
        #expect(FusedKernels.newtonSquareRoot(FusedKernels.Vector(repeating: 0)) == FusedKernels.Vector(repeating: 0))
        #expect(FusedKernels.newtonSquareRoot(FusedKernels.Vector(repeating: 4)) == FusedKernels.Vector(repeating: 2))
    }

    /// The square root the kernels use: correctly rounded (`sqrtps`) on x86-64.
    @Test func kernelSquareRootIsCorrectlyRoundedOnX86() {
        #if arch(x86_64)
        #expect(worstUlpError(FusedKernels.squareRoot) == 0)
        #else
        #expect(worstUlpError(FusedKernels.squareRoot) <= 2)
        #endif
        #expect(FusedKernels.squareRoot(FusedKernels.Vector(repeating: 0)) == FusedKernels.Vector(repeating: 0))
    }

    @Test func signAndMagnitudeByBits() {
        let x = FusedKernels.Vector(-2, -0.0, 0, 3, -.infinity, .leastNonzeroMagnitude, -1e-30, 7)
        #expect(FusedKernels.sign(x) == FusedKernels.Vector(-1, 0, 0, 1, -1, 1, -1, 1))
        #expect(FusedKernels.magnitude(x) == FusedKernels.Vector(2, 0, 0, 3, .infinity, .leastNonzeroMagnitude, 1e-30, 7))
    }
}
