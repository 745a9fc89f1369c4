/// Adam (Kingma & Ba 2015) with bias correction, a coupled penalty and/or decoupled weight decay.
///
/// With `ĝ = g + ∂R/∂w` (the group's penalty), the scheduled learning rate `η_t`, the step count
/// `t` (1 on the first step) and the decay fraction `d`:
///
///     m ← β₁ m + (1 - β₁) ĝ
///     v ← β₂ v + (1 - β₂) ĝ²
///     w ← (1 - d) w - η_t m̂ / (√v̂ + ε),   m̂ = m / (1 - β₁ᵗ),  v̂ = v / (1 - β₂ᵗ)
///
/// followed, for proximal L1, by `w ← sign(w) max(|w| - η_t λ₁/n, 0)`. A penalty's gradient is
/// divided by `√v̂` like the data gradient, so L2 under Adam shrinks weights with large gradients
/// less; `AdamW` (decoupled decay) shrinks every weight by the same fraction (<doc:Regularization>).
///
/// Memory per step and element: 28 bytes (read `w`, `g`, `m`, `v`; write the new `w` into the
/// gradient buffer and the new `m` and `v` into spare buffers, then swap the three pairs), the
/// gradient checked for inf/NaN in the same pass, so that a refused step leaves `w`, `m` and `v`
/// as they were. The optimizer keeps four parameter-sized buffers per parameter (`m`, `v` and
/// their spares). The square root is the correctly rounded `sqrtps` on x86-64 (see
/// `FusedKernels.squareRoot`).
public final class Adam: FusedOptimizer {
    /// `β₁`, the decay rate of the gradient average.
    public let beta1: Float
    /// `β₂`, the decay rate of the squared-gradient average.
    public let beta2: Float
    /// `ε`, added to `√v̂` in the denominator.
    public let epsilon: Float

    /// - Parameters:
    ///   - learningRate: `η >= 0`.
    ///   - beta1: decay rate of the first moment (the gradient average), in `[0, 1)`.
    ///   - beta2: decay rate of the second moment (the squared-gradient average), in `[0, 1)`.
    ///   - epsilon: `ε > 0`.
    ///   - penalty: the coupled penalty of every weight matrix (biases: none by default).
    ///   - weightDecay: the decoupled decay of every weight matrix (none by default; see `AdamW`).
    ///   - schedule: multiplies the learning rate at each step.
    ///   - threadCount: the most threads one parameter's pass uses, in `1...256`; nil (the default)
    ///     uses `ThreadPolicy.threadCount` as it stands at each step.
    /// - Throws: `VarianceKitError.invalidParameter` naming the first argument out of its range.
    public init(
        learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        penalty: Penalty = .none, weightDecay: WeightDecay = .none,
        schedule: LearningRateSchedule = .constant, threadCount: Int? = nil
    ) throws {
        let engine = try Adam.makeEngine(
            name: "Adam", learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            penalty: penalty, weightDecay: weightDecay, schedule: schedule, threadCount: threadCount)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        super.init(engine: engine)
    }

    static func makeEngine(
        name: String, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
        penalty: Penalty, weightDecay: WeightDecay, schedule: LearningRateSchedule, threadCount: Int?
    ) throws -> OptimizerEngine {
        try OptimizerEngine.validate(learningRate: learningRate, threadCount: threadCount)
        for (value, label) in [(beta1, "beta1"), (beta2, "beta2")] {
            guard value.isFinite, value >= 0, value < 1 else {
                throw VarianceKitError.invalidParameter(name: label, value: "\(value)", expected: "a number in [0, 1)")
            }
        }
        try VarianceKitError.requirePositiveFinite(epsilon, "epsilon")
        return OptimizerEngine(
            name: name, algorithm: .adam(beta1: beta1, beta2: beta2, epsilon: epsilon),
            learningRate: learningRate, schedule: schedule,
            groups: ParameterGroups(weights: ParameterGroup(penalty: penalty, weightDecay: weightDecay)),
            threadCount: threadCount)
    }
}
