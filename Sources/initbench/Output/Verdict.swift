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
    /// from layer 1 to layer 20; gradient variance shrinks 1e-09x from layer 20 to layer 1".
    static func sentence(for run: PropagationRun) -> String {
        let (layers, divergedAtLayer) = (run.layers, run.divergedAtLayer)
        if let k = divergedAtLayer {
            return "diverged at layer \(k): inf/NaN from layer \(k) on"
        }
        guard let first = layers.first, let last = layers.last else { return "no layers" }
        var parts = [String]()
        if let top = last.activationVariance, let bottom = first.activationVariance, bottom > 0 {
            parts.append("activation variance \(change(top / bottom)) from layer 1 to layer \(last.index)")
        }
        if let top = last.gradientVariance, let bottom = first.gradientVariance, top > 0 {
            parts.append("gradient variance \(change(bottom / top)) from layer \(last.index) to layer 1")
        }
        if let worst = layers.max(by: { $0.deadFraction < $1.deadFraction }), worst.deadFraction >= 0.6 {
            parts.append("\(NumberFormat.percent(worst.deadFraction)) dead at layer \(worst.index)")
        }
        if let worst = layers.max(by: { $0.saturatedFraction < $1.saturatedFraction }), worst.saturatedFraction >= 0.05 {
            parts.append("\(NumberFormat.percent(worst.saturatedFraction)) saturated at layer \(worst.index)")
        }
        return parts.isEmpty ? "no variance to compare" : parts.joined(separator: "; ")
    }

    private static func change(_ ratio: Double) -> String {
        if ratio >= 0.5, ratio <= 2 { return "stays within 2x (\(NumberFormat.ratio(ratio)))" }
        return ratio < 1 ? "shrinks \(NumberFormat.ratio(ratio))" : "grows \(NumberFormat.ratio(ratio))"
    }
}
