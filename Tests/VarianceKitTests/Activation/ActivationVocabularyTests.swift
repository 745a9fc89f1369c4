import Foundation
import Testing
import VarianceKit

/// `Activation` is the one definition of an activation: names and aliases, the scalar Double
/// functions the theory uses, the saturation rule and the gain.
@Suite struct ActivationVocabularyTests {
    @Test(arguments: allActivations)
    func doubleFunctionsMatchTheTextbookFormulas(_ activation: Activation) {
        for z in stride(from: -6.0, through: 6.0, by: 0.37) {
            let value = ActivationReference.value(activation, z)
            let derivative = ActivationReference.derivative(activation, z)
            #expect(Swift.abs(activation.valueInDouble(z) - value) <= 1e-14 * max(1, Swift.abs(value)), "\(activation) at \(z)")
            #expect(Swift.abs(activation.derivativeInDouble(z) - derivative) <= 1e-14 * max(1, Swift.abs(derivative)), "\(activation)' at \(z)")
        }
    }

    @Test func seluConstantsAreTheKernelsAndTheTheorys() {
        // The Float constants the kernels use are the Double ones rounded once.
        #expect(Activation.seluScale.bitPattern == (1.050_700_987_355_480_5 as Float).bitPattern)
        #expect(Activation.seluAlpha.bitPattern == (1.673_263_242_354_377_2 as Float).bitPattern)
        #expect(Swift.abs(Activation.seluScaleExact - 1.0507009873554805) < 1e-15)
    }

    @Test func namesAliasesAndParameters() throws {
        for activation in Activation.allDefaults { #expect(try Activation.named(activation.name) == activation) }
        #expect(try Activation.named("identity") == .linear)
        #expect(try Activation.named("NONE") == .linear)
        #expect(try Activation.named("swish") == .silu)
        #expect(try Activation.named("leaky_relu") == .leakyReLU(slope: 0.01))
        #expect(try Activation.named("lrelu", leakySlope: 0.3) == .leakyReLU(slope: 0.3))
        #expect(throws: VarianceKitError.self) { try Activation.named("lrelu", leakySlope: -0.3) }
        #expect(Activation.acceptedNames == "linear, tanh, sigmoid, relu, leaky-relu, softsign, selu, elu, gelu, silu")
    }

    @Test func saturationRules() {
        #expect(Activation.tanh.saturation == .magnitudeAbove(0.99))
        #expect(Activation.softsign.saturation == .magnitudeAbove(0.9))
        #expect(Activation.sigmoid.saturation == .outside(low: 0.01, high: 0.99))
        #expect(Activation.relu.saturation == .exactlyZero)
        #expect(Activation.relu.hasDeadUnits && !Activation.relu.hasSaturation)
        #expect(Activation.tanh.hasSaturation && !Activation.tanh.hasDeadUnits)
        #expect(Activation.gelu.saturation == nil)
    }

    /// The theory of an activation is its own Double functions: the mean-field maps agree with
    /// the closure form built from the independent textbook formulas.
    @Test(arguments: [Activation.tanh, .relu, .selu, .gelu])
    func meanFieldTheoryTakesTheActivation(_ activation: Activation) {
        let fromActivation = MeanFieldTheory(activation: activation)
        let fromClosures = MeanFieldTheory(activation: { ActivationReference.value(activation, $0) },
                                           derivative: { ActivationReference.derivative(activation, $0) })
        for q in [0.1, 1.0, 3.0] {
            let a = fromActivation.varianceMap(q, weightScale: 1.5), b = fromClosures.varianceMap(q, weightScale: 1.5)
            #expect(Swift.abs(a - b) <= 1e-12 * b)
            let c = fromActivation.chi1(preactivationVariance: q, weightScale: 1.5), d = fromClosures.chi1(preactivationVariance: q, weightScale: 1.5)
            #expect(Swift.abs(c - d) <= 1e-12 * d)
        }
    }
}
