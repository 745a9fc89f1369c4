extension OptimizerMeasurement {
    /// The buffer shapes of a measurement: `init` allocates from these shapes (the optimizer
    /// allocates its state in the same shape on the first step), and
    /// `memoryRequirement(kind:parameters:)` adds them up, so the two cannot disagree.
    struct Layout {
        let kind: Kind
        let parameters: Int

        /// `[parameters / 4096, 4096]`, or `[1, parameters]` below 4096.
        var parameterShape: (rows: Int, columns: Int) {
            parameters < OptimizerMeasurement.columns
                ? (1, parameters) : (parameters / OptimizerMeasurement.columns, OptimizerMeasurement.columns)
        }

        var buffers: [MemoryRequirement.Buffer] {
            var buffers = [MemoryRequirement.Buffer("parameter and gradient", rows: parameterShape.rows,
                                                    columns: parameterShape.columns, copies: 2)]
            if kind.stateBuffers > 0 {
                buffers.append(.init(kind.stateBuffers == 2 ? "momentum buffer and its spare" : "Adam's m and v and their spares",
                                     rows: parameterShape.rows, columns: parameterShape.columns, copies: kind.stateBuffers))
            }
            return buffers
        }
    }

    /// The memory a measurement of `kind` over `parameters` elements needs: `w`, `g` and the
    /// optimizer's state, `(2 + kind.stateBuffers) parameters` floats, 4 bytes each.
    public static func memoryRequirement(kind: Kind, parameters: Int) -> MemoryRequirement {
        MemoryRequirement(parameter: "optimizer parameters", value: "\(parameters)",
                          buffers: Layout(kind: kind, parameters: parameters).buffers)
    }
}
