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
/// | `decay` | noisy teacher regression, 400 training samples | 2 hidden ReLU layers | SGD+L2 vs SGD+decoupled decay; Adam+L2 vs AdamW; learning rate x decay grids (Loshchilov & Hutter 2019, Figure 2) |
/// | `sparsity` | relevant and irrelevant features | 1 hidden ReLU layer, few samples | no penalty, L2, L1 by subgradient, proximal L1 |
///
/// `glorot`: 30,000 Shapeset-3x2 images (24,000 for training, 3,000 each for validation and
/// test), standardized on the training split; 5 hidden layers of 256 units; plain SGD, batch 64,
/// 3,000 steps; the test error at that fixed budget. Each (activation, initialization) has its
/// own learning rate (`glorotLearningRates`), as the paper tuned it per setting. The verdict
/// (`GlorotVerdict`): tanh with the standard initialization ends at least 5 points above the
/// normalized one, and softsign's two end within 5 points of each other.
///
/// `decay`: a tanh teacher (16-64-1) with Gaussian label noise of standard deviation 0.5, 400
/// training, 400 validation and 200 test samples, so that an unregularized network overfits;
/// 64-64 ReLU networks, batch 32, 1,000 steps. The pairs (`largestRelativeDifference` of their
/// training-loss curves): SGD+L2 and SGD with decoupled decay at the equivalent setting follow
/// the same trajectory when every recorded step agrees within `sameTrajectoryTolerance` (1e-2)
/// relatively; Adam+L2 and AdamW differ when some step differs by more than
/// `differentTrajectoryThreshold` (1e-1). The two SGD updates are equal in exact arithmetic;
/// their Float rounding differs, and the difference grows over a run as ReLU units switch on one
/// side of it and not the other, so the tolerance covers that growth over 1,000 steps and stays
/// a decade below the threshold of a different update. The grids (`DecayGrid`): the basin of final validation loss is read by its
/// tilt (`BasinTilt`), diagonal at `|tilt| >= diagonalTilt` (0.5 decades of the coefficient per
/// decade of the learning rate), separable at `|tilt| <= separableTilt` (0.25). The claim holds
/// when both pairs do, Adam+L2's basin is diagonal and AdamW's (the paper's convention, decay
/// not scaled by the learning rate) is separable. The grid of PyTorch's convention is reported
/// beside them and takes no part in the verdict.
///
/// What a network without normalization layers trained near its fixed point should show
/// instead: Adam+L2 stops where `∇L + λ w = 0`, the minimizer of `L + (λ/2)‖w‖²`, which does not
/// depend on `α` (tilt 0); AdamW stops where `d w = -α m̂/(√v̂ + ε)`, whose solution depends on
/// `d/α` only (tilt 1); PyTorch's convention, `d = α wd`, stops where `wd w = -m̂/(√v̂ + ε)` (tilt
/// 0). The paper's shape belongs to networks whose loss ignores the scale of the weights (its
/// networks use batch normalization): there AdamW's weights grow to `|w| ≈ α √(N/(2d))` for `N`
/// weights, and the step turns them by about `√(2d)` radians whatever `α` is.
///
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
            "on Shapeset-3x2 with 5 hidden layers trained by SGD, the standard initialization U[-1/sqrt(n), 1/sqrt(n)] ends with a test error at least 5 points higher than the normalized (Xavier) one with tanh, and within 5 points of it with softsign (Glorot & Bengio 2010, Table 1: tanh 27.15% vs 15.60%, softsign 16.27% vs 16.06%, at full scale; here scaled down to 24,000 images, width 256, 3,000 steps, a learning rate per setting)"
        case .he:
            "a 30-layer ReLU network with Xavier initialization stalls (its loss barely moves) while He initialization converges (He et al. 2015, Figure 3)"
        case .decay:
            "SGD with L2 and SGD with decoupled weight decay at the equivalent setting follow the same trajectory; Adam with L2 and AdamW do not; on learning rate x decay grids of final validation loss (noisy teacher regression, 400 training samples), Adam+L2's good settings lie along a diagonal (the best L2 moves by at least 0.5 decades per decade of learning rate) while AdamW's, decay not scaled by the learning rate as in Loshchilov & Hutter 2019, separate (at most 0.25)"
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
            let samples = reduced ? 900 : 30_000
            let split = try Shapeset(samples: samples, seed: seed).makeDataset()
                .split(validationFraction: 0.1, testFraction: 0.1, seed: seed)
            let (data, _) = try split.standardized()
            var configurations: [TrainingExperiment.Configuration] = []
            for activation in [Activation.tanh, .softsign] {
                for initializer in [InitializerName.standard, .xavierUniform] {
                    configurations.append(.init(initializer: initializer, activation: activation, optimizer: try OptimizerSettings(
                        algorithm: .sgd, learningRate: Self.glorotLearningRate(activation, initializer))))
                }
            }
            let steps = reduced ? 100 : 3_000
            let settings = try TrainingSettings(batchSize: reduced ? 20 : 64, steps: steps, evaluateEvery: steps / 10, probeEvery: steps / 10, shuffleSeed: seed)
            let experiment = try TrainingExperiment(hiddenWidths: Array(repeating: reduced ? 32 : 256, count: 5),
                                                    configurations: configurations, settings: settings, seed: seed)
            return TrainingPlan(experiment: experiment, data: data, source: "shapeset-3x2, \(samples) samples, seed \(seed)", standardized: true)

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
            let samples = reduced ? 300 : 1_000
            let teacher = try TeacherDataset(task: .regression, samples: samples, widths: [16, 64, 1], noiseStandardDeviation: 0.5, seed: seed)
            let split = try teacher.makeDataset().split(validationFraction: 0.4, testFraction: 0.2, seed: seed)
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
            for grid in DecayGrid.allCases {
                for rate in DecayGrid.learningRates(reduced: reduced) {
                    for coefficient in grid.columns(reduced: reduced) {
                        configurations.append(.init(initializer: .heNormal, activation: .relu,
                                                    optimizer: try grid.optimizer(learningRate: rate, coefficient: coefficient)))
                    }
                }
            }
            let steps = reduced ? 60 : 1_000
            let settings = try TrainingSettings(batchSize: 32, steps: steps, evaluateEvery: steps / 10, shuffleSeed: seed)
            let experiment = try TrainingExperiment(hiddenWidths: reduced ? [32, 32] : [64, 64], configurations: configurations,
                                                    settings: settings, seed: seed)
            return TrainingPlan(experiment: experiment, data: data,
                                source: "teacher-regression (16-64-1 tanh teacher, noise 0.5), \(samples) samples, seed \(seed)", standardized: true)

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
            let settings = plan.experiment.settings
            var findings = [
                "scaled down: \(plan.data.train.sampleCount) training samples, width \(plan.experiment.hiddenWidths[0]) (\(plan.experiment.hiddenWidths.count) hidden layers), \(settings.steps) SGD steps of batch \(settings.batchSize), test error at the last step (paper: 1000 units, 10 million online samples, error after convergence)",
                "learning rate per setting, chosen once from {0.03, 0.1, 0.3, 1} by validation error on seed 1: " + Self.glorotLearningRates.map {
                    "\($0.0.name) \($0.1 == .standard ? "standard" : "normalized") \($0.2)"
                }.joined(separator: ", "),
            ]
            guard let tanhStandard = run(.standard, .tanh)?.record.test?.error, let tanhNormalized = run(.xavierUniform, .tanh)?.record.test?.error,
                  let softStandard = run(.standard, .softsign)?.record.test?.error, let softNormalized = run(.xavierUniform, .softsign)?.record.test?.error
            else {
                findings.append("a run diverged or has no test figure")
                return PresetOutcome(preset: rawValue, claim: claim, shown: false, findings: findings, comparison: comparison)
            }
            let verdict = GlorotVerdict(tanhStandard: tanhStandard, tanhNormalized: tanhNormalized,
                                        softsignStandard: softStandard, softsignNormalized: softNormalized)
            func points(_ value: Double) -> String { String(format: "%g points", 100 * value) }
            func signedPoints(_ value: Double) -> String { String(format: "%+.2f points", 100 * value) }
            if !verdict.learned {
                findings.append("the normalized tanh network did not end \(points(GlorotVerdict.learningMargin)) below the error of guessing (8/9 = 88.89%): too short a run to tell")
            }
            findings.append("tanh: standard \(percent(tanhStandard)) vs normalized \(percent(tanhNormalized)), difference \(signedPoints(verdict.tanhDifference)): "
                + (verdict.tanhOrdered ? "normalized lower by at least \(points(GlorotVerdict.orderingMargin)), as expected" : "not the expected ordering (normalized lower by at least \(points(GlorotVerdict.orderingMargin)))"))
            findings.append("softsign: standard \(percent(softStandard)) vs normalized \(percent(softNormalized)), difference \(signedPoints(verdict.softsignDifference)): "
                + (verdict.softsignClose ? "about equal (within \(points(GlorotVerdict.softsignTolerance))), as expected" : "not about equal (more than \(points(GlorotVerdict.softsignTolerance)) apart)"))
            return PresetOutcome(preset: rawValue, claim: claim, shown: verdict.shown, findings: findings, comparison: comparison)

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
            let sgd = Self.largestRelativeDifference(runs[0].record, runs[1].record)
            let adam = Self.largestRelativeDifference(runs[2].record, runs[3].record)
            let sgdSame = sgd.map { $0 <= Self.sameTrajectoryTolerance } ?? false
            let adamDiffer = adam.map { $0 > Self.differentTrajectoryThreshold } ?? false
            let gridRuns = Array(runs.dropFirst(4))
            let grids = DecayGrid.allCases.compactMap { $0.grid(of: gridRuns) }
            let tilts = Dictionary(uniqueKeysWithValues: DecayGrid.allCases.compactMap { kind in
                kind.grid(of: gridRuns).map { (kind, BasinTilt($0)) }
            })
            let adamL2Slope = tilts[.adamL2]?.slope, adamWSlope = tilts[.adamWScheduleScaled]?.slope
            let adamL2Diagonal = adamL2Slope.map { abs($0) >= Self.diagonalTilt } ?? false
            let adamWSeparable = adamWSlope.map { abs($0) <= Self.separableTilt } ?? false
            func figure(_ value: Double?) -> String { value.map { String(format: "%.2e", $0) } ?? "n/a (a curve is missing or not finite)" }
            var findings = [
                "SGD+L2 vs SGD+decay: largest relative difference of the training-loss curves \(figure(sgd)): "
                    + (sgdSame ? "the same trajectory (within 1e-2), as expected" : "not the same trajectory (more than 1e-2 apart)"),
                "Adam+L2 vs AdamW: largest relative difference \(figure(adam)): " + (adamDiffer ? "they differ (above 1e-1), as expected" : "they do not differ (1e-1 or less)"),
            ]
            for kind in DecayGrid.allCases {
                guard let tilt = tilts[kind] else { continue }
                let expected = switch kind {
                case .adamL2: adamL2Diagonal ? ", as expected" : " (expected diagonal)"
                case .adamWScheduleScaled: adamWSeparable ? ", as expected" : " (expected separable)"
                case .adamWLearningRateScaled: " (reported, not part of the verdict)"
                }
                let best = zip(kind.grid(of: gridRuns)?.rows ?? [], tilt.bestLogColumn).map { rate, column in
                    "\(String(format: "%g", rate)): \(column.map { String(format: "%.2g", pow(10, $0)) } ?? "n/a")"
                }.joined(separator: ", ")
                findings.append("\(kind.title.components(separatedBy: ":").first!): the best \(kind.columnName) moves by \(tilt.slope.map { String(format: "%+.2f", $0) } ?? "n/a") decades per decade of learning rate, \(Self.basinShape(tilt.slope))\(expected); best per learning rate \(best); \(tilt.edgeRows) of \(tilt.bestLogColumn.count) rows have their best at the grid's edge")
            }
            return PresetOutcome(preset: rawValue, claim: claim, shown: sgdSame && adamDiffer && adamL2Diagonal && adamWSeparable,
                                 findings: findings, grids: grids)

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

    /// The largest relative difference of two training-loss curves that the `decay` preset reads
    /// as the same trajectory.
    public static let sameTrajectoryTolerance = 1e-2
    /// The relative difference beyond which it reads two curves as different trajectories.
    public static let differentTrajectoryThreshold = 1e-1

    /// The largest relative difference `|p - q| / max(|p|, 1e-12)` between two runs' training
    /// losses at the same recorded steps; nil when the runs recorded different steps, none, or a
    /// loss that is not finite.
    static func largestRelativeDifference(_ a: TrainingRecord, _ b: TrainingRecord) -> Double? {
        guard !a.points.isEmpty, a.points.map(\.step) == b.points.map(\.step) else { return nil }
        var largest = 0.0
        for (p, q) in zip(a.points, b.points) {
            guard p.trainingLoss.isFinite, q.trainingLoss.isFinite else { return nil }
            largest = max(largest, abs(p.trainingLoss - q.trainingLoss) / max(abs(p.trainingLoss), 1e-12))
        }
        return largest
    }
}
