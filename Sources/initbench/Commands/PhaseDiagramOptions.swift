import ArgumentParser
import VarianceKit

/// `LOW...HIGH` on the command line (`0.25...4`); whether the ends make sense is for the option's
/// validation to say.
struct NumberRange: ExpressibleByArgument, Equatable, CustomStringConvertible {
    var low: Double
    var high: Double

    init(_ low: Double, _ high: Double) {
        self.low = low
        self.high = high
    }

    init?(argument: String) {
        let parts = argument.components(separatedBy: "...")
        guard parts.count == 2, let low = Double(parts[0].trimmingCharacters(in: .whitespaces)),
              let high = Double(parts[1].trimmingCharacters(in: .whitespaces)) else { return nil }
        self.init(low, high)
    }

    var description: String { "\(NumberFormat.short(low))...\(NumberFormat.short(high))" }
    var defaultValueDescription: String { description }
}

/// `COLUMNSxROWS` on the command line (`40x30`).
struct GridSize: ExpressibleByArgument, Equatable, CustomStringConvertible {
    var columns: Int
    var rows: Int

    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let columns = Int(parts[0]), let rows = Int(parts[1]) else { return nil }
        self.init(columns: columns, rows: rows)
    }

    var description: String { "\(columns)x\(rows)" }
    var defaultValueDescription: String { description }
}

/// `initbench theory --svg FILE` and the phase diagram's ranges and resolution.
struct PhaseDiagramOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Also write the (s_w^2, s_b^2) phase diagram as SVG to this file.",
        discussion: "Written atomically and checked before any work, as --output (see its help); '-' is refused.",
        valueName: "path"))
    var svg: String?

    @Option(name: .customLong("phase-weight-variances"),
            help: ArgumentHelp("The diagram's s_w^2 axis, LOW...HIGH with 0 < LOW < HIGH <= 1000.", valueName: "low...high"))
    var weightVariances = NumberRange(PhaseDiagram.Resolution.standard.weightVariances.lowerBound,
                                      PhaseDiagram.Resolution.standard.weightVariances.upperBound)

    @Option(name: .customLong("phase-bias-variances"),
            help: ArgumentHelp("The diagram's s_b^2 axis, LOW...HIGH with 0 <= LOW < HIGH <= 100.", valueName: "low...high"))
    var biasVariances = NumberRange(PhaseDiagram.Resolution.standard.biasVariances.lowerBound,
                                    PhaseDiagram.Resolution.standard.biasVariances.upperBound)

    @Option(name: .customLong("phase-grid"),
            help: ArgumentHelp("Grid points of the xi_c heat map, COLUMNSxROWS, each in 2...\(MeanFieldPhaseDiagram.maximumGridPoints) (s_w^2 by s_b^2).", valueName: "columnsxrows"))
    var grid = GridSize(columns: PhaseDiagram.Resolution.standard.columns, rows: PhaseDiagram.Resolution.standard.rows)

    @Option(name: .customLong("phase-critical-points"),
            help: "s_b^2 values at which the edge of chaos is computed (2...\(MeanFieldPhaseDiagram.maximumCriticalPoints)).")
    var criticalPoints = PhaseDiagram.Resolution.standard.criticalPoints

    /// The upper ends the axes accept.
    static let largestWeightVariance = 1000.0, largestBiasVariance = 100.0

    func validate() throws {
        if let svg {
            guard svg != "-" else { throw ValidationError("--svg: cannot write the figure to -; expected a file path") }
            do {
                try AtomicFile.check(svg)
            } catch {
                throw ValidationError("--svg: \(error.description)")
            }
        }
        let w = weightVariances, b = biasVariances
        guard w.low.isFinite, w.high.isFinite, w.low > 0, w.high > w.low, w.high <= Self.largestWeightVariance else {
            throw ValidationError("invalid --phase-weight-variances \(w.low)...\(w.high): expected LOW...HIGH with 0 < LOW < HIGH <= \(NumberFormat.short(Self.largestWeightVariance))")
        }
        guard b.low.isFinite, b.high.isFinite, b.low >= 0, b.high > b.low, b.high <= Self.largestBiasVariance else {
            throw ValidationError("invalid --phase-bias-variances \(b.low)...\(b.high): expected LOW...HIGH with 0 <= LOW < HIGH <= \(NumberFormat.short(Self.largestBiasVariance))")
        }
        let limit = MeanFieldPhaseDiagram.maximumGridPoints
        guard (2...limit).contains(grid.columns), (2...limit).contains(grid.rows) else {
            throw ValidationError("invalid --phase-grid \(grid): expected COLUMNSxROWS with each in 2...\(limit)")
        }
        try ExperimentOptions.requireRange(criticalPoints, 2...MeanFieldPhaseDiagram.maximumCriticalPoints, "--phase-critical-points")
    }

    var resolution: PhaseDiagram.Resolution {
        PhaseDiagram.Resolution(weightVariances: weightVariances.low...weightVariances.high,
                                biasVariances: biasVariances.low...biasVariances.high,
                                columns: grid.columns, rows: grid.rows, criticalPoints: criticalPoints)
    }
}
