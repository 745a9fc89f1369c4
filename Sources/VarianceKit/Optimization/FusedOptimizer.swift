/// What `SGD`, `Adam` and `AdamW` share: every `Optimizer` requirement but construction forwards
/// to the `OptimizerEngine` that keeps the per-parameter state and runs the fused passes
/// (see `Optimizer` for the guarantees). Subclassed only inside VarianceKit.
public class FusedOptimizer: Optimizer {
    let engine: OptimizerEngine

    init(engine: OptimizerEngine) {
        self.engine = engine
    }

    /// The base learning rate `η` (multiplied by the schedule).
    public var learningRate: Float { engine.learningRate }
    /// The most threads one parameter's pass is split across.
    public var threadCount: Int { engine.threadCount }
    /// The learning-rate schedule; also scales the schedule-scaled weight decay.
    public var schedule: LearningRateSchedule {
        get { engine.schedule }
        set { engine.schedule = newValue }
    }
    /// Which penalty and weight decay apply to which parameter.
    public var parameterGroups: ParameterGroups {
        get { engine.groups }
        set { engine.groups = newValue }
    }

    /// One step over every parameter of `parameters` (see `Optimizer.step(_:)`).
    @discardableResult
    public func step<Container: ParameterContainer>(_ parameters: Container) throws -> StepSummary {
        try engine.step(parameters)
    }

    /// One step of a single parameter buffer (see `Optimizer.step(parameter:gradient:id:)`).
    @discardableResult
    public func step(parameter: inout Matrix, gradient: inout Matrix, id: ParameterID) throws -> ParameterStepStatistics {
        try engine.step(parameter: &parameter, gradient: &gradient, id: id)
    }

    /// The figures of the last step of parameter `id`, or `nil` before its first step.
    public func statistics(for id: ParameterID) -> ParameterStepStatistics? { engine.statistics(for: id) }
    /// A copy of the state kept for parameter `id`, or `nil` before its first step.
    public func state(for id: ParameterID) -> OptimizerState? { engine.state(for: id) }
    /// Forgets every parameter's state; the next step starts afresh.
    public func resetState() { engine.resetState() }
}
