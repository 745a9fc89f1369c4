import Foundation
import VarianceKit
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// `lstat` of a path, independent of the code under test.
struct FileStatus {
    let kind: mode_t, permissions: mode_t, inode: ino_t, links: Int

    init?(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        kind = status.st_mode & S_IFMT
        permissions = status.st_mode & 0o7777
        inode = status.st_ino
        links = Int(status.st_nlink)
    }
}

/// A scratch directory, removed afterwards.
final class Scratch {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("initbench-output-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String, mode: mode_t = 0o644) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file(name)))
        chmod(file(name), mode)
    }

    func read(_ name: String) -> String? { try? String(contentsOfFile: file(name), encoding: .utf8) }

    /// Names in the directory, hidden ones included.
    func names(_ subdirectory: String? = nil) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: subdirectory.map(file) ?? path)) ?? [])
    }

    /// Leftover temporary files or directories (`.NAME.initbench-PID-RANDOM.tmp`).
    func temporaries(_ subdirectory: String? = nil) -> [String] {
        names(subdirectory).filter { $0.contains(".initbench-") && $0.hasSuffix(".tmp") }.sorted()
    }
}

/// A small `propagate` run whose CSV output has a line per layer.
let smallRun = ["propagate", "--quiet", "--depth", "3", "--width", "8", "--batch", "8", "--init", "standard", "--activation", "tanh", "--format", "csv"]
let smallReport = ["report", "--quiet", "--depth", "2", "--width", "8", "--batch", "8", "--init", "standard", "--activation", "tanh"]

/// `--output FILE`: what each kind of path gets. Expectations come from `lstat`/`readlink`, not
/// from the program.
@Suite struct OutputFileTests {
    @Test func regularFileIsReplacedAndKeepsItsMode() throws {
        let scratch = try Scratch()
        try scratch.write("out.csv", "old\n", mode: 0o600)
        let before = try #require(FileStatus(scratch.file("out.csv")))
        let result = try runInitbench(smallRun + ["--output", scratch.file("out.csv")])
        #expect(result.status == 0, "\(result.stderr)")
        let after = try #require(FileStatus(scratch.file("out.csv")))
        #expect(after.kind == S_IFREG && after.permissions == 0o600)
        // Replaced by rename: a new inode, never the old one rewritten in place.
        #expect(after.inode != before.inode)
        #expect(scratch.read("out.csv")?.hasPrefix("init,activation,layer") == true)
        #expect(scratch.temporaries() == [])
    }

    @Test func newFileGetsTheUmaskMode() throws {
        let scratch = try Scratch()
        let mask = umask(0); umask(mask)
        let result = try runInitbench(smallRun + ["--output", scratch.file("new.csv")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileStatus(scratch.file("new.csv"))?.permissions == 0o666 & ~mask)
    }

    /// A link into another directory: the target is replaced there, the link stays a link.
    @Test func symbolicLinkIsFollowed() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.file("data"), withIntermediateDirectories: false)
        try scratch.write("data/target.csv", "old\n", mode: 0o640)
        #expect(symlink("data/target.csv", scratch.file("link.csv")) == 0)
        #expect(symlink("link.csv", scratch.file("link2.csv")) == 0)
        let result = try runInitbench(smallRun + ["--output", scratch.file("link2.csv")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileStatus(scratch.file("link2.csv"))?.kind == S_IFLNK)
        #expect(FileStatus(scratch.file("link.csv"))?.kind == S_IFLNK)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: scratch.file("link.csv"))) == "data/target.csv")
        #expect(FileStatus(scratch.file("data/target.csv")).map { $0.kind == S_IFREG && $0.permissions == 0o640 } == true)
        #expect(scratch.read("data/target.csv")?.hasPrefix("init,") == true)
        #expect(scratch.temporaries() == [] && scratch.temporaries("data") == [])
    }

    @Test func danglingLinkCreatesItsTarget() throws {
        let scratch = try Scratch()
        #expect(symlink(scratch.file("made.csv"), scratch.file("link.csv")) == 0)
        let result = try runInitbench(smallRun + ["--output", scratch.file("link.csv")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileStatus(scratch.file("link.csv"))?.kind == S_IFLNK)
        #expect(FileStatus(scratch.file("made.csv"))?.kind == S_IFREG)
    }

    @Test func hardLinkedFileIsRefused() throws {
        let scratch = try Scratch()
        try scratch.write("a.csv", "old\n")
        #expect(link(scratch.file("a.csv"), scratch.file("b.csv")) == 0)
        let result = try runInitbench(smallRun + ["--output", scratch.file("b.csv")])
        #expect(result.status == 64)
        #expect(result.stderr.contains("2 hard links"), "\(result.stderr)")
        let a = try #require(FileStatus(scratch.file("a.csv"))), b = try #require(FileStatus(scratch.file("b.csv")))
        #expect(a.inode == b.inode && a.links == 2)
        #expect(scratch.read("a.csv") == "old\n")
    }

    /// Devices, FIFOs, sockets and directories are refused in validate() (usage follows the
    /// message), and are left as they were.
    @Test(arguments: ["fifo", "socket", "directory", "/dev/null", "/dev/full", "link to /dev/null"])
    func specialFilesAreRefused(kind: String) throws {
        let scratch = try Scratch()
        var path = scratch.file("special")
        let expectedKind: mode_t
        let noun: String
        switch kind {
        case "fifo":
            #expect(mkfifo(path, 0o644) == 0)
            (expectedKind, noun) = (S_IFIFO, "it is a FIFO")
        case "socket":
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(descriptor) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (i, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[i] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            #expect(bound == 0)
            (expectedKind, noun) = (S_IFSOCK, "it is a socket")
        case "directory":
            #expect(mkdir(path, 0o755) == 0)
            (expectedKind, noun) = (S_IFDIR, "it is a directory")
        case "link to /dev/null":
            #expect(symlink("/dev/null", path) == 0)
            (expectedKind, noun) = (S_IFLNK, "it is a character device")
        default:
            path = kind
            (expectedKind, noun) = (S_IFCHR, "it is a character device")
        }
        let before = try #require(FileStatus(path))
        let result = try runInitbench(smallRun + ["--output", path])
        #expect(result.status == 64)
        #expect(result.stderr.contains(noun) && result.stderr.contains("expected a regular file or a new file name"), "\(result.stderr)")
        #expect(result.stderr.contains("Usage:"), "refused in validate(), before the run")
        #expect(result.stdout.isEmpty)
        let after = try #require(FileStatus(path))
        #expect(after.kind == expectedKind && after.inode == before.inode)
        #expect(scratch.temporaries() == [])
    }

    /// Refused in validate() with a message saying why.
    @Test(arguments: [("/proc/initbench-out.csv", "proc file system"), ("/sys/initbench-out.csv", "sysfs file system"),
                      ("/proc/self/comm", "proc file system"), ("SCRATCH/out/", "ending in /"), ("", "empty path"),
                      ("SCRATCH/missing/out.csv", "does not exist")])
    func unwritablePathsAreRefusedBeforeTheRun(path: String, message: String) throws {
        let scratch = try Scratch()
        let result = try runInitbench(smallRun + ["--output", path.replacingOccurrences(of: "SCRATCH", with: scratch.path)])
        #expect(result.status == 64)
        #expect(result.stderr.contains(message) && result.stderr.contains("Usage:"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// `-` is standard output: the CSV is printed and no file named `-` appears (the child runs in
    /// this process's working directory).
    @Test func dashIsStandardOutput() throws {
        let existedBefore = FileStatus("-") != nil
        let result = try runInitbench(smallRun + ["--output", "-"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("init,activation,layer"))
        #expect(existedBefore || FileStatus("-") == nil)
    }

    /// A write failing with ENOSPC (injected) leaves the old file and no temporary file; exit 74.
    @Test func failedWriteKeepsTheOldFile() throws {
        let scratch = try Scratch()
        try scratch.write("out.csv", "old\n", mode: 0o600)
        let result = try runInitbench(smallRun + ["--output", scratch.file("out.csv")], environment: ["INITBENCH_TEST_WRITE_ERRNO": "\(ENOSPC)"])
        #expect(result.status == 74)
        #expect(result.stderr.contains("cannot write \(scratch.file("out.csv")): no space left on device (ENOSPC)"), "\(result.stderr)")
        #expect(!result.stderr.contains("NSError") && !result.stderr.contains("Domain="))
        #expect(scratch.read("out.csv") == "old\n")
        #expect(scratch.temporaries() == [])
    }
}

/// A real full disk: a 64 KiB tmpfs (needs root; skipped where mounting fails).
@Suite(.serialized) struct FullDiskTests {
    static let mountable: Bool = {
        guard getuid() == 0 else { return false }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("initbench-mount-probe-\(getpid())").path
        guard mkdir(directory, 0o700) == 0 else { return false }
        defer { rmdir(directory) }
        guard mountTmpfs(directory) else { return false }
        umount(directory)
        return true
    }()

    static func mountTmpfs(_ directory: String) -> Bool {
        mount("tmpfs", directory, "tmpfs", 0, "size=64k") == 0
    }

    @Test(.enabled(if: mountable)) func fullDiskKeepsTheOldFileAndSaysENOSPC() throws {
        let scratch = try Scratch()
        let disk = scratch.file("disk")
        #expect(mkdir(disk, 0o755) == 0)
        try #require(Self.mountTmpfs(disk))
        defer { umount(disk) }
        try scratch.write("disk/out.csv", "old\n", mode: 0o600)
        // Fill the rest: every write of filler until ENOSPC.
        let filler = open(disk + "/filler", O_WRONLY | O_CREAT, 0o600)
        let block = [UInt8](repeating: 0x41, count: 4096)
        while block.withUnsafeBytes({ Glibc.write(filler, $0.baseAddress!, $0.count) }) > 0 {}
        close(filler)
        let result = try runInitbench(smallRun + ["--output", disk + "/out.csv"])
        #expect(result.status == 74)
        #expect(result.stderr.contains("no space left on device (ENOSPC)"), "\(result.stderr)")
        #expect(scratch.read("disk/out.csv") == "old\n")
        #expect(FileStatus(disk + "/out.csv")?.permissions == 0o600)
        #expect(scratch.temporaries("disk") == [])
    }
}

/// Runs initbench, waits for `appears` to hold, sends `signal`, and returns how it ended.
func interruptInitbench(_ arguments: [String], signal: Int32, when appears: () -> Bool) throws -> (reason: Process.TerminationReason, status: Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: initbenchBinaryPath())
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(["INITBENCH_TEST_PAUSE_BEFORE_RENAME_SECONDS": "30"]) { _, new in new }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(60)
    while !appears(), process.isRunning, Date() < deadline { usleep(10_000) }
    kill(process.processIdentifier, signal)
    process.waitUntilExit()
    return (process.terminationReason, process.terminationStatus)
}

@Suite struct InterruptedWriteTests {
    /// The temporary file is complete and waiting for its rename when the signal comes. initbench
    /// inherits this process's signal dispositions, and one it inherits as ignored stays ignored
    /// (`nohup`'s SIGHUP; a shell's background job ignores SIGINT): then the run ends normally
    /// and replaces the file.
    @Test(arguments: [SIGTERM, SIGINT])
    func signalDuringAFileWriteLeavesNoTemporaryFile(signal: Int32) throws {
        let scratch = try Scratch()
        try scratch.write("out.csv", "old\n")
        let ignored = SignalCleanup.isIgnored(signal)
        let ended = try interruptInitbench(smallRun + ["--output", scratch.file("out.csv")], signal: signal) {
            scratch.temporaries().contains { $0.hasPrefix(".out.csv.initbench-") }
        }
        #expect(scratch.temporaries() == [])
        if ignored {
            #expect(ended.reason == .exit && ended.status == 0)
            #expect(scratch.read("out.csv")?.hasPrefix("init,activation,layer,") == true)
        } else {
            #expect(ended.reason == .uncaughtSignal && ended.status == signal)
            #expect(scratch.read("out.csv") == "old\n")
        }
    }

    @Test func signalDuringAReportLeavesTheEarlierReport() throws {
        let scratch = try Scratch()
        let first = try runInitbench(smallReport + ["--output", scratch.file("report")])
        #expect(first.status == 0, "\(first.stderr)")
        let before = try #require(FileStatus(scratch.file("report")))
        let ended = try interruptInitbench(smallReport + ["--output", scratch.file("report")], signal: SIGTERM) {
            scratch.temporaries().contains { name in
                FileManager.default.fileExists(atPath: scratch.file(name) + "/index.html")
            }
        }
        #expect(ended.reason == .uncaughtSignal && ended.status == SIGTERM)
        #expect(scratch.temporaries() == [])
        #expect(scratch.names() == ["report"])
        #expect(FileStatus(scratch.file("report"))?.inode == before.inode)
        #expect(scratch.names("report").count == 7)
    }
}

/// `report --output DIR`: built beside DIR and renamed into place.
@Suite struct ReportDirectoryTests {
    @Test func earlierReportIsReplacedAndKeepsItsMode() throws {
        let scratch = try Scratch()
        let directory = scratch.file("report")
        #expect(try runInitbench(smallReport + ["--output", directory]).status == 0)
        chmod(directory, 0o750)
        let before = try #require(FileStatus(directory))
        let result = try runInitbench(smallReport + ["--output", directory + "/"])
        #expect(result.status == 0, "\(result.stderr)")
        let after = try #require(FileStatus(directory))
        #expect(after.kind == S_IFDIR && after.permissions == 0o750 && after.inode != before.inode)
        #expect(scratch.names("report") == ["index.html", "variance.svg", "activation-histograms.svg", "gradient-histograms.svg", "phase-diagram.svg", "results.json", "results.csv"])
        #expect(scratch.names() == ["report"])
    }

    @Test func emptyDirectoryIsFilled() throws {
        let scratch = try Scratch()
        #expect(mkdir(scratch.file("report"), 0o755) == 0)
        let result = try runInitbench(smallReport + ["--output", scratch.file("report")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(scratch.names("report").count == 7)
    }

    @Test func directoryWithOtherFilesIsRefusedAndKept() throws {
        let scratch = try Scratch()
        #expect(mkdir(scratch.file("report"), 0o755) == 0)
        try scratch.write("report/notes.txt", "mine\n")
        try scratch.write("report/index.html", "mine too\n")
        let result = try runInitbench(smallReport + ["--output", scratch.file("report")])
        #expect(result.status == 64)
        #expect(result.stderr.contains("not a report's (notes.txt)") && result.stderr.contains("Usage:"), "\(result.stderr)")
        #expect(scratch.read("report/notes.txt") == "mine\n" && scratch.read("report/index.html") == "mine too\n")
        #expect(scratch.names("report") == ["notes.txt", "index.html"])
    }

    @Test func failedReportLeavesNothing() throws {
        let scratch = try Scratch()
        let result = try runInitbench(smallReport + ["--output", scratch.file("report")], environment: ["INITBENCH_TEST_WRITE_ERRNO": "\(EIO)"])
        #expect(result.status == 74)
        #expect(result.stderr.contains("input/output error (EIO)"), "\(result.stderr)")
        #expect(scratch.names().isEmpty)
    }

    @Test func symbolicLinkToAReportIsFollowed() throws {
        let scratch = try Scratch()
        #expect(mkdir(scratch.file("real"), 0o755) == 0)
        #expect(symlink("real", scratch.file("link")) == 0)
        let result = try runInitbench(smallReport + ["--output", scratch.file("link")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileStatus(scratch.file("link"))?.kind == S_IFLNK)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: scratch.file("link"))) == "real")
        #expect(scratch.names("real").count == 7)
        #expect(scratch.names() == ["real", "link"])
    }

    @Test(arguments: [("-", "standard output is not one"), ("/proc/initbench-report", "proc file system"),
                      ("SCRATCH/missing/report", "does not exist"), ("/dev/null", "it is a character device")])
    func unwritableDirectoriesAreRefused(path: String, message: String) throws {
        let scratch = try Scratch()
        let result = try runInitbench(smallReport + ["--output", path.replacingOccurrences(of: "SCRATCH", with: scratch.path)])
        #expect(result.status == 64)
        #expect(result.stderr.contains(message) && result.stderr.contains("Usage:"), "\(result.stderr)")
        #expect(FileStatus("/dev/null")?.kind == S_IFCHR)
    }
}
