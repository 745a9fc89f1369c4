extension FusedOptimizer {
    /// Sets the state kept for parameter `id` (a `rows x columns` parameter) to `state`, as
    /// `state(for:)` returned it, so that training resumes bit-identically: the next step of
    /// `id` uses that step count (Adam's bias correction) and those buffers.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a step count below 1 or a buffer holding
    ///   inf or NaN; `.missingCapability` when a buffer this optimizer keeps is missing;
    ///   `.shapeMismatch` when a buffer does not have the parameter's shape. Nothing changes then.
    public func restoreState(_ state: OptimizerState, for id: ParameterID, rows: Int, columns: Int) throws {
        try engine.restoreState(state, for: id, rows: rows, columns: columns)
    }

    /// The name of the algorithm: `SGD`, `Adam` or `AdamW`.
    public var name: String { engine.name }
}
