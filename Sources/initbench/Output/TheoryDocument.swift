import Foundation
import VarianceKit

// The JSON that `initbench theory --format json` writes:
// {
//   "schema": "initbench.theory.v1",
//   "config": { activation, weightVariance, biasVariance, depth, inputVariance, initialCorrelation, version },
//   "analysis": { weightScale, biasVariance, lengthFixedPoint, lengthMapSlope, chi1,
//                 correlationFixedPoint, phase, lengthDepthScale, correlationDepthScale,
//                 gradientDepthScale },                      // MeanFieldAnalysis; null where infinite
//   "verdict": "withinDepthScale" | "beyondDepthScale" | "unknown",
//   "layers": [ { index, preactivationVariance, correlation } ],
//   "criticalLine": [ { biasVariance, criticalWeightVariance (null: none in 0.01...100) } ],
//   "initializers": [ { init, weightVariance, phase } ]    // square layers, no bias
// }

/// What `initbench theory` writes.
struct TheoryDocument: Encodable, RenderedDocument {
    struct Configuration: Encodable {
        var activation: String
        var weightVariance: Double
        var biasVariance: Double
        var depth: Int
        var inputVariance: Double
        var initialCorrelation: Double
        var version = VarianceKit.version
    }

    struct Layer: Encodable {
        var index: Int
        var preactivationVariance: Double?
        var correlation: Double?

        enum CodingKeys: String, CodingKey { case index, preactivationVariance, correlation }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(preactivationVariance, forKey: .preactivationVariance)
            try container.encode(correlation, forKey: .correlation)
        }
    }

    struct CriticalPoint: Encodable {
        var biasVariance: Double
        var criticalWeightVariance: Double?

        enum CodingKeys: String, CodingKey { case biasVariance, criticalWeightVariance }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(biasVariance, forKey: .biasVariance)
            try container.encode(criticalWeightVariance, forKey: .criticalWeightVariance)
        }
    }

    struct InitializerPoint: Encodable {
        var initializer: String
        var weightVariance: Double
        var phase: MeanFieldPhase?

        enum CodingKeys: String, CodingKey { case initializer = "init", weightVariance, phase }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(initializer, forKey: .initializer)
            try container.encode(weightVariance, forKey: .weightVariance)
            try container.encode(phase, forKey: .phase)
        }
    }

    let schema = "initbench.theory.v1"
    var config: Configuration
    var analysis: MeanFieldAnalysis
    var verdict: TrainabilityVerdict
    var layers: [Layer]
    var criticalLine: [CriticalPoint]
    var initializers: [InitializerPoint]

    /// The schemes placed on the phase diagram, with the `s_w^2 = fanIn Var(W)` they give a
    /// square layer (their gain resolved for the activation).
    static let placedInitializers: [InitializerName] = [.standard, .xavierNormal, .heNormal, .lecunNormal, .orthogonal]

    init(activation: Activation, weightVariance: Double, biasVariance: Double, depth: Int,
         inputVariance: Double, initialCorrelation: Double, criticalBiasVariances: [Double]) throws {
        let theory = MeanFieldTheory(activation: activation)
        config = Configuration(activation: activation.name, weightVariance: weightVariance, biasVariance: biasVariance,
                               depth: depth, inputVariance: inputVariance, initialCorrelation: initialCorrelation)
        analysis = try theory.analysis(weightScale: weightVariance, biasVariance: biasVariance)
        verdict = TrainabilityVerdict(depth: depth, analysis: analysis)
        let lengths = theory.preactivationVariances(
            initialVariance: inputVariance, depth: depth, weightScale: weightVariance, biasVariance: biasVariance)
        let correlations = analysis.lengthFixedPoint.map {
            theory.correlations(initialCorrelation: initialCorrelation, fixedPoint: $0, depth: depth,
                                weightScale: weightVariance, biasVariance: biasVariance)
        }
        layers = (0..<depth).map { l in
            Layer(index: l + 1, preactivationVariance: lengths[l].isFinite ? lengths[l] : nil,
                  correlation: correlations.flatMap { $0[l].isFinite ? $0[l] : nil })
        }
        criticalLine = criticalBiasVariances.map {
            CriticalPoint(biasVariance: $0, criticalWeightVariance: try? theory.criticalWeightScale(biasVariance: $0))
        }
        initializers = Self.placedInitializers.map { name in
            let scheme = name.scheme(gain: nil).resolved(for: activation)
            let variance = (scheme.targetVariance(fanIn: 1000, fanOut: 1000) ?? .nan) * 1000
            let phase = try? theory.analysis(weightScale: variance).phase
            return InitializerPoint(initializer: name.rawValue, weightVariance: variance, phase: phase ?? nil)
        }
    }

    var table: String {
        let a = analysis
        func number(_ value: Double?) -> String { NumberFormat.short(value, missing: "-") }
        func scale(_ value: Double?) -> String {
            guard let value else { return a.phase == .critical ? "inf" : "-" }
            return NumberFormat.short(value)
        }
        var out = "\(config.activation), s_w^2 = \(number(config.weightVariance)), s_b^2 = \(number(config.biasVariance))\n"
        out += "q* = \(number(a.lengthFixedPoint)), chi_1 = \(number(a.chi1)), c* = \(number(a.correlationFixedPoint)), "
            + "phase \(a.phase?.rawValue ?? "-")\n"
        out += "depth scales: xi_q = \(scale(a.lengthDepthScale)), xi_c = \(scale(a.correlationDepthScale)), "
            + "xi_grad = \(scale(a.gradientDepthScale))\n"
        out += "depth \(config.depth): " + {
            switch verdict {
            case .withinDepthScale: return "within 6 xi_c: signals still tell inputs apart"
            case .beyondDepthScale: return "beyond 6 xi_c = \(number(a.correlationDepthScale.map { 6 * $0 })): expected not to train"
            case .unknown: return "no depth scale (q* diverges)"
            }
        }() + "\n\n"
        out += TableFormatter.aligned([["layer", "q", "c"]] + layers.map {
            ["\($0.index)", number($0.preactivationVariance), number($0.correlation)]
        }, leftAligned: [])
        out += "\nedge of chaos:\n" + TableFormatter.aligned([["s_b^2", "critical s_w^2"]] + criticalLine.map {
            [number($0.biasVariance), $0.criticalWeightVariance.map { String(format: "%.8g", $0) } ?? "none"]
        }, leftAligned: [])
        out += "\ninitializers (square layers, no bias):\n" + TableFormatter.aligned([["init", "s_w^2", "phase"]] + initializers.map {
            [$0.initializer, number($0.weightVariance), $0.phase?.rawValue ?? "-"]
        }, leftAligned: [0, 2])
        return out
    }

    var csv: String {
        var writer = CSVWriter(header: ["section", "index", "biasVariance", "weightVariance", "preactivationVariance", "correlation", "name", "phase"])
        for layer in layers {
            writer.append([.text("layer"), .integer(layer.index), .number(config.biasVariance), .number(config.weightVariance),
                           .number(layer.preactivationVariance), .number(layer.correlation), .text(""), .text(analysis.phase?.rawValue ?? "")])
        }
        for point in criticalLine {
            writer.append([.text("critical"), .integer(nil), .number(point.biasVariance), .number(point.criticalWeightVariance),
                           .number(nil), .number(nil), .text(""), .text("critical")])
        }
        for point in initializers {
            writer.append([.text("initializer"), .integer(nil), .number(0), .number(point.weightVariance),
                           .number(nil), .number(nil), .text(point.initializer), .text(point.phase?.rawValue ?? "")])
        }
        return writer.text
    }
}
