import Foundation
import Testing
import VarianceKit

@Suite struct GaussianQuadratureTests {
    /// `E[z^k]` for `z ~ N(0,1)`: 0 for odd `k`, `(k-1)!!` for even `k`.
    static func normalMoment(_ k: Int) -> Double {
        guard k % 2 == 0 else { return 0 }
        var product = 1.0
        var j = k - 1
        while j > 1 { product *= Double(j); j -= 2 }
        return product
    }

    @Test(arguments: [2, 7, 20, 64, 128])
    func integratesPolynomialsExactly(count: Int) throws {
        let rule = try GaussianQuadrature.gaussHermite(count: count)
        #expect(rule.nodes.count == count)
        #expect(abs(rule.weights.reduce(0, +) - 1) < 1e-14)
        for k in 0...min(2 * count - 1, 24) {
            let value = rule.expectation { pow($0, Double(k)) }
            let exact = Self.normalMoment(k)
            // Odd moments cancel between terms as large as the neighbouring even moment.
            let scale = max(1, Self.normalMoment(k % 2 == 0 ? k : k + 1))
            #expect(abs(value - exact) <= 1e-12 * scale, "E[z^\(k)] with \(count) nodes: \(value) vs \(exact)")
        }
    }

    @Test func twoPointRuleIsHandWorked() throws {
        // H_2(x) = 4x^2 - 2: roots +-1/sqrt(2), so z = +-1 with weights 1/2 each.
        let rule = try GaussianQuadrature.gaussHermite(count: 2)
        #expect(abs(rule.nodes[0] + 1) < 1e-14)
        #expect(abs(rule.nodes[1] - 1) < 1e-14)
        #expect(abs(rule.weights[0] - 0.5) < 1e-14)
        #expect(abs(rule.weights[1] - 0.5) < 1e-14)
    }

    @Test func smoothNonPolynomialIntegrand() throws {
        // E[cos(z)] = exp(-1/2); E[exp(z)] = exp(1/2).
        for rule in [try GaussianQuadrature.gaussHermite(count: 128), GaussianQuadrature.standard] {
            #expect(abs(rule.expectation { cos($0) } - exp(-0.5)) < 1e-13)
            #expect(abs(rule.expectation { exp($0) } - exp(0.5)) < 1e-12)
        }
    }

    @Test func splitRuleIntegratesKinksAndMoments() {
        let rule = GaussianQuadrature.standard
        #expect(abs(rule.weights.reduce(0, +) - 1) < 1e-14)
        #expect(!rule.nodes.contains(0))
        for k in 0...12 {
            let value = rule.expectation { pow($0, Double(k)) }
            #expect(abs(value - Self.normalMoment(k)) <= 1e-12 * max(1, Self.normalMoment(k)), "E[z^\(k)]")
        }
        // E[max(z,0)] = 1/sqrt(2 pi); E[|z|^3] = 2 sqrt(2/pi); E[elu(z)] = 1/sqrt(2 pi) + e^{1/2} Phi(-1) - 1/2.
        #expect(abs(rule.expectation { max($0, 0) } - 1 / (2 * Double.pi).squareRoot()) < 1e-13)
        #expect(abs(rule.expectation { pow(abs($0), 3) } - 2 * (2 / Double.pi).squareRoot()) < 1e-12)
        let phiMinusOne = 0.5 * erfc(1 / 2.0.squareRoot())
        let elu = 1 / (2 * Double.pi).squareRoot() + exp(0.5) * phiMinusOne - 0.5
        #expect(abs(rule.expectation { $0 > 0 ? $0 : exp($0) - 1 } - elu) < 1e-13)
        // A steep integrand: E[sign-like tanh(1000 z)^2] = 1 - E[sech^2(1000 z)] ~ 1 - 2/(1000 sqrt(2 pi)).
        let steep = rule.expectation { let t = tanh(1000 * $0); return t * t }
        #expect(abs(steep - (1 - 2 / (1000 * (2 * Double.pi).squareRoot()))) < 1e-6)
    }

    @Test(arguments: [0, -3, 513])
    func rejectsBadCounts(count: Int) {
        #expect(throws: VarianceKitError.invalidParameter(
            name: "count", value: "\(count)", expected: "an integer node count in 1...512")) {
            _ = try GaussianQuadrature.gaussHermite(count: count)
        }
    }

    @Test(arguments: [0, -1, 65, Int.min])
    func splitAtZeroRejectsBadPanelCounts(pointsPerPanel: Int) {
        #expect(throws: VarianceKitError.invalidParameter(
            name: "pointsPerPanel", value: "\(pointsPerPanel)", expected: "an integer number of points per panel in 1...64")) {
            _ = try GaussianQuadrature.splitAtZero(pointsPerPanel: pointsPerPanel)
        }
    }

    @Test func splitAtZeroAcceptsItsRange() throws {
        #expect(try GaussianQuadrature.splitAtZero() == GaussianQuadrature.standard)
        for points in [1, 64] {
            let rule = try GaussianQuadrature.splitAtZero(pointsPerPanel: points)
            #expect(rule.nodes.count == 2 * 35 * points)
            #expect(abs(rule.weights.reduce(0, +) - 1) < 1e-12)
        }
    }
}

@Suite struct LinearRegimeTests {
    @Test func forwardProductsAreHandWorked() throws {
        // Widths 4 -> 2 -> 8 -> 3, Var[W] = 0.5, 0.25, 1/24: factors 2, 0.5, 1/3.
        let forward = try LinearRegime.forwardVariances(
            inputVariance: 3, widths: [4, 2, 8, 3], weightVariances: [0.5, 0.25, 1.0 / 24])
        #expect(forward.count == 3)
        #expect(abs(forward[0] - 6) < 1e-12)
        #expect(abs(forward[1] - 3) < 1e-12)
        #expect(abs(forward[2] - 1) < 1e-12)
    }

    @Test func backwardProductsAreHandWorked() throws {
        // Layer 3 (top) keeps the given 5; layer 2 gets n_3 Var[W^3] = 3/24 = 1/8; layer 1 also n_2 Var[W^2] = 2.
        let backward = try LinearRegime.backwardVariances(
            topGradientVariance: 5, widths: [4, 2, 8, 3], weightVariances: [0.5, 0.25, 1.0 / 24])
        #expect(abs(backward[2] - 5) < 1e-12)
        #expect(abs(backward[1] - 5.0 / 8) < 1e-12)
        #expect(abs(backward[0] - 5.0 / 8 * 2) < 1e-12)
    }

    @Test func standardInitShrinksByAThirdPerLayer() throws {
        // The standard scheme: Var(W) = 1/(3n), so each layer multiplies the variance by 1/3.
        let width = 512, depth = 20
        let widths = [Int](repeating: width, count: depth + 1)
        let variances = [Double](repeating: 1.0 / (3.0 * Double(width)), count: depth)
        let forward = try LinearRegime.forwardVariances(inputVariance: 1, widths: widths, weightVariances: variances)
        let backward = try LinearRegime.backwardVariances(topGradientVariance: 1, widths: widths, weightVariances: variances)
        for l in 1...depth {
            #expect(abs(forward[l - 1] / pow(1.0 / 3, Double(l)) - 1) < 1e-12)
            #expect(abs(backward[l - 1] / pow(1.0 / 3, Double(depth - l)) - 1) < 1e-12)
        }
    }

    @Test func xavierKeepsWeightGradientsEqualAcrossLayers() throws {
        // Equal widths, Var(W) = 2/(n+n) = 1/n: every factor is 1, weight-gradient variance is flat.
        let widths = [Int](repeating: 64, count: 6)
        let variances = [Double](repeating: 1.0 / 64, count: 5)
        let gradients = try LinearRegime.weightGradientVariances(
            inputVariance: 2, topGradientVariance: 0.5, widths: widths, weightVariances: variances, batch: 3)
        for value in gradients { #expect(abs(value - 3 * 2 * 0.5) < 1e-12) }
    }

    @Test func rejectsBadInput() {
        #expect(throws: VarianceKitError.self) {
            _ = try LinearRegime.forwardVariances(inputVariance: 1, widths: [4], weightVariances: [])
        }
        #expect(throws: VarianceKitError.shapeMismatch(ShapeMismatch(
            operation: "LinearRegime", operand: "weightVariances", actual: [1], expected: [2],
            rule: "3 widths describe 2 layers but 1 weight variances were given"))) {
            _ = try LinearRegime.forwardVariances(inputVariance: 1, widths: [4, 4, 4], weightVariances: [1])
        }
        #expect(throws: VarianceKitError.invalidParameter(name: "widths[1]", value: "0", expected: "an integer >= 1")) {
            _ = try LinearRegime.backwardVariances(topGradientVariance: 1, widths: [4, 0], weightVariances: [1])
        }
        #expect(throws: VarianceKitError.invalidParameter(name: "weightVariances[0]", value: "nan", expected: "a finite number >= 0")) {
            _ = try LinearRegime.forwardVariances(inputVariance: 1, widths: [4, 4], weightVariances: [.nan])
        }
        #expect(throws: VarianceKitError.invalidParameter(name: "inputVariance", value: "-1.0", expected: "a finite number >= 0")) {
            _ = try LinearRegime.forwardVariances(inputVariance: -1, widths: [4, 4], weightVariances: [1])
        }
        #expect(throws: VarianceKitError.invalidParameter(name: "batch", value: "0", expected: "an integer >= 1")) {
            _ = try LinearRegime.weightGradientVariances(
                inputVariance: 1, topGradientVariance: 1, widths: [4, 4], weightVariances: [1], batch: 0)
        }
    }
}

@Suite struct MeanFieldTheoryTests {
    static let linear = MeanFieldTheory(activation: { $0 }, derivative: { _ in 1 })
    static let relu = MeanFieldTheory(activation: { max($0, 0) }, derivative: { $0 > 0 ? 1 : 0 })
    static let tanh = MeanFieldTheory(activation: { Foundation.tanh($0) }, derivative: {
        let t = Foundation.tanh($0); return 1 - t * t
    })

    @Test func linearNetworkMatchesTheLinearRegimeExactly() throws {
        let widths = [10, 30, 7, 50, 5]
        let variances = [0.2, 0.01, 0.3, 0.05]
        let batch = 16
        let predictions = try Self.linear.predict(
            widths: widths, weightVariances: variances, inputSecondMoment: 2,
            topGradient: .independent(variance: 1.0 / Double(batch * batch)), batch: batch)
        let forward = try LinearRegime.forwardVariances(inputVariance: 2, widths: widths, weightVariances: variances)
        let backward = try LinearRegime.backwardVariances(
            topGradientVariance: 1.0 / Double(batch * batch), widths: widths, weightVariances: variances)
        let weights = try LinearRegime.weightGradientVariances(
            inputVariance: 2, topGradientVariance: 1.0 / Double(batch * batch), widths: widths,
            weightVariances: variances, batch: batch)
        for l in 0..<4 {
            #expect(predictions[l].index == l + 1)
            #expect(abs(predictions[l].preactivationVariance / forward[l] - 1) < 1e-12)
            #expect(abs(predictions[l].activationVariance / forward[l] - 1) < 1e-12)
            #expect(abs(predictions[l].gradientVariance / backward[l] - 1) < 1e-12)
            #expect(abs(predictions[l].weightGradientVariance / weights[l] - 1) < 1e-12)
        }
    }

    @Test(arguments: [0.5, 1.0, 2.0, 3.0])
    func reluHalvesTheSecondMoment(weightScale: Double) {
        // E[relu(sqrt(q) z)^2] = q/2, so q^l = s_w^2 q^{l-1} / 2 exactly.
        let q = Self.relu.preactivationVariances(initialVariance: 1.7, depth: 12, weightScale: weightScale)
        for l in 0..<12 {
            let exact = 1.7 * pow(weightScale / 2, Double(l + 1))
            #expect(abs(q[l] / exact - 1) < 1e-12, "layer \(l + 1): \(q[l]) vs \(exact)")
        }
        // chi_1 = s_w^2 P(z > 0) = s_w^2 / 2 at any q.
        #expect(abs(Self.relu.chi1(preactivationVariance: 0.3, weightScale: weightScale) - weightScale / 2) < 1e-12)
    }

    @Test func reluActivationVarianceHasClosedForm() throws {
        // He init (Var W = 2/n): q stays 1; relu(z) for z ~ N(0,1) has mean 1/sqrt(2 pi), variance 1/2 - 1/(2 pi).
        let width = 256
        let predictions = try Self.relu.predict(
            widths: [Int](repeating: width, count: 4), weightVariances: [Double](repeating: 2.0 / Double(width), count: 3),
            inputSecondMoment: 0.5, topGradient: .independent(variance: 1), batch: 1)
        for p in predictions {
            #expect(abs(p.preactivationVariance - 1) < 1e-12)
            #expect(abs(p.activationVariance - (0.5 - 1 / (2 * Double.pi))) < 1e-12)
        }
        // Gradient second moment is preserved going down: each layer multiplies by n (2/n) (1/2) = 1.
        #expect(abs(predictions[0].gradientVariance - 0.5) < 1e-12)
        #expect(abs(predictions[2].gradientVariance - 0.5) < 1e-12)
    }

    @Test(arguments: [1e-3, 1e-4, 1e-5])
    func tanhSmallVarianceLimit(q: Double) {
        // tanh(x)^2 = x^2 - 2x^4/3 + 17x^6/45 - ..., so E[tanh(sqrt(q) z)^2] = q - 2 q^2 + 17 q^3/3 + O(q^4).
        let moment = Self.tanh.activationSecondMoment(preactivationVariance: q)
        #expect(abs(moment - (q - 2 * q * q)) < 6 * q * q * q)
        // tanh'(x)^2 = 1 - 2x^2 + O(x^4): E = 1 - 2q + O(q^2); chi_1 -> s_w^2 as q -> 0.
        let chi = Self.tanh.chi1(preactivationVariance: q, weightScale: 1.5)
        #expect(abs(chi - 1.5 * (1 - 2 * q)) < 1.5 * 20 * q * q)
    }

    @Test func tanhFixedPointAndEdgeOfChaos() throws {
        // s_w^2 < 1, no bias: q* = 0 and chi_1(0) = s_w^2 (ordered phase).
        let ordered = try #require(Self.tanh.fixedPoint(weightScale: 0.8, tolerance: 1e-9, maximumIterations: 100_000))
        #expect(ordered < 1e-3)
        // s_w^2 > 1: a positive fixed point that satisfies the map, with chi_1 > 1 (chaotic phase).
        let chaotic = try #require(Self.tanh.fixedPoint(weightScale: 4))
        #expect(abs(Self.tanh.varianceMap(chaotic, weightScale: 4) - chaotic) < 1e-10)
        #expect(chaotic > 1)
        #expect(Self.tanh.chi1(preactivationVariance: chaotic, weightScale: 4) > 1)
        // chi_1 < 1 always for tanh with s_w^2 = 1 at q > 0: derivative squared below 1 away from 0.
        #expect(Self.tanh.chi1(preactivationVariance: 0.5, weightScale: 1) < 1)
    }

    @Test func quadraticTopGradientForLinearNetwork() throws {
        // Linear, dC/dA = A / B: top gradient variance = q / B^2.
        let predictions = try Self.linear.predict(
            widths: [8, 8], weightVariances: [0.5], topGradient: .proportional(scale: 0.25), batch: 4)
        #expect(abs(predictions[0].preactivationVariance - 4) < 1e-12)
        #expect(abs(predictions[0].gradientVariance - 4.0 / 16) < 1e-12)
    }

    @Test func predictRejectsBadInput() {
        #expect(throws: VarianceKitError.invalidParameter(name: "batch", value: "0", expected: "an integer >= 1")) {
            _ = try Self.linear.predict(widths: [2, 2], weightVariances: [1], topGradient: .independent(variance: 1), batch: 0)
        }
        #expect(throws: VarianceKitError.shapeMismatch(ShapeMismatch(
            operation: "MeanFieldTheory.predict", operand: "biasVariances", actual: [2], expected: [1],
            rule: "1 layers but 2 bias variances"))) {
            _ = try Self.linear.predict(
                widths: [2, 2], weightVariances: [1], biasVariances: [0, 0], topGradient: .independent(variance: 1), batch: 1)
        }
        #expect(throws: VarianceKitError.invalidParameter(name: "topGradient variance", value: "-1.0", expected: "a finite number >= 0")) {
            _ = try Self.linear.predict(widths: [2, 2], weightVariances: [1], topGradient: .independent(variance: -1), batch: 1)
        }
    }
}
