import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What to undo if SIGINT, SIGTERM or SIGHUP arrives while outputs are being written: files to
/// unlink, directories to remove (emptied first by earlier entries) and renames to take back. The
/// signal handler runs them in order, then restores the default action and raises the signal
/// again (so the process ends as killed by it: status 128 + signal in a shell).
///
/// Any number of threads may write at once: each `guarding` call is one registration with steps
/// of its own, and the handler runs the steps of every registration still open, in the order the
/// registrations began. The handler is installed while at least one registration is open, and
/// the handlers found before the first are restored when the last one closes.
///
/// The handler reads only a published snapshot: two banks of fixed-size entries allocated once,
/// one of them published by an atomic word (bank and count). Registrations change under a mutex,
/// with the three signals blocked on the changing thread, by writing the other bank and then
/// publishing it. The handler first sets a flag that stops any further change (a thread that
/// would change the snapshot then waits for the end of the process), so the bank it reads is
/// never rewritten under it. It calls only `unlink`, `rmdir`, `rename`, `signal`, `raise` and
/// lock-free atomic operations, all async-signal-safe.
package enum SignalCleanup {
    package enum Step: Equatable {
        case unlink(String)
        case removeDirectory(String)
        case rename(from: String, to: String)
    }

    /// One `guarding` call's place among the open registrations; `update` replaces its steps.
    package struct Registration: Sendable {
        let id: Int
    }

    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    /// Steps the handler can run, over all open registrations. Steps beyond it (more than this
    /// many files being written at once) are left out of the snapshot: those files are written
    /// as usual, but a signal during their write may leave their temporary files behind.
    static let capacity = 256
    static let pathCapacity = Int(PATH_MAX) + 1

    // MARK: The handler's side

    /// Per bank and entry: kind (1 unlink, 2 rmdir, 3 rename), then per bank, entry and slot a
    /// path. Pages that no snapshot reaches are never touched.
    nonisolated(unsafe) static let kinds: UnsafeMutablePointer<Int32> = .allocate(capacity: 2 * capacity)
    nonisolated(unsafe) static let paths: UnsafeMutablePointer<CChar> = .allocate(capacity: 2 * capacity * 2 * pathCapacity)
    /// `bank << 32 | count` of the snapshot the handler runs.
    static let published = Atomic<Int>(0)
    /// Set by the handler before it reads `published`; no snapshot is written after it is set.
    static let ending = Atomic<Bool>(false)

    // MARK: The writers' side

    struct Registry {
        var open: [(id: Int, steps: [Step])] = []
        var nextID = 0
        /// The actions in place before the first open registration.
        var previousActions: [Int32: sigaction] = [:]
    }
    static let registry = Locked(Registry())

    /// Whether this process ignores `signal` (`SIG_IGN`), as a child it starts will too.
    package static func isIgnored(_ signal: Int32) -> Bool {
        var action = sigaction()
        sigaction(signal, nil, &action)
        return isIgnored(action)
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// Runs `body` with the handler installed and `steps` registered; `body` may replace the steps
    /// with `update` as its work moves on. The steps are removed afterwards, and the previous
    /// handlers come back when no other registration is open. The calling thread's signal mask is
    /// restored too.
    ///
    /// A signal the process ignores (`nohup`'s SIGHUP) stays ignored. The three signals are
    /// unblocked on the calling thread meanwhile: a mask inherited from the parent (some runtimes
    /// spawn children with most signals blocked) would otherwise hold the signal until after the
    /// write.
    package static func guarding<Result>(_ steps: [Step], _ body: (Registration) throws -> Result) rethrows -> Result {
        let registration = withSignalsBlocked {
            registry.withLock { registry -> Registration in
                let registration = Registration(id: registry.nextID)
                registry.nextID += 1
                registry.open.append((registration.id, steps))
                // Published first, so that everything the handler reads exists before it can run.
                publish(registry)
                if registry.open.count == 1 {
                    for signal in signals {
                        var previous = sigaction()
                        sigaction(signal, nil, &previous)
                        registry.previousActions[signal] = previous
                        if !isIgnored(previous) { _ = Glibc.signal(signal, cleanupHandler) }
                    }
                }
                return registration
            }
        }
        var handled = sigset_t(), previousMask = sigset_t()
        sigemptyset(&handled)
        for signal in signals { sigaddset(&handled, signal) }
        pthread_sigmask(SIG_UNBLOCK, &handled, &previousMask)
        defer {
            withSignalsBlocked {
                registry.withLock { registry in
                    registry.open.removeAll { $0.id == registration.id }
                    publish(registry)
                    if registry.open.isEmpty {
                        for (signal, var previous) in registry.previousActions { sigaction(signal, &previous, nil) }
                        registry.previousActions = [:]
                    }
                }
            }
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }
        return try body(registration)
    }

    /// Replaces `registration`'s steps, with the signals blocked on this thread meanwhile.
    package static func update(_ registration: Registration, _ steps: [Step]) {
        withSignalsBlocked {
            registry.withLock { registry in
                guard let index = registry.open.firstIndex(where: { $0.id == registration.id }) else { return }
                registry.open[index].steps = steps
                publish(registry)
            }
        }
    }

    /// Runs `body` with SIGINT, SIGTERM and SIGHUP held back on this thread; one that arrives
    /// meanwhile is delivered when they are unblocked.
    package static func withSignalsBlocked<Result>(_ body: () throws -> Result) rethrows -> Result {
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        for signal in signals { sigaddset(&blocked, signal) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    /// The entries of the snapshot `word` (`bank << 32 | count`) names, in order.
    static func entries(of word: Int) -> Range<Int> {
        let bank = word >> 32, count = word & 0xFFFF_FFFF
        return bank * capacity ..< bank * capacity + count
    }

    /// Slot `slot` (0 or 1) of entry `entry`'s two paths.
    static func path(_ entry: Int, _ slot: Int) -> UnsafeMutablePointer<CChar> {
        paths + (entry * 2 + slot) * pathCapacity
    }

    /// The steps the handler would run now, in order.
    static func publishedSteps() -> [Step] {
        entries(of: published.load(ordering: .acquiring)).compactMap { entry in
            let first = String(cString: path(entry, 0)), second = String(cString: path(entry, 1))
            switch kinds[entry] {
            case 1: return .unlink(first)
            case 2: return .removeDirectory(first)
            case 3: return .rename(from: first, to: second)
            default: return nil
            }
        }
    }

    /// Writes the open registrations' steps into the bank the handler is not reading and
    /// publishes it. Called under the registry's lock with the signals blocked on this thread.
    private static func publish(_ registry: Registry) {
        _ = (kinds, paths)  // allocated before the handler is first installed
        // Once the handler has begun, the process is ending: change nothing it may be reading.
        while ending.load(ordering: .sequentiallyConsistent) { pause() }
        let bank = 1 - (published.load(ordering: .sequentiallyConsistent) >> 32)
        var count = 0
        for step in registry.open.lazy.flatMap(\.steps) where count < capacity {
            let entry = bank * capacity + count
            switch step {
            case .unlink(let path): store(entry, kind: 1, path, "")
            case .removeDirectory(let path): store(entry, kind: 2, path, "")
            case .rename(let from, let to): store(entry, kind: 3, from, to)
            }
            count += 1
        }
        published.store(bank << 32 | count, ordering: .sequentiallyConsistent)
    }

    private static func store(_ entry: Int, kind: Int32, _ first: String, _ second: String) {
        for (slot, text) in [first, second].enumerated() {
            let buffer = path(entry, slot)
            var length = 0
            for byte in text.utf8.prefix(pathCapacity - 1) {
                buffer[length] = CChar(bitPattern: byte)
                length += 1
            }
            buffer[length] = 0
        }
        kinds[entry] = kind
    }

    /// The handler's work: every published step, in order, errors ignored. A second signal
    /// meanwhile (on another thread, or another of the three on this one) runs nothing: its
    /// handler goes straight on to end the process.
    static func runSteps() {
        if ending.exchange(true, ordering: .sequentiallyConsistent) { return }
        for entry in entries(of: published.load(ordering: .sequentiallyConsistent)) {
            switch kinds[entry] {
            case 1: unlink(path(entry, 0))
            case 2: rmdir(path(entry, 0))
            case 3: rename(path(entry, 0), path(entry, 1))
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
