import Foundation

extension GaussianQuadrature {
    /// Panel boundaries on `[0, 12]`: geometric towards 0 (`2^-12 ... 1/2`), then steps of 1/2.
    static let splitPanelBoundaries: [Double] = {
        var boundaries: [Double] = [0]
        for power in stride(from: -12, through: -1, by: 1) { boundaries.append(pow(2, Double(power))) }
        var edge = 1.0
        while edge <= 12 { boundaries.append(edge); edge += 0.5 }
        return boundaries
    }()

    /// Composite Gauss-Legendre on `[-12, 0]` and `[0, 12]`, weighted by the standard normal
    /// density `exp(-z^2/2) / sqrt(2 pi)`: exponentially accurate for integrands analytic on each
    /// side of 0 (see the type's documentation).
    ///
    /// - Parameter pointsPerPanel: Gauss-Legendre points per panel (35 panels per side), in
    ///   `1...64`; 16 gives `2 * 35 * 16 = 1120` nodes.
    /// - Throws: `VarianceKitError.invalidParameter` unless `1 <= pointsPerPanel <= 64`.
    public static func splitAtZero(pointsPerPanel: Int = 16) throws -> GaussianQuadrature {
        guard (1...64).contains(pointsPerPanel) else {
            throw VarianceKitError.invalidParameter(
                name: "pointsPerPanel", value: "\(pointsPerPanel)", expected: "an integer number of points per panel in 1...64")
        }
        return uncheckedSplitAtZero(pointsPerPanel: pointsPerPanel)
    }

    /// `splitAtZero(pointsPerPanel:)` for a count already known to be in `1...64`.
    static func uncheckedSplitAtZero(pointsPerPanel: Int) -> GaussianQuadrature {
        let (legendreNodes, legendreWeights) = gaussLegendre(pointsPerPanel)
        var positiveNodes = [Double]()
        var positiveWeights = [Double]()
        let density = 1 / (2 * Double.pi).squareRoot()
        let boundaries = splitPanelBoundaries
        for panel in 0..<(boundaries.count - 1) {
            let low = boundaries[panel], high = boundaries[panel + 1]
            let half = (high - low) / 2, middle = (high + low) / 2
            for j in 0..<pointsPerPanel {
                let z = middle + half * legendreNodes[j]
                positiveNodes.append(z)
                positiveWeights.append(half * legendreWeights[j] * density * exp(-z * z / 2))
            }
        }
        let nodes = positiveNodes.reversed().map { -$0 } + positiveNodes
        let weights = Array(positiveWeights.reversed()) + positiveWeights
        return symmetrised(nodes: nodes, weights: weights)
    }

    /// Nodes (ascending) and weights of the `count`-point Gauss-Legendre rule on `[-1, 1]`:
    /// roots of the Legendre polynomial `P_count` by Newton's method from the Chebyshev-like guesses
    /// `cos(pi (i + 3/4) / (count + 1/2))`, weights `2 / ((1 - x^2) P'_count(x)^2)`.
    static func gaussLegendre(_ count: Int) -> ([Double], [Double]) {
        var nodes = [Double](repeating: 0, count: count)
        var weights = [Double](repeating: 0, count: count)
        for i in 0..<count {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(count) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                // P_{j+1} = ((2j+1) x P_j - j P_{j-1}) / (j+1); P' = count (x P_count - P_{count-1}) / (x^2 - 1).
                var previous = 0.0, current = 1.0
                for j in 0..<count {
                    let next = ((2 * Double(j) + 1) * x * current - Double(j) * previous) / Double(j + 1)
                    previous = current
                    current = next
                }
                derivative = Double(count) * (x * current - previous) / (x * x - 1)
                let step = current / derivative
                x -= step
                if abs(step) < 1e-16 { break }
            }
            nodes[count - 1 - i] = x
            weights[count - 1 - i] = 2 / ((1 - x * x) * derivative * derivative)
        }
        return (nodes, weights)
    }
}
