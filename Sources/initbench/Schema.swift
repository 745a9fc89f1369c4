import Foundation
import VarianceKit

// The JSON that `initbench propagate --format json` (and the report's `results.json`) writes.
// Stable, versioned by `schema`; fields are only ever added. Layout:
//
// {
//   "schema": "initbench.propagate.v1",
//   "config": { every setting: command, initializers, activations, depth, width, batch, inputs,
//               seed, bias, gain (null: each scheme's default), loss, histogramBins, threads,
//               blasKernel, blasConfiguration, memoryEstimateBytes,
//               versions: { initbench, varianceKit, swift } },
//   "runs": [ {
//       "init": "xavier-uniform", "activation": "tanh",
//       "formula": "Var(W) = 2/(fanIn+fanOut) = 0.00195", "gain": 1.0 or null,
//       "weightVarianceTarget": 0.00195,
//       "status": "ok" | "diverged",
//       "divergedAtLayer": null | k (1-based: the first layer whose statistics are not finite),
//       "verdict": "one line",
//       "seconds": wall-clock time of the run,
//       "layers": [ {            // ordered from the first layer (index 1) to the last
//           "index": 1,
//           "preactivationMean", "preactivationVariance",      // Z = A_{l-1} W^T (+ b)
//           "activationMean", "activationVariance",            // A = phi(Z)
//           "gradientVariance",        // dL/dZ for the batch-mean loss (the 1/B included)
//           "weightGradientVariance",  // dL/dW
//           "weightVariance",          // W itself
//           "saturatedFraction", "deadFraction",
//           "histograms": { "activation": {lower, upper, counts}, "gradient": {...}, "preactivation": {...} },
//           "theory": { "preactivationVariance", "activationVariance", "gradientVariance",
//                       "weightGradientVariance" }   // mean-field prediction; with --loss quadratic
//                                                      // only the forward ones and the top gradient
//       } ]
//   } ]
// }
//
// Variances are population variances over all entries (batch x width, or the whole weight).
// A statistic that is not finite (the run diverged) is written as null.

/// The whole output of `propagate`, `report` and the default comparison.
struct PropagationReport: Codable, Sendable {
    var schema = "initbench.propagate.v1"
    var config: PropagationConfiguration
    var runs: [RunRecord]
}

/// Every setting that produced a report.
struct PropagationConfiguration: Codable, Sendable {
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
    /// `--gain` when given; `null` means each scheme's default (the activation's gain for
    /// orthogonal, sqrt(2) for he-*, 1 for xavier-*).
    var gain: Double?
    var loss: String
    var histogramBins: Int
    var threads: Int
    var blasKernel: String
    var blasConfiguration: String
    var memoryEstimateBytes: Int
    var versions: Versions

    func encode(to encoder: Encoder) throws {
        // Every setting is written, `gain` as null when each scheme's default was used.
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
        try container.encode(gain, forKey: .gain)
        try container.encode(loss, forKey: .loss)
        try container.encode(histogramBins, forKey: .histogramBins)
        try container.encode(threads, forKey: .threads)
        try container.encode(blasKernel, forKey: .blasKernel)
        try container.encode(blasConfiguration, forKey: .blasConfiguration)
        try container.encode(memoryEstimateBytes, forKey: .memoryEstimateBytes)
        try container.encode(versions, forKey: .versions)
    }
}

/// Versions of everything that produced a report.
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

/// One (initializer, activation) network.
struct RunRecord: Codable, Sendable {
    var initializer: String
    var activation: String
    var formula: String
    var gain: Double?
    var weightVarianceTarget: Double
    var status: Status
    var divergedAtLayer: Int?
    var verdict: String
    var seconds: Double
    var layers: [LayerRecord]

    enum Status: String, Codable, Sendable { case ok, diverged }

    enum CodingKeys: String, CodingKey {
        case initializer = "init"
        case activation, formula, gain, weightVarianceTarget, status, divergedAtLayer, verdict, seconds, layers
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(initializer, forKey: .initializer)
        try container.encode(activation, forKey: .activation)
        try container.encode(formula, forKey: .formula)
        try container.encode(gain, forKey: .gain)
        try container.encode(weightVarianceTarget, forKey: .weightVarianceTarget)
        try container.encode(status, forKey: .status)
        try container.encode(divergedAtLayer, forKey: .divergedAtLayer)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(layers, forKey: .layers)
    }
}

/// A statistic that is written as `null` when it is not finite.
typealias Statistic = Double?

extension Optional where Wrapped == Double {
    /// `value` when finite, `nil` (JSON null) otherwise.
    static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
}

/// Per-layer measurements of one run, with the mean-field prediction beside them.
struct LayerRecord: Codable, Sendable {
    var index: Int
    var preactivationMean: Statistic
    var preactivationVariance: Statistic
    var activationMean: Statistic
    var activationVariance: Statistic
    var gradientVariance: Statistic
    var weightGradientVariance: Statistic
    var weightVariance: Statistic
    var saturatedFraction: Double
    var deadFraction: Double
    var histograms: LayerHistograms
    var theory: TheoryRecord

    func encode(to encoder: Encoder) throws {
        // Write nulls explicitly (the synthesized encoder would omit them) so that every layer has
        // every key.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(preactivationMean, forKey: .preactivationMean)
        try container.encode(preactivationVariance, forKey: .preactivationVariance)
        try container.encode(activationMean, forKey: .activationMean)
        try container.encode(activationVariance, forKey: .activationVariance)
        try container.encode(gradientVariance, forKey: .gradientVariance)
        try container.encode(weightGradientVariance, forKey: .weightGradientVariance)
        try container.encode(weightVariance, forKey: .weightVariance)
        try container.encode(saturatedFraction, forKey: .saturatedFraction)
        try container.encode(deadFraction, forKey: .deadFraction)
        try container.encode(histograms, forKey: .histograms)
        try container.encode(theory, forKey: .theory)
    }
}

/// Histograms of one layer: equal-width bins on `[lower, upper]` over an evenly strided sample
/// of the entries (at most 65536); values outside are counted in the end bins, non-finite values
/// are not counted; `zeros` says how many of the counted values were exactly 0 (dead ReLU units and
/// their gradients), which are also in their bin.
struct LayerHistograms: Codable, Sendable {
    var preactivation: HistogramRecord
    var activation: HistogramRecord
    var gradient: HistogramRecord
}

/// A fixed-bin histogram.
struct HistogramRecord: Codable, Sendable, Equatable {
    var lower: Double
    var upper: Double
    var counts: [Int]
    var zeros: Int

    static let empty = HistogramRecord(lower: 0, upper: 0, counts: [], zeros: 0)

    /// The total number of counted entries.
    var total: Int { counts.reduce(0, +) }
}

/// The mean-field prediction for one layer (`MeanFieldTheory.predict`); `null` where it overflows.
struct TheoryRecord: Codable, Sendable {
    var preactivationVariance: Statistic
    var activationVariance: Statistic
    var gradientVariance: Statistic
    var weightGradientVariance: Statistic

    init(_ prediction: LayerPrediction?) {
        preactivationVariance = prediction.flatMap { .finite($0.preactivationVariance) }
        activationVariance = prediction.flatMap { .finite($0.activationVariance) }
        gradientVariance = prediction.flatMap { .finite($0.gradientVariance) }
        weightGradientVariance = prediction.flatMap { .finite($0.weightGradientVariance) }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(preactivationVariance, forKey: .preactivationVariance)
        try container.encode(activationVariance, forKey: .activationVariance)
        try container.encode(gradientVariance, forKey: .gradientVariance)
        try container.encode(weightGradientVariance, forKey: .weightGradientVariance)
    }
}

extension PropagationReport {
    /// Pretty, key-sorted JSON.
    func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
