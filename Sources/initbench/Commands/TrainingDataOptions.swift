import ArgumentParser
import Foundation
import VarianceKit

/// Where `initbench train` gets its samples: a synthetic dataset by name, IDX files, or a CSV
/// file; and how they are split and standardized.
struct TrainingDataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A synthetic dataset, made from --seed (default gaussian-mixture).",
                               discussion: SyntheticDatasetName.allCases.map { "\($0.rawValue): \($0.summary)." }.joined(separator: " "),
                               valueName: "name"))
    var dataset: String?

    @Option(help: "Samples of the synthetic dataset (split into train, validation and test).")
    var samples: Int = 4000

    @Option(help: "Features of the synthetic datasets that take them.")
    var features: Int?

    @Option(help: "Classes of the synthetic classification datasets that take them.")
    var classes: Int?

    @Option(help: "Noise standard deviation of the synthetic regression datasets.")
    var noise: Double?

    @Option(name: .customLong("idx"), parsing: .upToNextOption,
            help: ArgumentHelp("Training images and labels as MNIST-style IDX files (gzip or not).", valueName: "images labels"))
    var idx: [String] = []

    @Option(name: .customLong("idx-test"), parsing: .upToNextOption,
            help: ArgumentHelp("Test images and labels as IDX files (otherwise a test split is drawn by seed).", valueName: "images labels"))
    var idxTest: [String] = []

    @Option(help: ArgumentHelp("A CSV file of numbers, one sample per row (with --label).", valueName: "file"))
    var csv: String?

    @Option(help: ArgumentHelp("With --csv: the label or target column, by header name or 0-based index.", valueName: "column"))
    var label: String?

    @Option(help: "With --csv: whether the first row is a header: auto, yes or no.")
    var header: CSVHeaderChoice = .auto

    @Option(help: "With --csv: classification (integer labels) or regression (a real target).")
    var task: CSVTaskChoice = .classification

    @Option(name: .customLong("validation-fraction"), help: "Fraction of the samples held out for validation.")
    var validationFraction: Double = 0.1

    @Option(name: .customLong("test-fraction"), help: "Fraction held out for testing, when the data has no test split of its own.")
    var testFraction: Double = 0.2

    @Flag(name: .customLong("no-standardize"), help: "Keep the features as they are (by default each is standardized on the training split).")
    var noStandardize = false

    /// Whether any data source was named (presets bring their own).
    var isGiven: Bool { dataset != nil || !idx.isEmpty || !idxTest.isEmpty || csv != nil || label != nil }

    /// Checks that one source is named, with the arguments it needs.
    func validateChoice() throws {
        let sources = [dataset != nil, !idx.isEmpty, csv != nil].filter { $0 }.count
        guard sources <= 1 else { throw ValidationError("give one of --dataset, --idx and --csv") }
        if !idx.isEmpty, idx.count != 2 { throw ValidationError("--idx takes two files: the images, then the labels (got \(idx.count))") }
        if !idxTest.isEmpty {
            guard idxTest.count == 2 else { throw ValidationError("--idx-test takes two files: the images, then the labels (got \(idxTest.count))") }
            guard !idx.isEmpty else { throw ValidationError("--idx-test needs --idx (the training files)") }
        }
        if csv != nil, label == nil { throw ValidationError("--csv needs --label COLUMN (a header name or a 0-based index)") }
        if label != nil, csv == nil { throw ValidationError("--label applies to --csv only") }
        for (name, fraction) in [("--validation-fraction", validationFraction), ("--test-fraction", testFraction)]
        where !(fraction >= 0 && fraction < 1) {
            throw ValidationError("invalid \(name) \(fraction): expected a number in [0, 1)")
        }
        guard validationFraction + testFraction < 1 else {
            throw ValidationError("--validation-fraction \(validationFraction) and --test-fraction \(testFraction) leave nothing to train on")
        }
        if let dataset { _ = try Self.library { try SyntheticDatasetName.named(dataset) } }
    }

    /// Turns a library error into a usage error (exit 64).
    static func library<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as VarianceKitError {
            throw ValidationError(error.description)
        }
    }

    /// The splits (standardized unless --no-standardize), and where they came from.
    func load(seed: UInt64) throws -> (split: DatasetSplit, source: String, standardized: Bool) {
        var split: DatasetSplit
        let source: String
        if !idx.isEmpty {
            let train = try Dataset.idx(images: URL(fileURLWithPath: idx[0]), labels: URL(fileURLWithPath: idx[1]))
            if !idxTest.isEmpty {
                let test = try Dataset.idx(images: URL(fileURLWithPath: idxTest[0]), labels: URL(fileURLWithPath: idxTest[1]))
                let parts = try train.split(validationFraction: validationFraction, testFraction: 0, seed: seed)
                split = try DatasetSplit(train: parts.train, validation: parts.validation, test: test)
                source = "IDX \(idx[0]), \(idx[1]); test \(idxTest[0]), \(idxTest[1])"
            } else {
                split = try train.split(validationFraction: validationFraction, testFraction: testFraction, seed: seed)
                source = "IDX \(idx[0]), \(idx[1]) (test split drawn by seed \(seed))"
            }
        } else if let csv, let label {
            let column: CSVDataset.Column = Int(label).map { .index($0) } ?? .name(label)
            let headerRow: CSVDataset.HeaderRow = switch header {
            case .auto: .automatic
            case .yes: .present
            case .no: .absent
            }
            let data = try Dataset.csv(URL(fileURLWithPath: csv), target: column, task: task == .classification ? .classification : .regression,
                                       header: headerRow)
            split = try data.split(validationFraction: validationFraction, testFraction: testFraction, seed: seed)
            source = "CSV \(csv), label column \(label) (test split drawn by seed \(seed))"
        } else {
            let name = try Self.library { try SyntheticDatasetName.named(dataset ?? SyntheticDatasetName.gaussianMixture.rawValue) }
            let options = SyntheticDatasetOptions(features: features, classes: classes, noise: noise)
            let data = try name.makeDataset(samples: samples, seed: seed, options: options)
            split = try data.split(validationFraction: validationFraction, testFraction: testFraction, seed: seed)
            source = "\(name.rawValue), \(samples) samples, seed \(seed)"
        }
        if !noStandardize { split = try split.standardized().split }
        return (split, source, !noStandardize)
    }
}

/// `--header` of `initbench train --csv`.
enum CSVHeaderChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, yes, no
}

/// `--task` of `initbench train --csv`.
enum CSVTaskChoice: String, ExpressibleByArgument, CaseIterable {
    case classification, regression
}
