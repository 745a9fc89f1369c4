import Foundation
import Testing
import VarianceKit

@Suite struct ActivationTests {
    /// Sample points: a grid over [-12, 12], values near zero and near the kinks.
    static let points: [Double] = stride(from: -12.0, through: 12.0, by: 0.0625).map { $0 }
        + [1e-6, -1e-6, 1e-3, -1e-3, 0.1, -0.1, 0.3, -0.3, 0.55, -0.55, 3.3, -3.3, 20, -20, 40, -40]

    @Test(arguments: allActivations)
    func valueMatchesDoubleReference(_ activation: Activation) {
        for z in Self.points {
            let expected = ActivationReference.value(activation, Double(Float(z)))
            let actual = Double(activation.value(Float(z)))
            // A few Float ulp relative to the value, with an absolute floor for values near zero
            // that come out of a difference (GELU and SiLU tails).
            // GELU's exp(-z²/2 + P(t)) carries the rounding of its Float argument (~1e-6 relative).
            let tolerance = (activation == .gelu ? 2e-6 : 4e-7) * Swift.abs(expected) + 1e-9
            #expect(Swift.abs(actual - expected) <= tolerance, "\(activation) at z = \(z): \(actual) vs \(expected)")
        }
    }

    @Test(arguments: allActivations)
    func derivativeMatchesDoubleReference(_ activation: Activation) {
        for z in Self.points where z != 0 {
            let zf = Double(Float(z))
            let expected = ActivationReference.derivative(activation, zf)
            let actual = Double(activation.derivative(Float(z)))
            let tolerance = 2e-6 * Swift.abs(expected) + 2e-7
            #expect(Swift.abs(actual - expected) <= tolerance, "\(activation)' at z = \(z): \(actual) vs \(expected)")
        }
    }

    /// The Double reference's analytic derivative against its own central differences (< 1e-6).
    @Test(arguments: allActivations)
    func referenceDerivativeMatchesFiniteDifferences(_ activation: Activation) {
        let h = 1e-5
        for z in Self.points where Swift.abs(z) > 1e-3 {
            let numeric = (ActivationReference.value(activation, z + h) - ActivationReference.value(activation, z - h)) / (2 * h)
            let analytic = ActivationReference.derivative(activation, z)
            #expect(Swift.abs(numeric - analytic) <= 1e-6 * max(1, Swift.abs(analytic)), "\(activation) at \(z)")
        }
    }

    @Test(arguments: allActivations)
    func nanPropagatesAndInfinitiesSaturate(_ activation: Activation) {
        #expect(activation.value(.nan).isNaN, "\(activation)(NaN)")
        let positive = activation.value(.infinity)
        let negative = activation.value(-.infinity)
        #expect(!positive.isNaN && !negative.isNaN, "\(activation)(±inf) = \(positive), \(negative)")
    }

    /// tanh's limits and symmetry, bit for bit: odd (`tanh(-z) = -tanh(z)`, including `-0`),
    /// exactly ±1 from |z| = 9 on, NaN for NaN of either sign.
    @Test func tanhIsOddAndSaturatesExactly() {
        #expect(Activation.tanh.value(-0.0).bitPattern == (-0.0 as Float).bitPattern)
        #expect(Activation.tanh.value(0).bitPattern == (0 as Float).bitPattern)
        for z: Float in [1e-30, 1e-7, 0.01, 0.5, 1, 2.5, 4, 8.9] {
            #expect(Activation.tanh.value(-z) == -Activation.tanh.value(z), "z = \(z)")
        }
        for z: Float in [9, 9.5, 20, 1e10, .infinity] {
            #expect(Activation.tanh.value(z) == 1 && Activation.tanh.value(-z) == -1, "z = \(z)")
        }
        #expect(Activation.tanh.value(-.nan).isNaN)
    }

    /// Rows whose length is not a multiple of the vector width go through the tail path.
    @Test(arguments: allActivations)
    func matrixApplicationCoversTails(_ activation: Activation) throws {
        var random = TestRandom(seed: 11)
        let input = try Matrix(rows: 3, columns: 11, elements: random.array(33).map { $0 * 4 })
        let output = activation.apply(to: input)
        for r in 0..<3 {
            for c in 0..<11 {
                let expected = ActivationReference.value(activation, Double(input[r, c]))
                #expect(Swift.abs(Double(output[r, c]) - expected) <= 1e-6 * max(1, Swift.abs(expected)))
            }
        }
    }

    @Test func namesRoundTrip() throws {
        for activation in Activation.allDefaults {
            #expect(try Activation.named(activation.name) == activation)
        }
        #expect(try Activation.named("linear") == .linear)
        #expect(try Activation.named("Swish") == .silu)
        #expect(try Activation.named("leaky-relu", leakySlope: 0.2) == .leakyReLU(slope: 0.2))
        #expect(try Activation.named("elu", eluAlpha: 0.5) == .elu(alpha: 0.5))
    }

    @Test func badNamesAndParametersThrow() throws {
        #expect(throws: VarianceKitError.self) { try Activation.named("relu6") }
        #expect(throws: VarianceKitError.self) { try Activation.named("leaky-relu", leakySlope: -1) }
        #expect(throws: VarianceKitError.self) { try Activation.named("elu", eluAlpha: .nan) }
        #expect(throws: VarianceKitError.self) { try Dense(inputs: 2, outputs: 2, activation: .leakyReLU(slope: .infinity)) }
    }

    @Test func codableRoundTrip() throws {
        let data = try JSONEncoder().encode(allActivations)
        #expect(try JSONDecoder().decode([Activation].self, from: data) == allActivations)
    }
}
