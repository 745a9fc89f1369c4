import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What to undo if SIGINT, SIGTERM or SIGHUP arrives while an output is being written: files to
/// unlink, directories to remove (emptied first by earlier entries) and renames to take back, run
/// in order by the signal handler, which then restores the default action and raises the signal
/// again (so the process ends as killed by it: status 128 + signal in a shell).
///
/// The entries live in buffers allocated once, and the handler only calls `unlink`, `rmdir`,
/// `rename`, `signal` and `raise`, all async-signal-safe. Entries change only with the three
/// signals blocked (`update`), so the handler never sees a half-written list.
package enum SignalCleanup {
    package enum Step {
        case unlink(String)
        case removeDirectory(String)
        case rename(from: String, to: String)
    }

    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    static let capacity = 16
    static let pathCapacity = Int(PATH_MAX) + 1

    /// Per entry: kind (0 unused, 1 unlink, 2 rmdir, 3 rename), then two paths.
    nonisolated(unsafe) static let kinds: UnsafeMutablePointer<Int32> = {
        let kinds = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        kinds.initialize(repeating: 0, count: capacity)
        return kinds
    }()
    nonisolated(unsafe) static let paths: UnsafeMutablePointer<CChar> = {
        let paths = UnsafeMutablePointer<CChar>.allocate(capacity: capacity * 2 * pathCapacity)
        paths.initialize(repeating: 0, count: capacity * 2 * pathCapacity)
        return paths
    }()
    nonisolated(unsafe) static var count = 0

    /// Runs `body` with the handler installed and `steps` registered; `body` may replace the steps
    /// with `update` as its work moves on. The previous handlers and signal mask come back afterwards.
    ///
    /// A signal the process ignores (`nohup`'s SIGHUP) stays ignored. The three signals are
    /// unblocked meanwhile: a mask inherited from the parent (some runtimes spawn children with
    /// most signals blocked) would otherwise hold the signal until after the write.
    package static func guarding<Result>(_ steps: [Step], _ body: () throws -> Result) rethrows -> Result {
        _ = (kinds, paths)  // allocated before the handler can run
        update(steps)
        var previous = [Int32: sighandler_t?]()
        for signal in signals {
            let old = Glibc.signal(signal, cleanupHandler)
            if unsafeBitCast(old, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { _ = Glibc.signal(signal, SIG_IGN) }
            previous[signal] = old
        }
        var handled = sigset_t(), previousMask = sigset_t()
        sigemptyset(&handled)
        for signal in signals { sigaddset(&handled, signal) }
        pthread_sigmask(SIG_UNBLOCK, &handled, &previousMask)
        defer {
            update([])
            for signal in signals { _ = Glibc.signal(signal, previous[signal] ?? SIG_DFL) }
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }
        return try body()
    }

    /// Replaces the registered steps, with the signals blocked meanwhile.
    package static func update(_ steps: [Step]) {
        precondition(steps.count <= capacity, "at most \(capacity) cleanup steps")
        withSignalsBlocked {
            count = 0
            for (index, step) in steps.enumerated() {
                switch step {
                case .unlink(let path): store(index, kind: 1, path, "")
                case .removeDirectory(let path): store(index, kind: 2, path, "")
                case .rename(let from, let to): store(index, kind: 3, from, to)
                }
            }
            count = steps.count
        }
    }

    /// Runs `body` with SIGINT, SIGTERM and SIGHUP held back; one that arrives meanwhile is
    /// delivered when they are unblocked.
    package static func withSignalsBlocked<Result>(_ body: () throws -> Result) rethrows -> Result {
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        for signal in signals { sigaddset(&blocked, signal) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    private static func store(_ index: Int, kind: Int32, _ first: String, _ second: String) {
        for (slot, path) in [first, second].enumerated() {
            let buffer = paths + (index * 2 + slot) * pathCapacity
            let bytes = Array(path.utf8.prefix(pathCapacity - 1))
            for (offset, byte) in bytes.enumerated() { buffer[offset] = CChar(bitPattern: byte) }
            buffer[bytes.count] = 0
        }
        kinds[index] = kind
    }

    /// The handler's work: every registered step, in order, errors ignored.
    static func runSteps() {
        for index in 0..<count {
            let first = paths + index * 2 * pathCapacity
            let second = first + pathCapacity
            switch kinds[index] {
            case 1: unlink(first)
            case 2: rmdir(first)
            case 3: rename(first, second)
            default: break
            }
        }
    }
}

private let cleanupHandler: @convention(c) (Int32) -> Void = { received in
    SignalCleanup.runSteps()
    _ = signal(received, SIG_DFL)
    raise(received)
}
