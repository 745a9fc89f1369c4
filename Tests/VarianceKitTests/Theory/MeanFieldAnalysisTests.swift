import Foundation
import Testing
import VarianceKit

/// The complete mean-field picture against closed forms and independent computations.
@Suite struct MeanFieldAnalysisTests {
    static let linear = MeanFieldTheory(activation: .linear)
    static let relu = MeanFieldTheory(activation: .relu)
    static let tanh = MeanFieldTheory(activation: .tanh)

    /// Linear: `q* = s_b^2 / (1 - s_w^2)`, `chi_1 = s_w^2` = the length map's slope, `c* = 1`,
    /// `xi_q = xi_c = -1/ln s_w^2`, and the correlation map is affine: `c' = (s_w^2 q c + s_b^2)/q`.
    @Test func linearClosedForms() throws {
        let (sw2, sb2) = (0.8, 0.3)
        let a = try Self.linear.analysis(weightScale: sw2, biasVariance: sb2)
        let q = sb2 / (1 - sw2)
        #expect(abs(a.lengthFixedPoint! - q) < 1e-10 * q)
        #expect(abs(a.chi1! - sw2) < 1e-12)
        #expect(abs(a.lengthMapSlope! - sw2) < 1e-12)
        #expect(a.correlationFixedPoint == 1 && a.phase == .ordered)
        #expect(abs(a.lengthDepthScale! - (-1 / log(sw2))) < 1e-9)
        #expect(abs(a.correlationDepthScale! - (-1 / log(sw2))) < 1e-9)
        #expect(abs(a.gradientDepthScale! - 1 / abs(log(sw2))) < 1e-9)
        for c in [-0.5, 0.0, 0.3, 0.9] {
            let mapped = Self.linear.correlationMap(c, fixedPoint: q, weightScale: sw2, biasVariance: sb2)
            #expect(abs(mapped - (sw2 * q * c + sb2) / q) < 1e-12)
        }
    }

    /// ReLU: `E[relu(u1) relu(u2)] = q/(2 pi) (sqrt(1 - c^2) + (pi - arccos c) c)` (the
    /// arc-cosine kernel of degree 1); `q* = s_b^2 / (1 - s_w^2/2)`; `chi_1 = s_w^2 / 2`.
    @Test func reluClosedForms() throws {
        for (q, c) in [(1.0, 0.0), (2.0, 0.5), (0.5, -0.7), (1.3, 0.95)] {
            let expected = q / (2 * Double.pi) * ((1 - c * c).squareRoot() + (Double.pi - acos(c)) * c)
            let measured = Self.relu.activationCorrelation(preactivationVariance: q, correlation: c)
            #expect(abs(measured - expected) < 2e-4 * q, "q \(q), c \(c): \(measured) vs \(expected)")
        }
        let a = try Self.relu.analysis(weightScale: 1, biasVariance: 0.1)
        #expect(abs(a.lengthFixedPoint! - 0.2) < 1e-10)
        #expect(abs(a.chi1! - 0.5) < 1e-12)
        #expect(a.phase == .ordered)
        // No bias: q* = 0 below s_w^2 = 2, with chi_1 = s_w^2 / 2 (the limit q -> 0), and the edge at 2.
        let below = try Self.relu.analysis(weightScale: 1.5)
        #expect(below.lengthFixedPoint == 0 && abs(below.chi1! - 0.75) < 1e-12)
        let edge = try Self.relu.criticalWeightScale(biasVariance: 0)
        #expect(abs(edge - 2) < 1e-8 * 2)
        // With a bias q* diverges as s_w^2 -> 2, before chi_1 reaches 1.
        #expect(throws: VarianceKitError.self) { try Self.relu.criticalWeightScale(biasVariance: 0.1) }
    }

    /// tanh without bias: `q* = 0` for `s_w^2 <= 1`, including the critical point `s_w^2 = 1`,
    /// where `q` decays only algebraically; the edge of chaos is `s_w^2 = 1` exactly.
    @Test func tanhCriticalPointWithoutBias() throws {
        #expect(Self.tanh.fixedPoint(weightScale: 1) == 0)
        let critical = try Self.tanh.analysis(weightScale: 1)
        #expect(critical.lengthFixedPoint == 0 && critical.phase == .critical)
        #expect(critical.correlationDepthScale == .infinity && critical.gradientDepthScale == .infinity)
        let edge = try Self.tanh.criticalWeightScale(biasVariance: 0)
        #expect(abs(edge - 1) < 1e-8, "\(edge)")
        // Above it: chaotic, c* < 1.
        let chaotic = try Self.tanh.analysis(weightScale: 25.0 / 9)
        #expect(chaotic.phase == .chaotic && chaotic.correlationFixedPoint! < 1)
        #expect(abs(chaotic.chi1! - 1.2098) < 1e-3)
    }

    /// SELU with LeCun-normal weights (`s_w^2 = 1`, no bias) has `q* = 1` (Klambauer et al. 2017).
    @Test func seluFixedPointWithLeCunWeights() throws {
        let q = try #require(MeanFieldTheory(activation: .selu).fixedPoint(weightScale: 1, start: 0.3))
        #expect(abs(q - 1) < 1e-6, "\(q)")
    }

    /// The independent Double reference for tanh used below: `E[f(z)]` for `z ~ N(0, 1)` by
    /// composite Simpson on [-10, 10] with 4000 panels, `q*` by plain fixed-point iteration of the
    /// length map from `q = 1`, and `chi_1 = s_w^2 E[tanh'(sqrt(q*) z)^2]` at that `q*`.
    enum TanhReference {
        static func expectation(_ f: (Double) -> Double) -> Double {
            let n = 4000, a = -10.0, h = 20.0 / Double(n)
            var sum = 0.0
            for i in 0...n {
                let z = a + Double(i) * h
                let w = (i == 0 || i == n) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0)
                sum += w * f(z) * exp(-z * z / 2)
            }
            return sum * h / 3 / (2 * Double.pi).squareRoot()
        }

        static func qStar(_ sw2: Double, _ sb2: Double) -> Double {
            var q = 1.0
            for _ in 0..<2000 {
                let next = sw2 * expectation { Foundation.tanh(q.squareRoot() * $0) * Foundation.tanh(q.squareRoot() * $0) } + sb2
                if abs(next - q) < 1e-15 { return next }
                q = next
            }
            return q
        }

        static func chi1(_ sw2: Double, _ sb2: Double) -> Double {
            let q = qStar(sw2, sb2)
            return sw2 * expectation { let t = Foundation.tanh(q.squareRoot() * $0); return (1 - t * t) * (1 - t * t) }
        }

        /// The edge of chaos `chi_1 = 1` by 40 bisections of [1, 3].
        static func criticalWeightScale(_ sb2: Double) -> Double {
            var (low, high) = (1.0, 3.0)
            for _ in 0..<40 {
                let middle = (low + high) / 2
                if chi1(middle, sb2) < 1 { low = middle } else { high = middle }
            }
            return (low + high) / 2
        }
    }

    /// tanh at `s_b^2 = 0.05`: the edge of chaos against the independent computation above.
    @Test func tanhEdgeOfChaosWithBiasMatchesAnIndependentComputation() throws {
        let reference = TanhReference.criticalWeightScale(0.05)
        let edge = try Self.tanh.criticalWeightScale(biasVariance: 0.05)
        #expect(abs(edge - reference) < 1e-8 * reference, "\(edge) vs \(reference)")
        #expect(edge > 1.5 && edge < 2)
    }

    /// Published values for tanh at `s_b^2 = 0.05`, the setting of Schoenholz et al. 2017 (Deep
    /// Information Propagation), from a public reproduction of that paper's figures
    /// (github.com/ghliu/mean-field-fcdnn, commit 91e7e22; the paper's text states no digits):
    /// - its `depth_scale.npz` holds `xi_c = -1/ln chi_c` at 50 values of `s_w^2` in [1, 4],
    ///   computed in float64 by iterating the maps to a tolerance of 1e-6; at `s_w^2 = 1` it is
    ///   3.6269731553436 (ordered phase, where `c* = 1` and `xi_c = -1/ln chi_1`) and at
    ///   `s_w^2 = 4` it is 6.9803029186015095 (chaotic phase, `c* < 1`);
    /// - `plot-phase-diagram.py` gives the edge of chaos as 1.7603915227624916, a linear
    ///   interpolation of a 50-point critical line, so good to about three significant figures.
    /// Each is checked against the library, and the ordered-phase one and the edge also against
    /// the independent Double reference, within the precision the source can claim.
    @Test func tanhDepthScaleAndEdgeOfChaosAtBiasMatchAPublishedReproduction() throws {
        let sb2 = 0.05
        let ordered = try Self.tanh.analysis(weightScale: 1, biasVariance: sb2)
        let publishedOrdered = 3.6269731553436
        let referenceOrdered = -1 / log(TanhReference.chi1(1, sb2))
        #expect(ordered.phase == .ordered && ordered.correlationFixedPoint == 1)
        #expect(abs(referenceOrdered - publishedOrdered) < 1e-5 * publishedOrdered, "\(referenceOrdered)")
        #expect(abs(ordered.correlationDepthScale! - referenceOrdered) < 1e-9 * referenceOrdered,
                "\(ordered.correlationDepthScale!) vs \(referenceOrdered)")

        let chaotic = try Self.tanh.analysis(weightScale: 4, biasVariance: sb2)
        let publishedChaotic = 6.9803029186015095
        #expect(chaotic.phase == .chaotic && chaotic.correlationFixedPoint! < 1)
        #expect(abs(chaotic.correlationDepthScale! - publishedChaotic) < 1e-5 * publishedChaotic,
                "\(chaotic.correlationDepthScale!)")

        let publishedEdge = 1.7603915227624916
        let referenceEdge = TanhReference.criticalWeightScale(sb2)
        #expect(abs(referenceEdge - publishedEdge) < 1e-3 * publishedEdge, "\(referenceEdge)")
        let edge = try Self.tanh.criticalWeightScale(biasVariance: sb2)
        #expect(abs(edge - publishedEdge) < 1e-3 * publishedEdge, "\(edge)")
    }

    @Test func badParametersAreRejected() {
        #expect(throws: VarianceKitError.self) { try Self.tanh.analysis(weightScale: 0) }
        #expect(throws: VarianceKitError.self) { try Self.tanh.analysis(weightScale: 1, biasVariance: -1) }
        #expect(throws: VarianceKitError.self) { try Self.tanh.criticalWeightScale(biasVariance: .nan) }
    }

    @Test func analysisEncodesInfiniteDepthScalesAsNull() throws {
        let data = try JSONEncoder().encode(try Self.tanh.analysis(weightScale: 1))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["correlationDepthScale"] is NSNull)
        #expect(object["phase"] as? String == "critical")
    }
}

/// The principled gains, against independent integrals.
@Suite struct PrincipledGainTests {
    static func simpson(_ f: (Double) -> Double) -> Double {
        let n = 4000, a = -10.0, h = 20.0 / Double(n)
        var sum = 0.0
        for i in 0...n {
            let z = a + Double(i) * h
            sum += ((i == 0 || i == n) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0)) * f(z) * exp(-z * z / 2)
        }
        return sum * h / 3 / (2 * Double.pi).squareRoot()
    }

    @Test func tanhGains() {
        let theory = MeanFieldTheory(activation: .tanh)
        let fixed = 1 / Self.simpson { Foundation.tanh($0) * Foundation.tanh($0) }.squareRoot()
        let critical = 1 / Self.simpson { let t = Foundation.tanh($0); return (1 - t * t) * (1 - t * t) }.squareRoot()
        #expect(abs(theory.fixedPointGain - fixed) < 1e-10)
        #expect(abs(theory.criticalGain - critical) < 1e-10)
        // With the fixed-point gain, q = 1 maps to itself; with the critical gain chi_1(1) = 1.
        #expect(abs(theory.varianceMap(1, weightScale: fixed * fixed) - 1) < 1e-10)
        #expect(abs(theory.chi1(preactivationVariance: 1, weightScale: critical * critical) - 1) < 1e-10)
    }

    @Test func reluAndLinearGains() {
        #expect(abs(MeanFieldTheory(activation: .relu).fixedPointGain - 2.0.squareRoot()) < 1e-12)
        #expect(abs(MeanFieldTheory(activation: .relu).criticalGain - 2.0.squareRoot()) < 1e-12)
        #expect(abs(MeanFieldTheory(activation: .linear).criticalGain - 1) < 1e-12)
    }

    /// `Gain.fixedPoint` and `.critical` are resolved per layer like `.ofActivation`, and parse
    /// from the names the command line takes.
    @Test func gainRulesResolveAndParse() throws {
        let fixed = Float(MeanFieldTheory(activation: .tanh).fixedPointGain)
        #expect(Initializer.orthogonal(gain: .fixedPoint).resolved(for: .tanh) == .orthogonal(gain: .value(fixed)))
        let network = try Network(widths: [8, 8], activation: .tanh, initializer: .orthogonal(gain: .critical), bias: false, seed: 2)
        var expected = try Matrix(rows: 8, columns: 8)
        try Initializer.orthogonal(gain: .value(Float(MeanFieldTheory(activation: .tanh).criticalGain)))
            .fillWeight(&expected, seed: 2, stream: RandomStream.weight(layer: 0).id)
        #expect(network.layers[0].weight == expected)
        #expect(try Gain(parsing: "fixed-point") == .fixedPoint)
        #expect(try Gain(parsing: "critical") == .critical)
        #expect(try Gain(parsing: "1.5") == .value(1.5))
        #expect(throws: VarianceKitError.self) { try Gain(parsing: "-1") }
        #expect(throws: VarianceKitError.self) { try Gain(parsing: "loud") }
        let data = try JSONEncoder().encode([Gain.critical, .value(2)])
        #expect(String(decoding: data, as: UTF8.self) == "[\"critical\",2]")
        #expect(try JSONDecoder().decode([Gain].self, from: data) == [.critical, .value(2)])
    }
}

@Suite struct FixedPointDivergenceTests {
    /// Maps that grow linearly without bound (ReLU past s_w^2 = 2, linear past 1) have no fixed
    /// point; saturating maps (tanh at any s_w^2) have one, however large.
    @Test func growthWithoutBoundIsNil() {
        #expect(MeanFieldTheory(activation: .relu).fixedPoint(weightScale: 2.5, biasVariance: 0.1) == nil)
        #expect(MeanFieldTheory(activation: .relu).fixedPoint(weightScale: 2.000001) == nil)
        #expect(MeanFieldTheory(activation: .linear).fixedPoint(weightScale: 1.5) == nil)
        let tanh = MeanFieldTheory(activation: .tanh)
        for weightScale in [10.0, 100.0, 900.0] {
            let q = tanh.fixedPoint(weightScale: weightScale, biasVariance: 0.2)
            #expect(q.map { abs(tanh.varianceMap($0, weightScale: weightScale, biasVariance: 0.2) - $0) < 1e-9 * $0 } == true,
                    "s_w^2 = \(weightScale): \(String(describing: q))")
        }
    }
}
