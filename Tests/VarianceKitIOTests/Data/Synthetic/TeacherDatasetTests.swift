import Foundation
import Testing
import VarianceKit

/// A tanh network with a linear output layer in Double, naive loops.
struct ReferenceTeacher {
    var weights: [[[Double]]]      // [layer][output][input]
    var outputBias: [Double]

    /// The outputs for each row of `x`.
    func forward(_ x: [[Double]]) -> [[Double]] {
        x.map { row in
            var current = row
            for (layer, weight) in weights.enumerated() {
                let last = layer == weights.count - 1
                current = weight.enumerated().map { output, w in
                    var sum = last ? outputBias[output] : 0
                    for i in current.indices { sum += w[i] * current[i] }
                    return last ? sum : tanh(sum)
                }
            }
            return current
        }
    }
}

@Suite struct TeacherDatasetTests {
    /// The teacher's layers rebuilt without `Network`: weights by `Initializer.fillWeight` on the
    /// documented streams, the given output biases, tanh hidden layers and a linear output.
    static func referenceTeacher(widths: [Int], seed: UInt64, outputBias: [Double]? = nil) throws -> ReferenceTeacher {
        var weights: [[[Double]]] = []
        for layer in 0 ..< widths.count - 1 {
            var weight = try Matrix(rows: widths[layer + 1], columns: widths[layer])
            try Initializer.xavierNormal().fillWeight(&weight, seed: seed, stream: RandomStream.weight(layer: layer).id)
            weights.append((0 ..< weight.rows).map { o in (0 ..< weight.columns).map { Double(weight[o, $0]) } })
        }
        return ReferenceTeacher(weights: weights, outputBias: outputBias ?? [Double](repeating: 0, count: widths[widths.count - 1]))
    }

    static func rows(_ matrix: Matrix) -> [[Double]] {
        (0 ..< matrix.rows).map { r in (0 ..< matrix.columns).map { Double(matrix[r, $0]) } }
    }

    /// Regression targets are the teacher's outputs on standard-normal inputs drawn on
    /// `RandomStream.teacherInput`, computed here in Double with naive loops.
    @Test func regressionTargetsAreTheTeacherOutputs() throws {
        let widths = [5, 12, 7, 3]
        let task = try TeacherDataset(task: .regression, samples: 300, widths: widths, seed: 31)
        let dataset = try task.makeDataset()
        #expect(dataset.name == "teacher-regression" && !dataset.isClassification)
        #expect(dataset.sampleCount == 300 && dataset.featureCount == 5 && dataset.outputCount == 3)

        var inputs = try Matrix(rows: 300, columns: 5)
        try RandomFill.normal(&inputs, seed: 31, stream: RandomStream.teacherInput.id)
        #expect(dataset.features == inputs)

        let reference = try Self.referenceTeacher(widths: widths, seed: 31).forward(Self.rows(inputs))
        guard case let .values(targets) = dataset.targets else { Issue.record("regression targets expected"); return }
        var worst = 0.0
        for r in 0 ..< 300 {
            for c in 0 ..< 3 { worst = max(worst, abs(Double(targets[r, c]) - reference[r][c])) }
        }
        #expect(worst <= 1e-5, "largest difference from the Double reference: \(worst)")
    }

    /// With noise, targets minus the noise-free targets are N(0, sigma^2) (moments within 5
    /// standard errors over 6000 values), drawn on another stream than the inputs.
    @Test func regressionNoiseHasTheGivenStandardDeviation() throws {
        let clean = try TeacherDataset(task: .regression, samples: 2000, widths: [4, 8, 3], seed: 9).makeDataset()
        let noisy = try TeacherDataset(task: .regression, samples: 2000, widths: [4, 8, 3], noiseStandardDeviation: 0.5, seed: 9).makeDataset()
        #expect(clean.features == noisy.features)
        guard case let .values(a) = clean.targets, case let .values(b) = noisy.targets else { Issue.record("regression targets expected"); return }
        let differences = zip(a.elements, b.elements).map { Double($1) - Double($0) }
        let n = Double(differences.count)
        let mean = differences.reduce(0, +) / n
        let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        #expect(abs(mean) <= 5 * 0.5 / n.squareRoot())
        // SE of the variance of a normal: sigma^2 sqrt(2/n).
        #expect(abs(variance - 0.25) <= 5 * 0.25 * (2 / n).squareRoot(), "noise variance \(variance)")
    }

    /// Labels are the argmax of the teacher's outputs with its calibrated output biases,
    /// computed in Double (rows whose two best scores are within 1e-4 may go either way).
    @Test func classificationLabelsAreTheTeacherArgmax() throws {
        let widths = [6, 16, 5]
        let task = try TeacherDataset(task: .classification, samples: 500, widths: widths, seed: 77)
        let dataset = try task.makeDataset()
        #expect(dataset.name == "teacher-classification" && dataset.isClassification && dataset.outputCount == 5)
        let teacher = try task.teacher()
        let bias = try #require(teacher.layers.last?.bias)
        let biases = (0 ..< 5).map { Double(bias[0, $0]) }
        let biasSum = biases.reduce(0, +)
        let biasScale = biases.map { abs($0) }.reduce(0, +)
        #expect(abs(biasSum) <= 1e-5 * (1 + biasScale))
        let scores = try Self.referenceTeacher(widths: widths, seed: 77, outputBias: biases).forward(Self.rows(dataset.features))
        let labels = try #require(dataset.labels)
        var checked = 0
        for (row, label) in labels.enumerated() {
            let sorted = scores[row].sorted(by: >)
            guard sorted[0] - sorted[1] > 1e-4 else { continue }
            checked += 1
            #expect(label == scores[row].firstIndex(of: sorted[0]), "row \(row)")
        }
        #expect(checked >= 490)
    }

    /// The calibrated teacher's classes are balanced: each class holds `n/K` of `n = 20 000`
    /// fresh samples within 5 standard deviations of the relative error, `sqrt(1/1024 + K/n)`
    /// (the calibration's 1024 samples per class, then the dataset's own sampling), for several
    /// class counts and seeds, where the bias-free argmax leaves the largest class at least twice
    /// the smallest (from 5 classes on).
    @Test(arguments: [(2, UInt64(1)), (3, 2), (5, 3), (10, 4), (10, 5), (32, 6)])
    func classesAreBalanced(classes: Int, seed: UInt64) throws {
        let samples = 20_000
        let dataset = try TeacherDataset(task: .classification, samples: samples, widths: [16, 64, classes], seed: seed).makeDataset()
        var counts = [Int](repeating: 0, count: classes)
        for label in try #require(dataset.labels) { counts[label] += 1 }
        let share = Double(samples) / Double(classes)
        let tolerance = 5 * (1 / Double(TeacherDataset.calibrationSamplesPerClass) + 1 / share).squareRoot()
        #expect(counts.allSatisfy { abs(Double($0) / share - 1) <= tolerance }, "class counts \(counts), share \(share)")
        // The same teacher without the calibrated biases.
        let bare = try Network(widths: [16, 64, classes], activation: .tanh, initializer: .xavierNormal(), outputActivation: .linear, seed: seed)
        let scores = try bare.forward(dataset.features)
        var bareCounts = [Int](repeating: 0, count: classes)
        for row in 0 ..< samples {
            let values = scores.row(row)
            bareCounts[values.firstIndex(of: values.max()!)!] += 1
        }
        if classes >= 5 {
            #expect(Double(bareCounts.max()!) >= 2 * Double(bareCounts.min()!), "bias-free class counts \(bareCounts)")
        }
    }

    @Test func seedsDecideTheData() throws {
        func make(_ seed: UInt64) throws -> Dataset {
            try TeacherDataset(task: .classification, samples: 200, widths: [4, 8, 3], seed: seed).makeDataset()
        }
        let (a, b, c) = (try make(5), try make(5), try make(6))
        #expect(a.features == b.features && a.labels == b.labels)
        #expect(a.features != c.features)
        let regressionA = try TeacherDataset(task: .regression, samples: 50, widths: [4, 3], noiseStandardDeviation: 0.1, seed: 5).makeDataset()
        let regressionB = try TeacherDataset(task: .regression, samples: 50, widths: [4, 3], noiseStandardDeviation: 0.1, seed: 5).makeDataset()
        #expect(regressionA.targets == regressionB.targets)
    }

    /// Datasets larger than one teacher batch (4096 rows) are labelled batch by batch alike.
    @Test func largeDatasetsAreLabelledAcrossBatches() throws {
        let widths = [3, 4, 2]
        let dataset = try TeacherDataset(task: .regression, samples: 4096 + 37, widths: widths, seed: 12).makeDataset()
        let reference = try Self.referenceTeacher(widths: widths, seed: 12)
        guard case let .values(targets) = dataset.targets else { Issue.record("regression targets expected"); return }
        for row in [0, 4095, 4096, 4096 + 36] {
            let expected = reference.forward([(0 ..< 3).map { Double(dataset.features[row, $0]) }])[0]
            for c in 0 ..< 2 { #expect(abs(Double(targets[row, c]) - expected[c]) <= 1e-5, "row \(row)") }
        }
    }

    @Test func parametersAreValidated() {
        #expect(throws: VarianceKitError.self) { try TeacherDataset(task: .regression, samples: 0, widths: [2, 2], seed: 1) }
        #expect(throws: VarianceKitError.self) { try TeacherDataset(task: .regression, samples: 1, widths: [2], seed: 1) }
        #expect(throws: VarianceKitError.self) { try TeacherDataset(task: .regression, samples: 1, widths: [2, 0], seed: 1) }
        #expect(throws: VarianceKitError.self) { try TeacherDataset(task: .classification, samples: 1, widths: [2, 1], seed: 1) }
        #expect(throws: VarianceKitError.self) { try TeacherDataset(task: .classification, samples: 1, widths: [2, 2], noiseStandardDeviation: 0.1, seed: 1) }
        #expect(throws: VarianceKitError.self) { try TeacherDataset(task: .regression, samples: 1, widths: [2, 2], noiseStandardDeviation: -1, seed: 1) }
        #expect(throws: VarianceKitError.self) { try TeacherDataset(task: .regression, samples: 1, widths: [2, 2], noiseStandardDeviation: .nan, seed: 1) }
        #expect(throws: VarianceKitError.self) { try TeacherDataset(task: .regression, samples: 1, widths: [2, 2], activation: .leakyReLU(slope: -1), seed: 1) }
        // An initializer the teacher's layers refuse is reported when the teacher is built, naming the layer.
        #expect {
            try TeacherDataset(task: .regression, samples: 1, widths: [2, 3, 2], initializer: .uniform(low: 1, high: 0), seed: 1).makeDataset()
        } throws: { error in
            if case .inLayer(layer: 1, layers: 2, underlying: .invalidParameter) = error as? VarianceKitError { return true }
            return false
        }
    }
}
