import Testing
import VarianceKit

@Suite struct PenaltyTests {
    static let penalties: [Penalty] = [
        try! .l1(lambda: 0.7, normalizer: 5),
        try! .l2(lambda: 1.3, normalizer: 4),
        try! .elasticNet(l1Lambda: 0.4, l2Lambda: 2, normalizer: 3),
    ]

    /// Weights at least 0.1 away from zero, so that `|w|` is differentiable within the probe.
    func weights() -> Matrix {
        var generator = TestRandom(seed: 21)
        let elements = (0..<24).map { _ -> Float in
            let x = generator.uniform(2)
            return x >= 0 ? x + 0.1 : x - 0.1
        }
        return try! Matrix(rows: 4, columns: 6, elements: elements)
    }

    @Test(arguments: penalties)
    func valueMatchesTheFormulaInDouble(penalty: Penalty) {
        let w = weights()
        let l1 = Double(penalty.l1Lambda) / Double(penalty.normalizer)
        let l2 = Double(penalty.l2Lambda) / Double(penalty.normalizer)
        let expected = w.elements.reduce(0.0) { $0 + l1 * abs(Double($1)) + l2 / 2 * Double($1) * Double($1) }
        #expect(abs(penalty.value(of: w) - expected) <= 1e-6 * expected)
    }

    /// `∂R/∂wᵢ ≈ (R(w + h eᵢ) - R(w - h eᵢ)) / 2h`, exact for the quadratic and (away from 0) the linear part.
    @Test(arguments: penalties)
    func gradientMatchesCentralFiniteDifferences(penalty: Penalty) throws {
        let w = weights()
        var gradient = try Matrix(rows: 4, columns: 6)
        try penalty.addGradient(of: w, to: &gradient)
        let h: Float = 1.0 / 64
        for i in 0..<w.count {
            var plus = w, minus = w
            plus[i / 6, i % 6] += h
            minus[i / 6, i % 6] -= h
            let difference = (penalty.value(of: plus) - penalty.value(of: minus))
                / (Double(plus[i / 6, i % 6]) - Double(minus[i / 6, i % 6]))
            let analytic = Double(gradient[i / 6, i % 6])
            #expect(abs(difference - analytic) <= 1e-4 * max(abs(analytic), 1), "element \(i)")
        }
    }

    @Test func addGradientAddsInPlaceAndLeavesL1ToTheProximalStep() throws {
        let w = try Matrix(rows: 1, columns: 4, elements: [1, -2, 0, 0.5])
        var gradient = try Matrix(rows: 1, columns: 4, elements: [0.25, 0.25, 0.25, 0.25])
        try Penalty.elasticNet(l1Lambda: 1, l2Lambda: 2, normalizer: 4).addGradient(of: w, to: &gradient)
        // g + (2/4) w + (1/4) sgn(w)
        let expected: [Float] = [1, -1, 0.25, 0.75]
        #expect(gradient.elements == expected)
        var proximal = try Matrix(rows: 1, columns: 4, elements: [0.25, 0.25, 0.25, 0.25])
        try Penalty.elasticNet(l1Lambda: 1, l2Lambda: 2, normalizer: 4, l1Method: .proximal)
            .addGradient(of: w, to: &proximal)
        let expectedProximal: [Float] = [0.75, -0.75, 0.25, 0.5]
        #expect(proximal.elements == expectedProximal)
        var untouched = gradient
        try Penalty.none.addGradient(of: w, to: &untouched)
        #expect(untouched == gradient)
        #expect(Penalty.none.value(of: w) == 0)
    }

    @Test func softThresholdGivesExactZerosInsideTheThreshold() throws {
        var w = try Matrix(rows: 1, columns: 6, elements: [0.3, -0.3, 0.1, -0.1, 0.0999, 0])
        let zeros = try Penalty.softThreshold(&w, threshold: 0.1)
        #expect(zeros == 4)
        #expect(close(doubles(w), [0.2, -0.2, 0, 0, 0, 0], relative: 1e-6))
        #expect(w.elements.filter { $0 == 0 }.allSatisfy { $0.sign == .plus })
    }

    @Test func descriptionsNameTheTerms() throws {
        #expect(Penalty.none.description == "none")
        #expect(try Penalty.l2(lambda: 1, normalizer: 2).description.hasPrefix("L2"))
        #expect(try Penalty.l1(lambda: 1, normalizer: 2, method: .proximal).description.contains("proximal"))
        #expect(try Penalty.elasticNet(l1Lambda: 1, l2Lambda: 1, normalizer: 2).description.hasPrefix("elastic net"))
        #expect(try WeightDecay.scheduleScaled(0.1).description == "scheduleScaled(0.1)")
    }
}
