/// A contiguous buffer of `Float` that BLAS level-1 routines can read and write: `[Float]` and
/// `Matrix` (taken as its `rows * columns` elements in row-major order).
///
/// The two requirements have exactly the shape of `Array`'s own methods, so `Array` conforms as is.
public protocol FloatBuffer {
    /// Number of elements.
    var count: Int { get }
    /// Calls `body` with a pointer to the elements; the pointer must not escape.
    func withUnsafeBufferPointer<R, E: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(E) -> R) throws(E) -> R
    /// Calls `body` with a mutable pointer to the elements; the pointer must not escape.
    mutating func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws(E) -> R) throws(E) -> R
    /// Gives the buffer storage of its own now, so that `withUnsafeMutableBufferPointer` needs no
    /// copy-on-write copy; throws where that copy cannot be allocated. The BLAS routines call it
    /// before writing.
    mutating func makeUniqueStorage() throws
}

extension FloatBuffer {
    /// Nothing: an `Array`'s copy-on-write copy traps when memory runs out, as every growth of an
    /// `Array` does, and cannot be made to throw.
    public mutating func makeUniqueStorage() throws {}
}

extension Array: FloatBuffer where Element == Float {}
extension ContiguousArray: FloatBuffer where Element == Float {}
extension Matrix: FloatBuffer {}
