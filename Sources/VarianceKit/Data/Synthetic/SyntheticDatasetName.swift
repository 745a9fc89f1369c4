import Foundation

/// The synthetic datasets by the names people type: what `initbench` accepts for a dataset that
/// needs no download, and what an experiment records.
///
/// Each name builds its dataset from a sample count and a seed with the defaults below;
/// `SyntheticDatasetOptions` overrides the ones that apply (any other given option is refused):
///
/// | name | dataset | defaults | options |
/// |---|---|---|---|
/// | `teacher-regression` | `TeacherDataset`, regression | widths `[16, 64, 1]`, tanh, Xavier normal, noise 0 | features, noise |
/// | `teacher-classification` | `TeacherDataset`, classification | widths `[16, 64, 4]`, tanh, Xavier normal | features, classes |
/// | `gaussian-mixture` | `GaussianMixture` | 16 features, 4 classes, separation 4 | features, classes, separation |
/// | `sparse-regression` | `SparseRegression` | 64 features of which the first `max(1, features/8)` relevant, noise 0.1 | features, noise |
/// | `shapeset` | `Shapeset` (Shapeset-3x2) | 1024 features, 9 classes, samples `0 ..< n` | none (features 1024 and classes 9 are accepted) |
///
/// Aliases: `relevant-features` for `sparse-regression`, `shapeset-3x2` for `shapeset`,
/// `teacher` for `teacher-regression`, `mixture` for `gaussian-mixture`.
public enum SyntheticDatasetName: String, CaseIterable, Codable, Sendable {
    case teacherRegression = "teacher-regression"
    case teacherClassification = "teacher-classification"
    case gaussianMixture = "gaussian-mixture"
    case sparseRegression = "sparse-regression"
    case shapeset

    /// Other spellings `named(_:)` accepts.
    public static let aliases: [String: SyntheticDatasetName] = [
        "relevant-features": .sparseRegression, "shapeset-3x2": .shapeset, "shapeset3x2": .shapeset,
        "teacher": .teacherRegression, "mixture": .gaussianMixture,
    ]

    /// The canonical names, comma-separated.
    public static var acceptedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The dataset called `name` (canonical or alias, case-insensitive, `_` read as `-`).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` listing the accepted names.
    public static func named(_ name: String) throws -> SyntheticDatasetName {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
        guard let found = SyntheticDatasetName(rawValue: key) ?? aliases[key] else {
            throw VarianceKitError.invalidParameter(
                name: "dataset", value: "\"\(name)\"",
                expected: "one of \(acceptedNames) (aliases: \(aliases.keys.sorted().joined(separator: ", ")))")
        }
        return found
    }

    /// One sentence saying what the dataset is, for help texts.
    public var summary: String {
        switch self {
        case .teacherRegression:
            "regression on the outputs of a random tanh teacher network (16-64-1) fed standard-normal inputs, plus optional Gaussian noise"
        case .teacherClassification:
            "classification by the argmax of a random tanh teacher network (16-64-4) fed standard-normal inputs, output biases calibrated for balanced classes"
        case .gaussianMixture:
            "balanced mixture of unit-covariance Gaussians (16 features, 4 classes), means a root-mean-square distance of 4 apart"
        case .sparseRegression:
            "linear regression on standard-normal features of which only the first eighth are relevant, the rest independent noise (64 features, noise 0.1)"
        case .shapeset:
            "Shapeset-3x2 (Glorot & Bengio 2010): 32x32 grey images of one or two triangles, parallelograms or ellipses, 9 classes by the shapes present"
        }
    }

    /// Whether the targets are class labels.
    public var isClassification: Bool {
        switch self {
        case .teacherClassification, .gaussianMixture, .shapeset: true
        case .teacherRegression, .sparseRegression: false
        }
    }

    /// The options that change this dataset (see the table in the type's documentation).
    public var acceptedOptions: [SyntheticDatasetOptions.Option] {
        switch self {
        case .teacherRegression: [.features, .noise]
        case .teacherClassification: [.features, .classes]
        case .gaussianMixture: [.features, .classes, .separation]
        case .sparseRegression: [.features, .noise]
        case .shapeset: []
        }
    }

    /// The default input features.
    static let defaultFeatures = 16
    /// The default classes of the classification datasets (Shapeset aside).
    static let defaultClasses = 4
    /// The teacher's hidden width.
    static let teacherHiddenWidth = 64
    /// The default features of `sparse-regression`.
    static let defaultSparseFeatures = 64

    /// The dataset's parameters for `samples` samples from `seed`, the defaults replaced by
    /// `options`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for an option this dataset does not take
    ///   (naming the ones it takes), and the parameter errors of the dataset's initializer
    ///   (sample count, feature count, class count, noise, separation out of range).
    public func configuration(samples: Int, seed: UInt64, options: SyntheticDatasetOptions = SyntheticDatasetOptions()) throws -> SyntheticDataset {
        try options.validate()
        for option in options.given where !acceptedOptions.contains(option) {
            // Shapeset accepts its fixed shape spelled out.
            if self == .shapeset, option == .features, options.features == Shapeset.featureCount { continue }
            if self == .shapeset, option == .classes, options.classes == Shapeset.classCount { continue }
            let accepted = acceptedOptions.isEmpty ? "none" : acceptedOptions.map(\.rawValue).joined(separator: ", ")
            throw VarianceKitError.invalidParameter(
                name: "\(option.rawValue) for dataset \(rawValue)", value: options.value(of: option),
                expected: self == .shapeset
                    ? "no \(option.rawValue) option: Shapeset-3x2 images have \(Shapeset.featureCount) features and \(Shapeset.classCount) classes"
                    : "only the options \(accepted) for \(rawValue)")
        }
        let features = options.features ?? (self == .sparseRegression ? Self.defaultSparseFeatures : Self.defaultFeatures)
        let noise = options.noise.map(Float.init)
        switch self {
        case .teacherRegression:
            return .teacher(try TeacherDataset(task: .regression, samples: samples, widths: [features, Self.teacherHiddenWidth, 1],
                                               noiseStandardDeviation: noise ?? 0, seed: seed))
        case .teacherClassification:
            return .teacher(try TeacherDataset(task: .classification, samples: samples,
                                               widths: [features, Self.teacherHiddenWidth, options.classes ?? Self.defaultClasses], seed: seed))
        case .gaussianMixture:
            return .gaussianMixture(try GaussianMixture(samples: samples, features: features, classes: options.classes ?? Self.defaultClasses,
                                                        separation: options.separation ?? GaussianMixture.defaultSeparation, seed: seed))
        case .sparseRegression:
            let relevant = max(1, features / 8)
            return .sparseRegression(try SparseRegression(samples: samples, relevant: relevant, irrelevant: features - relevant,
                                                          noiseStandardDeviation: noise ?? SparseRegression.defaultNoise, seed: seed))
        case .shapeset:
            return .shapeset(try Shapeset(samples: samples, seed: seed))
        }
    }

    /// The dataset of `samples` samples from `seed` (`configuration(...)` then `makeDataset()`).
    ///
    /// - Throws: as `configuration(samples:seed:options:)`, then `.insufficientMemory` before
    ///   allocating when the dataset does not fit in `MemoryBudget.availableBytes()`.
    public func makeDataset(samples: Int, seed: UInt64, options: SyntheticDatasetOptions = SyntheticDatasetOptions()) throws -> Dataset {
        try configuration(samples: samples, seed: seed, options: options).makeDataset()
    }
}

/// Overrides of a synthetic dataset's defaults; nil keeps the default.
public struct SyntheticDatasetOptions: Sendable, Hashable, Codable {
    /// The options by name.
    public enum Option: String, CaseIterable, Sendable, Codable {
        case features, classes, noise, separation
    }

    /// Input features (`SyntheticLimits.featureRange`).
    public var features: Int?
    /// Classes (`>= 2`; the teacher's outputs, the mixture's components).
    public var classes: Int?
    /// The standard deviation of the targets' Gaussian noise (finite, in `0 ... SyntheticLimits.maximumNoise`).
    public var noise: Double?
    /// The Gaussian mixture's root-mean-square distance between means (finite, `>= 0`).
    public var separation: Double?

    /// Options with the given overrides.
    public init(features: Int? = nil, classes: Int? = nil, noise: Double? = nil, separation: Double? = nil) {
        self.features = features
        self.classes = classes
        self.noise = noise
        self.separation = separation
    }

    /// The options that are set, in `Option` order.
    public var given: [Option] {
        Option.allCases.filter { value(of: $0) != "nil" }
    }

    /// The value of `option` in words (`nil` when not set).
    func value(of option: Option) -> String {
        switch option {
        case .features: features.map { "\($0)" } ?? "nil"
        case .classes: classes.map { "\($0)" } ?? "nil"
        case .noise: noise.map { "\($0)" } ?? "nil"
        case .separation: separation.map { "\($0)" } ?? "nil"
        }
    }

    /// Checks each given option on its own (the datasets check how they combine).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` naming the first option out of range.
    public func validate() throws {
        if let features { try SyntheticLimits.require(features, in: SyntheticLimits.featureRange, "features") }
        if let classes { try SyntheticLimits.require(classes, in: SyntheticLimits.classRange, "classes") }
        if let noise {
            guard noise.isFinite, noise >= 0, noise <= Double(SyntheticLimits.maximumNoise) else {
                throw VarianceKitError.invalidParameter(
                    name: "noise", value: "\(noise)", expected: "a finite standard deviation in 0...\(SyntheticLimits.maximumNoise)")
            }
        }
        if let separation { try VarianceKitError.requireNonNegativeFinite(separation, "separation") }
    }
}

/// A synthetic dataset's parameters, ready to be made.
public enum SyntheticDataset: Sendable, Hashable {
    case teacher(TeacherDataset)
    case gaussianMixture(GaussianMixture)
    case sparseRegression(SparseRegression)
    case shapeset(Shapeset)

    /// Bytes held at the peak while it is made.
    public var memoryRequirement: Int {
        switch self {
        case let .teacher(dataset): dataset.memoryRequirement
        case let .gaussianMixture(dataset): dataset.memoryRequirement
        case let .sparseRegression(dataset): dataset.memoryRequirement
        case let .shapeset(dataset): dataset.memoryRequirement
        }
    }

    /// The samples.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` before allocating when
    ///   `memoryRequirement` does not fit; allocation errors.
    public func makeDataset() throws -> Dataset {
        switch self {
        case let .teacher(dataset): try dataset.makeDataset()
        case let .gaussianMixture(dataset): try dataset.makeDataset()
        case let .sparseRegression(dataset): try dataset.makeDataset()
        case let .shapeset(dataset): try dataset.makeDataset()
        }
    }
}
