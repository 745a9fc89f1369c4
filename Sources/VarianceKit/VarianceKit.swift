/// VarianceKit: initialization and regularization of neural-network weights, computed, measured
/// and compared. See README.md for a tour.
public enum VarianceKit {
    /// The library's version, reported by `initbench --version` and in every JSON `config`.
    public static let version = "0.1.0"
}
