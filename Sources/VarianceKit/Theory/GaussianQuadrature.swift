/// A quadrature rule for Gaussian expectations, in Double:
/// `E_z[f(z)] ~ sum_i weights[i] * f(nodes[i])` with `z ~ N(0, 1)`.
///
/// Two constructions:
/// - `gaussHermite(count:)`: the classical Gauss-Hermite rule, exact for polynomials of degree at
///   most `2 * count - 1` and spectrally accurate for smooth integrands. The nodes are the roots
///   `x_i` of the (physicists') Hermite polynomial `H_count`, bracketed on a fine grid and refined by
///   safeguarded Newton steps on the orthonormal recurrence
///   `p_{j+1}(x) = sqrt(2/(j+1)) x p_j(x) - sqrt(j/(j+1)) p_{j-1}(x)`, `p_0 = pi^(-1/4)`; the
///   Christoffel weights are `1 / sum_{j<count} p_j(x_i)^2` for the weight `exp(-x^2)`. Changing
///   variables `z = sqrt(2) x` gives `nodes[i] = sqrt(2) x_i`, `weights[i] = w_i / sqrt(pi)`.
///   With an even count no node sits at 0 and `z^2 1{z>0}`-like integrands (ReLU's second moment,
///   its derivative's) are still exact, but an integrand with a kink in its odd part, such as
///   `max(z, 0)` itself, converges only like `1/count` (1.3e-3 absolute error at 128 nodes).
/// - `splitAtZero(pointsPerPanel:)` (the default, `standard`): composite Gauss-Legendre on
///   `[-12, 0]` and `[0, 12]` with panels graded geometrically towards 0, weighted by the normal
///   density. Every activation in common use is analytic on each side of 0, so this converges
///   exponentially even for ReLU, leaky ReLU, ELU and SELU and for steep integrands
///   `phi(sqrt(q) z)` with large `q`; the mass beyond 12 standard deviations (2e-33) is dropped.
///
/// Both rules are symmetric about 0 with no node at 0, and their weights sum to 1.
public struct GaussianQuadrature: Sendable, Equatable {
    /// Nodes for `z ~ N(0, 1)`, ascending.
    public let nodes: [Double]
    /// Weights for `z ~ N(0, 1)`; they sum to 1.
    public let weights: [Double]

    /// The rule `MeanFieldTheory` uses unless told otherwise: `splitAtZero()`.
    public static let standard = GaussianQuadrature.uncheckedSplitAtZero(pointsPerPanel: 16)

    private init(nodes: [Double], weights: [Double]) {
        self.nodes = nodes
        self.weights = weights
    }

    /// The Gauss-Hermite rule with `count` nodes.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` unless `1 <= count <= 512`.
    public static func gaussHermite(count: Int) throws -> GaussianQuadrature {
        guard (1...512).contains(count) else {
            throw VarianceKitError.invalidParameter(
                name: "count", value: "\(count)", expected: "an integer node count in 1...512")
        }
        let roots = hermiteRoots(count)
        var nodes = [Double]()
        var weights = [Double]()
        nodes.reserveCapacity(count)
        weights.reserveCapacity(count)
        let sqrtPi = Double.pi.squareRoot()
        for root in roots {
            let values = orthonormalValues(count, at: root)
            var sumOfSquares = 0.0
            for value in values { sumOfSquares += value * value }
            nodes.append(2.0.squareRoot() * root)
            weights.append(1.0 / sumOfSquares / sqrtPi)
        }
        return symmetrised(nodes: nodes, weights: weights)
    }

    /// The exact rules are symmetric: symmetrise nodes and weights so that odd integrands give 0
    /// to rounding, and renormalise so that constants integrate to 1.
    static func symmetrised(nodes: [Double], weights: [Double]) -> GaussianQuadrature {
        var nodes = nodes, weights = weights
        let count = nodes.count
        for i in 0..<(count / 2) {
            let magnitude = (nodes[count - 1 - i] - nodes[i]) / 2
            nodes[i] = -magnitude
            nodes[count - 1 - i] = magnitude
            let average = (weights[i] + weights[count - 1 - i]) / 2
            weights[i] = average
            weights[count - 1 - i] = average
        }
        if count % 2 == 1 { nodes[count / 2] = 0 }
        let total = weights.reduce(0, +)
        return GaussianQuadrature(nodes: nodes, weights: weights.map { $0 / total })
    }

    /// `E_z[f(z)]`, `z ~ N(0, 1)`, by this rule.
    public func expectation(_ integrand: (Double) -> Double) -> Double {
        // Through buffer pointers: the theory's searches call this millions of times, and an
        // unoptimized build would otherwise retain both arrays at every node.
        nodes.withUnsafeBufferPointer { nodes in
            weights.withUnsafeBufferPointer { weights in
                var sum = 0.0
                for i in 0..<nodes.count { sum += weights[i] * integrand(nodes[i]) }
                return sum
            }
        }
    }

    /// `E_z[f(sqrt(variance) z)]`, i.e. the expectation of `f` under `N(0, variance)`.
    public func expectation(variance: Double, _ integrand: (Double) -> Double) -> Double {
        let scale = Swift.max(variance, 0).squareRoot()
        return expectation { integrand(scale * $0) }
    }

    // MARK: Nodes

    /// Values `p_0(x) ... p_{count-1}(x)` of the orthonormal Hermite polynomials.
    private static func orthonormalValues(_ count: Int, at x: Double) -> [Double] {
        var all = [Double](repeating: 0, count: count)
        var previous = 0.0
        var current = 1.0 / Double.pi.squareRoot().squareRoot()
        for j in 0..<count {
            all[j] = current
            let next = (2.0 / Double(j + 1)).squareRoot() * x * current
                - (Double(j) / Double(j + 1)).squareRoot() * previous
            previous = current
            current = next
        }
        return all
    }

    /// `p_count(x)` and its derivative `sqrt(2 count) p_{count-1}(x)`.
    private static func valueAndDerivative(_ count: Int, at x: Double) -> (Double, Double) {
        var previous = 0.0
        var current = 1.0 / Double.pi.squareRoot().squareRoot()
        for j in 0..<count {
            let next = (2.0 / Double(j + 1)).squareRoot() * x * current
                - (Double(j) / Double(j + 1)).squareRoot() * previous
            previous = current
            current = next
        }
        return (current, (2.0 * Double(count)).squareRoot() * previous)
    }

    /// The `count` roots of `H_count`, ascending. They lie in `(-sqrt(2 count + 1), sqrt(2 count + 1))`
    /// and are separated by more than `1 / sqrt(2 count + 1)`, so a grid 50x finer brackets each once.
    private static func hermiteRoots(_ count: Int) -> [Double] {
        let bound = (2.0 * Double(count) + 1).squareRoot() + 0.5
        let steps = Int((2 * bound) * (2.0 * Double(count) + 1).squareRoot() * 50) + 1
        let step = 2 * bound / Double(steps)
        var roots = [Double]()
        roots.reserveCapacity(count)
        var left = -bound
        var leftValue = valueAndDerivative(count, at: left).0
        for s in 1...steps {
            let right = -bound + Double(s) * step
            let rightValue = valueAndDerivative(count, at: right).0
            if rightValue == 0 {
                roots.append(right)
            } else if (leftValue < 0) != (rightValue < 0), leftValue != 0 {
                roots.append(refineRoot(count, lower: left, upper: right, lowerValue: leftValue))
            }
            left = right
            leftValue = rightValue
        }
        precondition(roots.count == count, "Gauss-Hermite: found \(roots.count) of \(count) roots")
        return roots
    }

    /// Newton's method kept inside the bracket `[lower, upper]` (bisection when a step leaves it).
    private static func refineRoot(_ count: Int, lower: Double, upper: Double, lowerValue: Double) -> Double {
        var low = lower, high = upper
        let lowIsNegative = lowerValue < 0
        var x = (low + high) / 2
        for _ in 0..<100 {
            let (value, derivative) = valueAndDerivative(count, at: x)
            if value == 0 { return x }
            if (value < 0) == lowIsNegative { low = x } else { high = x }
            var next = x - value / derivative
            if !(next > low && next < high) { next = (low + high) / 2 }
            if abs(next - x) <= 1e-15 * Swift.max(1, abs(x)) { return next }
            x = next
        }
        return x
    }
}
