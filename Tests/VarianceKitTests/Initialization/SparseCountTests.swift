import Foundation
import Testing
@testable import VarianceKit

/// The zeros per column of `Initializer.sparse`: `ceil(sparsity rows)` with `sparsity` read as
/// the decimal it prints as, checked against Foundation's `Decimal` arithmetic, and counted in
/// filled matrices.
@Suite struct SparseCountTests {
    /// `ceil(sparsity rows)` in `Decimal` (exact here: at most 9 digits times at most 13), with
    /// `sparsity` as the decimal `"\(sparsity)"`.
    static func decimalZeroCount(sparsity: Float, rows: Int) -> Int {
        var product = Decimal(string: "\(sparsity)")! * Decimal(rows)
        var ceiling = Decimal()
        NSDecimalRound(&ceiling, &product, 0, .up)
        return NSDecimalNumber(decimal: ceiling).intValue
    }

    /// Hand-checked counts, where the binary value of the Float would give one more
    /// (`Float(0.1) = 0.100000001490116...`): 0.1 of 10 rows is 1, of 1000 rows 100.
    @Test(arguments: [
        (Float(0.1), 10, 1), (0.1, 1000, 100), (0.5, 7, 4), (0.3, 10, 3), (1e-3, 1000, 1), (0.7, 10, 7),
        (0.25, 3, 1), (0.999, 1000, 999), (0.9999999, 10, 10), (0.1, 11, 2), (1e-3, 1001, 2), (0, 50, 0),
    ])
    func handCheckedCounts(sparsity: Float, rows: Int, zeros: Int) {
        #expect(Initializer.sparseZeroCount(sparsity: sparsity, rows: rows) == zeros)
        #expect(Self.decimalZeroCount(sparsity: sparsity, rows: rows) == zeros)
    }

    static let sparsities: [Float] = [0.1, 0.3, 0.5, 1e-3, 0.7, 0.05, 0.123456, 0.999, 1e-5, 0.25, 0.9999999,
                                      1.5e-7, 0.33333334, 0.6, 0.875, 2e-9, .leastNonzeroMagnitude, Float(1).nextDown]
    static let rowCounts = [1, 2, 3, 7, 10, 99, 100, 1000, 1001, 12_345, 1 << 20, 123_456_789, 1 << 40]

    @Test(arguments: sparsities)
    func countsAgreeWithDecimalArithmetic(sparsity: Float) {
        for rows in Self.rowCounts {
            #expect(Initializer.sparseZeroCount(sparsity: sparsity, rows: rows) == Self.decimalZeroCount(sparsity: sparsity, rows: rows),
                    "sparsity \(sparsity), rows \(rows)")
        }
        #expect(Initializer.sparseZeroCount(sparsity: sparsity, rows: 0) == 0)
    }

    /// Every column of a filled matrix has exactly that many zeros, and `targetVariance` follows.
    @Test(arguments: [(Float(0.1), 10), (0.1, 1000), (0.5, 7), (0.3, 10), (1e-3, 1000), (0.7, 10), (0.05, 333)])
    func filledColumnsHoldTheCount(sparsity: Float, rows: Int) throws {
        let columns = 6
        let zeros = Self.decimalZeroCount(sparsity: sparsity, rows: rows)
        let initializer = Initializer.sparse(sparsity: sparsity, standardDeviation: 0.5)
        var weight = try Matrix(rows: rows, columns: columns, repeating: .nan)
        try initializer.fillWeight(&weight, seed: 7, stream: 2)
        for column in 0..<columns {
            let count = (0..<rows).filter { weight[$0, column] == 0 }.count
            #expect(count == zeros, "column \(column): \(count) zeros, expected \(zeros)")
        }
        let expected = 0.25 * (1 - Double(zeros) / Double(rows))
        let announced = try #require(initializer.targetVariance(fanIn: columns, fanOut: rows))
        #expect(abs(announced - expected) <= 1e-15 * expected)
    }
}
