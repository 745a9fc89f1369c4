import Foundation

/// Reading and writing NumPy `.npy` files (format versions 1.0 and 2.0; 3.0 is read too).
///
/// The format (NEP 1, `numpy.lib.format`):
/// - bytes 0-5: the magic string `\x93NUMPY`; byte 6: the major version, byte 7: the minor;
/// - the header length `L`: a little-endian `UInt16` at bytes 8-9 (version 1.0), or a
///   `UInt32` at bytes 8-11 (versions 2.0 and 3.0);
/// - `L` bytes of header: a Python dict literal, padded with spaces and ending in `\n`, e.g.
///   `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`;
/// - the `∏ shape` elements, in C order, and nothing after them.
///
/// Read: `descr` `<f4` (float32) or `<i8` (int64), little-endian, `fortran_order` False. Written:
/// version 1.0 (2.0 when the header needs more than 65535 bytes), the header padded so that the
/// data starts at a multiple of 64 bytes, as NumPy does; the file is written atomically
/// (`AtomicWrite`).
public enum NumpyFile {
    /// The array in the `.npy` file at `url`.
    ///
    /// - Throws: `VarianceKitError.fileAccess` for a file that cannot be read;
    ///   `.malformedFile` naming the file, the byte offset and what was expected, for a wrong
    ///   magic string or version, a truncated header or data, a header that is not a dict with
    ///   `descr`, `fortran_order` and `shape`, another dtype, Fortran order, a shape that
    ///   overflows, or bytes after the data; `.insufficientMemory` for data larger than the memory
    ///   available.
    public static func read(from url: URL) throws -> NumpyArray {
        let bytes = try FileContents.read(url.path)
        return try decode(bytes, path: url.path, entry: nil)
    }

    /// Writes `array` to `url` as a `.npy` file, atomically (see `AtomicWrite`).
    ///
    /// - Throws: `VarianceKitError.fileAccess` when the path is refused or writing fails.
    public static func write(_ array: NumpyArray, to url: URL) throws {
        try AtomicWrite.write(encode(array), to: url)
    }

    /// The bytes of a `.npy` file holding `array`.
    static func encode(_ array: NumpyArray) -> Data {
        let shape = array.shape.count == 1 ? "(\(array.shape[0]),)" : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(array.elements.descriptor)', 'fortran_order': False, 'shape': \(shape), }"
        // Magic (6) + version (2) + length (2 or 4) + header + "\n" is a multiple of 64.
        // Version 1.0's 2-byte length holds at most 65535 header bytes, padding included.
        let lengthBytes = header.utf8.count + 1 + 63 > 65535 ? 4 : 2
        let prefix = 8 + lengthBytes
        let padding = (64 - (prefix + header.utf8.count + 1) % 64) % 64
        header += String(repeating: " ", count: padding) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [lengthBytes == 2 ? 1 : 2, 0])
        let length = header.utf8.count
        for index in 0..<lengthBytes { data.append(UInt8(truncatingIfNeeded: length >> (8 * index))) }
        data.append(contentsOf: header.utf8)
        switch array.elements {
        case .float32(let values):
            data.reserveCapacity(data.count + 4 * values.count)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        case .int64(let values):
            data.reserveCapacity(data.count + 8 * values.count)
            for value in values { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        }
        return data
    }

    /// The array in `bytes`, the contents of a `.npy` file `path` (or of its entry `entry`, for
    /// an `.npz` archive), with errors that name both and the byte offset.
    static func decode(_ bytes: [UInt8], path: String, entry: String?) throws -> NumpyArray {
        func where_(_ offset: Int) -> String {
            entry.map { "entry \($0), byte \(offset)" } ?? "byte \(offset)"
        }
        func malformed(_ offset: Int, _ found: String, _ expected: String) -> VarianceKitError {
            .malformedFile(path: path, location: where_(offset), found: found, expected: expected)
        }
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 8 else {
            if Array(bytes) != Array(magic.prefix(bytes.count)) {
                throw malformed(0, "the bytes \(hex(bytes.prefix(8)))", "the .npy magic string \\x93NUMPY")
            }
            throw malformed(bytes.count, "the end of the file after \(bytes.count) bytes", "the 8-byte .npy magic string and version: the file is truncated")
        }
        guard Array(bytes[0..<6]) == magic else {
            throw malformed(0, "the bytes \(hex(bytes.prefix(6)))", "the .npy magic string \\x93NUMPY (93 4E 55 4D 50 59)")
        }
        let (major, minor) = (bytes[6], bytes[7])
        guard (1...3).contains(major), minor == 0 else {
            throw malformed(6, "format version \(major).\(minor)", "version 1.0, 2.0 or 3.0")
        }
        let lengthBytes = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthBytes else {
            throw malformed(bytes.count, "the end of the file inside the header length", "a \(lengthBytes)-byte header length at byte 8: the file is truncated")
        }
        let headerLength = (0..<lengthBytes).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        let headerStart = 8 + lengthBytes
        guard bytes.count - headerStart >= headerLength else {
            throw malformed(bytes.count, "the end of the file after \(bytes.count - headerStart) of the \(headerLength) header bytes",
                            "the whole header (from byte \(headerStart)): the file is truncated")
        }
        let dataStart = headerStart + headerLength
        let header = try NumpyHeader(bytes[headerStart ..< dataStart], start: headerStart, malformed: malformed)
        let elementSize = header.isFloat32 ? 4 : 8
        let (byteCount, overflow) = header.elementCount.multipliedReportingOverflow(by: elementSize)
        guard !overflow else {
            throw malformed(headerStart, "the shape \(header.shape), more bytes than a 64-bit count holds", "a shape whose product fits in memory")
        }
        let remaining = bytes.count - dataStart
        guard remaining >= byteCount else {
            throw malformed(bytes.count, "the end of the file after \(remaining) of the \(byteCount) bytes of data",
                            "\(header.elementCount) elements of \(elementSize) bytes (shape \(header.shape)) from byte \(dataStart): the file is truncated")
        }
        guard remaining == byteCount else {
            throw malformed(dataStart + byteCount, "\(remaining - byteCount) more bytes", "the end of the file after the \(header.elementCount) elements of shape \(header.shape)")
        }
        try MemoryBudget.require(byteCount, for: "the data of \(path)\(entry.map { " (\($0))" } ?? "") (shape \(header.shape))")
        let elements: NumpyArray.Elements = bytes.withUnsafeBytes { raw in
            let data = UnsafeRawBufferPointer(rebasing: raw[dataStart ..< dataStart + byteCount])
            if header.isFloat32 {
                return .float32((0 ..< header.elementCount).map {
                    Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
                })
            }
            return .int64((0 ..< header.elementCount).map {
                Int64(littleEndian: data.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))
            })
        }
        return try NumpyArray(shape: header.shape, elements: elements)
    }

    /// A CRC-32 as `0x1234ABCD`.
    static func hex32(_ value: UInt32) -> String {
        "0x" + String(value, radix: 16, uppercase: true).leftPadded(to: 8)
    }

    /// Bytes as `93 4E 55`.
    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined(separator: " ")
    }
}

/// The header dict of a `.npy` file, parsed: a Python literal of the form
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` (keys in any order, single or
/// double quotes, any spaces, a trailing comma allowed), then spaces and a newline.
struct NumpyHeader {
    /// Whether `descr` is `<f4` (else `<i8`).
    var isFloat32: Bool
    var shape: [Int]
    var elementCount: Int

    private enum Value {
        case string(String), boolean(Bool), tuple([Int])
    }

    /// Parses `header`, whose first byte is at offset `start` of the file; errors come from
    /// `malformed(offset, found, expected)`.
    init(_ header: ArraySlice<UInt8>, start: Int, malformed: (Int, String, String) -> VarianceKitError) throws {
        let text = Array(header)
        var position = 0
        func offset() -> Int { start + position }
        func skipSpaces() { while position < text.count, text[position] == 0x20 || text[position] == 0x09 || text[position] == 0x0A || text[position] == 0x0D { position += 1 } }
        func shownHere() -> String {
            guard position < text.count else { return "the end of the header" }
            let piece = String(decoding: text[position ..< min(position + 20, text.count)], as: UTF8.self)
            return "'\(piece)'"
        }
        func expect(_ character: UInt8, _ what: String) throws {
            skipSpaces()
            guard position < text.count, text[position] == character else { throw malformed(offset(), shownHere(), what) }
            position += 1
        }
        func parseString() throws -> String {
            skipSpaces()
            guard position < text.count, text[position] == 0x27 || text[position] == 0x22 else {
                throw malformed(offset(), shownHere(), "a quoted string")
            }
            let quote = text[position]
            position += 1
            let begin = position
            while position < text.count, text[position] != quote { position += 1 }
            guard position < text.count else { throw malformed(offset(), "the end of the header inside a string", "a closing quote") }
            defer { position += 1 }
            return String(decoding: text[begin ..< position], as: UTF8.self)
        }
        func parseInteger() throws -> Int {
            skipSpaces()
            let begin = position
            while position < text.count, (0x30...0x39).contains(text[position]) { position += 1 }
            guard position > begin, let value = Int(String(decoding: text[begin ..< position], as: UTF8.self)) else {
                position = begin
                throw malformed(offset(), shownHere(), "a dimension: a whole number >= 0 that fits in 64 bits")
            }
            // Python writes long integers of NumPy 1.x as `3L`.
            if position < text.count, text[position] == 0x4C { position += 1 }
            return value
        }
        func parseValue() throws -> Value {
            skipSpaces()
            guard position < text.count else { throw malformed(offset(), "the end of the header", "a value") }
            switch text[position] {
            case 0x27, 0x22:
                return .string(try parseString())
            case 0x28:
                position += 1
                var values = [Int]()
                skipSpaces()
                while position < text.count, text[position] != 0x29 {
                    values.append(try parseInteger())
                    skipSpaces()
                    if position < text.count, text[position] == 0x2C { position += 1; skipSpaces(); continue }
                    guard position < text.count, text[position] == 0x29 else { throw malformed(offset(), shownHere(), "',' or ')' in the shape tuple") }
                }
                try expect(0x29, "')' closing the shape tuple")
                return .tuple(values)
            default:
                for (word, value) in [("True", true), ("False", false)] where text[position...].starts(with: word.utf8) {
                    position += word.utf8.count
                    return .boolean(value)
                }
                throw malformed(offset(), shownHere(), "a string, True, False or a tuple of integers")
            }
        }

        try expect(0x7B, "'{' starting the header dict")
        var entries = [String: (Value, Int)]()
        var keyOffsets = [String: Int]()
        while true {
            skipSpaces()
            if position < text.count, text[position] == 0x7D { position += 1; break }
            let keyOffset = offset()
            let key = try parseString()
            try expect(0x3A, "':' after the key '\(key)'")
            skipSpaces()
            let valueOffset = offset()
            entries[key] = (try parseValue(), valueOffset)
            keyOffsets[key] = keyOffset
            skipSpaces()
            if position < text.count, text[position] == 0x2C { position += 1; continue }
            try expect(0x7D, "',' or '}' in the header dict")
            break
        }
        skipSpaces()
        guard position == text.count else { throw malformed(offset(), shownHere(), "only spaces and a newline after the header dict") }
        for key in entries.keys.sorted() where !["descr", "fortran_order", "shape"].contains(key) {
            throw malformed(keyOffsets[key]!, "the key '\(key)'", "only the keys 'descr', 'fortran_order' and 'shape'")
        }
        guard case .string(let descriptor)? = entries["descr"]?.0 else {
            throw malformed(entries["descr"]?.1 ?? start, entries["descr"] == nil ? "no 'descr'" : "a 'descr' that is not a string", "'descr': a dtype string such as '<f4'")
        }
        switch descriptor {
        case "<f4": isFloat32 = true
        case "<i8": isFloat32 = false
        default:
            let hint = descriptor.hasPrefix(">") ? " (big-endian)" : ""
            throw malformed(entries["descr"]!.1, "the dtype '\(descriptor)'\(hint)",
                            "'<f4' (little-endian float32) or '<i8' (little-endian int64); convert with .astype('<f4') in NumPy")
        }
        guard case .boolean(let fortranOrder)? = entries["fortran_order"]?.0 else {
            throw malformed(entries["fortran_order"]?.1 ?? start, "no boolean 'fortran_order'", "'fortran_order': False")
        }
        guard !fortranOrder else {
            throw malformed(entries["fortran_order"]!.1, "'fortran_order': True (column-major data)",
                            "'fortran_order': False (C order); save np.ascontiguousarray(array) in NumPy")
        }
        guard case .tuple(let shape)? = entries["shape"]?.0 else {
            throw malformed(entries["shape"]?.1 ?? start, "no tuple 'shape'", "'shape': a tuple of integers such as (3, 4)")
        }
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw malformed(entries["shape"]!.1, "the shape \(shape), more elements than a 64-bit count holds", "a shape whose product fits in memory")
            }
            count = product
        }
        self.shape = shape
        self.elementCount = count
    }
}
