/// A first-order optimizer that updates a network's parameters in place from their gradients.
///
/// Every step of every parameter is one fused, vectorized pass over the weights `w`, the gradient
/// `g` and the optimizer's state for that parameter (momentum buffer, or Adam's `m` and `v`):
/// the coupled penalty's gradient, the update, the decoupled weight decay and, for proximal L1,
/// the soft-threshold all happen in that pass. Buffers of 65 536 elements or more are split
/// across `threadCount` threads in fixed 4096-element blocks, so results never depend on the
/// thread count. State is allocated on a parameter's first step and never again.
///
/// Which penalty and decay apply to which parameter is set by `parameterGroups` (by default the
/// optimizer's own regularization on weights, none on biases). The learning rate at a parameter's
/// step `t` (0-based) is `learningRate · schedule.multiplier(atStep: t)`.
///
/// A step is refused, with every weight and every state buffer left untouched, when a gradient
/// holds inf or NaN, a shape disagrees, or the decay fraction leaves `[0, 1]`.
///
/// **The gradient buffers are consumed.** After a step (taken or refused) their contents are
/// unspecified: every optimizer writes the new weights into the gradient buffer (and its new
/// state into spare buffers) and then exchanges the buffers (an O(1) swap of storage), which
/// checks the gradient in the same pass and saves a pass over memory. Recompute gradients
/// before the next step (a network's `backward` overwrites them; with `accumulate`, call
/// `zeroGradients()` first). `step(_:)` enforces this for containers that track their gradients
/// (`ParameterContainer.gradientsAreCurrent`, which `Network` does): a second step without a new
/// backward pass is refused with `VarianceKitError.outOfOrder`, and nothing is written.
public protocol Optimizer: AnyObject {
    /// The base learning rate `η` (multiplied by the schedule).
    var learningRate: Float { get }
    /// The learning-rate schedule; also scales the schedule-scaled weight decay.
    var schedule: LearningRateSchedule { get set }
    /// Which penalty and weight decay apply to which parameter.
    var parameterGroups: ParameterGroups { get set }
    /// The most threads one parameter's pass is split across: the `threadCount:` the optimizer
    /// was built with, or, when that was nil, `ThreadPolicy.threadCount` as it stands now.
    var threadCount: Int { get }

    /// One step over every parameter of `parameters`. Shapes and settings are checked first, and
    /// every gradient is checked for inf and NaN as the step reads it; if any check fails, no
    /// weight and no optimizer state changes. The gradients are consumed either way: a refused
    /// step may have overwritten them.
    ///
    /// - Returns: the penalty value (at the weights before the step) summed over the parameters,
    ///   and the exact zeros after it; per-parameter figures are in `statistics(for:)`.
    /// - Throws: `VarianceKitError.outOfOrder` when `parameters.gradientsAreCurrent` is false (a
    ///   previous step consumed them); `.nonFiniteGradient` naming the parameter whose gradient holds inf/NaN,
    ///   `.shapeMismatch` when a gradient or a state buffer does not match its parameter,
    ///   `.invalidParameter` when the weight-decay fraction of a parameter leaves `[0, 1]`,
    ///   `.insufficientMemory` or `.allocationFailed` when a parameter's state and its spare
    ///   buffers (allocated on its first step, before anything is written) do not fit.
    @discardableResult
    func step<Container: ParameterContainer>(_ parameters: Container) throws -> StepSummary

    /// One step of a single parameter buffer, `parameter` updated in place from `gradient`
    /// (same shape), with the state kept under `id`. Same checks and guarantees as `step(_:)`.
    @discardableResult
    func step(parameter: inout Matrix, gradient: inout Matrix, id: ParameterID) throws -> ParameterStepStatistics

    /// The figures of the last step of parameter `id`, or `nil` before its first step.
    func statistics(for id: ParameterID) -> ParameterStepStatistics?

    /// A copy of the state kept for parameter `id`, or `nil` before its first step.
    func state(for id: ParameterID) -> OptimizerState?

    /// Forgets every parameter's state (buffers, step counts); the next step starts afresh.
    func resetState()
}

/// Figures of one parameter's step.
public struct ParameterStepStatistics: Sendable, Equatable, CustomStringConvertible {
    /// The parameter.
    public var id: ParameterID
    /// How many steps this parameter has taken, this one included.
    public var stepCount: Int
    /// Elements of the parameter.
    public var elementCount: Int
    /// Elements exactly zero after the step, counted (in the same pass) when the parameter's group
    /// uses proximal L1, the one update meant to make exact zeros; `nil` otherwise.
    public var exactZeroCount: Int?
    /// The penalty `R(w)` of the parameter's group at the weights before the step.
    public var penaltyValue: Double
    /// The scheduled learning rate `η_t` used.
    public var learningRate: Float
    /// The decoupled weight-decay fraction `d` removed.
    public var decayFraction: Float

    /// Fraction of exact zeros after the step (0 for an empty parameter; `nil` when not counted).
    public var sparsity: Double? {
        exactZeroCount.map { elementCount == 0 ? 0 : Double($0) / Double(elementCount) }
    }

    /// The figures in words.
    public var description: String {
        "\(id): step \(stepCount), η_t = \(learningRate), decay \(decayFraction), penalty \(penaltyValue), zeros \(exactZeroCount.map(String.init) ?? "not counted")/\(elementCount)"
    }
}

/// Totals of one step over a container.
public struct StepSummary: Sendable, Equatable {
    /// Parameters updated.
    public var parameterCount: Int = 0
    /// Elements updated.
    public var elementCount: Int = 0
    /// Elements exactly zero after the step, over the parameters whose zeros are counted
    /// (groups with proximal L1; see `ParameterStepStatistics.exactZeroCount`).
    public var exactZeroCount: Int = 0
    /// `Σ R(w)` over the parameters, at the weights before the step: add it to the data loss
    /// to report the regularized objective.
    public var penaltyValue: Double = 0

    /// `exactZeroCount` over all updated elements.
    public var sparsity: Double {
        elementCount == 0 ? 0 : Double(exactZeroCount) / Double(elementCount)
    }

    mutating func add(_ statistics: ParameterStepStatistics) {
        parameterCount += 1
        elementCount += statistics.elementCount
        exactZeroCount += statistics.exactZeroCount ?? 0
        penaltyValue += statistics.penaltyValue
    }
}

/// A snapshot of what an optimizer keeps for one parameter.
public struct OptimizerState: Sendable, Equatable {
    /// Steps taken.
    public var stepCount: Int
    /// SGD's momentum buffer (nil without momentum or for Adam).
    public var momentumBuffer: Matrix?
    /// Adam's first moment `m` (nil for SGD).
    public var firstMoment: Matrix?
    /// Adam's second moment `v` (nil for SGD).
    public var secondMoment: Matrix?
}
