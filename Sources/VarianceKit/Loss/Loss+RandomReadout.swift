extension Loss {
    /// The readout matrix `R` of `randomReadout(seed:)` for a `rows x columns` output: i.i.d.
    /// `N(0, 1)` entries from Philox4x32-10 keyed by `seed` on `RandomStream.readout`
    /// (`Initializer.normal(mean: 0, standardDeviation: 1)`), the same for every call with the same
    /// seed and shape.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a negative dimension.
    public static func readoutMatrix(seed: UInt64, rows: Int, columns: Int) throws -> Matrix {
        var readout = try Matrix(rows: rows, columns: columns)
        guard readout.count > 0 else { return readout }
        try Initializer.normal(mean: 0, standardDeviation: 1)
            .fill(&readout, fanIn: max(columns, 1), fanOut: max(rows, 1), seed: seed, stream: RandomStream.readout.id)
        return readout
    }
}
