import Foundation
import Testing
@testable import VarianceKit

@Suite struct SweepShardTests {
    /// The parts cover every position exactly once, for many cost patterns and part counts, and
    /// no part exceeds the ideal share by more than the largest single cost (the bound of greedy
    /// list scheduling).
    @Test func partsPartitionTheGridAndAreBalancedByCost() throws {
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<200 {
            let size = Int.random(in: 0...60, using: &generator)
            let count = Int.random(in: 1...9, using: &generator)
            let costs = (0..<size).map { _ in trial % 3 == 0 ? 1 : Double.random(in: 0...100, using: &generator) }
            let parts = try SweepShard.partition(costs: costs, count: count)
            #expect(parts.count == count)
            let all = parts.flatMap { $0 }
            #expect(all.sorted() == Array(0..<size), "trial \(trial): positions lost or repeated")
            for part in parts { #expect(part == part.sorted()) }
            let total = costs.reduce(0, +), largest = costs.max() ?? 0
            for part in parts {
                let load = part.reduce(0) { $0 + costs[$1] }
                #expect(load <= total / Double(count) + largest + 1e-9)
            }
            #expect(try SweepShard.partition(costs: costs, count: count) == parts, "the parts depend only on the costs")
        }
    }

    /// One expensive configuration and many cheap ones: by count the parts would be equal in
    /// size; by cost the expensive one is alone.
    @Test func balancesByCostNotByCount() throws {
        let costs = [100.0] + [Double](repeating: 1, count: 10)
        let parts = try SweepShard.partition(costs: costs, count: 2)
        #expect(parts[0] == [0])
        #expect(parts[1] == Array(1...10))
    }

    @Test func shardsOfARealGridPartitionItsConfigurations() throws {
        let grid = try SweepGrid(json: Data(#"{"kind": "propagate", "axes": {"depth": [1, 2, 4, 8, 16], "width": [8, 32, 64]}}"#.utf8), source: "t")
        let parts = try (1...4).map { try SweepShard(index: $0, count: 4).positions(in: grid) }
        #expect(parts.flatMap { $0 }.sorted() == Array(0..<grid.count))
    }

    /// The operation counts of the cost model, worked out by hand for one configuration of each kind.
    @Test func costsCountTheProducts() throws {
        let train = try SweepGrid(json: Data(#"{"kind": "train", "fixed": {"depth": 3, "width": 10, "batch": 8, "steps": 20, "evaluate-every": 5, "samples": 100, "features": 6, "classes": 3}}"#.utf8), source: "t")
        // widths 6-10-10-10-3: 60 + 100 + 100 + 30 = 290 connections; 4 evaluations of 10 validation samples.
        let perStep: Double = 6 * 8 * 20, evaluations: Double = 2 * 10 * 4, final: Double = 2 * 100
        #expect(SweepCost(train.configuration(at: 0)).operations == 290 * (perStep + evaluations + final))
        let propagate = try SweepGrid(json: Data(#"{"kind": "propagate", "fixed": {"depth": 4, "width": 16, "batch": 2}}"#.utf8), source: "t")
        let products: Double = 6 * 2 * 4 * 16 * 16
        #expect(SweepCost(propagate.configuration(at: 0)).operations == products)
        #expect(SweepCost(propagate.configuration(at: 0)).bytes == (try propagate.configuration(at: 0).propagationExperiment().memoryRequirement))
        let theory = try SweepGrid(json: Data(#"{"kind": "theory"}"#.utf8), source: "t")
        #expect(SweepCost(theory.configuration(at: 0)).operations == SweepCost.theoryOperations)
    }

    @Test func parsesKOfN() throws {
        #expect(try SweepShard(parsing: "2/4") == SweepShard(index: 2, count: 4))
        for bad in ["0/4", "5/4", "2", "2/", "/4", "a/b", "2/4/6", "-1/3", "1/0", ""] {
            #expect(throws: VarianceKitError.self, "\(bad)") { try SweepShard(parsing: bad) }
        }
    }

    @Test func readsSlurmArrays() throws {
        #expect(try SweepShard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4"], count: nil) == SweepShard(index: 1, count: 4))
        #expect(try SweepShard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"], count: nil)
            == SweepShard(index: 4, count: 4))
        // --array=1-8: ids 1...8, min 1, max 8.
        #expect(try SweepShard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "8"], count: nil)
            == SweepShard(index: 5, count: 8))
        // --array=0-12:4: ids 0, 4, 8, 12.
        #expect(try SweepShard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "8", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "12",
                                                "SLURM_ARRAY_TASK_STEP": "4"], count: nil) == SweepShard(index: 3, count: 4))
        #expect(try SweepShard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"], count: 4) == SweepShard(index: 3, count: 4))
        #expect(throws: VarianceKitError.self) { try SweepShard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"], count: 3) }
        #expect(throws: VarianceKitError.self) { try SweepShard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "2"], count: nil) }
        #expect(throws: VarianceKitError.self) { try SweepShard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"], count: nil) }
        #expect(throws: VarianceKitError.self) { try SweepShard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"], count: nil) }
    }

    @Test func readsKubernetesIndexedJobs() throws {
        #expect(try SweepShard.fromEnvironment(["JOB_COMPLETION_INDEX": "0"], count: 3) == SweepShard(index: 1, count: 3))
        #expect(try SweepShard.fromEnvironment(["JOB_COMPLETION_INDEX": "2"], count: 3) == SweepShard(index: 3, count: 3))
        #expect(throws: VarianceKitError.self) { try SweepShard.fromEnvironment(["JOB_COMPLETION_INDEX": "3"], count: 3) }
        #expect(throws: VarianceKitError.self) { try SweepShard.fromEnvironment(["JOB_COMPLETION_INDEX": "0"], count: nil) }
        let none = #expect(throws: VarianceKitError.self) { try SweepShard.fromEnvironment(["HOME": "/root"], count: 2) }
        #expect(none?.description.contains("SLURM_ARRAY_TASK_ID") == true)
        #expect(none?.description.contains("JOB_COMPLETION_INDEX") == true)
    }
}
