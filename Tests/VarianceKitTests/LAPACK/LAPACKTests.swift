import Foundation
import Testing
import VarianceKit

@Suite struct LAPACKTests {
    /// `QᵀQ = I` and `Q R = A` to 1e-5, square and rectangular in both directions.
    @Test(arguments: [(6, 6), (9, 4), (4, 9), (1, 5), (5, 1), (64, 48)])
    func qrReconstructsAndIsOrthonormal(rows: Int, columns: Int) throws {
        var random = TestRandom(seed: UInt64(rows * 100 + columns))
        let a = random.matrix(rows, columns)
        let (q, r, diagonal) = try LAPACK.qr(a)
        let k = min(rows, columns)
        #expect(q.shape == (rows: rows, columns: k))
        #expect(r.shape == (rows: k, columns: columns))
        #expect(diagonal.count == k)
        let gram = Reference.gram(q, ofColumns: true)
        for i in 0..<k {
            for j in 0..<k { #expect(abs(gram[i][j] - (i == j ? 1 : 0)) < 1e-5) }
            #expect(diagonal[i] == r[i, i])
            for j in 0..<i { #expect(r[i, j] == 0) }
        }
        let product = Reference.gemm(q, r, a, transposeA: false, transposeB: false, alpha: 1, beta: 0)
        for i in 0..<rows {
            for j in 0..<columns { #expect(abs(product[i][j] - Double(a[i, j])) < 1e-5) }
        }
    }

    @Test func qrOfEmptyMatrix() throws {
        let (q, r, diagonal) = try LAPACK.qr(try Matrix(rows: 0, columns: 3))
        #expect(q.count == 0 && r.count == 0 && diagonal.isEmpty)
    }

    /// Singular values of `A = U diag(s) Vᵀ` built from known orthogonal factors.
    @Test(arguments: [(5, 5), (8, 3), (3, 8)])
    func singularValuesOfConstructedMatrix(rows: Int, columns: Int) throws {
        var random = TestRandom(seed: 5)
        let k = min(rows, columns)
        let u = try LAPACK.qr(random.matrix(rows, k)).q         // rows x k, orthonormal columns
        let v = try LAPACK.qr(random.matrix(columns, k)).q      // columns x k
        let singular: [Float] = (0..<k).map { Float(k - $0) * 1.5 }
        var us = u
        for i in 0..<rows { for j in 0..<k { us[i, j] *= singular[j] } }
        let a = try BLAS.product(us, v, transposeB: true)
        let values = try LAPACK.singularValues(a)
        #expect(values.count == k)
        for i in 0..<k { #expect(abs(values[i] - singular[i]) < 1e-4 * singular[0]) }
        #expect(try LAPACK.singularValues(try Matrix(rows: 4, columns: 0)).isEmpty)
    }

    @Test func lapackFailureDescribesRoutine() {
        let error = VarianceKitError.lapackFailure(routine: "sgesdd", info: 3)
        #expect(error.description.contains("sgesdd"))
        #expect(error.description.contains("info = 3"))
    }
}
