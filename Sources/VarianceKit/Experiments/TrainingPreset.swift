import Foundation

/// A training experiment, its data, and what it was run on: what `initbench train` runs.
public struct TrainingPlan: Sendable {
    /// The configurations and settings.
    public var experiment: TrainingExperiment
    /// The splits every configuration is trained and evaluated on.
    public var data: DatasetSplit
    /// Where the data came from, in words (a synthetic dataset's name and seed, or file paths).
    public var source: String
    /// Whether the features were standardized on the training split.
    public var standardized: Bool

    /// A plan of these parts.
    public init(experiment: TrainingExperiment, data: DatasetSplit, source: String, standardized: Bool) {
        self.experiment = experiment
        self.data = data
        self.source = source
        self.standardized = standardized
    }
}

/// The papers' comparisons, scaled to run in a few minutes on 2 cores, each with what it should
/// show and a verdict on whether this run showed it.
///
/// | preset | data | networks | compares |
/// |---|---|---|---|
/// | `glorot` | Shapeset-3x2 | 5 hidden layers, tanh and softsign | standard vs normalized (Xavier) initialization (Glorot & Bengio 2010, Table 1) |
/// | `he` | Gaussian mixture | 30 ReLU layers | Xavier vs He initialization (He et al. 2015, Figure 3) |
/// | `decay` | teacher classification | 2 hidden ReLU layers | SGD+L2 vs SGD+decoupled decay; Adam+L2 vs AdamW; learning rate x decay grids (Loshchilov & Hutter 2019, Figure 2) |
/// | `sparsity` | relevant and irrelevant features | 1 hidden ReLU layer, few samples | no penalty, L2, L1 by subgradient, proximal L1 |
///
/// `reduced` keeps each preset's shape with fewer samples and steps (for tests); its verdicts
/// are computed the same way but the effects may be weaker.
public enum TrainingPreset: String, CaseIterable, Sendable, Codable {
    /// Glorot & Bengio 2010 on Shapeset-3x2.
    case glorot
    /// He et al. 2015: a 30-layer ReLU network.
    case he
    /// Coupled L2 against decoupled weight decay.
    case decay
    /// L1 and L2 on a task with irrelevant features.
    case sparsity

    /// What the preset should show.
    public var claim: String {
        switch self {
        case .glorot:
            "on Shapeset-3x2 with 5 hidden tanh layers, the standard initialization U[-1/sqrt(n), 1/sqrt(n)] ends with a higher test error than the normalized (Xavier) one; with softsign the two are close (Glorot & Bengio 2010, Table 1: tanh 27.15% vs 15.60%, softsign 16.27% vs 16.06%, at full scale)"
        case .he:
            "a 30-layer ReLU network with Xavier initialization stalls (its loss barely moves) while He initialization converges (He et al. 2015, Figure 3)"
        case .decay:
            "SGD with L2 and SGD with decoupled weight decay at the equivalent setting follow the same trajectory; Adam with L2 and AdamW do not; over a learning rate x decay grid, Adam+L2's good settings lie along a diagonal while AdamW's (decay not scaled by the learning rate) separate (Loshchilov & Hutter 2019)"
        case .sparsity:
            "with few samples and many irrelevant features, proximal L1 sets exact zeros, whole input columns of the irrelevant features among them (feature selection); L1 by subgradient makes almost no exact zeros; L1 and L2 shrink the generalization gap"
        }
    }

    /// The experiment and its data.
    ///
    /// - Throws: errors of the dataset and experiment constructors.
    public func plan(reduced: Bool, seed: UInt64) throws -> TrainingPlan {
        switch self {
        case .glorot:
            let samples = reduced ? 900 : 45_000
            let data = try Shapeset(samples: samples, seed: seed).makeDataset()
                .split(validationFraction: 1.0 / 9, testFraction: 1.0 / 9, seed: seed)
            var configurations: [TrainingExperiment.Configuration] = []
            for activation in [Activation.tanh, .softsign] {
                for initializer in [InitializerName.standard, .xavierUniform] {
                    configurations.append(.init(initializer: initializer, activation: activation,
                                                optimizer: try OptimizerSettings(algorithm: .sgd, learningRate: 0.1)))
                }
            }
            let steps = reduced ? 100 : 6_000
            let settings = try TrainingSettings(batchSize: reduced ? 20 : 60, steps: steps, evaluateEvery: steps / 10, probeEvery: steps / 10, shuffleSeed: seed)
            let experiment = try TrainingExperiment(hiddenWidths: Array(repeating: reduced ? 32 : 256, count: 5),
                                                    configurations: configurations, settings: settings, seed: seed)
            // Pixels stay in [0, 1], as in the paper.
            return TrainingPlan(experiment: experiment, data: data, source: "shapeset-3x2, \(samples) samples, seed \(seed)", standardized: false)

        case .he:
            let samples = reduced ? 1_200 : 6_000
            let mixture = try GaussianMixture(samples: samples, features: 32, classes: 8, seed: seed)
            let split = try mixture.makeDataset().split(validationFraction: 0.15, testFraction: 0.15, seed: seed)
            let (data, _) = try split.standardized()
            let optimizer = try OptimizerSettings(algorithm: .momentum, learningRate: 0.01)
            let configurations = [InitializerName.xavierNormal, .heNormal].map {
                TrainingExperiment.Configuration(initializer: $0, activation: .relu, optimizer: optimizer)
            }
            let steps = reduced ? 120 : 1_500
            let settings = try TrainingSettings(batchSize: 64, steps: steps, evaluateEvery: steps / 10, probeEvery: steps / 10, shuffleSeed: seed)
            let experiment = try TrainingExperiment(hiddenWidths: Array(repeating: reduced ? 48 : 128, count: 30),
                                                    configurations: configurations, settings: settings, seed: seed)
            return TrainingPlan(experiment: experiment, data: data, source: "gaussian-mixture (32 features, 8 classes), \(samples) samples, seed \(seed)", standardized: true)

        case .decay:
            let samples = reduced ? 600 : 3_000
            let teacher = try TeacherDataset(task: .classification, samples: samples, widths: [16, 64, 4], seed: seed)
            let split = try teacher.makeDataset().split(validationFraction: 0.25, testFraction: 0.25, seed: seed)
            let (data, _) = try split.standardized()
            let lambda: Float = 0.01
            var configurations = [
                TrainingExperiment.Configuration(initializer: .heNormal, activation: .relu,
                                                 optimizer: try OptimizerSettings(algorithm: .sgd, learningRate: 0.05, penalty: PenaltySettings(l2: lambda))),
                TrainingExperiment.Configuration(initializer: .heNormal, activation: .relu,
                                                 optimizer: try OptimizerSettings(algorithm: .sgd, learningRate: 0.05, weightDecay: lambda)),
                TrainingExperiment.Configuration(initializer: .heNormal, activation: .relu,
                                                 optimizer: try OptimizerSettings(algorithm: .adam, learningRate: 0.003, penalty: PenaltySettings(l2: lambda))),
                TrainingExperiment.Configuration(initializer: .heNormal, activation: .relu,
                                                 optimizer: try OptimizerSettings(algorithm: .adamw, learningRate: 0.003, weightDecay: lambda)),
            ]
            for rate in Self.decayGridLearningRates {
                for decay in Self.decayGridL2 {
                    configurations.append(.init(initializer: .heNormal, activation: .relu, optimizer: try OptimizerSettings(
                        algorithm: .adam, learningRate: rate, penalty: PenaltySettings(l2: decay))))
                }
            }
            for rate in Self.decayGridLearningRates {
                for decay in Self.decayGridDecays {
                    configurations.append(.init(initializer: .heNormal, activation: .relu, optimizer: try OptimizerSettings(
                        algorithm: .adamw, learningRate: rate, weightDecay: decay, decayConvention: .scheduleScaled)))
                }
            }
            let steps = reduced ? 60 : 600
            let settings = try TrainingSettings(batchSize: 32, steps: steps, evaluateEvery: steps / 10, shuffleSeed: seed)
            let experiment = try TrainingExperiment(hiddenWidths: [64, 64], configurations: configurations, settings: settings, seed: seed)
            return TrainingPlan(experiment: experiment, data: data, source: "teacher-classification (16-64-4 tanh teacher), \(samples) samples, seed \(seed)", standardized: true)

        case .sparsity:
            let trainSamples = reduced ? 60 : 120
            let problem = try SparseRegression(samples: trainSamples + 1_000, relevant: 8, irrelevant: 56, noiseStandardDeviation: 0.1, seed: seed)
            let all = try problem.makeDataset()
            let train = try all.subset(0 ..< trainSamples)
            let validation = try all.subset(trainSamples ..< trainSamples + 500)
            let test = try all.subset(trainSamples + 500 ..< trainSamples + 1_000)
            let data = try DatasetSplit(train: train, validation: validation, test: test)
            let lambda: Float = 0.1
            let penalties = [PenaltySettings.none, try PenaltySettings(l2: 0.1), try PenaltySettings(l1: lambda),
                             try PenaltySettings(l1: lambda, l1Method: .proximal)]
            let configurations = try penalties.map {
                TrainingExperiment.Configuration(initializer: .heNormal, activation: .relu,
                                                 optimizer: try OptimizerSettings(algorithm: .sgd, learningRate: 0.02, penalty: $0))
            }
            let steps = reduced ? 1_000 : 3_000
            let settings = try TrainingSettings(batchSize: 20, steps: steps, evaluateEvery: steps / 10, shuffleSeed: seed)
            let experiment = try TrainingExperiment(hiddenWidths: [32], configurations: configurations, settings: settings, seed: seed)
            return TrainingPlan(experiment: experiment, data: data,
                                source: "sparse-regression (8 relevant + 56 irrelevant features, noise 0.1), \(trainSamples) training samples, seed \(seed)",
                                standardized: false)
        }
    }

    /// The learning rates of the decay preset's grids.
    public static let decayGridLearningRates: [Float] = [0.0003, 0.001, 0.003, 0.01]
    /// The L2 lambdas of the decay preset's Adam+L2 grid.
    public static let decayGridL2: [Float] = [0.0001, 0.001, 0.01, 0.1]
    /// The decays `d` (fraction per step, not scaled by the learning rate) of its AdamW grid.
    public static let decayGridDecays: [Float] = [0.00001, 0.0001, 0.001, 0.01]

    /// The paper's Table 1 test errors (Glorot & Bengio 2010, Shapeset-3x2, full scale).
    static let glorotTable: [(Activation, InitializerName, Double)] = [
        (.tanh, .standard, 0.2715), (.tanh, .xavierUniform, 0.1560), (.softsign, .standard, 0.1627), (.softsign, .xavierUniform, 0.1606),
    ]

    /// Whether `result` (of this preset's `plan`) shows the claim, with the figures it rests on.
    public func outcome(of result: TrainingResult, plan: TrainingPlan) -> PresetOutcome {
        let runs = result.runs
        func run(_ initializer: InitializerName, _ activation: Activation) -> TrainingRun? {
            runs.first { $0.configuration.initializer == initializer && $0.configuration.activation == activation }
        }
        func percent(_ value: Double?) -> String { value.map { String(format: "%.2f%%", 100 * $0) } ?? "n/a" }
        switch self {
        case .glorot:
            let comparison = Self.glorotTable.map { activation, initializer, paper in
                PaperComparison(quantity: "\(activation.name), \(initializer == .standard ? "standard" : "normalized") init: test error",
                                paper: paper, measured: run(initializer, activation)?.record.test?.error)
            }
            let tanhStandard = run(.standard, .tanh)?.record.test?.error, tanhXavier = run(.xavierUniform, .tanh)?.record.test?.error
            let softStandard = run(.standard, .softsign)?.record.test?.error, softXavier = run(.xavierUniform, .softsign)?.record.test?.error
            var shown = false
            var findings = ["scaled down from the paper: \(plan.experiment.hiddenWidths.count) hidden layers of \(plan.experiment.hiddenWidths[0]) units (paper 1000), \(plan.data.train.sampleCount) training images (paper: 10 million online), \(plan.experiment.settings.steps) SGD steps of batch \(plan.experiment.settings.batchSize)"]
            if let tanhStandard, let tanhXavier, let softStandard, let softXavier {
                let tanhGap = tanhStandard - tanhXavier, softGap = abs(softStandard - softXavier)
                // Learned at all (well below the 8/9 error of guessing), and the tanh gap the larger.
                let learned = tanhXavier < 8.0 / 9 - 0.1
                shown = learned && tanhGap > 0.02 && softGap < tanhGap
                if !learned { findings.append("the normalized tanh network did not learn beyond guessing (8/9 = 88.9% error): too short a run to tell") }
                findings.append("tanh: standard \(percent(tanhStandard)) vs normalized \(percent(tanhXavier)) (difference \(percent(tanhGap)))")
                findings.append("softsign: standard \(percent(softStandard)) vs normalized \(percent(softXavier)) (difference \(percent(softGap)))")
            } else {
                findings.append("a run diverged or has no test figure")
            }
            return PresetOutcome(preset: rawValue, claim: claim, shown: shown, findings: findings, comparison: comparison)

        case .he:
            func drop(_ r: TrainingRun?) -> Double? {
                guard let points = r?.record.points, let first = points.first?.trainingLoss, let last = points.last?.trainingLoss,
                      first.isFinite, last.isFinite, first > 0 else { return nil }
                return last / first
            }
            let xavier = drop(run(.xavierNormal, .relu)), he = drop(run(.heNormal, .relu))
            let shown = (xavier ?? 0) > 0.9 && (he ?? 1) < 0.6
            return PresetOutcome(preset: rawValue, claim: claim, shown: shown, findings: [
                "Xavier: final / initial training loss \(xavier.map { String(format: "%.3f", $0) } ?? "n/a") (stalls when about 1)",
                "He: final / initial training loss \(he.map { String(format: "%.3f", $0) } ?? "n/a") (converges when well below 1)",
                "test accuracy: Xavier \(percent(run(.xavierNormal, .relu)?.record.test?.accuracy)), He \(percent(run(.heNormal, .relu)?.record.test?.accuracy))",
            ])

        case .decay:
            guard runs.count >= 4 else { return PresetOutcome(preset: rawValue, claim: claim, shown: false, findings: ["too few runs"]) }
            func curveDifference(_ a: TrainingRun, _ b: TrainingRun) -> Double {
                zip(a.record.points, b.record.points).map { p, q in
                    abs(p.trainingLoss - q.trainingLoss) / max(abs(p.trainingLoss), 1e-12)
                }.max() ?? .infinity
            }
            let sgd = curveDifference(runs[0], runs[1]), adam = curveDifference(runs[2], runs[3])
            let grid = Self.decayGridLearningRates.count * Self.decayGridDecays.count
            let adamGrid = Array(runs.dropFirst(4).prefix(grid)), adamWGrid = Array(runs.dropFirst(4 + grid).prefix(grid))
            let adamTilt = Self.bestDecayTrend(adamGrid), adamWTilt = Self.bestDecayTrend(adamWGrid)
            let pairsShown = sgd < 1e-4 && adam > 1e-3
            let gridShown = abs(adamTilt) > abs(adamWTilt)
            func makeGrid(_ runs: [TrainingRun], _ title: String, _ columnName: String, _ columns: [Float]) -> SettingsGrid {
                let values = Self.decayGridLearningRates.indices.map { r in
                    columns.indices.map { c -> Double? in
                        let index = r * columns.count + c
                        guard index < runs.count, let loss = runs[index].record.finalValidation?.loss, loss.isFinite else { return nil }
                        return loss
                    }
                }
                return SettingsGrid(title: title, rowName: "learning rate", columnName: columnName,
                                    rows: Self.decayGridLearningRates.map(Double.init), columns: columns.map(Double.init), values: values)
            }
            let grids = [makeGrid(adamGrid, "Adam+L2: final validation loss", "L2 lambda", Self.decayGridL2),
                         makeGrid(adamWGrid, "AdamW (decay per step, not lr-scaled): final validation loss", "decay d", Self.decayGridDecays)]
            return PresetOutcome(preset: rawValue, claim: claim, shown: pairsShown && gridShown, findings: [
                String(format: "SGD+L2 vs SGD+decay: largest relative difference of the training-loss curves %.2e (the same up to rounding when below 1e-4)", sgd),
                String(format: "Adam+L2 vs AdamW: largest relative difference %.2e (they differ when above 1e-3)", adam),
                String(format: "grids of final validation loss: the best decay moves by %.2f decay steps per learning-rate step under Adam+L2 and by %.2f under AdamW (a diagonal basin moves; a separable one does not)", adamTilt, adamWTilt),
            ], grids: grids)

        case .sparsity:
            let relevant = 0 ..< 8, features = plan.data.train.featureCount
            var findings: [String] = []
            var zeroColumns: [String: (relevant: Double, irrelevant: Double)] = [:]
            var gaps: [String: Double] = [:]
            var zeros: [String: Double] = [:]
            for r in runs {
                let name = r.configuration.optimizer.penalty.name
                let deselected = Set(r.record.zeroInputFeatures)
                let relevantZero = Double(relevant.filter(deselected.contains).count) / Double(relevant.count)
                let irrelevantZero = Double((relevant.upperBound ..< features).filter(deselected.contains).count) / Double(features - relevant.upperBound)
                zeroColumns[name] = (relevantZero, irrelevantZero)
                gaps[name] = r.record.generalizationGap ?? .nan
                let fractions = r.record.points.last?.zeroFractions ?? []
                zeros[name] = fractions.isEmpty ? 0 : fractions.reduce(0, +) / Double(fractions.count)
                findings.append(String(format: "%@: %.1f%% exact zeros; zero input columns: %.0f%% of relevant, %.0f%% of irrelevant features; generalization gap %.4g",
                                       name, 100 * (zeros[name] ?? 0), 100 * relevantZero, 100 * irrelevantZero, gaps[name] ?? .nan))
            }
            let names = runs.map { $0.configuration.optimizer.penalty.name }
            guard names.count == 4 else { return PresetOutcome(preset: rawValue, claim: claim, shown: false, findings: findings) }
            let (none, l2, l1, proximal) = (names[0], names[1], names[2], names[3])
            let selects = (zeroColumns[proximal]?.irrelevant ?? 0) > 0.5 && (zeroColumns[proximal]?.relevant ?? 1) < 0.5
            let subgradientDense = (zeros[l1] ?? 1) < 0.05
            let shrinks = (gaps[l2] ?? .infinity) < (gaps[none] ?? -.infinity) || (gaps[proximal] ?? .infinity) < (gaps[none] ?? -.infinity)
            return PresetOutcome(preset: rawValue, claim: claim, shown: selects && subgradientDense && shrinks, findings: findings)
        }
    }

    /// The slope of the best decay's index against the learning rate's index in a grid of runs
    /// (learning rates outer, decays inner, by final validation loss); 0 when it cannot be read.
    static func bestDecayTrend(_ grid: [TrainingRun]) -> Double {
        let decays = decayGridDecays.count
        guard grid.count == decayGridLearningRates.count * decays else { return 0 }
        var points: [(Double, Double)] = []
        for rateIndex in 0 ..< decayGridLearningRates.count {
            let row = grid[rateIndex * decays ..< (rateIndex + 1) * decays]
            let losses = row.map { $0.record.finalValidation?.loss ?? .infinity }
            guard let best = losses.indices.min(by: { losses[$0] < losses[$1] }), losses[best].isFinite else { continue }
            points.append((Double(rateIndex), Double(best)))
        }
        guard points.count >= 2 else { return 0 }
        let meanX = points.map(\.0).reduce(0, +) / Double(points.count), meanY = points.map(\.1).reduce(0, +) / Double(points.count)
        let sxx = points.map { ($0.0 - meanX) * ($0.0 - meanX) }.reduce(0, +)
        let sxy = points.map { ($0.0 - meanX) * ($0.1 - meanY) }.reduce(0, +)
        return sxx == 0 ? 0 : sxy / sxx
    }
}
