import ArgumentParser
import Foundation
import VarianceKit

/// `initbench propagate`: one network per (initializer, activation), one forward and one backward
/// pass, per-layer statistics as a table, CSV or JSON.
struct Propagate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure per-layer activation and gradient variance at initialization, for each (initializer, activation) pair.",
        discussion: """
        Builds one network per pair from the comma-separated lists, feeds a batch of i.i.d. \
        standard-normal inputs, runs one forward and one backward pass and reports, per layer, the \
        variance of the pre-activations, activations, back-propagated gradients dL/dZ (batch-mean \
        loss, the 1/batch included) and weight gradients, the weight variance, the saturated and \
        dead fractions and the mean-field prediction. A network that overflows is reported as \
        diverged at layer k; the other runs complete.
        Example: initbench propagate --init standard,xavier-uniform,he-normal,orthogonal --activation tanh,relu --depth 20 --width 512 --batch 2048 --seed 1
        """)

    @OptionGroup var experiment: ExperimentOptions
    @OptionGroup var common: RunOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingFailures {
            let threads = try common.applyThreads()
            let document = try PropagationDocument.run(try experiment.experiment(), command: "propagate", threads: threads, quiet: common.quiet)
            try output.emit(document)
        }
    }
}

/// `initbench report`: the comparison written as a self-contained HTML page with SVG figures.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the comparison (the default one unless told otherwise) and write an HTML report with SVG figures.",
        discussion: "Writes index.html (figures inline), variance.svg, activation-histograms.svg, gradient-histograms.svg, results.json and results.csv into the directory.")

    @OptionGroup var experiment: ExperimentOptions
    @OptionGroup var common: RunOptions

    @Option(help: reportDirectoryHelp)
    var output: String = Compare.defaultReportDirectory

    func validate() throws {
        try validateReportDirectory(output)
    }

    func run() throws {
        try reportingFailures {
            let threads = try common.applyThreads()
            let document = try PropagationDocument.run(try experiment.experiment(), command: "report", threads: threads, quiet: common.quiet)
            let page = try HTMLReport.write(document, to: output)
            print(TableFormatter.compact(document), terminator: "")
            print("report: \(page)")
        }
    }
}

/// `initbench` with no subcommand: Glorot and Bengio's experiment (standard vs Xavier vs He vs
/// orthogonal, tanh and ReLU, depth 20, width 512), a compact table, and the report.
struct Compare: ParsableCommand {
    static let defaultReportDirectory = "initbench-report"

    static let configuration = CommandConfiguration(
        abstract: "The default comparison: standard vs xavier-uniform vs he-normal vs orthogonal, tanh and relu, depth 20, width 512; prints a compact table and writes the report.",
        discussion: "The report goes to ./\(Compare.defaultReportDirectory)/ unless --output names another directory; the last line says where it was written.")

    @OptionGroup var seed: SeedOption
    @OptionGroup var common: RunOptions

    @Option(help: reportDirectoryHelp)
    var output: String = Compare.defaultReportDirectory

    @Option(help: "Output format of the summary: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")) (csv and json hold every layer).")
    var format: OutputFormat = .table

    func validate() throws {
        try validateReportDirectory(output)
    }

    func run() throws {
        try reportingFailures {
            let threads = try common.applyThreads()
            let options = try ExperimentOptions.parse(["--seed", "\(seed.seed)"])
            let document = try PropagationDocument.run(try options.experiment(), command: "compare", threads: threads, quiet: common.quiet)
            let page = try HTMLReport.write(document, to: output)
            switch format {
            case .table: print(TableFormatter.compact(document), terminator: "")
            case .csv: print(document.csv, terminator: "")
            case .json: print(try JSONOutput.text(document), terminator: "")
            }
            fflush(nil)
            StandardError.write("report written to \(URL(fileURLWithPath: page).standardizedFileURL.path)\n")
        }
    }
}

extension PropagationDocument: RenderedDocument {
    /// Runs `experiment` with a progress bar on standard error and wraps the result.
    static func run(_ experiment: PropagationExperiment, command: String, threads: Int, quiet: Bool) throws -> PropagationDocument {
        let progress = ProgressBar(quiet: quiet)
        defer { progress.finish() }
        let result = try hintingMemory("reduce --depth, --width or --batch") {
            try experiment.run { completed, total, label in progress.update(completed, of: total, label) }
        }
        return PropagationDocument(experiment: experiment, result: result, command: command, threads: threads)
    }

    var table: String { TableFormatter.layers(self) }
    var csv: String { CSVFormatter.layers(self) }
}
