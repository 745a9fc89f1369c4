import Foundation

/// The estimated work and memory of one configuration, for balancing shards and for
/// `sweep --dry-run`.
///
/// `operations` counts floating-point operations of the products, the part that grows with the
/// sizes (`L` layers of widths `n_l`, batch `B`):
/// - propagate: forward `2 B sum n_{l-1} n_l`, backward twice that: `6 B sum n_{l-1} n_l`;
/// - train: `6 B sum n_{l-1} n_l` per step, plus `2 N sum n_{l-1} n_l` per evaluation over the
///   validation split's `N` samples and one final pass over every sample;
/// - theory: a constant, `theoryOperations` (the quadratures of one analysis).
public struct SweepCost: Sendable, Hashable {
    /// Estimated floating-point operations.
    public var operations: Double
    /// Estimated peak bytes of one run.
    public var bytes: Int

    /// The operations counted for a `theory` configuration.
    public static let theoryOperations = 2e7

    /// The estimate for `configuration`.
    public init(_ configuration: SweepConfiguration) {
        switch configuration.kind {
        case .theory:
            operations = Self.theoryOperations
            bytes = 1 << 20
        case .propagate:
            let depth = Double(configuration.requiredInteger("depth")), width = Double(configuration.requiredInteger("width"))
            let batch = Double(configuration.requiredInteger("batch"))
            operations = 6 * batch * depth * width * width
            bytes = (try? configuration.propagationExperiment().memoryRequirement) ?? Int.max
        case .train:
            // From the settings themselves (no experiment is built): this runs for every
            // configuration whenever a grid is sharded.
            let dataset = configuration.text("dataset").flatMap { SyntheticDatasetName(rawValue: $0) } ?? .gaussianMixture
            let features = configuration.integer("features") ?? Self.defaultFeatures(dataset)
            let outputs = dataset.isClassification ? (configuration.integer("classes") ?? Self.defaultClasses(dataset)) : 1
            let hidden = configuration.requiredInteger("width"), depth = configuration.requiredInteger("depth")
            let widths = [features] + [Int](repeating: hidden, count: depth) + [outputs]
            let connections = zip(widths, widths.dropFirst()).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let steps = configuration.requiredInteger("steps"), every = configuration.requiredInteger("evaluate-every")
            let batch = configuration.requiredInteger("batch"), samples = configuration.requiredInteger("samples")
            let evaluations = Double(steps / max(1, every == 0 ? steps : every))
            let validation = Double(samples) * (configuration.requiredNumber("validation-fraction"))
            operations = connections * (6 * Double(batch) * Double(steps) + 2 * validation * evaluations + 2 * Double(samples))
            let network = TrainingExperiment.memoryRequirement(widths: widths, batchSize: batch)
            let sum = network.addingReportingOverflow(SweepDataSettings.memoryRequirement(samples: samples, features: features, outputs: outputs))
            bytes = sum.overflow ? Int.max : sum.partialValue
        }
    }

    private static func defaultFeatures(_ dataset: SyntheticDatasetName) -> Int {
        switch dataset {
        case .shapeset: Shapeset.featureCount
        case .sparseRegression: SyntheticDatasetName.defaultSparseFeatures
        default: SyntheticDatasetName.defaultFeatures
        }
    }

    private static func defaultClasses(_ dataset: SyntheticDatasetName) -> Int {
        dataset == .shapeset ? Shapeset.classCount : SyntheticDatasetName.defaultClasses
    }

    /// Floating-point operations per second of this machine on products of a small network's
    /// size (64 x 256 by 256 x 256 sgemm calls, on the policy's threads), timed for about
    /// `seconds`: the rate `sweep --dry-run` turns operations into time with.
    public static func measuredRate(seconds: Double = 0.05) throws -> Double {
        let a = try Matrix(rows: 64, columns: 256), b = try Matrix(rows: 256, columns: 256)
        var c = try Matrix(rows: 64, columns: 256)
        var calls = 0
        let start = Date()
        repeat {
            try BLAS.gemm(a, b, into: &c)
            calls += 1
        } while Date().timeIntervalSince(start) < seconds
        let elapsed = max(Date().timeIntervalSince(start), 1e-9)
        return Double(calls) * 2 * 64 * 256 * 256 / elapsed
    }
}
