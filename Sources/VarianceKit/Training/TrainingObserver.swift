/// What a `Trainer` tells its observers.
public enum TrainingEvent: Sendable {
    /// A step was taken: after `step` steps, the batch loss it had before its update.
    case step(step: Int, loss: Double)
    /// A point was recorded.
    case point(TrainingPoint)
    /// The network was probed after `step` steps (the full probe, histograms included).
    case probe(step: Int, NetworkProbe)
}

/// An observer's answer.
public enum TrainingControl: Sendable, Equatable {
    /// Go on.
    case proceed
    /// Stop after this event, and record `reason`.
    case stop(reason: String)
}

/// Something that watches a run: logs it, draws it, or stops it.
///
/// `observe` is called on the training thread after every step and every recorded point; keep
/// it cheap on `.step` (it runs once per step).
public protocol TrainingObserver: AnyObject {
    /// Sees `event` and says whether the run goes on.
    func observe(_ event: TrainingEvent, trainer: Trainer) -> TrainingControl
}

/// An observer made of a closure.
public final class ClosureObserver: TrainingObserver {
    private let body: (TrainingEvent, Trainer) -> TrainingControl

    /// An observer that calls `body`.
    public init(_ body: @escaping (TrainingEvent, Trainer) -> TrainingControl) {
        self.body = body
    }

    /// Calls the closure.
    public func observe(_ event: TrainingEvent, trainer: Trainer) -> TrainingControl {
        body(event, trainer)
    }
}
