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

    @Flag(help: "Deterministic matrix products: the same bits for every --threads (ThreadPolicy.deterministic: fixed column blocks, each a single-threaded sgemm).")
    var deterministic = false

    @Flag(help: "Never draw the progress bar on standard error.")
    var quiet = false

    func validate() throws {
        if let threads, !(1...256).contains(threads) {
            throw ValidationError("invalid --threads \(threads): expected an integer in 1...256")
        }
    }

    /// Sets `ThreadPolicy`'s count when `--threads` was given and `ThreadPolicy.deterministic`
    /// when `--deterministic` was, and returns the count in effect.
    func applyThreads() throws -> Int {
        if let threads { try ThreadPolicy.setThreadCount(threads) }
        if deterministic { ThreadPolicy.setDeterministic(true) }
        return ThreadPolicy.threadCount
    }
}

/// Where and how results go: `--format table|csv|json`, `--output PATH` (standard output when
/// absent or `-`; otherwise written atomically, see `AtomicFile` for what each kind of path gets).
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: OutputFormat = .table

    @Option(help: ArgumentHelp(
        "Write the output to this file instead of standard output ('-': standard output).",
        discussion: """
        The file is written to a temporary file in its directory and renamed over the path, so it \
        is replaced all at once and a failure (a full disk, an interrupt) leaves the previous file \
        as it was. A regular file keeps its mode; a symbolic link is followed (its target is \
        replaced, the link stays); a file with more than one hard link is refused. Directories, \
        devices, FIFOs and sockets, paths ending in '/', missing or unwritable directories and \
        /proc or /sys are refused before any work, with exit status 64; a failed write exits 74.
        """,
        valueName: "path"))
    var output: String?

    /// The file to write, nil for standard output.
    var outputFile: String? { output == "-" ? nil : output }

    func validate() throws {
        guard let outputFile else { return }
        do {
            try AtomicFile.check(outputFile)
        } catch {
            throw ValidationError("--output: \(error.description)")
        }
    }

    /// Renders `document` in the chosen format and prints it or writes it atomically to `--output`.
    func emit<Document: RenderedDocument>(_ document: Document) throws {
        let text: String
        switch format {
        case .table: text = document.table
        case .csv: text = document.csv
        case .json: text = try JSONOutput.text(document)
        }
        if let outputFile {
            try AtomicFile.write(text, to: outputFile)
        } else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }
}

/// Prints `document` on standard output in `format`.
func printDocument<Document: RenderedDocument>(_ document: Document, format: OutputFormat) throws {
    let text: String
    switch format {
    case .table: text = document.table
    case .csv: text = document.csv
    case .json: text = try JSONOutput.text(document)
    }
    print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
}

/// The report's `--output DIR` help, shared by `report` and the default comparison.
let reportDirectoryHelp = ArgumentHelp(
    "Directory for the report (created if missing; its parent must exist).",
    discussion: """
    The files are written into a temporary directory beside it, then renamed into place, so a \
    failed or interrupted report leaves nothing half-written. An existing directory is replaced \
    only if it is empty or holds an earlier report (only a report's file names); one holding \
    other files is refused with exit status 64, as are files, devices, '-', mount points and \
    parents where nothing can be created. A symbolic link is followed.
    """,
    valueName: "directory")

/// Throws a `ValidationError` (exit 64) unless a report can be written to `directory`.
func validateReportDirectory(_ directory: String) throws {
    do {
        try ReportDirectory.check(directory, names: HTMLReport.fileNames)
    } catch {
        throw ValidationError("--output: \(error.description)")
    }
}

/// A command's result as it is written: an aligned table, CSV, and JSON (its `Encodable` form,
/// which starts with a `schema` key).
protocol RenderedDocument: Encodable {
    var table: String { get }
    var csv: String { get }
}
