import Foundation
import Testing
@testable import VarianceKit

@Suite struct TrainingPresetTests {
    /// The decay preset's first four runs: SGD+L2 and SGD with decoupled decay at the equivalent
    /// setting give the same trajectory and weights up to rounding; Adam+L2 and AdamW do not.
    @Test func decayPairsAgreeUnderSGDAndDifferUnderAdam() throws {
        let plan = try TrainingPreset.decay.plan(reduced: true, seed: 1)
        var weights: [[Matrix]] = []
        var curves: [[Double]] = []
        for configuration in plan.experiment.configurations.prefix(4) {
            let network = try plan.experiment.makeNetwork(configuration, for: plan.data)
            let trainer = try Trainer(network: network, optimizerSettings: configuration.optimizer, data: plan.data,
                                      settings: plan.experiment.settings)
            let record = try trainer.train()
            weights.append(network.layers.map(\.weight))
            curves.append(record.points.map(\.trainingLoss))
        }
        func largestRelativeDifference(_ a: [Matrix], _ b: [Matrix]) -> Double {
            zip(a, b).map { x, y in
                zip(x.elements, y.elements).map { Double(abs($0 - $1)) / max(Double(abs($0)), 1e-3) }.max() ?? 0
            }.max() ?? 0
        }
        // SGD: w - η(g + λw) and (1 - ηλ)w - ηg differ only in rounding.
        #expect(largestRelativeDifference(weights[0], weights[1]) < 1e-3)
        for (p, q) in zip(curves[0], curves[1]) { #expect(abs(p - q) <= 1e-4 * abs(p)) }
        // Adam rescales the L2 gradient; AdamW's decay is not rescaled.
        #expect(largestRelativeDifference(weights[2], weights[3]) > 1e-2)
        #expect(zip(curves[2], curves[3]).contains { abs($0 - $1) > 1e-3 * abs($0) })
    }

    /// Every preset's plan builds, its networks fit its data, and its claim is stated.
    @Test(arguments: TrainingPreset.allCases)
    func plansAreConsistent(preset: TrainingPreset) throws {
        let plan = try preset.plan(reduced: true, seed: 2)
        #expect(!preset.claim.isEmpty)
        for configuration in plan.experiment.configurations.prefix(2) {
            let network = try plan.experiment.makeNetwork(configuration, for: plan.data)
            #expect(network.inputs == plan.data.train.featureCount && network.outputs == plan.data.train.outputCount)
        }
        #expect(plan.experiment.settings.batchSize <= plan.data.train.sampleCount)
    }

    /// A grid over log-spaced settings whose loss is `(log10 c - b(log10 r))^2`: its best column
    /// is `10^b(u)` in row `u = log10 r`.
    static func quadraticGrid(rows: [Double], columns: [Double], best: (Double) -> Double) -> SettingsGrid {
        SettingsGrid(title: "t", rowName: "learning rate", columnName: "decay", rows: rows, columns: columns,
                     values: rows.map { r in columns.map { c in 0.1 + pow(log10(c) - best(log10(r)), 2) } })
    }

    static let rates: [Double] = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]
    static let decays: [Double] = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10]

    /// The parabola through the minimum and its neighbours has the quadratic's vertex, off the
    /// grid's columns, so the tilt of a basin that keeps `rate * decay` constant is -1, one that
    /// keeps `decay / rate` constant is +1, and a separable one is 0.
    @Test func basinTiltReadsConstructedBasins() throws {
        let product = BasinTilt(Self.quadraticGrid(rows: Self.rates, columns: Self.decays) { -5.3 - $0 })
        for (u, x) in zip(Self.rates.map(log10), product.bestLogColumn) { #expect(abs(try #require(x) - (-5.3 - u)) < 1e-9) }
        #expect(abs(try #require(product.slope) + 1) < 1e-9)
        #expect(TrainingPreset.basinShape(product.slope) == "diagonal")

        let ratio = BasinTilt(Self.quadraticGrid(rows: Self.rates, columns: Self.decays) { 1.2 + $0 })
        #expect(abs(try #require(ratio.slope) - 1) < 1e-9)
        #expect(ratio.edgeRows == 0)

        let separable = BasinTilt(Self.quadraticGrid(rows: Self.rates, columns: Self.decays) { _ in -2.6 })
        #expect(abs(try #require(separable.slope)) < 1e-9)
        #expect(TrainingPreset.basinShape(separable.slope) == "separable")
        #expect(TrainingPreset.basinShape(0.4) == "in between")
    }

    /// A minimum in the first or last column is counted as an edge row and not extrapolated; a row
    /// without a finite value is skipped; fewer than two readable rows give no slope.
    @Test func basinTiltAtTheEdgesAndWithGaps() throws {
        var grid = Self.quadraticGrid(rows: Self.rates, columns: Self.decays) { _ in 3 }
        let edge = BasinTilt(grid)
        #expect(edge.edgeRows == Self.rates.count)
        #expect(edge.bestLogColumn.allSatisfy { $0 == 1 })
        grid.values[2] = grid.values[2].map { _ in nil }
        grid.values[3][0] = .infinity
        let gaps = BasinTilt(grid)
        #expect(gaps.bestLogColumn[2] == nil && gaps.bestLogColumn.compactMap { $0 }.count == 4)
        #expect(abs(try #require(gaps.slope)) < 1e-12)
        grid.values = grid.values.enumerated().map { $0.offset == 0 ? $0.element : $0.element.map { _ in nil } }
        #expect(BasinTilt(grid).slope == nil)
    }

    /// The glorot verdict on the paper's own Table 1 errors is shown; an equal tanh pair, a wide
    /// softsign gap, or a normalized tanh network at chance is not.
    @Test func glorotVerdictOnConstructedErrors() {
        let paper = TrainingPreset.GlorotVerdict(tanhStandard: 0.2715, tanhNormalized: 0.1560, softsignStandard: 0.1627, softsignNormalized: 0.1606)
        #expect(paper.learned && paper.tanhOrdered && paper.softsignClose && paper.shown)
        #expect(abs(paper.tanhDifference - 0.1155) < 1e-12)
        let tanhEqual = TrainingPreset.GlorotVerdict(tanhStandard: 0.70, tanhNormalized: 0.68, softsignStandard: 0.70, softsignNormalized: 0.69)
        #expect(!tanhEqual.tanhOrdered && !tanhEqual.shown)
        let reversed = TrainingPreset.GlorotVerdict(tanhStandard: 0.60, tanhNormalized: 0.75, softsignStandard: 0.70, softsignNormalized: 0.70)
        #expect(!reversed.tanhOrdered)
        let softsignApart = TrainingPreset.GlorotVerdict(tanhStandard: 0.88, tanhNormalized: 0.70, softsignStandard: 0.80, softsignNormalized: 0.70)
        #expect(softsignApart.tanhOrdered && !softsignApart.softsignClose && !softsignApart.shown)
        let softsignReversed = TrainingPreset.GlorotVerdict(tanhStandard: 0.88, tanhNormalized: 0.70, softsignStandard: 0.64, softsignNormalized: 0.70)
        #expect(!softsignReversed.softsignClose)
        let chance = TrainingPreset.GlorotVerdict(tanhStandard: 0.889, tanhNormalized: 0.85, softsignStandard: 0.85, softsignNormalized: 0.85)
        #expect(!chance.learned && !chance.shown)
    }

    /// The decay verdict from constructed runs of the reduced plan: identical SGD curves, different
    /// Adam curves, an Adam+L2 basin along `rate * lambda` constant and a separable AdamW basin give
    /// `shown`; the transposed shapes (the ones a network without normalization shows) do not.
    @Test(arguments: [true, false])
    func decayVerdictOnConstructedRuns(paperShape: Bool) throws {
        let plan = try TrainingPreset.decay.plan(reduced: true, seed: 1)
        func record(curve: [Double], finalLoss: Double) -> TrainingRecord {
            var record = TrainingRecord()
            record.points = curve.enumerated().map {
                TrainingPoint(step: 10 * $0.offset, trainingLoss: $0.element, validation: nil, weightNorms: [], zeroFractions: [], wallSeconds: 0)
            }
            record.finalValidation = Evaluation(loss: finalLoss, accuracy: nil, samples: 10)
            return record
        }
        let curve = [1.0, 0.6, 0.4]
        var runs: [TrainingRun] = []
        for (index, configuration) in plan.experiment.configurations.enumerated() {
            let settings = configuration.optimizer
            let u = log10(Double(settings.learningRate))
            var loss = 1.0
            if let l2 = TrainingPreset.DecayGrid.adamL2.coefficient(of: settings), index >= 4 {
                let best = paperShape ? -4.5 - u : -1.5
                loss = 0.1 + pow(log10(Double(l2)) - best, 2)
            } else if let d = TrainingPreset.DecayGrid.adamWScheduleScaled.coefficient(of: settings), index >= 4 {
                let best = paperShape ? -3.3 : 0.5 + u
                loss = 0.1 + pow(log10(Double(d)) - best, 2)
            }
            runs.append(TrainingRun(configuration: configuration, record: record(curve: index == 3 ? curve.map { $0 * 1.5 } : curve, finalLoss: loss)))
        }
        let outcome = TrainingPreset.decay.outcome(of: TrainingResult(runs: runs), plan: plan)
        #expect(outcome.shown == paperShape)
        #expect(outcome.grids.count == TrainingPreset.DecayGrid.allCases.count)
        let adamL2 = try #require(outcome.grids.first)
        #expect(adamL2.rows == TrainingPreset.DecayGrid.learningRates(reduced: true).map(Double.init))
        #expect(adamL2.columns == TrainingPreset.DecayGrid.adamL2.columns(reduced: true).map(Double.init))
        #expect(outcome.findings[0].contains("the same trajectory (within 1e-2), as expected"))
        #expect(outcome.findings[1].contains("they differ (above 1e-1), as expected"))

        // The same SGD curves, one step longer in one run: not comparable, so not the same.
        runs[1].record.points.append(runs[1].record.points.last!)
        #expect(TrainingPreset.largestRelativeDifference(runs[0].record, runs[1].record) == nil)
        #expect(!TrainingPreset.decay.outcome(of: TrainingResult(runs: runs), plan: plan).shown)
    }
}
