import ArgumentParser
import Foundation
import VarianceKit

/// `initbench theory`: mean-field theory for one activation and `(s_w^2, s_b^2)`, with no
/// network: the length and correlation maps layer by layer, `q*`, `chi_1`, `c*`, the phase, the
/// depth scales, the edge of chaos for a range of bias variances, and where the common
/// initializers sit.
struct Theory: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mean-field theory: the length and correlation maps, q*, chi_1, c*, the phase, depth scales and the edge of chaos.",
        discussion: """
            For weights W ~ (0, s_w^2 / fanIn) and biases b ~ (0, s_b^2): the length map \
            q^l = s_w^2 E[phi(sqrt(q^{l-1}) z)^2] + s_b^2 from q^0 = --input-variance, the correlation \
            map at q* from c^0 = --initial-correlation, the fixed points, chi_1 (ordered < 1 < chaotic), \
            the depth scales xi_q, xi_c and xi_grad, the verdict depth <= 6 xi_c (Schoenholz et al. \
            2017), the critical s_w^2 for each --critical-bias-variance, and the s_w^2 = gain^2 of the \
            common initializers for square layers.
            Example: initbench theory --activation tanh --weight-variance 1.5 --bias-variance 0.05 --depth 20
            """)

    @Option(help: "Activation (\(Activation.acceptedNames)).")
    var activation: String = "tanh"

    @Option(name: .customLong("weight-variance"), help: "s_w^2: the weights' variance times the fan-in (> 0).")
    var weightVariance: Double = 1

    @Option(name: .customLong("bias-variance"), help: "s_b^2: the biases' variance (>= 0).")
    var biasVariance: Double = 0

    @Option(help: "Layers of the per-layer maps (1...10000).")
    var depth: Int = 20

    @Option(name: .customLong("input-variance"), help: "q^0, the variance of the pre-activations fed to layer 1 (> 0).")
    var inputVariance: Double = 1

    @Option(name: .customLong("initial-correlation"), help: "c^0, the correlation of two inputs (-1...1).")
    var initialCorrelation: Double = 0.5

    @Option(name: .customLong("critical-bias-variance"), parsing: .upToNextOption,
            help: "The s_b^2 at which to report the edge of chaos (default: 0 0.01 0.05 0.1 0.2).")
    var criticalBiasVariances: [Double] = [0, 0.01, 0.05, 0.1, 0.2]

    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try NameList.activations(activation)
        guard weightVariance.isFinite, weightVariance > 0 else {
            throw ValidationError("invalid --weight-variance \(weightVariance): expected a finite number > 0")
        }
        guard biasVariance.isFinite, biasVariance >= 0 else {
            throw ValidationError("invalid --bias-variance \(biasVariance): expected a finite number >= 0")
        }
        try ExperimentOptions.requireRange(depth, 1...10_000, "--depth")
        guard inputVariance.isFinite, inputVariance > 0 else {
            throw ValidationError("invalid --input-variance \(inputVariance): expected a finite number > 0")
        }
        guard initialCorrelation.isFinite, (-1...1).contains(initialCorrelation) else {
            throw ValidationError("invalid --initial-correlation \(initialCorrelation): expected a number in -1...1")
        }
        for value in criticalBiasVariances where !(value.isFinite && value >= 0) {
            throw ValidationError("invalid --critical-bias-variance \(value): expected finite numbers >= 0")
        }
    }

    func run() throws {
        try reportingFailures {
            let activation = try NameList.activations(activation)[0]
            try output.emit(try TheoryDocument(
                activation: activation, weightVariance: weightVariance, biasVariance: biasVariance, depth: depth,
                inputVariance: inputVariance, initialCorrelation: initialCorrelation,
                criticalBiasVariances: criticalBiasVariances))
        }
    }
}
