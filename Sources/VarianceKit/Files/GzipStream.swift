internal import CZlibShim

/// gzip (RFC 1952) data, inflated and deflated with zlib, behind the one handle that makes C calls
/// (`ZlibStreamHandle`).
///
/// A gzip file starts with the magic bytes `1f 8b`; `isGzip` looks at those, never at a name.
/// Several members one after another (as `cat a.gz b.gz` makes) are one stream, as `gunzip`
/// reads them; anything else after the last member is refused. zlib checks each member's CRC-32
/// and length, so a corrupt stream is found by the time its end is read.
enum Gzip {
    /// The two bytes every gzip member starts with.
    static let magic: [UInt8] = [0x1f, 0x8b]

    /// Whether `bytes` start with the gzip magic.
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == magic[0] && bytes[1] == magic[1]
    }

    /// `bytes` compressed as one gzip member (deflate at zlib's default level, no name, mtime 0).
    static func compress(_ bytes: [UInt8]) -> [UInt8] {
        ZlibStreamHandle.deflating(bytes)
    }
}

/// The decompressed bytes of gzip data, read front to back on demand.
struct GzipReader {
    /// The file the compressed bytes came from, for errors.
    let path: String
    private let handle: ZlibStreamHandle
    /// Decompressed bytes handed out so far.
    private(set) var offset = 0

    /// A reader of `compressed`, the whole contents of the gzip file `path`.
    ///
    /// - Throws: `VarianceKitError.allocationFailed` when zlib cannot allocate its state.
    init(compressed: [UInt8], path: String) throws {
        self.path = path
        self.handle = try ZlibStreamHandle(inflating: compressed, path: path)
    }

    /// Fills `buffer` with the next decompressed bytes; returns how many were written, fewer than
    /// `buffer.count` only where the data ends.
    ///
    /// - Throws: `VarianceKitError.malformedFile` naming the path and the byte offset in the
    ///   compressed file for a corrupt or truncated stream, or bytes after the last member.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try handle.inflate(into: buffer)
        offset += count
        return count
    }
}

/// A zlib `z_stream`, allocated once at a fixed address (zlib keeps a pointer to it) and freed
/// in `deinit`; the only place VarianceKit calls zlib.
private final class ZlibStreamHandle {
    private let stream: UnsafeMutablePointer<z_stream>
    /// The compressed input, owned here so that `next_in` stays valid.
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let path: String
    /// The count of compressed bytes (`input` holds at least one, for an empty file).
    private let total: Int
    /// Bytes of `input` zlib has taken so far.
    private var consumed = 0
    /// Whether `inflateInit2` succeeded (so `inflateEnd` is due).
    private var initialized = false
    /// Whether the last member's end was reached (and nothing follows it).
    private var finished = false

    /// A stream inflating `compressed` (gzip format: window bits 15 + 16).
    init(inflating compressed: [UInt8], path: String) throws {
        self.path = path
        total = compressed.count
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(capacity: max(compressed.count, 1))
        _ = input.initialize(from: compressed)
        let status = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw VarianceKitError.allocationFailed(bytes: MemoryLayout<z_stream>.size, purpose: "zlib's inflate state for \(path)")
        }
        initialized = true
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// Where the next compressed byte is, in words, for errors.
    private var location: String { "byte \(consumed) of the gzip-compressed file" }

    /// Inflates into `buffer` until it is full or the data ends; returns the bytes written.
    func inflate(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        var produced = 0
        while produced < buffer.count {
            // Hand zlib at most 1 GiB of input and output at a time (its counts are 32-bit).
            let inputChunk = min(total - consumed, 1 << 30)
            stream.pointee.next_in = input.baseAddress! + consumed
            stream.pointee.avail_in = UInt32(inputChunk)
            let outputChunk = min(buffer.count - produced, 1 << 30)
            stream.pointee.next_out = (base + produced).assumingMemoryBound(to: UInt8.self)
            stream.pointee.avail_out = UInt32(outputChunk)
            let status = CZlibShim.inflate(stream, Z_NO_FLUSH)
            let taken = inputChunk - Int(stream.pointee.avail_in)
            consumed += taken
            produced += outputChunk - Int(stream.pointee.avail_out)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                let rest = total - consumed
                if rest == 0 {
                    finished = true
                    return produced
                }
                guard Gzip.isGzip(Array(input[consumed ..< min(consumed + 2, total)])) else {
                    throw VarianceKitError.malformedFile(
                        path: path, location: location, found: "\(rest) bytes after the end of the gzip data",
                        expected: "the end of the file or another gzip member (1f 8b)")
                }
                inflateReset(stream)
            case Z_BUF_ERROR where consumed == total:
                throw VarianceKitError.malformedFile(
                    path: path, location: location, found: "the end of the file inside the gzip stream",
                    expected: "the rest of the compressed data and its 8-byte trailer (CRC-32 and length): the file is truncated")
            case Z_MEM_ERROR:
                throw VarianceKitError.allocationFailed(bytes: 1 << 15, purpose: "zlib's inflate window for \(path)")
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw VarianceKitError.malformedFile(
                    path: path, location: location, found: "a corrupt gzip stream (\(message))",
                    expected: "valid deflate data with a matching CRC-32 and length")
            }
        }
        return produced
    }

    /// `bytes` deflated into one gzip member.
    static func deflating(_ bytes: [UInt8]) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            deflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        let status = deflateInit2_(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit2 failed with \(status): out of memory")
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, UInt(bytes.count))) + 64)
        let written: Int = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.pointee.next_in = source.baseAddress
                stream.pointee.avail_in = UInt32(source.count)
                stream.pointee.next_out = target.baseAddress
                stream.pointee.avail_out = UInt32(target.count)
                let result = CZlibShim.deflate(stream, Z_FINISH)
                precondition(result == Z_STREAM_END, "deflate into a deflateBound buffer did not finish (\(result))")
                return target.count - Int(stream.pointee.avail_out)
            }
        }
        return Array(output[..<written])
    }
}
