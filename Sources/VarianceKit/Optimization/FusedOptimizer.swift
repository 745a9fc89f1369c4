/// What `SGD`, `Adam` and `AdamW` share: every `Optimizer` requirement but construction forwards
/// to the `OptimizerEngine` that keeps the per-parameter state and runs the fused passes
/// (see `Optimizer` for the guarantees). Subclassed only inside VarianceKit.
public class FusedOptimizer: Optimizer {
    let engine: OptimizerEngine

    init(engine: OptimizerEngine) {
        self.engine = engine
    }

    public var learningRate: Float { engine.learningRate }
    public var threadCount: Int { engine.threadCount }
    public var schedule: LearningRateSchedule {
        get { engine.schedule }
        set { engine.schedule = newValue }
    }
    public var parameterGroups: ParameterGroups {
        get { engine.groups }
        set { engine.groups = newValue }
    }

    @discardableResult
    public func step<Container: ParameterContainer>(_ parameters: Container) throws -> StepSummary {
        try engine.step(parameters)
    }

    @discardableResult
    public func step(parameter: inout Matrix, gradient: inout Matrix, id: ParameterID) throws -> ParameterStepStatistics {
        try engine.step(parameter: &parameter, gradient: &gradient, id: id)
    }

    public func statistics(for id: ParameterID) -> ParameterStepStatistics? { engine.statistics(for: id) }
    public func state(for id: ParameterID) -> OptimizerState? { engine.state(for: id) }
    public func resetState() { engine.resetState() }
}
