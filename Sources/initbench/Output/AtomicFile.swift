import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files and report directories written all at once, with `open`/`write`/`fsync`/`rename`, so
/// that a reader never sees half an output, a failure leaves the previous output as it was, and
/// `errno` is at hand for the message ("cannot write PATH: no space left on device (ENOSPC)").
///
/// What `--output PATH` does with each kind of path (checked in `validate()`, before any work, and
/// again just before writing):
/// - a new name in an existing, writable directory: created with mode `0666 & ~umask`;
/// - a regular file with one link: replaced atomically (a temporary file in its directory, then
///   `rename(2)`), keeping its mode (and, for root, its owner and group);
/// - a regular file with more than one hard link: refused (replacing it would split the links,
///   writing through it would not be atomic);
/// - a symbolic link: followed (to any depth up to 40); the link stays a link and its target is
///   replaced (or created, if the link dangles) as above, in the target's directory;
/// - `-`: standard output (see `OutputOptions`);
/// - a directory, character or block device, FIFO or socket: refused, as are an empty name, a name
///   ending in `/`, a missing directory, one where no file can be created, and the kernel's file
///   systems (`/proc`, `/sys`, ...).
/// Refusals exit with status 64; a failure while writing (a full disk, an I/O error) exits 74.
/// SIGINT, SIGTERM and SIGHUP during a write remove the temporary file (`SignalCleanup`).
///
/// Test-only environment variables (for the tests of these guarantees; never set them otherwise):
/// `INITBENCH_TEST_PAUSE_BEFORE_RENAME_SECONDS` sleeps that long between writing the temporary
/// file (or report directory) and renaming it into place; `INITBENCH_TEST_WRITE_ERRNO` makes every
/// `write(2)` of an output fail with that errno.
enum AtomicFile {
    /// A checked output file.
    struct Destination {
        /// The path as given.
        var path: String
        /// Where the bytes go: `path` with its symbolic links followed.
        var target: String
        /// The target's directory, where the temporary file is made.
        var directory: String
        /// The mode, owner and group of the file replaced; nil for a new file.
        var existing: (mode: mode_t, owner: uid_t, group: gid_t)?
    }

    /// Throws an `OutputPathError` unless `path` can be written as described on `AtomicFile`.
    @discardableResult
    static func check(_ path: String) throws(OutputPathError) -> Destination {
        guard !path.isEmpty, !path.hasSuffix("/") else { throw .notAFileName(path: path) }
        let target = try OutputPath.followingLinks(path)
        let shown = target == path ? path : "\(path) (a symbolic link to \(target))"
        guard !target.hasSuffix("/") else { throw .notAFileName(path: shown) }
        var status = stat()
        var existing: (mode: mode_t, owner: uid_t, group: gid_t)?
        if lstat(target, &status) == 0 {
            let kind = FileKind(mode: status.st_mode)
            guard kind == .regularFile else { throw .wrongKind(path: shown, kind: kind, expected: "a regular file or a new file name") }
            guard status.st_nlink <= 1 else { throw .hardLinks(path: shown, links: Int(status.st_nlink)) }
            guard access(target, W_OK) == 0 else { throw .system(path: shown, operation: "the file is not writable", errno: errno) }
            existing = (status.st_mode & 0o7777, status.st_uid, status.st_gid)
        } else if errno != ENOENT {
            throw .system(path: shown, operation: "lstat", errno: errno)
        }
        let directory = OutputPath.directory(of: target)
        try OutputPath.checkDirectory(directory, for: shown)
        return Destination(path: path, target: target, directory: directory, existing: existing)
    }

    /// Writes `text` (UTF-8) to `path` as described on `AtomicFile`.
    static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    static func write(_ data: Data, to path: String) throws {
        let destination = try check(path)
        let temporary = OutputPath.temporaryName(in: destination.directory, for: OutputPath.lastComponent(of: destination.target))
        try SignalCleanup.guarding([.unlink(temporary)]) {
            try writeNewFile(data, at: temporary, mode: destination.existing?.mode ?? newFileMode(),
                             owner: destination.existing.map { ($0.owner, $0.group) }, reportingAs: path)
            TestHooks.pauseBeforeRename()
            guard rename(temporary, destination.target) == 0 else {
                let code = errno
                unlink(temporary)
                throw OutputPathError.io(path: path, operation: "renaming the temporary file into place", errno: code)
            }
            syncDirectory(destination.directory)
        }
    }

    /// `0666` less the process's umask: the mode `open(2)` would give a new file.
    static func newFileMode() -> mode_t { 0o666 & ~currentUmask() }

    /// The process's file mode creation mask (read by setting and restoring it).
    static func currentUmask() -> mode_t {
        let mask = umask(0)
        umask(mask)
        return mask
    }

    /// Creates `path` (which must not exist), writes `data`, sets `mode` (and `owner`, where
    /// permitted) and `fsync`s it; on failure the file is removed and an `.io` error names `reportedPath`.
    static func writeNewFile(_ data: Data, at path: String, mode: mode_t, owner: (uid_t, gid_t)?, reportingAs reportedPath: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw OutputPathError.io(path: reportedPath, operation: "creating the temporary file", errno: errno)
        }
        func fail(_ operation: String, _ code: Int32) -> OutputPathError {
            close(descriptor)
            unlink(path)
            return .io(path: reportedPath, operation: operation, errno: code)
        }
        if let owner, owner != (getuid(), getgid()) { _ = fchown(descriptor, owner.0, owner.1) }
        guard fchmod(descriptor, mode) == 0 else { throw fail("setting its mode", errno) }
        let injected = TestHooks.writeErrno
        let failure: Int32? = data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                if let injected { return injected }
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failure { throw fail("writing", failure) }
        guard fsync(descriptor) == 0 else { throw fail("fsync", errno) }
        guard close(descriptor) == 0 else {
            let code = errno
            unlink(path)
            throw OutputPathError.io(path: reportedPath, operation: "close", errno: code)
        }
    }

    /// Flushes a directory's entries (the rename) to disk; best effort.
    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

/// The test-only environment variables described on `AtomicFile`.
enum TestHooks {
    static func pauseBeforeRename() {
        guard let text = ProcessInfo.processInfo.environment["INITBENCH_TEST_PAUSE_BEFORE_RENAME_SECONDS"],
              let seconds = Double(text), seconds > 0, seconds < 3600 else { return }
        usleep(UInt32(seconds * 1_000_000))
    }

    static var writeErrno: Int32? {
        ProcessInfo.processInfo.environment["INITBENCH_TEST_WRITE_ERRNO"].flatMap { Int32($0) }
    }
}
