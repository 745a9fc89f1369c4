import Foundation

/// Sweeps that come with initbench, each a grid and what it should show.
public enum SweepPreset: String, CaseIterable, Sendable {
    /// Where deep networks stop training (after Schoenholz et al. 2017, Figure 1, scaled to two
    /// processors): tanh networks with biases `N(0, 0.05)` and weights `N(0, sigma_w^2 / n)`,
    /// `sigma_w^2` from 0.75 to 4 across the critical point `sigma_w^2 ≈ 1.76` against depths 4 to
    /// 80, width 64, each trained with SGD (learning rate 0.01, batch 32) for 500 steps on a
    /// Gaussian mixture of 4 classes (2000 samples); the measure is test accuracy. The
    /// trainable region hugs the critical line and narrows with depth, inside about `6 xi_c`.
    case trainability

    /// The names, comma-separated.
    public static var acceptedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// What the sweep should show, for `--help` and the report.
    public var expectation: String {
        switch self {
        case .trainability:
            "Networks train (high test accuracy) only in a band around the critical sigma_w^2 (the edge of chaos, where xi_c diverges); the band narrows with depth, and its edge follows the theory's 6 xi_c curve: deeper than about 6 xi_c, signals cannot cross the network and training fails."
        }
    }

    /// The preset's grid.
    public var grid: SweepGrid {
        switch self {
        case .trainability:
            let weightVariances: [JSONValue] = stride(from: 0.75, through: 4.0, by: 0.25).map { .number($0) }
            let depths: [JSONValue] = [4, 8, 16, 24, 32, 48, 64, 80].map { .integer($0) }
            // swiftlint:disable:next force_try
            return try! SweepGrid(
                kind: .train, axes: ["weight-variance": weightVariances, "depth": depths],
                fixed: [
                    "activation": .string("tanh"), "bias-variance": .number(0.05), "width": .integer(64),
                    "batch": .integer(32), "steps": .integer(500), "optimizer": .string("sgd"), "learning-rate": .number(0.01),
                    "dataset": .string("gaussian-mixture"), "samples": .integer(2000),
                ],
                description: "trainability: tanh, sigma_b^2 = 0.05, sigma_w^2 x depth, test accuracy after a fixed number of SGD steps")
        }
    }
}

extension SweepGrid {
    /// `multiple x xi_c` against `sigma_w^2` at `points` values evenly spread over the grid's
    /// `weight-variance` axis (`xi_c = -1 / ln(sigma_w^2 E[phi'(u1) phi'(u2)])` at `c*`, from
    /// `MeanFieldTheory`), for a grid with `weight-variance` and `depth` axes and one activation
    /// and one `bias-variance`: the depth beyond which the theory says signals cannot cross the
    /// network. `depth` is nil where `xi_c` is infinite or undefined. Nil for other grids.
    public func correlationDepthScaleCurve(multiple: Double = 6, points: Int = 241) -> [(weightVariance: Double, depth: Double?)]? {
        guard let weights = axes["weight-variance"]?.compactMap(\.numericValue), axes["depth"] != nil,
              axes["activation"] == nil, axes["bias-variance"] == nil,
              let low = weights.min(), let high = weights.max(), high > low, points >= 2 else { return nil }
        let configuration = configuration(at: 0)
        guard let activation = try? configuration.activation() else { return nil }
        let biasVariance = configuration.number("bias-variance") ?? 0
        let theory = MeanFieldTheory(activation: activation)
        return (0..<points).map { step in
            let weight = low + (high - low) * Double(step) / Double(points - 1)
            let scale = (try? theory.analysis(weightScale: weight, biasVariance: biasVariance))?.correlationDepthScale
            return (weight, scale.flatMap { $0.isFinite ? multiple * $0 : nil })
        }
    }
}
