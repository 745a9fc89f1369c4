import Foundation
import VarianceKit

// The JSON that `initbench propagate --format json` (and the report's `results.json`) writes.
// Stable, versioned by `schema`; fields are only ever added. Layout:
//
// {
//   "schema": "initbench.propagate.v1",
//   "config": { every setting: command, initializers, activations, depth, width, batch, inputs,
//               seed, bias, biasStandardDeviation, gain (a number, "fixed-point", "critical",
//               "of-activation", or null: each scheme's default), loss,
//               histogramBins, spectrumSamples (null without --spectrum), threads,
//               deterministic (ThreadPolicy.deterministic, --deterministic), blasKernel, blasConfiguration, memoryEstimateBytes,
//               versions: { initbench, varianceKit, swift } },
//   "runs": [ {
//       "init": "xavier-uniform", "activation": "tanh",
//       "formula": "Var(W) = 2/(fanIn+fanOut) = 0.00195", "gain": 1.0 or null,
//       "weightVarianceTarget": 0.00195 or null,
//       "status": "ok" | "diverged",
//       "divergedAtLayer": null | k (1-based: the first layer whose statistics are not finite),
//       "verdict": "one line",
//       "seconds": wall-clock time of the run,
//       "meanField": { weightScale (s_w^2 = width Var(W)), biasVariance, lengthFixedPoint (q*),
//                      lengthMapSlope, chi1, correlationFixedPoint (c*), phase ("ordered" |
//                      "critical" | "chaotic"), lengthDepthScale, correlationDepthScale,
//                      gradientDepthScale } or null (null entries: infinite or undefined),
//       "trainability": "withinDepthScale" | "beyondDepthScale" | "unknown" | null
//                       (the depth against 6 xi_c, Schoenholz et al. 2017),
//       "lsuv": null, or for --init lsuv { quantity, tolerance, layers: [ { layer (0-based),
//               iterations, initialVariance, finalVariance, scale, converged } ] },
//       "spectrum": null, or with --spectrum the singular values sigma of the input-output
//               Jacobian J = D_l W_l ... D_1 W_1 at the first spectrumSamples input rows:
//               { samples, seconds, depths: [ {           // about L/4, L/2, 3L/4 and L
//                   depth, nonFiniteSamples (Jacobians holding inf/NaN, left out),
//                   summary: { count, zeros, meanSquaredSingularValue, squaredSingularValueMoments
//                              ([E[s^2], E[s^4], E[s^6]]), squaredSingularValueVariance,
//                              meanSingularValue, singularValueStandardDeviation,
//                              logSingularValueStandardDeviation (of ln sigma), minimum, maximum,
//                              conditionNumbers (per sample), conditionNumber (the largest) } or null,
//                   histogram: { lowerLog10, upperLog10, counts, zeros }   // bins in log10 sigma
//                   prediction: { depth, ensemble ("independentEntries" | "haarOrthogonal" | null),
//                                 meanSquaredSingularValue (mean field: product of chi_1(q^l)),
//                                 squaredSingularValueVariance (free probability),
//                                 squaredSingularValueMoments (linear networks: Fuss-Catalan or the
//                                 orthogonal point mass; else null), exact } or null (lsuv)
//                   density: free probability's wide-limit law of s^2 (SpectrumDensity):
//                            { depth, ensemble, squaredSingularValues (grid, ascending), density
//                              (rho(s^2) on it), lowerEdge, upperEdge (its support), gridExponent,
//                              zeroAtomMass (an atom at s = 0 apart: 1/2 for ReLU), integral }
//                            or null (no prediction, or no density: then
//                   densityUnavailable: why, e.g. the point mass of orthogonal linear layers) or null
//               } ] },
//       "layers": [ {            // ordered from the first layer (index 1) to the last
//           "index": 1,
//           "preactivationMean", "preactivationVariance",      // Z = A_{l-1} W^T (+ b)
//           "activationMean", "activationVariance",            // A = phi(Z)
//           "gradientVariance",        // dL/dZ for the batch-mean loss (the 1/B included)
//           "weightGradientVariance",  // dL/dW
//           "weightVariance",          // W itself
//           "saturatedFraction", "deadFraction",
//           "histograms": { "activation": {lower, upper, counts, zeros}, "gradient": {...}, "preactivation": {...} },
//           "theory": { "preactivationVariance", "activationVariance", "gradientVariance",
//                       "weightGradientVariance" }   // mean-field prediction; with --loss quadratic
//                                                      // only the forward ones and the top gradient
//       } ]
//   } ]
// }
//
// Variances are population variances over all entries (batch x width, or the whole weight).
// Every value that is not finite is written as null; the run's status says it diverged.

/// The whole output of `propagate`, `report` and the default comparison: the library's
/// `PropagationResult` with the settings that produced it and a verdict per run.
struct PropagationDocument: Encodable, Sendable {
    let schema = "initbench.propagate.v1"
    var config: PropagationConfiguration
    var runs: [RunRecord]

    init(experiment: PropagationExperiment, result: PropagationResult, command: String, threads: Int) {
        config = PropagationConfiguration(experiment: experiment, command: command, threads: threads)
        runs = result.runs.map(RunRecord.init)
    }

    init(config: PropagationConfiguration, runs: [RunRecord]) {
        self.config = config
        self.runs = runs
    }
}

/// Every setting that produced a document.
struct PropagationConfiguration: Encodable, Sendable {
    var command: String
    var initializers: [String]
    var activations: [String]
    var depth: Int
    var width: Int
    var batch: Int
    /// Input features (the width of `X`, equal to `width`).
    var inputs: Int
    var seed: UInt64
    var bias: Bool
    /// `--bias-std`: the biases' standard deviation (0: zeros).
    var biasStandardDeviation: Double
    /// `--gain` when given (a number, or `fixed-point`, `critical`, `of-activation`); `null` means
    /// each scheme's default.
    var gain: Gain?
    var loss: String
    var histogramBins: Int
    /// `--spectrum-samples` with `--spectrum`; nil without.
    var spectrumSamples: Int?
    var threads: Int
    /// `ThreadPolicy.deterministic` during the run.
    var deterministic: Bool
    var blasKernel: String
    var blasConfiguration: String
    /// `PropagationExperiment.memoryRequirement`.
    var memoryEstimateBytes: Int
    var versions: Versions

    init(experiment: PropagationExperiment, command: String, threads: Int) {
        self.command = command
        initializers = experiment.initializers.map(\.rawValue)
        activations = experiment.activations.map(\.name)
        depth = experiment.depth
        width = experiment.width
        batch = experiment.batch
        inputs = experiment.width
        seed = experiment.seed
        bias = experiment.bias
        biasStandardDeviation = experiment.biasStandardDeviation
        gain = experiment.gain
        loss = experiment.loss.rawValue
        histogramBins = experiment.histogramBins
        spectrumSamples = experiment.spectrumSamples
        self.threads = threads
        deterministic = ThreadPolicy.deterministic
        blasKernel = BLAS.kernelName
        blasConfiguration = BLAS.configuration
        memoryEstimateBytes = experiment.memoryRequirement
        versions = .current
    }

    func encode(to encoder: Encoder) throws {
        // Every setting is written, `gain` as null when each scheme's default was used and
        // `spectrumSamples` as null without --spectrum.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(command, forKey: .command)
        try container.encode(initializers, forKey: .initializers)
        try container.encode(activations, forKey: .activations)
        try container.encode(depth, forKey: .depth)
        try container.encode(width, forKey: .width)
        try container.encode(batch, forKey: .batch)
        try container.encode(inputs, forKey: .inputs)
        try container.encode(seed, forKey: .seed)
        try container.encode(bias, forKey: .bias)
        try container.encode(biasStandardDeviation, forKey: .biasStandardDeviation)
        try container.encode(gain, forKey: .gain)
        try container.encode(loss, forKey: .loss)
        try container.encode(histogramBins, forKey: .histogramBins)
        try container.encode(spectrumSamples, forKey: .spectrumSamples)
        try container.encode(threads, forKey: .threads)
        try container.encode(deterministic, forKey: .deterministic)
        try container.encode(blasKernel, forKey: .blasKernel)
        try container.encode(blasConfiguration, forKey: .blasConfiguration)
        try container.encode(memoryEstimateBytes, forKey: .memoryEstimateBytes)
        try container.encode(versions, forKey: .versions)
    }

    enum CodingKeys: String, CodingKey {
        case command, initializers, activations, depth, width, batch, inputs, seed, bias, biasStandardDeviation, gain, loss
        case histogramBins, spectrumSamples, threads, deterministic, blasKernel, blasConfiguration, memoryEstimateBytes, versions
    }
}

/// Versions of everything that produced a document.
struct Versions: Codable, Sendable {
    var initbench: String
    var varianceKit: String
    var swift: String

    static var current: Versions {
        Versions(initbench: VarianceKit.version, varianceKit: VarianceKit.version, swift: swiftVersion)
    }

    static var swiftVersion: String {
        #if compiler(>=6.4)
        return ">= 6.4"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #else
        return "< 6.2"
        #endif
    }
}

/// One run as the document writes it: the library's `PropagationRun` and its verdict.
@dynamicMemberLookup
struct RunRecord: Encodable, Sendable {
    var run: PropagationRun
    var verdict: String

    init(_ run: PropagationRun) {
        self.run = run
        verdict = Verdict.sentence(for: run)
    }

    subscript<Value>(dynamicMember keyPath: KeyPath<PropagationRun, Value>) -> Value { run[keyPath: keyPath] }

    func encode(to encoder: Encoder) throws {
        // The run's own keys, then `verdict` beside them in the same object.
        try run.encode(to: encoder)
        var container = encoder.container(keyedBy: VerdictKey.self)
        try container.encode(verdict, forKey: .verdict)
    }

    enum VerdictKey: String, CodingKey { case verdict }
}
