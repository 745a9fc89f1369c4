import Foundation
import Testing
@testable import VarianceKit

/// A small classification dataset whose feature `j` of sample `i` is `i + j / 100` and whose
/// label is `i mod classes`: every value says which sample it came from.
func indexedDataset(samples: Int, features: Int, classes: Int) throws -> Dataset {
    var x = try Matrix(rows: samples, columns: features)
    for i in 0..<samples { for j in 0..<features { x[i, j] = Float(i) + Float(j) / 100 } }
    return try Dataset(name: "indexed", features: x, targets: .classes(labels: (0..<samples).map { $0 % classes }, classCount: classes))
}

@Suite struct MatrixRowsTests {
    @Test func gatherAndSliceCopyTheNamedRows() throws {
        var random = TestRandom(seed: 3)
        let source = random.matrix(7, 5)
        let indices = [6, 0, 3, 3, 1]
        let gathered = try source.gatheringRows(indices)
        #expect(gathered.rows == 5 && gathered.columns == 5)
        for (k, i) in indices.enumerated() { for j in 0..<5 { #expect(gathered[k, j] == source[i, j]) } }
        let slice = try source.rows(2..<5)
        for r in 0..<3 { for j in 0..<5 { #expect(slice[r, j] == source[r + 2, j]) } }
        #expect(try source.rows(3..<3).rows == 0)
    }

    @Test func badIndicesAndShapesAreRefusedAndLeaveTheDestinationAlone() throws {
        let source = try Matrix(rows: 4, columns: 3, repeating: 1)
        var destination = try Matrix(rows: 2, columns: 3, repeating: 7)
        #expect(throws: VarianceKitError.self) { try destination.gatherRows([0, 4], from: source) }
        #expect(throws: VarianceKitError.self) { try destination.gatherRows([0, -1], from: source) }
        #expect(throws: VarianceKitError.self) { try destination.gatherRows([0, 1, 2], from: source) }
        #expect(destination.elements.allSatisfy { $0 == 7 })
        #expect(throws: VarianceKitError.self) { try source.rows(2..<5) }
        #expect(throws: VarianceKitError.self) { try source.rows(-1..<2) }
    }
}

@Suite struct DatasetTests {
    @Test func labelsAndTargetsMustFitTheFeatures() throws {
        let x = try Matrix(rows: 3, columns: 2)
        #expect(throws: VarianceKitError.self) { try Dataset(name: "d", features: x, targets: .classes(labels: [0, 1], classCount: 2)) }
        #expect(throws: VarianceKitError.self) { try Dataset(name: "d", features: x, targets: .classes(labels: [0, 1, 2], classCount: 2)) }
        #expect(throws: VarianceKitError.self) { try Dataset(name: "d", features: x, targets: .classes(labels: [0, 0, -1], classCount: 2)) }
        #expect(throws: VarianceKitError.self) { try Dataset(name: "d", features: x, targets: .values(try Matrix(rows: 2, columns: 1))) }
        let ok = try Dataset(name: "d", features: x, targets: .values(try Matrix(rows: 3, columns: 4)))
        #expect(ok.outputCount == 4 && !ok.isClassification)
    }

    /// The three parts are disjoint, cover every sample, have the sizes `round(f n)` says, keep
    /// each sample's features with its label, and depend on the seed alone.
    @Test func splitIsAPartitionFixedByTheSeed() throws {
        let data = try indexedDataset(samples: 103, features: 3, classes: 4)
        let split = try data.split(validationFraction: 0.1, testFraction: 0.2, seed: 9)
        #expect(split.validation.sampleCount == 10)
        #expect(split.test.sampleCount == 21)
        #expect(split.train.sampleCount == 72)
        var seen: [Int] = []
        for part in [split.train, split.validation, split.test] {
            for r in 0..<part.sampleCount {
                let sample = Int(part.features[r, 0])
                #expect(part.features[r, 2] == Float(sample) + 0.02)
                #expect(part.labels![r] == sample % 4)
                seen.append(sample)
            }
        }
        #expect(seen.sorted() == Array(0..<103))
        let again = try data.split(validationFraction: 0.1, testFraction: 0.2, seed: 9)
        #expect(again.train.features == split.train.features)
        let other = try data.split(validationFraction: 0.1, testFraction: 0.2, seed: 10)
        #expect(other.train.features != split.train.features)
    }

    @Test func splitRefusesFractionsThatLeaveNoTrainingSample() throws {
        let data = try indexedDataset(samples: 10, features: 1, classes: 2)
        #expect(throws: VarianceKitError.self) { try data.split(validationFraction: 0.5, testFraction: 0.5, seed: 1) }
        #expect(throws: VarianceKitError.self) { try data.split(validationFraction: -0.1, testFraction: 0, seed: 1) }
        #expect(throws: VarianceKitError.self) { try data.split(validationFraction: .nan, testFraction: 0, seed: 1) }
        #expect(throws: VarianceKitError.self) { try data.split(validationFraction: 1, testFraction: 0, seed: 1) }
    }

    /// Fisher-Yates with exact bounded draws: over many shuffles of 4 items every one of the 24
    /// orders appears, each about 1/24 of the time (chi-square against the uniform law).
    @Test func permutationsAreUniform() {
        var counts: [[Int]: Int] = [:]
        let trials = 24_000
        for block in 0..<trials {
            counts[Dataset.permutation(count: 4, seed: 5, stream: 77, block: UInt64(block) * 8), default: 0] += 1
        }
        #expect(counts.count == 24)
        let expected = Double(trials) / 24
        let chiSquare = counts.values.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        // 23 degrees of freedom: P(chi2 > 49.7) = 0.001.
        #expect(chiSquare < 49.7)
    }

    @Test func boundedDrawIsExactAndInRange() {
        var generator = Philox4x32(seed: 1, stream: 2)
        var counts = [Int](repeating: 0, count: 3)
        for _ in 0..<30_000 { counts[Int(generator.nextBounded(3))] += 1 }
        for count in counts { #expect(abs(count - 10_000) < 400) }
        for _ in 0..<100 { #expect(generator.nextBounded(1) == 0) }
    }
}

@Suite struct StandardizationTests {
    /// Fitted on the training split only: its columns get mean 0 and variance 1 (checked in
    /// Double), a constant column is only centred, and the other splits get the training
    /// split's `(x - μ)/s`, computed here independently.
    @Test func fittedOnTrainingAppliedToAll() throws {
        var x = try Matrix(rows: 40, columns: 3)
        for i in 0..<40 {
            x[i, 0] = Float(i) * 3 + 1
            x[i, 1] = 5
            x[i, 2] = Float((i * 7) % 11) - 2
        }
        let data = try Dataset(name: "s", features: x, targets: .values(try Matrix(rows: 40, columns: 1)))
        let split = try data.split(validationFraction: 0.25, testFraction: 0.25, seed: 2)
        let (standardized, fitted) = try split.standardized()
        let train = split.train.features
        for c in 0..<3 {
            let values = (0..<train.rows).map { Double(train[$0, c]) }
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
            let scale = sd > 0 ? sd : 1
            let column = (0..<train.rows).map { Double(standardized.train.features[$0, c]) }
            let newMean = column.reduce(0, +) / Double(column.count)
            let newVariance = column.map { ($0 - newMean) * ($0 - newMean) }.reduce(0, +) / Double(column.count)
            #expect(abs(newMean) < 1e-5)
            #expect(abs(newVariance - (sd > 0 ? 1 : 0)) < 1e-5)
            for r in 0..<split.test.sampleCount {
                let expected = (Double(split.test.features[r, c]) - mean) / scale
                #expect(abs(Double(standardized.test.features[r, c]) - expected) < 1e-5 * max(1, abs(expected)))
            }
        }
        #expect(fitted.scales[1] == 1)
        var wrong = try Matrix(rows: 2, columns: 4)
        #expect(throws: VarianceKitError.self) { try fitted.apply(to: &wrong) }
    }

    @Test func nonFiniteFeaturesAndEmptyDataAreRefused() throws {
        var x = try Matrix(rows: 3, columns: 2)
        x[1, 1] = .nan
        #expect(throws: VarianceKitError.self) { try Standardization(fittedTo: x) }
        #expect(throws: VarianceKitError.self) { try Standardization(fittedTo: try Matrix(rows: 0, columns: 2)) }
        #expect(throws: VarianceKitError.self) { try Standardization(means: [0, 1], scales: [1, 0]) }
    }
}

@Suite struct MinibatchIteratorTests {
    /// Each epoch visits `⌊n/B⌋ B` distinct samples in full batches, with their labels; the next
    /// epoch's order differs; the order is fixed by the seed.
    @Test func epochsArePermutationsWithMatchingLabels() throws {
        let data = try indexedDataset(samples: 50, features: 2, classes: 3)
        var batches = try MinibatchIterator(dataset: data, batchSize: 8, seed: 4)
        #expect(batches.batchesPerEpoch == 6)
        var epochs: [[Int]] = [[], []]
        for _ in 0..<12 {
            batches.next()
            for r in 0..<8 {
                let sample = Int(batches.features[r, 0])
                #expect(batches.features[r, 1] == Float(sample) + 0.01)
                #expect(batches.labels[r] == sample % 3)
                epochs[batches.epoch].append(sample)
            }
        }
        #expect(batches.epoch == 1)
        for epoch in epochs {
            #expect(epoch.count == 48)
            #expect(Set(epoch).count == 48)
        }
        #expect(epochs[0] != epochs[1])
        var same = try MinibatchIterator(dataset: data, batchSize: 8, seed: 4)
        same.next()
        var first = try MinibatchIterator(dataset: data, batchSize: 8, seed: 4)
        first.next()
        #expect(same.features == first.features)
    }

    /// Seeking to batch k gives exactly what k batches of iteration give.
    @Test func seekMatchesIteration() throws {
        let data = try indexedDataset(samples: 37, features: 3, classes: 2)
        var walked = try MinibatchIterator(dataset: data, batchSize: 5, seed: 11)
        for k in 0..<23 {
            var sought = try MinibatchIterator(dataset: data, batchSize: 5, seed: 11)
            try sought.seek(afterBatches: k)
            walked.next()
            sought.next()
            #expect(sought.features == walked.features)
            #expect(sought.labels == walked.labels)
            #expect(sought.epoch == walked.epoch && sought.batchIndex == walked.batchIndex)
        }
    }

    @Test func regressionTargetsFollowTheirRows() throws {
        var x = try Matrix(rows: 9, columns: 1)
        var t = try Matrix(rows: 9, columns: 2)
        for i in 0..<9 { x[i, 0] = Float(i); t[i, 0] = Float(i) * 10; t[i, 1] = -Float(i) }
        var batches = try MinibatchIterator(dataset: try Dataset(name: "r", features: x, targets: .values(t)), batchSize: 4, seed: 1)
        batches.next()
        for r in 0..<4 {
            #expect(batches.targets[r, 0] == batches.features[r, 0] * 10)
            #expect(batches.targets[r, 1] == -batches.features[r, 0])
        }
        if case .meanSquaredError = batches.loss {} else { Issue.record("regression batches use the mean squared error") }
    }

    @Test func batchLargerThanTheDataIsRefused() throws {
        let data = try indexedDataset(samples: 5, features: 1, classes: 2)
        #expect(throws: VarianceKitError.self) { try MinibatchIterator(dataset: data, batchSize: 6, seed: 0) }
        #expect(throws: VarianceKitError.self) { try MinibatchIterator(dataset: data, batchSize: 0, seed: 0) }
        var batches = try MinibatchIterator(dataset: data, batchSize: 2, seed: 0)
        #expect(throws: VarianceKitError.self) { try batches.seek(afterBatches: -1) }
    }
}
