import Foundation
import VarianceKit

/// Short numbers for people: three significant digits, scientific outside [1e-3, 1e4).
enum NumberFormat {
    static func short(_ value: Double?, missing: String = "inf/nan") -> String {
        guard let value else { return missing }
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e-3, magnitude < 1e4 { return String(format: "%.3g", value) }
        return String(format: "%.2e", value)
    }

    /// A ratio such as `1e-09x` or `3.2x`.
    static func ratio(_ value: Double) -> String {
        if value >= 0.01, value < 100 { return String(format: "%.2gx", value) }
        return String(format: "%.1ex", value).replacingOccurrences(of: ".0e", with: "e")
    }

    static func percent(_ fraction: Double) -> String {
        String(format: "%.0f%%", fraction * 100)
    }
}

enum Verdict {
    /// One line saying what happened to `run`'s signal, e.g. "activation variance shrinks 3e-10x
    /// from layer 1 to layer 20; gradient variance shrinks 1e-09x from layer 20 to layer 1", or,
    /// where a variance reaches 0 or drops below Float's smallest normal number on the way,
    /// "activation variance underflows to 0 by layer 12" (a ratio to 0 says nothing).
    static func sentence(for run: PropagationRun) -> String {
        let (layers, divergedAtLayer) = (run.layers, run.divergedAtLayer)
        if let k = divergedAtLayer {
            return "diverged at layer \(k): inf/NaN from layer \(k) on"
        }
        guard let first = layers.first, let last = layers.last else { return "no layers" }
        var parts = [String]()
        if let top = last.activationVariance, let bottom = first.activationVariance, bottom > 0 {
            if let (layer, variance) = firstUnderflow(layers.map { ($0.index, $0.activationVariance) }) {
                parts.append("activation variance \(underflow(variance)) by layer \(layer)")
            } else {
                parts.append("activation variance \(change(top / bottom)) from layer 1 to layer \(last.index)")
            }
        }
        if let top = last.gradientVariance, let bottom = first.gradientVariance, top > 0 {
            if let (layer, variance) = firstUnderflow(layers.reversed().map { ($0.index, $0.gradientVariance) }) {
                parts.append("gradient variance \(underflow(variance)) by layer \(layer)")
            } else {
                parts.append("gradient variance \(change(bottom / top)) from layer \(last.index) to layer 1")
            }
        }
        if let worst = layers.max(by: { $0.deadFraction < $1.deadFraction }), worst.deadFraction >= 0.6 {
            parts.append("\(NumberFormat.percent(worst.deadFraction)) dead at layer \(worst.index)")
        }
        if let worst = layers.max(by: { $0.saturatedFraction < $1.saturatedFraction }), worst.saturatedFraction >= 0.05 {
            parts.append("\(NumberFormat.percent(worst.saturatedFraction)) saturated at layer \(worst.index)")
        }
        return parts.isEmpty ? "no variance to compare" : parts.joined(separator: "; ")
    }

    /// Variances below this have left Float's normal range (`Float.leastNormalMagnitude`,
    /// 1.18e-38): the values they describe are about 1e-19 or smaller and losing bits.
    static let underflowThreshold = Double(Float.leastNormalMagnitude)

    /// The first `(layer, variance)`, in the order given (the direction the signal travels), whose
    /// variance is 0 or below `underflowThreshold`.
    private static func firstUnderflow(_ variances: [(Int, Double?)]) -> (Int, Double)? {
        for (layer, variance) in variances {
            if let variance, variance < underflowThreshold { return (layer, variance) }
        }
        return nil
    }

    private static func underflow(_ variance: Double) -> String {
        variance == 0 ? "underflows to 0" : "underflows below Float's smallest normal (\(NumberFormat.short(variance)) < 1.18e-38)"
    }

    private static func change(_ ratio: Double) -> String {
        if ratio >= 0.5, ratio <= 2 { return "stays within 2x (\(NumberFormat.ratio(ratio)))" }
        return ratio < 1 ? "shrinks \(NumberFormat.ratio(ratio))" : "grows \(NumberFormat.ratio(ratio))"
    }
}
