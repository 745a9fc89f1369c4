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
    /// Grids of a figure over two settings (the decay preset's learning rate x decay grids).
    public var grids: [SettingsGrid]

    /// An outcome.
    public init(preset: String, claim: String, shown: Bool, findings: [String], comparison: [PaperComparison] = [],
                grids: [SettingsGrid] = []) {
        self.preset = preset
        self.claim = claim
        self.shown = shown
        self.findings = findings
        self.comparison = comparison
        self.grids = grids
    }
}

/// A figure of merit over a grid of two settings: `values[r][c]` at row setting `rows[r]` and
/// column setting `columns[c]` (nil where the run diverged).
public struct SettingsGrid: Sendable, Hashable, Codable {
    /// What the grid shows, e.g. `Adam+L2: final validation loss`.
    public var title: String
    /// The row setting's name, e.g. `learning rate`.
    public var rowName: String
    /// The column setting's name, e.g. `L2 lambda`.
    public var columnName: String
    /// The row settings.
    public var rows: [Double]
    /// The column settings.
    public var columns: [Double]
    /// The figure per cell, row-major.
    public var values: [[Double?]]

    /// A grid of these values.
    public init(title: String, rowName: String, columnName: String, rows: [Double], columns: [Double], values: [[Double?]]) {
        self.title = title
        self.rowName = rowName
        self.columnName = columnName
        self.rows = rows
        self.columns = columns
        self.values = values
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
