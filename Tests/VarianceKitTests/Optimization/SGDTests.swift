import Testing
import VarianceKit

@Suite struct SGDTests {
    let w: [Float] = [0.5, -0.25, 0, 1.5, -2, 0.03125, -0.0625]
    let g: [Float] = [0.1, 0.2, -0.3, -0.4, 0.5, 0.0625, 0.125]

    func matrices() -> (Matrix, Matrix) {
        (try! Matrix(rows: 1, columns: 7, elements: w), try! Matrix(rows: 1, columns: 7, elements: g))
    }

    @Test func plainStepIsWMinusLearningRateTimesGradient() throws {
        let sgd = try SGD(learningRate: 0.1)
        var (weights, gradient) = matrices()
        try sgd.step(parameter: &weights, gradientCopy: gradient, id: weight0)
        let expected = zip(w, g).map { Double($0) - 0.1 * Double($1) }
        #expect(close(doubles(weights), expected, relative: 1e-6))
        #expect(sgd.state(for: weight0)?.stepCount == 1)
        #expect(sgd.state(for: weight0)?.momentumBuffer == nil)
    }

    @Test func l2StepAddsLambdaOverNTimesW() throws {
        let sgd = try SGD(learningRate: 0.1, penalty: .l2(lambda: 0.5, normalizer: 2))
        var (weights, gradient) = matrices()
        let statistics = try sgd.step(parameter: &weights, gradientCopy: gradient, id: weight0)
        // w ← w - η (g + (λ/n) w) = (1 - η λ/n) w - η g
        let expected = zip(w, g).map { (1 - 0.1 * 0.25) * Double($0) - 0.1 * Double($1) }
        #expect(close(doubles(weights), expected, relative: 1e-6))
        let penalty = w.reduce(0.0) { $0 + 0.25 / 2 * Double($1) * Double($1) }
        #expect(abs(statistics.penaltyValue - penalty) <= 1e-6 * penalty)
    }

    @Test func l1SubgradientStepMovesEachWeightByEtaLambdaOverN() throws {
        let sgd = try SGD(learningRate: 0.1, penalty: .l1(lambda: 0.5, normalizer: 2))
        var (weights, gradient) = matrices()
        let statistics = try sgd.step(parameter: &weights, gradientCopy: gradient, id: weight0)
        let expected = zip(w, g).map { Double($0) - 0.1 * 0.25 * sgn(Double($0)) - 0.1 * Double($1) }
        #expect(close(doubles(weights), expected, relative: 1e-6))
        let penalty = w.reduce(0.0) { $0 + 0.25 * abs(Double($1)) }
        #expect(abs(statistics.penaltyValue - penalty) <= 1e-6 * penalty)
    }

    @Test func proximalL1StepSoftThresholdsAfterTheGradientStep() throws {
        let sgd = try SGD(learningRate: 0.5, penalty: .l1(lambda: 0.5, normalizer: 1, method: .proximal))
        var (weights, gradient) = matrices()
        let statistics = try sgd.step(parameter: &weights, gradientCopy: gradient, id: weight0)
        let threshold = 0.5 * 0.5
        let expected = zip(w, g).map { (x, d) -> Double in
            let half = Double(x) - 0.5 * Double(d)
            return sgn(half) * max(abs(half) - threshold, 0)
        }
        #expect(close(doubles(weights), expected, relative: 1e-6))
        let zeros = expected.filter { $0 == 0 }.count
        #expect(zeros >= 3)
        #expect(weights.elements.filter { $0 == 0 }.count == zeros)
        #expect(statistics.exactZeroCount == zeros)
        #expect(abs(try #require(statistics.sparsity) - Double(zeros) / 7) < 1e-12)
    }

    /// Three steps of momentum with dampening, and of Nesterov, against PyTorch's recurrences in Double.
    @Test(arguments: [(Float(0.9), Float(0.25), false), (Float(0.8), Float(0), true)])
    func momentumFollowsTheBufferRecurrence(momentum: Float, dampening: Float, nesterov: Bool) throws {
        let sgd = try SGD(learningRate: 0.05, momentum: momentum, dampening: dampening, nesterov: nesterov,
                          penalty: .l2(lambda: 0.1, normalizer: 1))
        var weights = try Matrix(rows: 1, columns: 7, elements: w)
        var reference = w.map(Double.init)
        var buffer = [Double](repeating: 0, count: 7)
        let (mu, tau) = (Double(momentum), Double(dampening))
        for step in 0..<3 {
            let gradients = (0..<7).map { Float(step + 1) * g[$0] - 0.5 * weights[0, $0] }
            try sgd.step(parameter: &weights, gradientCopy: Matrix(rows: 1, columns: 7, elements: gradients), id: weight0)
            for i in 0..<7 {
                let full = Double(Float(step + 1) * g[i]) - 0.5 * reference[i] + 0.1 * reference[i]
                buffer[i] = step == 0 ? full : mu * buffer[i] + (1 - tau) * full
                let direction = nesterov ? full + mu * buffer[i] : buffer[i]
                reference[i] -= 0.05 * direction
            }
            let state = try #require(sgd.state(for: weight0))
            #expect(close(doubles(state.momentumBuffer!), buffer, relative: 1e-5))
            #expect(close(doubles(weights), reference, relative: 1e-5))
        }
    }

    /// Under plain SGD, L2(λ, n) and decoupled decay η λ/n are the same update.
    @Test func l2AndDecoupledDecayAgreeUnderSGDOverAHundredSteps() throws {
        let (eta, lambda, n): (Float, Float, Float) = (0.05, 0.4, 8)
        let withL2 = try SGD(learningRate: eta, penalty: .l2(lambda: lambda, normalizer: n))
        let withDecay = try SGD(learningRate: eta, weightDecay: .learningRateScaled(lambda / n))
        let withPaperDecay = try SGD(learningRate: eta, weightDecay: .scheduleScaled(eta * lambda / n))
        var generator = TestRandom(seed: 7)
        let target = generator.matrix(16, 8)
        let start = generator.matrix(16, 8, scale: 3)
        var (a, b, c) = (start, start, start)
        for _ in 0..<100 {
            try withL2.step(parameter: &a, gradientCopy: quadraticGradient(a, target), id: weight0)
            try withDecay.step(parameter: &b, gradientCopy: quadraticGradient(b, target), id: weight0)
            try withPaperDecay.step(parameter: &c, gradientCopy: quadraticGradient(c, target), id: weight0)
        }
        #expect(close(doubles(a), doubles(b), relative: 1e-5, floor: 1e-3))
        #expect(close(doubles(a), doubles(c), relative: 1e-5, floor: 1e-3))
        // and the decay really acted: the weights differ from the undecayed solution (the target)
        #expect(!close(doubles(a), doubles(target), relative: 1e-2, floor: 1e-2, record: false))
    }

    @Test func proximalGivesExactZerosWhereSubgradientOscillates() throws {
        let (eta, lambda, n): (Float, Float, Float) = (0.1, 2, 4)  // threshold η λ/n = 0.05
        var generator = TestRandom(seed: 11)
        let start = generator.matrix(32, 32, scale: 0.1)
        let zero = try Matrix(rows: 32, columns: 32)
        var proximal = start, subgradient = start
        let prox = try SGD(learningRate: eta, penalty: .l1(lambda: lambda, normalizer: n, method: .proximal))
        let sub = try SGD(learningRate: eta, penalty: .l1(lambda: lambda, normalizer: n))
        try prox.step(parameter: &proximal, gradientCopy: zero, id: weight0)
        try sub.step(parameter: &subgradient, gradientCopy: zero, id: weight0)
        for i in 0..<start.count {
            let x = start[i / 32, i % 32]
            if abs(x) <= 0.05 { #expect(proximal[i / 32, i % 32] == 0) } else { #expect(proximal[i / 32, i % 32] != 0) }
        }
        let small = start.elements.filter { abs($0) <= 0.05 }.count
        #expect(small > 200)
        #expect(prox.statistics(for: weight0)?.exactZeroCount == small)
        // The subgradient step overshoots zero instead: after 20 steps almost nothing is exactly zero.
        for _ in 0..<20 {
            try sub.step(parameter: &subgradient, gradientCopy: zero, id: weight0)
            try prox.step(parameter: &proximal, gradientCopy: zero, id: weight0)
        }
        #expect(subgradient.elements.filter { $0 == 0 }.count < start.count / 20)
        #expect(proximal.elements.allSatisfy { $0 == 0 })
        #expect(subgradient.elements.allSatisfy { abs($0) <= 0.05 + 1e-6 })
    }
}

/// The gradient of `½‖w - target‖²`.
func quadraticGradient(_ w: Matrix, _ target: Matrix) throws -> Matrix {
    try Matrix(rows: w.rows, columns: w.columns, elements: zip(w.elements, target.elements).map { $0 - $1 })
}
