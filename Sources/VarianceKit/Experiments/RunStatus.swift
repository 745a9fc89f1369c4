/// How a run of an experiment ended: `ok`, or `diverged` when a value it records became inf or
/// NaN (those values are then recorded as nil and written as JSON `null`).
public enum RunStatus: String, Codable, Sendable, Hashable {
    /// Every statistic is finite.
    case ok
    /// A value overflowed to inf or NaN.
    case diverged
}
