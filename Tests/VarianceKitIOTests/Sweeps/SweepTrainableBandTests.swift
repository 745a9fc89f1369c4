import Foundation
import Testing
import VarianceKit

/// The trainable band of a `train` sweep over `weight-variance` x `depth`, on records with
/// fabricated test accuracies whose bands are worked out by hand below.
@Suite struct SweepTrainableBandTests {
    static let weightVariances = [1.0, 1.5, 1.75, 2, 2.5, 3]

    static func grid(fixed: [String: JSONValue] = [:], axes extra: [String: [JSONValue]] = [:]) throws -> SweepGrid {
        var axes: [String: [JSONValue]] = ["weight-variance": weightVariances.map { .number($0) }, "depth": [2, 8, 32].map { .integer($0) }]
        axes.merge(extra) { $1 }
        return try SweepGrid(kind: .train, axes: axes,
                             fixed: ["activation": .string("tanh"), "bias-variance": .number(0.05), "steps": .integer(10)].merging(fixed) { $1 })
    }

    /// A record of `configuration` whose test accuracy is `accuracy` (nil: the run diverged).
    static func record(_ configuration: SweepConfiguration, accuracy: Double?) -> SweepRecord {
        var training = TrainingRecord()
        training.steps = 10
        if let accuracy {
            training.test = Evaluation(loss: 1, accuracy: accuracy, samples: 400)
        } else {
            training.status = .diverged
            training.divergence = TrainingDivergence(step: 3, location: "loss")
        }
        return SweepRecord(configuration: configuration, result: SweepOutcome(training: SweepTrainingOutcome(training)), seconds: 0.1)
    }

    /// Records for `accuracies[depth]` (one per weight variance; `.nan` for NaN, a missing depth or
    /// entry for no record).
    static func records(_ grid: SweepGrid, _ accuracies: [Int: [Double??]]) -> [SweepRecord] {
        grid.configurations.compactMap { configuration in
            guard case let .integer(depth)? = configuration["depth"], let weight = configuration["weight-variance"]?.numericValue,
                  let row = accuracies[depth], let column = weightVariances.firstIndex(of: weight), column < row.count,
                  let accuracy = row[column] else { return nil }
            return record(configuration, accuracy: accuracy)
        }
    }

    /// Chance 1/4 (gaussian-mixture's four classes), best 0.95, so the threshold is 0.6:
    /// depth 2 trains everywhere, depth 8 at 1.5 and 2 (a dip at 1.75 in between), depth 32 at
    /// 1.75 and 2 (a diverged run at 2.5, NaN at 3).
    @Test func bandsPerDepth() throws {
        let grid = try Self.grid()
        let records = Self.records(grid, [
            2: [0.7, 0.9, 0.95, 0.9, 0.8, 0.65],
            8: [0.3, 0.7, 0.5, 0.85, 0.5, 0.3],
            32: [0.25, 0.4, 0.62, 0.61, .some(nil), .nan],
        ])
        let band = try #require(SweepTrainableBand(grid: grid, records: records))
        #expect(band.chance == 0.25)
        #expect(band.best == 0.95)
        #expect(abs(band.threshold - 0.6) < 1e-12)
        #expect(band.bands.map(\.depth) == [2, 8, 32])
        #expect(band.bands.map(\.weightVariances) == [Self.weightVariances, [1.5, 2], [1.75, 2]])
        #expect(band.bands.map(\.isContiguous) == [true, false, true])
        #expect(band.bands.map(\.measured) == [6, 6, 6])
        let critical = try #require(band.criticalWeightVariance)
        #expect(critical == (try MeanFieldTheory(activation: .tanh).criticalWeightScale(biasVariance: 0.05)))
        // Schoenholz et al. 2017 put the edge for tanh at sigma_b^2 = 0.05 near sigma_w^2 = 1.76.
        #expect(critical > 1.75 && critical < 2)
        #expect(band.bandsContainingCritical.map(\.depth) == [2, 8, 32])
        #expect(band.narrowsWithDepth)
    }

    /// A band that widens again, a missing record, and a band that misses the critical point.
    @Test func widensAndMisses() throws {
        let grid = try Self.grid()
        let records = Self.records(grid, [
            2: [0.9, 0.9, 0.3, nil, 0.3, 0.3],
            8: [0.3, 0.9, 0.3, 0.3, 0.3, 0.3],
            32: [0.3, 0.9, 0.9, 0.3, 0.3, 0.3],
        ])
        let band = try #require(SweepTrainableBand(grid: grid, records: records))
        #expect(band.bands.map(\.measured) == [5, 6, 6])
        #expect(band.bands.map(\.weightVariances) == [[1, 1.5], [1.5], [1.5, 1.75]])
        #expect(!band.narrowsWithDepth)
        #expect(band.bandsContainingCritical.isEmpty)
        #expect(band.bands[0].lowest == 1 && band.bands[0].highest == 1.5)
    }

    /// The chance level follows the `classes` setting; grids that are not train x
    /// (weight-variance, depth) with a classification dataset have no band.
    @Test func chanceAndGridsWithoutBand() throws {
        let five = try Self.grid(fixed: ["classes": .integer(5)])
        #expect(five.configuration(at: 0).chanceAccuracy == 0.2)
        let fiveRecords = Self.records(five, [2: [0.2, 0.6]])
        #expect(abs(try #require(SweepTrainableBand(grid: five, records: fiveRecords)).threshold - 0.4) < 1e-12)

        let regression = try Self.grid(fixed: ["dataset": .string("teacher-regression")])
        #expect(regression.configuration(at: 0).chanceAccuracy == nil)
        #expect(SweepTrainableBand(grid: regression, records: []) == nil)

        let threeAxes = try Self.grid(axes: ["seed": [.integer(0), .integer(1)]])
        #expect(SweepTrainableBand(grid: threeAxes, records: Self.records(threeAxes, [2: [0.9]])) == nil)

        let theory = try SweepGrid(kind: .theory, axes: ["weight-variance": [.number(1), .number(2)], "bias-variance": [.number(0), .number(0.1)]], fixed: [:])
        #expect(theory.configuration(at: 0).chanceAccuracy == nil)
        #expect(SweepTrainableBand(grid: theory, records: []) == nil)

        // Every run diverged: no best accuracy, no band.
        let grid = try Self.grid()
        #expect(SweepTrainableBand(grid: grid, records: Self.records(grid, [2: [.some(nil), .some(nil)]])) == nil)
    }
}
