import Foundation
import VarianceKit
#if canImport(Glibc)
import Glibc
#endif

/// A report directory written all at once: its files go into a temporary directory beside it,
/// which is then renamed into place, so a failed or interrupted report leaves no half-written
/// directory behind.
///
/// What `--output DIR` of `report` (and of the default comparison) does with each kind of path
/// (checked in `validate()` and again before writing):
/// - a new name whose parent directory exists: the report is renamed there (the parent is not created);
/// - an empty directory: replaced by the report in one `rename(2)`;
/// - a directory holding an earlier report (only the names a report writes): the old one is renamed
///   aside, the new one into place, then the old one removed; between the two renames (with
///   SIGINT/SIGTERM/SIGHUP held back) the name is briefly missing, which is as close as POSIX
///   `rename` comes to swapping two directories;
/// - a directory holding anything else: refused, so that no unrelated file is deleted;
/// - a symbolic link: followed, as for `--output FILE`;
/// - a regular file, device, FIFO or socket, `-`, a mount point, or a parent where nothing can be
///   created (the kernel's file systems, read-only or unwritable ones): refused.
/// The directory keeps its mode when replaced; a new one gets `0777 & ~umask`.
enum ReportDirectory {
    struct Destination {
        var path: String
        /// `path` without trailing slashes and with symbolic links followed.
        var target: String
        var parent: String
        /// The directory replaced: its mode and the (report) names it holds; nil when new.
        var existing: (mode: mode_t, names: [String])?
    }

    /// Throws an `OutputPathError` unless a report with files `names` can be written to `path`.
    @discardableResult
    static func check(_ path: String, names: Set<String>) throws(OutputPathError) -> Destination {
        guard path != "-" else { throw .standardOutputForDirectory }
        var trimmed = path
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard !trimmed.isEmpty else { throw .notAFileName(path: path) }
        let target = try OutputPath.followingLinks(trimmed)
        let shown = target == trimmed ? path : "\(path) (a symbolic link to \(target))"
        let parent = OutputPath.directory(of: target)
        var status = stat()
        var existing: (mode: mode_t, names: [String])?
        if lstat(target, &status) == 0 {
            let kind = FileKind(mode: status.st_mode)
            guard kind == .directory else { throw .wrongKind(path: shown, kind: kind, expected: "a directory") }
            var parentStatus = stat()
            if stat(parent, &parentStatus) == 0,
               parentStatus.st_dev != status.st_dev || (parentStatus.st_ino == status.st_ino && parentStatus.st_dev == status.st_dev) {
                throw .mountPoint(path: shown)
            }
            let contents: [String]
            do {
                contents = try FileManager.default.contentsOfDirectory(atPath: target)
            } catch {
                throw .system(path: shown, operation: "listing the directory", errno: EACCES)
            }
            let foreign = contents.filter { name in
                var entry = stat()
                return !names.contains(name) || lstat(target + "/" + name, &entry) != 0 || FileKind(mode: entry.st_mode) != .regularFile
            }
            guard foreign.isEmpty else { throw .foreignFiles(path: shown, names: foreign.sorted()) }
            existing = (status.st_mode & 0o7777, contents)
        } else if errno != ENOENT {
            throw .system(path: shown, operation: "lstat", errno: errno)
        }
        try OutputPath.checkDirectory(parent, for: shown)
        return Destination(path: path, target: target, parent: parent, existing: existing)
    }

    /// Writes `files` (name, contents) as the report directory `path`, as described above. An
    /// earlier report may hold any of `names` (default: the names of `files`), so that a report
    /// with optional files replaces one that had them.
    static func write(_ files: [(name: String, data: Data)], to path: String, names: Set<String>? = nil) throws {
        let destination = try check(path, names: (names ?? []).union(files.map(\.name)))
        let name = OutputPath.lastComponent(of: destination.target)
        let hooks = TestHooks.hooks
        let temporary = OutputPath.temporaryName(in: destination.parent, for: name, tag: hooks.temporaryTag)
        let aside = OutputPath.temporaryName(in: destination.parent, for: name + ".old", tag: hooks.temporaryTag)
        let removeTemporary: [SignalCleanup.Step] = files.map { .unlink(temporary + "/" + $0.name) } + [.removeDirectory(temporary)]
        func removeAll(_ steps: [SignalCleanup.Step]) {
            for step in steps {
                switch step {
                case .unlink(let file): unlink(file)
                case .removeDirectory(let directory): rmdir(directory)
                case .rename: break
                }
            }
        }
        try SignalCleanup.guarding(removeTemporary) { registration in
            guard mkdir(temporary, 0o700) == 0 else {
                throw OutputPathError.io(path: path, operation: "creating the temporary directory \(temporary)", errno: errno)
            }
            do {
                let fileMode = AtomicWrite.newFileMode()
                for file in files {
                    try AtomicWrite.writeNewFile(file.data, at: temporary + "/" + file.name, mode: fileMode, owner: nil,
                                                 reportingAs: URL(fileURLWithPath: path).appendingPathComponent(file.name).path, hooks: hooks)
                }
                let directoryMode = destination.existing?.mode ?? (0o777 & ~AtomicWrite.currentUmask())
                guard chmod(temporary, directoryMode) == 0 else {
                    throw OutputPathError.io(path: path, operation: "setting the directory's mode", errno: errno)
                }
                hooks.pause()
                try swapIn(temporary, destination: destination, aside: aside, registration: registration)
            } catch {
                removeAll(removeTemporary)
                throw error
            }
        }
        AtomicWrite.syncDirectory(destination.parent)
    }

    /// Renames `temporary` to the destination; an earlier report is renamed to `aside` first and
    /// removed afterwards (put back if the second rename fails).
    private static func swapIn(_ temporary: String, destination: Destination, aside: String,
                               registration: SignalCleanup.Registration) throws {
        let target = destination.target
        let oldNames = destination.existing?.names ?? []
        try SignalCleanup.withSignalsBlocked {
            if oldNames.isEmpty {
                // A new name, or an empty directory, which rename(2) replaces.
                guard rename(temporary, target) == 0 else {
                    throw OutputPathError.io(path: destination.path, operation: "renaming the report into place", errno: errno)
                }
                SignalCleanup.update(registration, [])
                return
            }
            guard rename(target, aside) == 0 else {
                throw OutputPathError.io(path: destination.path, operation: "moving the earlier report aside", errno: errno)
            }
            guard rename(temporary, target) == 0 else {
                let code = errno
                rename(aside, target)
                throw OutputPathError.io(path: destination.path, operation: "renaming the report into place", errno: code)
            }
            SignalCleanup.update(registration, oldNames.map { .unlink(aside + "/" + $0) } + [.removeDirectory(aside)])
        }
        for name in oldNames { unlink(aside + "/" + name) }
        rmdir(aside)
        SignalCleanup.update(registration, [])
    }
}
