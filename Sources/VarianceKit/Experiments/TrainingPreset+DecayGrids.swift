extension TrainingPreset {
    /// One of the `decay` preset's learning rate x regularization grids (rows: Adam's learning
    /// rate `α`; columns: the coefficient), read by final validation loss.
    ///
    /// | grid | update of a weight `w` with loss gradient `g` | coefficient |
    /// |---|---|---|
    /// | `adamL2` | Adam on `g + λ w` | L2 `λ` |
    /// | `adamWScheduleScaled` | `w ← (1 - d) w -` Adam step on `g` (Loshchilov & Hutter's AdamW with a constant schedule: `d = η_t λ`, `η_t = 1`, not scaled by `α`) | `d` |
    /// | `adamWLearningRateScaled` | `w ← (1 - α wd) w -` Adam step on `g` (PyTorch's `AdamW(lr=α, weight_decay=wd)`) | `wd` |
    public enum DecayGrid: String, CaseIterable, Sendable, Codable {
        /// Adam with a coupled L2 penalty.
        case adamL2
        /// AdamW, the decay per step not scaled by the learning rate (the paper's convention).
        case adamWScheduleScaled
        /// AdamW, the decay per step the learning rate times the coefficient (PyTorch's convention).
        case adamWLearningRateScaled

        /// The grid's title in the outcome.
        public var title: String {
            switch self {
            case .adamL2: "Adam+L2: final validation loss"
            case .adamWScheduleScaled: "AdamW, decay d per step not scaled by the learning rate (Loshchilov & Hutter): final validation loss"
            case .adamWLearningRateScaled: "AdamW, decay lr*wd per step (PyTorch): final validation loss"
            }
        }

        /// The column setting's name.
        public var columnName: String {
            switch self {
            case .adamL2: "L2 lambda"
            case .adamWScheduleScaled: "decay d"
            case .adamWLearningRateScaled: "weight_decay wd"
            }
        }

        /// The coefficients of the columns, half a decade apart; `reduced` keeps every third.
        public func columns(reduced: Bool) -> [Float] {
            let all: [Float] = switch self {
            case .adamL2: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1]
            case .adamWScheduleScaled: [0.00001, 0.00003, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]
            case .adamWLearningRateScaled: [0.1, 0.3, 1, 3, 10, 30, 100]
            }
            return reduced ? stride(from: 0, to: all.count, by: 3).map { all[$0] } : all
        }

        /// The learning rates of the rows, half a decade apart; `reduced` keeps every other.
        public static func learningRates(reduced: Bool) -> [Float] {
            reduced ? [0.0001, 0.001, 0.01] : [0.0001, 0.0003, 0.001, 0.003, 0.01]
        }

        /// The optimizer of the cell at `learningRate` and `coefficient`.
        ///
        /// - Throws: `VarianceKitError.invalidParameter` for a setting out of range.
        public func optimizer(learningRate: Float, coefficient: Float) throws -> OptimizerSettings {
            switch self {
            case .adamL2:
                try OptimizerSettings(algorithm: .adam, learningRate: learningRate, penalty: PenaltySettings(l2: coefficient))
            case .adamWScheduleScaled:
                try OptimizerSettings(algorithm: .adamw, learningRate: learningRate, weightDecay: coefficient, decayConvention: .scheduleScaled)
            case .adamWLearningRateScaled:
                try OptimizerSettings(algorithm: .adamw, learningRate: learningRate, weightDecay: coefficient, decayConvention: .learningRateScaled)
            }
        }

        /// The coefficient of `settings` when they belong to this grid.
        func coefficient(of settings: OptimizerSettings) -> Float? {
            switch self {
            case .adamL2:
                settings.algorithm == .adam && settings.weightDecay == 0 && settings.penalty.l1 == 0 && settings.penalty.l2 > 0
                    ? settings.penalty.l2 : nil
            case .adamWScheduleScaled:
                settings.algorithm == .adamw && settings.decayConvention == .scheduleScaled && settings.penalty.isNone
                    ? settings.weightDecay : nil
            case .adamWLearningRateScaled:
                settings.algorithm == .adamw && settings.decayConvention == .learningRateScaled && settings.penalty.isNone
                    ? settings.weightDecay : nil
            }
        }

        /// The grid of final validation losses of the runs that belong to it (rows and columns
        /// the learning rates and coefficients found among them, ascending); nil when none does.
        func grid(of runs: [TrainingRun]) -> SettingsGrid? {
            var cells: [Float: [Float: Double?]] = [:]
            for run in runs {
                guard let coefficient = coefficient(of: run.configuration.optimizer) else { continue }
                let loss = run.record.finalValidation?.loss
                cells[run.configuration.optimizer.learningRate, default: [:]][coefficient] = loss.flatMap { $0.isFinite ? $0 : nil }
            }
            guard !cells.isEmpty else { return nil }
            let rows = cells.keys.sorted(), columns = Set(cells.values.flatMap(\.keys)).sorted()
            return SettingsGrid(title: title, rowName: "learning rate", columnName: columnName,
                                rows: rows.map(Double.init), columns: columns.map(Double.init),
                                values: rows.map { rate in columns.map { cells[rate]?[$0] ?? nil } })
        }
    }

    /// The smallest basin tilt, in decades of the coefficient per decade of the learning rate,
    /// that the `decay` preset reads as a diagonal (`BasinTilt`).
    public static let diagonalTilt = 0.5
    /// The largest basin tilt that it reads as separable.
    public static let separableTilt = 0.25

    /// `diagonal`, `separable` or `in between` for a basin tilt (`diagonalTilt`, `separableTilt`).
    static func basinShape(_ slope: Double?) -> String {
        guard let slope else { return "unreadable" }
        return abs(slope) >= diagonalTilt ? "diagonal" : abs(slope) <= separableTilt ? "separable" : "in between"
    }
}
