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
}

extension Array: FloatBuffer where Element == Float {}
extension ContiguousArray: FloatBuffer where Element == Float {}
extension Matrix: FloatBuffer {}
