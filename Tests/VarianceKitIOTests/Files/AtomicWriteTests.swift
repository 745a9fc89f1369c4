import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import VarianceKit

/// `AtomicWrite`, the one implementation of the library's and initbench's file writes. What each
/// kind of path gets is checked with `lstat`/`readlink`, independently of the code. (The
/// signal-cleanup guarantee is checked end to end by initbench's OutputPathTests, whose writes
/// go through this code.)
@Suite struct AtomicWriteTests {
    static func status(_ path: String) -> stat? {
        var result = stat()
        return lstat(path, &result) == 0 ? result : nil
    }

    @Test func newFileGetsTheUmaskMode() throws {
        let scratch = try ScratchDirectory()
        let mask = umask(0); umask(mask)
        let url = scratch.file("new.bin")
        try AtomicWrite.write(Data([1, 2, 3]), to: url)
        #expect(try Data(contentsOf: url) == Data([1, 2, 3]))
        #expect(try #require(Self.status(url.path)).st_mode & 0o7777 == 0o666 & ~mask)
        #expect(scratch.temporaries == [])
    }

    @Test func regularFileIsReplacedByRenameAndKeepsItsMode() throws {
        let scratch = try ScratchDirectory()
        let url = try scratch.write("old.bin", [9, 9])
        chmod(url.path, 0o600)
        let before = try #require(Self.status(url.path))
        try AtomicWrite.write(Data([4, 5]), to: url)
        let after = try #require(Self.status(url.path))
        #expect(after.st_mode & 0o7777 == 0o600)
        #expect(after.st_ino != before.st_ino)
        #expect(try Data(contentsOf: url) == Data([4, 5]))
        #expect(scratch.temporaries == [])
    }

    @Test func symbolicLinkIsFollowed() throws {
        let scratch = try ScratchDirectory()
        let target = try scratch.write("target.bin", [1])
        let link = scratch.file("link.bin")
        #expect(symlink("target.bin", link.path) == 0)
        try AtomicWrite.write(Data([7, 7, 7]), to: link)
        #expect(try #require(Self.status(link.path)).st_mode & S_IFMT == S_IFLNK)
        #expect(try Data(contentsOf: target) == Data([7, 7, 7]))
    }

    @Test(arguments: ["fifo", "directory", "/dev/null", "hard link"])
    func specialPathsAreRefusedBeforeWriting(kind: String) throws {
        let scratch = try ScratchDirectory()
        let path: String
        switch kind {
        case "fifo":
            path = scratch.file("pipe").path
            #expect(mkfifo(path, 0o600) == 0)
        case "directory":
            path = scratch.file("folder").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        case "hard link":
            path = try scratch.write("linked", [1]).path
            #expect(link(path, scratch.file("other").path) == 0)
        default:
            path = kind
        }
        let before = Self.status(path)
        let report = try #require(fileError(access: true) { try NumpyFile.write(NumpyArray([1, 2]), to: URL(fileURLWithPath: path)) })
        #expect(report.path == path)
        let words = ["fifo": "FIFO", "directory": "a directory", "/dev/null": "a character device", "hard link": "2 hard links"][kind]!
        #expect(report.description.contains(words), "\(report.description)")
        #expect(Self.status(path)?.st_ino == before?.st_ino && Self.status(path)?.st_mode == before?.st_mode)
        #expect(scratch.temporaries == [])
    }

    @Test func failedWriteKeepsTheOldFileAndLeavesNoTemporary() throws {
        let scratch = try ScratchDirectory()
        let url = try scratch.write("kept.bin", [1, 2, 3])
        #expect {
            try AtomicWrite.write(Data([9]), to: url.path, hooks: AtomicWrite.Hooks(writeErrno: ENOSPC))
        } throws: { error in
            guard let error = error as? OutputPathError else { return false }
            return error.isInputOutput && error.fileAccessError.description.contains("no space left on device (ENOSPC)")
                && error.fileAccessError.description.hasPrefix(url.path)
        }
        #expect(try Data(contentsOf: url) == Data([1, 2, 3]))
        #expect(scratch.temporaries == [])
    }

    @Test func missingDirectoryIsRefused() throws {
        let scratch = try ScratchDirectory()
        let url = scratch.file("nowhere/file.npz")
        let report = fileError(access: true) { try NumpyArchive.write(["a": NumpyArray([1])], to: url) }
        #expect(report?.path == url.path && report?.description.contains("does not exist") == true)
    }
}
