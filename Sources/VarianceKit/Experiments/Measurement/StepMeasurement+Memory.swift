extension StepMeasurement {
    /// The buffer shapes of a measurement: `init` allocates from these shapes, and
    /// `memoryRequirement(for:)` adds them up, so the two cannot disagree.
    struct Layout {
        let depth: Int
        let width: Int
        let batch: Int

        init(_ configuration: Configuration) {
            depth = configuration.depth
            width = configuration.width
            batch = configuration.batch
        }

        /// A batch, `[batch, width]`.
        var batchShape: (rows: Int, columns: Int) { (batch, width) }
        /// A weight or weight gradient, `[width, width]`.
        var weightShape: (rows: Int, columns: Int) { (width, width) }
        /// A bias or bias gradient, `[1, width]`.
        var biasShape: (rows: Int, columns: Int) { (1, width) }
        /// One bare forward output per layer.
        var forwardOutputCount: Int { depth }

        /// What the measurement allocates for the bare products (they share the network's weights).
        var productBuffers: [MemoryRequirement.Buffer] {
            [
                .init("input batch X", rows: batchShape.rows, columns: batchShape.columns),
                .init("bare Z", rows: batchShape.rows, columns: batchShape.columns, copies: forwardOutputCount),
                .init("stand-in dZ", rows: batchShape.rows, columns: batchShape.columns),
                .init("bare dX", rows: batchShape.rows, columns: batchShape.columns),
                .init("bare dW", rows: weightShape.rows, columns: weightShape.columns),
            ]
        }

        /// What the network holds after a step (see `Network.memoryFootprint`): per layer `W`, `dW`,
        /// the bias and its gradient (`[1, width]`, allocated with or without a bias) and the
        /// workspaces `Z`, `A`, `dL/dZ`; the copy of the input batch and the readout matrix.
        var networkBuffers: [MemoryRequirement.Buffer] {
            [
                .init("network W and dW", rows: weightShape.rows, columns: weightShape.columns, copies: MemoryRequirement.saturatingProduct([2, depth])),
                .init("network b and db", rows: biasShape.rows, columns: biasShape.columns, copies: MemoryRequirement.saturatingProduct([2, depth])),
                .init("network Z, A and dL/dZ", rows: batchShape.rows, columns: batchShape.columns, copies: MemoryRequirement.saturatingProduct([3, depth])),
                .init("network input copy and readout", rows: batchShape.rows, columns: batchShape.columns, copies: 2),
            ]
        }
    }

    /// The memory `init(_:)` allocates for `configuration`, by buffer: the network's
    /// `2 depth (width² + width) + (3 depth + 2) batch width` floats and the bare products'
    /// `(depth + 3) batch width + width²`, 4 bytes each.
    public static func memoryRequirement(for configuration: Configuration) -> MemoryRequirement {
        let layout = Layout(configuration)
        return MemoryRequirement(
            parameter: "network shape",
            value: "depth \(configuration.depth), width \(configuration.width), batch \(configuration.batch)",
            buffers: layout.networkBuffers + layout.productBuffers)
    }
}
