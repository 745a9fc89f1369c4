import Foundation
import Testing
@testable import VarianceKit

/// `LAPACK.orthonormalize` with both routines against Gram-Schmidt in Double of the same matrix.
/// The shapes cross the 256-reflector block boundary (several full blocks plus a partial one, or
/// one reflector past a block) on the QR path (`rows <= columns`) and the LQ path (`rows > columns`).
@Suite(.serialized) struct HouseholderRoutineTests {
    static let shapes: [(rows: Int, columns: Int)] = [
        (300, 600), (600, 300), (520, 520), (257, 400), (400, 257), (256, 256), (1, 300), (300, 1), (3, 3),
    ]

    /// Modified Gram-Schmidt in Double of the rows (`rows <= columns`) or columns of `matrix`:
    /// the orthonormal basis that QR with a positive diagonal gives, one vector per row or column.
    static func gramSchmidt(_ matrix: Matrix) -> [[Double]] {
        let wide = matrix.rows <= matrix.columns
        let count = wide ? matrix.rows : matrix.columns, length = wide ? matrix.columns : matrix.rows
        var basis = [[Double]]()
        basis.reserveCapacity(count)
        for i in 0..<count {
            var v = (0..<length).map { Double(wide ? matrix[i, $0] : matrix[$0, i]) }
            for q in basis {
                var projection = 0.0
                for k in 0..<length { projection += v[k] * q[k] }
                for k in 0..<length { v[k] -= projection * q[k] }
            }
            var norm = 0.0
            for k in 0..<length { norm += v[k] * v[k] }
            norm = norm.squareRoot()
            basis.append(v.map { $0 / norm })
        }
        return basis
    }

    @Test(arguments: shapes.indices)
    func bothRoutinesGiveTheGramSchmidtBasis(shapeIndex: Int) throws {
        let (rows, columns) = Self.shapes[shapeIndex]
        var random = TestRandom(seed: UInt64(1000 + shapeIndex))
        let original = random.matrix(rows, columns)
        let basis = Self.gramSchmidt(original)
        let wide = rows <= columns
        var results = [Matrix]()
        for routine in LAPACK.HouseholderRoutine.allCases {
            var matrix = original
            let signs = try LAPACK.orthonormalize(&matrix, routine: routine)
            #expect(signs.count == min(rows, columns))
            #expect(signs.allSatisfy { $0 == 1 || $0 == -1 })
            var worst = 0.0
            for (i, vector) in basis.enumerated() {
                for (k, expected) in vector.enumerated() {
                    let actual = Double(wide ? matrix[i, k] : matrix[k, i]) * Double(signs[i])
                    worst = max(worst, abs(actual - expected))
                }
            }
            #expect(worst < 2e-5, "\(routine) \(rows)x\(columns): max |Q D - Gram-Schmidt| = \(worst)")
            results.append(matrix)
        }
        let difference = zip(results[0].elements, results[1].elements).map { abs($0 - $1) }.max() ?? 0
        #expect(difference < 2e-5, "compactWY vs lapackDrivers \(rows)x\(columns): \(difference)")
    }

    /// The orthonormal factor is orthonormal to 1e-5 after many blocks (products by sgemm).
    @Test(arguments: [(1100, 1100), (600, 1300), (1300, 600)])
    func compactWYIsOrthonormalAcrossManyBlocks(rows: Int, columns: Int) throws {
        var matrix = try Matrix(rows: rows, columns: columns)
        try RandomFill.normal(&matrix, seed: 17, stream: 2)
        _ = try LAPACK.orthonormalize(&matrix, routine: .compactWY)
        let wide = rows <= columns
        let size = min(rows, columns)
        var gram = try Matrix(rows: size, columns: size)
        try BLAS.gemm(matrix, matrix, into: &gram, transposeA: !wide, transposeB: wide)
        var worst: Float = 0
        for i in 0..<size {
            for j in 0..<size { worst = max(worst, abs(gram[i, j] - (i == j ? 1 : 0))) }
        }
        #expect(worst < 1e-5, "\(rows)x\(columns): max |Gram - I| = \(worst)")
    }
}
