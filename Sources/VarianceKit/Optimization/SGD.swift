/// Stochastic gradient descent with optional momentum, dampening and Nesterov momentum, coupled
/// penalties and decoupled weight decay (PyTorch's `torch.optim.SGD` conventions for momentum).
///
/// With `ĝ = g + ∂R/∂w` (the group's penalty, L1 as a subgradient unless proximal), the scheduled
/// learning rate `η_t` and the decay fraction `d`:
///
///     without momentum:  w ← (1 - d) w - η_t ĝ
///     with momentum μ:   buf ← μ buf + (1 - τ) ĝ   (buf ← ĝ on the first step)
///                        w ← (1 - d) w - η_t buf            (classical)
///                        w ← (1 - d) w - η_t (ĝ + μ buf)    (Nesterov)
///
/// followed, for proximal L1, by `w ← sign(w) max(|w| - η_t λ₁/n, 0)`. Under plain SGD,
/// `L2(λ, n)` and the decay `d = η λ/n` give the same weights (<doc:Regularization>).
///
/// Memory per step and element: 12 bytes without momentum (read `w`, `g`; write the new `w` into
/// the gradient buffer, then swap the two), 20 with momentum (read `w`, `g`, `buf`; write the new
/// `w` into the gradient buffer and the new `buf` into a spare buffer, then swap both pairs), the
/// gradient checked for inf/NaN in the same pass. With momentum the optimizer keeps two
/// parameter-sized buffers per parameter (the momentum and its spare).
public final class SGD: FusedOptimizer {
    /// `μ` in `[0, 1)`; 0 keeps no momentum buffer.
    public let momentum: Float
    /// `τ` in `[0, 1]`: the momentum buffer adds `(1 - τ)` of each gradient.
    public let dampening: Float
    /// Whether the step uses Nesterov momentum, `ĝ + μ buf`.
    public let nesterov: Bool

    /// - Parameters:
    ///   - learningRate: `η >= 0`.
    ///   - momentum: `μ` in `[0, 1)`; 0 keeps no buffer.
    ///   - dampening: `τ` in `[0, 1]`.
    ///   - nesterov: Nesterov momentum; needs `momentum > 0` and `dampening == 0`.
    ///   - penalty: the coupled penalty of every weight matrix (biases get none unless
    ///     `parameterGroups` says otherwise).
    ///   - weightDecay: the decoupled decay of every weight matrix.
    ///   - schedule: multiplies the learning rate at each step.
    ///   - threadCount: the most threads one parameter's pass uses, in `1...256`; nil (the default)
    ///     uses `ThreadPolicy.threadCount` as it stands at each step.
    /// - Throws: `VarianceKitError.invalidParameter` naming the first argument out of its range.
    public init(
        learningRate: Float, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false,
        penalty: Penalty = .none, weightDecay: WeightDecay = .none,
        schedule: LearningRateSchedule = .constant, threadCount: Int? = nil
    ) throws {
        try OptimizerEngine.validate(learningRate: learningRate, threadCount: threadCount)
        guard momentum.isFinite, momentum >= 0, momentum < 1 else {
            throw VarianceKitError.invalidParameter(name: "momentum", value: "\(momentum)", expected: "a number in [0, 1)")
        }
        guard dampening.isFinite, dampening >= 0, dampening <= 1 else {
            throw VarianceKitError.invalidParameter(name: "dampening", value: "\(dampening)", expected: "a number in [0, 1]")
        }
        if nesterov, !(momentum > 0 && dampening == 0) {
            throw VarianceKitError.invalidParameter(
                name: "nesterov", value: "true with momentum \(momentum), dampening \(dampening)",
                expected: "momentum > 0 and dampening == 0 for Nesterov momentum")
        }
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        super.init(engine: OptimizerEngine(
            name: "SGD", algorithm: .sgd(momentum: momentum, dampening: dampening, nesterov: nesterov),
            learningRate: learningRate, schedule: schedule,
            groups: ParameterGroups(weights: ParameterGroup(penalty: penalty, weightDecay: weightDecay)),
            threadCount: threadCount))
    }
}
