import Testing
@testable import VarianceKit

@Suite struct FillMeasurementTests {
    @Test func memoryRequirement() {
        #expect(FillMeasurement.memoryRequirement(initializer: .xavierUniform(), size: 64).bytes == 64 * 64 * 4)
        // The matrix, the orthogonal fill's new result, the Gaussian matrix and its copy, and
        // compact WY's 64 x (2 · 64 + 2 · 64) workspace (blocks of min(256, size) reflectors).
        #expect(FillMeasurement.memoryRequirement(initializer: .orthogonal(), size: 64).bytes == (4 * 64 * 64 + 64 * 256) * 4)
        #expect(FillMeasurement.memoryRequirement(initializer: .orthogonal(), size: 1024).bytes
                == (4 * 1024 * 1024 + 256 * (2 * 1024 + 2 * 256)) * 4)
    }

    /// The fill writes the scheme; for orthogonal, the bare calls factor the same Gaussian matrix,
    /// so both orthonormal factors have the fill's entries up to the sign of each row.
    @Test func orthogonalBaselinesFactorTheFillsMatrix() throws {
        let measurement = try FillMeasurement(initializer: .orthogonal(gain: 1), size: 16, threads: 1, seed: 3)
        #expect(measurement.hasLAPACKBaselines)
        try measurement.fill()
        let filled = measurement.matrix
        for r in 0..<16 {
            let norm = (0..<16).reduce(0.0) { $0 + Double(filled[r, $1]) * Double(filled[r, $1]) }
            #expect(abs(norm - 1) < 1e-4)
        }
        try measurement.orthonormalizeCopy(routine: .compactWY)
        let factored = try #require(measurement.factored)
        let worst = (0..<16).flatMap { r in (0..<16).map { abs(abs(filled[r, $0]) - abs(factored[r, $0])) } }.max() ?? 1
        #expect(worst < 1e-4)
        let result = try measurement.measure(repetitions: 1)
        #expect(result.compactWY != nil && result.lapackDrivers != nil)
        #expect(result.elementsPerSecond > 0)
    }

    @Test func otherSchemesHaveNoBaselines() throws {
        let measurement = try FillMeasurement(initializer: .xavierNormal(), size: 32, threads: 2)
        #expect(!measurement.hasLAPACKBaselines)
        #expect(throws: VarianceKitError.self) { try measurement.orthonormalizeCopy(routine: .compactWY) }
        let result = try measurement.measure(repetitions: 3)
        #expect(result.compactWY == nil && result.lapackDrivers == nil)
        #expect(result.fill.best <= result.fill.median)
        #expect(measurement.matrix.elements.contains { $0 != 0 })
    }

    @Test func refusedWhenItDoesNotFit() {
        #expect(throws: VarianceKitError.self) {
            try FillMeasurement(initializer: .orthogonal(gain: 1), size: 16384, threads: 1, availableBytes: 1 << 20)
        }
    }
}
