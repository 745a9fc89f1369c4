import Foundation
import Testing
import VarianceKit

@Suite struct PropagationExperimentTests {
    /// The library experiment measures what a network built by hand measures: the first layer's
    /// pre-activation variance against a naive Double computation of `Z = X Wᵀ`.
    @Test func firstLayerVarianceMatchesANaiveComputation() throws {
        let experiment = try PropagationExperiment(
            initializers: [.xavierNormal], activations: [.tanh], depth: 3, width: 16, batch: 32, seed: 5)
        let result = try experiment.run()
        #expect(result.runs.count == 1)
        let run = result.runs[0]
        #expect(run.status == .ok && run.layers.count == 3)

        var input = try Matrix(rows: 32, columns: 16)
        try RandomFill.normal(&input, seed: 5, stream: RandomStream.input.id)
        var weight = try Matrix(rows: 16, columns: 16)
        try Initializer.xavierNormal().fillWeight(&weight, seed: 5, stream: RandomStream.weight(layer: 0).id)
        var values: [Double] = []
        for r in 0..<32 {
            for c in 0..<16 {
                values.append((0..<16).reduce(0.0) { $0 + Double(input[r, $1]) * Double(weight[c, $1]) })
            }
        }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        let measured = try #require(run.layers[0].preactivationVariance)
        #expect(Swift.abs(measured - variance) <= 1e-5 * variance)
        // The theory column is the mean-field prediction for the scheme's target variance.
        let predicted = try #require(run.layers[0].theory.preactivationVariance)
        #expect(Swift.abs(predicted - 16 * 2.0 / 32) < 1e-12)
    }

    @Test func badSettingsAreRejected() {
        #expect(throws: VarianceKitError.self) { try PropagationExperiment(initializers: [], activations: [.tanh], depth: 1, width: 1, batch: 1, seed: 1) }
        #expect(throws: VarianceKitError.self) { try PropagationExperiment(initializers: [.standard], activations: [.tanh], depth: 0, width: 1, batch: 1, seed: 1) }
        #expect(throws: VarianceKitError.self) { try PropagationExperiment(initializers: [.standard], activations: [.tanh], depth: 1, width: 1, batch: 1, seed: 1, gain: 2) }
        #expect(throws: VarianceKitError.self) { try PropagationExperiment(initializers: [.orthogonal], activations: [.tanh], depth: 1, width: 1, batch: 1, seed: 1, gain: .value(.nan)) }
    }

    /// The memory requirement is built from what a network of these widths allocates.
    @Test func memoryRequirementCoversTheNetwork() throws {
        let experiment = try PropagationExperiment(
            initializers: [.standard], activations: [.tanh], depth: 4, width: 32, batch: 8, seed: 1, histogramBins: 0)
        let network = Network.memoryFootprint(widths: experiment.widths, batchSize: 8, randomReadout: true).total
        let input = 8 * 32 * 4
        let records = 4 * 8 * 16
        #expect(experiment.memoryRequirement == network + input + records)
    }
}

@Suite(.serialized) struct MemoryBudgetTests {
    @Test func availableBytesAreReadFromTheSystem() {
        // /proc/meminfo exists on Linux; the figure is positive.
        #expect((MemoryBudget.availableBytes() ?? 0) > 0)
    }

    @Test func requireThrowsTheTypedError() throws {
        guard let available = MemoryBudget.availableBytes() else { return }
        #expect {
            try MemoryBudget.require(Int.max, for: "a test")
        } throws: { error in
            guard case let .insufficientMemory(required, reported, purpose) = error as? VarianceKitError else { return false }
            return required == Int.max && reported > 0 && reported <= available * 2 && purpose == "a test"
        }
        try MemoryBudget.require(1, for: "one byte")
    }
}

@Suite struct RegularizationExperimentTests {
    /// The SGD+L2 and SGD+decoupled-decay runs follow the same trajectory (to rounding); the
    /// Adam+L2 and AdamW runs do not; proximal L1 makes exact zeros and subgradient L1 does not.
    @Test func sectionTwoShowsItself() throws {
        let experiment = try RegularizationExperiment(
            seed: 3, widths: [8, 16, 1], teacherWidths: [8, 4, 1], samples: 64, steps: 60, recordEvery: 20,
            learningRate: 0.05, adamLearningRate: 0.01, lambda: 4)
        let result = try experiment.run()
        #expect(result.runs.count == 6)
        #expect(result.runs.allSatisfy { $0.status == .ok && $0.trainingLoss.count == 4 })
        let (sgdL2, sgdDecay, adamL2, adamW, l1, proximal) = (result.runs[0], result.runs[1], result.runs[2], result.runs[3], result.runs[4], result.runs[5])
        for (a, b) in zip(sgdL2.weightNorm, sgdDecay.weightNorm) { #expect(Swift.abs(a - b) <= 1e-5 * a) }
        #expect(Swift.abs(adamL2.weightNorm.last! - adamW.weightNorm.last!) > 1e-3 * adamW.weightNorm.last!)
        #expect(proximal.sparsity > 0 && l1.sparsity == 0)
        #expect(experiment.recordedSteps == [0, 20, 40, 60])
    }

    @Test func mismatchedTeacherIsRejected() {
        #expect(throws: VarianceKitError.self) {
            try RegularizationExperiment(seed: 1, widths: [8, 4, 1], teacherWidths: [16, 4, 1], samples: 8, steps: 1,
                                         recordEvery: 1, learningRate: 0.1, adamLearningRate: 0.1, lambda: 1)
        }
    }
}

@Suite struct RegularizationDivergenceTests {
    /// A learning rate that blows the weights up is reported as a diverged run, with every
    /// recorded step present (non-finite ones as NaN), and the other runs complete.
    @Test func divergedRunIsReportedAndTheOthersComplete() throws {
        let experiment = try RegularizationExperiment(
            seed: 3, widths: [8, 16, 1], teacherWidths: [8, 4, 1], samples: 32, steps: 20, recordEvery: 5,
            learningRate: 1e30, adamLearningRate: 0.01, lambda: 0)
        let result = try experiment.run()
        #expect(result.runs.count == 6)
        #expect(result.runs.allSatisfy { $0.trainingLoss.count == experiment.recordedSteps.count })
        #expect(result.runs[0].status == .diverged)
        #expect(result.runs[2].status == .ok && result.runs[3].status == .ok)
    }
}

@Suite struct ExperimentDecodingTests {
    /// Decoded experiments pass the same validation as constructed ones, and round-trip.
    @Test func decodingValidates() throws {
        let experiment = try PropagationExperiment(initializers: [.standard], activations: [.tanh], depth: 2, width: 4, batch: 4, seed: 1)
        let data = try JSONEncoder().encode(experiment)
        #expect(try JSONDecoder().decode(PropagationExperiment.self, from: data) == experiment)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["depth"] = -2
        let bad = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: VarianceKitError.self) { try JSONDecoder().decode(PropagationExperiment.self, from: bad) }

        let study = try RegularizationExperiment(seed: 1, widths: [2, 3, 1], teacherWidths: [2, 2, 1], samples: 4, steps: 2,
                                                 recordEvery: 1, learningRate: 0.1, adamLearningRate: 0.1, lambda: 1)
        let studyData = try JSONEncoder().encode(study)
        #expect(try JSONDecoder().decode(RegularizationExperiment.self, from: studyData) == study)
        var studyObject = try #require(try JSONSerialization.jsonObject(with: studyData) as? [String: Any])
        studyObject["widths"] = [Int]()
        #expect(throws: VarianceKitError.self) {
            try JSONDecoder().decode(RegularizationExperiment.self, from: try JSONSerialization.data(withJSONObject: studyObject))
        }
    }
}
