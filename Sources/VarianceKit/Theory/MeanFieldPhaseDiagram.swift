/// The `(s_w^2, s_b^2)` phase diagram of one activation (Poole et al. 2016, Figure 2; Schoenholz
/// et al. 2017, Figure 1): on a grid of weight scales `s_w^2` (columns) and bias variances `s_b^2`
/// (rows), the phase and the correlation depth scale
///
///     xi_c = -1 / ln(s_w^2 E[phi'(u1) phi'(u2)])   at c*,
///
/// which is `-1 / ln chi_1` in the ordered phase (`c* = 1`, cheap: one fixed point `q*`) and needs
/// the correlation fixed point `c* < 1` in the chaotic phase (about twenty two-dimensional
/// quadratures); plus the edge of chaos `chi_1 = 1` at `criticalPoints` bias variances. `xi_c` is
/// infinite on the edge and a network of depth `L` trains only where `L <= 6 xi_c` (about), a band
/// around the edge that widens as `L` shrinks.
///
/// Grid points are equally spaced and include both ends of each range; `cells[row][column]` is
/// the point `(weightScales[column], biasVariances[row])`.
public struct MeanFieldPhaseDiagram: Codable, Sendable, Equatable {
    /// One grid point.
    public struct Cell: Codable, Sendable, Equatable {
        /// nil where `q*` diverges (the length map has no fixed point: ReLU or linear layers past
        /// `s_w^2 = 2` or `1`).
        public var phase: MeanFieldPhase?
        /// `chi_1` at `q*`; nil where `q*` diverges.
        public var chi1: Double?
        /// `xi_c`; nil where it is infinite (on the edge of chaos) or undefined (`q*` or `c*`
        /// not found).
        public var correlationDepthScale: Double?

        public init(phase: MeanFieldPhase?, chi1: Double?, correlationDepthScale: Double?) {
            self.phase = phase
            self.chi1 = chi1
            self.correlationDepthScale = correlationDepthScale
        }
    }

    /// One point of the edge of chaos.
    public struct CriticalPoint: Codable, Sendable, Equatable {
        /// `s_b^2`.
        public var biasVariance: Double
        /// The `s_w^2` where `chi_1 = 1` (`MeanFieldTheory.criticalWeightScale`); nil where there
        /// is none in `0.01...100` (ReLU with a bias: `q*` diverges first).
        public var weightScale: Double?

        public init(biasVariance: Double, weightScale: Double?) {
            self.biasVariance = biasVariance
            self.weightScale = weightScale
        }
    }

    /// `s_w^2` of the grid's columns, ascending.
    public var weightScales: [Double]
    /// `s_b^2` of the grid's rows, ascending.
    public var biasVariances: [Double]
    /// `cells[row][column]`.
    public var cells: [[Cell]]
    /// The edge of chaos, by ascending `s_b^2` over the bias range.
    public var criticalLine: [CriticalPoint]

    /// The largest grid and critical-line sizes `phaseDiagram` accepts.
    public static let maximumGridPoints = 400, maximumCriticalPoints = 1_000
}

extension MeanFieldTheory {
    /// The phase diagram over `weightScales x biasVariances` (see `MeanFieldPhaseDiagram`) on a
    /// grid of `columns x rows` points, with the edge of chaos at `criticalPoints` bias variances
    /// (bisection to `criticalTolerance`, relative). Grid points are computed on up to `threads`
    /// threads of VarianceKit's runtime (default `ThreadPolicy.threadCount`); the result does not
    /// depend on the count.
    ///
    /// Cost: one `q*` per grid point and per bisection step of the edge, and in the chaotic phase
    /// one `c*`, which dominates (tanh, 40 x 30 points: about half are chaotic).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` unless `0 < weightScales.lowerBound <
    ///   weightScales.upperBound`, `0 <= biasVariances.lowerBound < biasVariances.upperBound` (all
    ///   finite), `columns` and `rows` are in `2...400`, `criticalPoints` in `2...1000`,
    ///   `threads` in `1...256` and `criticalTolerance` in `1e-14...1e-2`.
    public func phaseDiagram(
        weightScales: ClosedRange<Double>, biasVariances: ClosedRange<Double>, columns: Int, rows: Int,
        criticalPoints: Int, criticalTolerance: Double = 1e-8, threads: Int? = nil
    ) throws -> MeanFieldPhaseDiagram {
        try VarianceKitError.requirePositiveFinite(weightScales.lowerBound, "weightScales.lowerBound")
        try VarianceKitError.requirePositiveFinite(weightScales.upperBound, "weightScales.upperBound")
        try VarianceKitError.requireNonNegativeFinite(biasVariances.lowerBound, "biasVariances.lowerBound")
        try VarianceKitError.requireNonNegativeFinite(biasVariances.upperBound, "biasVariances.upperBound")
        for (name, range) in [("weightScales", weightScales), ("biasVariances", biasVariances)] where !(range.upperBound > range.lowerBound) {
            throw VarianceKitError.invalidParameter(name: name, value: "\(range)", expected: "a range whose upper bound exceeds its lower bound")
        }
        let gridLimit = MeanFieldPhaseDiagram.maximumGridPoints
        for (name, count) in [("columns", columns), ("rows", rows)] where !(2...gridLimit).contains(count) {
            throw VarianceKitError.invalidParameter(name: name, value: "\(count)", expected: "an integer in 2...\(gridLimit)")
        }
        guard (2...MeanFieldPhaseDiagram.maximumCriticalPoints).contains(criticalPoints) else {
            throw VarianceKitError.invalidParameter(
                name: "criticalPoints", value: "\(criticalPoints)", expected: "an integer in 2...\(MeanFieldPhaseDiagram.maximumCriticalPoints)")
        }
        guard criticalTolerance >= 1e-14, criticalTolerance <= 1e-2 else {
            throw VarianceKitError.invalidParameter(
                name: "criticalTolerance", value: "\(criticalTolerance)", expected: "a relative tolerance in 1e-14...1e-2")
        }
        let workers = threads ?? ThreadPolicy.threadCount
        guard (1...ParallelRuntime.maximumWorkers).contains(workers) else {
            throw VarianceKitError.invalidParameter(name: "threads", value: "\(workers)", expected: "an integer in 1...\(ParallelRuntime.maximumWorkers)")
        }

        func equallySpaced(_ range: ClosedRange<Double>, _ count: Int) -> [Double] {
            (0..<count).map { i in
                i == count - 1 ? range.upperBound
                    : range.lowerBound + (range.upperBound - range.lowerBound) * Double(i) / Double(count - 1)
            }
        }
        let weightGrid = equallySpaced(weightScales, columns)
        let biasGrid = equallySpaced(biasVariances, rows)
        let lineBiases = equallySpaced(biasVariances, criticalPoints)

        // Grid points and edge points are independent tasks: interleave them over the workers so
        // that the expensive chaotic points spread evenly.
        var cells = [MeanFieldPhaseDiagram.Cell](repeating: .init(phase: nil, chi1: nil, correlationDepthScale: nil), count: columns * rows)
        var line = [Double?](repeating: nil, count: criticalPoints)
        cells.withUnsafeMutableBufferPointer { cellBuffer in
            line.withUnsafeMutableBufferPointer { lineBuffer in
                let job = PhaseDiagramJob(
                    theory: self, weightGrid: weightGrid, biasGrid: biasGrid, lineBiases: lineBiases,
                    criticalTolerance: criticalTolerance, cells: cellBuffer, line: lineBuffer)
                ParallelRuntime.shared.run(workers: min(workers, cellBuffer.count + lineBuffer.count), job)
            }
        }
        return MeanFieldPhaseDiagram(
            weightScales: weightGrid, biasVariances: biasGrid,
            cells: (0..<rows).map { row in Array(cells[(row * columns)..<((row + 1) * columns)]) },
            criticalLine: zip(lineBiases, line).map { .init(biasVariance: $0, weightScale: $1) })
    }

    /// `phaseDiagram`'s cell at `(s_w^2, s_b^2)`: the phase, `chi_1` and `xi_c` of `analysis`.
    func phaseDiagramCell(weightScale: Double, biasVariance: Double) -> MeanFieldPhaseDiagram.Cell {
        guard let analysis = try? analysis(weightScale: weightScale, biasVariance: biasVariance) else {
            return .init(phase: nil, chi1: nil, correlationDepthScale: nil)
        }
        let scale = analysis.correlationDepthScale.flatMap { $0.isFinite ? $0 : nil }
        return .init(phase: analysis.phase, chi1: analysis.chi1, correlationDepthScale: scale)
    }
}

/// `phaseDiagram`'s tasks, task `t` on worker `t % workers`: the grid points in row-major order,
/// then the edge of chaos. Each task writes only its own element.
struct PhaseDiagramJob: ParallelJob {
    let theory: MeanFieldTheory
    let weightGrid: [Double]
    let biasGrid: [Double]
    let lineBiases: [Double]
    let criticalTolerance: Double
    let cells: UnsafeMutableBufferPointer<MeanFieldPhaseDiagram.Cell>
    let line: UnsafeMutableBufferPointer<Double?>

    static var leavesCallerProcessor: Bool { false }

    static let entry: ParallelJobEntry = { pointer, worker, workers in
        let job = pointer.assumingMemoryBound(to: PhaseDiagramJob.self).pointee
        let columns = job.weightGrid.count
        for task in stride(from: worker, to: job.cells.count + job.line.count, by: workers) {
            if task < job.cells.count {
                job.cells[task] = job.theory.phaseDiagramCell(
                    weightScale: job.weightGrid[task % columns], biasVariance: job.biasGrid[task / columns])
            } else {
                let index = task - job.cells.count
                job.line[index] = try? job.theory.criticalWeightScale(
                    biasVariance: job.lineBiases[index], relativeTolerance: job.criticalTolerance)
            }
        }
    }
}
