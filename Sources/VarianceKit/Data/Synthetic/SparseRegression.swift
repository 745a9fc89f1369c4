/// A linear regression whose target depends on the first `relevant` features only; the other
/// `irrelevant` features are independent noise. The dataset for showing that L1 drives the
/// weights of irrelevant inputs to zero.
///
/// Generative model, for sample `i`:
/// - features `x_i ~ N(0, I)` in `relevant + irrelevant` dimensions;
/// - target `y_i = sum_{j < relevant} beta_j x_ij + noiseStandardDeviation * e_i`, `e_i ~ N(0, 1)`;
/// - coefficients `beta = g / |g|`, `g ~ N(0, I)` in `relevant` dimensions, fixed by the seed
///   (`coefficients()`), so `|beta| = 1`.
///
/// Hence `Var(y) = 1 + noiseStandardDeviation^2` (up to the rounding of `beta` to `Float`), the
/// signal-to-noise ratio is `1 / noiseStandardDeviation^2`, and `y` is independent of the columns
/// `irrelevantFeatures`: the least-squares coefficients of those columns are zero up to
/// sampling error (about `noiseStandardDeviation / sqrt(samples)` each).
///
/// Random streams: `x` is `RandomFill.normal` on `RandomStream.teacherInput` (the inputs a
/// fixed function labels), element `i * featureCount + j`; `e` is `RandomFill.normal` on
/// `RandomStream.synthesis`, element `i`; `g` is `SyntheticDraws` normals on
/// `RandomStream.synthesis` from block `2^63`. Sample `i` is the same in every dataset of at
/// least `i + 1` samples with the same seed, feature counts and noise.
public struct SparseRegression: Sendable, Hashable {
    /// Number of samples, in `SyntheticLimits.sampleRange`.
    public private(set) var samples: Int
    /// Features the target depends on (`>= 1`): the columns `relevantFeatures`.
    public private(set) var relevant: Int
    /// Features it does not depend on (`>= 0`): the columns `irrelevantFeatures`.
    public private(set) var irrelevant: Int
    /// The standard deviation of the additive Gaussian noise (in `0 ... SyntheticLimits.maximumNoise`).
    public private(set) var noiseStandardDeviation: Float
    /// The key of every draw.
    public private(set) var seed: UInt64

    /// The default noise standard deviation.
    public static let defaultNoise: Float = 0.1

    /// A sparse regression of these parameters.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a sample count outside its range,
    ///   `relevant < 1`, `irrelevant < 0`, a feature count `relevant + irrelevant` outside
    ///   `SyntheticLimits.featureRange`, or a noise outside `0 ... SyntheticLimits.maximumNoise`.
    public init(samples: Int, relevant: Int, irrelevant: Int, noiseStandardDeviation: Float = defaultNoise, seed: UInt64) throws {
        try SyntheticLimits.require(samples, in: SyntheticLimits.sampleRange, "samples")
        try SyntheticLimits.require(relevant, in: 1...SyntheticLimits.featureRange.upperBound, "relevant features")
        try SyntheticLimits.require(irrelevant, in: 0...SyntheticLimits.featureRange.upperBound, "irrelevant features")
        try SyntheticLimits.require(relevant + irrelevant, in: SyntheticLimits.featureRange, "relevant + irrelevant features")
        try SyntheticLimits.requireNoise(noiseStandardDeviation)
        self.samples = samples
        self.relevant = relevant
        self.irrelevant = irrelevant
        self.noiseStandardDeviation = noiseStandardDeviation
        self.seed = seed
    }

    /// Columns of the features: `relevant + irrelevant`.
    public var featureCount: Int { relevant + irrelevant }
    /// The columns the target depends on: the first `relevant`.
    public var relevantFeatures: Range<Int> { 0 ..< relevant }
    /// The columns it does not depend on: the last `irrelevant`.
    public var irrelevantFeatures: Range<Int> { relevant ..< featureCount }

    /// Bytes held at the peak: the features and the targets.
    public var memoryRequirement: Int {
        SyntheticLimits.sum([SyntheticLimits.floatBytes(samples, featureCount), SyntheticLimits.floatBytes(samples, 1),
                             SyntheticLimits.floatBytes(relevant, 1)])
    }

    /// `beta`, the `relevant` coefficients of the target (unit Euclidean norm before rounding to `Float`).
    public func coefficients() -> [Float] {
        var draws = SyntheticDraws(seed: seed, stream: .synthesis, block: 1 << 63)
        let directions = (0 ..< relevant).map { _ in draws.normal() }
        let norm = directions.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return directions.map { Float($0 / norm) }
    }

    /// The `samples` samples, named `sparse-regression`: features `[samples, featureCount]`,
    /// targets `[samples, 1]`.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` before allocating when
    ///   `memoryRequirement` does not fit; allocation errors.
    public func makeDataset() throws -> Dataset {
        try MemoryBudget.require(memoryRequirement, for: "a sparse regression of \(samples) samples x \(featureCount) features")
        let beta = coefficients()
        var inputs = try Matrix(rows: samples, columns: featureCount)
        try RandomFill.normal(&inputs, seed: seed, stream: RandomStream.teacherInput.id)
        var targets = try Matrix(rows: samples, columns: 1)
        if noiseStandardDeviation > 0 {
            try RandomFill.normal(&targets, standardDeviation: noiseStandardDeviation, seed: seed, stream: RandomStream.synthesis.id)
        }
        let (columns, relevant) = (featureCount, self.relevant)
        inputs.withUnsafeBufferPointer { x in
            targets.withUnsafeMutableBufferPointer { y in
                beta.withUnsafeBufferPointer { beta in
                    for row in 0 ..< samples {
                        let features = x.baseAddress! + row * columns
                        var signal = 0.0
                        for column in 0 ..< relevant { signal += Double(beta[column]) * Double(features[column]) }
                        y[row] = Float(signal + Double(y[row]))
                    }
                }
            }
        }
        return try Dataset(name: SyntheticDatasetName.sparseRegression.rawValue, features: inputs, targets: .values(targets))
    }
}
