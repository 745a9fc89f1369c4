import Foundation
import VarianceKit

/// Independent statistical references for the random-fill and initializer tests: moments in
/// Double, the exact CDFs through libm's `erfc`, truncated-normal moments by quadrature, and the
/// Kolmogorov-Smirnov statistic.
enum SampleStatistics {
    /// Mean and (population) variance in Double, two passes.
    static func moments(_ values: UnsafeBufferPointer<Float>) -> (mean: Double, variance: Double) {
        var sum = 0.0
        for v in values { sum += Double(v) }
        let mean = sum / Double(values.count)
        var squares = 0.0
        for v in values {
            let d = Double(v) - mean
            squares += d * d
        }
        return (mean, squares / Double(values.count))
    }

    /// Whether the sample mean and variance of `n` draws lie within `sigmas` standard errors of
    /// `mean` and `variance`: `SE(mean) = sqrt(variance/n)`, `SE(variance) = sqrt((mu4 - variance^2)/n)`
    /// with `mu4` the fourth central moment. Returns a message for the failure.
    static func momentsAgree(
        _ values: UnsafeBufferPointer<Float>, mean: Double, variance: Double, fourthCentralMoment: Double,
        sigmas: Double = 5
    ) -> (ok: Bool, message: String) {
        let n = Double(values.count)
        let sample = moments(values)
        let meanError = (variance / n).squareRoot()
        // Sample variance around the sample mean: the (n-1)/n bias is far below one standard error.
        let varianceError = max((fourthCentralMoment - variance * variance) / n, 0).squareRoot() + variance / n
        let meanOK = abs(sample.mean - mean) <= sigmas * meanError + 1e-12
        let varianceOK = abs(sample.variance - variance) <= sigmas * varianceError + 1e-12 * variance
        return (meanOK && varianceOK,
                "n = \(values.count): mean \(sample.mean) vs \(mean) (SE \(meanError)), variance \(sample.variance) vs \(variance) (SE \(varianceError))")
    }

    static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
    static func normalDensity(_ x: Double) -> Double { exp(-x * x / 2) / (2 * Double.pi).squareRoot() }

    /// Moments of the standard normal truncated to `[a, b]` by composite Simpson quadrature
    /// (4000 intervals): mean, variance, fourth central moment.
    static func truncatedNormalMoments(lower a: Double, upper b: Double) -> (mean: Double, variance: Double, fourth: Double) {
        let intervals = 4000
        let h = (b - a) / Double(intervals)
        func integrate(_ f: (Double) -> Double) -> Double {
            var total = f(a) + f(b)
            for i in 1..<intervals {
                total += (i % 2 == 1 ? 4 : 2) * f(a + Double(i) * h)
            }
            return total * h / 3
        }
        let mass = integrate(normalDensity)
        let mean = integrate { $0 * normalDensity($0) } / mass
        let variance = integrate { ($0 - mean) * ($0 - mean) * normalDensity($0) } / mass
        let fourth = integrate { pow($0 - mean, 4) * normalDensity($0) } / mass
        return (mean, variance, fourth)
    }

    /// The Kolmogorov-Smirnov distance between the sample and `cdf`. Up to 4096 values it is
    /// exact (sorted sample); above, the sample is mapped through `cdf` and counted in 8192
    /// equal bins, which gives the distance at the bin edges, a lower bound within 1/8192 of it.
    static func kolmogorovSmirnov(_ values: UnsafeBufferPointer<Float>, cdf: (Double) -> Double) -> Double {
        let n = values.count
        if n <= 4096 {
            let sorted = values.map { Double($0) }.sorted()
            var distance = 0.0
            for (i, x) in sorted.enumerated() {
                let f = cdf(x)
                distance = max(distance, abs(Double(i + 1) / Double(n) - f), abs(f - Double(i) / Double(n)))
            }
            return distance
        }
        let bins = 8192
        var counts = [Int](repeating: 0, count: bins)
        for v in values {
            let u = cdf(Double(v))
            counts[min(max(Int(u * Double(bins)), 0), bins - 1)] += 1
        }
        var cumulative = 0
        var distance = 0.0
        for k in 0..<bins {
            cumulative += counts[k]
            distance = max(distance, abs(Double(cumulative) / Double(n) - Double(k + 1) / Double(bins)))
        }
        return distance
    }

    /// The Kolmogorov-Smirnov critical value at level 0.001 (asymptotic, conservative for small n).
    static func kolmogorovSmirnovCritical(_ n: Int) -> Double { 1.95 / Double(n).squareRoot() }
}
