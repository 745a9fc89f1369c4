import Foundation
import Testing
import VarianceKit

@Suite struct LossTests {
    @Test func handWorkedValues() throws {
        let output = try Matrix([[1, 2], [3, 4]])
        // MSE: ((1-0)² + (2-2)² + (3-1)² + (4-4)²) / 4 = 5/4; gradient 2 (A - T) / 4.
        let targets = try Matrix([[0, 2], [1, 4]])
        #expect(try Loss.meanSquaredError(targets: targets).value(of: output) == 1.25)
        #expect(try Loss.meanSquaredError(targets: targets).gradient(of: output).elements == [0.5, 0, 1, 0])
        // Quadratic: (1 + 4 + 9 + 16) / (2 * 2) = 7.5; gradient A / 2.
        #expect(try Loss.quadratic.value(of: output) == 7.5)
        #expect(try Loss.quadratic.gradient(of: output).elements == [0.5, 1, 1.5, 2])
        // Cross-entropy of equal logits over 2 classes: log 2.
        let equal = try Matrix([[3, 3]])
        #expect(Swift.abs(try Loss.softmaxCrossEntropy(labels: [1]).value(of: equal) - Foundation.log(2.0)) < 1e-7)
        #expect(try Loss.softmaxCrossEntropy(labels: [1]).gradient(of: equal).elements == [0.5, -0.5])
    }

    @Test func readoutIsStandardNormalFixedBySeed() throws {
        let r = try Loss.readoutMatrix(seed: 17, rows: 256, columns: 512)
        let statistics = NaiveStatistics(r.elements)
        // n = 131072: the sample mean has sd 1/sqrt(n) = 0.0028, the variance sd sqrt(2/n) = 0.0039.
        #expect(Swift.abs(statistics.mean) < 0.015)
        #expect(Swift.abs(statistics.variance - 1) < 0.02)
        #expect(r == (try Loss.readoutMatrix(seed: 17, rows: 256, columns: 512)))
        #expect(r != (try Loss.readoutMatrix(seed: 18, rows: 256, columns: 512)))
        // The loss is (1/B) Σ R ⊙ A and its gradient R / B.
        var random = TestRandom(seed: 1)
        let output = random.matrix(256, 512)
        var expected = 0.0
        for (a, b) in zip(output.elements, r.elements) { expected += Double(a) * Double(b) }
        #expect(Swift.abs(try Loss.randomReadout(seed: 17).value(of: output) - expected / 256) < 1e-4)
        let gradient = try Loss.randomReadout(seed: 17).gradient(of: output)
        #expect(zip(gradient.elements, r.elements).allSatisfy { $0 == $1 / 256 })
    }

    @Test func badShapesAndLabelsThrow() throws {
        let output = try Matrix(rows: 3, columns: 4)
        #expect(throws: VarianceKitError.self) { try Loss.meanSquaredError(targets: Matrix(rows: 3, columns: 3)).value(of: output) }
        #expect(throws: VarianceKitError.self) { try Loss.softmaxCrossEntropy(labels: [0, 1]).value(of: output) }
        #expect(throws: VarianceKitError.self) { try Loss.softmaxCrossEntropy(labels: [0, 1, 4]).value(of: output) }
        #expect(throws: VarianceKitError.self) { try Loss.quadratic.value(of: Matrix(rows: 0, columns: 4)) }
        do {
            try Loss.softmaxCrossEntropy(labels: [0, 7, 1]).validate(outputRows: 3, outputColumns: 4)
            Issue.record("expected an error")
        } catch let error as VarianceKitError {
            #expect(error.description.contains("labels[1] = 7"), "\(error)")
            #expect(error.description.contains("0..<4"), "\(error)")
        }
    }

    @Test func nonFiniteLogitsGiveNaNNotATrap() throws {
        let loss = Loss.softmaxCrossEntropy(labels: [0])
        #expect(try loss.value(of: Matrix([[.nan, 1]])).isNaN)
        #expect(try loss.value(of: Matrix([[.infinity, 1]])).isNaN)
    }
}
