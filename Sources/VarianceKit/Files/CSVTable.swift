import Foundation
internal import CSV

/// A table of numbers read from a CSV file (RFC 4180: fields separated by a delimiter, rows by
/// `\n`, `\r\n` or `\r`, fields optionally in double quotes with `""` for a quote), parsed by
/// yaslab/CSV.swift, with the line each row starts on kept for errors.
///
/// Every field must be a finite decimal number (what `Double(String)` reads: `3`, `-0.5`,
/// `1e-3`; spaces around it are ignored); `nan` and `inf` are refused. Blank lines are skipped.
/// A UTF-8 byte order mark at the start is ignored.
struct CSVTable {
    /// The file, for errors.
    let path: String
    /// The column names, when there is a header.
    let header: [String]?
    /// The values, one array of `columnCount` per data row.
    let rows: [[Double]]
    /// The 1-based line each data row starts on.
    let lines: [Int]

    /// The number of columns (of the header, or of the first row).
    var columnCount: Int { header?.count ?? rows.first?.count ?? 0 }

    /// `column` (0-based) in words: `column 3 (petal_width)`, 1-based as editors count.
    func columnName(_ column: Int) -> String {
        if let header, column < header.count { return "column \(column + 1) ('\(header[column])')" }
        return "column \(column + 1)"
    }

    /// Reads the CSV file at `path`.
    ///
    /// - Throws: `VarianceKitError.fileAccess` for a file that cannot be read; `.malformedFile`
    ///   naming the file, the line (and column) and what was expected, for an empty file (or one
    ///   with a header and no rows), a row with a different number of fields than the first, or a
    ///   field that is not a finite number.
    init(path: String, header headerRow: CSVDataset.HeaderRow, delimiter: UnicodeScalar) throws {
        self.path = path
        var bytes = try FileContents.read(path)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let text = String(decoding: bytes, as: UTF8.self)
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: true, delimiter: delimiter)
        } catch {
            throw VarianceKitError.malformedFile(path: path, location: "line 1", found: "text CSV cannot read (\(error))", expected: "CSV text")
        }
        // Rows as fields, each with the line it starts on; blank lines dropped.
        var records = [(fields: [String], line: Int)]()
        var line = 1
        while let fields = reader.next() {
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((fields, line)) }
            // A row takes one line plus one per line break inside its quoted fields.
            line += 1 + fields.reduce(0) { count, field in count + field.reduce(0) { $0 + ($1 == "\n" || $1 == "\r" || $1 == "\r\n" ? 1 : 0) } }
        }
        guard let first = records.first else {
            throw VarianceKitError.malformedFile(
                path: path, location: "line 1", found: bytes.isEmpty ? "an empty file" : "only blank lines",
                expected: "rows of numbers separated by '\(delimiter)'")
        }
        let hasHeader: Bool
        switch headerRow {
        case .present: hasHeader = true
        case .absent: hasHeader = false
        case .automatic: hasHeader = first.fields.contains { CSVTable.number($0) == nil }
        }
        header = hasHeader ? first.fields : nil
        let data = hasHeader ? records.dropFirst() : records[...]
        guard !data.isEmpty else {
            throw VarianceKitError.malformedFile(
                path: path, location: "line \(first.line + 1)", found: "the end of the file after the header",
                expected: "at least one row of numbers after the header")
        }
        let columns = first.fields.count
        var rows = [[Double]]()
        rows.reserveCapacity(data.count)
        var lines = [Int]()
        lines.reserveCapacity(data.count)
        for record in data {
            guard record.fields.count == columns else {
                throw VarianceKitError.malformedFile(
                    path: path, location: "line \(record.line)", found: "\(record.fields.count) fields",
                    expected: "\(columns) fields, as in \(hasHeader ? "the header" : "the first row") (line \(first.line))")
            }
            var values = [Double]()
            values.reserveCapacity(columns)
            for (column, field) in record.fields.enumerated() {
                guard let value = CSVTable.number(field) else {
                    let shown = field.isEmpty ? "an empty field" : "'\(field.prefix(40))'"
                    let why = CSVTable.nonFiniteWords.contains(field.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "+-")))
                        ? "a finite number (nan and inf are refused)" : "a number"
                    throw VarianceKitError.malformedFile(
                        path: path, location: "line \(record.line), " + (hasHeader ? "column \(column + 1) ('\(first.fields[column])')" : "column \(column + 1)"),
                        found: shown, expected: why)
                }
                values.append(value)
            }
            rows.append(values)
            lines.append(record.line)
        }
        self.rows = rows
        self.lines = lines
    }

    /// Words `Double(String)` reads as non-finite values.
    static let nonFiniteWords: Set<String> = ["nan", "inf", "infinity", "snan"]

    /// `field` as a finite number; nil for anything else (an empty field, text, nan, inf, a
    /// number too large for `Double`).
    static func number(_ field: String) -> Double? {
        guard let value = Double(field.trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
        return value
    }
}
