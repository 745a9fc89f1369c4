import Testing
import VarianceKit

@Suite struct ParameterGroupTests {
    func parameters() -> TestParameters {
        let w0 = try! Matrix(rows: 2, columns: 2, elements: [1, -1, 0.5, -0.5])
        let b0 = try! Matrix(rows: 1, columns: 2, elements: [1, -1])
        let w1 = try! Matrix(rows: 1, columns: 2, elements: [2, -2])
        return TestParameters([
            (weight0, w0, try! Matrix(rows: 2, columns: 2)),
            (bias0, b0, try! Matrix(rows: 1, columns: 2)),
            (weight1, w1, try! Matrix(rows: 1, columns: 2)),
        ])
    }

    @Test func byDefaultWeightsAreRegularizedAndBiasesAreNot() throws {
        let parameters = parameters()
        let sgd = try SGD(learningRate: 0.1, penalty: .l2(lambda: 1, normalizer: 1))
        let summary = try sgd.step(parameters)
        // zero data gradient: weights shrink by (1 - 0.1), biases stay
        #expect(parameters.values(weight0).elements == [0.9, -0.9, 0.45, -0.45])
        #expect(parameters.values(bias0).elements == [1, -1])
        #expect(parameters.values(weight1).elements == [1.8, -1.8])
        #expect(summary.parameterCount == 3)
        #expect(summary.elementCount == 8)
        // penalty at the weights before the step: ½ (1 + 1 + 0.25 + 0.25 + 4 + 4)
        #expect(abs(summary.penaltyValue - 5.25) < 1e-9)
        #expect(sgd.statistics(for: bias0)?.penaltyValue == 0)
    }

    @Test func overridesWinOverTheDefaults() throws {
        let parameters = parameters()
        let sgd = try SGD(learningRate: 0.5, penalty: .l2(lambda: 1, normalizer: 1))
        var groups = sgd.parameterGroups
        // layer 2 (index 1): proximal L1 instead; layer 1's bias: decoupled decay.
        try groups.setGroup(ParameterGroup(penalty: .l1(lambda: 5, normalizer: 1, method: .proximal)), forLayer: 1)
        try groups.setGroup(ParameterGroup(weightDecay: .learningRateScaled(0.5)), for: bias0)
        sgd.parameterGroups = groups
        #expect(sgd.parameterGroups.group(for: weight0) == sgd.parameterGroups.weights)
        let summary = try sgd.step(parameters)
        #expect(parameters.values(weight0).elements == [0.5, -0.5, 0.25, -0.25])
        #expect(parameters.values(bias0).elements == [0.75, -0.75])     // d = 0.5 · 0.5
        #expect(parameters.values(weight1).elements == [0, 0])          // threshold 0.5 · 5 = 2.5 ≥ 2
        #expect(sgd.statistics(for: weight1)?.sparsity == 1)
        #expect(sgd.statistics(for: weight0)?.exactZeroCount == nil)  // zeros are counted under proximal L1 only
        #expect(summary.exactZeroCount == 2)
        #expect(abs(summary.sparsity - 2.0 / 8) < 1e-12)
        groups.removeOverride(for: bias0)
        #expect(groups.group(for: bias0) == .unregularized)
    }

    /// Large buffers split across threads: results are bitwise the same as on one thread, and match
    /// a Double reference, across block boundaries and the ragged tail.
    @Test(arguments: [0, 1, 7, 4096, 70_001, 200_003])
    func threadCountDoesNotChangeAnyResult(count: Int) throws {
        var generator = TestRandom(seed: UInt64(count) + 1)
        let start = generator.matrix(1, count, scale: 0.2)
        let gradients = (0..<3).map { _ in generator.matrix(1, count) }
        let penalty = try Penalty.elasticNet(l1Lambda: 0.5, l2Lambda: 0.2, normalizer: 10, l1Method: .proximal)
        var results: [[Matrix]] = []
        var zeros: [Int] = []
        for threads in [1, 2, 3] {
            let optimizers: [any Optimizer] = [
                try SGD(learningRate: 0.05, momentum: 0.9, penalty: penalty, threadCount: threads),
                try AdamW(learningRate: 0.01, penalty: penalty, threadCount: threads),
                try SGD(learningRate: 0.05, penalty: .l1(lambda: 1, normalizer: 10), threadCount: threads),
            ]
            var finals: [Matrix] = []
            for optimizer in optimizers {
                var w = start
                for g in gradients { try optimizer.step(parameter: &w, gradientCopy: g, id: weight0) }
                finals.append(w)
                zeros.append(optimizer.statistics(for: weight0)?.exactZeroCount ?? 0)
            }
            results.append(finals)
        }
        #expect(results[0] == results[1], "1 vs 2 threads")
        #expect(results[0] == results[2], "1 vs 3 threads")
        #expect(zeros[0..<3] == zeros[3..<6])
        // Plain SGD with L1 subgradient against Double.
        var reference = doubles(start)
        for g in gradients {
            for i in reference.indices {
                reference[i] -= Double(Float(0.05)) * (Double(g[0, i]) + Double(Float(1) / 10) * sgn(reference[i]))
            }
        }
        #expect(close(doubles(results[0][2]), reference, relative: 1e-5, floor: 0.1))
    }

    @Test func statisticsAndStateAreEmptyBeforeTheFirstStep() throws {
        let adam = try Adam()
        #expect(adam.statistics(for: weight0) == nil)
        #expect(adam.state(for: weight0) == nil)
        var w = try Matrix(rows: 0, columns: 5)
        let statistics = try adam.step(parameter: &w, gradientCopy: Matrix(rows: 0, columns: 5), id: weight0)
        #expect(statistics.elementCount == 0 && statistics.exactZeroCount == nil)
    }
}

@Suite struct LearningRateScheduleTests {
    @Test func multipliers() throws {
        #expect(LearningRateSchedule.constant.multiplier(atStep: 1000) == 1)
        let step = try LearningRateSchedule.step(every: 10, factor: 0.5)
        #expect([0, 9, 10, 19, 20, 35].map { step.multiplier(atStep: $0) } == [1, 1, 0.5, 0.5, 0.25, 0.125])
        let cosine = try LearningRateSchedule.cosine(totalSteps: 100, minimumMultiplier: 0.1)
        for t in [0, 25, 50, 75, 100, 150] {
            let expected = 0.1 + 0.9 * (1 + cos(Double.pi * Double(min(t, 100)) / 100)) / 2
            #expect(abs(Double(cosine.multiplier(atStep: t)) - expected) < 1e-6)
        }
        #expect(cosine.multiplier(atStep: 0) == 1)
        #expect(abs(cosine.multiplier(atStep: 100) - 0.1) < 1e-7)
        #expect(step.description == "step(every: 10, factor: 0.5)")
    }

    /// The schedule scales the step and both decay conventions: `d = η s_t wd` or `d = s_t wd`.
    @Test(arguments: WeightDecay.Convention.allCases)
    func scheduleScalesStepAndDecay(convention: WeightDecay.Convention) throws {
        let decay = convention == .learningRateScaled
            ? try WeightDecay.learningRateScaled(0.5) : try WeightDecay.scheduleScaled(0.5)
        let sgd = try SGD(learningRate: 0.2, weightDecay: decay, schedule: .step(every: 1, factor: 0.5))
        var w = try Matrix(rows: 1, columns: 1, elements: [1])
        let g = try Matrix(rows: 1, columns: 1, elements: [1])
        var reference = 1.0
        for t in 0..<4 {
            let s = pow(0.5, Double(t))
            let d = convention == .learningRateScaled ? 0.2 * s * 0.5 : s * 0.5
            let statistics = try sgd.step(parameter: &w, gradientCopy: g, id: weight0)
            reference = (1 - d) * reference - 0.2 * s
            #expect(abs(Double(statistics.learningRate) - 0.2 * s) < 1e-7)
            #expect(abs(Double(statistics.decayFraction) - d) < 1e-7)
            #expect(abs(Double(w[0, 0]) - reference) < 1e-6)
        }
    }
}

import Foundation
