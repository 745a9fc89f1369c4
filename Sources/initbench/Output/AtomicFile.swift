import Foundation
import VarianceKit

/// initbench's outputs, written all at once by the library's `AtomicWrite` (see there for what
/// each kind of path gets), so that a reader never sees half an output and a failure leaves the
/// previous output as it was.
///
/// What `--output PATH` does: the path is checked in `validate()`, before any work, and again just
/// before writing; `-` is standard output (see `OutputOptions`); anything else is written as
/// `AtomicWrite` describes, with temporary files named `.NAME.initbench-PID-RANDOM.tmp`.
/// Refusals exit with status 64; a failure while writing (a full disk, an I/O error) exits 74.
/// SIGINT, SIGTERM and SIGHUP during a write remove the temporary file (`SignalCleanup`).
///
/// Test-only environment variables (for the tests of these guarantees; never set them otherwise):
/// `INITBENCH_TEST_PAUSE_BEFORE_RENAME_SECONDS` sleeps that long between writing the temporary
/// file (or report directory) and renaming it into place; `INITBENCH_TEST_WRITE_ERRNO` makes every
/// `write(2)` of an output fail with that errno.
enum AtomicFile {
    /// Throws an `OutputPathError` unless `path` can be written as described on `AtomicWrite`.
    @discardableResult
    static func check(_ path: String) throws(OutputPathError) -> AtomicWrite.Destination {
        try AtomicWrite.destination(path)
    }

    /// Writes `text` (UTF-8) to `path` as described on `AtomicWrite`.
    static func write(_ text: String, to path: String) throws {
        try AtomicWrite.write(Data(text.utf8), to: path, hooks: TestHooks.hooks)
    }
}

/// The test-only environment variables described on `AtomicFile`, as the library's write hooks.
enum TestHooks {
    static var hooks: AtomicWrite.Hooks {
        let environment = ProcessInfo.processInfo.environment
        return AtomicWrite.Hooks(
            temporaryTag: "initbench",
            pauseBeforeRename: environment["INITBENCH_TEST_PAUSE_BEFORE_RENAME_SECONDS"].flatMap { Double($0) },
            writeErrno: environment["INITBENCH_TEST_WRITE_ERRNO"].flatMap { Int32($0) })
    }
}
