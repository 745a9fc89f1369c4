import Foundation
import Testing
@testable import VarianceKit

@Suite struct TrainingPresetTests {
    /// The decay preset's first four runs: SGD+L2 and SGD with decoupled decay at the equivalent
    /// setting give the same trajectory and weights up to rounding; Adam+L2 and AdamW do not.
    @Test func decayPairsAgreeUnderSGDAndDifferUnderAdam() throws {
        let plan = try TrainingPreset.decay.plan(reduced: true, seed: 1)
        var weights: [[Matrix]] = []
        var curves: [[Double]] = []
        for configuration in plan.experiment.configurations.prefix(4) {
            let network = try plan.experiment.makeNetwork(configuration, for: plan.data)
            let trainer = try Trainer(network: network, optimizerSettings: configuration.optimizer, data: plan.data,
                                      settings: plan.experiment.settings)
            let record = try trainer.train()
            weights.append(network.layers.map(\.weight))
            curves.append(record.points.map(\.trainingLoss))
        }
        func largestRelativeDifference(_ a: [Matrix], _ b: [Matrix]) -> Double {
            zip(a, b).map { x, y in
                zip(x.elements, y.elements).map { Double(abs($0 - $1)) / max(Double(abs($0)), 1e-3) }.max() ?? 0
            }.max() ?? 0
        }
        // SGD: w - η(g + λw) and (1 - ηλ)w - ηg differ only in rounding.
        #expect(largestRelativeDifference(weights[0], weights[1]) < 1e-3)
        for (p, q) in zip(curves[0], curves[1]) { #expect(abs(p - q) <= 1e-4 * abs(p)) }
        // Adam rescales the L2 gradient; AdamW's decay is not rescaled.
        #expect(largestRelativeDifference(weights[2], weights[3]) > 1e-2)
        #expect(zip(curves[2], curves[3]).contains { abs($0 - $1) > 1e-3 * abs($0) })
    }

    /// Every preset's plan builds, its networks fit its data, and its claim is stated.
    @Test(arguments: TrainingPreset.allCases)
    func plansAreConsistent(preset: TrainingPreset) throws {
        let plan = try preset.plan(reduced: true, seed: 2)
        #expect(!preset.claim.isEmpty)
        for configuration in plan.experiment.configurations.prefix(2) {
            let network = try plan.experiment.makeNetwork(configuration, for: plan.data)
            #expect(network.inputs == plan.data.train.featureCount && network.outputs == plan.data.train.outputCount)
        }
        #expect(plan.experiment.settings.batchSize <= plan.data.train.sampleCount)
    }

    /// The verdict reads the runs it is given: a decay grid whose best decay moves with the
    /// learning rate has a slope; one whose best decay stays put has none.
    @Test func bestDecayTrendReadsTheGrid() throws {
        let rates = TrainingPreset.decayGridLearningRates.count, decays = TrainingPreset.decayGridDecays.count
        func grid(best: (Int) -> Int) throws -> [TrainingRun] {
            var runs: [TrainingRun] = []
            for r in 0..<rates {
                for c in 0..<decays {
                    var record = TrainingRecord()
                    record.finalValidation = Evaluation(loss: c == best(r) ? 0.1 : 1, accuracy: nil, samples: 10)
                    runs.append(TrainingRun(configuration: .init(initializer: .heNormal, activation: .relu,
                                                                 optimizer: try OptimizerSettings(algorithm: .adam, learningRate: 0.001)),
                                            record: record))
                }
            }
            return runs
        }
        #expect(abs(TrainingPreset.bestDecayTrend(try grid { _ in 2 })) < 1e-12)
        #expect(abs(TrainingPreset.bestDecayTrend(try grid { 3 - $0 }) + 1) < 1e-12)
    }
}
