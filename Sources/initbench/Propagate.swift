import ArgumentParser
import Foundation

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
            let report = try experiment.experiment(seed: common.seed, threads: threads, command: "propagate").run(quiet: common.quiet)
            switch output.format {
            case .table: try output.emit(TableFormatter.layers(report))
            case .csv: try output.emit(CSVFormatter.layers(report))
            case .json: try output.emit(try report.jsonText())
            }
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

    @Option(help: "Directory for the report (created if missing).")
    var output: String = Compare.defaultReportDirectory

    func validate() throws {
        try AtomicFile.checkDirectoryWritable(output)
    }

    func run() throws {
        try reportingFailures {
            let threads = try common.applyThreads()
            let report = try experiment.experiment(seed: common.seed, threads: threads, command: "report").run(quiet: common.quiet)
            let page = try HTMLReport.write(report, to: output)
            print(TableFormatter.compact(report), terminator: "")
            print("report: \(page)")
        }
    }
}

/// `initbench` with no subcommand: Glorot and Bengio's experiment (standard vs Xavier vs He vs
/// orthogonal, tanh and ReLU, depth 20, width 512), a compact table, and the report.
struct Compare: ParsableCommand {
    static let defaultReportDirectory = "initbench-report"

    static let configuration = CommandConfiguration(
        abstract: "The default comparison: standard vs xavier-uniform vs he-normal vs orthogonal, tanh and relu, depth 20, width 512; prints a compact table and writes the report.")

    @OptionGroup var common: RunOptions

    @Option(help: "Directory for the report (created if missing).")
    var output: String = Compare.defaultReportDirectory

    @Option(help: "Output format of the summary: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")) (csv and json hold every layer).")
    var format: OutputFormat = .table

    func validate() throws {
        try AtomicFile.checkDirectoryWritable(output)
    }

    func run() throws {
        try reportingFailures {
            let threads = try common.applyThreads()
            let options = try ExperimentOptions.parse([])
            let report = try options.experiment(seed: common.seed, threads: threads, command: "compare").run(quiet: common.quiet)
            let page = try HTMLReport.write(report, to: output)
            switch format {
            case .table: print(TableFormatter.compact(report), terminator: "")
            case .csv: print(CSVFormatter.layers(report), terminator: "")
            case .json: print(try report.jsonText(), terminator: "")
            }
            fflush(nil)
            StandardError.write("report written to \(page)\n")
        }
    }
}
