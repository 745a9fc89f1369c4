import Foundation
import Testing

/// `make sanitize-threaded` (the quick ThreadSanitizer pass) runs only the suites linked into
/// `Tests/ThreadSanitizer/ThreadedTests`. This suite keeps that selection honest: every library
/// file that shares state between threads must name, below, the suites that run it on more than
/// one thread, and each of those suites must be linked there. A new parallel pass, lock or atomic
/// in `Sources/VarianceKit` without an entry fails here, in `make test`, before that pass can skip it.
@Suite struct ThreadSanitizerCoverageTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// What marks a source file as sharing state between threads: a job of the parallel runtime,
    /// the runtime itself, a thread or queue of its own, a lock, an atomic, or a change of the
    /// BLAS thread count, or a `Locked` value.
    static let threadMarkerPattern =
        #"ParallelJob\b|ParallelRuntime|pthread_create|pthread_mutex_lock|DispatchQueue|concurrentPerform|Thread\.detach|NSLock\(|NSCondition|import Synchronization|Atomic<|withBLASThreadCount|\bLocked[<(]"#

    /// Library file (under `Sources/VarianceKit`) -> the suites (files under `Tests`, in
    /// `VarianceKitTests` or `VarianceKitIOTests`) that run it on two or more threads.
    static let coverage: [String: [String]] = [
        "Activation/Activation+Kernels.swift": ["VarianceKitTests/Activation/ActivationSplitTests.swift", "VarianceKitTests/Threads/DeterministicPassTests.swift"],
        "BLAS/BLAS+ColumnBlocks.swift": ["VarianceKitTests/Threads/DeterministicPassTests.swift"],
        "BLAS/BLAS+Kernels.swift": ["VarianceKitTests/Threads/ThreadPolicyTests.swift"],
        "Experiments/Measurement/FillMeasurement.swift": ["VarianceKitTests/Experiments/FillMeasurementTests.swift"],
        "Files/SignalCleanup.swift": ["VarianceKitIOTests/Files/SignalCleanupTests.swift"],
        "Initialization/Initializer+Fill.swift": ["VarianceKitTests/Random/RandomFillTests.swift", "VarianceKitTests/Initialization/OrthogonalInitializerTests.swift"],
        "Kernels/ParallelRuntime.swift": ["VarianceKitTests/Kernels/ParallelRuntimeTests.swift"],
        "Kernels/ThreadPlacement.swift": ["VarianceKitTests/Kernels/ThreadPlacementTests.swift"],
        "LAPACK/LAPACK+CompactWY.swift": ["VarianceKitTests/Initialization/OrthogonalInitializerTests.swift"],
        "LAPACK/LAPACK+Orthonormalize.swift": ["VarianceKitTests/Initialization/OrthogonalInitializerTests.swift"],
        "Optimization/ParallelBlocks.swift": ["VarianceKitTests/Optimization/ParallelBlocksTests.swift"],
        "Probes/Network+Probe.swift": ["VarianceKitTests/Threads/ThreadPolicyTests.swift"],
        "Random/RandomFill.swift": ["VarianceKitTests/Random/RandomFillTests.swift"],
        "Sweeps/SweepResultsFile.swift": ["VarianceKitIOTests/Sweeps/SweepResultsTests.swift"],
        "Sweeps/SweepRunner.swift": ["VarianceKitIOTests/Sweeps/SweepResultsTests.swift"],
        "Theory/MeanFieldPhaseDiagram.swift": ["VarianceKitTests/Theory/MeanFieldPhaseDiagramTests.swift"],
        "Threads/Locked.swift": ["VarianceKitTests/Threads/LockedTests.swift", "VarianceKitIOTests/Files/SignalCleanupTests.swift", "VarianceKitIOTests/Sweeps/SweepResultsTests.swift"],
        "Threads/ThreadPolicy.swift": ["VarianceKitTests/Threads/ThreadPolicyTests.swift"],
    ]

    /// Every `.swift` file under `directory`, as paths relative to it.
    static func swiftFiles(under directory: URL) throws -> [String] {
        let base = directory.standardizedFileURL.path + "/"
        let enumerator = try #require(FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil))
        return enumerator.compactMap { item in
            let url = (item as! URL).standardizedFileURL
            return url.pathExtension == "swift" ? String(url.path.dropFirst(base.count)) : nil
        }.sorted()
    }

    @Test("every library file that shares state between threads names its ThreadSanitizer suites")
    func everyThreadedFileIsCovered() throws {
        let sources = Self.packageRoot.appendingPathComponent("Sources/VarianceKit")
        let markers = try Regex(Self.threadMarkerPattern)
        var threaded: [String] = []
        for file in try Self.swiftFiles(under: sources) {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            if text.contains(markers) { threaded.append(file) }
        }
        #expect(threaded.count >= 10, "the scan found only \(threaded)")
        for file in threaded {
            #expect(Self.coverage[file] != nil,
                    "\(file) shares state between threads: add it and the suites that run it on two threads to ThreadSanitizerCoverageTests.coverage, and link those suites into Tests/ThreadSanitizer/ThreadedTests")
        }
        for file in Self.coverage.keys.sorted() {
            #expect(FileManager.default.fileExists(atPath: sources.appendingPathComponent(file).path), "\(file) is listed but does not exist")
        }
    }

    @Test("every suite named in the coverage is linked into the ThreadSanitizer package")
    func everyCoveringSuiteIsLinked() throws {
        let tests = Self.packageRoot.appendingPathComponent("Tests")
        let linked = Self.packageRoot.appendingPathComponent("Tests/ThreadSanitizer/ThreadedTests")
        let linkTargets = Set(try FileManager.default.contentsOfDirectory(atPath: linked.path).map { name in
            linked.appendingPathComponent(name).resolvingSymlinksInPath().standardizedFileURL.path
        })
        for suite in Set(Self.coverage.values.joined()).sorted() {
            let path = tests.appendingPathComponent(suite).resolvingSymlinksInPath().standardizedFileURL.path
            #expect(FileManager.default.fileExists(atPath: path), "\(suite) does not exist")
            #expect(linkTargets.contains(path), "\(suite) is not linked into Tests/ThreadSanitizer/ThreadedTests")
        }
        // Every link resolves to a file of the library's suites, so the package never runs a stale copy.
        for name in try FileManager.default.contentsOfDirectory(atPath: linked.path) {
            let link = linked.appendingPathComponent(name)
            let destination = try FileManager.default.destinationOfSymbolicLink(atPath: link.path)
            #expect(destination.hasPrefix("../../VarianceKitTests/") || destination.hasPrefix("../../VarianceKitIOTests/"),
                    "\(name) links to \(destination)")
            #expect(FileManager.default.fileExists(atPath: link.resolvingSymlinksInPath().path), "\(name) is a broken link")
        }
    }
}
