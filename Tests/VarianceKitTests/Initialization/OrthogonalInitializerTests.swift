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

    /// Bit-identical for 1, 2, 3 and 7 threads and across runs, for a wide, a tall and a square
    /// shape whose trailing updates span several of `LAPACK.updateBlockSize`'s blocks; and
    /// orthonormal, checked in Double: `max |W Wᵀ - I| < 2e-5` (wide, square) or `max |Wᵀ W - I|`
    /// (tall). Serialized: OpenBLAS's thread count is process-wide.
    @Test(.serialized, arguments: [(700, 900), (900, 700), (640, 640)])
    func bitIdenticalWhateverTheThreadCount(rows: Int, columns: Int) throws {
        func draw(threads: Int, stream: UInt64 = 0) throws -> Matrix {
            var weight = try Matrix(rows: rows, columns: columns)
            try Initializer.orthogonal(gain: 1).fillWeight(&weight, seed: 3, stream: stream, threads: threads)
            return weight
        }
        let one = try draw(threads: 1)
        for threads in [2, 3, 7, 1] {
            let other = try draw(threads: threads)
            let differing = zip(one.elements, other.elements).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(rows)x\(columns), \(threads) threads: \(differing) elements differ from 1 thread")
        }
        let otherStream = try draw(threads: 2, stream: 1)
        let streamDifference = zip(one.elements, otherStream.elements).map { abs($0 - $1) }.max() ?? 0
        #expect(streamDifference > 0.01)

        // Orthonormality in Double: the basis vectors are the rows (wide, square) or the columns (tall).
        let wide = rows <= columns
        let count = wide ? rows : columns, length = wide ? columns : rows
        var vectors = [[Double]](repeating: [Double](repeating: 0, count: length), count: count)
        one.withUnsafeBufferPointer { w in
            for i in 0..<count {
                for k in 0..<length { vectors[i][k] = Double(wide ? w[i * columns + k] : w[k * columns + i]) }
            }
        }
        var worst = 0.0
        for i in 0..<count {
            for j in i..<count {
                var dot = 0.0
                vectors[i].withUnsafeBufferPointer { a in
                    vectors[j].withUnsafeBufferPointer { b in
                        for k in 0..<length { dot += a[k] * b[k] }
                    }
                }
                worst = max(worst, abs(dot - (i == j ? 1 : 0)))
            }
        }
        #expect(worst < 2e-5, "\(rows)x\(columns): max |Gram - I| = \(worst)")
    }

    /// `LAPACK.orthonormalize` gives the same bits for any `threads`, and refuses counts outside
    /// `1...ThreadPolicy.maximumThreadCount`.
    @Test func orthonormalizeIsBitIdenticalForAnyWorkerCount() throws {
        var gaussian = try Matrix(rows: 520, columns: 1100)
        try RandomFill.normal(&gaussian, seed: 17, stream: 2, threads: 1)
        for shape in [gaussian, try gaussian.transposed()] {
            var reference = shape
            let signs = try LAPACK.orthonormalize(&reference, threads: 1)
            for threads in [2, 5] {
                var other = shape
                #expect(try LAPACK.orthonormalize(&other, threads: threads) == signs)
                #expect(zip(reference.elements, other.elements).allSatisfy { $0.bitPattern == $1.bitPattern },
                        "\(shape.rows)x\(shape.columns), \(threads) workers")
            }
        }
        var matrix = gaussian
        #expect(throws: VarianceKitError.invalidParameter(name: "threads", value: "0",
                                                          expected: "an integer in 1...256, or nil for OpenBLAS's count")) {
            try LAPACK.orthonormalize(&matrix, threads: 0)
        }
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
