import Foundation
import VarianceKit

// The JSON that `initbench train --format json` writes:
// {
//   "schema": "initbench.train.v1",
//   "config": { version, dataset: { name, source, features, outputs, task, trainSamples,
//               validationSamples, testSamples, standardized }, hiddenWidths, widths, batchSize,
//               steps, evaluateEvery, probeEvery, seed, shuffleSeed, threads, blasKernel },
//   "runs": [ { label, configuration: { initializer, gain, activation, optimizer: { algorithm,
//               learningRate, momentum, beta1, beta2, epsilon, penalty: { l1, l2, l1Method },
//               weightDecay } },
//               record: { points: [ { step, trainingLoss, validation: { loss, accuracy, samples },
//               weightNorms, zeroFractions, wallSeconds } ], probes: [ { step, activationVariance,
//               preActivationGradientVariance, weightGradientVariance } ], finalTraining,
//               finalValidation, test, steps, wallSeconds, status, divergence, stopReason },
//               generalizationGap } ],
//   "outcome": { preset, claim, shown, findings, comparison: [ { quantity, paper, measured } ],
//                grids: [ { title, rowName, columnName, rows, columns, values } ] } (presets only)
// }
// Values that are not finite are written as null.

/// What `initbench train` writes: the library's `TrainingResult` with its settings.
struct TrainingDocument: Encodable, RenderedDocument {
    struct DatasetSummary: Encodable {
        var name: String
        var source: String
        var features: Int
        var outputs: Int
        var task: String
        var trainSamples: Int
        var validationSamples: Int
        var testSamples: Int
        var standardized: Bool
    }

    struct Configuration: Encodable {
        var version: String
        var dataset: DatasetSummary
        var hiddenWidths: [Int]
        var widths: [Int]
        var batchSize: Int
        var steps: Int
        var evaluateEvery: Int
        var probeEvery: Int
        var seed: UInt64
        var shuffleSeed: UInt64
        var threads: Int
        var blasKernel: String
    }

    struct Run: Encodable {
        var label: String
        var configuration: TrainingExperiment.Configuration
        var record: TrainingRecord
        var generalizationGap: Double?
    }

    let schema = "initbench.train.v1"
    var config: Configuration
    var runs: [Run]
    var outcome: PresetOutcome?

    init(experiment: TrainingExperiment, data: DatasetSplit, source: String, standardized: Bool,
         result: TrainingResult, outcome: PresetOutcome?, threads: Int) {
        let train = data.train
        config = Configuration(
            version: VarianceKit.version,
            dataset: DatasetSummary(
                name: train.name, source: source, features: train.featureCount, outputs: train.outputCount,
                task: train.isClassification ? "classification (\(train.outputCount) classes)" : "regression (\(train.outputCount) targets)",
                trainSamples: train.sampleCount, validationSamples: data.validation.sampleCount,
                testSamples: data.test.sampleCount, standardized: standardized),
            hiddenWidths: experiment.hiddenWidths, widths: experiment.widths(for: data),
            batchSize: experiment.settings.batchSize, steps: experiment.settings.steps,
            evaluateEvery: experiment.settings.evaluateEvery, probeEvery: experiment.settings.probeEvery,
            seed: experiment.seed, shuffleSeed: experiment.settings.shuffleSeed, threads: threads, blasKernel: BLAS.kernelName)
        runs = result.runs.map { Run(label: $0.configuration.label, configuration: $0.configuration, record: $0.record,
                                     generalizationGap: $0.record.generalizationGap) }
        self.outcome = outcome
    }

    var isClassification: Bool { config.dataset.task.hasPrefix("classification") }

    /// Long format: one row per run and recorded point.
    var csv: String {
        var writer = CSVWriter(header: ["run", "initializer", "activation", "optimizer", "learningRate", "penalty", "weightDecay",
                                        "status", "step", "trainingLoss", "validationLoss", "validationAccuracy",
                                        "weightNorm", "zeroFraction", "wallSeconds"])
        for (index, run) in runs.enumerated() {
            let c = run.configuration
            for point in run.record.points {
                let norm = point.weightNorms.reduce(0) { $0 + $1 * $1 }.squareRoot()
                let zeros = Self.meanZeroFraction(point)
                writer.append([.integer(index + 1), .text(c.initializer.rawValue), .text(c.activation.name),
                               .text(c.optimizer.algorithm.rawValue), .number(Double(c.optimizer.learningRate)),
                               .text(c.optimizer.penalty.name), .number(Double(c.optimizer.weightDecay)),
                               .text(run.record.status.rawValue), .integer(point.step), .number(point.trainingLoss),
                               .number(point.validation?.loss), .number(point.validation?.accuracy),
                               .number(norm), .number(zeros), .number(point.wallSeconds)])
            }
        }
        return writer.text
    }

    var table: String {
        let c = config
        let d = c.dataset
        var out = """
            initbench train: \(d.name) (\(d.source)): \(d.task), \(d.features) features; \
            \(d.trainSamples) train / \(d.validationSamples) validation / \(d.testSamples) test samples\(d.standardized ? ", standardized on the training split" : "")
            network \(c.widths.map(String.init).joined(separator: "-")) (linear output), batch \(c.batchSize), \(c.steps) steps, \
            seed \(c.seed), \(c.threads) thread\(c.threads == 1 ? "" : "s"), BLAS \(c.blasKernel)

            """
        let accuracyHeader = isClassification ? "test error" : "test loss"
        var rows = [["run", "init", "activation", "optimizer", "train loss", "val loss", accuracyHeader, "gap", "zeros", "seconds", "status"]]
        for (index, run) in runs.enumerated() {
            let r = run.record
            let zeros = r.points.last.map(Self.meanZeroFraction)
            let testFigure: String = isClassification
                ? (r.test?.error).map { String(format: "%.2f%%", 100 * $0) } ?? "-"
                : NumberFormat.short(r.test?.loss, missing: "-")
            rows.append([
                "\(index + 1)", run.configuration.initializer.rawValue + (run.configuration.gain.map { " (\($0))" } ?? ""),
                run.configuration.activation.name, run.configuration.optimizer.label,
                NumberFormat.short(r.finalTraining?.loss, missing: "-"), NumberFormat.short(r.finalValidation?.loss, missing: "-"),
                testFigure, NumberFormat.short(run.generalizationGap, missing: "-"),
                zeros.map { String(format: "%.1f%%", 100 * $0) } ?? "-", String(format: "%.2f", r.wallSeconds),
                r.status == .ok ? (r.stopReason.map { "stopped: \($0)" } ?? "ok") : "diverged at \(r.divergence.map(\.description) ?? "?")",
            ])
        }
        out += TableFormatter.aligned(rows, leftAligned: [1, 2, 3, 10])
        if let steps = runs.first?.record.points.map(\.step), runs.count > 0, runs.count <= Self.curveTableLimit {
            out += "\n\(isClassification ? "validation accuracy" : "validation loss") by step:\n"
            var curve = [["step"] + runs.indices.map { "run \($0 + 1)" }]
            for (position, step) in steps.enumerated() {
                curve.append(["\(step)"] + runs.map { run in
                    guard position < run.record.points.count, let validation = run.record.points[position].validation else { return "-" }
                    return isClassification ? validation.accuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "-" : NumberFormat.short(validation.loss)
                })
            }
            out += TableFormatter.aligned(curve, leftAligned: [])
        }
        if let outcome {
            out += "\npreset \(outcome.preset): \(outcome.claim)\n"
            out += outcome.shown ? "shown: yes\n" : "shown: NO\n"
            for finding in outcome.findings { out += "  - \(finding)\n" }
            if !outcome.comparison.isEmpty {
                var rows = [["", "paper", "this run"]]
                for item in outcome.comparison {
                    rows.append([item.quantity, item.paper.map { String(format: "%.2f%%", 100 * $0) } ?? "-",
                                 item.measured.map { String(format: "%.2f%%", 100 * $0) } ?? "-"])
                }
                out += TableFormatter.aligned(rows, leftAligned: [0])
            }
            for grid in outcome.grids {
                out += "\n\(grid.title) (rows: \(grid.rowName), columns: \(grid.columnName)):\n"
                var rows = [[""] + grid.columns.map { String(format: "%g", $0) }]
                for (r, rate) in grid.rows.enumerated() {
                    rows.append([String(format: "%g", rate)] + grid.values[r].map { NumberFormat.short($0, missing: "diverged") })
                }
                out += TableFormatter.aligned(rows, leftAligned: [])
            }
        }
        return out
    }

    /// The mean over layers of the fraction of weight entries that are exactly zero at `point`.
    static func meanZeroFraction(_ point: TrainingPoint) -> Double {
        point.zeroFractions.isEmpty ? 0 : point.zeroFractions.reduce(0, +) / Double(point.zeroFractions.count)
    }

    /// The most runs whose validation curves the table prints side by side (the CSV and JSON hold them all).
    static let curveTableLimit = 8
}
