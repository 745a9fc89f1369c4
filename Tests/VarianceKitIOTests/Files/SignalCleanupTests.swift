import Foundation
import Testing
@testable import VarianceKit
#if canImport(Glibc)
import Glibc
#endif

/// `SignalCleanup` with several writers at once. Its state is process-wide and other suites write
/// files meanwhile, so each check runs in a child process of its own (an exit test), where only
/// the check's threads register steps. A child's status says which check failed (0: none).
@Suite struct SignalCleanupTests {
    /// Two threads' registrations are published together, in the order they began; an update
    /// replaces only its own registration's steps; the handler stays installed while any
    /// registration is open and the previous handler (here SIGHUP ignored) comes back after the
    /// last one.
    @Test func concurrentRegistrationsArePublishedTogether() async {
        await #expect(processExitsWith: .success) {
            exit(Self.concurrentRegistrationsStatus())
        }
    }

    /// SIGTERM while two threads each hold a temporary file: both files are removed, and the
    /// process ends by the signal.
    @Test func signalRemovesEveryOpenRegistrationsFiles() async throws {
        let directory = Self.scratchDirectory(forProcess: getpid())
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["first.tmp", "second.tmp"] {
            #expect(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data("x".utf8)))
        }
        await #expect(processExitsWith: .signal(SIGTERM)) {
            Self.raiseWhileTwoRegistrationsAreOpen()
        }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? ["?"]).isEmpty)
    }

    static func scratchDirectory(forProcess process: pid_t) -> String {
        NSTemporaryDirectory() + "/variancekit-signal-cleanup-\(process)"
    }

    static func currentHandler(_ signal: Int32) -> Int {
        var action = sigaction()
        sigaction(signal, nil, &action)
        return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
    }

    static func concurrentRegistrationsStatus() -> Int32 {
        let ignore = unsafeBitCast(SIG_IGN, to: Int.self), defaultAction = unsafeBitCast(SIG_DFL, to: Int.self)
        _ = signal(SIGHUP, SIG_IGN)
        guard currentHandler(SIGINT) == defaultAction, SignalCleanup.publishedSteps() == [] else { return 1 }
        let releaseFirst = DispatchSemaphore(value: 0), firstClosed = DispatchSemaphore(value: 0)
        let first: [SignalCleanup.Step] = [.unlink("/scratch/first.tmp")]
        let opened = DispatchSemaphore(value: 0)
        Thread {
            SignalCleanup.guarding(first) { _ in
                opened.signal()
                releaseFirst.wait()
            }
            firstClosed.signal()
        }.start()
        opened.wait()
        guard SignalCleanup.publishedSteps() == first else { return 2 }
        let installed = currentHandler(SIGINT)
        guard installed != defaultAction, currentHandler(SIGHUP) == ignore else { return 3 }

        let second: [SignalCleanup.Step] = [.unlink("/scratch/second/a"), .removeDirectory("/scratch/second")]
        let status: Int32 = SignalCleanup.guarding(second) { registration in
            guard SignalCleanup.publishedSteps() == first + second else { return 4 }
            let moved: [SignalCleanup.Step] = [.rename(from: "/scratch/old", to: "/scratch/new")]
            SignalCleanup.update(registration, moved)
            guard SignalCleanup.publishedSteps() == first + moved else { return 5 }
            // A registration inside another on the same thread keeps the outer one's steps.
            let inner: [SignalCleanup.Step] = [.unlink("/scratch/inner")]
            let innerStatus: Int32 = SignalCleanup.guarding(inner) { _ in
                SignalCleanup.publishedSteps() == first + moved + inner ? 0 : 6
            }
            guard innerStatus == 0 else { return innerStatus }
            return SignalCleanup.publishedSteps() == first + moved ? 0 : 7
        }
        guard status == 0 else { return status }
        // The first registration is still open: its steps and the handler stay.
        guard SignalCleanup.publishedSteps() == first, currentHandler(SIGINT) == installed else { return 8 }
        releaseFirst.signal()
        firstClosed.wait()
        guard SignalCleanup.publishedSteps() == [] else { return 9 }
        guard currentHandler(SIGINT) == defaultAction else { return 10 }
        // SIGHUP was ignored before (as under nohup), and is again.
        guard currentHandler(SIGHUP) == ignore else { return 11 }
        return 0
    }

    static func raiseWhileTwoRegistrationsAreOpen() -> Never {
        let directory = scratchDirectory(forProcess: getppid())
        let release = DispatchSemaphore(value: 0)
        for name in ["first.tmp", "second.tmp"] {
            let opened = DispatchSemaphore(value: 0)
            Thread {
                SignalCleanup.guarding([.unlink(directory + "/" + name)]) { _ in
                    opened.signal()
                    release.wait()
                }
            }.start()
            opened.wait()
        }
        kill(getpid(), SIGTERM)
        while true { pause() }
    }
}
