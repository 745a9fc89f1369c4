/// A network's loss (and accuracy, for classes) over one dataset, with the samples counted.
public struct Evaluation: Sendable, Hashable, Codable {
    /// The mean loss: softmax cross-entropy per sample, or the mean squared error per entry
    /// (the same formulas as `Loss`), accumulated in Double.
    public var loss: Double
    /// The fraction of samples whose largest output is their label (nil for regression).
    public var accuracy: Double?
    /// The samples evaluated.
    public var samples: Int

    /// An evaluation of `samples` samples.
    public init(loss: Double, accuracy: Double?, samples: Int) {
        self.loss = loss
        self.accuracy = accuracy
        self.samples = samples
    }

    /// `1 - accuracy` (nil for regression).
    public var error: Double? { accuracy.map { 1 - $0 } }
}

/// What a `Trainer` recorded at one step: after `step` optimizer steps.
public struct TrainingPoint: Sendable, Hashable, Codable {
    /// Optimizer steps taken.
    public var step: Int
    /// The mean minibatch loss of the steps since the previous point (the loss each batch had
    /// before its own update); at step 0, the loss of the first batch.
    public var trainingLoss: Double
    /// The validation split's figures (nil when it is empty).
    public var validation: Evaluation?
    /// `‖W_l‖` of every layer's weight (Frobenius norm, in Double).
    public var weightNorms: [Double]
    /// The fraction of every layer's weight entries that are exactly zero.
    public var zeroFractions: [Double]
    /// Seconds since the run (or this part of a resumed run) started.
    public var wallSeconds: Double
}

/// The per-layer variances one probe of a `Trainer` saw: the heat-map rows of activations and
/// gradients over training (full probes reach observers as `TrainingEvent.probe`).
public struct TrainingProbe: Sendable, Hashable, Codable {
    /// Optimizer steps taken before the probed pass (the probe sees that step's forward and backward passes).
    public var step: Int
    /// `Var(A_l)` per layer (nil where not finite).
    public var activationVariance: [Double?]
    /// `Var(dL/dZ_l)` per layer.
    public var preActivationGradientVariance: [Double?]
    /// `Var(dL/dW_l)` per layer.
    public var weightGradientVariance: [Double?]
}

/// Where a run stopped being finite.
public struct TrainingDivergence: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The step (0-based) whose pass or update produced the first inf or NaN.
    public var step: Int
    /// What was not finite, e.g. `loss`, `gradient of layer 3 weight`, `layer 2, activation`.
    public var location: String

    /// A divergence at `step`, in `location`.
    public init(step: Int, location: String) {
        self.step = step
        self.location = location
    }

    /// For example `step 41: loss (the first batch loss that is not finite)`.
    public var description: String { "step \(step): \(location)" }
}

/// Everything a `Trainer` recorded over a run.
public struct TrainingRecord: Sendable, Hashable, Codable {
    /// One point at step 0, every `evaluateEvery` steps and after the last step taken.
    public var points: [TrainingPoint] = []
    /// One entry per probe, every `probeEvery` steps.
    public var probes: [TrainingProbe] = []
    /// The training split's figures after the last step (for the generalization gap).
    public var finalTraining: Evaluation?
    /// The validation split's figures after the last step.
    public var finalValidation: Evaluation?
    /// The test split's figures after the last step (nil when it is empty).
    public var test: Evaluation?
    /// The input features whose first-layer weight column is entirely zero after the last step
    /// (no path from them to the output: the features the run deselected).
    public var zeroInputFeatures: [Int] = []
    /// Steps taken in all.
    public var steps = 0
    /// Seconds of wall time the run took.
    public var wallSeconds = 0.0
    /// `ok`, or `diverged` (see `divergence`).
    public var status: RunStatus = .ok
    /// Where the run stopped being finite (nil when it did not).
    public var divergence: TrainingDivergence?
    /// Why the run stopped before its last step: an observer asked to, or it diverged (nil when it completed).
    public var stopReason: String?

    /// A record with nothing in it yet.
    public init() {}

    /// Test loss minus final training loss (nil without both).
    public var generalizationGap: Double? {
        guard let test, let finalTraining else { return nil }
        return test.loss - finalTraining.loss
    }
}
