extension Activation {
    /// Which activation values a probe counts as saturated (or, for ReLU, dead).
    public enum SaturationRule: Sendable, Hashable {
        /// `|a| > threshold` counts as saturated.
        case magnitudeAbove(Float)
        /// `a < low` or `a > high` counts as saturated.
        case outside(low: Float, high: Float)
        /// `a == 0` counts as a dead unit.
        case exactlyZero
    }

    /// The rule the probes apply to this activation's outputs: `tanh` `|a| > 0.99`, `sigmoid`
    /// `a < 0.01` or `a > 0.99`, `softsign` `|a| > 0.9` (saturated); `relu` `a = 0` (dead);
    /// nil for the others.
    public var saturation: SaturationRule? {
        switch self {
        case .tanh: return .magnitudeAbove(0.99)
        case .sigmoid: return .outside(low: 0.01, high: 0.99)
        case .softsign: return .magnitudeAbove(0.9)
        case .relu: return .exactlyZero
        default: return nil
        }
    }

    /// Whether the probes report a saturated fraction for this activation.
    public var hasSaturation: Bool {
        switch saturation {
        case .magnitudeAbove, .outside: return true
        case .exactlyZero, nil: return false
        }
    }

    /// Whether the probes report a dead fraction (units whose activation is exactly 0).
    public var hasDeadUnits: Bool { saturation == .exactlyZero }
}
