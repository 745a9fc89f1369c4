import Foundation
import Testing
@testable import VarianceKit

@Suite struct InitializerContractTests {
    // MARK: - Every named scheme is its variance-scaling form

    static let named: [Initializer] = [
        .standard, .xavierUniform(), .xavierUniform(gain: .value(5.0 / 3.0)), .xavierNormal(), .xavierNormal(gain: 0.75),
        .heUniform(.relu), .heUniform(mode: .fanOut, gain: 1), .heUniform(.leakyReLU(slope: 0.2), mode: .fanAverage),
        .heNormal(.relu), .heNormal(.tanh, mode: .fanOut), .lecunUniform, .lecunNormal,
    ]

    @Test(arguments: named)
    func namedSchemeAgreesWithItsVarianceScalingForm(initializer: Initializer) throws {
        let general = try #require(initializer.asVarianceScaling())
        guard case .varianceScaling = general else { Issue.record("not a varianceScaling: \(general)"); return }
        for (rows, columns) in [(3, 5), (784, 1000)] {
            let named = try #require(initializer.targetVariance(fanIn: columns, fanOut: rows))
            let scaled = try #require(general.targetVariance(fanIn: columns, fanOut: rows))
            #expect(abs(named - scaled) <= 1e-6 * named)
            if let bounds = initializer.bounds(fanIn: columns, fanOut: rows) {
                let generalBounds = try #require(general.bounds(fanIn: columns, fanOut: rows))
                #expect(abs(bounds.upperBound - generalBounds.upperBound) <= 1e-6 * bounds.upperBound)
                #expect(abs(bounds.lowerBound - generalBounds.lowerBound) <= 1e-6 * bounds.upperBound)
            } else {
                #expect(general.bounds(fanIn: columns, fanOut: rows) == nil)
            }
            // Same seed and stream: the same draws scaled the same way, to Float rounding.
            var a = try Matrix(rows: rows, columns: columns)
            var b = try Matrix(rows: rows, columns: columns)
            try initializer.fillWeight(&a, seed: 404, stream: 2)
            try general.fillWeight(&b, seed: 404, stream: 2)
            let scale = Float(named.squareRoot())
            let worst = zip(a.elements, b.elements).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5 * scale, "\(initializer) vs \(general): \(worst)")
        }
    }

    @Test func nonVarianceScalingSchemesHaveNoEquivalent() {
        let others: [Initializer] = [.zeros, .ones, .constant(2), .uniform(low: 0, high: 1), .normal(mean: 0, standardDeviation: 1),
                                     .truncatedNormal(mean: 0, standardDeviation: 1, lower: -2, upper: 2),
                                     .orthogonal(gain: 1), .identity(), .sparse(sparsity: 0.5, standardDeviation: 1)]
        for initializer in others { #expect(initializer.asVarianceScaling() == nil) }
        let general = Initializer.varianceScaling(scale: 3, mode: .fanOut, distribution: .truncatedNormal)
        #expect(general.asVarianceScaling() == general)
    }

    // MARK: - Gains, names, formulas

    @Test func gainTable() {
        #expect(Activation.linear.gain == 1)
        #expect(Activation.sigmoid.gain == 1)
        #expect(Activation.tanh.gain == Float(5.0 / 3.0))
        #expect(Activation.relu.gain == Float(2.0.squareRoot()))
        #expect(Activation.leakyReLU(slope: 0.01).gain == Float((2 / 1.0001).squareRoot()))
        #expect(Activation.leakyReLU(slope: 0).gain == Activation.relu.gain)
        #expect(Activation.leakyReLU(slope: 1).gain == 1)
        #expect(Activation.selu.gain == 0.75)
        for activation in [Activation.softsign, .elu(alpha: 1), .gelu, .silu] {
            #expect(activation.gain == 1 && !activation.hasConventionalGain)
        }
        #expect(Initializer.heUniform(.relu) == .heUniform(mode: .fanIn, gain: .value(Float(2.0.squareRoot()))))
        #expect(Initializer.heNormal(.tanh) == .heNormal(mode: .fanIn, gain: .value(5.0 / 3.0)))
    }

    @Test func gainOfTheActivationIsResolvedPerLayer() throws {
        #expect(Initializer.orthogonal().resolved(for: .tanh) == .orthogonal(gain: .value(5.0 / 3.0)))
        #expect(Initializer.heNormal().resolved(for: .relu) == .heNormal(mode: .fanIn, gain: .value(Float(2.0.squareRoot()))))
        #expect(Initializer.xavierUniform(gain: 2).resolved(for: .tanh) == .xavierUniform(gain: 2))
        #expect(Initializer.standard.resolved(for: .tanh) == .standard)
        // Unresolved, a scheme cannot be sampled on its own, and says why.
        var weight = try Matrix(rows: 4, columns: 4)
        #expect(throws: VarianceKitError.self) { try Initializer.orthogonal().fillWeight(&weight, seed: 1) }
        #expect(Initializer.heNormal().targetVariance(fanIn: 4, fanOut: 4) == nil)
        // A network takes each layer's gain from its activation: tanh layers get 5/3, the linear
        // output layer 1.
        let network = try Network(widths: [6, 6, 6], activation: .tanh, initializer: .orthogonal(),
                                  bias: false, outputActivation: .linear, seed: 3)
        var expected = try Matrix(rows: 6, columns: 6)
        try Initializer.orthogonal(gain: .value(5.0 / 3.0)).fillWeight(&expected, seed: 3, stream: RandomStream.weight(layer: 0).id)
        #expect(network.layers[0].weight == expected)
        try Initializer.orthogonal(gain: 1).fillWeight(&expected, seed: 3, stream: RandomStream.weight(layer: 1).id)
        #expect(network.layers[1].weight == expected)
    }

    @Test func initializerNamesAndAliases() throws {
        for name in InitializerName.allCases { #expect(try InitializerName.named(name.rawValue) == name) }
        #expect(try InitializerName.named("kaiming-normal") == .heNormal)
        #expect(try InitializerName.named("Glorot_Uniform") == .xavierUniform)
        #expect(try InitializerName.named("kaiming-uniform") == .heUniform)
        #expect(throws: VarianceKitError.self) { try InitializerName.named("nope") }
        #expect(InitializerName.orthogonal.scheme(gain: nil).resolved(for: .tanh) == .orthogonal(gain: .value(5.0 / 3.0)))
        #expect(InitializerName.orthogonal.scheme(gain: nil).resolved(for: .gelu) == .orthogonal(gain: 1))
        #expect(InitializerName.heNormal.scheme(gain: nil).resolved(for: .tanh) == .heNormal(mode: .fanIn, gain: .value(Float(2.0.squareRoot()))))
        #expect(InitializerName.heUniform.scheme(gain: 3) == .heUniform(mode: .fanIn, gain: 3))
        #expect(!InitializerName.standard.acceptsGain && InitializerName.identity.acceptsGain)
    }

    @Test func names() {
        let expected = ["zeros", "ones", "constant", "uniform", "normal", "truncated-normal", "standard",
                        "xavier-uniform", "xavier-normal", "he-uniform", "he-normal", "lecun-uniform", "lecun-normal",
                        "variance-scaling", "orthogonal", "identity", "sparse"]
        #expect(Initializer.allDefaults.map(\.name) == expected)
    }

    @Test func formulasStateTheVarianceAndItsValue() {
        #expect(Initializer.xavierUniform().formula(fanIn: 1024, fanOut: 1024).hasPrefix("Var(W) = 2/(fanIn+fanOut) = 0.000977"))
        #expect(Initializer.standard.formula(fanIn: 100, fanOut: 7).hasPrefix("Var(W) = 1/(3*fanIn) = 0.00333"))
        #expect(Initializer.heNormal(.relu).formula(fanIn: 50, fanOut: 10).hasPrefix("Var(W) = 1.41^2/fanIn = 0.04"))
        #expect(Initializer.lecunNormal.formula(fanIn: 8, fanOut: 3).hasPrefix("Var(W) = 1/fanIn = 0.125"))
        #expect(Initializer.varianceScaling(scale: 2, mode: .fanAverage, distribution: .truncatedNormal)
            .formula(fanIn: 300, fanOut: 100).hasPrefix("Var(W) = 2/((fanIn+fanOut)/2) = 0.01"))
        #expect(Initializer.orthogonal(gain: 2).formula(fanIn: 10, fanOut: 40).hasPrefix("Var(W) = 2^2/max(fanIn,fanOut) = 0.1"))
        #expect(Initializer.zeros.formula(fanIn: 3, fanOut: 3).hasPrefix("Var(W) = 0 = 0"))
        #expect(Initializer.xavierUniform().formula(fanIn: 0, fanOut: 3).contains("undefined"))
        for initializer in Initializer.allDefaults {
            #expect(initializer.formula(fanIn: 20, fanOut: 30).hasPrefix("Var(W) = "))
        }
    }

    @Test func truncatedVarianceScalingIsCorrected() throws {
        // The truncated normal's own variance (quadrature) times s^2 gives back scale/fan.
        let initializer = Initializer.varianceScaling(scale: 2, mode: .fanIn, distribution: .truncatedNormal)
        let bounds = try #require(initializer.bounds(fanIn: 50, fanOut: 5))
        let s = bounds.upperBound / 2
        let factor = SampleStatistics.truncatedNormalMoments(lower: -2, upper: 2).variance
        #expect(abs(s * s * factor - 2.0 / 50) < 1e-7)
        #expect(abs(bounds.lowerBound + bounds.upperBound) < 1e-12)
    }

    // MARK: - Determinism through the initializer API

    @Test(arguments: [Initializer.xavierNormal(), .varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal),
                      .heUniform(.relu), .sparse(sparsity: 0.25, standardDeviation: 0.1)])
    func initializersAreBitIdenticalAcrossThreadsAndRuns(initializer: Initializer) throws {
        var one = try Matrix(rows: 300, columns: 400)
        var two = try Matrix(rows: 300, columns: 400)
        var again = try Matrix(rows: 300, columns: 400)
        var otherStream = try Matrix(rows: 300, columns: 400)
        try initializer.fillWeight(&one, seed: 17, stream: 4, threads: 1)
        try initializer.fillWeight(&two, seed: 17, stream: 4, threads: 2)
        try initializer.fillWeight(&again, seed: 17, stream: 4)
        try initializer.fillWeight(&otherStream, seed: 17, stream: 5, threads: 2)
        #expect(one == two)
        #expect(one == again)
        #expect(one != otherStream)
    }

    @Test func explicitFansScaleIndependentlyOfTheShape() throws {
        // A conv-style use: a 4 x 6 matrix whose fans are 54 and 36 (3x3 kernels).
        var matrix = try Matrix(rows: 4, columns: 6)
        try Initializer.xavierUniform().fill(&matrix, fanIn: 54, fanOut: 36, seed: 1)
        let limit = Float((6.0 / 90).squareRoot())
        #expect(matrix.elements.allSatisfy { abs($0) <= limit })
        #expect(matrix.elements.contains { abs($0) > limit / 4 })
    }

    // MARK: - Every error path: thrown, named, nothing written

    static let invalid: [(Initializer, String)] = [
        (.constant(.nan), "constant"),
        (.uniform(low: 1, high: 1), "high"),
        (.uniform(low: .infinity, high: 1), "low"),
        (.normal(mean: 0, standardDeviation: 0), "standardDeviation"),
        (.normal(mean: .nan, standardDeviation: 1), "mean"),
        (.truncatedNormal(mean: 0, standardDeviation: -1, lower: -2, upper: 2), "standardDeviation"),
        (.truncatedNormal(mean: 0, standardDeviation: 1, lower: 2, upper: -2), "upper"),
        (.truncatedNormal(mean: 0, standardDeviation: 1, lower: .nan, upper: 2), "lower"),
        (.xavierUniform(gain: 0), "gain"),
        (.xavierNormal(gain: -1), "gain"),
        (.heUniform(mode: .fanIn, gain: .value(.nan)), "gain"),
        (.heNormal(mode: .fanOut, gain: .value(.infinity)), "gain"),
        (.varianceScaling(scale: 0, mode: .fanIn, distribution: .normal), "scale"),
        (.varianceScaling(scale: -1, mode: .fanAverage, distribution: .truncatedNormal), "scale"),
        (.orthogonal(gain: 0), "gain"),
        (.identity(gain: -2), "gain"),
        (.sparse(sparsity: 1, standardDeviation: 1), "sparsity"),
        (.sparse(sparsity: -0.1, standardDeviation: 1), "sparsity"),
        (.sparse(sparsity: .nan, standardDeviation: 1), "sparsity"),
        (.sparse(sparsity: 0.5, standardDeviation: 0), "standardDeviation"),
    ]

    @Test(arguments: invalid.indices)
    func invalidParametersThrowAndWriteNothing(index: Int) throws {
        let (initializer, parameter) = InitializerContractTests.invalid[index]
        var matrix = try Matrix(rows: 4, columns: 3, repeating: 9)
        do {
            try initializer.fillWeight(&matrix, seed: 1)
            Issue.record("\(initializer) did not throw")
        } catch let VarianceKitError.invalidParameter(name, value, expected) {
            #expect(name == parameter, "\(initializer): \(name) = \(value), expected \(expected)")
            #expect(!expected.isEmpty)
        }
        #expect(matrix.elements.allSatisfy { $0 == 9 })
        #expect(initializer.targetVariance(fanIn: 3, fanOut: 4) == nil)
        #expect(initializer.bounds(fanIn: 3, fanOut: 4) == nil)
    }

    @Test(arguments: Initializer.allDefaults)
    func invalidFansAndThreadsThrowAndWriteNothing(initializer: Initializer) throws {
        var matrix = try Matrix(rows: 4, columns: 3, repeating: 9)
        #expect(throws: VarianceKitError.invalidParameter(name: "fanIn", value: "0", expected: "an integer >= 1")) {
            try initializer.fill(&matrix, fanIn: 0, fanOut: 4, seed: 1)
        }
        #expect(throws: VarianceKitError.invalidParameter(name: "fanOut", value: "-3", expected: "an integer >= 1")) {
            try initializer.fill(&matrix, fanIn: 3, fanOut: -3, seed: 1)
        }
        #expect(throws: VarianceKitError.invalidParameter(name: "threads", value: "0", expected: "an integer in 1...4096, or nil for the default")) {
            try initializer.fill(&matrix, fanIn: 3, fanOut: 4, seed: 1, threads: 0)
        }
        var empty = try Matrix(rows: 0, columns: 3)
        #expect(throws: VarianceKitError.self) { try initializer.fillWeight(&empty, seed: 1) }
        #expect(matrix.elements.allSatisfy { $0 == 9 })
        #expect(initializer.targetVariance(fanIn: 0, fanOut: 4) == nil)
        #expect(initializer.targetVariance(fanIn: 3, fanOut: 4) != nil)
    }

    @Test(arguments: [Initializer.orthogonal(gain: 1), .identity(), .sparse(sparsity: 0.5, standardDeviation: 1)])
    func shapeDefinedSchemesRejectMismatchedFans(initializer: Initializer) throws {
        var matrix = try Matrix(rows: 4, columns: 3, repeating: 9)
        #expect(throws: VarianceKitError.self) { try initializer.fill(&matrix, fanIn: 4, fanOut: 3, seed: 1) }
        #expect(matrix.elements.allSatisfy { $0 == 9 })
        try initializer.fill(&matrix, fanIn: 3, fanOut: 4, seed: 1)
        #expect(matrix.elements.contains { $0 != 9 })
    }

    @Test func errorMessagesNameTheParameterAndRange() {
        var matrix = try! Matrix(rows: 2, columns: 2)
        do {
            try Initializer.sparse(sparsity: 1.5, standardDeviation: 1).fillWeight(&matrix, seed: 0)
        } catch {
            #expect("\(error)" == "invalid sparsity = 1.5: expected a number in [0, 1)")
        }
        do {
            try Initializer.orthogonal(gain: 1).fill(&matrix, fanIn: 3, fanOut: 2, seed: 0)
        } catch {
            guard case let .shapeMismatch(mismatch)? = error as? VarianceKitError else { Issue.record("wrong case \(error)"); return }
            #expect(mismatch.actual == [2, 2] && mismatch.expected == [2, 3])
        }
    }
}
