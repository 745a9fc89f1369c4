import Foundation

/// The heap buffer behind `Matrix`: `count` floats at a 64-byte-aligned address (one cache line,
/// and the alignment AVX-512 loads prefer). Owned by exactly one class instance, freed in `deinit`.
///
/// The memory comes from `posix_memalign`, whose failure is reported rather than trapped on:
/// the throwing initializer is the one for sizes a user chose (a matrix shape, a layer's widths,
/// a LAPACK workspace), and it also refuses, before allocating, a buffer of
/// `budgetCheckThreshold` bytes or more that exceeds `MemoryBudget.availableBytes()` (Linux
/// overcommits: such an allocation would succeed and the process be killed while the buffer is
/// being filled). The non-throwing initializer, for internal buffers whose size validation or an
/// existing buffer already bounds, traps when the allocator refuses.
@usableFromInline
internal final class MatrixStorage: @unchecked Sendable {
    /// The required alignment of every matrix buffer, in bytes.
    static let alignment = 64

    /// Buffers from this size on are checked against `MemoryBudget.availableBytes()` (which reads
    /// `/proc/meminfo`) before they are allocated; smaller ones are not worth the read.
    static let budgetCheckThreshold = 1 << 26

    @usableFromInline
    let pointer: UnsafeMutablePointer<Float>
    @usableFromInline
    let count: Int

    /// `count` copies of `value`, or a thrown error with nothing allocated.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` when `count` floats (at least one) need
    ///   `budgetCheckThreshold` bytes or more and more than `MemoryBudget.availableBytes()`;
    ///   `.allocationFailed` when the byte count overflows `Int` or `posix_memalign` fails.
    init(count: Int, repeating value: Float, purpose: @autoclosure () -> String) throws(VarianceKitError) {
        pointer = try MatrixStorage.allocate(count: count, checksBudget: true, purpose: purpose())
        self.count = count
        pointer.initialize(repeating: value, count: max(count, 1))
    }

    /// `count` copies of `value`, for sizes already bounded (no budget check); traps when the
    /// allocator refuses.
    init(count: Int, repeating value: Float) {
        do {
            pointer = try MatrixStorage.allocate(count: count, checksBudget: false, purpose: "a buffer of \(count) floats")
        } catch {
            preconditionFailure("MatrixStorage: \(error)")
        }
        self.count = count
        pointer.initialize(repeating: value, count: max(count, 1))
    }

    /// Uninitialized memory for `max(count, 1)` floats (a zero-sized matrix still has a valid
    /// address), 64-byte aligned, to be released with `free`.
    private static func allocate(
        count: Int, checksBudget: Bool, purpose: @autoclosure () -> String
    ) throws(VarianceKitError) -> UnsafeMutablePointer<Float> {
        precondition(count >= 0, "MatrixStorage: negative count \(count)")
        let elements = max(count, 1)
        let (bytes, overflow) = elements.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard !overflow else { throw .allocationFailed(bytes: Int.max, purpose: purpose()) }
        if checksBudget, bytes >= budgetCheckThreshold, let available = MemoryBudget.availableBytes(), bytes > available {
            throw .insufficientMemory(required: bytes, available: available, purpose: purpose())
        }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, alignment, bytes) == 0, let raw else {
            throw .allocationFailed(bytes: bytes, purpose: purpose())
        }
        return raw.bindMemory(to: Float.self, capacity: elements)
    }

    /// A copy of the elements, for copy-on-write; traps when the allocator refuses (see
    /// `Matrix.makeUniqueStorage()` for the throwing form).
    @usableFromInline
    func copy() -> MatrixStorage {
        let result = MatrixStorage(count: count, repeating: 0)
        result.pointer.update(from: pointer, count: count)
        return result
    }

    /// A copy of the elements, or a thrown error with nothing allocated (the buffer checked
    /// against the memory budget as a new matrix's is).
    func copy(purpose: @autoclosure () -> String) throws(VarianceKitError) -> MatrixStorage {
        let result = try MatrixStorage(count: count, repeating: 0, purpose: purpose())
        result.pointer.update(from: pointer, count: count)
        return result
    }

    deinit {
        free(pointer)
    }
}
