import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why an output path cannot be written, with the paths and errno as values; `description` is
/// the message initbench prints after `Error: `, and `fileAccessError` the library's public form.
package enum OutputPathError: Error, CustomStringConvertible, Equatable {
    /// The path names something other than a regular file (or, for a report, a directory).
    case wrongKind(path: String, kind: FileKind, expected: String)
    /// The path is empty or ends in `/`.
    case notAFileName(path: String)
    /// A regular file with more than one hard link: replacing it would split the links.
    case hardLinks(path: String, links: Int)
    /// The directory the file would go in does not exist or is not a directory.
    case missingDirectory(path: String, directory: String)
    /// The directory is on a kernel file system (proc, sysfs, ...), which holds no user files.
    case kernelFileSystem(path: String, fileSystem: String)
    /// Following symbolic links did not end (more than `OutputPath.maximumLinks`).
    case symbolicLinkLoop(path: String)
    /// A check refused: `operation` failed with `errno` (before any bytes were written).
    case system(path: String, operation: String, errno: Int32)
    /// Writing failed: `operation` (write, fsync, rename, ...) failed with `errno`; the previous
    /// file, if any, is left as it was and the temporary file is removed.
    case io(path: String, operation: String, errno: Int32)
    /// The report directory holds files no report writes.
    case foreignFiles(path: String, names: [String])
    /// `-` (standard output) named where a directory is needed.
    case standardOutputForDirectory
    /// The report directory is a mount point (it cannot be renamed).
    case mountPoint(path: String)

    package var description: String {
        switch self {
        case .wrongKind(let path, let kind, let expected):
            return "cannot write \(path): it is \(kind.noun); expected \(expected)"
        case .notAFileName(let path):
            return path.isEmpty ? "cannot write an empty path; expected a file name"
                : "cannot write \(path): a path ending in / names a directory; expected a file name"
        case .hardLinks(let path, let links):
            return "cannot write \(path): it has \(links) hard links, which replacing it would break; expected a file with one link (remove the other links, or name a new file)"
        case .missingDirectory(let path, let directory):
            return "cannot write \(path): the directory \(directory) does not exist"
        case .kernelFileSystem(let path, let fileSystem):
            return "cannot write \(path): it is on the kernel's \(fileSystem) file system; expected a path on an ordinary file system"
        case .symbolicLinkLoop(let path):
            return "cannot write \(path): too many levels of symbolic links (ELOOP)"
        case .system(let path, let operation, let code), .io(let path, let operation, let code):
            return "cannot write \(path): \(OutputPath.reason(code))" + (operation.isEmpty ? "" : ", \(operation)")
        case .foreignFiles(let path, let names):
            let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", ..." : "")
            return "cannot write the report into \(path): it holds files that are not a report's (\(shown)); expected a new directory, an empty one or an earlier report"
        case .standardOutputForDirectory:
            return "cannot write the report into -: a report is a directory, and standard output is not one; expected a directory path"
        case .mountPoint(let path):
            return "cannot write the report into \(path): it is a mount point, which cannot be replaced; expected a directory inside it"
        }
    }

    /// Whether this is a failure of the writing itself (exit 74, EX_IOERR) rather than a refusal
    /// of the path (exit 64, EX_USAGE).
    package var isInputOutput: Bool {
        if case .io = self { return true }
        return false
    }
}

/// Checks of output paths with `lstat`, `stat`, the mount table and a trial file, shared by
/// `AtomicWrite` (every file the library and initbench write) and initbench's report directory.
package enum OutputPath {
    /// Symbolic links followed before giving up, as the kernel's `MAXSYMLINKS`.
    package static let maximumLinks = 40

    /// `"no space left on device (ENOSPC)"`: strerror in lower case and the errno's name.
    package static func reason(_ code: Int32) -> String {
        var message = String(cString: strerror(code))
        if let first = message.first { message = first.lowercased() + message.dropFirst() }
        return errnoNames[code].map { "\(message) (\($0))" } ?? message
    }

    package static let errnoNames: [Int32: String] = [
        ENOSPC: "ENOSPC", EDQUOT: "EDQUOT", EACCES: "EACCES", EPERM: "EPERM", EROFS: "EROFS", ENOENT: "ENOENT",
        ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EIO: "EIO", EXDEV: "EXDEV", EEXIST: "EEXIST", ENAMETOOLONG: "ENAMETOOLONG",
        ELOOP: "ELOOP", EFBIG: "EFBIG", EBUSY: "EBUSY", ENOTEMPTY: "ENOTEMPTY", EINVAL: "EINVAL", EMLINK: "EMLINK",
    ]

    /// `path`'s directory: `.` for a bare name, `/` for a name in the root.
    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    package static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// `path` with its last component's symbolic links followed (relative targets against the
    /// link's directory), possibly naming nothing yet (a dangling link names the file it will create).
    package static func followingLinks(_ path: String) throws(OutputPathError) -> String {
        var current = path
        for _ in 0...maximumLinks {
            var status = stat()
            guard lstat(current, &status) == 0, FileKind(mode: status.st_mode) == .symbolicLink else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length >= 0 else { throw .system(path: path, operation: "readlink", errno: errno) }
            let target = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : directory(of: current) + "/" + target
        }
        throw .symbolicLinkLoop(path: path)
    }

    /// The kernel's own file systems: no user files go there.
    package static let kernelFileSystems: Set<String> = [
        "proc", "sysfs", "cgroup", "cgroup2", "debugfs", "securityfs", "devpts", "tracefs", "bpf", "pstore",
        "configfs", "fusectl", "efivarfs", "binfmt_misc", "mqueue", "hugetlbfs",
    ]

    /// The type of the file system holding `directory`: the mount in `/proc/self/mounts` whose
    /// mount point is the longest prefix of its real path; nil when that cannot be read.
    package static func fileSystemType(of directory: String) -> String? {
        guard let resolved = realpath(directory, nil) else { return nil }
        let real = String(cString: resolved)
        free(resolved)
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return nil }
        var best: (length: Int, type: String)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            // Spaces and such in mount points are written as octal escapes.
            let mountPoint = fields[1].replacingOccurrences(of: "\\040", with: " ").replacingOccurrences(of: "\\011", with: "\t")
            let inside = mountPoint == "/" || real == mountPoint || real.hasPrefix(mountPoint + "/")
            if inside, mountPoint.count >= (best?.length ?? -1) { best = (mountPoint.count, String(fields[2])) }
        }
        return best?.type
    }

    /// Throws unless `directory` exists, is a directory on an ordinary file system, and a file can be
    /// created in it (found by creating and removing one: `access(2)` says yes to root everywhere).
    package static func checkDirectory(_ directory: String, for path: String) throws(OutputPathError) {
        var status = stat()
        guard stat(directory, &status) == 0 else {
            let code = errno
            if code == ENOENT { throw .missingDirectory(path: path, directory: directory) }
            throw .system(path: path, operation: "stat \(directory)", errno: code)
        }
        guard FileKind(mode: status.st_mode) == .directory else { throw .missingDirectory(path: path, directory: directory) }
        if let type = fileSystemType(of: directory), kernelFileSystems.contains(type) {
            throw .kernelFileSystem(path: path, fileSystem: type)
        }
        let probe = temporaryName(in: directory, for: "probe")
        let failure: Int32? = SignalCleanup.guarding([.unlink(probe)]) { _ in
            let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { return errno }
            close(descriptor)
            unlink(probe)
            return nil
        }
        if let failure { throw .system(path: path, operation: "creating a file in \(directory)", errno: failure) }
    }

    /// A name no one else uses, hidden, in `directory`: `.<name>.<tag>-<pid>-<random>.tmp`
    /// (`tag` is the writer's name: `variancekit` for the library, `initbench` for the CLI).
    package static func temporaryName(in directory: String, for name: String, tag: String = "variancekit") -> String {
        let stem = String(name.utf8.prefix(100)) ?? "output"
        return directory + "/." + stem + ".\(tag)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16)).tmp"
    }
}
