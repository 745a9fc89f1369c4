import Foundation
import Testing
@testable import VarianceKit

/// The wide-limit density of `J Jᵀ` against closed forms (Marchenko–Pastur, Fuss–Catalan), against
/// the mean-field and free-probability moments, and against sampled Jacobians.
@Suite struct SpectrumDensityTests {
    /// `∫ λ^k ρ(λ) dλ` by the trapezoid rule on the density's own points (the test's rule, not the
    /// library's), leaving out the two end pieces `[lowerEdge, λ_0]` and `[λ_last, upperEdge]`.
    static func moment(_ density: SpectrumDensity, _ k: Int) -> Double {
        let x = density.squaredSingularValues, y = density.density
        var sum = 0.0
        for i in 1..<x.count {
            let left = Foundation.pow(x[i - 1], Double(k)) * y[i - 1], right = Foundation.pow(x[i], Double(k)) * y[i]
            sum += (x[i] - x[i - 1]) * (left + right) / 2
        }
        return sum
    }

    static func relativeError(_ value: Double, _ expected: Double) -> Double { abs(value - expected) / abs(expected) }

    @Test(arguments: [1.0, 1.7, 0.4])
    func linearIndependentEntriesAtDepthOneIsMarchenkoPastur(_ weightScale: Double) throws {
        let theory = SpectrumTheory(activation: .linear, weightScale: weightScale, ensemble: .independentEntries)
        let density = try #require(try theory.density(depth: 1, points: 200))
        #expect(density.lowerEdge == 0)
        #expect(Self.relativeError(density.upperEdge, 4 * weightScale) <= 1e-10, "upper edge \(density.upperEdge) vs 4 s = \(4 * weightScale)")
        #expect(density.zeroAtomMass == 0)
        #expect(abs(density.integral - 1) <= 1e-3, "integral \(density.integral)")
        var worst = (error: 0.0, index: -1)
        for (i, lambda) in density.squaredSingularValues.enumerated() {
            let expected = (lambda * (4 * weightScale - lambda)).squareRoot() / (2 * Double.pi * weightScale * lambda)
            let error = abs(density.density[i] - expected) / expected
            if error > worst.error { worst = (error, i) }
        }
        #expect(worst.error <= 1e-6, "largest relative error \(worst.error) at λ = \(worst.index >= 0 ? density.squaredSingularValues[worst.index] : .nan)")
    }

    /// ReLU with orthogonal weights at depth 2: `J Jᵀ = s_w^4 P Q P` with `P = D_2²` and
    /// `Q = W_2 D_1² W_2ᵀ` free projections of trace 1/2 (`W_1 W_1ᵀ = I`), whose product's law is
    /// an atom of 1/2 at 0 and the arcsine density `1/(2π √(x (1 - x)))` on `[0, 1]` (the law of
    /// `PQP` for free projections of traces `α = β = 1/2`, Voiculescu, Dykema & Nica 1992, Example
    /// 3.6.7), so `ρ(λ) = 1/(2π √(λ (s_w^4 - λ)))` on `[0, s_w^4]`. It diverges at both edges;
    /// near the upper one the continuation needs its secant predictor (plain restarts from the
    /// last solution ran out of attempts there).
    @Test(arguments: [2.0, 1.0])
    func reluOrthogonalAtDepthTwoIsTheArcsineLawOfFreeProjections(_ weightScale: Double) throws {
        let theory = SpectrumTheory(activation: .relu, weightScale: weightScale, ensemble: .haarOrthogonal)
        let density = try #require(try theory.density(depth: 2, points: 200))
        let edge = weightScale * weightScale
        #expect(abs(density.zeroAtomMass - 0.5) <= 1e-12)
        #expect(Self.relativeError(density.upperEdge, edge) <= 1e-9, "upper edge \(density.upperEdge) vs s_w^4 = \(edge)")
        #expect(density.lowerEdge == 0)
        #expect(abs(density.integral - 0.5) <= 2e-3, "integral \(density.integral)")
        // Below about 1e-9 s_w^4 the equations lose digits near z = -1 (documented): points there
        // are checked by the integral only.
        var worst = (error: 0.0, lambda: Double.nan)
        let points = zip(density.squaredSingularValues, density.density).filter { $0.0 >= 1e-9 * edge }
        #expect(points.count >= 190, "only \(points.count) points at or above 1e-9 s_w^4")
        #expect(try #require(points.last).0 >= edge * (1 - 1e-4), "the grid stops short of the upper edge")
        for (lambda, value) in points {
            let expected = 1 / (2 * Double.pi * (lambda * (edge - lambda)).squareRoot())
            let error = abs(value - expected) / expected
            if error > worst.error { worst = (error, lambda) }
        }
        #expect(worst.error <= 1e-4, "largest relative error \(worst.error) at λ = \(worst.lambda)")
    }

    @Test(arguments: [2, 3, 5])
    func linearIndependentEntriesFollowTheFussCatalanLaw(_ depth: Int) throws {
        let weightScale = 1.3
        let theory = SpectrumTheory(activation: .linear, weightScale: weightScale, ensemble: .independentEntries)
        let density = try #require(try theory.density(depth: depth, points: 400))
        let order = Double(depth)
        let edge = Foundation.pow(order + 1, order + 1) / Foundation.pow(order, order) * Foundation.pow(weightScale, order)
        #expect(Self.relativeError(density.upperEdge, edge) <= 1e-9, "upper edge \(density.upperEdge) vs \(edge)")
        #expect(density.lowerEdge == 0)
        for k in 1...3 {
            let expected = try SpectrumTheory.fussCatalan(order: depth, moment: k) * Foundation.pow(weightScale, order * Double(k))
            let measured = Self.moment(density, k)
            #expect(Self.relativeError(measured, expected) <= 1e-3, "depth \(depth), moment \(k): \(measured) vs \(expected)")
        }
    }

    struct Case: Sendable, CustomStringConvertible {
        var activation: Activation
        var weightScale: Double
        var biasVariance: Double
        var ensemble: WeightEnsemble
        var description: String { "\(activation.name) s_w²=\(weightScale) s_b²=\(biasVariance) \(ensemble)" }
    }

    static let nonlinearCases: [Case] = [
        Case(activation: .tanh, weightScale: 1.0, biasVariance: 0, ensemble: .independentEntries),
        Case(activation: .tanh, weightScale: 1.0, biasVariance: 0, ensemble: .haarOrthogonal),
        Case(activation: .tanh, weightScale: 1.2, biasVariance: 0.05, ensemble: .haarOrthogonal),
        Case(activation: .tanh, weightScale: 2.0, biasVariance: 0.3, ensemble: .independentEntries),
        Case(activation: .tanh, weightScale: 2.0, biasVariance: 0.3, ensemble: .haarOrthogonal),
        Case(activation: .relu, weightScale: 2.0, biasVariance: 0, ensemble: .independentEntries),
        Case(activation: .relu, weightScale: 2.0, biasVariance: 0.1, ensemble: .haarOrthogonal),
    ]

    /// Mass (with the atom at 0), mean and variance of `λ` against `predictions(depths:)`: the
    /// mean-field `m_1 = Π χ_1(q^l)` and the free-probability `Var(σ²)`.
    @Test(arguments: nonlinearCases)
    func nonlinearDensityHasTheMeanFieldMeanAndTheFreeProbabilityVariance(_ item: Case) throws {
        let depth = 3
        let theory = SpectrumTheory(activation: item.activation, weightScale: item.weightScale, biasVariance: item.biasVariance,
                                    ensemble: item.ensemble)
        let density = try #require(try theory.density(depth: depth, points: 160))
        let prediction = try theory.predictions(depths: [depth])[0]
        let mean = try #require(prediction.meanSquaredSingularValue)
        let variance = try #require(prediction.squaredSingularValueVariance)
        let mass = density.integral + density.zeroAtomMass
        let first = Self.moment(density, 1), second = Self.moment(density, 2)
        let measuredVariance = second - first * first
        #expect(abs(mass - 1) <= 1e-3, "\(item): mass \(mass) (atom \(density.zeroAtomMass))")
        #expect(Self.relativeError(first, mean) <= 1e-3, "\(item): mean \(first) vs mean field \(mean)")
        #expect(Self.relativeError(measuredVariance, variance) <= 1e-3, "\(item): variance \(measuredVariance) vs free probability \(variance)")
    }

    /// `∫_a^b ρ` for `ρ` a power law through `(a, ρ_a)` and `(b, ρ_b)` (exact for `λ^β`, and for
    /// the densities that diverge at 0, where the grid's intervals span orders of magnitude), or
    /// the trapezoid where a value is 0.
    static func powerLawIntegral(_ a: Double, _ b: Double, _ densityA: Double, _ densityB: Double) -> Double {
        guard densityA > 0, densityB > 0, a > 0 else { return (b - a) * (densityA + densityB) / 2 }
        let ratio = b / a, exponent = Foundation.log(densityB / densityA) / Foundation.log(ratio)
        if abs(exponent + 1) < 1e-9 { return densityA * a * Foundation.log(ratio) }
        return densityA * a / (exponent + 1) * (Foundation.pow(ratio, exponent + 1) - 1)
    }

    /// The predicted CDF at `lambda`: the atom at 0 plus the integral of the density up to `lambda`
    /// (a power law between the points), scaled to the continuous part's mass.
    static func cumulative(_ density: SpectrumDensity) -> (Double) -> Double {
        let x = density.squaredSingularValues, y = density.density
        var running = [Double](repeating: 0, count: x.count)
        for i in 1..<x.count { running[i] = running[i - 1] + powerLawIntegral(x[i - 1], x[i], y[i - 1], y[i]) }
        let total = running[x.count - 1]
        return { lambda in
            guard lambda > x[0] else { return density.zeroAtomMass }
            guard lambda < x[x.count - 1] else { return 1 }
            var low = 0, high = x.count - 1
            while high - low > 1 { let middle = (low + high) / 2; if x[middle] <= lambda { low = middle } else { high = middle } }
            let fraction = (lambda - x[low]) / (x[high] - x[low])
            let exponent = y[low] > 0 && y[high] > 0 ? Foundation.log(y[high] / y[low]) / Foundation.log(x[high] / x[low]) : 0
            let at = y[low] > 0 && y[high] > 0 ? y[low] * Foundation.pow(lambda / x[low], exponent) : y[low] + fraction * (y[high] - y[low])
            let partial = running[low] + powerLawIntegral(x[low], lambda, y[low], at)
            return density.zeroAtomMass + (1 - density.zeroAtomMass) * partial / total
        }
    }

    /// `sup_λ |F_empirical(λ) - F(λ)|` over sorted samples.
    static func kolmogorovDistance(_ sorted: [Double], _ cdf: (Double) -> Double) -> Double {
        var distance = 0.0
        let n = Double(sorted.count)
        for (k, value) in sorted.enumerated() {
            let predicted = cdf(value)
            distance = Swift.max(distance, abs(predicted - Double(k) / n), abs(predicted - Double(k + 1) / n))
        }
        return distance
    }

    /// Squared singular values of sampled Jacobians of wide tanh networks follow the predicted law of
    /// their own ensemble, and not that of the other.
    @Test(arguments: WeightEnsemble.allCases)
    func sampledTanhJacobiansFollowThePredictedLaw(_ ensemble: WeightEnsemble) throws {
        let width = 400, depth = 4, gain: Float = 1.3
        let initializer = ensemble == .haarOrthogonal ? Initializer.orthogonal(gain: .value(gain)) : .xavierNormal(gain: .value(gain))
        let network = try JacobianSpectrumTests.squareNetwork(width: width, depth: depth, activation: .tanh, initializer: initializer, seed: 21)
        let inputs = try JacobianSpectrumTests.normalInputs(rows: 2, columns: width, seed: 4)
        var squared = [Double]()
        try network.forEachJacobian(inputs: inputs, samples: 2, depths: [depth], operation: "test") { _, _, jacobian in
            squared += try LAPACK.singularValues(jacobian).map { Double($0) * Double($0) }
        }
        squared.sort()
        let weightScale = Double(gain * gain)
        func distance(_ assumed: WeightEnsemble) throws -> Double {
            let theory = SpectrumTheory(activation: .tanh, weightScale: weightScale, ensemble: assumed)
            return Self.kolmogorovDistance(squared, Self.cumulative(try #require(try theory.density(depth: depth, points: 200))))
        }
        let own = try distance(ensemble)
        let other = try distance(ensemble == .haarOrthogonal ? .independentEntries : .haarOrthogonal)
        #expect(own <= 0.05, "\(ensemble): Kolmogorov distance \(own) to its own predicted law")
        #expect(other > 0.05, "\(ensemble): Kolmogorov distance \(other) to the other ensemble's law")
    }

    /// The parameter a refusal names.
    static func refusedParameter(_ body: () throws -> SpectrumDensity?) -> String? {
        do {
            _ = try body()
            return nil
        } catch let VarianceKitError.invalidParameter(name, _, _) {
            return name
        } catch {
            return "\(error)"
        }
    }

    @Test func badInputIsRefusedAndUnknownWeightsGiveNoDensity() throws {
        let tanh = SpectrumTheory(activation: .tanh, weightScale: 1.5, ensemble: .independentEntries)
        #expect(Self.refusedParameter { try tanh.density(depth: 0) } == "depth")
        #expect(Self.refusedParameter { try tanh.density(depth: 3, points: 1) } == "points")
        for scale in [0.0, -1, .nan, .infinity] {
            let theory = SpectrumTheory(activation: .tanh, weightScale: scale, ensemble: .independentEntries)
            #expect(Self.refusedParameter { try theory.density(depth: 2) } == "weightScale", "s_w² = \(scale)")
        }
        #expect(Self.refusedParameter { try SpectrumTheory(activation: .tanh, weightScale: 1, biasVariance: -1, ensemble: .haarOrthogonal).density(depth: 2) } == "biasVariance")
        #expect(Self.refusedParameter { try SpectrumTheory(activation: .tanh, weightScale: 1, inputSecondMoment: .nan, ensemble: .haarOrthogonal).density(depth: 2) } == "inputSecondMoment")
        // Orthogonal weights put an atom at λ > 0 for linear layers, and for ReLU at depth 1.
        #expect(Self.refusedParameter { try SpectrumTheory(activation: .linear, weightScale: 2, ensemble: .haarOrthogonal).density(depth: 3) } == "activation")
        #expect(Self.refusedParameter { try SpectrumTheory(activation: .relu, weightScale: 2, ensemble: .haarOrthogonal).density(depth: 1) } == "activation")
        #expect(try SpectrumTheory(activation: .tanh, weightScale: 1.5, ensemble: nil).density(depth: 2) == nil)
        let relu = try #require(try SpectrumTheory(activation: .relu, weightScale: 2, ensemble: .haarOrthogonal).density(depth: 2, points: 50))
        #expect(abs(relu.zeroAtomMass - 0.5) <= 1e-12)
        #expect(relu.density.allSatisfy { $0.isFinite && $0 >= 0 } && relu.squaredSingularValues.allSatisfy(\.isFinite))
    }
}
