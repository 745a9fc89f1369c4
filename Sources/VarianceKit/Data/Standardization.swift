/// Per-feature standardization `x' = (x - μ_j) / s_j`, fitted on one dataset (the training split)
/// and applied unchanged to the others, so nothing about the held-out samples leaks into training.
///
/// `μ_j` is the mean of column `j` and `s_j` its standard deviation (population form, divisor
/// `n`), both accumulated in Double. A column that is constant in the training split (`s_j = 0`,
/// e.g. a border pixel that is always black) is only centred (`s_j` taken as 1), so it stays
/// finite. After fitting, every training column has mean 0 and variance 1 (or 0 when constant),
/// up to Float rounding.
public struct Standardization: Sendable, Equatable, Codable {
    /// `μ_j`, one per feature.
    public private(set) var means: [Float]
    /// `s_j`, one per feature (1 for a constant column).
    public private(set) var scales: [Float]

    /// Fits `μ` and `s` to the columns of `features`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` when `features` has no rows, or a column
    ///   holds inf or NaN (naming the first such element).
    public init(fittedTo features: Matrix) throws {
        guard features.rows >= 1 else {
            throw VarianceKitError.invalidParameter(
                name: "samples to fit a standardization", value: "0", expected: "at least one sample")
        }
        let (rows, columns) = (features.rows, features.columns)
        var sums = [Double](repeating: 0, count: columns)
        var firstBad: (Int, Float)?
        features.withUnsafeBufferPointer { x in
            for r in 0..<rows {
                for c in 0..<columns {
                    let value = x[r * columns + c]
                    if !value.isFinite, firstBad == nil { firstBad = (r * columns + c, value) }
                    sums[c] += Double(value)
                }
            }
        }
        if let (index, value) = firstBad {
            throw VarianceKitError.invalidParameter(
                name: "feature at row \(index / columns), column \(index % columns)", value: "\(value)",
                expected: "a finite number (a standardization is fitted to finite features only)")
        }
        let means = sums.map { $0 / Double(rows) }
        var squares = [Double](repeating: 0, count: columns)
        features.withUnsafeBufferPointer { x in
            for r in 0..<rows {
                for c in 0..<columns {
                    let d = Double(x[r * columns + c]) - means[c]
                    squares[c] += d * d
                }
            }
        }
        self.means = means.map { Float($0) }
        self.scales = squares.map { square in
            let deviation = (square / Double(rows)).squareRoot()
            return deviation > 0 && Float(deviation) > 0 ? Float(deviation) : 1
        }
    }

    /// Features expected by `apply(to:)`.
    public var featureCount: Int { means.count }

    /// Replaces every element `x_ij` of `features` by `(x_ij - μ_j) / s_j`.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` when `features` does not have `featureCount` columns.
    public func apply(to features: inout Matrix) throws {
        guard features.columns == featureCount else {
            throw VarianceKitError.shape(
                "Standardization.apply", "features", actual: [features.rows, features.columns], expected: [nil, featureCount],
                "the standardization was fitted to \(featureCount) features but this matrix has \(features.columns)")
        }
        let columns = featureCount
        let rows = features.rows
        try features.makeUniqueStorage()
        means.withUnsafeBufferPointer { mean in
            scales.withUnsafeBufferPointer { scale in
                features.withUnsafeMutableBufferPointer { x in
                    for r in 0..<rows {
                        for c in 0..<columns {
                            x[r * columns + c] = (x[r * columns + c] - mean[c]) / scale[c]
                        }
                    }
                }
            }
        }
    }

    /// The standardization from stored `means` and `scales`.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` when the counts differ; `.invalidParameter` for a
    ///   non-finite mean or a scale that is not positive and finite.
    public init(means: [Float], scales: [Float]) throws {
        guard means.count == scales.count else {
            throw VarianceKitError.shape("Standardization", "scales", actual: [scales.count], expected: [means.count],
                                         "there must be one scale per mean")
        }
        if let index = means.firstIndex(where: { !$0.isFinite }) {
            throw VarianceKitError.invalidParameter(name: "means[\(index)]", value: "\(means[index])", expected: "a finite number")
        }
        if let index = scales.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw VarianceKitError.invalidParameter(name: "scales[\(index)]", value: "\(scales[index])", expected: "a positive finite number")
        }
        self.means = means
        self.scales = scales
    }

    private enum CodingKeys: String, CodingKey { case means, scales }

    /// Decodes and validates as `init(means:scales:)`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(means: container.decode([Float].self, forKey: .means), scales: container.decode([Float].self, forKey: .scales))
    }
}

extension Dataset {
    /// The dataset with `standardization` applied to its features.
    ///
    /// - Throws: as `Standardization.apply(to:)`.
    public func standardized(by standardization: Standardization) throws -> Dataset {
        var copy = self
        try copy.updateFeatures { try standardization.apply(to: &$0) }
        return copy
    }
}

extension DatasetSplit {
    /// The three splits standardized by a `Standardization` fitted on the training split only.
    ///
    /// - Throws: as `Standardization.init(fittedTo:)`.
    public func standardized() throws -> (split: DatasetSplit, standardization: Standardization) {
        let standardization = try Standardization(fittedTo: train.features)
        let split = try DatasetSplit(train: train.standardized(by: standardization),
                                     validation: validation.standardized(by: standardization),
                                     test: test.standardized(by: standardization))
        return (split, standardization)
    }
}
