/// What a preset experiment set out to show, and whether this run showed it.
public struct PresetOutcome: Sendable, Hashable, Codable {
    /// The preset's name, e.g. `glorot`.
    public var preset: String
    /// What the preset should show, in a sentence.
    public var claim: String
    /// Whether the run showed it.
    public var shown: Bool
    /// The figures the verdict rests on, one sentence each.
    public var findings: [String]
    /// Figures from the paper the preset reproduces, next to this run's (label, paper, measured).
    public var comparison: [PaperComparison]

    /// An outcome.
    public init(preset: String, claim: String, shown: Bool, findings: [String], comparison: [PaperComparison] = []) {
        self.preset = preset
        self.claim = claim
        self.shown = shown
        self.findings = findings
        self.comparison = comparison
    }
}

/// One figure of a paper beside this run's.
public struct PaperComparison: Sendable, Hashable, Codable {
    /// What is compared, e.g. `tanh, standard: test error`.
    public var quantity: String
    /// The paper's value.
    public var paper: Double?
    /// This run's value.
    public var measured: Double?

    /// A comparison.
    public init(quantity: String, paper: Double?, measured: Double?) {
        self.quantity = quantity
        self.paper = paper
        self.measured = measured
    }
}
