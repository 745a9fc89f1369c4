import Foundation

/// Trains a network on a dataset split with an optimizer, and records how the run went.
///
/// A step `t` (0-based) is, in this order:
/// 1. the next minibatch of the training split (`MinibatchIterator`, reshuffled every epoch
///    from `settings.shuffleSeed`), gathered into preallocated matrices;
/// 2. the forward pass and the backward pass of its loss (softmax cross-entropy for class
///    labels, mean squared error for regression targets);
/// 3. every `probeEvery` steps, a probe of that pass (`Network.probe`: the variance of every
///    layer's activations and gradients);
/// 4. the optimizer step, which applies the coupled penalty, the update, the decoupled decay
///    and any soft threshold in one fused pass per parameter;
/// 5. every `evaluateEvery` steps and after the last, a `TrainingPoint`: the mean training
///    batch loss since the previous point, the validation loss and accuracy, per-layer weight
///    norms and exact-zero fractions, and the wall time.
///
/// A step whose batch loss is not finite, or whose gradient holds inf or NaN (the optimizer
/// refuses it and changes nothing), ends the run as `diverged`, recording the step and where the
/// first non-finite value was (`TrainingRecord.divergence`). Observers see every step and point
/// and may stop the run.
///
/// After the first step, a step that records nothing allocates nothing: the batch matrices, the
/// network's workspaces and the optimizer's state are all reused. The weights after `n` steps
/// depend only on the initial network, the optimizer's settings, the data and the shuffle seed,
/// so a run saved after `k` steps and resumed (`Checkpoint`) ends with the same bits as one that
/// never stopped.
public final class Trainer {
    /// The network trained in place.
    public let network: Network
    /// The optimizer, with its per-parameter state.
    public let optimizer: any Optimizer
    /// The settings the optimizer was built from (nil when it was given as an object): what a
    /// `Checkpoint` records to build it again.
    public let optimizerSettings: OptimizerSettings?
    /// The training, validation and test splits.
    public let data: DatasetSplit
    /// How the run goes.
    public let settings: TrainingSettings
    /// Options of the probes.
    public var probeOptions: ProbeOptions = .standard
    /// Observers, called in order; the first that says stop ends the run.
    public var observers: [any TrainingObserver] = []
    /// Optimizer steps taken so far.
    public private(set) var stepsTaken = 0
    /// What has been recorded so far.
    public private(set) var record = TrainingRecord()

    private var batches: MinibatchIterator
    var evaluationBatch: Matrix
    private var lossSinceLastPoint = 0.0
    private var stepsSinceLastPoint = 0
    private var firstBatchLoss: Double?

    /// A trainer of `network` on `data` with `optimizer`.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` when the network's inputs are not the data's
    ///   feature count or its outputs not the class count (or target columns);
    ///   `.invalidParameter` when the batch size exceeds the training samples; allocation errors.
    public convenience init(network: Network, optimizer: any Optimizer, data: DatasetSplit, settings: TrainingSettings) throws {
        try self.init(network: network, optimizer: optimizer, optimizerSettings: nil, data: data, settings: settings)
    }

    /// A trainer of `network` on `data` with a new optimizer of `optimizerSettings`, which a
    /// `Checkpoint` can save and rebuild.
    ///
    /// - Throws: as `init(network:optimizer:data:settings:)`, and the optimizer's parameter errors.
    public convenience init(network: Network, optimizerSettings: OptimizerSettings, data: DatasetSplit, settings: TrainingSettings) throws {
        try self.init(network: network, optimizer: optimizerSettings.makeOptimizer(), optimizerSettings: optimizerSettings,
                      data: data, settings: settings)
    }

    private init(network: Network, optimizer: any Optimizer, optimizerSettings: OptimizerSettings?, data: DatasetSplit,
                 settings: TrainingSettings) throws {
        let train = data.train
        guard network.inputs == train.featureCount else {
            throw VarianceKitError.shape(
                "Trainer", "network inputs", actual: [network.inputs], expected: [train.featureCount],
                "the network has \(network.inputs) inputs but \(train.name) has \(train.featureCount) features per sample")
        }
        guard network.outputs == train.outputCount else {
            throw VarianceKitError.shape(
                "Trainer", "network outputs", actual: [network.outputs], expected: [train.outputCount],
                "the network has \(network.outputs) outputs but \(train.name) needs \(train.outputCount) (\(train.isClassification ? "one per class" : "one per target column"))")
        }
        self.network = network
        self.optimizer = optimizer
        self.optimizerSettings = optimizerSettings
        self.data = data
        self.settings = settings
        batches = try MinibatchIterator(dataset: train, batchSize: settings.batchSize, seed: settings.shuffleSeed)
        evaluationBatch = try Matrix(rows: settings.batchSize, columns: train.featureCount)
    }

    /// Steps left until `settings.steps`.
    public var stepsRemaining: Int { max(settings.steps - stepsTaken, 0) }

    /// Trains until `settings.steps` steps have been taken (or an observer stops the run, or it
    /// diverges), then evaluates the training, validation and test splits.
    ///
    /// - Returns: the record of the whole run.
    /// - Throws: errors of the library calls other than divergence (which is recorded, not thrown).
    @discardableResult
    public func train() throws -> TrainingRecord {
        try train(steps: stepsRemaining)
    }

    /// Takes at most `count` more steps (never past `settings.steps`), then evaluates the
    /// splits. Call it again to continue the same run.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a negative count; errors of the library
    ///   calls other than divergence.
    @discardableResult
    public func train(steps count: Int) throws -> TrainingRecord {
        guard count >= 0 else {
            throw VarianceKitError.invalidParameter(name: "steps", value: "\(count)", expected: "an integer >= 0")
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let elapsedBefore = record.wallSeconds
        func wallSeconds() -> Double { elapsedBefore + Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

        if record.status == .diverged { return record }
        if stepsTaken == 0, record.points.isEmpty {
            if try addPoint(trainingLoss: firstBatchLossBeforeTraining(), wallSeconds: wallSeconds()) { return finish(wallSeconds()) }
        }
        // Not `stepsTaken + count`: a count up to Int.max means every step left.
        let last = stepsTaken + min(count, stepsRemaining)
        while stepsTaken < last {
            let step = stepsTaken
            batches.next()
            try network.forward(batches.features)
            let loss = try network.backward(loss: batches.loss)
            if !loss.isFinite {
                diverge(at: step, location: nonFiniteLocation(step: step) ?? "loss (the batch loss is \(loss))")
                break
            }
            if settings.probeEvery > 0, step % settings.probeEvery == 0 {
                let probe = network.probe(step: step, options: probeOptions)
                record.probes.append(TrainingProbe(probe))
                if notify(.probe(step: step, probe)) { break }
            }
            do {
                try optimizer.step(network)
            } catch let VarianceKitError.nonFiniteGradient(_, parameter, element, _, _) {
                diverge(at: step, location: "gradient of \(parameter)" + (element.map { " (element \($0))" } ?? ""))
                break
            }
            stepsTaken += 1
            lossSinceLastPoint += loss
            stepsSinceLastPoint += 1
            if notify(.step(step: stepsTaken, loss: loss)) { break }
            if stepsTaken % settings.evaluateEvery == 0 || stepsTaken == settings.steps {
                if try addPoint(trainingLoss: lossSinceLastPoint / Double(stepsSinceLastPoint), wallSeconds: wallSeconds()) { break }
            }
        }
        if stepsSinceLastPoint > 0, record.status == .ok {
            _ = try addPoint(trainingLoss: lossSinceLastPoint / Double(stepsSinceLastPoint), wallSeconds: wallSeconds())
        }
        return try finishWithEvaluations(wallSeconds())
    }

    /// Positions the run after `steps` steps: the next step takes the batch an uninterrupted run
    /// would take then. For resuming from a `Checkpoint`, which also restores the weights, the
    /// optimizer's state and the record.
    func resume(afterSteps steps: Int, record: TrainingRecord) throws {
        guard steps >= 0, steps <= settings.steps else {
            throw VarianceKitError.invalidParameter(
                name: "steps taken", value: "\(steps)", expected: "an integer in 0...\(settings.steps) (the run's steps)")
        }
        try batches.seek(afterBatches: steps)
        stepsTaken = steps
        self.record = record
        self.record.steps = steps
        lossSinceLastPoint = 0
        stepsSinceLastPoint = 0
    }

    // MARK: - Recording

    /// The loss of the first minibatch before any update (point 0's training loss).
    private func firstBatchLossBeforeTraining() throws -> Double {
        var peek = batches
        peek.next()
        return try evaluate(features: peek.features, rows: peek.batchSize, targets: peek.dataset.targets,
                            indices: peek.currentIndices).loss
    }

    /// Records a point; returns true when an observer stops the run.
    private func addPoint(trainingLoss: Double, wallSeconds: Double) throws -> Bool {
        let validation = data.validation.sampleCount > 0 ? try evaluate(data.validation) : nil
        let weights = network.weightStatistics()
        let point = TrainingPoint(step: stepsTaken, trainingLoss: trainingLoss, validation: validation,
                                  weightNorms: weights.map(\.norm), zeroFractions: weights.map(\.zeroFraction),
                                  wallSeconds: wallSeconds)
        record.points.append(point)
        lossSinceLastPoint = 0
        stepsSinceLastPoint = 0
        return notify(.point(point))
    }

    /// Tells the observers; returns true (and records why) when one stops the run.
    private func notify(_ event: TrainingEvent) -> Bool {
        for observer in observers {
            if case let .stop(reason) = observer.observe(event, trainer: self) {
                record.stopReason = reason
                return true
            }
        }
        return false
    }

    private func diverge(at step: Int, location: String) {
        record.status = .diverged
        record.divergence = TrainingDivergence(step: step, location: location)
        record.stopReason = "diverged at \(record.divergence!)"
    }

    /// Where the last pass first held a non-finite value, from a probe of it.
    private func nonFiniteLocation(step: Int) -> String? {
        let probe = network.probe(step: step, options: probeOptions)
        return probe.nonFinite.map { "layer \($0.layer + 1), \($0.tensor.rawValue)" }
    }

    private func finish(_ wallSeconds: Double) -> TrainingRecord {
        let first = network.layers[0]
        let (rows, columns) = (first.outputs, first.inputs)
        record.zeroInputFeatures = first.weight.withUnsafeBufferPointer { w in
            (0 ..< columns).filter { column in (0 ..< rows).allSatisfy { w[$0 * columns + column] == 0 } }
        }
        record.steps = stepsTaken
        record.wallSeconds = wallSeconds
        return record
    }

    private func finishWithEvaluations(_ wallSeconds: Double) throws -> TrainingRecord {
        if record.status == .ok {
            record.finalTraining = try evaluate(data.train)
            record.finalValidation = data.validation.sampleCount > 0 ? try evaluate(data.validation) : nil
            record.test = data.test.sampleCount > 0 ? try evaluate(data.test) : nil
        }
        return finish(wallSeconds)
    }
}

extension TrainingProbe {
    /// The per-layer variances of `probe`.
    init(_ probe: NetworkProbe) {
        step = probe.step
        activationVariance = probe.layers.map { $0.activation?.variance }
        preActivationGradientVariance = probe.layers.map { $0.preActivationGradient?.variance }
        weightGradientVariance = probe.layers.map { $0.weightGradient?.variance }
    }
}
