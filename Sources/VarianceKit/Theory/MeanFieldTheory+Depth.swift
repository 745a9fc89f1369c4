extension MeanFieldTheory {
    /// `c^1 ... c^depth` from the correlation map at the length fixed point `q*`, starting at
    /// `c^0 = initialCorrelation`: how the correlation of two inputs evolves with depth once their
    /// lengths have settled.
    public func correlations(
        initialCorrelation: Double, fixedPoint q: Double, depth: Int, weightScale: Double, biasVariance: Double = 0
    ) -> [Double] {
        var c = initialCorrelation
        return (0..<Swift.max(depth, 0)).map { _ in
            c = Swift.min(correlationMap(c, fixedPoint: q, weightScale: weightScale, biasVariance: biasVariance), 1)
            return c
        }
    }
}

/// Mean-field theory's verdict on a depth (Schoenholz et al. 2017): a network trains when its
/// depth is below about `6 xi_c`, the correlation depth scale; at the edge of chaos `xi_c` is
/// infinite and any depth passes.
public enum TrainabilityVerdict: String, Codable, Sendable, Hashable {
    /// `depth <= 6 xi_c`.
    case withinDepthScale
    /// `depth > 6 xi_c`: signals lose the information that distinguishes inputs.
    case beyondDepthScale
    /// No depth scale (the fixed point diverged).
    case unknown

    /// The verdict for `depth` layers under `analysis`.
    public init(depth: Int, analysis: MeanFieldAnalysis) {
        guard let scale = analysis.correlationDepthScale else {
            self = analysis.phase == .critical ? .withinDepthScale : .unknown
            return
        }
        self = Double(depth) <= 6 * scale ? .withinDepthScale : .beyondDepthScale
    }
}
