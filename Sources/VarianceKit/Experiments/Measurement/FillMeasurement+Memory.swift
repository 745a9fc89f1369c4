extension FillMeasurement {
    /// The buffer shapes of a measurement: `init` allocates from these shapes, and
    /// `memoryRequirement(initializer:size:)` adds them up, so the two cannot disagree.
    struct Layout {
        let size: Int
        let hasLAPACKBaselines: Bool

        init(initializer: Initializer, size: Int) {
            self.size = size
            if case .orthogonal = initializer { hasLAPACKBaselines = true } else { hasLAPACKBaselines = false }
        }

        /// The filled matrix, the Gaussian matrix and its copy, `[size, size]`.
        var matrixShape: (rows: Int, columns: Int) { (size, size) }

        var buffers: [MemoryRequirement.Buffer] {
            var buffers = [MemoryRequirement.Buffer("filled matrix", rows: matrixShape.rows, columns: matrixShape.columns)]
            guard hasLAPACKBaselines else { return buffers }
            // The orthogonal fill builds its result in a new matrix before it replaces the old one;
            // compact WY's scratch is blockWidth x (2 size) for T and the update product, plus two
            // blockWidth² squares (the drivers' workspace is smaller).
            let blockWidth = min(LAPACK.householderBlockWidth, size)
            buffers += [
                .init("orthogonal fill result", rows: matrixShape.rows, columns: matrixShape.columns),
                .init("Gaussian matrix and its factored copy", rows: matrixShape.rows, columns: matrixShape.columns, copies: 2),
                .init("compact WY workspace", rows: blockWidth,
                      columns: MemoryRequirement.saturatingSum([MemoryRequirement.saturatingProduct([2, size]), 2 * blockWidth])),
            ]
            return buffers
        }
    }

    /// The memory a measurement of `initializer` at `size` needs, by buffer: the `size²` matrix;
    /// for `.orthogonal` also the fill's new result, the Gaussian matrix, its copy and compact
    /// WY's workspace; 4 bytes per element.
    public static func memoryRequirement(initializer: Initializer, size: Int) -> MemoryRequirement {
        MemoryRequirement(parameter: "fill size", value: "\(size) x \(size)",
                          buffers: Layout(initializer: initializer, size: size).buffers)
    }
}
