import Foundation

/// Rendering and writing of `initbench regularize` reports.
enum RegularizeOutput {
    static func render(_ report: RegularizationReport, format: RegularizeFormat) -> String {
        switch format {
        case .json: return json(report)
        case .csv: return csv(report)
        case .table: return table(report)
        }
    }

    static func json(_ report: RegularizationReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Long format: one row per run and recorded step.
    static func csv(_ report: RegularizationReport) -> String {
        var lines = ["optimizer,regularizer,step,trainingLoss,weightNorm,finalSparsity"]
        for run in report.runs {
            for (index, step) in report.config.recordedSteps.enumerated() {
                lines.append([
                    run.optimizer, quoted(run.regularizer), "\(step)",
                    number(run.trainingLoss[index]), number(run.weightNorm[index]), number(run.sparsity),
                ].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func table(_ report: RegularizationReport) -> String {
        let c = report.config
        var out = """
            initbench regularize: student \(c.widths.map(String.init).joined(separator: "-")) learns teacher \
            \(c.teacherWidths.map(String.init).joined(separator: "-")) (tanh, \(c.samples) samples, seed \(c.seed))
            lambda \(c.lambda), n \(c.normalizer); SGD lr \(c.learningRate) (decay lr*lambda/n = \(c.sgdDecayFraction)), \
            Adam lr \(c.adamLearningRate) (AdamW decay \(c.adamDecayFraction)); biases not regularized

            """
        let header = ["optimizer", "regularizer", "loss start", "loss end", "|W| start", "|W| end", "zeros"]
        var rows: [[String]] = []
        for run in report.runs {
            rows.append([
                run.optimizer, run.regularizer,
                number(run.trainingLoss.first ?? .nan), number(run.trainingLoss.last ?? .nan),
                number(run.weightNorm.first ?? .nan), number(run.weightNorm.last ?? .nan),
                String(format: "%.1f%%", 100 * run.sparsity),
            ])
        }
        out += grid(header, rows)
        out += "\ntraining loss every \(c.recordedSteps.count > 1 ? c.recordedSteps[1] : c.steps) steps:\n"
        let names = report.runs.indices.map { "run \($0 + 1)" }
        var trajectory: [[String]] = []
        for (index, step) in c.recordedSteps.enumerated() {
            trajectory.append(["\(step)"] + report.runs.map { number($0.trainingLoss[index]) })
        }
        out += grid(["step"] + names, trajectory)
        out += "\nweight norm |W|:\n"
        var norms: [[String]] = []
        for (index, step) in c.recordedSteps.enumerated() {
            norms.append(["\(step)"] + report.runs.map { number($0.weightNorm[index]) })
        }
        out += grid(["step"] + names, norms)
        out += "\n" + report.runs.enumerated().map { "run \($0.offset + 1): \($0.element.optimizer) + \($0.element.regularizer)" }
            .joined(separator: "\n") + "\n"
        return out
    }

    static func grid(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i < 2 && header.first != "step" ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - cell.count) + cell
            }.joined(separator: "  ")
        }
        var lines = [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        lines += rows.map(line)
        return lines.joined(separator: "\n") + "\n"
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.6g", value) : "\(value)"
    }

    static func quoted(_ text: String) -> String {
        text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Throws a `ValidationError` (exit 64) when `path` cannot be written: its folder is missing
    /// or not writable, or it names a folder.
    static func checkWritable(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw ValidationErrorMessage("cannot write --output \(path): it is a folder")
        }
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationErrorMessage("cannot write --output \(path): folder \(folder) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw ValidationErrorMessage("cannot write --output \(path): folder \(folder) is not writable")
        }
    }

    /// Writes `text` to a temporary file next to `path`, then renames it over `path`, so that a
    /// reader never sees a half-written report.
    static func writeAtomically(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try Data(text.utf8).write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ValidationErrorMessage(reason)
        }
    }
}

import ArgumentParser

/// A `ValidationError` (exit 64, with usage) built from a message.
func ValidationErrorMessage(_ message: String) -> ValidationError { ValidationError(message) }
