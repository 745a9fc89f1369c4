import Testing
import VarianceKit

/// `gemm` against a naive Double triple loop, normwise relative error < 1e-5.
@Suite struct GemmTests {
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (3, 5, 7), (17, 1, 33), (1, 19, 4), (64, 3, 129), (2, 250, 3),
        (0, 4, 5), (4, 0, 5), (4, 5, 0), (0, 0, 0), (31, 47, 63),
    ]
    static let coefficients: [(alpha: Float, beta: Float)] = [(1, 0), (-0.5, 1), (2, -1.5), (0, 0.25)]

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func allTransposeCombinations(transposeA: Bool, transposeB: Bool) throws {
        var random = TestRandom(seed: 42)
        for shape in Self.shapes {
            for (alpha, beta) in Self.coefficients {
                let a = transposeA ? random.matrix(shape.k, shape.m) : random.matrix(shape.m, shape.k)
                let b = transposeB ? random.matrix(shape.n, shape.k) : random.matrix(shape.k, shape.n)
                let initial = random.matrix(shape.m, shape.n)
                var c = initial
                try BLAS.gemm(a, b, into: &c, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta)
                let expected = Reference.gemm(a, b, initial, transposeA: transposeA, transposeB: transposeB,
                                              alpha: Double(alpha), beta: Double(beta))
                let error = relativeError(c, expected)
                #expect(error < 1e-5, "m=\(shape.m) n=\(shape.n) k=\(shape.k) alpha=\(alpha) beta=\(beta): \(error)")
            }
        }
    }

    @Test func betaZeroIgnoresNaNInOutput() throws {
        var random = TestRandom(seed: 7)
        let a = random.matrix(4, 3), b = random.matrix(3, 5)
        var c = try Matrix(rows: 4, columns: 5, repeating: .nan)
        try BLAS.gemm(a, b, into: &c, beta: 0)
        #expect(c.elements.allSatisfy { $0.isFinite })
        // k = 0 with beta = 0 writes exact zeros even over NaN.
        var d = try Matrix(rows: 2, columns: 2, repeating: .nan)
        try BLAS.gemm(try Matrix(rows: 2, columns: 0), try Matrix(rows: 0, columns: 2), into: &d)
        #expect(d.elements == [0, 0, 0, 0])
    }

    @Test func accumulationAddsProductRepeatedly() throws {
        var random = TestRandom(seed: 9)
        let a = random.matrix(6, 4), b = random.matrix(4, 3)
        var c = try Matrix(rows: 6, columns: 3)
        for _ in 0..<3 { try BLAS.gemm(a, b, into: &c, beta: 1) }
        let once = Reference.gemm(a, b, c, transposeA: false, transposeB: false, alpha: 3, beta: 0)
        #expect(relativeError(c, once) < 1e-5)
    }

    @Test func productConvenience() throws {
        let a = try Matrix([[1, 2], [3, 4], [5, 6]])
        let b = try Matrix([[1, 0, -1], [2, 1, 0]])
        #expect(try BLAS.product(a, b).elements == [5, 2, -1, 11, 4, -3, 17, 6, -5])
        #expect(try BLAS.product(a, a, transposeA: true).elements == [35, 44, 44, 56])
    }

    @Test func innerDimensionMismatchNamesBothShapes() throws {
        let a = try Matrix(rows: 3, columns: 4), b = try Matrix(rows: 5, columns: 2)
        var c = try Matrix(rows: 3, columns: 2)
        let error = try #require(throws: VarianceKitError.self) { try BLAS.gemm(a, b, into: &c) }
        guard case let .shapeMismatch(mismatch) = error else { Issue.record("wrong case \(error)"); return }
        #expect(mismatch.operation == "gemm" && mismatch.operand == "op(B)" && mismatch.actual == [5, 2] && mismatch.expected == [4, nil])
        #expect(error.description.contains("inner dimensions"))
    }

    @Test func outputShapeMismatchIsRejectedAndOutputUntouched() throws {
        let a = try Matrix(rows: 3, columns: 4), b = try Matrix(rows: 4, columns: 2)
        var c = try Matrix(rows: 2, columns: 3, repeating: 7)
        let error = try #require(throws: VarianceKitError.self) { try BLAS.gemm(a, b, into: &c) }
        guard case let .shapeMismatch(mismatch) = error else { Issue.record("wrong case \(error)"); return }
        #expect(mismatch.operand == "C" && mismatch.actual == [2, 3] && mismatch.expected == [3, 2])
        #expect(c.elements == [Float](repeating: 7, count: 6))
    }

    @Test func nonFiniteCoefficientsAreRejected() throws {
        let a = try Matrix(rows: 2, columns: 2)
        var c = try Matrix(rows: 2, columns: 2)
        #expect(throws: VarianceKitError.self) { try BLAS.gemm(a, a, into: &c, alpha: .nan) }
        #expect(throws: VarianceKitError.self) { try BLAS.gemm(a, a, into: &c, beta: .infinity) }
    }

    private func relativeError(_ c: Matrix, _ expected: [[Double]]) -> Double {
        var difference = 0.0, norm = 0.0
        for i in 0..<c.rows {
            for j in 0..<c.columns {
                let d = Double(c[i, j]) - expected[i][j]
                difference += d * d
                norm += expected[i][j] * expected[i][j]
            }
        }
        return difference == 0 ? 0 : (difference / max(norm, 1e-30)).squareRoot()
    }
}
