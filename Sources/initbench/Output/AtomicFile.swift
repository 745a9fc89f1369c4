import ArgumentParser
import Foundation
import VarianceKit

/// Files written all at once: the bytes go to a temporary file in the destination's directory,
/// which is then renamed over the destination (`rename(2)` is atomic within a file system), so a
/// reader never sees a half-written file and a failure leaves the old file (or none) in place.
enum AtomicFile {
    /// Throws a `ValidationError` (exit status 64) unless `path` could be written: its directory
    /// exists and is writable and `path` itself is not a directory.
    static func checkWritable(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("cannot write \(path): it is a directory; expected a file path")
        }
        let directory = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("cannot write \(path): the directory \(directory) does not exist")
        }
        guard access(directory, W_OK) == 0 else {
            throw ValidationError("cannot write \(path): the directory \(directory) is not writable")
        }
    }

    /// Throws a `ValidationError` unless `path` is, or can be created as, a writable directory.
    static func checkDirectoryWritable(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ValidationError("cannot write the report into \(path): it is a file; expected a directory")
            }
            guard access(path, W_OK) == 0 else {
                throw ValidationError("cannot write the report into \(path): the directory is not writable")
            }
            return
        }
        // Walk up to the first existing ancestor; it must be a writable directory.
        var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
            ancestor = ancestor.deletingLastPathComponent()
        }
        guard isDirectory.boolValue, access(ancestor.path, W_OK) == 0 else {
            throw ValidationError("cannot create the report directory \(path): \(ancestor.path) is not a writable directory")
        }
    }

    /// Writes `text` (UTF-8) to `path` through a temporary file and a rename.
    static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        do {
            try data.write(to: temporary, options: [])
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CommandFailure.usage("cannot write \(path): \(error.localizedDescription)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CommandFailure.usage("cannot write \(path): \(reason)")
        }
    }

    /// Creates `path` (and missing parents) as a directory.
    static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure.usage("cannot create the directory \(path): \(error.localizedDescription)")
        }
    }
}
