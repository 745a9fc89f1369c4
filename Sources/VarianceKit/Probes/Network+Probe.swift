import Foundation

extension Network {
    /// The statistics of every layer's `W`, `b`, `Z`, `A`, `dL/dZ`, `dL/dW`, `dL/db` as they stand
    /// after the last forward/backward pass, labelled with `step`; see `NetworkProbe`. `dL/dW` and
    /// `dL/db` are reported only while they are current (not after an optimizer step consumed them).
    ///
    /// Cost: one vectorized pass over each tensor (moments accumulated in Double per block), a
    /// histogram of a sample of at most `options.histogramSampleLimit` entries, and for saturating
    /// or ReLU activations one counting pass over `A`; no BLAS call. The tensors are measured in
    /// parallel on `ParallelRuntime` (at most `ThreadPolicy.threadCount` threads), handed out
    /// one at a time, largest first, so that a thread slowed by other work takes fewer of them;
    /// the result does not depend on the split. The helpers first leave the calling thread's
    /// processor (`ThreadPlacement`: after an sgemm, OpenBLAS's polling threads otherwise leave two
    /// probe threads sharing one).
    /// The first probe that finds a non-finite value records it in `firstNonFinite`, which later
    /// probes repeat.
    public func probe(step: Int, options: ProbeOptions = .standard) -> NetworkProbe {
        let forwardDone = hasForwardPass
        let backwardDone = hasBackwardPass
        // An optimizer step consumes dL/dW and dL/db (plain SGD leaves the old weights there).
        let gradientsCurrent = hasBackwardPass && hasCurrentGradients
        let snapshots = layers.enumerated().map { index, layer in
            LayerSnapshot(
                index: index, inputs: layer.inputs, outputs: layer.outputs, activation: layer.activation,
                weight: layer.weight, bias: layer.bias,
                preActivation: forwardDone ? layer.preActivation : nil,
                output: forwardDone ? layer.output : nil,
                delta: backwardDone ? layer.delta : nil,
                weightGradient: gradientsCurrent ? layer.weightGradient : nil,
                biasGradient: gradientsCurrent ? layer.biasGradient : nil)
        }
        let layerCount = snapshots.count
        let kinds = ProbedTensor.allCases
        // Item i is tensor kinds[i / layerCount] of layer i % layerCount.
        var statistics = [TensorStatistics?](repeating: nil, count: kinds.count * layerCount)
        var saturation = [(saturated: Double?, dead: Double?)](repeating: (nil, nil), count: layerCount)
        statistics.withUnsafeMutableBufferPointer { statisticsBuffer in
            saturation.withUnsafeMutableBufferPointer { saturationBuffer in
                ParallelRuntime.shared.run(workers: min(statisticsBuffer.count, ThreadPolicy.threadCount), ProbeJob(
                    snapshots: snapshots, options: options, queue: WorkQueue(count: statisticsBuffer.count),
                    statistics: statisticsBuffer.baseAddress!, saturation: saturationBuffer.baseAddress!))
            }
        }
        let layerProbes = snapshots.map { snapshot in
            func measured(_ kind: ProbedTensor) -> TensorStatistics? {
                statistics[kinds.firstIndex(of: kind)! * layerCount + snapshot.index]
            }
            return LayerProbe(
                layer: snapshot.index, inputs: snapshot.inputs, outputs: snapshot.outputs,
                activationName: snapshot.activation.description,
                weight: measured(.weight)!, bias: measured(.bias),
                preActivation: measured(.preActivation), activation: measured(.activation),
                preActivationGradient: measured(.preActivationGradient), weightGradient: measured(.weightGradient),
                biasGradient: measured(.biasGradient),
                saturatedFraction: saturation[snapshot.index].saturated, deadFraction: saturation[snapshot.index].dead)
        }
        let nonFinite = Network.firstNonFinite(in: layerProbes, step: step)
        if let nonFinite, firstNonFinite == nil || nonFinite.step < firstNonFinite!.step {
            firstNonFinite = nonFinite
        }
        return NetworkProbe(
            step: step, batchSize: batchSize,
            loss: backwardDone ? lastLoss.flatMap { $0.isFinite ? $0 : nil } : nil,
            layers: layerProbes, nonFinite: nonFinite, firstNonFinite: firstNonFinite)
    }

    /// The first non-finite tensor in computation order (see `NetworkProbe.nonFinite`).
    static func firstNonFinite(in probes: [LayerProbe], step: Int) -> NonFiniteLocation? {
        func bad(_ statistics: TensorStatistics?) -> Bool { (statistics?.nonFiniteCount ?? 0) > 0 }
        for probe in probes {
            for tensor in ProbedTensor.forwardOrder where bad(probe.statistics(of: tensor)) {
                return NonFiniteLocation(step: step, layer: probe.layer, tensor: tensor)
            }
        }
        for probe in probes.reversed() {
            for tensor in ProbedTensor.backwardOrder where bad(probe.statistics(of: tensor)) {
                return NonFiniteLocation(step: step, layer: probe.layer, tensor: tensor)
            }
        }
        return nil
    }

    /// `(saturated, dead)` fractions of the activations `a` under `activation.saturation` (each
    /// nil where the activation has no such rule).
    static func saturationFractions(_ a: Matrix, _ activation: Activation) -> (Double?, Double?) {
        guard a.count > 0, let rule = activation.saturation else { return (nil, nil) }
        let matches: Int = a.withUnsafeBufferPointer { buffer in
            let (pointer, count) = (buffer.baseAddress!, buffer.count)
            switch rule {
            case let .magnitudeAbove(threshold): return countMatching(pointer, count, MagnitudeAbove(threshold: threshold))
            case let .outside(low, high): return countMatching(pointer, count, OutsideInterval(low: low, high: high))
            case .exactlyZero: return countMatching(pointer, count, ExactlyZero())
            }
        }
        let fraction = Double(matches) / Double(a.count)
        return rule == .exactlyZero ? (nil, fraction) : (fraction, nil)
    }

    /// Number of entries matching `predicate`, eight lanes at a time (lane counters flushed to an
    /// `Int` every 4096 vectors, well below Float's exact-integer limit).
    @inline(__always)
    static func countMatching<P: LanePredicate>(_ pointer: UnsafePointer<Float>, _ count: Int, _ predicate: P) -> Int {
        let lanes = ActivationMath.lanes
        let vectorEnd = count - count % lanes
        var total = 0
        var index = 0
        while index < vectorEnd {
            let blockEnd = min(index + 4096 * lanes, vectorEnd)
            var counters = ActivationMath.Vector.zero
            while index < blockEnd {
                counters = counters.replacing(with: counters + 1, where: predicate.matches(ActivationMath.load(pointer + index)))
                index += lanes
            }
            total += Int(counters.sum())
        }
        while index < count {
            if predicate.matches(pointer[index]) { total += 1 }
            index += 1
        }
        return total
    }
}

/// A per-entry test, on a vector of lanes and on one value.
protocol LanePredicate {
    func matches(_ x: ActivationMath.Vector) -> SIMDMask<SIMD8<Int32>>
    func matches(_ x: Float) -> Bool
}

/// `|x| > threshold` (tanh, softsign saturation).
struct MagnitudeAbove: LanePredicate {
    var threshold: Float
    @inline(__always) func matches(_ x: ActivationMath.Vector) -> SIMDMask<SIMD8<Int32>> { ActivationMath.magnitude(x) .> threshold }
    @inline(__always) func matches(_ x: Float) -> Bool { Swift.abs(x) > threshold }
}

/// `x < low` or `x > high` (sigmoid saturation).
struct OutsideInterval: LanePredicate {
    var low: Float
    var high: Float
    @inline(__always) func matches(_ x: ActivationMath.Vector) -> SIMDMask<SIMD8<Int32>> { (x .< low) .| (x .> high) }
    @inline(__always) func matches(_ x: Float) -> Bool { x < low || x > high }
}

/// `x == 0` (dead ReLU units).
struct ExactlyZero: LanePredicate {
    @inline(__always) func matches(_ x: ActivationMath.Vector) -> SIMDMask<SIMD8<Int32>> { x .== 0 }
    @inline(__always) func matches(_ x: Float) -> Bool { x == 0 }
}

/// A probe's measurements, shared by `ParallelRuntime`'s workers: each takes the next item from
/// `queue` (item `i` is tensor `ProbedTensor.allCases[i / layers]` of layer `i % layers`) and
/// writes its result at index `i` (and the layer's saturation with its activation).
struct ProbeJob: ParallelJob {
    let snapshots: [LayerSnapshot]
    let options: ProbeOptions
    let queue: WorkQueue
    let statistics: UnsafeMutablePointer<TensorStatistics?>
    let saturation: UnsafeMutablePointer<(saturated: Double?, dead: Double?)>

    static let entry: ParallelJobEntry = { pointer, _, _ in
        let job = pointer.assumingMemoryBound(to: ProbeJob.self).pointee
        let kinds = ProbedTensor.allCases
        let layerCount = job.snapshots.count
        while let item = job.queue.take() {
            let (kind, layer) = (kinds[item / layerCount], item % layerCount)
            let snapshot = job.snapshots[layer]
            job.statistics[item] = snapshot.tensor(kind).map { TensorStatistics($0, options: job.options) }
            if kind == .activation, let output = snapshot.output {
                job.saturation[layer] = Network.saturationFractions(output, snapshot.activation)
            }
        }
    }
}

/// Hands out the indices `0 ..< count` one at a time to whichever thread asks first.
final class WorkQueue: Sendable {
    private let next = Locked(0)
    private let count: Int

    init(count: Int) { self.count = count }

    func take() -> Int? {
        next.withLock { next in
            guard next < count else { return nil }
            next += 1
            return next - 1
        }
    }
}

/// One layer's tensors, taken by value (O(1), copy-on-write) so that worker threads can read them.
struct LayerSnapshot: Sendable {
    var index: Int
    var inputs: Int
    var outputs: Int
    var activation: Activation
    var weight: Matrix
    var bias: Matrix?
    var preActivation: Matrix?
    var output: Matrix?
    var delta: Matrix?
    var weightGradient: Matrix?
    var biasGradient: Matrix?

    /// The tensor `kind` of this layer (nil where the passes have not produced it, or no bias).
    func tensor(_ kind: ProbedTensor) -> Matrix? {
        switch kind {
        case .weight: return weight
        case .bias: return bias
        case .preActivation: return preActivation
        case .activation: return output
        case .preActivationGradient: return delta
        case .weightGradient: return weightGradient
        case .biasGradient: return biasGradient
        }
    }
}
