extension TrainingPreset {
    /// The paper's Table 1 test errors (Glorot & Bengio 2010, Shapeset-3x2, full scale).
    static let glorotTable: [(Activation, InitializerName, Double)] = [
        (.tanh, .standard, 0.2715), (.tanh, .xavierUniform, 0.1560), (.softsign, .standard, 0.1627), (.softsign, .xavierUniform, 0.1606),
    ]

    /// The SGD learning rate of each `glorot` setting: for each activation and initialization, the
    /// rate of {0.03, 0.1, 0.3, 1} with the lowest validation error after the full preset's
    /// 3,000 steps on seed 1, as the paper tuned the rate per setting (Benchmarks/RESULTS.md
    /// holds the search).
    public static let glorotLearningRates: [(Activation, InitializerName, Float)] = [
        (.tanh, .standard, 0.03), (.tanh, .xavierUniform, 0.1), (.softsign, .standard, 0.3), (.softsign, .xavierUniform, 0.3),
    ]

    /// The `glorot` preset's verdict from the four test errors.
    ///
    /// - `learned`: the normalized tanh network's error is below guessing (`8/9`) by at least 0.1.
    /// - `tanhOrdered`: with tanh, standard minus normalized is at least `orderingMargin` (5
    ///   percentage points; the standard error of a difference of two errors near 75% on the
    ///   full preset's 3,000 test images is about 1.1 points).
    /// - `softsignClose`: with softsign, `|standard - normalized| <= softsignTolerance` (5
    ///   percentage points), the paper's "about equal" at this scale.
    ///
    /// `shown` needs all three.
    public struct GlorotVerdict: Sendable, Hashable {
        /// The smallest tanh difference (standard minus normalized) that counts as an ordering.
        public static let orderingMargin = 0.05
        /// The largest softsign difference that counts as about equal.
        public static let softsignTolerance = 0.05
        /// How far below the error of guessing (8/9) the normalized tanh network must end.
        public static let learningMargin = 0.1

        /// Standard minus normalized test error with tanh.
        public var tanhDifference: Double
        /// Standard minus normalized test error with softsign.
        public var softsignDifference: Double
        /// The normalized tanh network learned beyond guessing.
        public var learned: Bool
        /// Tanh: normalized ends lower than standard by at least the margin.
        public var tanhOrdered: Bool
        /// Softsign: the two end within the tolerance.
        public var softsignClose: Bool
        /// All three.
        public var shown: Bool { learned && tanhOrdered && softsignClose }

        /// The verdict on these test errors (fractions in [0, 1]).
        public init(tanhStandard: Double, tanhNormalized: Double, softsignStandard: Double, softsignNormalized: Double) {
            tanhDifference = tanhStandard - tanhNormalized
            softsignDifference = softsignStandard - softsignNormalized
            learned = tanhNormalized <= 8.0 / 9 - Self.learningMargin
            tanhOrdered = tanhDifference >= Self.orderingMargin
            softsignClose = abs(softsignDifference) <= Self.softsignTolerance
        }
    }

    /// The `glorot` preset's learning rate for `activation` and `initializer`.
    static func glorotLearningRate(_ activation: Activation, _ initializer: InitializerName) -> Float {
        glorotLearningRates.first { $0.0 == activation && $0.1 == initializer }!.2
    }
}
