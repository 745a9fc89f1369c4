import Foundation
import Testing
@testable import initbench
import VarianceKit

// The seeded fuzz driver's part for sweeps (settings as in FuzzTests.swift): grid files and
// results files mutated token by token and byte by byte.
// - In process: `SweepGrid(json:source:)` either throws a `VarianceKitError` or gives a grid
//   whose every configuration builds its experiment; `SweepResultsFile.read` and
//   `SweepResultsWriter(resume:)` on a mutated results file either throw a `VarianceKitError` or
//   read records that are all the grid's configurations.
// - Child processes: `initbench sweep --grid MUTATED --dry-run` and `initbench merge MUTATED`
//   exit 0, 1 (merge: an incomplete sweep) or 64 with an `Error:` message, never on a signal.

@Suite(.serialized) struct SweepFuzzTests {
    static let baseGrids = [
        #"{"schema": "initbench.grid.v1", "kind": "train", "axes": {"weight-variance": [1, 1.5, 2], "depth": [2, 3]}, "fixed": {"activation": "tanh", "bias-variance": 0.05, "width": 8, "steps": 20, "samples": 100, "batch": 8, "evaluate-every": 10, "optimizer": "adamw", "penalty": "l2:1e-4", "dataset": "teacher-classification", "classes": 3}}"#,
        #"{"kind": "propagate", "axes": {"activation": ["tanh", "relu", "selu"], "initializer": ["he-normal", "orthogonal", "lsuv"]}, "fixed": {"depth": 3, "width": 8, "batch": 8, "gain": 1.2, "seed": 9}}"#,
        #"{"kind": "theory", "axes": {"weight-variance": [0.5, 1, 4], "bias-variance": [0, 0.05], "activation": ["tanh", "gelu", "relu"]}, "description": "x"}"#,
    ]

    @Test func mutatedGridsNeverTrap() throws {
        var rng = SplitMix64(seed: FuzzSettings.seed, index: 71)
        let start = Date()
        var cases = 0, accepted = 0
        while Date().timeIntervalSince(start) < FuzzSettings.seconds || cases < 50 {
            let text = mutateJSON(rng.pick(Self.baseGrids), using: &rng)
            cases += 1
            do {
                let grid = try SweepGrid(json: Data(text.utf8), source: "fuzz")
                accepted += 1
                for index in 0..<min(grid.count, 50) {
                    let configuration = grid.configuration(at: index)
                    switch configuration.kind {
                    case .propagate: _ = try configuration.propagationExperiment()
                    case .train: _ = try configuration.trainingExperiment()
                    case .theory: _ = configuration.theoryVariances()
                    }
                    _ = SweepCost(configuration)
                }
                #expect(try SweepGrid(json: JSONEncoder().encode(grid.jsonValue), source: "again") == grid, "\(text)")
            } catch is VarianceKitError {
                continue
            } catch {
                Issue.record("case \(cases): \(text) threw \(error), not a VarianceKitError")
            }
        }
        #expect(accepted > 0, "no mutated grid was accepted: the mutations are too destructive to test the accepted path")
    }

    @Test func mutatedResultsFilesNeverTrap() throws {
        let directory = try fuzzSandbox()
        defer { try? FileManager.default.removeItem(at: directory) }
        let grid = try SweepGrid(json: Data(Self.baseGrids[2].utf8), source: "base")
        let path = directory.appendingPathComponent("results.jsonl").path
        do {
            let writer = try SweepResultsWriter(path: path, grid: grid, shard: nil, resume: false)
            let runner = SweepRunner()
            for configuration in grid.configurations.prefix(6) { try writer.append(try runner.run(configuration)) }
        }
        let good = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var rng = SplitMix64(seed: FuzzSettings.seed, index: 72)
        let start = Date()
        var cases = 0
        let keys = Set(grid.configurations.map(\.key))
        while Date().timeIntervalSince(start) < FuzzSettings.seconds || cases < 50 {
            cases += 1
            var bytes = good
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &rng)...)
            case 1:
                for _ in 0..<Int.random(in: 1...4, using: &rng) { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            default: bytes = Array(mutateJSON(String(decoding: bytes, as: UTF8.self), using: &rng).utf8)
            }
            let mutated = directory.appendingPathComponent("mutated-\(cases % 4).jsonl")
            try Data(bytes).write(to: mutated)
            do {
                let file = try SweepResultsFile.read(mutated.path)
                for record in file.records { #expect(keys.contains(record.key) || file.grid.identity != grid.identity) }
            } catch is VarianceKitError {
            } catch {
                Issue.record("case \(cases): read threw \(error), not a VarianceKitError")
            }
            do {
                let writer = try SweepResultsWriter(path: mutated.path, grid: grid, shard: nil, resume: true)
                #expect(writer.finished.isSubset(of: keys))
            } catch is VarianceKitError {
            } catch {
                Issue.record("case \(cases): resume threw \(error), not a VarianceKitError")
            }
        }
    }

    @Test func sweepAndMergeCommandsNeverTrapOnMutatedFiles() throws {
        let directory = try fuzzSandbox()
        defer { try? FileManager.default.removeItem(at: directory) }
        var rng = SplitMix64(seed: FuzzSettings.seed, index: 73)
        let start = Date()
        var cases = 0
        let results = directory.appendingPathComponent("part.jsonl")
        while Date().timeIntervalSince(start) < FuzzSettings.seconds || cases < 6 {
            cases += 1
            let text = mutateJSON(Self.baseGrids[2], using: &rng)
            let grid = directory.appendingPathComponent("grid.json")
            try text.write(to: grid, atomically: true, encoding: .utf8)
            let dryRun = try runInitbenchChild(["sweep", "--grid", grid.path, "--dry-run", "--format", rng.pick(["table", "csv", "json"])], in: directory)
            if let violation = contractViolation(dryRun) {
                Issue.record("sweep --dry-run on \(text): \(violation)\n\(dryRun.stderr)")
            }
            try? FileManager.default.removeItem(at: results)
            let run = try runInitbenchChild(["sweep", "--grid", grid.path, "--output", results.path, "--quiet"], in: directory)
            if let violation = contractViolation(run) { Issue.record("sweep on \(text): \(violation)\n\(run.stderr)") }
            guard run.status == 0, var bytes = try? Data(contentsOf: results), !bytes.isEmpty else { continue }
            bytes = Data(mutateJSON(String(decoding: bytes, as: UTF8.self), using: &rng).utf8)
            try bytes.write(to: results)
            let merge = try runInitbenchChild(["merge", results.path, "--format", "json"], in: directory)
            var outcome = merge
            if outcome.status == 1, outcome.stderr.contains("missing") || outcome.stderr.contains("CONFLICT") { outcome.status = 0 }
            if let violation = contractViolation(outcome) { Issue.record("merge of a mutated results file: \(violation)\n\(merge.stderr)") }
        }
    }
}
