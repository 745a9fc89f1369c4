import Testing
import VarianceKit

@Suite struct Level1And2Tests {
    @Test(arguments: [false, true])
    func gemvAgainstNaiveLoop(transpose: Bool) throws {
        var random = TestRandom(seed: 3)
        for (rows, columns) in [(1, 1), (5, 3), (3, 5), (64, 17), (0, 3), (3, 0)] {
            let a = random.matrix(rows, columns)
            let x = random.array(transpose ? rows : columns)
            let initial = random.array(transpose ? columns : rows)
            var y = initial
            try BLAS.gemv(a, x, into: &y, transpose: transpose, alpha: 1.5, beta: -0.5)
            for i in 0..<y.count {
                var sum = 0.0
                for p in 0..<x.count { sum += Double(transpose ? a[p, i] : a[i, p]) * Double(x[p]) }
                let expected = 1.5 * sum - 0.5 * Double(initial[i])
                #expect(abs(Double(y[i]) - expected) <= 1e-5 * max(1, abs(expected)))
            }
        }
    }

    @Test func gemvLengthMismatch() throws {
        let a = try Matrix(rows: 3, columns: 4)
        var y = [Float](repeating: 0, count: 3)
        let error = try #require(throws: VarianceKitError.self) { try BLAS.gemv(a, [Float](repeating: 1, count: 3), into: &y) }
        guard case let .shapeMismatch(mismatch) = error else { Issue.record("wrong case \(error)"); return }
        #expect(mismatch.actual == [3, 3] && mismatch.expected == [4, 3])
    }

    @Test func levelOneAgainstDouble() throws {
        var random = TestRandom(seed: 11)
        let x = random.array(1001)
        var y = random.array(1001)
        let yBefore = y
        try BLAS.axpy(0.75, x, &y)
        for i in 0..<y.count {
            #expect(abs(Double(y[i]) - (0.75 * Double(x[i]) + Double(yBefore[i]))) < 1e-6)
        }
        let dot = try BLAS.dot(x, yBefore)
        let dotExpected = zip(x, yBefore).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(Double(dot) - dotExpected) < 1e-4)
        let norm = Double(BLAS.nrm2(x))
        #expect(abs(norm - x.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()) < 1e-4)
        let sumAbs = Double(BLAS.asum(x))
        #expect(abs(sumAbs - x.reduce(0.0) { $0 + abs(Double($1)) }) < 1e-3)
        var scaled = try Matrix(rows: 2, columns: 2, elements: [1, -2, 3, -4])
        try BLAS.scal(-2, &scaled)
        #expect(scaled.elements == [-2, 4, -6, 8])
    }

    @Test func levelOneOnEmptyAndMismatched() throws {
        var empty: [Float] = []
        try BLAS.axpy(2, [Float](), &empty)
        #expect(try BLAS.dot([Float](), [Float]()) == 0)
        #expect(BLAS.nrm2([Float]()) == 0)
        var y: [Float] = [1, 2]
        let error = try #require(throws: VarianceKitError.self) { try BLAS.axpy(1, [Float](repeating: 1, count: 3), &y) }
        guard case let .shapeMismatch(mismatch) = error else { Issue.record("wrong case \(error)"); return }
        #expect(mismatch.operand == "y" && mismatch.actual == [2] && mismatch.expected == [3])
        #expect(y == [1, 2])
        #expect(throws: VarianceKitError.self) { try BLAS.dot([Float](repeating: 1, count: 3), [Float](repeating: 1, count: 4)) }
    }

    /// OpenBLAS's thread count is set through `ThreadPolicy` (see `ThreadPolicyTests`).
    @Test func kernelAndConfiguration() {
        #expect(!BLAS.kernelName.isEmpty)
        #expect(BLAS.configuration.contains("OpenBLAS"))
    }
}
