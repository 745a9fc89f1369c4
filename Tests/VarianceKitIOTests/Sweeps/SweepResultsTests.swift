import Foundation
import Testing
@testable import VarianceKit

@Suite struct SweepResultsTests {
    static let theoryGrid = #"{"kind": "theory", "axes": {"weight-variance": [0.5, 1, 1.5, 2, 3], "activation": ["tanh", "relu"]}, "fixed": {"bias-variance": 0.05}}"#

    static func grid(_ text: String = theoryGrid) throws -> SweepGrid {
        try SweepGrid(json: Data(text.utf8), source: "test")
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("variancekit-sweep-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)-\(name)").path
    }

    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// A theory configuration's result is MeanFieldTheory's analysis itself.
    @Test func theoryResultIsTheAnalysis() throws {
        let grid = try Self.grid()
        let runner = SweepRunner()
        for configuration in grid.configurations {
            let record = try runner.run(configuration)
            let (weight, bias) = configuration.theoryVariances()
            let activation = try Activation.named(configuration["activation"]!.description)
            #expect(record.result.theory == (try MeanFieldTheory(activation: activation).analysis(weightScale: weight, biasVariance: bias)))
            #expect(record.key == configuration.key)
        }
    }

    /// A train configuration is the TrainingExperiment it describes, built here by hand.
    @Test func trainResultIsTheExperimentItDescribes() throws {
        let grid = try Self.grid(#"{"kind": "train", "fixed": {"depth": 2, "width": 12, "steps": 30, "samples": 200, "batch": 16, "bias-variance": 0.04, "weight-variance": 1.5, "evaluate-every": 10}}"#)
        let configuration = grid.configuration(at: 0)
        let record = try SweepRunner().run(configuration)
        let data = try SyntheticDatasetName.gaussianMixture.makeDataset(samples: 200, seed: 1)
        let split = try data.split(validationFraction: 0.1, testFraction: 0.2, seed: 1).standardized().split
        let experiment = try TrainingExperiment(
            hiddenWidths: [12, 12],
            configurations: [.init(initializer: .heNormal, gain: .value(Float(1.5.squareRoot())), activation: .tanh,
                                   optimizer: OptimizerSettings(algorithm: .sgd, learningRate: 0.01))],
            settings: TrainingSettings(batchSize: 16, steps: 30, evaluateEvery: 10, shuffleSeed: configuration.seed),
            seed: configuration.seed, biasStandardDeviation: 0.2)
        let direct = try experiment.run(on: split).runs[0].record
        let outcome = try #require(record.result.training)
        #expect(outcome == SweepTrainingOutcome(direct))
        #expect(outcome.curve.map(\.step) == [0, 10, 20, 30])
        #expect(outcome.test != nil)
    }

    /// The same configuration gives the same result bytes alone, inside a larger grid, on two
    /// jobs, and in any order.
    @Test func resultsDependOnlyOnTheConfiguration() throws {
        let large = try Self.grid(#"{"kind": "propagate", "axes": {"depth": [2, 3], "activation": ["tanh", "relu"]}, "fixed": {"width": 16, "batch": 8, "bias-variance": 0.1}}"#)
        let alone = try Self.grid(#"{"kind": "propagate", "fixed": {"depth": 3, "activation": "relu", "width": 16, "batch": 8, "bias-variance": 0.1}}"#)
        let target = alone.configuration(at: 0)
        let inLarge = try #require(large.configurations.first { $0.key == target.key })
        let runner = SweepRunner()
        let single = try runner.run(target).resultBytes
        #expect(try runner.run(inLarge).resultBytes == single)
        let collected = SweepCollector()
        try runner.run(large.configurations.reversed(), jobs: 2, finished: { collected.add($0) }, failed: { _ in Issue.record("failed") })
        #expect(collected.records.count == 4)
        #expect(collected.records.first { $0.key == target.key }?.resultBytes == single)
        let otherSeed = try Self.grid(#"{"kind": "propagate", "fixed": {"depth": 3, "activation": "relu", "width": 16, "batch": 8, "bias-variance": 0.1, "seed": 1}}"#)
        #expect(try runner.run(otherSeed.configuration(at: 0)).resultBytes != single, "the seed setting must change the draws")
    }

    @Test func writesReadsAndResumes() throws {
        let grid = try Self.grid()
        let path = Self.temporaryPath("results.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let runner = SweepRunner()
        do {
            let writer = try SweepResultsWriter(path: path, grid: grid, shard: nil, resume: false)
            #expect(writer.finished.isEmpty)
            for configuration in grid.configurations.prefix(4) { try writer.append(try runner.run(configuration)) }
        }
        var file = try SweepResultsFile.read(path)
        #expect(file.records.map(\.index) == [0, 1, 2, 3])
        #expect(!file.truncatedTail)
        // Without --resume an existing results file is refused.
        #expect(throws: VarianceKitError.self) { try SweepResultsWriter(path: path, grid: grid, shard: nil, resume: false) }
        // Cut the last line in the middle, as a kill during a write would.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 40).write(to: URL(fileURLWithPath: path))
        file = try SweepResultsFile.read(path)
        #expect(file.truncatedTail)
        #expect(file.records.count == 3)
        do {
            let writer = try SweepResultsWriter(path: path, grid: grid, shard: nil, resume: true)
            #expect(writer.removedTruncatedLine)
            #expect(writer.finished == Set(grid.configurations.prefix(3).map(\.key)))
            for configuration in grid.configurations where !writer.finished.contains(configuration.key) {
                try writer.append(try runner.run(configuration))
            }
        }
        file = try SweepResultsFile.read(path)
        #expect(!file.truncatedTail)
        #expect(file.records.map(\.index).sorted() == Array(0..<grid.count))
        // Every line but the header is a record of its own.
        #expect(try Self.lines(path).count == grid.count + 1)
    }

    /// A lock released within `SweepResultsWriter.lockPatience` is waited for, as when a process
    /// started from this one holds a copy of the descriptor until its `exec`; the holder here is
    /// a second open file description, closed after 150 ms.
    @Test func lockReleasedSoonIsWaitedFor() throws {
        let grid = try Self.grid()
        let path = Self.temporaryPath("results.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let holder = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try #require(holder >= 0)
        try #require(flock(holder, LOCK_EX | LOCK_NB) == 0)
        let released = DispatchSemaphore(value: 0)
        Thread {
            usleep(150_000)
            close(holder)
            released.signal()
        }.start()
        let clock = ContinuousClock()
        let start = clock.now
        let writer = try SweepResultsWriter(path: path, grid: grid, shard: nil, resume: false)
        let waited = clock.now - start
        released.wait()
        #expect(waited >= .milliseconds(100) && waited < SweepResultsWriter.lockPatience, "waited \(waited)")
        #expect(writer.finished.isEmpty)
    }

    @Test func refusesAnotherGridShardOrKindOfPath() throws {
        let grid = try Self.grid()
        let path = Self.temporaryPath("results.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try SweepResultsWriter(path: path, grid: grid, shard: SweepShard(index: 1, count: 2), resume: false)
        let other = try Self.grid(#"{"kind": "theory", "axes": {"weight-variance": [1, 2]}}"#)
        let wrongGrid = #expect(throws: VarianceKitError.self) { try SweepResultsWriter(path: path, grid: other, shard: SweepShard(index: 1, count: 2), resume: true) }
        #expect(wrongGrid?.description.contains("another grid") == true)
        let wrongShard = #expect(throws: VarianceKitError.self) { try SweepResultsWriter(path: path, grid: grid, shard: SweepShard(index: 2, count: 2), resume: true) }
        #expect(wrongShard?.description.contains("shard 2/2") == true)
        // Two writers on one file: the second is refused while the first holds it.
        let holder = try SweepResultsWriter(path: path, grid: grid, shard: SweepShard(index: 1, count: 2), resume: true)
        let locked = #expect(throws: VarianceKitError.self) { try SweepResultsWriter(path: path, grid: grid, shard: SweepShard(index: 1, count: 2), resume: true) }
        #expect(locked?.description.contains("another sweep") == true)
        _ = holder
        // Directories, FIFOs, '-' and names ending in '/' are refused.
        let directory = Self.temporaryPath("dir")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = Self.temporaryPath("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        for bad in [directory, fifo, "-", directory + "/", "/proc/self/sweep.jsonl", "/nonexistent-directory/x.jsonl"] {
            #expect(throws: VarianceKitError.self, "\(bad)") { try SweepResultsWriter(path: bad, grid: grid, shard: nil, resume: false) }
        }
    }

    @Test func refusesCorruptLinesNamingThem() throws {
        let grid = try Self.grid()
        let path = Self.temporaryPath("results.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let writer = try SweepResultsWriter(path: path, grid: grid, shard: nil, resume: false)
            for configuration in grid.configurations.prefix(3) { try writer.append(try SweepRunner().run(configuration)) }
        }
        var lines = try Self.lines(path)
        lines[2] = "{\"key\": 3}"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let error = #expect(throws: VarianceKitError.self) { try SweepResultsFile.read(path) }
        #expect(error?.description.contains("line 3") == true)
        let resumed = #expect(throws: VarianceKitError.self) { try SweepResultsWriter(path: path, grid: grid, shard: nil, resume: true) }
        #expect(resumed?.description.contains("line 3") == true)
        // A line whose key is another configuration's, at the wrong index, is refused on resume too.
        let original = try Self.lines(path)
        var swapped = original
        swapped[2] = original[1].replacingOccurrences(of: "\"index\":0,", with: "\"index\":1,")
        try (swapped.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: VarianceKitError.self) { try SweepResultsWriter(path: path, grid: grid, shard: nil, resume: true) }
        try "not a header\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: VarianceKitError.self) { try SweepResultsFile.read(path) }
        try "".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: VarianceKitError.self) { try SweepResultsFile.read(path) }
    }

    @Test func mergeReportsMissingDuplicatedAndConflicting() throws {
        let grid = try Self.grid()
        let runner = SweepRunner()
        let records = try grid.configurations.map { try runner.run($0) }
        func file(_ chosen: [SweepRecord]) -> SweepResultsFile {
            SweepResultsFile(grid: grid, shard: nil, records: chosen, truncatedTail: false, completeLength: 0)
        }
        let complete = try SweepMerge([("a", file(Array(records[0..<5]))), ("b", file(Array(records[5...])))])
        #expect(complete.isComplete)
        #expect(complete.records.map(\.index) == Array(0..<grid.count))
        #expect(complete.missing.isEmpty && complete.duplicates.isEmpty)

        let gappy = try SweepMerge([("a", file(Array(records[0..<4]))), ("b", file(Array(records[6...]) + [records[2]]))])
        #expect(!gappy.isComplete)
        #expect(gappy.missing.map(\.index) == [4, 5])
        #expect(gappy.duplicates.map(\.key) == [records[2].key])
        #expect(gappy.duplicates.first?.sources == ["a", "b"])
        #expect(gappy.duplicates.first?.identical == true)

        var changed = records[1]
        let chi1 = changed.result.theory?.chi1 ?? 0
        changed.result.theory?.chi1 = chi1 + 1
        let conflicting = try SweepMerge([("a", file(records)), ("b", file([changed]))])
        #expect(!conflicting.isComplete)
        #expect(conflicting.duplicates.first?.identical == false)
        #expect(SweepMerge.differingKeys(records, records.map { $0.key == changed.key ? changed : $0 }) == [changed.key])
        #expect(SweepMerge.differingKeys(records, Array(records.dropLast())) == [records.last!.key])
        #expect(SweepMerge.differingKeys(records, records).isEmpty)

        let other = try Self.grid(#"{"kind": "theory", "axes": {"weight-variance": [1, 2]}}"#)
        let otherFile = SweepResultsFile(grid: other, shard: nil, records: [], truncatedTail: false, completeLength: 0)
        #expect(throws: VarianceKitError.self) { try SweepMerge([("a", file(records)), ("b", otherFile)]) }
    }
}

/// Records collected from the runner's threads.
final class SweepCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [SweepRecord] = []
    func add(_ record: SweepRecord) {
        lock.lock()
        stored.append(record)
        lock.unlock()
    }
    var records: [SweepRecord] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
