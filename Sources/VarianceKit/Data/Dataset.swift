/// Samples for supervised learning: features `[samples, features]` and, per sample, either a
/// class label or a row of regression targets.
///
/// Every source of data in VarianceKit produces a `Dataset`: the synthetic generators (each a
/// function of a seed), the IDX and CSV readers. A dataset is a value (its matrices are
/// copy-on-write), so splitting or subsetting never changes the original.
///
/// Class labels are integers in `0 ..< classCount`; a network trained on them has `classCount`
/// outputs and the softmax cross-entropy loss. Regression targets are a `[samples, outputs]`
/// matrix; the loss is the mean squared error.
public struct Dataset: Sendable {
    /// What is to be predicted for each sample.
    public enum Targets: Sendable, Equatable {
        /// One label per sample, each in `0 ..< classCount`.
        case classes(labels: [Int], classCount: Int)
        /// One row of real-valued targets per sample (`[samples, outputs]`).
        case values(Matrix)
    }

    /// A short name that says where the samples came from, e.g. `shapeset-3x2` or a file name.
    public var name: String
    /// The features, one sample per row.
    public private(set) var features: Matrix
    /// The labels or regression targets, one per row of `features`.
    public private(set) var targets: Targets

    /// A dataset of `features` and `targets`.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` when the number of labels or target rows is not
    ///   `features.rows`; `.invalidParameter` for a class count below 1 or a label outside
    ///   `0 ..< classCount`.
    public init(name: String, features: Matrix, targets: Targets) throws {
        switch targets {
        case let .classes(labels, classCount):
            guard classCount >= 1 else {
                throw VarianceKitError.invalidParameter(name: "classCount", value: "\(classCount)", expected: "an integer >= 1")
            }
            guard labels.count == features.rows else {
                throw VarianceKitError.shape(
                    "Dataset(\(name))", "labels", actual: [labels.count], expected: [features.rows],
                    "\(labels.count) labels for \(features.rows) samples; there must be one label per sample")
            }
            if let index = labels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
                throw VarianceKitError.invalidParameter(
                    name: "label of sample \(index)", value: "\(labels[index])", expected: "a class in 0..<\(classCount)")
            }
        case let .values(values):
            guard values.rows == features.rows else {
                throw VarianceKitError.shape(
                    "Dataset(\(name))", "targets", actual: [values.rows, values.columns], expected: [features.rows, nil],
                    "\(values.rows) target rows for \(features.rows) samples; there must be one row of targets per sample")
            }
        }
        self.name = name
        self.features = features
        self.targets = targets
    }

    /// Rows of `features`.
    public var sampleCount: Int { features.rows }
    /// Columns of `features`: the inputs of a network trained on it.
    public var featureCount: Int { features.columns }
    /// Whether the targets are class labels.
    public var isClassification: Bool {
        if case .classes = targets { return true }
        return false
    }
    /// The outputs of a network trained on it: the class count, or the target columns.
    public var outputCount: Int {
        switch targets {
        case let .classes(_, classCount): classCount
        case let .values(values): values.columns
        }
    }
    /// The class labels (nil for regression).
    public var labels: [Int]? {
        if case let .classes(labels, _) = targets { return labels }
        return nil
    }

    /// The samples `indices`, in that order.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` naming the first index outside
    ///   `0 ..< sampleCount`; allocation errors.
    public func subset<Indices: Collection>(_ indices: Indices) throws -> Dataset where Indices.Element == Int {
        let features = try self.features.gatheringRows(indices)
        switch targets {
        case let .classes(labels, classCount):
            return try Dataset(name: name, features: features, targets: .classes(labels: indices.map { labels[$0] }, classCount: classCount))
        case let .values(values):
            return try Dataset(name: name, features: features, targets: .values(try values.gatheringRows(indices)))
        }
    }

    /// Replaces the features by `transform(features)`, which must keep the sample count.
    mutating func updateFeatures(_ transform: (inout Matrix) throws -> Void) rethrows {
        try transform(&features)
    }
}

/// A training split, a validation split and a test split of one source of samples.
public struct DatasetSplit: Sendable {
    /// The samples a network is trained on (and the standardization is fitted on).
    public var train: Dataset
    /// Held-out samples for choosing settings (may be empty).
    public var validation: Dataset
    /// Held-out samples for the final figures (may be empty).
    public var test: Dataset

    /// Three splits of the same kind of samples.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` when the splits differ in feature count, in
    ///   kind of target, or in class count or target columns; `.invalidParameter` when `train` is empty.
    public init(train: Dataset, validation: Dataset, test: Dataset) throws {
        guard train.sampleCount >= 1 else {
            throw VarianceKitError.invalidParameter(name: "training split", value: "0 samples", expected: "at least one training sample")
        }
        for (name, part) in [("validation", validation), ("test", test)] {
            guard part.featureCount == train.featureCount else {
                throw VarianceKitError.shape(
                    "DatasetSplit", "\(name) features", actual: [part.sampleCount, part.featureCount], expected: [nil, train.featureCount],
                    "the \(name) split has \(part.featureCount) features per sample but the training split has \(train.featureCount)")
            }
            guard part.isClassification == train.isClassification, part.outputCount == train.outputCount else {
                throw VarianceKitError.shape(
                    "DatasetSplit", "\(name) targets", actual: [part.outputCount], expected: [train.outputCount],
                    "the \(name) split's targets (\(part.isClassification ? "classes" : "values"), \(part.outputCount)) differ from the training split's (\(train.isClassification ? "classes" : "values"), \(train.outputCount))")
            }
        }
        self.train = train
        self.validation = validation
        self.test = test
    }
}

extension Dataset {
    /// Splits the samples at random into training, validation and test sets.
    ///
    /// The order is a uniform random permutation drawn from Philox4x32 with key `seed` on
    /// `RandomStream.split` (Fisher-Yates with exact bounded integers, `Philox4x32.nextBounded`), so a split is a fixed
    /// function of the seed and the sample count. The validation and test sets get
    /// `round(fraction · sampleCount)` samples each; the training set gets the rest.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a fraction outside `[0, 1)`, fractions
    ///   summing to 1 or more, or a split that would leave no training sample.
    public func split(validationFraction: Double, testFraction: Double, seed: UInt64) throws -> DatasetSplit {
        for (name, fraction) in [("validation fraction", validationFraction), ("test fraction", testFraction)]
        where !(fraction >= 0 && fraction < 1) {
            throw VarianceKitError.invalidParameter(name: name, value: "\(fraction)", expected: "a number in [0, 1)")
        }
        let validationCount = Int((validationFraction * Double(sampleCount)).rounded())
        let testCount = Int((testFraction * Double(sampleCount)).rounded())
        guard validationCount + testCount < sampleCount else {
            throw VarianceKitError.invalidParameter(
                name: "validation and test fractions", value: "\(validationFraction) and \(testFraction)",
                expected: "fractions that leave at least one of the \(sampleCount) samples for training (they take \(validationCount) + \(testCount))")
        }
        let order = Self.permutation(count: sampleCount, seed: seed, stream: RandomStream.split.id, block: 0)
        let trainCount = sampleCount - validationCount - testCount
        return try DatasetSplit(
            train: subset(order[0 ..< trainCount]),
            validation: subset(order[trainCount ..< trainCount + validationCount]),
            test: subset(order[trainCount + validationCount ..< sampleCount]))
    }

    /// A uniform random permutation of `0 ..< count` by Fisher-Yates, drawing from Philox4x32
    /// (`seed`, `stream`) starting at counter block `block`.
    static func permutation(count: Int, seed: UInt64, stream: UInt64, block: UInt64) -> [Int] {
        var order = Array(0 ..< count)
        shuffle(&order, seed: seed, stream: stream, block: block)
        return order
    }

    /// Shuffles `order` in place by Fisher-Yates, with the draws of `permutation`.
    static func shuffle(_ order: inout [Int], seed: UInt64, stream: UInt64, block: UInt64) {
        var generator = Philox4x32(seed: seed, stream: stream)
        generator.seek(toBlock: block)
        var i = order.count - 1
        while i > 0 {
            let j = Int(generator.nextBounded(UInt64(i + 1)))
            order.swapAt(i, j)
            i -= 1
        }
    }
}
