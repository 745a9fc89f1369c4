import Testing
import VarianceKit

/// Every refusal: a thrown `VarianceKitError` naming the parameter, and nothing written.
@Suite struct OptimizerErrorTests {
    static let bad: [Float] = [-1, .nan, .infinity, -.infinity]

    func invalid(_ name: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected invalid \(name)")
        } catch let error as VarianceKitError {
            guard case let .invalidParameter(reported, _, expected) = error else {
                Issue.record("expected invalidParameter, got \(error)")
                return
            }
            #expect(reported.contains(name))
            #expect(!expected.isEmpty)
            #expect(error.description.contains(name))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(arguments: bad)
    func hyperparametersThatMustBeNonNegativeAndFinite(value: Float) {
        invalid("learningRate") { _ = try SGD(learningRate: value) }
        invalid("learningRate") { _ = try Adam(learningRate: value) }
        invalid("learningRate") { _ = try AdamW(learningRate: value) }
        invalid("lambda") { _ = try Penalty.l1(lambda: value, normalizer: 1) }
        invalid("lambda") { _ = try Penalty.l2(lambda: value, normalizer: 1) }
        invalid("l1Lambda") { _ = try Penalty.elasticNet(l1Lambda: value, l2Lambda: 1, normalizer: 1) }
        invalid("l2Lambda") { _ = try Penalty.elasticNet(l1Lambda: 1, l2Lambda: value, normalizer: 1) }
        invalid("weightDecay") { _ = try WeightDecay.learningRateScaled(value) }
        invalid("weightDecay") { _ = try WeightDecay.scheduleScaled(value) }
        invalid("weightDecay") { _ = try AdamW(weightDecay: value) }
        invalid("threshold") { var w = try Matrix(rows: 1, columns: 1); try Penalty.softThreshold(&w, threshold: value) }
    }

    @Test(arguments: [Float(0), -1, .nan, .infinity])
    func normalizerMustBePositive(value: Float) {
        invalid("normalizer") { _ = try Penalty.l1(lambda: 1, normalizer: value) }
        invalid("normalizer") { _ = try Penalty.l2(lambda: 1, normalizer: value) }
        invalid("normalizer") { _ = try Penalty.elasticNet(l1Lambda: 1, l2Lambda: 1, normalizer: value) }
    }

    @Test(arguments: [Float(1), -0.1, 1.5, .nan, .infinity])
    func betasAndMomentumMustLieInZeroToOne(value: Float) {
        invalid("beta1") { _ = try Adam(beta1: value) }
        invalid("beta2") { _ = try Adam(beta2: value) }
        invalid("beta1") { _ = try AdamW(beta1: value) }
        invalid("beta2") { _ = try AdamW(beta2: value) }
        invalid("momentum") { _ = try SGD(learningRate: 0.1, momentum: value) }
    }

    @Test(arguments: [Float(0), -1e-8, .nan, .infinity])
    func epsilonMustBePositive(value: Float) {
        invalid("epsilon") { _ = try Adam(epsilon: value) }
        invalid("epsilon") { _ = try AdamW(epsilon: value) }
    }

    @Test func otherConfigurationErrors() {
        invalid("dampening") { _ = try SGD(learningRate: 0.1, dampening: 1.5) }
        invalid("dampening") { _ = try SGD(learningRate: 0.1, dampening: -0.1) }
        invalid("nesterov") { _ = try SGD(learningRate: 0.1, nesterov: true) }
        invalid("nesterov") { _ = try SGD(learningRate: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true) }
        invalid("threadCount") { _ = try SGD(learningRate: 0.1, threadCount: 0) }
        invalid("threadCount") { _ = try Adam(threadCount: -2) }
        invalid("every") { _ = try LearningRateSchedule.step(every: 0, factor: 0.5) }
        invalid("factor") { _ = try LearningRateSchedule.step(every: 10, factor: 0) }
        invalid("factor") { _ = try LearningRateSchedule.step(every: 10, factor: 1.5) }
        invalid("factor") { _ = try LearningRateSchedule.step(every: 10, factor: .nan) }
        invalid("totalSteps") { _ = try LearningRateSchedule.cosine(totalSteps: 0) }
        invalid("minimumMultiplier") { _ = try LearningRateSchedule.cosine(totalSteps: 10, minimumMultiplier: -0.5) }
        invalid("minimumMultiplier") { _ = try LearningRateSchedule.cosine(totalSteps: 10, minimumMultiplier: 2) }
        invalid("layer") {
            var groups = ParameterGroups()
            try groups.setGroup(.unregularized, forLayer: -1)
        }
    }

    @Test func decayFractionAboveOneIsRefusedBeforeAnyWrite() throws {
        let sgd = try SGD(learningRate: 2, weightDecay: .learningRateScaled(0.75))  // d = 1.5
        var w = try Matrix(rows: 2, columns: 2, elements: [1, 2, 3, 4])
        let before = w
        invalid("weight-decay fraction") {
            try sgd.step(parameter: &w, gradientCopy: Matrix(rows: 2, columns: 2), id: weight0)
        }
        #expect(w == before)
        #expect(sgd.state(for: weight0) == nil)
    }

    @Test func shapeMismatchesNameTheParameter() throws {
        let adam = try Adam()
        var w = try Matrix(rows: 2, columns: 3)
        #expect {
            try adam.step(parameter: &w, gradientCopy: Matrix(rows: 3, columns: 2), id: weight1)
        } throws: { error in
            guard case let .shapeMismatch(mismatch) = error as? VarianceKitError else { return false }
            return mismatch.operation == "Adam.step" && mismatch.operand.contains("layer 2 weight")
                && mismatch.actual == [3, 2] && mismatch.expected == [2, 3]
        }
        try adam.step(parameter: &w, gradientCopy: Matrix(rows: 2, columns: 3), id: weight1)
        // The same id with another shape no longer matches its state.
        var other = try Matrix(rows: 4, columns: 3)
        #expect {
            try adam.step(parameter: &other, gradientCopy: Matrix(rows: 4, columns: 3), id: weight1)
        } throws: { error in
            guard case let .shapeMismatch(mismatch) = error as? VarianceKitError else { return false }
            return mismatch.actual == [4, 3] && mismatch.expected == [2, 3] && mismatch.rule.contains("optimizer state")
        }
        #expect(other == (try Matrix(rows: 4, columns: 3)))
        adam.resetState()
        try adam.step(parameter: &other, gradientCopy: Matrix(rows: 4, columns: 3), id: weight1)
        var gradient = try Matrix(rows: 1, columns: 2)
        #expect(throws: VarianceKitError.self) {
            try Penalty.l2(lambda: 1, normalizer: 1).addGradient(of: w, to: &gradient)
        }
    }

    /// A non-finite gradient anywhere refuses the whole step: no weight, no state, no step count moves.
    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteGradientLeavesEveryWeightAndStateUntouched(poison: Float) throws {
        var generator = TestRandom(seed: 5)
        for optimizer in [try SGD(learningRate: 0.1) as any Optimizer, try SGD(learningRate: 0.1, momentum: 0.9), try AdamW(learningRate: 0.1)] {
            let parameters = TestParameters([
                (weight0, generator.matrix(3, 4), generator.matrix(3, 4)),
                (bias0, generator.matrix(1, 3), generator.matrix(1, 3)),
                (weight1, generator.matrix(300, 400), generator.matrix(300, 400)),  // large: checked on 2 threads
            ])
            try optimizer.step(parameters)
            let values = parameters.values
            let states = parameters.ids.map { optimizer.state(for: $0) }
            var poisoned = parameters.gradients[2]
            poisoned[299, 399] = poison
            parameters.gradients[2] = poisoned
            #expect {
                try optimizer.step(parameters)
            } throws: { error in
                guard case let .nonFiniteGradient(_, parameter, element, _, _) = error as? VarianceKitError else { return false }
                return parameter == ParameterID(layer: 1, kind: .weight) && (element == nil || element == 299 * 400 + 399)
            }
            #expect(parameters.values == values)
            #expect(parameters.ids.map { optimizer.state(for: $0) } == states)
            var single = parameters.values[0]
            var bad = parameters.gradients[0]
            bad[0, 0] = poison
            #expect(throws: VarianceKitError.self) { try optimizer.step(parameter: &single, gradientCopy: bad, id: weight0) }
            #expect(single == parameters.values[0])
            #expect(optimizer.state(for: weight0) == states[0])
        }
    }

    /// After a refused step the optimizer goes on as if it had never been tried: the spare
    /// buffers the refused pass wrote into are not the state, so the next steps give the bits of
    /// an optimizer that only saw the good gradients.
    @Test func aRefusedStepLeavesNoTraceInTheStepsAfterIt() throws {
        for makeOptimizer in [{ try SGD(learningRate: 0.1, momentum: 0.9) as any Optimizer }, { try Adam(learningRate: 0.01) }, { try AdamW(learningRate: 0.01) }] {
            var generator = TestRandom(seed: 8)
            let start = generator.matrix(200, 300)
            let gradients = (0..<3).map { _ in generator.matrix(200, 300) }
            let tried = try makeOptimizer(), clean = try makeOptimizer()
            var triedWeights = start, cleanWeights = start
            for (step, gradient) in gradients.enumerated() {
                if step == 1 {
                    var poisoned = gradient
                    poisoned[199, 0] = .nan
                    #expect(throws: VarianceKitError.self) { try tried.step(parameter: &triedWeights, gradientCopy: poisoned, id: weight1) }
                }
                try tried.step(parameter: &triedWeights, gradientCopy: gradient, id: weight1)
                try clean.step(parameter: &cleanWeights, gradientCopy: gradient, id: weight1)
            }
            let bits = { (m: Matrix?) in m.map { $0.withUnsafeBufferPointer { $0.map(\.bitPattern) } } }
            #expect(bits(triedWeights) == bits(cleanWeights))
            let (triedState, cleanState) = (tried.state(for: weight1), clean.state(for: weight1))
            #expect(triedState?.stepCount == 3 && cleanState?.stepCount == 3)
            #expect(bits(triedState?.firstMoment) == bits(cleanState?.firstMoment))
            #expect(bits(triedState?.secondMoment) == bits(cleanState?.secondMoment))
            #expect(bits(triedState?.momentumBuffer) == bits(cleanState?.momentumBuffer))
        }
    }
}
