import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The bytes of a file a user named, read whole with `open`/`fstat`/`read`, so that every failure
/// names the path and says why in the system's words.
///
/// Only regular files are read (a FIFO or a device could block or never end); the size `fstat`
/// reports is checked against `MemoryBudget` before the buffer is allocated.
enum FileContents {
    /// The whole of the regular file at `path`.
    ///
    /// - Throws: `VarianceKitError.fileAccess` naming `path` when it cannot be opened or read
    ///   (missing, unreadable, a directory or another kind of file); `.insufficientMemory` when
    ///   its size exceeds the memory available.
    static func read(_ path: String) throws -> [UInt8] {
        try withOpenFile(path) { descriptor, size in
            try MemoryBudget.require(size, for: "reading \(path)")
            return try readBytes(descriptor, count: size, path: path)
        }
    }

    /// The first `count` bytes of the regular file at `path` (fewer if it is shorter): a check
    /// that it can be read, and its magic number, for a file a library reads itself.
    ///
    /// - Throws: `VarianceKitError.fileAccess`, as `read`.
    static func prefix(_ path: String, count: Int) throws -> [UInt8] {
        try withOpenFile(path) { descriptor, size in try readBytes(descriptor, count: min(count, size), path: path) }
    }

    /// Opens the regular file at `path` and calls `body` with its descriptor and size.
    private static func withOpenFile<Result>(_ path: String, _ body: (Int32, Int) throws -> Result) throws -> Result {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw VarianceKitError.fileAccess(path: path, operation: "open", reason: OutputPath.reason(errno))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw VarianceKitError.fileAccess(path: path, operation: "fstat", reason: OutputPath.reason(errno))
        }
        let kind = FileKind(mode: status.st_mode)
        guard kind == .regularFile else {
            throw VarianceKitError.fileAccess(path: path, operation: "read", reason: "it is \(kind.noun); expected a regular file")
        }
        return try body(descriptor, Int(status.st_size))
    }

    /// Up to `size` bytes from `descriptor` (fewer if the file shrank meanwhile).
    private static func readBytes(_ descriptor: Int32, count size: Int, path: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        let failure: Int32? = bytes.withUnsafeMutableBytes { buffer in
            while offset < size {
                let count = Glibc.read(descriptor, buffer.baseAddress! + offset, size - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if count == 0 { break }
                offset += count
            }
            return nil
        }
        if let failure {
            throw VarianceKitError.fileAccess(path: path, operation: "read", reason: OutputPath.reason(failure))
        }
        if offset < size { bytes.removeSubrange(offset...) }
        return bytes
    }
}
