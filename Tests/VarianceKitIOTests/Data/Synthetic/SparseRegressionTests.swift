import Testing
import VarianceKit

@Suite struct SparseRegressionTests {
    /// Least squares in Double on all columns recovers `beta` on the relevant columns and zero on
    /// the irrelevant ones, each within 5 standard errors `sigma sqrt((XᵀX)⁻¹_jj)`.
    @Test func leastSquaresFindsOnlyTheRelevantFeatures() throws {
        let task = try SparseRegression(samples: 4000, relevant: 4, irrelevant: 12, noiseStandardDeviation: 0.1, seed: 21)
        #expect(task.relevantFeatures == 0 ..< 4 && task.irrelevantFeatures == 4 ..< 16 && task.featureCount == 16)
        let dataset = try task.makeDataset()
        #expect(dataset.name == "sparse-regression" && dataset.featureCount == 16 && dataset.outputCount == 1)
        let beta = task.coefficients()
        #expect(beta.count == 4)
        #expect(abs(beta.reduce(0.0) { $0 + Double($1) * Double($1) } - 1) <= 1e-6)

        guard case let .values(targets) = dataset.targets else { Issue.record("regression targets expected"); return }
        let x = (0 ..< 4000).map { r in (0 ..< 16).map { Double(dataset.features[r, $0]) } }
        let y = (0 ..< 4000).map { Double(targets[$0, 0]) }
        let (coefficients, inverseGram) = SyntheticReference.leastSquares(x, y)
        for column in 0 ..< 16 {
            let standardError = 0.1 * inverseGram[column][column].squareRoot()
            let expected = column < 4 ? Double(beta[column]) : 0
            #expect(abs(coefficients[column] - expected) <= 5 * standardError,
                    "column \(column): \(coefficients[column]) vs \(expected) (SE \(standardError))")
        }
    }

    /// The inputs are `RandomFill.normal` on `teacherInput`, the residual `y - betaᵀx` is the
    /// noise `sigma e` with `e` from `RandomFill.normal` on `synthesis`, and `Var(y) = 1 + sigma^2`.
    @Test func samplesFollowTheGenerativeFormula() throws {
        let task = try SparseRegression(samples: 3000, relevant: 3, irrelevant: 5, noiseStandardDeviation: 0.5, seed: 4)
        let dataset = try task.makeDataset()
        var inputs = try Matrix(rows: 3000, columns: 8)
        try RandomFill.normal(&inputs, seed: 4, stream: RandomStream.teacherInput.id)
        #expect(dataset.features == inputs)
        var noise = try Matrix(rows: 3000, columns: 1)
        try RandomFill.normal(&noise, standardDeviation: 0.5, seed: 4, stream: RandomStream.synthesis.id)
        guard case let .values(targets) = dataset.targets else { Issue.record("regression targets expected"); return }
        let beta = task.coefficients().map(Double.init)
        var worst = 0.0
        var values: [Double] = []
        for row in 0 ..< 3000 {
            let signal = (0 ..< 3).reduce(0.0) { $0 + beta[$1] * Double(inputs[row, $1]) }
            worst = max(worst, abs(Double(targets[row, 0]) - signal - Double(noise[row, 0])))
            values.append(Double(targets[row, 0]))
        }
        #expect(worst <= 1e-5)
        let mean = values.reduce(0, +) / 3000
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 3000
        // SE of a normal's sample variance: v sqrt(2/n).
        #expect(abs(variance - 1.25) <= 5 * 1.25 * (2.0 / 3000).squareRoot(), "Var(y) = \(variance)")
    }

    @Test func withoutNoiseTheTargetIsTheLinearFunction() throws {
        let task = try SparseRegression(samples: 100, relevant: 2, irrelevant: 0, noiseStandardDeviation: 0, seed: 8)
        let dataset = try task.makeDataset()
        let beta = task.coefficients().map(Double.init)
        guard case let .values(targets) = dataset.targets else { Issue.record("regression targets expected"); return }
        for row in 0 ..< 100 {
            let signal = beta[0] * Double(dataset.features[row, 0]) + beta[1] * Double(dataset.features[row, 1])
            #expect(abs(Double(targets[row, 0]) - signal) <= 1e-6 * (1 + abs(signal)))
        }
    }

    @Test func seedsDecideTheData() throws {
        let a = try SparseRegression(samples: 40, relevant: 2, irrelevant: 3, seed: 1).makeDataset()
        let b = try SparseRegression(samples: 40, relevant: 2, irrelevant: 3, seed: 1).makeDataset()
        let c = try SparseRegression(samples: 40, relevant: 2, irrelevant: 3, seed: 2).makeDataset()
        #expect(a.features == b.features && a.targets == b.targets)
        #expect(a.features != c.features && a.targets != c.targets)
        #expect(try SparseRegression(samples: 1, relevant: 5, irrelevant: 0, seed: 1).coefficients()
                != (try SparseRegression(samples: 1, relevant: 5, irrelevant: 0, seed: 2).coefficients()))
    }

    @Test func parametersAreValidated() {
        #expect(throws: VarianceKitError.self) { try SparseRegression(samples: 0, relevant: 1, irrelevant: 1, seed: 1) }
        #expect(throws: VarianceKitError.self) { try SparseRegression(samples: 1, relevant: 0, irrelevant: 1, seed: 1) }
        #expect(throws: VarianceKitError.self) { try SparseRegression(samples: 1, relevant: 1, irrelevant: -1, seed: 1) }
        #expect(throws: VarianceKitError.self) { try SparseRegression(samples: 1, relevant: 60_000, irrelevant: 10_000, seed: 1) }
        #expect(throws: VarianceKitError.self) { try SparseRegression(samples: 1, relevant: 1, irrelevant: 1, noiseStandardDeviation: .infinity, seed: 1) }
        #expect(throws: VarianceKitError.self) { try SparseRegression(samples: 1, relevant: 1, irrelevant: 1, noiseStandardDeviation: -0.1, seed: 1) }
    }
}
