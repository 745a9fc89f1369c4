import Foundation

/// The parts of a sweep combined into one set of results, with every configuration that is
/// missing or appears more than once said by name: nothing is dropped silently.
///
/// Every part must hold results of the same grid (equal `SweepGrid.identity`). A configuration
/// found in several parts with the same result bytes is a harmless duplicate (a shard run
/// twice); with different bytes it is a conflict, and the first part's record is the one kept
/// (in the order the parts were given).
public struct SweepMerge: Sendable {
    /// A configuration found more than once.
    public struct Duplicate: Sendable {
        /// Its key.
        public var key: String
        /// The parts it was found in, once per record.
        public var sources: [String]
        /// Whether every record has the same result bytes.
        public var identical: Bool
    }

    /// The grid of every part.
    public var grid: SweepGrid
    /// One record per configuration found, in grid order.
    public var records: [SweepRecord]
    /// The configurations no part holds, in grid order.
    public var missing: [SweepConfiguration]
    /// The configurations found more than once.
    public var duplicates: [Duplicate]
    /// The parts whose last line was cut off mid-write (that line is not used).
    public var truncatedParts: [String]

    /// Whether every configuration is there exactly once or as identical duplicates.
    public var isComplete: Bool { missing.isEmpty && duplicates.allSatisfy(\.identical) }

    /// Combines `parts` (each a path and its read file).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for no parts, or parts of different grids
    ///   (naming the first part that differs from the first).
    public init(_ parts: [(path: String, file: SweepResultsFile)]) throws {
        guard let first = parts.first else {
            throw VarianceKitError.invalidParameter(name: "parts", value: "none", expected: "at least one results file")
        }
        let identity = first.file.grid.identity
        if let other = parts.first(where: { $0.file.grid.identity != identity }) {
            throw VarianceKitError.invalidParameter(
                name: "results file \(other.path)", value: "the results of another grid",
                expected: "parts of one grid, that of \(first.path) (\(first.file.grid.count) configurations of kind \(first.file.grid.kind.rawValue))")
        }
        grid = first.file.grid
        var found: [String: (record: SweepRecord, bytes: Data, sources: [String], identical: Bool)] = [:]
        var order: [String] = []
        for part in parts {
            for record in part.file.records {
                let bytes = record.resultBytes
                if var entry = found[record.key] {
                    entry.sources.append(part.path)
                    if entry.bytes != bytes { entry.identical = false }
                    found[record.key] = entry
                } else {
                    found[record.key] = (record, bytes, [part.path], true)
                    order.append(record.key)
                }
            }
        }
        var records: [SweepRecord] = []
        var missing: [SweepConfiguration] = []
        for index in 0..<grid.count {
            let configuration = grid.configuration(at: index)
            if let entry = found[configuration.key] { records.append(entry.record) } else { missing.append(configuration) }
        }
        self.records = records
        self.missing = missing
        duplicates = order.compactMap { key in
            let entry = found[key]!
            return entry.sources.count > 1 ? Duplicate(key: key, sources: entry.sources, identical: entry.identical) : nil
        }
        truncatedParts = parts.filter(\.file.truncatedTail).map(\.path)
    }

    /// The keys whose results differ between `records` and `others` (bytes of `result`; the
    /// timings are not compared), or that only one of them holds, in the order of `records`
    /// then `others`.
    public static func differingKeys(_ records: [SweepRecord], _ others: [SweepRecord]) -> [String] {
        var theirs: [String: Data] = [:]
        for record in others { theirs[record.key] = record.resultBytes }
        var differing: [String] = []
        var mine = Set<String>()
        for record in records {
            mine.insert(record.key)
            if theirs[record.key] != record.resultBytes { differing.append(record.key) }
        }
        for record in others where !mine.contains(record.key) { differing.append(record.key) }
        return differing
    }
}
