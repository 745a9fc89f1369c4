import Foundation
import VarianceKit

/// The aligned, human-readable tables.
enum TableFormatter {
    /// One block per run: a title line, a row per layer (measured values with the mean-field
    /// prediction beside them), and the verdict.
    static func layers(_ report: PropagationDocument) -> String {
        var out = configurationLine(report.config) + "\n"
        let header = ["layer", "Var(z)", "theory", "Var(a)", "theory", "Var(dL/dz)", "theory",
                      "Var(dL/dW)", "theory", "Var(W)", "saturated", "dead"]
        for run in report.runs {
            out += "\n\(run.initializer) / \(run.activation)   \(run.formula)   (\(String(format: "%.2f", run.seconds)) s)\n"
            var rows = [header]
            for layer in run.layers {
                rows.append([
                    "\(layer.index)",
                    NumberFormat.short(layer.preactivationVariance), NumberFormat.short(layer.theory.preactivationVariance, missing: "-"),
                    NumberFormat.short(layer.activationVariance), NumberFormat.short(layer.theory.activationVariance, missing: "-"),
                    NumberFormat.short(layer.gradientVariance), NumberFormat.short(layer.theory.gradientVariance, missing: "-"),
                    NumberFormat.short(layer.weightGradientVariance), NumberFormat.short(layer.theory.weightGradientVariance, missing: "-"),
                    NumberFormat.short(layer.weightVariance),
                    NumberFormat.percent(layer.saturatedFraction), NumberFormat.percent(layer.deadFraction),
                ])
            }
            out += aligned(rows, leftAligned: [])
            out += "verdict: \(run.verdict)\n"
            if let line = meanFieldLine(run.run, depth: report.config.depth) { out += line + "\n" }
            if let lsuv = run.lsuv {
                out += "LSUV (\(lsuv.quantity.rawValue), 1 +- \(NumberFormat.short(lsuv.tolerance))): "
                    + lsuv.layers.map { "layer \($0.layer + 1) \($0.iterations) step\($0.iterations == 1 ? "" : "s") to \(NumberFormat.short($0.finalVariance))\($0.converged ? "" : " (kept, not converged)")" }
                        .joined(separator: ", ") + "\n"
            }
            if let spectrum = run.spectrum { out += spectrumLines(spectrum) }
        }
        return out
    }

    /// `spectrum of J (4 samples, 0.12 s): depth 5: E[s^2] 1.02 (theory 1.00), Var(s^2) ...`, one
    /// line per depth.
    static func spectrumLines(_ spectrum: JacobianSpectrum) -> String {
        var out = "input-output Jacobian J, singular values s (\(spectrum.samples) sample\(spectrum.samples == 1 ? "" : "s"), \(String(format: "%.2f", spectrum.seconds)) s):\n"
        for entry in spectrum.depths {
            let summary = entry.summary, prediction = entry.prediction
            var line = "  depth \(entry.depth): E[s^2] \(NumberFormat.short(summary?.meanSquaredSingularValue)) (theory \(NumberFormat.short(prediction?.meanSquaredSingularValue, missing: "-"))), "
                + "Var(s^2) \(NumberFormat.short(summary?.squaredSingularValueVariance)) (theory \(NumberFormat.short(prediction?.squaredSingularValueVariance, missing: "-"))), "
                + "sd(ln s) \(NumberFormat.short(summary?.logSingularValueStandardDeviation)), "
                + "s in [\(NumberFormat.short(summary?.minimum)), \(NumberFormat.short(summary?.maximum))]"
                + (entry.density.map { " (theory [\(NumberFormat.short($0.lowerEdge.squareRoot())), \(NumberFormat.short($0.upperEdge.squareRoot()))])" } ?? "")
                + ", "
                + "condition \(NumberFormat.short(summary?.conditionNumber, missing: "inf"))"
            if let measured = summary?.squaredSingularValueMoments, let predicted = prediction?.squaredSingularValueMoments {
                line += "; E[s^2k] k=1..3 " + zip(measured, predicted).map { "\(NumberFormat.short($0)) vs \(NumberFormat.short($1, missing: "-"))" }
                    .joined(separator: ", ")
            }
            if entry.nonFiniteSamples > 0 { line += "; \(entry.nonFiniteSamples) sample\(entry.nonFiniteSamples == 1 ? "" : "s") not finite" }
            out += line + "\n"
        }
        return out
    }

    /// One row per run: first and last layer's activation and gradient variance and the verdict.
    static func compact(_ report: PropagationDocument) -> String {
        let depth = report.config.depth
        var rows = [["init", "activation", "Var(a) @1", "Var(a) @\(depth)", "Var(dL/dz) @\(depth)", "Var(dL/dz) @1", "verdict"]]
        for run in report.runs {
            let first = run.layers.first, last = run.layers.last
            rows.append([
                run.initializer, run.activation,
                NumberFormat.short(first?.activationVariance), NumberFormat.short(last?.activationVariance),
                NumberFormat.short(last?.gradientVariance), NumberFormat.short(first?.gradientVariance),
                run.verdict,
            ])
        }
        return configurationLine(report.config) + "\n" + aligned(rows, leftAligned: [0, 1, 6])
    }

    /// `mean field: s_w^2 = 1, q* = 0, chi_1 = 1, critical; xi_c = inf: depth 20 within 6 xi_c`.
    static func meanFieldLine(_ run: PropagationRun, depth: Int) -> String? {
        guard let a = run.meanField else { return nil }
        func scale(_ value: Double?) -> String {
            value.map { NumberFormat.short($0) } ?? (a.phase == .critical ? "inf" : "-")
        }
        let verdict: String
        switch run.trainability {
        case .withinDepthScale?: verdict = "depth \(depth) within 6 xi_c"
        case .beyondDepthScale?: verdict = "depth \(depth) beyond 6 xi_c = \(NumberFormat.short(a.correlationDepthScale.map { 6 * $0 }))"
        default: verdict = "no depth scale"
        }
        return "mean field: s_w^2 = \(NumberFormat.short(a.weightScale)), s_b^2 = \(NumberFormat.short(a.biasVariance)), "
            + "q* = \(NumberFormat.short(a.lengthFixedPoint, missing: "diverges")), chi_1 = \(NumberFormat.short(a.chi1, missing: "-")), "
            + "\(a.phase?.rawValue ?? "-"); xi_q = \(scale(a.lengthDepthScale)), xi_c = \(scale(a.correlationDepthScale)), "
            + "xi_grad = \(scale(a.gradientDepthScale)): \(verdict)"
    }

    static func configurationLine(_ config: PropagationConfiguration) -> String {
        let gain = config.gain.map { gain -> String in
            if case let .value(number) = gain { return "gain \(NumberFormat.short(Double(number)))" }
            return "\(gain) gains"
        } ?? "default gains"
        return "depth \(config.depth), width \(config.width), batch \(config.batch), \(config.loss) loss, "
            + (config.bias ? (config.biasStandardDeviation > 0 ? "biases N(0, \(NumberFormat.short(config.biasStandardDeviation))^2)" : "zero biases") : "no bias")
            + ", \(gain), seed \(config.seed), "
            + "\(config.threads) thread\(config.threads == 1 ? "" : "s"), BLAS \(config.blasKernel)"
    }

    /// Pads every column to its widest cell; numbers right-aligned, named columns left-aligned.
    /// The last column is never padded on the right.
    static func aligned(_ rows: [[String]], leftAligned: Set<Int>) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in rows {
            var cells = [String]()
            for (i, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[i] - cell.count)
                if leftAligned.contains(i) {
                    cells.append(i == row.count - 1 ? cell : cell + padding)
                } else {
                    cells.append(padding + cell)
                }
            }
            out += cells.joined(separator: "  ") + "\n"
        }
        return out
    }
}

/// The propagation document as CSV: one row per (run, layer); non-finite statistics are empty.
enum CSVFormatter {
    static let header = [
        "init", "activation", "layer", "status", "divergedAtLayer",
        "preactivationMean", "preactivationVariance", "activationMean", "activationVariance",
        "gradientVariance", "weightGradientVariance", "weightVariance", "saturatedFraction", "deadFraction",
        "theoryPreactivationVariance", "theoryActivationVariance", "theoryGradientVariance",
        "theoryWeightGradientVariance",
    ]

    static func layers(_ report: PropagationDocument) -> String {
        var writer = CSVWriter(header: header)
        for run in report.runs {
            for layer in run.layers {
                writer.append([
                    .text(run.initializer), .text(run.activation), .integer(layer.index), .text(run.status.rawValue),
                    .integer(run.divergedAtLayer),
                    .number(layer.preactivationMean), .number(layer.preactivationVariance),
                    .number(layer.activationMean), .number(layer.activationVariance),
                    .number(layer.gradientVariance), .number(layer.weightGradientVariance), .number(layer.weightVariance),
                    .number(layer.saturatedFraction), .number(layer.deadFraction),
                    .number(layer.theory.preactivationVariance), .number(layer.theory.activationVariance),
                    .number(layer.theory.gradientVariance), .number(layer.theory.weightGradientVariance),
                ])
            }
        }
        return writer.text
    }
}
