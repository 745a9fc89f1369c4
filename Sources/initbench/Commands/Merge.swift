import ArgumentParser
import Foundation
import VarianceKit

/// `initbench merge`: the parts of a sweep combined into one table, CSV, JSON and HTML report,
/// naming every configuration that is missing or found more than once.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Combine the results files of a sweep's shards into one table, CSV, JSON and HTML report.",
        discussion: """
            Every part must be a results file of the same grid (initbench sweep --output). The merge says which \
            configurations are missing and which were found more than once (with identical results, or not: a \
            conflict, where the first part's is kept), and exits 1 unless every configuration is there exactly once \
            or as identical duplicates; the merged output is written either way. With --compare OTHER, it also exits 1 \
            unless every configuration's result equals OTHER's bit for bit (the timings aside), listing those that differ.
            Example: initbench merge parts/part-*.jsonl --format csv --output merged.csv --report merged-report
            """)

    @Argument(help: ArgumentHelp("The results files of the parts.", valueName: "parts"))
    var parts: [String]

    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("Also write the HTML report into this directory.", valueName: "directory"))
    var report: String?

    @Option(help: ArgumentHelp("A results file (for example an unsharded run) whose results must equal the merged ones.", valueName: "file"))
    var compare: String?

    func validate() throws {
        guard !parts.isEmpty else { throw ValidationError("give at least one results file to merge") }
        if let report { try validateReportDirectory(report) }
    }

    func run() throws {
        try reportingFailures {
            let files = try parts.map { path in (path: path, file: try SweepResultsFile.read(path)) }
            let merge = try SweepMerge(files)
            let document = SweepDocument(merge, sources: parts)
            try output.emit(document)
            if let report { try HTMLReport.write(document, merge: merge, to: report) }
            for line in document.notes { StandardError.write(line + "\n") }
            var failed = !merge.isComplete
            if let compare {
                let other = try SweepResultsFile.read(compare)
                let differing = SweepMerge.differingKeys(merge.records, other.records)
                if differing.isEmpty {
                    StandardError.write("compare: all \(merge.records.count) results equal those of \(compare) bit for bit\n")
                } else {
                    StandardError.write("compare: \(differing.count) configuration\(differing.count == 1 ? "" : "s") differ from \(compare) or are in only one of them: "
                                        + differing.prefix(10).joined(separator: ", ") + (differing.count > 10 ? ", ..." : "") + "\n")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
