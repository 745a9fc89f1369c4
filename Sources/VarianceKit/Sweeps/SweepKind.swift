/// What one configuration of a sweep computes.
public enum SweepKind: String, CaseIterable, Codable, Sendable {
    /// One network at initialization, measured layer by layer next to mean-field theory
    /// (`PropagationExperiment` with one scheme and one activation).
    case propagate
    /// One network trained on a synthetic dataset (`TrainingExperiment` with one configuration).
    case train
    /// The mean-field quantities of one `(activation, sigma_w^2, sigma_b^2)`
    /// (`MeanFieldTheory.analysis(weightScale:biasVariance:)`).
    case theory

    /// The kinds' names, comma-separated.
    public static var acceptedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
