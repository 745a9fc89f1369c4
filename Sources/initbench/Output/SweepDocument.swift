import Foundation
import VarianceKit

/// What `initbench merge` writes (and `initbench sweep --report` renders): the grid, one row per
/// configuration with its axis values and headline figure (`SweepOutcome.headline`), and the
/// configurations that are missing or found more than once. JSON schema `initbench.merge.v1`
/// holds every record whole.
struct SweepDocument: RenderedDocument {
    struct Duplicate: Encodable {
        var key: String
        var sources: [String]
        var identical: Bool
    }

    var schema = "initbench.merge.v1"
    var kind: String
    var description: String?
    var grid: JSONValue
    var axes: [String]
    var sources: [String]
    var configurations: Int
    var headline: String
    var complete: Bool
    var records: [SweepRecord]
    var missing: [String]
    var duplicates: [Duplicate]
    var truncatedParts: [String]
    var blasKernel: String
    /// The axis values of each record, as the grid writes them (`1.0`, not the `1` a results
    /// file's JSON reads back as).
    private var axisValues: [[String]]

    private enum CodingKeys: String, CodingKey {
        case schema, kind, description, grid, axes, sources, configurations, headline, complete, records, missing, duplicates, truncatedParts, blasKernel
    }

    /// The merge's document.
    init(_ merge: SweepMerge, sources: [String]) {
        kind = merge.grid.kind.rawValue
        description = merge.grid.description
        grid = merge.grid.jsonValue
        axes = merge.grid.axisNames
        self.sources = sources
        configurations = merge.grid.count
        headline = merge.records.first?.result.headline.name ?? SweepDocument.headlineName(merge.grid.kind)
        complete = merge.isComplete
        records = merge.records
        missing = merge.missing.map(\.key)
        duplicates = merge.duplicates.map { Duplicate(key: $0.key, sources: $0.sources, identical: $0.identical) }
        truncatedParts = merge.truncatedParts
        blasKernel = BLAS.kernelName
        let grid = merge.grid
        axisValues = merge.records.map { record in
            let configuration = grid.configuration(at: record.index)
            return grid.axisNames.map { configuration[$0]?.description ?? "-" }
        }
    }

    static func headlineName(_ kind: SweepKind) -> String {
        switch kind {
        case .train: "test accuracy"
        case .propagate: "last-layer activation variance"
        case .theory: "xi_c"
        }
    }

    /// `ok`, `diverged`, or the mean-field phase of a theory configuration.
    static func status(_ record: SweepRecord) -> String {
        if let training = record.result.training { return training.status == .ok ? "ok" : "diverged at step \(training.divergence?.step ?? 0)" }
        if let propagation = record.result.propagation { return propagation.status == .ok ? "ok" : "diverged at layer \(propagation.divergedAtLayer ?? 0)" }
        if let theory = record.result.theory { return theory.phase?.rawValue ?? "-" }
        return "-"
    }

    var table: String {
        var out = "\(kind) sweep: \(configurations) configuration\(configurations == 1 ? "" : "s"), \(records.count) found"
            + " in \(sources.count) part\(sources.count == 1 ? "" : "s"); BLAS \(blasKernel)\n"
        if let description { out += description + "\n" }
        var rows = [["#"] + axes + [headline, "status", "seconds"]]
        for (record, values) in zip(records, axisValues) {
            rows.append(["\(record.index + 1)"] + values
                        + [NumberFormat.short(record.result.headline.value, missing: "-"), Self.status(record), String(format: "%.2f", record.seconds)])
        }
        out += "\n" + TableFormatter.aligned(rows, leftAligned: Set(1...max(1, axes.count)).union([axes.count + 2]))
        out += notes.map { "\n" + $0 }.joined() + (notes.isEmpty ? "" : "\n")
        return out
    }

    /// Lines naming what is missing, duplicated or cut off.
    var notes: [String] {
        var lines: [String] = []
        if !missing.isEmpty {
            lines.append("missing \(missing.count) of \(configurations) configurations: " + missing.prefix(10).joined(separator: ", ")
                         + (missing.count > 10 ? ", ..." : ""))
        }
        for duplicate in duplicates {
            lines.append("\(duplicate.identical ? "duplicated (identical results)" : "CONFLICT: different results for")"
                         + " \(duplicate.key) in \(duplicate.sources.joined(separator: ", "))\(duplicate.identical ? "" : "; the first is kept")")
        }
        for part in truncatedParts { lines.append("\(part): its last line was cut off mid-write and is not used (resume that part to redo it)") }
        return lines
    }

    var csv: String {
        var writer = CSVWriter(header: ["index", "key"] + axes + ["headline", "status", "seconds"])
        for (record, values) in zip(records, axisValues) {
            writer.append([.integer(record.index), .text(record.key)] + values.map { .text($0) }
                          + [.number(record.result.headline.value), .text(Self.status(record)), .number(record.seconds)])
        }
        return writer.text
    }
}
