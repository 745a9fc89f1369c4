/// The bytes of a file read front to back, decompressed on the way when the file is gzip data
/// (found by its magic bytes `1f 8b`, not by its name), with the offset of the next byte for
/// errors.
///
/// Offsets count bytes of the data the format defines: of the file itself, or of the
/// decompressed data for a gzip file (`location(_:)` says which).
struct ByteSource {
    /// The file, for errors.
    let path: String
    /// The file's bytes when it is not compressed.
    private let raw: [UInt8]
    private var gzip: GzipReader?
    /// Bytes handed out so far: the offset of the next one.
    private(set) var offset = 0

    /// The file at `path`, read whole (and inflated as it is read when it is gzip data).
    ///
    /// - Throws: the errors of `FileContents.read` and of `GzipReader.init`.
    init(path: String) throws {
        self.path = path
        let bytes = try FileContents.read(path)
        if Gzip.isGzip(bytes) {
            gzip = try GzipReader(compressed: bytes, path: path)
            raw = []
        } else {
            raw = bytes
        }
    }

    /// Whether the file is gzip data.
    var isCompressed: Bool { gzip != nil }

    /// Bytes left, when known without decompressing (nil for a gzip file).
    var knownRemaining: Int? { isCompressed ? nil : raw.count - offset }

    /// `offset` in words: `byte N`, or `byte N of the decompressed data` for a gzip file.
    func location(_ offset: Int) -> String {
        isCompressed ? "byte \(offset) of the decompressed data" : "byte \(offset)"
    }

    /// Fills `buffer` with the next bytes; returns how many, fewer than `buffer.count` only where
    /// the data ends.
    ///
    /// - Throws: `VarianceKitError.malformedFile` for a corrupt gzip stream.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count: Int
        if gzip != nil {
            count = try gzip!.read(into: buffer)
        } else {
            count = min(buffer.count, raw.count - offset)
            if count > 0 {
                raw.withUnsafeBytes { source in
                    buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
                }
            }
        }
        offset += count
        return count
    }

    /// The next `count` bytes (`count` must have been checked against memory).
    ///
    /// - Throws: `VarianceKitError.malformedFile` naming the path and the offset where the data
    ///   ended, when fewer than `count` remain (`what` says what was being read), and the errors
    ///   of `read(into:)`.
    mutating func readExactly(_ count: Int, _ what: String) throws -> [UInt8] {
        let start = offset
        var bytes = [UInt8](repeating: 0, count: count)
        let read = try bytes.withUnsafeMutableBytes { try self.read(into: $0) }
        guard read == count else {
            throw VarianceKitError.malformedFile(
                path: path, location: location(start + read), found: "the end of the data after \(read) of the \(count) bytes of \(what)",
                expected: "\(count) bytes of \(what) from \(location(start)): the file is truncated")
        }
        return bytes
    }

    /// Throws unless the data ends here.
    ///
    /// - Throws: `VarianceKitError.malformedFile` naming the path and the offset of the first
    ///   extra byte; `expected` says what the format holds.
    mutating func requireEnd(_ expected: String) throws {
        let start = offset
        var extra = 0
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let read = try scratch.withUnsafeMutableBytes { try self.read(into: $0) }
            extra += read
            if read < scratch.count { break }
        }
        guard extra == 0 else {
            throw VarianceKitError.malformedFile(
                path: path, location: location(start), found: "\(extra) more bytes", expected: "the end of the data: \(expected)")
        }
    }
}
