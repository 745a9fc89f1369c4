import Foundation
import Testing
@testable import VarianceKit

@Suite(.serialized) struct OrthogonalInitializerTests {
    static let shapes: [(rows: Int, columns: Int)] = [(3, 5), (784, 1000), (1000, 10), (1000, 1000)]

    /// `W Wᵀ = g^2 I` (rows <= columns) or `Wᵀ W = g^2 I` to 1e-5 (products by sgemm).
    @Test(arguments: shapes.indices)
    func basisIsOrthonormalTimesGain(shapeIndex: Int) throws {
        let (rows, columns) = OrthogonalInitializerTests.shapes[shapeIndex]
        let gain: Float = shapeIndex == 0 ? 2 : 1
        var weight = try Matrix(rows: rows, columns: columns, repeating: .nan)
        try Initializer.orthogonal(gain: .value(gain)).fillWeight(&weight, seed: 31, stream: UInt64(shapeIndex))
        let wide = rows <= columns
        let size = wide ? rows : columns
        var gram = try Matrix(rows: size, columns: size)
        try BLAS.gemm(weight, weight, into: &gram, transposeA: !wide, transposeB: wide)
        var worst: Float = 0
        gram.withUnsafeBufferPointer { g in
            for i in 0..<size {
                for j in 0..<size {
                    let expected: Float = i == j ? gain * gain : 0
                    worst = max(worst, abs(g[i * size + j] - expected) / (gain * gain))
                }
            }
        }
        #expect(worst < 1e-5, "\(rows)x\(columns): max |Gram - g^2 I| / g^2 = \(worst)")
        // The announced variance is the mean square, g^2 / max(fanIn, fanOut), exactly.
        let meanSquare = weight.elements.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(rows * columns)
        let announced = try #require(Initializer.orthogonal(gain: .value(gain)).targetVariance(fanIn: columns, fanOut: rows))
        #expect(abs(meanSquare - announced) <= 1e-5 * announced)
        #expect(weight.elements.allSatisfy { abs($0) <= gain * 1.000_01 })
    }

    /// With the signs of diag(R) folded in, QR of a Gaussian matrix is Gram-Schmidt of its rows
    /// (wide) or columns (tall) with positive coefficients, which is checked here in Double on the
    /// very Gaussian matrix the initializer draws (`RandomFill.normal` with the same seed and stream).
    @Test(arguments: [(4, 6), (6, 4), (5, 5), (1, 7), (7, 1)])
    func signCorrectionMakesItGramSchmidt(rows: Int, columns: Int) throws {
        var weight = try Matrix(rows: rows, columns: columns)
        try Initializer.orthogonal(gain: 1.25).fillWeight(&weight, seed: 8, stream: 21)
        var gaussian = try Matrix(rows: rows, columns: columns)
        try RandomFill.normal(&gaussian, seed: 8, stream: 21)
        let wide = rows <= columns
        let count = wide ? rows : columns, length = wide ? columns : rows
        func vector(_ m: Matrix, _ i: Int) -> [Double] {
            (0..<length).map { Double(wide ? m[i, $0] : m[$0, i]) }
        }
        var basis = [[Double]]()
        for i in 0..<count {
            var v = vector(gaussian, i)
            for q in basis {
                let projection = zip(v, q).reduce(0) { $0 + $1.0 * $1.1 }
                for k in 0..<length { v[k] -= projection * q[k] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            basis.append(v.map { $0 / norm })
        }
        for i in 0..<count {
            let actual = vector(weight, i)
            for k in 0..<length { #expect(abs(actual[k] - 1.25 * basis[i][k]) < 1e-5) }
        }
    }

    /// Haar distribution: over many draws, every entry of the first row and column has mean 0
    /// and mean square 1/n (without the sign correction the (0, 0) entry is always negative).
    @Test func firstRowAndColumnAreCentredOverDraws() throws {
        let n = 5, draws = 400
        var sums = [Double](repeating: 0, count: 2 * n)
        var squares = [Double](repeating: 0, count: 2 * n)
        var weight = try Matrix(rows: n, columns: n)
        for draw in 0..<draws {
            try Initializer.orthogonal(gain: 1).fillWeight(&weight, seed: 5, stream: UInt64(draw))
            for k in 0..<n {
                let row = Double(weight[0, k]), column = Double(weight[k, 0])
                sums[k] += row; squares[k] += row * row
                sums[n + k] += column; squares[n + k] += column * column
            }
        }
        let standardError = (1.0 / Double(n) / Double(draws)).squareRoot()
        for k in 0..<(2 * n) {
            #expect(abs(sums[k] / Double(draws)) < 5 * standardError, "entry \(k): mean \(sums[k] / Double(draws))")
            // E[x^2] = 1/n, Var(x^2) = E[x^4] - 1/n^2 = 3/(n(n+2)) - 1/n^2.
            let fourthError = ((3.0 / Double(n * (n + 2)) - 1.0 / Double(n * n)) / Double(draws)).squareRoot()
            #expect(abs(squares[k] / Double(draws) - 1.0 / Double(n)) < 5 * fourthError)
        }
    }

    /// Bit-identical across runs at a given thread count. Across thread counts OpenBLAS's threaded
    /// kernels (inside sgeqrf/sorgqr) round in a different order, so 1 and 2 threads agree to
    /// rounding (1e-5), not bit for bit; the Gaussian matrix itself is bit-identical (RandomFill tests).
    /// Serialized: OpenBLAS's thread count is process-wide.
    @Test(.serialized, arguments: [(300, 200), (200, 300), (257, 257)])
    func reproducibleAcrossRunsAndCloseAcrossThreadCounts(rows: Int, columns: Int) throws {
        var one = try Matrix(rows: rows, columns: columns)
        var oneAgain = try Matrix(rows: rows, columns: columns)
        var two = try Matrix(rows: rows, columns: columns)
        var twoAgain = try Matrix(rows: rows, columns: columns)
        try Initializer.orthogonal(gain: 1).fillWeight(&one, seed: 3, threads: 1)
        try Initializer.orthogonal(gain: 1).fillWeight(&two, seed: 3, threads: 2)
        try Initializer.orthogonal(gain: 1).fillWeight(&oneAgain, seed: 3, threads: 1)
        try Initializer.orthogonal(gain: 1).fillWeight(&twoAgain, seed: 3, threads: 2)
        #expect(one == oneAgain)
        #expect(two == twoAgain)
        let difference = zip(one.elements, two.elements).map { abs($0 - $1) }.max() ?? 0
        #expect(difference < 1e-5)
        var otherStream = try Matrix(rows: rows, columns: columns)
        try Initializer.orthogonal(gain: 1).fillWeight(&otherStream, seed: 3, stream: 1, threads: 1)
        let streamDifference = zip(one.elements, otherStream.elements).map { abs($0 - $1) }.max() ?? 0
        #expect(streamDifference > 0.01)
    }

    @Test func orthonormalizeReturnsTheSignsOfTheDiagonal() throws {
        // A lower-triangular 3x3 (row-major) with a negative diagonal entry: its rows are already
        // orthogonal after Gram-Schmidt; R's diagonal signs come back.
        var matrix = try Matrix([[2, 0, 0], [1, -3, 0], [0, 0, 4]])
        let signs = try LAPACK.orthonormalize(&matrix)
        #expect(signs.count == 3)
        var flipped = matrix
        for r in 0..<3 { for c in 0..<3 { flipped[r, c] *= signs[r] } }
        // After folding in the signs, row 0 is e0 (Gram-Schmidt of [2, 0, 0]), row 1 is -e1, row 2 e2.
        let expected: [[Float]] = [[1, 0, 0], [0, -1, 0], [0, 0, 1]]
        for r in 0..<3 { for c in 0..<3 { #expect(abs(flipped[r, c] - expected[r][c]) < 1e-6) } }
        var empty = try Matrix(rows: 0, columns: 3)
        #expect(try LAPACK.orthonormalize(&empty).isEmpty)
    }
}
