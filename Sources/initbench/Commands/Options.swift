import ArgumentParser
import VarianceKit

/// How results are printed: an aligned table for people, CSV and JSON for programs.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, csv, json
}

/// What every measuring command shares: threads (`ThreadPolicy`) and whether to draw progress.
struct RunOptions: ParsableArguments {
    @Option(help: "Threads of every parallel pass (OpenBLAS, element-wise passes, fills, optimizers, probes); default: what OpenBLAS chose (OPENBLAS_NUM_THREADS or the core count).")
    var threads: Int?

    @Flag(help: "Never draw the progress bar on standard error.")
    var quiet = false

    func validate() throws {
        if let threads, !(1...256).contains(threads) {
            throw ValidationError("invalid --threads \(threads): expected an integer in 1...256")
        }
    }

    /// Sets `ThreadPolicy` when `--threads` was given and returns the count in effect.
    func applyThreads() throws -> Int {
        if let threads { try ThreadPolicy.setThreadCount(threads) }
        return ThreadPolicy.threadCount
    }
}

/// Where and how results go: `--format table|csv|json`, `--output PATH` (atomic; standard output
/// when absent).
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: OutputFormat = .table

    @Option(help: "Write the output to this file (written to a temporary file, then renamed) instead of standard output.")
    var output: String?

    func validate() throws {
        if let output { try AtomicFile.checkWritable(output) }
    }

    /// Renders `document` in the chosen format and prints it or writes it atomically to `--output`.
    func emit<Document: RenderedDocument>(_ document: Document) throws {
        let text: String
        switch format {
        case .table: text = document.table
        case .csv: text = document.csv
        case .json: text = try JSONOutput.text(document)
        }
        if let output {
            try AtomicFile.write(text, to: output)
        } else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }
}

/// A command's result as it is written: an aligned table, CSV, and JSON (its `Encodable` form,
/// which starts with a `schema` key).
protocol RenderedDocument: Encodable {
    var table: String { get }
    var csv: String { get }
}
