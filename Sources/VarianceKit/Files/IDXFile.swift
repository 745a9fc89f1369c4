import Foundation

/// An array read from an IDX file: its shape and its elements, row-major (C order).
///
/// IDX is the format of the MNIST files (`train-images-idx3-ubyte`, ...). All numbers in it are
/// big-endian:
/// - bytes 0-1: zero; byte 2: the element type (`0x08` unsigned byte, `0x09` signed byte, `0x0B`
///   16-bit integer, `0x0C` 32-bit integer, `0x0D` 32-bit float, `0x0E` 64-bit float); byte 3:
///   the number of dimensions `d` (at least 1);
/// - bytes 4 ..< 4 + 4d: each dimension, an unsigned 32-bit integer;
/// - then the `∏ dimensions` elements, the last dimension varying fastest, and nothing after them.
public struct IDXArray: Sendable, Equatable {
    /// The element types of IDX, by their type byte.
    public enum ElementType: UInt8, Sendable, CaseIterable {
        /// `0x08`: unsigned 8-bit integers (MNIST's pixels and labels).
        case unsignedByte = 0x08
        /// `0x09`: signed 8-bit integers.
        case signedByte = 0x09
        /// `0x0B`: signed 16-bit integers, big-endian.
        case int16 = 0x0B
        /// `0x0C`: signed 32-bit integers, big-endian.
        case int32 = 0x0C
        /// `0x0D`: IEEE 754 32-bit floats, big-endian.
        case float32 = 0x0D
        /// `0x0E`: IEEE 754 64-bit floats, big-endian.
        case float64 = 0x0E

        /// Bytes per element.
        public var byteCount: Int {
            switch self {
            case .unsignedByte, .signedByte: 1
            case .int16: 2
            case .int32, .float32: 4
            case .float64: 8
            }
        }
    }

    /// The elements, in row-major order, converted to the host's byte order.
    public enum Elements: Sendable, Equatable {
        /// Type `0x08`.
        case unsignedBytes([UInt8])
        /// Type `0x09`.
        case signedBytes([Int8])
        /// Type `0x0B`.
        case int16([Int16])
        /// Type `0x0C`.
        case int32([Int32])
        /// Type `0x0D`.
        case float32([Float])
        /// Type `0x0E`.
        case float64([Double])
    }

    /// The dimensions, outermost first (MNIST images: `[images, rows, columns]`).
    public let shape: [Int]
    /// The `shape.reduce(1, *)` elements.
    public let elements: Elements

    /// The type byte the elements have in the file.
    public var elementType: ElementType {
        switch elements {
        case .unsignedBytes: .unsignedByte
        case .signedBytes: .signedByte
        case .int16: .int16
        case .int32: .int32
        case .float32: .float32
        case .float64: .float64
        }
    }

    /// The elements as `Double` (exact for every IDX type).
    public var doubleElements: [Double] {
        switch elements {
        case .unsignedBytes(let values): values.map(Double.init)
        case .signedBytes(let values): values.map(Double.init)
        case .int16(let values): values.map(Double.init)
        case .int32(let values): values.map(Double.init)
        case .float32(let values): values.map(Double.init)
        case .float64(let values): values
        }
    }
}

/// Reading IDX files (see `IDXArray` for the format), plain or gzip-compressed (as MNIST is
/// distributed: `train-images-idx3-ubyte.gz`); compression is found by the gzip magic bytes.
public enum IDXFile {
    /// The array in the IDX file at `url`.
    ///
    /// Sizes are checked before anything is allocated: the element count and byte count must fit
    /// in `Int`, a plain file must hold exactly the bytes its header announces, and the data must
    /// fit in the memory available.
    ///
    /// - Throws: `VarianceKitError.fileAccess` for a file that cannot be read;
    ///   `.malformedFile` naming the file, the byte offset (of the decompressed data, for a gzip
    ///   file) and what was expected, for a wrong magic number, an unknown element type, no
    ///   dimensions, a truncated header or data, bytes after the data, sizes that overflow, or a
    ///   corrupt gzip stream; `.insufficientMemory` for data larger than the memory available.
    public static func read(from url: URL) throws -> IDXArray {
        var reader = try IDXReader(path: url.path)
        let shape = reader.shape
        let bytes = try reader.readData()
        return IDXArray(shape: shape, elements: IDXReader.decode(bytes, as: reader.elementType))
    }
}

/// An IDX file whose header has been read and checked, and whose data is next.
struct IDXReader {
    var source: ByteSource
    let elementType: IDXArray.ElementType
    let shape: [Int]
    /// Where the dimensions start (4) and where the data starts.
    let dataOffset: Int
    /// `∏ shape · elementType.byteCount`, known to fit in `Int`.
    let dataByteCount: Int

    var path: String { source.path }

    /// Reads and checks the header of the IDX file at `path`.
    init(path: String) throws {
        source = try ByteSource(path: path)
        let magic = try source.readExactly(4, "the magic number (00 00, type, dimension count)")
        let shown = magic.map { String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined(separator: " ")
        guard magic[0] == 0, magic[1] == 0 else {
            throw VarianceKitError.malformedFile(
                path: path, location: source.location(0), found: "the bytes \(shown)",
                expected: "an IDX magic number: two zero bytes, a type byte and a dimension count (e.g. 00 00 08 03 for MNIST images)")
        }
        guard let type = IDXArray.ElementType(rawValue: magic[2]) else {
            throw VarianceKitError.malformedFile(
                path: path, location: source.location(2), found: "the element type byte 0x\(String(magic[2], radix: 16, uppercase: true).leftPadded(to: 2))",
                expected: "an IDX element type: 08 (unsigned byte), 09 (signed byte), 0B (int16), 0C (int32), 0D (float32) or 0E (float64)")
        }
        let dimensionCount = Int(magic[3])
        guard dimensionCount >= 1 else {
            throw VarianceKitError.malformedFile(
                path: path, location: source.location(3), found: "0 dimensions", expected: "at least 1 dimension")
        }
        let dimensionBytes = try source.readExactly(4 * dimensionCount, "\(dimensionCount) dimensions (4 bytes each)")
        var shape = [Int]()
        var elementCount = 1
        for index in 0..<dimensionCount {
            let size = dimensionBytes[4 * index ..< 4 * index + 4].reduce(0) { $0 << 8 | Int($1) }
            shape.append(size)
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw VarianceKitError.malformedFile(
                    path: path, location: source.location(4 + 4 * index),
                    found: "the dimensions \(IDXReader.shown(shape)), more elements than a 64-bit count holds",
                    expected: "dimensions whose product fits in memory")
            }
            elementCount = product
        }
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: type.byteCount)
        guard !overflow else {
            throw VarianceKitError.malformedFile(
                path: path, location: source.location(4),
                found: "the dimensions \(IDXReader.shown(shape)) of \(type.byteCount)-byte elements, more bytes than a 64-bit count holds",
                expected: "dimensions whose product fits in memory")
        }
        dataOffset = 4 + 4 * dimensionCount
        if let remaining = source.knownRemaining {
            guard remaining >= byteCount else {
                throw VarianceKitError.malformedFile(
                    path: path, location: source.location(dataOffset + remaining),
                    found: "the end of the file after \(remaining) of the \(byteCount) bytes of data",
                    expected: "\(IDXReader.shown(shape)) elements of \(type.byteCount) bytes from byte \(dataOffset): the file is truncated")
            }
            guard remaining == byteCount else {
                throw VarianceKitError.malformedFile(
                    path: path, location: source.location(dataOffset + byteCount), found: "\(remaining - byteCount) more bytes",
                    expected: "the end of the file after the \(IDXReader.shown(shape)) elements its header announces")
            }
        }
        try MemoryBudget.require(byteCount, for: "the data of \(path) (\(IDXReader.shown(shape)) elements of \(type.byteCount) bytes)")
        self.elementType = type
        self.shape = shape
        self.dataByteCount = byteCount
    }

    /// `[2, 3]` as `2 x 3`.
    static func shown(_ shape: [Int]) -> String {
        shape.map(String.init).joined(separator: " x ")
    }

    /// The data bytes, as in the file, and a check that nothing follows them.
    ///
    /// A gzip file's data is inflated in chunks of at most 16 MiB, so that a header announcing
    /// more than the stream holds is found truncated without allocating all it announced.
    mutating func readData() throws -> [UInt8] {
        let what = "data (\(IDXReader.shown(shape)) elements of \(elementType.byteCount) bytes)"
        guard source.isCompressed else {
            return try source.readExactly(dataByteCount, what)
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(min(dataByteCount, 1 << 24))
        while bytes.count < dataByteCount {
            let chunk = try source.readExactly(min(dataByteCount - bytes.count, 1 << 24), what)
            bytes.append(contentsOf: chunk)
        }
        try source.requireEnd("the \(IDXReader.shown(shape)) elements the header announces")
        return bytes
    }

    /// Big-endian `bytes` as elements of `type` in the host's order.
    static func decode(_ bytes: [UInt8], as type: IDXArray.ElementType) -> IDXArray.Elements {
        func words<Word: FixedWidthInteger>(_: Word.Type) -> [Word] {
            let size = MemoryLayout<Word>.size
            return (0 ..< bytes.count / size).map { index in
                var word: Word = 0
                for byte in bytes[index * size ..< (index + 1) * size] { word = word << 8 | Word(byte) }
                return word
            }
        }
        switch type {
        case .unsignedByte: return .unsignedBytes(bytes)
        case .signedByte: return .signedBytes(bytes.map { Int8(bitPattern: $0) })
        case .int16: return .int16(words(UInt16.self).map { Int16(bitPattern: $0) })
        case .int32: return .int32(words(UInt32.self).map { Int32(bitPattern: $0) })
        case .float32: return .float32(words(UInt32.self).map { Float(bitPattern: $0) })
        case .float64: return .float64(words(UInt64.self).map { Double(bitPattern: $0) })
        }
    }
}

extension String {
    /// The string with zeros in front up to `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
