import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files written all at once, with `open`/`write`/`fsync`/`rename`, so that a reader never sees
/// half a file, a failure leaves the previous file as it was, and `errno` is at hand for the
/// message ("cannot write PATH: no space left on device (ENOSPC)"). Every file VarianceKit writes
/// (`.npy`, `.npz`, and initbench's outputs) goes through here.
///
/// What each kind of path gets (checked before any bytes are written):
/// - a new name in an existing, writable directory: created with mode `0666 & ~umask`;
/// - a regular file with one link: replaced atomically (a temporary file in its directory, then
///   `rename(2)`), keeping its mode (and, for root, its owner and group);
/// - a regular file with more than one hard link: refused (replacing it would split the links,
///   writing through it would not be atomic);
/// - a symbolic link: followed (to any depth up to 40); the link stays a link and its target is
///   replaced (or created, if the link dangles) as above, in the target's directory;
/// - a directory, character or block device, FIFO or socket: refused, as are an empty name, a name
///   ending in `/`, a missing directory, one where no file can be created, and the kernel's file
///   systems (`/proc`, `/sys`, ...).
///
/// The temporary file is `.NAME.variancekit-PID-RANDOM.tmp` beside the target; it is removed on
/// every failure, and SIGINT, SIGTERM and SIGHUP during a write remove it too (`SignalCleanup`
/// installs a handler for the duration of the write, then restores the previous ones, and the
/// signal then ends the process as it would have).
public enum AtomicWrite {
    /// Writes `data` to the file at `url` as described on `AtomicWrite`.
    ///
    /// - Throws: `VarianceKitError.fileAccess(path:operation:reason:)` naming the path, when the
    ///   path is refused (nothing is written) or writing fails (a full disk, an I/O error: the
    ///   previous file, if any, is left as it was and no temporary file remains).
    public static func write(_ data: Data, to url: URL) throws {
        do {
            try write(data, to: url.path, hooks: Hooks())
        } catch {
            throw error.fileAccessError
        }
    }

    /// Throws unless `url` can be written as described on `AtomicWrite` (a refusal that `write`
    /// would give), without writing anything: for checking an output before long work.
    ///
    /// - Throws: `VarianceKitError.fileAccess(path:operation:reason:)`.
    public static func check(_ url: URL) throws {
        do {
            _ = try destination(url.path)
        } catch {
            throw error.fileAccessError
        }
    }

    /// What a writer may change about a write: the temporary file's tag and, for the tests of
    /// these guarantees only, a pause before the rename and an injected `write(2)` failure.
    package struct Hooks: Sendable {
        /// The middle of the temporary file's name, `.NAME.<tag>-PID-RANDOM.tmp`.
        package var temporaryTag: String
        /// Seconds to sleep between writing the temporary file and renaming it (tests only).
        package var pauseBeforeRename: Double?
        /// An errno every `write(2)` fails with (tests only).
        package var writeErrno: Int32?

        package init(temporaryTag: String = "variancekit", pauseBeforeRename: Double? = nil, writeErrno: Int32? = nil) {
            self.temporaryTag = temporaryTag
            self.pauseBeforeRename = pauseBeforeRename
            self.writeErrno = writeErrno
        }

        /// Sleeps `pauseBeforeRename` seconds, when set (and below an hour).
        package func pause() {
            guard let seconds = pauseBeforeRename, seconds > 0, seconds < 3600 else { return }
            usleep(UInt32(seconds * 1_000_000))
        }
    }

    /// A checked output file.
    package struct Destination {
        /// The path as given.
        package var path: String
        /// Where the bytes go: `path` with its symbolic links followed.
        package var target: String
        /// The target's directory, where the temporary file is made.
        package var directory: String
        /// The mode, owner and group of the file replaced; nil for a new file.
        package var existing: (mode: mode_t, owner: uid_t, group: gid_t)?
    }

    /// Throws an `OutputPathError` unless `path` can be written as described on `AtomicWrite`.
    package static func destination(_ path: String) throws(OutputPathError) -> Destination {
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

    /// Writes `data` to `path` as described on `AtomicWrite`.
    package static func write(_ data: Data, to path: String, hooks: Hooks) throws(OutputPathError) {
        let destination = try destination(path)
        let temporary = OutputPath.temporaryName(
            in: destination.directory, for: OutputPath.lastComponent(of: destination.target), tag: hooks.temporaryTag)
        let result: Result<Void, OutputPathError> = SignalCleanup.guarding([.unlink(temporary)]) { _ in
            do throws(OutputPathError) {
                try writeNewFile(data, at: temporary, mode: destination.existing?.mode ?? newFileMode(),
                                 owner: destination.existing.map { ($0.owner, $0.group) }, reportingAs: path, hooks: hooks)
            } catch {
                return .failure(error)
            }
            hooks.pause()
            guard rename(temporary, destination.target) == 0 else {
                let code = errno
                unlink(temporary)
                return .failure(.io(path: path, operation: "renaming the temporary file into place", errno: code))
            }
            syncDirectory(destination.directory)
            return .success(())
        }
        try result.get()
    }

    /// `0666` less the process's umask: the mode `open(2)` would give a new file.
    package static func newFileMode() -> mode_t { 0o666 & ~currentUmask() }

    /// The process's file mode creation mask (read by setting and restoring it).
    package static func currentUmask() -> mode_t {
        let mask = umask(0)
        umask(mask)
        return mask
    }

    /// Creates `path` (which must not exist), writes `data`, sets `mode` (and `owner`, where
    /// permitted) and `fsync`s it; on failure the file is removed and an `.io` error names `reportedPath`.
    package static func writeNewFile(
        _ data: Data, at path: String, mode: mode_t, owner: (uid_t, gid_t)?, reportingAs reportedPath: String, hooks: Hooks
    ) throws(OutputPathError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .io(path: reportedPath, operation: "creating the temporary file", errno: errno)
        }
        func fail(_ operation: String, _ code: Int32) -> OutputPathError {
            close(descriptor)
            unlink(path)
            return .io(path: reportedPath, operation: operation, errno: code)
        }
        if let owner, owner != (getuid(), getgid()) { _ = fchown(descriptor, owner.0, owner.1) }
        guard fchmod(descriptor, mode) == 0 else { throw fail("setting its mode", errno) }
        let injected = hooks.writeErrno
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
            throw .io(path: reportedPath, operation: "close", errno: code)
        }
    }

    /// Flushes a directory's entries (the rename) to disk; best effort.
    package static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

extension OutputPathError {
    /// The error as the library throws it: `VarianceKitError.fileAccess` with the path, the
    /// operation that failed (`write` for a refusal of the path) and the reason in words.
    package var fileAccessError: VarianceKitError {
        switch self {
        case .wrongKind(let path, let kind, let expected):
            return .fileAccess(path: path, operation: "write", reason: "it is \(kind.noun); expected \(expected)")
        case .notAFileName(let path):
            return .fileAccess(path: path, operation: "write", reason: path.isEmpty ? "the path is empty; expected a file name"
                : "a path ending in / names a directory; expected a file name")
        case .hardLinks(let path, let links):
            return .fileAccess(path: path, operation: "write", reason: "it has \(links) hard links, which replacing it would break; expected a file with one link")
        case .missingDirectory(let path, let directory):
            return .fileAccess(path: path, operation: "write", reason: "the directory \(directory) does not exist")
        case .kernelFileSystem(let path, let fileSystem):
            return .fileAccess(path: path, operation: "write", reason: "it is on the kernel's \(fileSystem) file system; expected a path on an ordinary file system")
        case .symbolicLinkLoop(let path):
            return .fileAccess(path: path, operation: "write", reason: "too many levels of symbolic links (ELOOP)")
        case .system(let path, let operation, let code), .io(let path, let operation, let code):
            return .fileAccess(path: path, operation: "write", reason: OutputPath.reason(code) + (operation.isEmpty ? "" : ", \(operation)"))
        case .foreignFiles(let path, let names):
            return .fileAccess(path: path, operation: "write", reason: "it holds other files (\(names.prefix(5).joined(separator: ", ")))")
        case .standardOutputForDirectory:
            return .fileAccess(path: "-", operation: "write", reason: "standard output is not a directory")
        case .mountPoint(let path):
            return .fileAccess(path: path, operation: "write", reason: "it is a mount point, which cannot be replaced")
        }
    }
}
