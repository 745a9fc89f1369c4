import Foundation
import Testing
@testable import VarianceKit

/// Non-finite input is refused before LAPACK runs, naming the routine and the first non-finite
/// element; LAPACKE's own codes are explained, not blamed on VarianceKit.
@Suite struct LAPACKInputTests {
    static func matrix(rows: Int, columns: Int, setting value: Float, at position: (row: Int, column: Int)) throws -> Matrix {
        var random = TestRandom(seed: 11)
        var matrix = random.matrix(rows, columns)
        matrix[position.row, position.column] = value
        return matrix
    }

    static func expectNonFinite(_ error: any Error, routine: String, row: Int, column: Int, value: Float,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        guard case let .nonFiniteInput(reportedRoutine, reportedRow, reportedColumn, reportedValue)? = error as? VarianceKitError else {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(reportedRoutine == routine && reportedRow == row && reportedColumn == column, "\(error)", sourceLocation: sourceLocation)
        #expect(reportedValue.bitPattern == value.bitPattern, sourceLocation: sourceLocation)
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func qrAndSingularValuesRefuseNonFiniteInput(value: Float) throws {
        var a = try Self.matrix(rows: 5, columns: 4, setting: value, at: (3, 2))
        a[4, 0] = .nan                                             // a later one is not the first
        Self.expectNonFinite(try #require(throws: VarianceKitError.self) { try LAPACK.qr(a) },
                             routine: "sgeqrf", row: 3, column: 2, value: value)
        Self.expectNonFinite(try #require(throws: VarianceKitError.self) { try LAPACK.singularValues(a) },
                             routine: "sgesdd", row: 3, column: 2, value: value)
    }

    /// Both routines, tall and wide; the matrix is left as it was.
    @Test(arguments: LAPACK.HouseholderRoutine.allCases)
    func orthonormalizeRefusesNonFiniteInput(routine: LAPACK.HouseholderRoutine) throws {
        for (rows, columns, first) in [(3, 7, routine == .compactWY ? "sgeqrt3" : "sgeqrf"), (7, 3, "sgelqf")] {
            let original = try Self.matrix(rows: rows, columns: columns, setting: -.infinity, at: (rows - 1, columns - 1))
            var matrix = original
            Self.expectNonFinite(try #require(throws: VarianceKitError.self) { _ = try LAPACK.orthonormalize(&matrix, routine: routine) },
                                 routine: first, row: rows - 1, column: columns - 1, value: -.infinity)
            #expect(matrix == original)
        }
    }

    /// Finite input of every magnitude goes through (the check looks only for inf and NaN).
    @Test func extremeFiniteInputIsAccepted() throws {
        let a = try Matrix(rows: 2, columns: 2, elements: [Float.greatestFiniteMagnitude / 4, 0, .leastNonzeroMagnitude, 1])
        #expect(try LAPACK.singularValues(a).allSatisfy { $0.isFinite })
    }

    @Test func lapackeCodesAreExplained() {
        let memory = VarianceKitError.lapackFailure(routine: "sgesdd", info: -1010).description
        #expect(memory.contains("could not allocate its workspace") && memory.contains("out of memory") && !memory.contains("bug"))
        let transpose = VarianceKitError.lapackFailure(routine: "sgeqrf", info: -1011).description
        #expect(transpose.contains("transposed copy") && !transpose.contains("bug"))
        #expect(VarianceKitError.lapackFailure(routine: "sgeqrf", info: -4).description.contains("VarianceKit bug"))
        let input = VarianceKitError.nonFiniteInput(routine: "sgesdd", row: 3, column: 2, value: .infinity).description
        #expect(input == "sgesdd: the input matrix holds a non-finite value (inf or NaN): inf at row 3, column 2 (the first in row-major order); LAPACK needs finite input")
    }
}
