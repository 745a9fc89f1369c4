import Foundation
import Testing
@testable import VarianceKit

/// Two classes in 6 dimensions: class c's samples are `±0.8` on every feature plus uniform noise
/// in [-1, 1]; separable enough that any optimizer lowers the loss fast.
func blobSplit(samples: Int = 240, seed: UInt64 = 1) throws -> DatasetSplit {
    var random = TestRandom(seed: seed)
    var x = try Matrix(rows: samples, columns: 6)
    var labels: [Int] = []
    for i in 0..<samples {
        let label = i % 2
        labels.append(label)
        for j in 0..<6 { x[i, j] = (label == 0 ? -0.8 : 0.8) + random.nextSigned() }
    }
    let data = try Dataset(name: "blobs", features: x, targets: .classes(labels: labels, classCount: 2))
    return try data.split(validationFraction: 0.2, testFraction: 0.2, seed: seed)
}

func blobTrainer(_ settings: OptimizerSettings, steps: Int = 60, evaluateEvery: Int = 20, probeEvery: Int = 0) throws -> Trainer {
    let network = try Network(widths: [6, 16, 16, 2], activation: .tanh, initializer: .xavierNormal(), outputActivation: .linear, seed: 3)
    let training = try TrainingSettings(batchSize: 16, steps: steps, evaluateEvery: evaluateEvery, probeEvery: probeEvery, shuffleSeed: 5)
    return try Trainer(network: network, optimizer: settings.makeOptimizer(), data: blobSplit(), settings: training)
}

@Suite struct TrainerTests {
    /// A short run lowers the training and validation loss under every optimizer.
    @Test(arguments: OptimizerSettings.Algorithm.allCases)
    func shortRunLowersTheLoss(algorithm: OptimizerSettings.Algorithm) throws {
        let rate: Float = [.adam, .adamw].contains(algorithm) ? 0.01 : 0.05
        let trainer = try blobTrainer(try OptimizerSettings(algorithm: algorithm, learningRate: rate, weightDecay: algorithm == .adamw ? 0.01 : 0))
        let record = try trainer.train()
        #expect(record.status == .ok)
        #expect(record.steps == 60)
        #expect(record.points.map(\.step) == [0, 20, 40, 60])
        let first = try #require(record.points.first)
        let last = try #require(record.points.last)
        #expect(last.trainingLoss < 0.7 * first.trainingLoss)
        let lastValidation = try #require(last.validation)
        let firstValidation = try #require(first.validation)
        #expect(lastValidation.loss < firstValidation.loss)
        #expect(try #require(record.test?.accuracy) > 0.8)
        #expect(last.weightNorms.count == 3 && last.zeroFractions.count == 3)
    }

    /// The evaluation's loss and accuracy equal an independent Double forward pass over every
    /// sample (tanh hidden layers, linear output, softmax cross-entropy).
    @Test func evaluationMatchesADoubleReference() throws {
        let trainer = try blobTrainer(try OptimizerSettings(algorithm: .sgd, learningRate: 0.05), steps: 7, evaluateEvery: 7)
        try trainer.train()
        let test = trainer.data.test
        var lossSum = 0.0
        var correct = 0
        for i in 0..<test.sampleCount {
            var a = (0..<6).map { Double(test.features[i, $0]) }
            for (index, layer) in trainer.network.layers.enumerated() {
                let bias = layer.bias!
                a = (0..<layer.outputs).map { o in
                    let z = (0..<layer.inputs).reduce(Double(bias[0, o])) { $0 + Double(layer.weight[o, $1]) * a[$1] }
                    return index == trainer.network.depth - 1 ? z : Foundation.tanh(z)
                }
            }
            let largest = a.max()!
            let logSum = Foundation.log(a.map { Foundation.exp($0 - largest) }.reduce(0, +)) + largest
            let label = test.labels![i]
            lossSum += logSum - a[label]
            if a.firstIndex(of: largest)! == label { correct += 1 }
        }
        let evaluation = try trainer.evaluate(test)
        #expect(abs(evaluation.loss - lossSum / Double(test.sampleCount)) < 1e-5)
        #expect(evaluation.accuracy == Double(correct) / Double(test.sampleCount))
        #expect(evaluation.samples == test.sampleCount)
    }

    /// A learning rate far too large: the run stops as diverged, says at which step and where,
    /// and does not throw.
    @Test func divergingRunStopsAndSaysWhere() throws {
        var random = TestRandom(seed: 8)
        let x = random.matrix(64, 4)
        var y = try Matrix(rows: 64, columns: 1)
        for i in 0..<64 { y[i, 0] = (0..<4).reduce(0) { $0 + x[i, $1] } }
        let split = try Dataset(name: "sum", features: x, targets: .values(y)).split(validationFraction: 0.25, testFraction: 0, seed: 1)
        let network = try Network(widths: [4, 8, 1], activation: .relu, initializer: .heNormal(), outputActivation: .linear, seed: 2)
        let trainer = try Trainer(network: network, optimizer: SGD(learningRate: 1e6), data: split,
                                  settings: TrainingSettings(batchSize: 8, steps: 50, evaluateEvery: 10))
        let record = try trainer.train()
        #expect(record.status == .diverged)
        let divergence = try #require(record.divergence)
        #expect(divergence.step < 50)
        #expect(record.steps == divergence.step)
        #expect(!divergence.location.isEmpty)
        #expect(record.stopReason?.contains("diverged") == true)
        #expect(record.finalTraining == nil)
    }

    @Test func observersSeeEveryStepAndCanStopTheRun() throws {
        let trainer = try blobTrainer(try OptimizerSettings(algorithm: .sgd, learningRate: 0.05), steps: 60, evaluateEvery: 10)
        var seenSteps: [Int] = []
        var points = 0
        trainer.observers.append(ClosureObserver { event, _ in
            switch event {
            case let .step(step, _):
                seenSteps.append(step)
                return step == 25 ? .stop(reason: "enough") : .proceed
            case .point: points += 1
            case .probe: break
            }
            return .proceed
        })
        let record = try trainer.train()
        #expect(seenSteps == Array(1...25))
        #expect(record.steps == 25)
        #expect(record.stopReason == "enough")
        // Points at 0, 10, 20, and the final one at 25.
        #expect(record.points.map(\.step) == [0, 10, 20, 25])
        #expect(points == 4)
    }

    /// Probes every k steps see that step's forward and backward pass.
    @Test func probesAreRecordedEveryKSteps() throws {
        let trainer = try blobTrainer(try OptimizerSettings(algorithm: .adam, learningRate: 0.01), steps: 20, evaluateEvery: 20, probeEvery: 5)
        let record = try trainer.train()
        #expect(record.probes.map(\.step) == [0, 5, 10, 15])
        for probe in record.probes {
            #expect(probe.activationVariance.count == 3)
            #expect(probe.activationVariance.allSatisfy { ($0 ?? -1) >= 0 })
            #expect(probe.weightGradientVariance.allSatisfy { ($0 ?? -1) > 0 })
        }
    }

    /// Training 40 steps equals training 20, rebuilding the trainer from the weights and the
    /// optimizer state, and training 20 more: the same bits (Adam's step counts and moments,
    /// the minibatch order across an epoch boundary).
    @Test(arguments: [OptimizerSettings.Algorithm.momentum, .adamw])
    func resumingInMemoryIsBitIdentical(algorithm: OptimizerSettings.Algorithm) throws {
        let settings = try OptimizerSettings(algorithm: algorithm, learningRate: 0.01, weightDecay: 0.01)
        let whole = try blobTrainer(settings, steps: 40, evaluateEvery: 40)
        try whole.train()

        let first = try blobTrainer(settings, steps: 40, evaluateEvery: 40)
        try first.train(steps: 20)
        let second = try blobTrainer(settings, steps: 40, evaluateEvery: 40)
        for (source, target) in zip(first.network.layers, second.network.layers) {
            try target.setWeight(source.weight)
            try target.setBias(source.bias!)
        }
        let optimizer = try #require(second.optimizer as? FusedOptimizer)
        first.network.forEachParameter { id, values, _ in
            try! optimizer.restoreState(first.optimizer.state(for: id)!, for: id, rows: values.rows, columns: values.columns)
        }
        try second.resume(afterSteps: 20, record: first.record)
        try second.train()
        for (a, b) in zip(whole.network.layers, second.network.layers) {
            #expect(a.weight == b.weight)
            #expect(a.bias! == b.bias!)
        }
        #expect(second.stepsTaken == 40)
    }

    @Test func networkThatDoesNotFitTheDataIsRefused() throws {
        let split = try blobSplit()
        let settings = try TrainingSettings(batchSize: 8, steps: 5, evaluateEvery: 5)
        let wrongInputs = try Network(widths: [5, 2], activation: .linear, initializer: .xavierNormal(), seed: 1)
        #expect(throws: VarianceKitError.self) { try Trainer(network: wrongInputs, optimizer: SGD(learningRate: 0.1), data: split, settings: settings) }
        let wrongOutputs = try Network(widths: [6, 3], activation: .linear, initializer: .xavierNormal(), seed: 1)
        #expect(throws: VarianceKitError.self) { try Trainer(network: wrongOutputs, optimizer: SGD(learningRate: 0.1), data: split, settings: settings) }
        let tooBig = try TrainingSettings(batchSize: 10_000, steps: 5, evaluateEvery: 5)
        let network = try Network(widths: [6, 2], activation: .linear, initializer: .xavierNormal(), seed: 1)
        #expect(throws: VarianceKitError.self) { try Trainer(network: network, optimizer: SGD(learningRate: 0.1), data: split, settings: tooBig) }
    }

    @Test func settingsOutOfRangeAreRefused() throws {
        #expect(throws: VarianceKitError.self) { try TrainingSettings(batchSize: 0, steps: 5, evaluateEvery: 5) }
        #expect(throws: VarianceKitError.self) { try TrainingSettings(batchSize: 4, steps: 0, evaluateEvery: 5) }
        #expect(throws: VarianceKitError.self) { try TrainingSettings(batchSize: 4, steps: 5, evaluateEvery: 0) }
        #expect(throws: VarianceKitError.self) { try TrainingSettings(batchSize: 4, steps: 5, evaluateEvery: 1, probeEvery: -1) }
        #expect(try TrainingSettings.steps(epochs: 3, trainingSamples: 100, batchSize: 32) == 9)
        #expect(throws: VarianceKitError.self) { try TrainingSettings.steps(epochs: 0, trainingSamples: 100, batchSize: 32) }
        #expect(throws: VarianceKitError.self) { try OptimizerSettings(algorithm: .sgd, learningRate: -1) }
        #expect(throws: VarianceKitError.self) { try OptimizerSettings(algorithm: .adam, learningRate: .nan) }
    }

    @Test func penaltiesParseTheirDocumentedForms() throws {
        #expect(try PenaltySettings(parsing: "none").isNone)
        #expect(try PenaltySettings(parsing: "l2:0.5") == PenaltySettings(l2: 0.5))
        #expect(try PenaltySettings(parsing: "L1:2") == PenaltySettings(l1: 2))
        #expect(try PenaltySettings(parsing: "l1-proximal:0.1") == PenaltySettings(l1: 0.1, l1Method: .proximal))
        #expect(try PenaltySettings(parsing: "elastic-net:1:2") == PenaltySettings(l1: 1, l2: 2))
        for bad in ["l2", "l2:-1", "l2:nan", "l3:1", "", "l2:1:2", "elastic-net:1"] {
            #expect(throws: VarianceKitError.self) { try PenaltySettings(parsing: bad) }
        }
        for form in ["none", "l2:0.25", "l1:3.0", "l1-proximal:0.5", "elastic-net:1.0:2.0"] {
            let parsed = try PenaltySettings(parsing: form)
            #expect(try PenaltySettings(parsing: parsed.name) == parsed)
        }
    }
}
