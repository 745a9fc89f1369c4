/// The role of a random draw, and the Philox4x32-10 stream it draws from.
///
/// Every random draw VarianceKit makes (weights and biases per layer, experiment inputs, the
/// random readout, data shuffling, measurement buffers) names its role here, and `id` turns the
/// role into the 64-bit stream of the Philox counter. Draws with different roles under one seed
/// are therefore independent, and no two roles can share a stream by accident:
///
/// | role | stream |
/// |---|---|
/// | `weight(layer: l)` | `2 l` |
/// | `bias(layer: l)` | `2 l + 1` |
/// | `readout` | `0xFFFF_FFFF_0000_0000` |
/// | `input` | `0xFFFF_FFFF_0000_0001` |
/// | `shuffle` | `0xFFFF_FFFF_0000_0002` |
/// | `teacherInput` | `0xFFFF_FFFF_0000_0003` |
/// | `split` | `0xFFFF_FFFF_0000_0004` |
/// | `synthesis` | `0xFFFF_FFFF_0000_0005` |
/// | `measurement(k)` | `0xFFFF_FFFF_8000_0000 + k` |
///
/// Layer streams lie below `2^63` for every layer `l < maximumLayerIndex` (`2^62`), the fixed
/// roles at or above `0xFFFF_FFFF_0000_0000`, so the two ranges never meet.
public enum RandomStream: Hashable, Sendable, CustomStringConvertible {
    /// The weight `W` of layer `layer` (0-based).
    case weight(layer: Int)
    /// The bias `b` of layer `layer` (0-based).
    case bias(layer: Int)
    /// The readout matrix `R` of `Loss.randomReadout`.
    case readout
    /// The input batch of an experiment (`PropagationExperiment`, the regularization study's samples).
    case input
    /// The order in which a training run visits its samples.
    case shuffle
    /// The inputs a teacher network labels (synthetic datasets).
    case teacherInput
    /// The random assignment of a dataset's samples to training, validation and test splits.
    case split
    /// Every other draw of a synthetic dataset (mixture components, noise, Shapeset's shapes).
    case synthesis
    /// Buffers filled only to be timed (`KernelMeasurement`), `k` in `0 ..< 2^31`.
    case measurement(Int)

    /// Layers `0 ..< maximumLayerIndex` have streams of their own.
    public static let maximumLayerIndex = 1 << 62
    /// The first stream of the fixed roles.
    static let fixedBase: UInt64 = 0xFFFF_FFFF_0000_0000
    /// The first stream of `measurement(k)`.
    static let measurementBase: UInt64 = 0xFFFF_FFFF_8000_0000

    /// The Philox stream of this role (see the table in the type's documentation).
    ///
    /// A layer index outside `0 ..< maximumLayerIndex` or a measurement index outside
    /// `0 ..< 2^31` is a programming error (no network can have that many layers) and traps.
    public var id: UInt64 {
        switch self {
        case let .weight(layer):
            precondition(layer >= 0 && layer < Self.maximumLayerIndex, "RandomStream.weight: layer \(layer) out of range")
            return UInt64(2 * layer)
        case let .bias(layer):
            precondition(layer >= 0 && layer < Self.maximumLayerIndex, "RandomStream.bias: layer \(layer) out of range")
            return UInt64(2 * layer + 1)
        case .readout: return Self.fixedBase
        case .input: return Self.fixedBase + 1
        case .shuffle: return Self.fixedBase + 2
        case .teacherInput: return Self.fixedBase + 3
        case .split: return Self.fixedBase + 4
        case .synthesis: return Self.fixedBase + 5
        case let .measurement(index):
            precondition(index >= 0 && index < 1 << 31, "RandomStream.measurement: index \(index) out of range")
            return Self.measurementBase + UInt64(index)
        }
    }

    /// The role and its index in words.
    public var description: String {
        switch self {
        case let .weight(layer): "weight of layer \(layer + 1)"
        case let .bias(layer): "bias of layer \(layer + 1)"
        case .readout: "readout"
        case .input: "input"
        case .shuffle: "shuffle"
        case .teacherInput: "teacher input"
        case .split: "split"
        case .synthesis: "synthesis"
        case let .measurement(index): "measurement \(index)"
        }
    }
}
