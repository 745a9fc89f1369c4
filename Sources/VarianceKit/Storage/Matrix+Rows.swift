extension Matrix {
    /// Rows `range` as a new `range.count x columns` matrix (one contiguous copy).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` when `range` is not within `0 ..< rows`;
    ///   the allocation errors of `init(rows:columns:repeating:)`.
    public func rows(_ range: Range<Int>) throws -> Matrix {
        guard range.lowerBound >= 0, range.upperBound <= rows else {
            throw VarianceKitError.invalidParameter(
                name: "row range", value: "\(range.lowerBound)..<\(range.upperBound)",
                expected: "a range within 0..<\(rows) (the matrix is \(rows) x \(columns))")
        }
        var result = try Matrix(rows: range.count, columns: columns)
        let columns = self.columns
        withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                guard let base = source.baseAddress, !target.isEmpty else { return }
                target.baseAddress!.update(from: base + range.lowerBound * columns, count: target.count)
            }
        }
        return result
    }

    /// The rows `indices` of `self`, in that order, as a new `indices.count x columns` matrix.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` naming the first index outside `0 ..< rows`;
    ///   the allocation errors of `init(rows:columns:repeating:)`.
    public func gatheringRows<Indices: Collection>(_ indices: Indices) throws -> Matrix where Indices.Element == Int {
        var result = try Matrix(rows: indices.count, columns: columns)
        try result.gatherRows(indices, from: self)
        return result
    }

    /// Overwrites `self` with the rows `indices` of `source`: row `k` of `self` becomes row
    /// `indices[k]` of `source`. The allocation-free form that fills a preallocated minibatch.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` when `self` is not `indices.count x
    ///   source.columns`; `.invalidParameter` naming the first index outside `0 ..< source.rows`;
    ///   the allocation errors of `makeUniqueStorage()` when `self` shares its buffer with a copy.
    ///   `self` is unchanged when it throws.
    public mutating func gatherRows<Indices: Collection>(_ indices: Indices, from source: Matrix) throws where Indices.Element == Int {
        guard rows == indices.count, columns == source.columns else {
            throw VarianceKitError.shape(
                "Matrix.gatherRows", "destination", actual: [rows, columns], expected: [indices.count, source.columns],
                "gathering \(indices.count) rows of a \(source.rows) x \(source.columns) matrix needs a \(indices.count) x \(source.columns) destination, not \(rows) x \(columns)")
        }
        for (position, index) in indices.enumerated() where index < 0 || index >= source.rows {
            throw VarianceKitError.invalidParameter(
                name: "row index [\(position)]", value: "\(index)",
                expected: "a row of the source, in 0..<\(source.rows)")
        }
        let columns = self.columns
        guard columns > 0 else { return }
        try makeUniqueStorage()
        source.withUnsafeBufferPointer { from in
            withUnsafeMutableBufferPointer { to in
                var target = to.baseAddress!
                for index in indices {
                    target.update(from: from.baseAddress! + index * columns, count: columns)
                    target += columns
                }
            }
        }
    }
}
