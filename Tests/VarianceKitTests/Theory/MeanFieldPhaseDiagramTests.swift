import Foundation
import Testing
import VarianceKit

@Suite struct MeanFieldPhaseDiagramTests {
    let tanh = MeanFieldTheory(activation: .tanh)

    /// Each cell is the analysis at its point; the grid includes both ends; the result does not
    /// depend on the thread count.
    @Test func cellsAreTheAnalysisAtEachPoint() throws {
        let one = try tanh.phaseDiagram(weightScales: 0.5...2.5, biasVariances: 0...0.2, columns: 3, rows: 2, criticalPoints: 2, threads: 1)
        let two = try tanh.phaseDiagram(weightScales: 0.5...2.5, biasVariances: 0...0.2, columns: 3, rows: 2, criticalPoints: 2, threads: 2)
        #expect(one == two)
        #expect(one.weightScales == [0.5, 1.5, 2.5])
        #expect(one.biasVariances == [0, 0.2])
        for (row, b) in one.biasVariances.enumerated() {
            for (column, w) in one.weightScales.enumerated() {
                let analysis = try tanh.analysis(weightScale: w, biasVariance: b)
                let cell = one.cells[row][column]
                #expect(cell.phase == analysis.phase)
                #expect(cell.chi1 == analysis.chi1)
                #expect(cell.correlationDepthScale == analysis.correlationDepthScale)
            }
        }
        // Ordered: xi_c = -1 / ln chi_1 (c* = 1); at s_b^2 = 0, q* = 0 and chi_1 = s_w^2 phi'(0)^2 = s_w^2.
        #expect(abs((one.cells[0][0].correlationDepthScale ?? 0) - (-1 / log(0.5))) < 1e-9)
        #expect(one.cells[1][2].phase == .chaotic)
    }

    /// tanh's edge without bias is s_w^2 = 1; elsewhere chi_1(q*) = 1 there, found without
    /// `criticalWeightScale`.
    @Test func criticalLineHasChiOneEqualToOne() throws {
        let diagram = try tanh.phaseDiagram(weightScales: 0.5...4, biasVariances: 0...0.3, columns: 2, rows: 2, criticalPoints: 4)
        for (point, expected) in zip(diagram.criticalLine, [0, 0.1, 0.2, 0.3]) { #expect(abs(point.biasVariance - expected) < 1e-15) }
        #expect(abs((diagram.criticalLine[0].weightScale ?? 0) - 1) < 1e-7)
        for point in diagram.criticalLine.dropFirst() {
            let w = try #require(point.weightScale)
            let q = try #require(tanh.fixedPoint(weightScale: w, biasVariance: point.biasVariance))
            #expect(abs(tanh.chi1(preactivationVariance: q, weightScale: w) - 1) < 1e-6, "\(point)")
        }
    }

    /// ReLU has an edge only without bias; with one, q* diverges first.
    @Test func reluHasNoEdgeWithABias() throws {
        let relu = MeanFieldTheory(activation: .relu)
        let diagram = try relu.phaseDiagram(weightScales: 1...3, biasVariances: 0...0.1, columns: 3, rows: 2, criticalPoints: 2)
        #expect(abs((diagram.criticalLine[0].weightScale ?? 0) - 2) < 1e-6)
        #expect(diagram.criticalLine[1].weightScale == nil)
        #expect(diagram.cells[1][2].phase == nil)
        #expect(diagram.cells[1][0].phase == .ordered)
    }

    @Test func badArgumentsThrow() {
        let cases: [(ClosedRange<Double>, ClosedRange<Double>, Int, Int, Int)] = [
            (0...1, 0...1, 2, 2, 2), (1...1, 0...1, 2, 2, 2), (0.5...1, 0...0, 2, 2, 2), (0.5...1, 0...1, 1, 2, 2),
            (0.5...1, 0...1, 2, 401, 2), (0.5...1, 0...1, 2, 2, 1), (0.5...(.infinity), 0...1, 2, 2, 2),
        ]
        for (w, b, columns, rows, points) in cases {
            #expect(throws: VarianceKitError.self) {
                try tanh.phaseDiagram(weightScales: w, biasVariances: b, columns: columns, rows: rows, criticalPoints: points)
            }
        }
    }
}
