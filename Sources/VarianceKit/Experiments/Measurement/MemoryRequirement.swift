import Foundation

/// The memory a measurement allocates, stated before it allocates: its buffers by role and shape,
/// and their total in bytes (Float32, 4 bytes per element).
///
/// Each measurement derives both this requirement and its allocations from one description of
/// its buffer shapes, so the figure checked is the figure allocated.
public struct MemoryRequirement: Sendable, Hashable, Codable {
    /// `copies` row-major `rows x columns` Float buffers with one role.
    public struct Buffer: Sendable, Hashable, Codable {
        /// What the buffer holds, e.g. `"weight"`.
        public var role: String
        /// Rows of each buffer.
        public var rows: Int
        /// Columns of each buffer.
        public var columns: Int
        /// How many buffers of this shape the role has (one per layer, for example).
        public var copies: Int

        /// `copies` buffers of `rows x columns` Floats holding `role`.
        public init(_ role: String, rows: Int, columns: Int, copies: Int = 1) {
            self.role = role
            self.rows = rows
            self.columns = columns
            self.copies = copies
        }

        /// `copies rows columns`, `Int.max` on overflow.
        public var elements: Int {
            MemoryRequirement.saturatingProduct([copies, rows, columns])
        }
    }

    /// The parameter the requirement grows with, as a refusal names it
    /// (`"network shape"`, `"fill size"`, `"optimizer parameters"`), and its value.
    public var parameter: String
    /// The parameter's value, as the user gave it.
    public var value: String
    /// Every buffer the measurement allocates.
    public var buffers: [Buffer]

    /// The requirement of `buffers`, growing with `parameter` (now `value`).
    public init(parameter: String, value: String, buffers: [Buffer]) {
        self.parameter = parameter
        self.value = value
        self.buffers = buffers
    }

    /// The elements of every buffer, `Int.max` on overflow.
    public var elements: Int {
        buffers.reduce(0) { total, buffer in
            let sum = total.addingReportingOverflow(buffer.elements)
            return sum.overflow ? Int.max : sum.partialValue
        }
    }

    /// `4 elements` (Float32), `Int.max` on overflow.
    public var bytes: Int { Self.saturatingProduct([elements, MemoryLayout<Float>.stride]) }

    /// Throws unless `bytes` fit in `availableBytes`; `nil` (unknown) accepts everything.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` with the bytes required and available, and
    ///   a purpose naming the parameter, its value and every buffer.
    public func check(availableBytes: Int? = MemoryBudget.availableBytes()) throws {
        let purpose = "\(parameter) = \(value) (" + buffers.map { "\($0.role) \($0.copies == 1 ? "" : "\($0.copies) x ")\($0.rows) x \($0.columns)" }
            .joined(separator: ", ") + ", in Float32)"
        try MemoryBudget.require(bytes, for: purpose, available: availableBytes)
    }

    /// `bytes` in GiB with two decimals from 1 GiB on (`"1.50 GiB"`), else in MiB with one (`"12.0 MiB"`).
    public static func formatted(_ bytes: Int) -> String {
        bytes >= 1 << 30
            ? String(format: "%.2f GiB", Double(bytes) / 1_073_741_824)
            : String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    /// The sum of `terms` (each `>= 0`), or `Int.max` when it overflows.
    static func saturatingSum(_ terms: [Int]) -> Int {
        var sum = 0
        for term in terms {
            let next = sum.addingReportingOverflow(term)
            if next.overflow { return Int.max }
            sum = next.partialValue
        }
        return sum
    }

    /// The product of `factors` (each `>= 0`), or `Int.max` when it overflows.
    static func saturatingProduct(_ factors: [Int]) -> Int {
        var product = 1
        for factor in factors {
            let next = product.multipliedReportingOverflow(by: factor)
            if next.overflow { return Int.max }
            product = next.partialValue
        }
        return product
    }
}
