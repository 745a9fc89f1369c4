import Foundation

/// Where a `train` sweep over `weight-variance` and `depth` trained: for each depth, the
/// `sigma_w^2` values whose test accuracy reaches `threshold`, halfway between the chance
/// accuracy and the best accuracy of the sweep; whether each band holds the critical
/// `sigma_w^2` of mean-field theory (the edge of chaos, where `xi_c` diverges); and whether the
/// bands narrow with depth.
///
/// A configuration whose run diverged (no test accuracy) or whose accuracy is NaN counts as
/// measured and below the threshold; a configuration with no record is not measured.
public struct SweepTrainableBand: Sendable, Hashable {
    /// The band of one depth.
    public struct Band: Sendable, Hashable {
        /// The depth (hidden layers).
        public var depth: Int
        /// The `sigma_w^2` values whose test accuracy reaches the threshold, ascending.
        public var weightVariances: [Double]
        /// The `sigma_w^2` values of this depth that have a record (trained or diverged).
        public var measured: Int
        /// Whether no measured `sigma_w^2` between the band's lowest and highest value falls
        /// below the threshold (true for an empty band).
        public var isContiguous: Bool

        /// The lowest `sigma_w^2` of the band.
        public var lowest: Double? { weightVariances.first }
        /// The highest `sigma_w^2` of the band.
        public var highest: Double? { weightVariances.last }

        /// Whether `weightVariance` lies within the band's lowest ... highest value.
        public func contains(_ weightVariance: Double) -> Bool {
            guard let lowest, let highest else { return false }
            return lowest <= weightVariance && weightVariance <= highest
        }
    }

    /// The test accuracy of guessing, `1 / classes`.
    public var chance: Double
    /// The best test accuracy of the sweep.
    public var best: Double
    /// `chance + (best - chance) / 2`: the accuracy a configuration needs to count as trained.
    public var threshold: Double
    /// The `sigma_w^2` where `xi_c` diverges (`MeanFieldTheory.criticalWeightScale`), nil where
    /// the theory has none.
    public var criticalWeightVariance: Double?
    /// One band per depth of the grid that has a record, in ascending depth.
    public var bands: [Band]

    /// The bands that hold the critical `sigma_w^2` (none without one).
    public var bandsContainingCritical: [Band] {
        guard let criticalWeightVariance else { return [] }
        return bands.filter { $0.contains(criticalWeightVariance) }
    }

    /// Whether the band holds no more `sigma_w^2` values at each depth than at the depth before
    /// and fewer at the deepest than at the shallowest (false for fewer than two depths).
    public var narrowsWithDepth: Bool {
        guard let first = bands.first, let last = bands.last, bands.count >= 2 else { return false }
        let nonIncreasing = zip(bands, bands.dropFirst()).allSatisfy { $1.weightVariances.count <= $0.weightVariances.count }
        return nonIncreasing && last.weightVariances.count < first.weightVariances.count
    }

    /// The bands of `merge`; nil unless its grid qualifies (see `init?(grid:records:)`).
    public init?(_ merge: SweepMerge) {
        self.init(grid: merge.grid, records: merge.records)
    }

    /// The bands of `records` of `grid`: nil unless the grid is a `train` grid whose axes are
    /// exactly `weight-variance` and `depth`, with a classification dataset whose chance
    /// accuracy is known (`SweepConfiguration.chanceAccuracy`), and at least one record has a
    /// finite test accuracy.
    public init?(grid: SweepGrid, records: [SweepRecord]) {
        guard grid.kind == .train, Set(grid.axisNames) == ["weight-variance", "depth"],
              let chance = grid.configuration(at: 0).chanceAccuracy else { return nil }
        var accuracies: [Int: [Double: Double?]] = [:]
        for record in records {
            guard case let .integer(depth)? = record.settings["depth"],
                  let weightVariance = record.settings["weight-variance"]?.numericValue else { continue }
            let accuracy = record.result.training?.test?.accuracy.flatMap { $0.isNaN ? nil : $0 }
            accuracies[depth, default: [:]][weightVariance] = .some(accuracy)
        }
        guard let best = accuracies.values.flatMap({ $0.values.compactMap { $0 } }).filter(\.isFinite).max() else { return nil }
        let threshold = chance + (best - chance) / 2
        self.chance = chance
        self.best = best
        self.threshold = threshold
        let configuration = grid.configuration(at: 0)
        if let activation = try? configuration.activation() {
            criticalWeightVariance = try? MeanFieldTheory(activation: activation)
                .criticalWeightScale(biasVariance: configuration.number("bias-variance") ?? 0)
        } else {
            criticalWeightVariance = nil
        }
        bands = accuracies.keys.sorted().map { depth in
            let measured = accuracies[depth]!.sorted { $0.key < $1.key }
            let trained = measured.filter { ($0.value ?? -.infinity) >= threshold }.map(\.key)
            var contiguous = true
            if let low = trained.first, let high = trained.last {
                contiguous = !measured.contains { $0.key > low && $0.key < high && ($0.value ?? -.infinity) < threshold }
            }
            return Band(depth: depth, weightVariances: trained, measured: measured.count, isContiguous: contiguous)
        }
    }
}

extension SweepConfiguration {
    /// The test accuracy of guessing, `1 / classes`, of a `train` configuration on a
    /// classification dataset (the `classes` setting, else the dataset's own count); nil for
    /// other kinds, regression datasets, and settings that make no dataset.
    public var chanceAccuracy: Double? {
        guard kind == .train, let data = try? dataSettings(), data.dataset.isClassification,
              let dataset = try? data.dataset.configuration(samples: data.samples, seed: data.seed, options: data.options) else { return nil }
        let classes: Int
        switch dataset {
        case let .teacher(teacher): classes = teacher.outputs
        case let .gaussianMixture(mixture): classes = mixture.classes
        case .shapeset: classes = Shapeset.classCount
        case .sparseRegression: return nil
        }
        return classes > 0 ? 1 / Double(classes) : nil
    }
}
