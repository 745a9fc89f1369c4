/// An n-dimensional array as NumPy stores it in `.npy` files: a shape and its elements in C order
/// (row-major: the last index varies fastest), either 32-bit floats (`<f4`) or 64-bit integers
/// (`<i8`).
///
/// A `Matrix` converts to a 2-D float array of the same shape and back; a 1-D array converts to
/// a one-column matrix.
public struct NumpyArray: Sendable, Equatable {
    /// The elements, row-major.
    public enum Elements: Sendable, Equatable {
        /// NumPy's `float32` (`<f4`).
        case float32([Float])
        /// NumPy's `int64` (`<i8`).
        case int64([Int64])

        /// The number of elements.
        public var count: Int {
            switch self {
            case .float32(let values): values.count
            case .int64(let values): values.count
            }
        }

        /// NumPy's type string for them: `<f4` or `<i8`.
        public var descriptor: String {
            switch self {
            case .float32: "<f4"
            case .int64: "<i8"
            }
        }
    }

    /// The dimensions, outermost first; `[]` for a scalar (one element).
    public let shape: [Int]
    /// The `shape.reduce(1, *)` elements.
    public let elements: Elements

    /// An array of `shape` holding `elements` in C order.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a negative dimension or an element count
    ///   that overflows; `.shapeMismatch` when `elements.count` is not the product of `shape`.
    public init(shape: [Int], elements: Elements) throws {
        var product = 1
        for (index, size) in shape.enumerated() {
            guard size >= 0 else {
                throw VarianceKitError.invalidParameter(name: "dimension \(index) of the shape", value: "\(size)", expected: "an integer >= 0")
            }
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw VarianceKitError.invalidParameter(
                    name: "shape", value: "\(shape)", expected: "dimensions whose product fits in memory")
            }
            product = next
        }
        guard elements.count == product else {
            throw VarianceKitError.shape(
                "NumpyArray(shape:elements:)", "elements", actual: [elements.count], expected: [product],
                "an array of shape \(shape) holds \(product) elements, not \(elements.count)")
        }
        self.shape = shape
        self.elements = elements
    }

    /// A `[rows, columns]` float array of the elements of `matrix`.
    public init(_ matrix: Matrix) {
        shape = [matrix.rows, matrix.columns]
        elements = .float32(matrix.elements)
    }

    /// A 1-D `int64` array of `values` (e.g. class labels).
    public init(_ values: [Int]) {
        shape = [values.count]
        elements = .int64(values.map(Int64.init))
    }

    /// The number of elements.
    public var count: Int { elements.count }

    /// The array as a matrix: `[rows, columns]` for a 2-D array, `[count, 1]` for a 1-D one.
    /// Integers become floats, which must be exact (`|value| <= 2^24`, or representable).
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` for an array that is not 1-D or 2-D;
    ///   `.invalidParameter` for an integer that `Float` cannot hold exactly; allocation errors.
    public func matrix() throws -> Matrix {
        let (rows, columns): (Int, Int)
        switch shape.count {
        case 2: (rows, columns) = (shape[0], shape[1])
        case 1: (rows, columns) = (shape[0], 1)
        default:
            throw VarianceKitError.shape(
                "NumpyArray.matrix()", "array", actual: shape, expected: [nil, nil],
                "a matrix is made from a 1-D or 2-D array; this one has \(shape.count) dimensions")
        }
        switch elements {
        case .float32(let values):
            return try Matrix(rows: rows, columns: columns, elements: values)
        case .int64(let values):
            var floats = [Float]()
            floats.reserveCapacity(values.count)
            for (index, value) in values.enumerated() {
                let float = Float(value)
                guard Float(exactly: value) != nil, float.isFinite else {
                    throw VarianceKitError.invalidParameter(
                        name: "element \(index)", value: "\(value)", expected: "an integer a Float holds exactly (|value| <= 16777216, or a multiple of a power of 2)")
                }
                floats.append(float)
            }
            return try Matrix(rows: rows, columns: columns, elements: floats)
        }
    }

    /// The elements as integers: `int64` elements as they are, `float32` elements that are whole numbers.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a float that is not a whole number in `Int`'s range.
    public func integers() throws -> [Int] {
        switch elements {
        case .int64(let values):
            return values.map { Int($0) }
        case .float32(let values):
            return try values.enumerated().map { index, value in
                guard let integer = Int(exactly: value) else {
                    throw VarianceKitError.invalidParameter(name: "element \(index)", value: "\(value)", expected: "a whole number")
                }
                return integer
            }
        }
    }
}
