import Foundation
import VarianceKit

/// One comparison: a network per (initializer, activation), each fed the same batch of i.i.d.
/// standard-normal inputs, run forward and backward once, and measured layer by layer.
struct PropagationExperiment {
    var initializers: [InitializerName]
    var activations: [ActivationName]
    var depth: Int
    var width: Int
    var batch: Int
    var seed: UInt64
    var bias: Bool
    var gain: Double?
    var loss: LossName
    var threads: Int
    var command: String

    /// Bins of every histogram in the report.
    static let histogramBins = 50
    /// At most this many entries of each tensor are binned (an evenly strided sample).
    static let histogramSampleLimit = 1 << 16
    /// Philox stream of the input batch (weights use `2 l`, the readout its own stream).
    static let inputStream: UInt64 = 0xFFFF_FFFF_0000_0001

    var memoryEstimateBytes: Int { MemoryEstimate.propagationBytes(depth: depth, width: width, batch: batch) }

    var configuration: PropagationConfiguration {
        PropagationConfiguration(
            command: command, initializers: initializers.map(\.rawValue), activations: activations.map(\.rawValue),
            depth: depth, width: width, batch: batch, inputs: width, seed: seed, bias: bias, gain: gain,
            loss: loss.rawValue, histogramBins: Self.histogramBins, threads: threads,
            blasKernel: BLAS.kernelName, blasConfiguration: BLAS.configuration,
            memoryEstimateBytes: memoryEstimateBytes, versions: .current)
    }

    /// Runs every pair in order (activations outer, initializers inner), reporting progress.
    func run(quiet: Bool) throws -> PropagationReport {
        try MemoryEstimate.check(memoryEstimateBytes, depth: depth, width: width, batch: batch)
        var input = try Matrix(rows: batch, columns: width)
        try RandomFill.normal(&input, seed: seed, stream: Self.inputStream, threads: threads)
        let pairs = activations.flatMap { activation in initializers.map { ($0, activation) } }
        // Four stages per run (initialize, forward, backward, measure), so that one long run moves the bar too.
        let progress = ProgressBar(total: 4 * pairs.count, quiet: quiet)
        defer { progress.finish() }
        var runs = [RunRecord]()
        for (index, (initializer, activation)) in pairs.enumerated() {
            let label = "\(initializer.rawValue) / \(activation.rawValue)"
            runs.append(try runOne(initializer, activation, input: input) { stage, name in
                progress.update(4 * index + stage, "\(label): \(name)")
            })
        }
        progress.update(4 * pairs.count, "done")
        return PropagationReport(config: configuration, runs: runs)
    }

    /// One network: build, initialize, forward, backward, measure.
    func runOne(
        _ initializerName: InitializerName, _ activationName: ActivationName, input: Matrix,
        stage: (Int, String) -> Void = { _, _ in }
    ) throws -> RunRecord {
        let start = Date()
        stage(0, "initializing")
        let scheme = initializerName.scheme(activation: activationName, gain: gain.map(Float.init))
        let network = try Network(
            widths: [Int](repeating: width, count: depth + 1), activation: activationName.activation,
            initializer: scheme, bias: bias, seed: seed, threads: threads)
        stage(1, "forward")
        try network.forward(input)
        stage(2, "backward")
        try network.backward(loss: loss == .readout ? .randomReadout(seed: seed) : .quadratic)
        stage(3, "measuring")
        let probe = network.probe(step: 0, options: try ProbeOptions(histogramBins: 0))

        let nonFinite = probe.nonFinite
        let divergedAt = nonFinite.map { $0.layer + 1 }
        let predictions = try? prediction(scheme: scheme, activation: activationName)
        let ranges = HistogramRanges(probe: probe)
        var records = [LayerRecord]()
        records.reserveCapacity(depth)
        for (l, layer) in probe.layers.enumerated() {
            let histograms = LayerHistograms(
                preactivation: Self.histogram(network.preActivation(ofLayer: l), ranges.preactivation),
                activation: Self.histogram(network.activation(ofLayer: l), ranges.activation),
                gradient: Self.histogram(network.preActivationGradient(ofLayer: l), ranges.gradient))
            records.append(LayerRecord(
                index: l + 1,
                preactivationMean: Self.finiteStatistic(layer.preActivation, \.mean),
                preactivationVariance: Self.finiteStatistic(layer.preActivation, \.variance),
                activationMean: Self.finiteStatistic(layer.activation, \.mean),
                activationVariance: Self.finiteStatistic(layer.activation, \.variance),
                gradientVariance: Self.finiteStatistic(layer.preActivationGradient, \.variance),
                weightGradientVariance: Self.finiteStatistic(layer.weightGradient, \.variance),
                weightVariance: Self.finiteStatistic(layer.weight, \.variance),
                saturatedFraction: layer.saturatedFraction ?? 0,
                deadFraction: layer.deadFraction ?? 0,
                histograms: histograms,
                theory: TheoryRecord(predictions?[l])))
        }
        let target = scheme.targetVariance(fanIn: width, fanOut: width) ?? .nan
        return RunRecord(
            initializer: initializerName.rawValue, activation: activationName.rawValue,
            formula: scheme.formula(fanIn: width, fanOut: width),
            gain: initializerName.effectiveGain(activation: activationName, gain: gain.map(Float.init)),
            weightVarianceTarget: target,
            status: divergedAt == nil ? .ok : .diverged,
            divergedAtLayer: divergedAt,
            verdict: RunRecord.verdict(layers: records, divergedAtLayer: divergedAt),
            seconds: Date().timeIntervalSince(start),
            layers: records)
    }

    /// The mean-field prediction for this scheme's target variance (every layer `width x width`,
    /// zero biases, unit-variance inputs); under the quadratic loss only the forward quantities and
    /// the top layer's gradient (non-finite entries become null).
    func prediction(scheme: Initializer, activation: ActivationName) throws -> [LayerPrediction] {
        guard let variance = scheme.targetVariance(fanIn: width, fanOut: width) else { return [] }
        let top: MeanFieldTheory.TopGradient = loss == .readout
            ? .independent(variance: 1 / (Double(batch) * Double(batch)))
            : .proportional(scale: 1 / Double(batch))
        var predictions = try activation.meanField.predict(
            widths: [Int](repeating: width, count: depth + 1),
            weightVariances: [Double](repeating: variance, count: depth),
            inputSecondMoment: 1, topGradient: top, batch: batch)
        if loss == .quadratic {
            // The backward recursion assumes the top gradient independent of the forward pass (true
            // for the readout). With dL/dA = A/B it is not: below the top layer the gradient is
            // W^T W ... A, whose variance the independent-products theory underestimates (about 2x per
            // layer for Gaussian weights), and dL/dW = dZ^T A correlates its two factors. Only the
            // top layer's gradient variance is predicted then.
            for l in predictions.indices {
                if l < predictions.count - 1 { predictions[l].gradientVariance = .nan }
                predictions[l].weightGradientVariance = .nan
            }
        }
        return predictions
    }

    /// A statistic when the tensor has no inf/NaN (else nil: the layer diverged).
    static func finiteStatistic(_ statistics: TensorStatistics?, _ key: KeyPath<TensorStatistics, Double?>) -> Double? {
        guard let statistics, statistics.nonFiniteCount == 0, let value = statistics[keyPath: key] else { return nil }
        return value.isFinite ? value : nil
    }

    /// Histogram of an evenly strided sample of `matrix`'s finite entries on `range`; entries
    /// outside go to the end bins.
    static func histogram(_ matrix: Matrix, _ range: ClosedRange<Double>?) -> HistogramRecord {
        guard let range, range.upperBound > range.lowerBound else { return .empty }
        let bins = histogramBins
        var counts = [Int](repeating: 0, count: bins)
        var zeros = 0
        let lower = Float(range.lowerBound)
        let scale = Float(Double(bins) / (range.upperBound - range.lowerBound))
        matrix.withUnsafeBufferPointer { buffer in
            let stride = max(1, buffer.count / histogramSampleLimit)
            var index = 0
            while index < buffer.count {
                let value = buffer[index]
                if value == 0 { zeros += 1 }
                if value.isFinite {
                    // Clamp in Float first: a huge value's position overflows Int.
                    let position = (value - lower) * scale
                    let bin = position < 0 ? 0 : (position >= Float(bins) ? bins - 1 : Int(position))
                    counts[bin] += 1
                }
                index += stride
            }
        }
        return HistogramRecord(lower: range.lowerBound, upper: range.upperBound, counts: counts, zeros: zeros)
    }
}

/// One horizontal range per quantity for every layer of a run, so that the stacked histograms
/// share an axis: `[-4 s, 4 s]` with `s` the largest root-mean-square over the layers, clipped to
/// the smallest and largest finite entry seen.
struct HistogramRanges {
    var preactivation: ClosedRange<Double>?
    var activation: ClosedRange<Double>?
    var gradient: ClosedRange<Double>?

    init(probe: NetworkProbe) {
        preactivation = Self.range(probe.layers.map(\.preActivation))
        activation = Self.range(probe.layers.map(\.activation))
        gradient = Self.range(probe.layers.map(\.preActivationGradient))
    }

    static func range(_ statistics: [TensorStatistics?]) -> ClosedRange<Double>? {
        var rootMeanSquare = 0.0
        var minimum = Double.infinity, maximum = -Double.infinity
        for case let s? in statistics {
            guard let mean = s.mean, let variance = s.variance, let low = s.minimum, let high = s.maximum else { continue }
            let rms = (variance + mean * mean).squareRoot()
            guard rms.isFinite else { continue }
            rootMeanSquare = max(rootMeanSquare, rms)
            minimum = min(minimum, low)
            maximum = max(maximum, high)
        }
        guard rootMeanSquare > 0, minimum < maximum else { return nil }
        let lower = max(minimum, -4 * rootMeanSquare)
        let upper = min(maximum, 4 * rootMeanSquare)
        return lower < upper ? lower...upper : nil
    }
}
