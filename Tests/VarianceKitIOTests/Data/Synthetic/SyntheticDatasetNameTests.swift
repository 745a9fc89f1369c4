import Testing
import VarianceKit

@Suite struct SyntheticDatasetNameTests {
    @Test func namesAndAliasesResolve() throws {
        for name in SyntheticDatasetName.allCases {
            #expect(try SyntheticDatasetName.named(name.rawValue) == name)
            #expect(try SyntheticDatasetName.named(" " + name.rawValue.uppercased().replacingOccurrences(of: "-", with: "_")) == name)
            #expect(!name.summary.isEmpty)
        }
        #expect(Set(SyntheticDatasetName.allCases.map(\.summary)).count == SyntheticDatasetName.allCases.count)
        #expect(try SyntheticDatasetName.named("relevant-features") == .sparseRegression)
        #expect(try SyntheticDatasetName.named("shapeset-3x2") == .shapeset)
        #expect(try SyntheticDatasetName.named("Shapeset_3x2") == .shapeset)
        #expect(SyntheticDatasetName.acceptedNames == "teacher-regression, teacher-classification, gaussian-mixture, sparse-regression, shapeset")
        #expect {
            try SyntheticDatasetName.named("mnist")
        } throws: { error in
            guard case let .invalidParameter(name, _, expected) = error as? VarianceKitError else { return false }
            return name == "dataset" && expected.contains("gaussian-mixture") && expected.contains("relevant-features")
        }
    }

    /// Every name builds its default dataset: the documented shape, kind of target and name.
    @Test(arguments: SyntheticDatasetName.allCases)
    func defaultsBuild(name: SyntheticDatasetName) throws {
        let dataset = try name.makeDataset(samples: 20, seed: 3)
        #expect(dataset.sampleCount == 20)
        #expect(dataset.name == name.rawValue)
        #expect(dataset.isClassification == name.isClassification)
        let expected: (features: Int, outputs: Int) = switch name {
        case .teacherRegression: (16, 1)
        case .teacherClassification: (16, 4)
        case .gaussianMixture: (16, 4)
        case .sparseRegression: (64, 1)
        case .shapeset: (1024, 9)
        }
        #expect(dataset.featureCount == expected.features && dataset.outputCount == expected.outputs)
        let again = try name.makeDataset(samples: 20, seed: 3)
        #expect(again.features == dataset.features && again.targets == dataset.targets)
        let configuration = try name.configuration(samples: 20, seed: 3)
        #expect(configuration.memoryRequirement >= 20 * expected.features * 4)
    }

    @Test func optionsOverrideTheDefaults() throws {
        let mixture = try SyntheticDatasetName.gaussianMixture.configuration(
            samples: 10, seed: 1, options: SyntheticDatasetOptions(features: 7, classes: 5, separation: 2))
        #expect(mixture == .gaussianMixture(try GaussianMixture(samples: 10, features: 7, classes: 5, separation: 2, seed: 1)))
        let sparse = try SyntheticDatasetName.sparseRegression.configuration(
            samples: 10, seed: 1, options: SyntheticDatasetOptions(features: 40, noise: 0.3))
        #expect(sparse == .sparseRegression(try SparseRegression(samples: 10, relevant: 5, irrelevant: 35, noiseStandardDeviation: 0.3, seed: 1)))
        let teacher = try SyntheticDatasetName.teacherClassification.configuration(
            samples: 10, seed: 1, options: SyntheticDatasetOptions(features: 3, classes: 6))
        #expect(teacher == .teacher(try TeacherDataset(task: .classification, samples: 10, widths: [3, 64, 6], seed: 1)))
        let regression = try SyntheticDatasetName.teacherRegression.makeDataset(
            samples: 10, seed: 1, options: SyntheticDatasetOptions(features: 2, noise: 0.5))
        #expect(regression.featureCount == 2)
        // Shapeset's fixed shape may be spelled out.
        let shapeset = try SyntheticDatasetName.shapeset.configuration(samples: 5, seed: 1, options: SyntheticDatasetOptions(features: 1024, classes: 9))
        #expect(shapeset == .shapeset(try Shapeset(samples: 5, seed: 1)))
        #expect(SyntheticDatasetOptions(classes: 3, noise: 0.1).given == [.classes, .noise])
    }

    /// Options a dataset does not take, and values out of range, are refused with
    /// `invalidParameter` naming them.
    @Test func badRequestsAreRefused() {
        let refused: [(SyntheticDatasetName, Int, SyntheticDatasetOptions, String)] = [
            (.shapeset, 10, SyntheticDatasetOptions(noise: 0.1), "noise"),
            (.shapeset, 10, SyntheticDatasetOptions(features: 100), "features"),
            (.shapeset, 10, SyntheticDatasetOptions(classes: 3), "classes"),
            (.teacherRegression, 10, SyntheticDatasetOptions(classes: 3), "classes"),
            (.teacherClassification, 10, SyntheticDatasetOptions(noise: 0.1), "noise"),
            (.gaussianMixture, 10, SyntheticDatasetOptions(noise: 0.1), "noise"),
            (.sparseRegression, 10, SyntheticDatasetOptions(separation: 1), "separation"),
            (.gaussianMixture, 0, SyntheticDatasetOptions(), "samples"),
            (.gaussianMixture, 10_000_001, SyntheticDatasetOptions(), "samples"),
            (.gaussianMixture, 10, SyntheticDatasetOptions(features: 0), "features"),
            (.gaussianMixture, 10, SyntheticDatasetOptions(classes: 1), "classes"),
            (.gaussianMixture, 10, SyntheticDatasetOptions(separation: -.infinity), "separation"),
            (.sparseRegression, 10, SyntheticDatasetOptions(noise: -1), "noise"),
            (.sparseRegression, 10, SyntheticDatasetOptions(noise: .nan), "noise"),
            (.teacherRegression, 10, SyntheticDatasetOptions(noise: 1e300), "noise"),
            (.teacherClassification, 10, SyntheticDatasetOptions(classes: 1000), "classes"),
        ]
        for (name, samples, options, parameter) in refused {
            #expect {
                try name.configuration(samples: samples, seed: 1, options: options)
            } throws: { error in
                guard case let .invalidParameter(named, _, _) = error as? VarianceKitError else { return false }
                return named.contains(parameter)
            }
        }
    }
}
