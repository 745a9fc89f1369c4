import Foundation

/// The standard normal distribution in `Double`: density, CDF, quantile and the moments of its
/// truncations. Used once per fill to set up constants, for the rare far-tail samples, and to
/// state the variance a truncated initializer yields.
public enum StandardNormal {
    /// `phi(x) = exp(-x^2/2) / sqrt(2 pi)`.
    public static func density(_ x: Double) -> Double {
        exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
    }

    /// `Phi(x) = erfc(-x/sqrt(2)) / 2`, accurate in relative terms in the lower tail.
    public static func cdf(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// `Phi^-1(p)` for `p` in `(0, 1)`: Newton's method on `ln Phi(x) = ln p` in the lower half
    /// (concave, so it converges monotonically from any start), by symmetry in the upper half.
    /// Relative accuracy about `1e-14` down to `p = 1e-300`.
    public static func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "StandardNormal.quantile: p = \(p) outside (0, 1)")
        return p <= 0.5 ? lowerQuantile(p) : -lowerQuantile(1 - p)
    }

    /// `Phi^-1(t)` for `t` in `(0, 0.5]`.
    static func lowerQuantile(_ t: Double) -> Double {
        if t == 0.5 { return 0 }
        // Start: tail asymptotics (Phi(x) ~ phi(x)/|x|) below 0.1, the linear term near the centre.
        let y = -2 * log(t)
        var x = t < 0.1
            ? -max(y - log(y) - log(2 * Double.pi), 0).squareRoot()
            : -(2 * Double.pi).squareRoot() * (0.5 - t)
        let logTarget = log(t)
        for _ in 0..<100 {
            let cdfValue = cdf(x)
            let step = (log(cdfValue) - logTarget) * cdfValue / density(x)
            x -= step
            if abs(step) <= 1e-15 * max(1, abs(x)) { break }
        }
        return x
    }

    /// `Phi(upper) - Phi(lower)`, computed on the side of zero that keeps its precision.
    public static func probability(between lower: Double, and upper: Double) -> Double {
        if lower >= 0 { return cdf(-lower) - cdf(-upper) }
        if upper <= 0 { return cdf(upper) - cdf(lower) }
        return 1 - cdf(lower) - cdf(-upper)
    }

    /// Mean and variance of the standard normal truncated to `[lower, upper]`:
    /// `mean = (phi(a) - phi(b))/Z`, `variance = 1 + (a phi(a) - b phi(b))/Z - mean^2`,
    /// `Z = Phi(b) - Phi(a)`.
    public static func truncatedMoments(lower: Double, upper: Double) -> (mean: Double, variance: Double) {
        let mass = probability(between: lower, and: upper)
        let densityLower = lower.isFinite ? density(lower) : 0
        let densityUpper = upper.isFinite ? density(upper) : 0
        let mean = (densityLower - densityUpper) / mass
        let lowerTerm = lower.isFinite ? lower * densityLower : 0
        let upperTerm = upper.isFinite ? upper * densityUpper : 0
        return (mean, 1 + (lowerTerm - upperTerm) / mass - mean * mean)
    }

    /// The CDF of the standard normal truncated to `[lower, upper]`.
    public static func truncatedCDF(_ x: Double, lower: Double, upper: Double) -> Double {
        if x <= lower { return 0 }
        if x >= upper { return 1 }
        return probability(between: lower, and: x) / probability(between: lower, and: upper)
    }
}
