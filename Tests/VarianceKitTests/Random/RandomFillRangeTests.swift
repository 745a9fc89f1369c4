import Foundation
import Testing
@testable import VarianceKit

/// Fills whose samples would leave Float's range are refused before anything is written; the
/// largest accepted parameters write finite values only.
@Suite struct RandomFillRangeTests {
    static func expectRefused(_ parameter: String, _ value: Float, sourceLocation: SourceLocation = #_sourceLocation,
                              _ body: (inout Matrix) throws -> Void) throws {
        var matrix = try Matrix(rows: 8, columns: 9, repeating: 7)
        do {
            try body(&matrix)
            Issue.record("not refused", sourceLocation: sourceLocation)
        } catch let VarianceKitError.invalidParameter(name, reported, expected) {
            #expect(name == parameter && reported == "\(value)", "\(name) = \(reported): \(expected)", sourceLocation: sourceLocation)
        }
        #expect(matrix.elements.allSatisfy { $0 == 7 }, "written before refusing", sourceLocation: sourceLocation)
    }

    @Test func normalSamplesBeyondFloatAreRefused() throws {
        try Self.expectRefused("standardDeviation", 3e38) { try RandomFill.normal(&$0, standardDeviation: 3e38, seed: 1) }
        try Self.expectRefused("standardDeviation", 6e37) { try RandomFill.normal(&$0, standardDeviation: 6e37, seed: 1) }
        try Self.expectRefused("standardDeviation", 1e37) { try RandomFill.normal(&$0, mean: 3e38, standardDeviation: 1e37, seed: 1) }
        try Self.expectRefused("standardDeviation", 1e37) { try RandomFill.normal(&$0, mean: -3e38, standardDeviation: 1e37, seed: 1) }
        // Through an initializer: a gain that makes the standard deviation overflow Float's samples.
        try Self.expectRefused("standardDeviation", 3e38) { try Initializer.normal(mean: 0, standardDeviation: 3e38).fillWeight(&$0, seed: 1) }
        try Self.expectRefused("standardDeviation", 1e38) {
            try Initializer.truncatedNormal(mean: 0, standardDeviation: 1e38, lower: -4, upper: 1).fillWeight(&$0, seed: 1)
        }
    }

    @Test func uniformWidthBeyondFloatIsRefused() throws {
        try Self.expectRefused("high - low", .infinity) { try RandomFill.uniform(&$0, low: -3e38, high: 3e38, seed: 1) }
        try Self.expectRefused("high - low", .infinity) { try Initializer.uniform(low: -2e38, high: 2e38).fillWeight(&$0, seed: 1) }
    }

    /// Box-Muller's largest |z| is sqrt(48 ln 2) = 5.77: a standard deviation of 5.8e37 keeps
    /// every sample finite; so do truncated normals whose bounds stay inside Float.
    @Test func largestAcceptedParametersWriteFiniteValues() throws {
        var matrix = try Matrix(rows: 512, columns: 512)
        try RandomFill.normal(&matrix, mean: 0, standardDeviation: 5.8e37, seed: 3)
        #expect(matrix.elements.allSatisfy { $0.isFinite })
        try RandomFill.normal(&matrix, mean: 3e38, standardDeviation: 6e36, seed: 3)
        #expect(matrix.elements.allSatisfy { $0.isFinite })
        try RandomFill.truncatedNormal(&matrix, mean: 0, standardDeviation: 1e38, lower: -3, upper: 3, seed: 3)
        #expect(matrix.elements.allSatisfy { $0.isFinite })
        try RandomFill.uniform(&matrix, low: -1.7e38, high: 1.7e38, seed: 3)
        #expect(matrix.elements.allSatisfy { $0.isFinite })
    }
}
