import Foundation

extension MeanFieldTheory {
    /// `E[f(u1) g(u2)]` for `(u1, u2)` jointly normal with variances `q` and correlation `c`:
    /// `u1 = sqrt(q) z1`, `u2 = sqrt(q) (c z1 + sqrt(1 - c^2) z2)`, `z1, z2` independent `N(0, 1)`.
    ///
    /// The outer integral over `z1` is composite Gauss-Legendre split at 0 (where `f` may have a
    /// kink, `splitAtZero(pointsPerPanel: 6)`); the inner one over `z2` is 6-point composite
    /// Gauss-Legendre on unit panels of `[-10, 10]` split at `z2 = -c z1 / sqrt(1 - c^2)`, where
    /// `g`'s argument crosses 0, so that ReLU-like kinks on either side are integrated as
    /// exactly as smooth functions. At `|c| = 1` the expectation is one-dimensional.
    func pairExpectation(
        preactivationVariance q: Double, correlation c: Double,
        _ f: (Double) -> Double, _ g: (Double) -> Double
    ) -> Double {
        let root = Swift.max(q, 0).squareRoot()
        let c = Swift.min(Swift.max(c, -1), 1)
        let s = (1 - c * c).squareRoot()
        if s == 0 {
            return quadrature.expectation { z in f(root * z) * g(root * c * z) }
        }
        let (legendreNodes, legendreWeights) = Self.innerLegendre
        let density = 1 / (2 * Double.pi).squareRoot()
        return legendreNodes.withUnsafeBufferPointer { legendreNodes in
            legendreWeights.withUnsafeBufferPointer { legendreWeights in
                // The inner integral over [low, high] in unit panels, added to `sum`.
                func addInner(_ sum: inout Double, _ low: Double, _ high: Double, _ z1: Double) {
                    guard high > low else { return }
                    let panels = Int((high - low).rounded(.up))
                    let width = (high - low) / Double(panels)
                    for panel in 0..<panels {
                        let middle = low + (Double(panel) + 0.5) * width, half = width / 2
                        for j in 0..<legendreNodes.count {
                            let z2 = middle + half * legendreNodes[j]
                            let weight: Double = half * legendreWeights[j] * density * exp(-z2 * z2 / 2)
                            sum += weight * g(root * (c * z1 + s * z2))
                        }
                    }
                }
                return Self.outerRule.expectation { z1 in
                    let a = f(root * z1)
                    guard a != 0 else { return 0 }
                    let kink = Swift.min(Swift.max(-c * z1 / s, -10), 10)
                    var sum = 0.0
                    addInner(&sum, -10, kink, z1)
                    addInner(&sum, kink, 10, z1)
                    return a * sum
                }
            }
        }
    }

    /// The outer rule of `pairExpectation`.
    static let outerRule = try! GaussianQuadrature.splitAtZero(pointsPerPanel: 6)
    /// The 6-point Gauss-Legendre rule of `pairExpectation`'s inner panels.
    static let innerLegendre = GaussianQuadrature.gaussLegendre(6)

    /// `E[phi(u1) phi(u2)]` for pre-activations of variance `q` and correlation `c`.
    public func activationCorrelation(preactivationVariance q: Double, correlation c: Double) -> Double {
        pairExpectation(preactivationVariance: q, correlation: c, activation, activation)
    }

    /// `E[phi'(u1) phi'(u2)]` for pre-activations of variance `q` and correlation `c`.
    public func derivativeCorrelation(preactivationVariance q: Double, correlation c: Double) -> Double {
        pairExpectation(preactivationVariance: q, correlation: c, derivative, derivative)
    }

    /// The correlation map (Poole et al. 2016, eq. 5): two inputs whose pre-activations have
    /// variance `q*` and correlation `c` at one layer have correlation
    /// `c' = (s_w^2 E[phi(u1) phi(u2)] + s_b^2) / q*` at the next. `c = 1` is always a fixed point;
    /// its slope there is `chi_1`.
    public func correlationMap(_ c: Double, fixedPoint q: Double, weightScale: Double, biasVariance: Double = 0) -> Double {
        guard q > 0 else { return 1 }
        return (weightScale * activationCorrelation(preactivationVariance: q, correlation: c) + biasVariance) / q
    }

    /// The stable fixed point `c*` of the correlation map at the length fixed point `q`: 1 in the
    /// ordered phase (`chi_1 <= 1`: inputs become alike), below 1 in the chaotic phase (they
    /// decorrelate), found by iterating from `c = 0` (accelerated by secant steps).
    /// `nil` when the iteration has not settled after `maximumIterations`.
    public func correlationFixedPoint(
        fixedPoint q: Double, weightScale: Double, biasVariance: Double = 0,
        tolerance: Double = 1e-10, maximumIterations: Int = 2_000
    ) -> Double? {
        if q <= 0 || chi1(preactivationVariance: q, weightScale: weightScale) <= 1 + MeanFieldTheory.criticalTolerance { return 1 }
        func map(_ c: Double) -> Double { correlationMap(c, fixedPoint: q, weightScale: weightScale, biasVariance: biasVariance) }
        var c = 0.0
        var previous: (c: Double, residual: Double)?
        for _ in 0..<maximumIterations {
            let next = map(c)
            guard next.isFinite else { return nil }
            let residual = next - c
            if abs(residual) <= tolerance { return Swift.min(next, 1) }
            var candidate = Swift.min(next, 1)
            // Secant on c' - c through the last two points, kept inside [-1, 1).
            if let previous, residual != previous.residual {
                let secant = c - residual * (c - previous.c) / (residual - previous.residual)
                if secant > -1, secant < 1 { candidate = secant }
            }
            previous = (c, residual)
            c = candidate
        }
        return nil
    }
}
