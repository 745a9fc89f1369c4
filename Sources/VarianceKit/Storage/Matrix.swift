import Foundation

/// A dense matrix of `Float`, stored row-major and contiguous in 64-byte-aligned memory.
///
/// Layout: element `(row, column)` lives at offset `row * columns + column`; there is no padding
/// between rows, so the whole matrix is one buffer of `rows * columns` floats (a BLAS leading
/// dimension of `columns`). Conventions used across VarianceKit: a Dense layer's weight is
/// `[outputs, inputs]` (fan-in = `columns`, fan-out = `rows`), a batch is `[batch, features]`.
///
/// **Semantics: value.** `Matrix` is a struct with copy-on-write storage, like `Array`: copying a
/// matrix is O(1), and the first mutation of a shared copy duplicates the buffer. Mutating a matrix
/// that is uniquely referenced (the normal case in loops) never allocates.
///
/// Zero-sized shapes (`0 x n`, `n x 0`, `0 x 0`) are valid everywhere.
public struct Matrix: Sendable {
    /// Number of rows.
    public private(set) var rows: Int
    /// Number of columns (also the row stride).
    public private(set) var columns: Int
    @usableFromInline
    internal var storage: MatrixStorage

    /// `rows * columns`.
    @inlinable
    public var count: Int { rows &* columns }

    /// `(rows, columns)`.
    public var shape: (rows: Int, columns: Int) { (rows, columns) }

    /// A `rows x columns` matrix with every element set to `value` (zero by default).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` when a dimension is negative or the byte
    ///   count overflows `Int`; `.insufficientMemory` when the buffer (64 MiB or more) exceeds
    ///   `MemoryBudget.availableBytes()`; `.allocationFailed` when the allocator refuses it.
    ///   Nothing is allocated then.
    public init(rows: Int, columns: Int, repeating value: Float = 0) throws {
        try Matrix.validateShape(rows: rows, columns: columns)
        self.rows = rows
        self.columns = columns
        self.storage = try MatrixStorage(count: rows * columns, repeating: value,
                                         purpose: Matrix.purpose(rows: rows, columns: columns))
    }

    /// What a matrix's buffer is for, in allocation errors.
    static func purpose(rows: Int, columns: Int) -> String {
        "a \(rows) x \(columns) matrix"
    }

    /// A matrix of the given shape holding `elements` in row-major order.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a negative dimension,
    ///   `VarianceKitError.shapeMismatch` when `elements.count != rows * columns`, and the
    ///   allocation errors of `init(rows:columns:repeating:)`.
    public init(rows: Int, columns: Int, elements: [Float]) throws {
        try Matrix.validateShape(rows: rows, columns: columns)
        guard elements.count == rows * columns else {
            throw VarianceKitError.shape(
                "Matrix(rows:columns:elements:)", "elements", actual: [elements.count], expected: [rows * columns],
                "\(elements.count) elements given for a \(rows) x \(columns) matrix, which needs \(rows * columns)")
        }
        self.rows = rows
        self.columns = columns
        self.storage = try MatrixStorage(count: elements.count, repeating: 0,
                                         purpose: Matrix.purpose(rows: rows, columns: columns))
        elements.withUnsafeBufferPointer { source in
            if let base = source.baseAddress, !source.isEmpty {
                storage.pointer.update(from: base, count: source.count)
            }
        }
    }

    /// A matrix from nested rows; every row must have the same length.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` when rows differ in length.
    public init(_ nestedRows: [[Float]]) throws {
        let columns = nestedRows.first?.count ?? 0
        for (index, row) in nestedRows.enumerated() where row.count != columns {
            throw VarianceKitError.shape(
                "Matrix(_:)", "row \(index)", actual: [row.count], expected: [columns],
                "row \(index) has \(row.count) elements but row 0 has \(columns); every row must have the same length")
        }
        try self.init(rows: nestedRows.count, columns: columns, elements: nestedRows.flatMap { $0 })
    }

    /// A zero-filled matrix, for shapes already known to be valid (non-negative dimensions).
    /// Traps on a negative dimension; public initializers validate instead.
    @usableFromInline
    internal init(validatedRows rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative dimension \(rows) x \(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = MatrixStorage(count: rows * columns, repeating: 0)
    }

    /// A zero-filled matrix of a shape already known to be valid, whose allocation is checked
    /// against the memory budget and refused, naming `purpose`, instead of trapping.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` or `.allocationFailed`.
    internal init(validatedRows rows: Int, columns: Int, purpose: @autoclosure () -> String) throws(VarianceKitError) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative dimension \(rows) x \(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = try MatrixStorage(count: rows * columns, repeating: 0, purpose: purpose())
    }

    /// An `n x n` identity matrix.
    public static func identity(_ n: Int) throws -> Matrix {
        var result = try Matrix(rows: n, columns: n)
        for i in 0..<n { result[i, i] = 1 }
        return result
    }

    static func validateShape(rows: Int, columns: Int) throws {
        guard rows >= 0 else {
            throw VarianceKitError.invalidParameter(name: "rows", value: "\(rows)", expected: "an integer >= 0")
        }
        guard columns >= 0 else {
            throw VarianceKitError.invalidParameter(name: "columns", value: "\(columns)", expected: "an integer >= 0")
        }
        guard !rows.multipliedReportingOverflow(by: columns).overflow,
              !(rows * columns).multipliedReportingOverflow(by: MemoryLayout<Float>.stride).overflow
        else {
            throw VarianceKitError.invalidParameter(
                name: "shape", value: "\(rows) x \(columns)", expected: "an element count that fits in memory")
        }
    }
}

// MARK: - Element access

extension Matrix {
    /// Element `(row, column)`. Traps when out of bounds, like `Array`.
    ///
    /// Setting an element of a matrix that shares its buffer with a copy first copies the buffer
    /// (copy-on-write); like `Array`'s, that copy traps when it cannot be allocated. Call
    /// `makeUniqueStorage()` first to get a thrown error instead.
    @inlinable
    public subscript(row: Int, column: Int) -> Float {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                         "Matrix index (\(row), \(column)) out of bounds for \(rows) x \(columns)")
            return storage.pointer[row &* columns &+ column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                         "Matrix index (\(row), \(column)) out of bounds for \(rows) x \(columns)")
            makeUnique()
            storage.pointer[row &* columns &+ column] = newValue
        }
    }

    /// The elements in row-major order, as a new array.
    public var elements: [Float] {
        withUnsafeBufferPointer { Array($0) }
    }

    /// Row `index` as a new array.
    public func row(_ index: Int) -> [Float] {
        precondition(index >= 0 && index < rows, "Matrix row \(index) out of bounds for \(rows) rows")
        return withUnsafeBufferPointer { Array($0[index * columns ..< (index + 1) * columns]) }
    }

    /// The transpose, as a new `columns x rows` matrix.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` or `.allocationFailed` when the new
    ///   matrix cannot be allocated (nothing is allocated then).
    public func transposed() throws -> Matrix {
        var result = try Matrix(rows: columns, columns: rows)
        let (rows, columns) = (self.rows, self.columns)
        withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for r in 0..<rows {
                    for c in 0..<columns { target[c * rows + r] = source[r * columns + c] }
                }
            }
        }
        return result
    }

    /// Calls `body` with a pointer to the `count` contiguous elements, row-major.
    /// The pointer must not escape `body`.
    @inlinable
    public func withUnsafeBufferPointer<R, E: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Calls `body` with a mutable pointer to the `count` contiguous elements, row-major, after
    /// making the storage unique (copy-on-write), in the shape of
    /// `Array.withUnsafeMutableBufferPointer`. The pointer must not escape `body`, and `body` must
    /// not replace it (the shape cannot change through it).
    ///
    /// Like `Array`'s, the copy of a shared buffer traps when it cannot be allocated; call
    /// `makeUniqueStorage()` first to get a thrown error instead (every VarianceKit call that
    /// writes into a matrix does).
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        makeUnique()
        var buffer = UnsafeMutableBufferPointer(start: storage.pointer, count: count)
        defer {
            precondition(buffer.baseAddress == storage.pointer && buffer.count == count,
                         "Matrix.withUnsafeMutableBufferPointer: the buffer must not be replaced")
        }
        return try body(&buffer)
    }

    @inlinable
    internal mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy()
        }
    }

    /// Gives this matrix a buffer of its own now, copying the elements if another matrix shares
    /// them, so that a later mutation (a subscript assignment, `withUnsafeMutableBufferPointer`)
    /// never has to allocate. Those mutations cannot throw, so their implicit copy traps if memory
    /// runs out; a program that copies large matrices calls this first to get a thrown error
    /// instead. The library calls that write into a matrix (fills, BLAS, optimizer steps, a
    /// network's passes into its own workspaces) call it themselves.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` or `.allocationFailed` when the copy cannot
    ///   be allocated; the matrix still shares its buffer then.
    public mutating func makeUniqueStorage() throws {
        guard !isKnownUniquelyReferenced(&storage) else { return }
        storage = try storage.copy(purpose: Matrix.purpose(rows: rows, columns: columns))
    }
}

// MARK: - Conformances

extension Matrix: Equatable {
    /// Same shape and bitwise-identical elements: every pair of elements has the same bit
    /// pattern. So `0` and `-0` differ, and NaNs are equal when their bits are (a matrix always
    /// equals itself and its copies, as `Equatable` requires). This is the equality that
    /// "bit-identical results" means; it is not `Float`'s `==` applied element by element (for
    /// that, compare `elements` as arrays).
    public static func == (lhs: Matrix, rhs: Matrix) -> Bool {
        guard lhs.rows == rhs.rows, lhs.columns == rhs.columns else { return false }
        if lhs.storage === rhs.storage { return true }
        return lhs.withUnsafeBufferPointer { a in
            rhs.withUnsafeBufferPointer { b in
                memcmp(a.baseAddress!, b.baseAddress!, a.count * MemoryLayout<Float>.stride) == 0
            }
        }
    }
}

extension Matrix: CustomStringConvertible {
    /// The shape and the first 6 rows and 8 columns, to 4 significant digits.
    public var description: String {
        let shown = min(rows, 6)
        var lines = ["Matrix \(rows) x \(columns)"]
        for r in 0..<shown {
            let values = (0..<min(columns, 8)).map { String(format: "%.4g", Double(self[r, $0])) }
            lines.append("  [" + values.joined(separator: ", ") + (columns > 8 ? ", ..." : "") + "]")
        }
        if rows > shown { lines.append("  ...") }
        return lines.joined(separator: "\n")
    }
}

extension Matrix: Codable {
    private enum CodingKeys: String, CodingKey { case rows, columns, elements }

    /// Reads `rows`, `columns` and the row-major `elements`, validated as `init(rows:columns:elements:)`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            rows: container.decode(Int.self, forKey: .rows),
            columns: container.decode(Int.self, forKey: .columns),
            elements: container.decode([Float].self, forKey: .elements))
    }

    /// Writes `rows`, `columns` and the row-major `elements`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rows, forKey: .rows)
        try container.encode(columns, forKey: .columns)
        try container.encode(elements, forKey: .elements)
    }
}
