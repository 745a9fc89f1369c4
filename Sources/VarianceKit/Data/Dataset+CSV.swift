import Foundation

/// A dataset read from a CSV file of numbers, with what the file said about its columns and
/// classes.
///
/// One row per sample; one column is the target (given by name, which needs a header, or by
/// 0-based index), every other column is a feature, in file order. The file's format is that of
/// `CSVTable`: fields are finite decimal numbers, blank lines are skipped.
///
/// - Classification: the target column holds integers (`3`, or a whole number such as `3.0`);
///   the distinct values, sorted, become the classes `0 ..< classCount`, and `classValues[k]` is
///   the file's value for class `k` (so labels `{-1, 1}` become `{0, 1}`, and `7, 3, 7` become
///   `1, 0, 1` with `classValues = [3, 7]`).
/// - Regression: the target column becomes `.values`, a `[samples, 1]` matrix.
public struct CSVDataset: Sendable {
    /// Whether the first row of the file names the columns.
    public enum HeaderRow: Sendable, Equatable {
        /// A header when any field of the first row is not a number.
        case automatic
        /// The first row is a header.
        case present
        /// Every row is data.
        case absent
    }

    /// The target column.
    public enum Column: Sendable, Equatable {
        /// The column with this header name.
        case name(String)
        /// The column at this 0-based index.
        case index(Int)
    }

    /// What the target column holds.
    public enum Task: Sendable, Equatable {
        /// Integer class labels.
        case classification
        /// A real-valued target.
        case regression
    }

    /// The samples.
    public let dataset: Dataset
    /// The feature columns' names (from the header, else `column N`, 1-based), in order.
    public let featureNames: [String]
    /// The target column's name (from the header, else `column N`).
    public let targetName: String
    /// For classification, the file's label of each class: class `k` is `classValues[k]`; nil
    /// for regression.
    public let classValues: [Int]?

    /// Reads the CSV file at `url`.
    ///
    /// - Parameters:
    ///   - url: The CSV file.
    ///   - target: The target column, by header name or 0-based index.
    ///   - task: Classification (integer labels) or regression.
    ///   - header: Whether the first row is a header (by default: detected).
    ///   - delimiter: The field separator (by default a comma).
    ///   - name: The dataset's name; by default the file's name.
    /// - Throws: `VarianceKitError.fileAccess` for a file that cannot be read;
    ///   `.malformedFile` naming the file, the line (and column) and what was expected, for an
    ///   empty file, ragged rows, a field that is not a finite number or does not fit in a
    ///   `Float`, a target column that does not exist (or a name without a header), no feature
    ///   column, or a class label that is not an integer.
    public static func read(
        from url: URL, target: Column, task: Task, header: HeaderRow = .automatic,
        delimiter: UnicodeScalar = ",", name: String? = nil
    ) throws -> CSVDataset {
        let path = url.path
        let table = try CSVTable(path: path, header: header, delimiter: delimiter)
        let columns = table.columnCount
        let targetColumn: Int
        switch target {
        case .name(let wanted):
            guard let header = table.header else {
                throw VarianceKitError.malformedFile(
                    path: path, location: "line \(table.lines[0])", found: "no header (the first row is all numbers)",
                    expected: "a header row naming the column '\(wanted)' (or give the target column by index)")
            }
            guard let index = header.firstIndex(of: wanted) else {
                let shown = header.prefix(10).map { "'\($0)'" }.joined(separator: ", ") + (header.count > 10 ? ", ..." : "")
                throw VarianceKitError.malformedFile(
                    path: path, location: "line 1 (the header)", found: "no column named '\(wanted)' (the columns are \(shown))",
                    expected: "a column named '\(wanted)'")
            }
            targetColumn = index
        case .index(let index):
            guard index >= 0, index < columns else {
                throw VarianceKitError.malformedFile(
                    path: path, location: "line \(table.lines[0])", found: "\(columns) columns (0-based indices 0 ..< \(columns))",
                    expected: "a target column at index \(index)")
            }
            targetColumn = index
        }
        guard columns >= 2 else {
            throw VarianceKitError.malformedFile(
                path: path, location: "line \(table.lines[0])", found: "only the target column",
                expected: "at least one feature column besides the target")
        }
        let featureColumns = (0..<columns).filter { $0 != targetColumn }
        let names = (0..<columns).map { column in table.header?[column] ?? "column \(column + 1)" }
        var featureValues = [Float]()
        featureValues.reserveCapacity(table.rows.count * featureColumns.count)
        for (row, values) in table.rows.enumerated() {
            for column in featureColumns {
                let value = Float(values[column])
                guard value.isFinite else {
                    throw VarianceKitError.malformedFile(
                        path: path, location: "line \(table.lines[row]), \(table.columnName(column))", found: "\(values[column])",
                        expected: "a number a Float holds (|value| < 3.4e38)")
                }
                featureValues.append(value)
            }
        }
        let features = try Matrix(rows: table.rows.count, columns: featureColumns.count, elements: featureValues)
        let datasetName = name ?? url.lastPathComponent
        switch task {
        case .regression:
            var targets = [Float]()
            for (row, values) in table.rows.enumerated() {
                let value = Float(values[targetColumn])
                guard value.isFinite else {
                    throw VarianceKitError.malformedFile(
                        path: path, location: "line \(table.lines[row]), \(table.columnName(targetColumn))", found: "\(values[targetColumn])",
                        expected: "a number a Float holds (|value| < 3.4e38)")
                }
                targets.append(value)
            }
            let dataset = try Dataset(name: datasetName, features: features,
                                      targets: .values(try Matrix(rows: targets.count, columns: 1, elements: targets)))
            return CSVDataset(dataset: dataset, featureNames: featureColumns.map { names[$0] }, targetName: names[targetColumn], classValues: nil)
        case .classification:
            var fileLabels = [Int]()
            fileLabels.reserveCapacity(table.rows.count)
            for (row, values) in table.rows.enumerated() {
                let value = values[targetColumn]
                guard value.rounded() == value, abs(value) <= 9_007_199_254_740_992, let label = Int(exactly: value) else {
                    throw VarianceKitError.malformedFile(
                        path: path, location: "line \(table.lines[row]), \(table.columnName(targetColumn))", found: "the class label \(value)",
                        expected: "an integer class label (such as 3)")
                }
                fileLabels.append(label)
            }
            let classValues = Array(Set(fileLabels)).sorted()
            let classOf = Dictionary(uniqueKeysWithValues: classValues.enumerated().map { ($1, $0) })
            let dataset = try Dataset(name: datasetName, features: features,
                                      targets: .classes(labels: fileLabels.map { classOf[$0]! }, classCount: classValues.count))
            return CSVDataset(dataset: dataset, featureNames: featureColumns.map { names[$0] }, targetName: names[targetColumn], classValues: classValues)
        }
    }
}

extension Dataset {
    /// The samples of the CSV file at `url`, read as `CSVDataset.read(from:target:task:header:delimiter:name:)`
    /// describes (which also returns the column names and the class values), with the same parameters.
    ///
    /// - Throws: the errors of `CSVDataset.read`.
    public static func csv(
        _ url: URL, target: CSVDataset.Column, task: CSVDataset.Task, header: CSVDataset.HeaderRow = .automatic,
        delimiter: UnicodeScalar = ",", name: String? = nil
    ) throws -> Dataset {
        try CSVDataset.read(from: url, target: target, task: task, header: header, delimiter: delimiter, name: name).dataset
    }
}
