import Foundation
import VarianceKit

// The JSON that `initbench regularize --format json` writes:
// {
//   "schema": "initbench.regularize.v1",
//   "config": { version, seed, widths, teacherWidths, activation, initializer, loss, samples, steps,
//               recordedSteps, learningRate, adamLearningRate, lambda, normalizer,
//               sgdDecayFraction, adamDecayFraction, biasesRegularized, threads,
//               deterministic (ThreadPolicy.deterministic, --deterministic) },
//   "runs": [ { optimizer, regularizer, status ("ok" | "diverged"),
//               trainingLoss: [per recorded step], weightNorm: [per recorded step],
//               heldOutLoss: [per recorded step, on held-out samples the teacher labels],
//               sparsity, sparsityByLayer } ]
// }
// A loss or norm that is not finite is written as null, and the run's status is "diverged".

/// What `initbench regularize` writes: the library's `RegularizationResult` with its settings.
struct RegularizationDocument: Encodable, RenderedDocument {
    struct Configuration: Encodable {
        var version: String
        var seed: UInt64
        var widths: [Int]
        var teacherWidths: [Int]
        var activation = "tanh (identity output)"
        var initializer = "xavier-normal"
        var loss = "mse"
        var samples: Int
        var steps: Int
        var recordedSteps: [Int]
        var learningRate: Float
        var adamLearningRate: Float
        var lambda: Float
        var normalizer: Float
        /// `η λ/n`: the decay fraction per SGD step equivalent to L2(λ, n).
        var sgdDecayFraction: Float
        /// `η_Adam λ/n`: AdamW's decay fraction per step.
        var adamDecayFraction: Float
        var biasesRegularized = false
        var threads: Int
        var deterministic = ThreadPolicy.deterministic
    }

    let schema = "initbench.regularize.v1"
    var config: Configuration
    var runs: [RegularizationRun]

    init(experiment e: RegularizationExperiment, result: RegularizationResult, threads: Int) {
        config = Configuration(
            version: VarianceKit.version, seed: e.seed, widths: e.widths, teacherWidths: e.teacherWidths,
            samples: e.samples, steps: e.steps, recordedSteps: e.recordedSteps, learningRate: e.learningRate,
            adamLearningRate: e.adamLearningRate, lambda: e.lambda, normalizer: e.normalizer,
            sgdDecayFraction: e.sgdDecayFraction, adamDecayFraction: e.adamDecayFraction, threads: threads)
        runs = result.runs
    }

    /// Long format: one row per run and recorded step.
    var csv: String {
        var writer = CSVWriter(header: ["optimizer", "regularizer", "status", "step", "trainingLoss", "weightNorm", "heldOutLoss", "finalSparsity"])
        for run in runs {
            for (index, step) in config.recordedSteps.enumerated() {
                writer.append([.text(run.optimizer), .text(run.regularizer), .text(run.status.rawValue), .integer(step),
                               .number(run.trainingLoss[index]), .number(run.weightNorm[index]),
                               .number(index < run.heldOutLoss.count ? run.heldOutLoss[index] : nil), .number(run.sparsity)])
            }
        }
        return writer.text
    }

    var table: String {
        let c = config
        var out = """
            initbench regularize: student \(c.widths.map(String.init).joined(separator: "-")) learns teacher \
            \(c.teacherWidths.map(String.init).joined(separator: "-")) (tanh, \(c.samples) samples, seed \(c.seed))
            lambda \(c.lambda), n \(c.normalizer); SGD lr \(c.learningRate) (decay lr*lambda/n = \(c.sgdDecayFraction)), \
            Adam lr \(c.adamLearningRate) (AdamW decay \(c.adamDecayFraction)); biases not regularized

            """
        var rows = [["optimizer", "regularizer", "loss start", "loss end", "held-out end", "|W| start", "|W| end", "zeros"]]
        for run in runs {
            rows.append([
                run.optimizer, run.regularizer,
                Self.number(run.trainingLoss.first), Self.number(run.trainingLoss.last), Self.number(run.heldOutLoss.last),
                Self.number(run.weightNorm.first), Self.number(run.weightNorm.last),
                run.status == .ok ? String(format: "%.1f%%", 100 * run.sparsity) : "diverged",
            ])
        }
        out += TableFormatter.aligned(rows, leftAligned: [0, 1])
        out += "\ntraining loss every \(c.recordedSteps.count > 1 ? c.recordedSteps[1] : c.steps) steps:\n"
        let names = runs.indices.map { "run \($0 + 1)" }
        out += TableFormatter.aligned([["step"] + names] + c.recordedSteps.enumerated().map { index, step in
            ["\(step)"] + runs.map { Self.number($0.trainingLoss[index]) }
        }, leftAligned: [])
        out += "\nweight norm |W|:\n"
        out += TableFormatter.aligned([["step"] + names] + c.recordedSteps.enumerated().map { index, step in
            ["\(step)"] + runs.map { Self.number($0.weightNorm[index]) }
        }, leftAligned: [])
        out += "\n" + runs.enumerated().map { "run \($0.offset + 1): \($0.element.optimizer) + \($0.element.regularizer)" }
            .joined(separator: "\n") + "\n"
        return out
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "-" }
        return value.isFinite ? String(format: "%.6g", value) : (value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf"))
    }
}
