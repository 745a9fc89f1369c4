import Foundation
internal import CSV

/// A table of numbers read from a CSV file (RFC 4180: fields separated by a delimiter, rows by
/// `\n`, `\r\n` or `\r`, fields optionally in double quotes with `""` for a quote), parsed by
/// yaslab/CSV.swift, with the line each row starts on kept for errors.
///
/// Every field must be a finite decimal number (what `Double(String)` reads: `3`, `-0.5`,
/// `1e-3`; spaces around it are ignored, and so are double quotes inside those spaces, as in
/// `1, "2"`); `nan` and `inf` are refused. Blank lines are skipped. A UTF-8 byte order mark at the
/// start is ignored. A quoted field that holds the delimiter or a line break must start with its
/// quote (RFC 4180): after a space the field is unquoted and ends at the next delimiter.
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
            // Fields are trimmed here (`cleaned`), not by the reader, which trims every unquoted
            // field through Foundation at several times the cost of the rest of the parse.
            reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: false, delimiter: delimiter)
        } catch {
            throw VarianceKitError.malformedFile(path: path, location: "line 1", found: "text CSV cannot read (\(error))", expected: "CSV text")
        }
        // Rows as fields, each with the line it starts on; blank lines dropped.
        var records = [(fields: [String], line: Int)]()
        var line = 1
        while let raw = reader.next() {
            // A row takes one line plus one per line break inside its quoted fields.
            let rowLine = line
            line += 1 + raw.reduce(0) { $0 + CSVTable.lineBreaks(in: $1) }
            let fields = raw.map(CSVTable.cleaned)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((fields, rowLine)) }
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

    /// `field`, without the whitespace around it, as a finite number; nil for anything else (an
    /// empty field, text, nan, inf, a number too large for `Double`).
    static func number(_ field: String) -> Double? {
        guard let value = Double(hasPlainEnds(field) ? field : field.trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
        return value
    }

    /// Whether `field` starts and ends with printable ASCII other than a double quote, so that
    /// neither trimming nor unquoting changes it (most fields).
    static func hasPlainEnds(_ field: String) -> Bool {
        guard let first = field.utf8.first, let last = field.utf8.last else { return false }
        return first > 0x20 && first < 0x80 && first != 0x22 && last > 0x20 && last < 0x80 && last != 0x22
    }

    /// `field` without the whitespace around it and then without one pair of double quotes
    /// around what is left (`""` inside them read as `"`): what the reader leaves of a field that
    /// has spaces before its opening quote. Fields with plain ends (`hasPlainEnds`) are returned
    /// as they are.
    static func cleaned(_ field: String) -> String {
        if hasPlainEnds(field) { return field }
        let trimmed = field.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count >= 2, trimmed.utf8.first == 0x22, trimmed.utf8.last == 0x22 else { return trimmed }
        return String(trimmed.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
    }

    /// The line breaks inside `field`: `\n`, `\r\n` and a lone `\r` count one each.
    static func lineBreaks(in field: String) -> Int {
        var count = 0
        var afterCarriageReturn = false
        for byte in field.utf8 {
            if byte == 0x0A && !afterCarriageReturn || byte == 0x0D { count += 1 }
            afterCarriageReturn = byte == 0x0D
        }
        return count
    }
}
