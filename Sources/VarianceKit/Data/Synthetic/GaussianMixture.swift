/// A mixture of `classes` Gaussian components with unit covariance in `features` dimensions,
/// balanced, a fixed function of its seed.
///
/// Generative model, for sample `i` (0-based):
/// - label `y_i = i mod classes`: every class holds `floor(n / classes)` or `ceil(n / classes)`
///   of the `n` samples, in class-cyclic order (`Dataset.split` and a trainer's shuffle reorder them);
/// - features `x_i = mu_{y_i} + e_i`, `e_i ~ N(0, I)`, so the within-class covariance is `I`;
/// - means `mu_k ~ N(0, (separation^2 / (2 features)) I)`, independent, so that
///   `E |mu_j - mu_k|^2 = separation^2`: `separation` is the root-mean-square distance between
///   two component means, in units of the components' standard deviation. Two components at
///   distance `D` are told apart with error `Phi(-D/2)` at best (2.3% for `D = 4`). Over the
///   draw of the means, each feature has variance `1 + separation^2 / (2 features)`.
///
/// Random streams: `e` is `RandomFill.normal` on `RandomStream.synthesis` (element
/// `i * features + j`, counter blocks below `2^62`); the means are `SyntheticDraws` normals on
/// the same stream from block `2^63` (the auxiliary half), `mu_k[j]` the draw `k * features + j`,
/// rounded to `Float`. Sample `i` is therefore the same in every dataset of at least `i + 1`
/// samples with the same seed, features, classes and separation.
public struct GaussianMixture: Sendable, Hashable {
    /// Number of samples, in `SyntheticLimits.sampleRange`.
    public private(set) var samples: Int
    /// Dimensions, in `SyntheticLimits.featureRange`.
    public private(set) var features: Int
    /// Components (= classes), in `SyntheticLimits.classRange`.
    public private(set) var classes: Int
    /// Root-mean-square distance between two component means (finite, `>= 0`).
    public private(set) var separation: Double
    /// The key of every draw.
    public private(set) var seed: UInt64

    /// The default `separation`.
    public static let defaultSeparation = 4.0

    /// A mixture of these parameters.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a sample, feature or class count outside
    ///   its range, or a separation that is not finite and `>= 0`.
    public init(samples: Int, features: Int, classes: Int, separation: Double = defaultSeparation, seed: UInt64) throws {
        try SyntheticLimits.require(samples, in: SyntheticLimits.sampleRange, "samples")
        try SyntheticLimits.require(features, in: SyntheticLimits.featureRange, "features")
        try SyntheticLimits.require(classes, in: SyntheticLimits.classRange, "classes")
        try VarianceKitError.requireNonNegativeFinite(separation, "separation")
        self.samples = samples
        self.features = features
        self.classes = classes
        self.separation = separation
        self.seed = seed
    }

    /// The standard deviation of each coordinate of a mean, `separation / sqrt(2 features)`.
    public var meanStandardDeviation: Double { separation / (2 * Double(features)).squareRoot() }

    /// Bytes held at the peak: the features, the means and the labels.
    public var memoryRequirement: Int {
        SyntheticLimits.sum([SyntheticLimits.floatBytes(samples, features), SyntheticLimits.floatBytes(classes, features),
                             SyntheticLimits.labelBytes(samples)])
    }

    /// The component means `mu`, `[classes, features]` (row `k` is `mu_k`).
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` or the allocation errors of `Matrix`.
    public func means() throws -> Matrix {
        var means = try Matrix(rows: classes, columns: features)
        let deviation = meanStandardDeviation
        var draws = SyntheticDraws(seed: seed, stream: .synthesis, block: 1 << 63)
        means.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = Float(deviation * draws.normal()) }
        }
        return means
    }

    /// The `samples` samples, named `gaussian-mixture`.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` before allocating when
    ///   `memoryRequirement` does not fit; allocation errors.
    public func makeDataset() throws -> Dataset {
        try MemoryBudget.require(memoryRequirement, for: "a Gaussian mixture of \(samples) samples x \(features) features")
        let means = try means()
        var inputs = try Matrix(rows: samples, columns: features)
        try RandomFill.normal(&inputs, seed: seed, stream: RandomStream.synthesis.id)
        let (features, classes) = (self.features, self.classes)
        inputs.withUnsafeMutableBufferPointer { x in
            means.withUnsafeBufferPointer { mu in
                for row in 0..<samples {
                    let target = x.baseAddress! + row * features
                    let mean = mu.baseAddress! + (row % classes) * features
                    for column in 0..<features { target[column] += mean[column] }
                }
            }
        }
        let labels = (0..<samples).map { $0 % classes }
        return try Dataset(name: SyntheticDatasetName.gaussianMixture.rawValue, features: inputs,
                           targets: .classes(labels: labels, classCount: classes))
    }
}
