/// Double-precision references for the synthetic-dataset tests.
enum SyntheticReference {
    /// The inverse of a symmetric positive definite matrix by Gauss-Jordan elimination with
    /// partial pivoting.
    static func inverse(_ matrix: [[Double]]) -> [[Double]] {
        let n = matrix.count
        var left = matrix
        var right = (0 ..< n).map { i in (0 ..< n).map { $0 == i ? 1.0 : 0.0 } }
        for column in 0 ..< n {
            let pivot = (column ..< n).max { abs(left[$0][column]) < abs(left[$1][column]) }!
            left.swapAt(column, pivot)
            right.swapAt(column, pivot)
            let scale = 1 / left[column][column]
            for j in 0 ..< n {
                left[column][j] *= scale
                right[column][j] *= scale
            }
            for row in 0 ..< n where row != column {
                let factor = left[row][column]
                guard factor != 0 else { continue }
                for j in 0 ..< n {
                    left[row][j] -= factor * left[column][j]
                    right[row][j] -= factor * right[column][j]
                }
            }
        }
        return right
    }

    /// Ordinary least squares `min |X c - y|` by the normal equations in Double: the
    /// coefficients and `(XᵀX)⁻¹` (the covariance of the coefficients divided by the noise variance).
    static func leastSquares(_ x: [[Double]], _ y: [Double]) -> (coefficients: [Double], inverseGram: [[Double]]) {
        let d = x[0].count
        var gram = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        var moment = [Double](repeating: 0, count: d)
        for (row, target) in zip(x, y) {
            for i in 0 ..< d {
                moment[i] += row[i] * target
                for j in 0 ..< d { gram[i][j] += row[i] * row[j] }
            }
        }
        let inverse = inverse(gram)
        let coefficients = (0 ..< d).map { i in (0 ..< d).reduce(0.0) { $0 + inverse[i][$1] * moment[$1] } }
        return (coefficients, inverse)
    }
}
