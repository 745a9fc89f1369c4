import Foundation

/// Statistics of the singular values `σ` of several Jacobians pooled together (each sample
/// contributes the same number of values), computed in Double. Every value that is not finite is
/// nil and encodes as JSON `null`.
///
/// The moments of the squared singular values `λ = σ²` are the normalized moments of the spectrum
/// of `J Jᵀ`: `m_k = E[λ^k] = (1/n) tr((J Jᵀ)^k)` averaged over the samples, `n = min(rows, columns)`.
/// Mean-field theory predicts `m_1`; free probability predicts the whole spectrum
/// (`SpectrumPrediction`).
public struct SingularValueSummary: Codable, Sendable, Equatable {
    /// Singular values pooled (samples x `min(rows, columns)`).
    public var count: Int
    /// Of them, exactly zero.
    public var zeros: Int
    /// `m_1 = E[σ²]`.
    public var meanSquaredSingularValue: Double?
    /// `E[λ^k]` for `k = 1, 2, 3`, `λ = σ²`.
    public var squaredSingularValueMoments: [Double?]
    /// `Var(σ²) = m_2 - m_1²` (population).
    public var squaredSingularValueVariance: Double?
    /// `E[σ]` and the population standard deviation of `σ`.
    public var meanSingularValue: Double?
    public var singularValueStandardDeviation: Double?
    /// The population standard deviation of `ln σ` over the nonzero singular values: the spread
    /// on a log axis (0 for an isometry up to scale).
    public var logSingularValueStandardDeviation: Double?
    public var minimum: Double?
    public var maximum: Double?
    /// `σ_max / σ_min` of each sample's Jacobian (nil: infinite, a zero singular value).
    public var conditionNumbers: [Double?]
    /// The largest of `conditionNumbers` (nil when any is infinite).
    public var conditionNumber: Double?

    /// Summarizes `singularValues`, one array per sample; nil when there are none.
    public init?(singularValues: [[Float]]) {
        let values = singularValues.flatMap { $0.map(Double.init) }
        guard !values.isEmpty else { return nil }
        func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
        let n = Double(values.count)
        count = values.count
        zeros = values.count { $0 == 0 }
        var sums = [0.0, 0.0, 0.0]
        var sum = 0.0
        for sigma in values {
            let lambda = sigma * sigma
            sums[0] += lambda
            sums[1] += lambda * lambda
            sums[2] += lambda * lambda * lambda
            sum += sigma
        }
        let moments = sums.map { $0 / n }
        squaredSingularValueMoments = moments.map(finite)
        meanSquaredSingularValue = finite(moments[0])
        squaredSingularValueVariance = finite(Swift.max(moments[1] - moments[0] * moments[0], 0))
        let mean = sum / n
        meanSingularValue = finite(mean)
        singularValueStandardDeviation = finite((values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot())
        let logs = values.filter { $0 > 0 }.map { Foundation.log($0) }
        if logs.isEmpty {
            logSingularValueStandardDeviation = nil
        } else {
            let logMean = logs.reduce(0, +) / Double(logs.count)
            logSingularValueStandardDeviation = finite((logs.reduce(0) { $0 + ($1 - logMean) * ($1 - logMean) } / Double(logs.count)).squareRoot())
        }
        minimum = values.min().flatMap(finite)
        maximum = values.max().flatMap(finite)
        conditionNumbers = singularValues.map { sample in
            guard let largest = sample.max(), let smallest = sample.min(), smallest > 0 else { return nil }
            return finite(Double(largest) / Double(smallest))
        }
        conditionNumber = conditionNumbers.contains(where: { $0 == nil }) ? nil : conditionNumbers.compactMap { $0 }.max()
    }

    public func encode(to encoder: Encoder) throws {
        // Every key is written, nil as null.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(zeros, forKey: .zeros)
        try container.encode(meanSquaredSingularValue, forKey: .meanSquaredSingularValue)
        try container.encode(squaredSingularValueMoments, forKey: .squaredSingularValueMoments)
        try container.encode(squaredSingularValueVariance, forKey: .squaredSingularValueVariance)
        try container.encode(meanSingularValue, forKey: .meanSingularValue)
        try container.encode(singularValueStandardDeviation, forKey: .singularValueStandardDeviation)
        try container.encode(logSingularValueStandardDeviation, forKey: .logSingularValueStandardDeviation)
        try container.encode(minimum, forKey: .minimum)
        try container.encode(maximum, forKey: .maximum)
        try container.encode(conditionNumbers, forKey: .conditionNumbers)
        try container.encode(conditionNumber, forKey: .conditionNumber)
    }
}
