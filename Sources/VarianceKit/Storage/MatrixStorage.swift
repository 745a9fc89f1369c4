/// The heap buffer behind `Matrix`: `count` floats at a 64-byte-aligned address (one cache line,
/// and the alignment AVX-512 loads prefer). Owned by exactly one class instance, freed in `deinit`.
@usableFromInline
internal final class MatrixStorage: @unchecked Sendable {
    /// The required alignment of every matrix buffer, in bytes.
    static let alignment = 64

    @usableFromInline
    let pointer: UnsafeMutablePointer<Float>
    @usableFromInline
    let count: Int

    init(count: Int, repeating value: Float) {
        self.count = count
        // Allocate at least one element so that a zero-sized matrix still has a valid address.
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride,
            alignment: MatrixStorage.alignment)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: value, count: max(count, 1))
    }

    @usableFromInline
    func copy() -> MatrixStorage {
        let result = MatrixStorage(count: count, repeating: 0)
        result.pointer.update(from: pointer, count: count)
        return result
    }

    deinit {
        pointer.deallocate()
    }
}
