import Testing
import VarianceKit

@Suite struct GaussianMixtureTests {
    /// Per class, the sample mean of the features is the component mean (within 5 standard
    /// errors `1/sqrt(n_k)` per coordinate) and the sample covariance is the identity (within
    /// 5 standard errors: `sqrt(2/n_k)` on the diagonal, `1/sqrt(n_k)` off it).
    @Test func classMeansAndCovariancesMatchTheParameters() throws {
        let (samples, features, classes) = (8000, 6, 4)
        let mixture = try GaussianMixture(samples: samples, features: features, classes: classes, separation: 3, seed: 17)
        let dataset = try mixture.makeDataset()
        #expect(dataset.name == "gaussian-mixture" && dataset.outputCount == classes && dataset.featureCount == features)
        let means = try mixture.means()
        let labels = try #require(dataset.labels)
        for k in 0 ..< classes {
            let rows = labels.indices.filter { labels[$0] == k }
            #expect(rows.count == samples / classes)
            let n = Double(rows.count)
            let x = rows.map { r in (0 ..< features).map { Double(dataset.features[r, $0]) } }
            let mean = (0 ..< features).map { j in x.reduce(0.0) { $0 + $1[j] } / n }
            for j in 0 ..< features {
                #expect(abs(mean[j] - Double(means[k, j])) <= 5 / n.squareRoot(), "class \(k) feature \(j)")
            }
            for i in 0 ..< features {
                for j in 0 ..< features {
                    let covariance = x.reduce(0.0) { $0 + ($1[i] - mean[i]) * ($1[j] - mean[j]) } / n
                    let tolerance = 5 * (i == j ? (2 / n).squareRoot() : (1 / n).squareRoot())
                    #expect(abs(covariance - (i == j ? 1 : 0)) <= tolerance, "class \(k) covariance (\(i), \(j)) = \(covariance)")
                }
            }
        }
    }

    /// The means' coordinates have variance `separation^2 / (2 features)` (within 5 standard
    /// errors over 4000 draws), so the mean squared distance between two means is `separation^2`.
    @Test func meansHaveTheStatedSpread() throws {
        let (features, classes, separation) = (50, 80, 5.0)
        let means = try GaussianMixture(samples: 1, features: features, classes: classes, separation: separation, seed: 3).means()
        let values = means.elements.map(Double.init)
        let n = Double(values.count)
        let expected = separation * separation / (2 * Double(features))
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        #expect(abs(mean) <= 5 * (expected / n).squareRoot())
        #expect(abs(variance - expected) <= 5 * expected * (2 / n).squareRoot(), "variance \(variance) vs \(expected)")
        var squaredDistances = 0.0, pairs = 0.0
        for a in 0 ..< classes {
            for b in 0 ..< a {
                squaredDistances += (0 ..< features).reduce(0.0) { $0 + pow2(Double(means[a, $1]) - Double(means[b, $1])) }
                pairs += 1
            }
        }
        #expect(abs(squaredDistances / pairs / (separation * separation) - 1) <= 0.1)
    }

    private func pow2(_ x: Double) -> Double { x * x }

    /// Features are `mu_{i mod K} + e_i` with `e` the documented fill; labels `i mod K`.
    @Test func samplesFollowTheGenerativeFormula() throws {
        let mixture = try GaussianMixture(samples: 103, features: 5, classes: 3, seed: 6)
        let dataset = try mixture.makeDataset()
        var noise = try Matrix(rows: 103, columns: 5)
        try RandomFill.normal(&noise, seed: 6, stream: RandomStream.synthesis.id)
        let means = try mixture.means()
        #expect(dataset.labels == (0 ..< 103).map { $0 % 3 })
        for row in 0 ..< 103 {
            for column in 0 ..< 5 {
                #expect(dataset.features[row, column] == noise[row, column] + means[row % 3, column])
            }
        }
        // Separation 0: every component is N(0, I).
        let flat = try GaussianMixture(samples: 2, features: 3, classes: 2, separation: 0, seed: 6).means()
        #expect(flat.elements.allSatisfy { $0 == 0 })
    }

    @Test func seedsDecideTheData() throws {
        let a = try GaussianMixture(samples: 30, features: 4, classes: 3, seed: 1).makeDataset()
        let b = try GaussianMixture(samples: 30, features: 4, classes: 3, seed: 1).makeDataset()
        let c = try GaussianMixture(samples: 30, features: 4, classes: 3, seed: 2).makeDataset()
        #expect(a.features == b.features && a.labels == b.labels)
        #expect(a.features != c.features)
    }

    @Test func parametersAreValidated() {
        #expect(throws: VarianceKitError.self) { try GaussianMixture(samples: 0, features: 1, classes: 2, seed: 1) }
        #expect(throws: VarianceKitError.self) { try GaussianMixture(samples: 1, features: 0, classes: 2, seed: 1) }
        #expect(throws: VarianceKitError.self) { try GaussianMixture(samples: 1, features: 1, classes: 1, seed: 1) }
        #expect(throws: VarianceKitError.self) { try GaussianMixture(samples: 1, features: 1, classes: 2, separation: -1, seed: 1) }
        #expect(throws: VarianceKitError.self) { try GaussianMixture(samples: 1, features: 1, classes: 2, separation: .nan, seed: 1) }
        #expect(throws: VarianceKitError.self) { try GaussianMixture(samples: 10_000_001, features: 1, classes: 2, seed: 1) }
    }

    /// A mixture far larger than the machine is refused before anything is allocated.
    @Test func tooLargeAMixtureIsRefused() throws {
        let mixture = try GaussianMixture(samples: 10_000_000, features: 65_536, classes: 2, seed: 1)
        #expect(mixture.memoryRequirement >= 10_000_000 * 65_536 * 4)
        guard let available = MemoryBudget.availableBytes(), available < mixture.memoryRequirement else { return }
        #expect {
            try mixture.makeDataset()
        } throws: { error in
            if case .insufficientMemory = error as? VarianceKitError { return true }
            return false
        }
    }
}
