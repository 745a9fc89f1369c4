/// One weight matrix's size and zeros: what a training record or a regularization study reports
/// per layer.
public struct WeightMatrixStatistics: Sendable, Equatable {
    /// `Σ w²` over the matrix, accumulated in Double in element order.
    public var sumOfSquares: Double
    /// Elements equal to zero (`+0` or `-0`).
    public var exactZeros: Int
    /// Elements in the matrix.
    public var count: Int

    /// The Frobenius norm `‖W‖ = sqrt(Σ w²)`.
    public var norm: Double { sumOfSquares.squareRoot() }
    /// `exactZeros / count`; 0 for an empty matrix.
    public var zeroFraction: Double { count == 0 ? 0 : Double(exactZeros) / Double(count) }
}

extension Network {
    /// The statistics of each layer's weight matrix, in layer order (biases excluded), in one pass
    /// over each matrix.
    public func weightStatistics() -> [WeightMatrixStatistics] {
        layers.map { layer in
            var sum = 0.0
            var zeros = 0
            layer.weight.withUnsafeBufferPointer { w in
                for x in w {
                    sum += Double(x) * Double(x)
                    if x == 0 { zeros += 1 }
                }
            }
            return WeightMatrixStatistics(sumOfSquares: sum, exactZeros: zeros, count: layer.weight.count)
        }
    }
}
