import Foundation
import Testing
@testable import VarianceKit

/// Sizes, counts and indices a caller chose that reach integer arithmetic or an allocation are
/// refused with a thrown error, or give a saturated estimate, and never trap (each case below
/// trapped on overflow, a division by zero or a failed allocation before it was checked).
@Suite struct UserSizeArithmeticTests {
    /// `train(steps:)` with a count beyond the steps left takes the steps left (it overflowed
    /// `stepsTaken + count`).
    @Test func trainingPastTheEndTakesTheStepsLeft() throws {
        let trainer = try blobTrainer(try OptimizerSettings(algorithm: .sgd, learningRate: 0.05), steps: 4, evaluateEvery: 2)
        try trainer.train(steps: 1)
        let record = try trainer.train(steps: Int.max)
        #expect(record.steps == 4 && trainer.stepsTaken == 4)
    }

    /// The memory estimates of the measurements saturate at `Int.max` instead of overflowing,
    /// so the budget check refuses the size.
    @Test func measurementEstimatesSaturate() throws {
        #expect(FillMeasurement.memoryRequirement(initializer: .orthogonal(gain: 1), size: Int.max).bytes == Int.max)
        #expect(StepMeasurement.memoryRequirement(for: .init(depth: Int.max / 2, width: 1, batch: 1)).bytes == Int.max)
        let error = try #require(throws: VarianceKitError.self) {
            try FillMeasurement(initializer: .orthogonal(gain: 1), size: Int.max, threads: 1, availableBytes: 1 << 30)
        }
        guard case .insufficientMemory(required: Int.max, available: 1 << 30, purpose: _) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
    }

    /// A step measurement's depth is bounded before the network's widths are built (with no
    /// memory budget, depth 2^40 asked for an 8 TiB array of widths).
    @Test(arguments: [Int.max, 1 << 40, 0])
    func stepMeasurementRefusesDepthsOutOfRange(depth: Int) {
        #expect(throws: VarianceKitError.invalidParameter(name: "depth", value: "\(depth)", expected: "an integer in 1...1000")) {
            try StepMeasurement(.init(depth: depth, width: 1, batch: 1), availableBytes: nil)
        }
    }

    /// Repetitions are bounded before their times are reserved.
    @Test func stopwatchRefusesRepetitionsItCannotKeep() {
        #expect(throws: VarianceKitError.invalidParameter(name: "repetitions", value: "\(1 << 50)", expected: "an integer in 1...1000000")) {
            try Stopwatch.timing(of: {}, repetitions: 1 << 50)
        }
    }

    /// Histogram bin counts are checked where they enter: the binner's initializer and a decoded
    /// `ProbeOptions` (whose synthesized decoding skipped the initializer's checks).
    @Test func histogramBinCountsAreValidated() throws {
        #expect(throws: VarianceKitError.invalidParameter(name: "histogram bins", value: "\(1 << 50)", expected: "an integer in 0...100000")) {
            try HistogramBinner(bins: 1 << 50, sampleLimit: 1)
        }
        #expect(throws: VarianceKitError.self) { try HistogramBinner(bins: -1, sampleLimit: 1) }
        // The Jacobian spectrum's log histogram, directly and through `jacobianSpectrum`.
        #expect(throws: VarianceKitError.invalidParameter(name: "bins", value: "\(Int.max)", expected: "an integer in 0...100000")) {
            try LogHistogram([1, 2], bins: Int.max)
        }
        #expect(throws: VarianceKitError.self) { try LogHistogram([1, 2], bins: -1) }
        let network = try Network(widths: [4, 4], activation: .tanh, initializer: .xavierNormal(), seed: 1)
        let inputs = try Matrix(rows: 1, columns: 4, repeating: 0.5)
        #expect(throws: VarianceKitError.invalidParameter(name: "histogramBins", value: "\(1 << 40)", expected: "an integer in 0...100000")) {
            try network.jacobianSpectrum(inputs: inputs, samples: 1, histogramBins: 1 << 40)
        }
        for json in [#"{"histogramBins": 4611686018427387904, "histogramSampleLimit": 1}"#,
                     #"{"histogramBins": 3, "histogramSampleLimit": -5}"#] {
            #expect(throws: VarianceKitError.self) { try JSONDecoder().decode(ProbeOptions.self, from: Data(json.utf8)) }
        }
        let decoded = try JSONDecoder().decode(ProbeOptions.self, from: JSONEncoder().encode(ProbeOptions.standard))
        #expect(decoded == .standard)
    }

    /// A partition into no parts or more than `maximumCount` is refused (0 indexed an empty
    /// heap; 2^50 parts asked for 2^50 arrays).
    @Test(arguments: [0, -1, SweepShard.maximumCount + 1, 1 << 50])
    func partitionRefusesCountsOutOfRange(count: Int) {
        #expect(throws: VarianceKitError.invalidParameter(name: "shard count", value: "\(count)", expected: "an integer in 1...1000000")) {
            try SweepShard.partition(costs: [1, 2, 3], count: count)
        }
    }

    /// Slurm's variables are text from the environment: ids whose differences overflow are
    /// refused.
    @Test func slurmIdsWhoseDifferencesOverflowAreRefused() throws {
        let overflowingId = ["SLURM_ARRAY_TASK_ID": "\(Int.max)", "SLURM_ARRAY_TASK_MIN": "-1", "SLURM_ARRAY_TASK_COUNT": "2"]
        #expect(throws: VarianceKitError.self) { try SweepShard.fromEnvironment(overflowingId, count: nil) }
        let overflowingMaximum = ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "-1", "SLURM_ARRAY_TASK_MAX": "\(Int.max)"]
        #expect(throws: VarianceKitError.self) { try SweepShard.fromEnvironment(overflowingMaximum, count: nil) }
        let reversed = ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_MAX": "1"]
        #expect(throws: VarianceKitError.self) { try SweepShard.fromEnvironment(reversed, count: nil) }
        let valid = ["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_MAX": "9", "SLURM_ARRAY_TASK_STEP": "2"]
        #expect(try SweepShard.fromEnvironment(valid, count: nil) == (try SweepShard(index: 3, count: 4)))
    }

    /// The steps of an epoch-counted run need a sample count `>= 0` and a batch size `>= 1`
    /// (they were clamped silently).
    @Test func epochStepsValidateTheirInputs() {
        #expect(throws: VarianceKitError.self) { try TrainingSettings.steps(epochs: 2, trainingSamples: Int.min, batchSize: 4) }
        #expect(throws: VarianceKitError.self) { try TrainingSettings.steps(epochs: 2, trainingSamples: 100, batchSize: 0) }
    }
}
