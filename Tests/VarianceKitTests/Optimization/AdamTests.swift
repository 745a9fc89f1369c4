import Foundation
import Testing
import VarianceKit

@Suite struct AdamTests {
    let w: [Float] = [0.5, -0.25, 0.125, 1.5, -2, 0.03125]
    let gradients: [[Float]] = [
        [0.1, -0.2, 0.3, -0.4, 0.5, 0.01],
        [0.2, 0.1, -0.3, -0.1, 0.4, -0.02],
        [-0.05, 0.3, 0.2, -0.2, 0.1, 0.03],
    ]

    /// Adam's recurrences in Double, one parameter: coupled L2 (`l2` = λ/n) and decoupled decay `d`.
    struct Reference {
        var w: [Double], m: [Double], v: [Double]
        var t = 0
        /// The hyperparameters are the `Float` values the optimizer holds, widened exactly.
        mutating func step(_ g: [Float], rate: Float, beta1: Float, beta2: Float, epsilon: Float,
                           l2: Float, decay: Float) {
            let (rate, beta1, beta2, epsilon, l2, decay) = (
                Double(rate), Double(beta1), Double(beta2), Double(epsilon), Double(l2), Double(decay))
            t += 1
            for i in w.indices {
                let full = Double(g[i]) + l2 * w[i]
                m[i] = beta1 * m[i] + (1 - beta1) * full
                v[i] = beta2 * v[i] + (1 - beta2) * full * full
                let mHat = m[i] / (1 - pow(beta1, Double(t)))
                let vHat = v[i] / (1 - pow(beta2, Double(t)))
                w[i] = (1 - decay) * w[i] - rate * mHat / (vHat.squareRoot() + epsilon)
            }
        }
    }

    @Test func adamWithL2MatchesTheRecurrenceForThreeSteps() throws {
        let adam = try Adam(learningRate: 0.01, beta1: 0.9, beta2: 0.99, epsilon: 1e-6,
                            penalty: .l2(lambda: 0.3, normalizer: 3))
        var weights = try Matrix(rows: 2, columns: 3, elements: w)
        var reference = Reference(w: w.map(Double.init), m: .init(repeating: 0, count: 6), v: .init(repeating: 0, count: 6))
        for g in gradients {
            try adam.step(parameter: &weights, gradientCopy: Matrix(rows: 2, columns: 3, elements: g), id: weight0)
            reference.step(g, rate: 0.01, beta1: 0.9, beta2: 0.99, epsilon: 1e-6, l2: Float(0.3) / Float(3), decay: 0)
            let state = try #require(adam.state(for: weight0))
            #expect(close(doubles(state.firstMoment!), reference.m, relative: 1e-6))
            #expect(close(doubles(state.secondMoment!), reference.v, relative: 1e-6, floor: 1e-9))
            #expect(close(doubles(weights), reference.w, relative: 1e-6))
            #expect(state.stepCount == reference.t)
        }
    }

    @Test(arguments: WeightDecay.Convention.allCases)
    func adamWMatchesTheRecurrenceForThreeSteps(convention: WeightDecay.Convention) throws {
        // learningRateScaled: d = η·0.1 = 0.002; scheduleScaled: d = 1·0.002.
        let rate: Float = 0.02
        let coefficient: Float = convention == .learningRateScaled ? 0.1 : 0.002
        let adamW = try AdamW(learningRate: rate, beta1: 0.8, beta2: 0.95, epsilon: 1e-7,
                              weightDecay: coefficient, convention: convention)
        var weights = try Matrix(rows: 2, columns: 3, elements: w)
        var reference = Reference(w: w.map(Double.init), m: .init(repeating: 0, count: 6), v: .init(repeating: 0, count: 6))
        for g in gradients {
            let statistics = try adamW.step(parameter: &weights, gradientCopy: Matrix(rows: 2, columns: 3, elements: g), id: weight0)
            reference.step(g, rate: 0.02, beta1: 0.8, beta2: 0.95, epsilon: 1e-7, l2: 0, decay: 0.02 * 0.1)
            #expect(abs(statistics.decayFraction - 0.002) < 1e-9)
            let state = try #require(adamW.state(for: weight0))
            #expect(close(doubles(state.firstMoment!), reference.m, relative: 1e-6))
            #expect(close(doubles(state.secondMoment!), reference.v, relative: 1e-6, floor: 1e-9))
            #expect(close(doubles(weights), reference.w, relative: 1e-6))
        }
    }

    /// Under Adam, L2 and decoupled decay are different updates.
    @Test func l2AndDecoupledDecayDifferUnderAdam() throws {
        let (eta, lambda, n): (Float, Float, Float) = (0.01, 0.4, 8)
        let withL2 = try Adam(learningRate: eta, penalty: .l2(lambda: lambda, normalizer: n))
        let withDecay = try AdamW(learningRate: eta, weightDecay: lambda / n)
        var generator = TestRandom(seed: 3)
        let target = generator.matrix(16, 8)
        let start = generator.matrix(16, 8, scale: 3)
        var (a, b) = (start, start)
        for _ in 0..<100 {
            try withL2.step(parameter: &a, gradientCopy: quadraticGradient(a, target), id: weight0)
            try withDecay.step(parameter: &b, gradientCopy: quadraticGradient(b, target), id: weight0)
        }
        let largest = zip(a.elements, b.elements).map { abs(Double($0) - Double($1)) }.max()!
        #expect(largest > 1e-3)
        // and the same pair under SGD agrees (see SGDTests): the difference is Adam's rescaling.
    }

    @Test func proximalL1UnderAdamUsesTheScheduledThreshold() throws {
        let adam = try Adam(learningRate: 0.1, penalty: .l1(lambda: 1, normalizer: 2, method: .proximal))
        var weights = try Matrix(rows: 1, columns: 4, elements: [0.01, -0.02, 0.5, -0.5])
        let gradient = try Matrix(rows: 1, columns: 4, elements: [0, 0, 0, 0])
        let statistics = try adam.step(parameter: &weights, gradientCopy: gradient, id: weight0)
        // m = v = 0, so the Adam step is 0 and the prox shrinks by η λ/n = 0.05.
        #expect(weights.elements == [0, 0, 0.45, -0.45])
        #expect(statistics.exactZeroCount == 2)
    }
}
