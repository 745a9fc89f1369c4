/// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay,
/// `w ← (1 - d) w - η_t m̂ / (√v̂ + ε)`, the decay `d` applied to the weights before the step
/// and not rescaled by the adaptive step size.
///
/// `weightDecay` (default 0.01) follows `convention`: `.learningRateScaled` (`d = η_t ·
/// weightDecay`, as PyTorch's `AdamW`) or `.scheduleScaled` (`d = s_t · weightDecay`, the
/// paper's). It applies to weight matrices; biases are not decayed unless `parameterGroups` says
/// so. A coupled `penalty` can be added as well.
public final class AdamW: FusedOptimizer {
    /// `β₁`, the decay rate of the gradient average.
    public let beta1: Float
    /// `β₂`, the decay rate of the squared-gradient average.
    public let beta2: Float
    /// `ε`, added to `√v̂` in the denominator.
    public let epsilon: Float
    /// The decoupled decay of every weight matrix.
    public let weightDecay: WeightDecay

    /// - Throws: `VarianceKitError.invalidParameter` naming the first argument out of its range
    ///   (`weightDecay` negative or not finite, a beta outside `[0, 1)`, `epsilon <= 0`, …).
    public init(
        learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0.01, convention: WeightDecay.Convention = .learningRateScaled,
        penalty: Penalty = .none, schedule: LearningRateSchedule = .constant, threadCount: Int? = nil
    ) throws {
        let decay = switch convention {
        case .learningRateScaled: try WeightDecay.learningRateScaled(weightDecay)
        case .scheduleScaled: try WeightDecay.scheduleScaled(weightDecay)
        }
        let engine = try Adam.makeEngine(
            name: "AdamW", learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            penalty: penalty, weightDecay: decay, schedule: schedule, threadCount: threadCount)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = decay
        super.init(engine: engine)
    }
}
