import Foundation

/// The initialization schemes by the names people type, each with its conventional defaults:
/// what `initbench --init` accepts and what an experiment records.
///
/// `scheme(gain:)` gives the `Initializer`: `standard`, Xavier (`gain` 1), He (`gain` `sqrt(2)`,
/// fan-in or fan-out), LeCun, `orthogonal` (the layer activation's gain, `Activation.gain`),
/// `identity` (`gain` 1), `truncated-normal` (`varianceScaling(scale: 1, .fanIn,
/// .truncatedNormal)`: the normal truncated at 2 standard deviations, rescaled so that
/// `Var(W) = 1/fanIn`), and the fixed-scale baselines `normal` = `N(0, 0.01^2)` and
/// `uniform` = `U[-0.05, 0.05]`. A given `gain` (a number, or `.fixedPoint`, `.critical`,
/// `.ofActivation`) replaces the default of the schemes that take one.
///
/// Aliases follow PyTorch's and Keras' names: `glorot-uniform`/`xavier`/`glorot` for
/// `xavier-uniform`, `glorot-normal` for `xavier-normal`, `kaiming-normal`/`kaiming`/`he` for
/// `he-normal`, `kaiming-uniform` for `he-uniform`, `lecun` for `lecun-normal`.
public enum InitializerName: String, CaseIterable, Codable, Sendable {
    case standard
    case xavierUniform = "xavier-uniform"
    case xavierNormal = "xavier-normal"
    case heUniform = "he-uniform"
    case heNormal = "he-normal"
    case heUniformFanOut = "he-uniform-fan-out"
    case heNormalFanOut = "he-normal-fan-out"
    case lecunUniform = "lecun-uniform"
    case lecunNormal = "lecun-normal"
    case orthogonal
    case identity
    case truncatedNormal = "truncated-normal"
    case normal
    case uniform
    /// Layer-sequential unit variance (Mishkin & Matas 2016): orthogonal weights with gain 1, then
    /// each layer's `W` rescaled on a data batch until its output variance is 1
    /// (`Network.initializeLSUV`); `scheme(gain:)` is the orthogonal start.
    case lsuv

    /// Other spellings `named(_:)` accepts.
    public static let aliases: [String: InitializerName] = [
        "xavier": .xavierUniform, "glorot": .xavierUniform, "glorot-uniform": .xavierUniform,
        "glorot-normal": .xavierNormal, "he": .heNormal, "kaiming": .heNormal,
        "kaiming-normal": .heNormal, "kaiming-uniform": .heUniform, "lecun": .lecunNormal,
    ]

    /// The canonical names, comma-separated.
    public static var acceptedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The scheme called `name` (canonical or alias, case-insensitive, `_` read as `-`).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` listing the accepted names.
    public static func named(_ name: String) throws -> InitializerName {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
        guard let found = InitializerName(rawValue: key) ?? aliases[key] else {
            throw VarianceKitError.invalidParameter(
                name: "initializer", value: "\"\(name)\"",
                expected: "one of \(acceptedNames) (aliases: \(aliases.keys.sorted().joined(separator: ", ")))")
        }
        return found
    }

    /// Whether a gain changes this scheme (`Var(W)` proportional to `gain^2`).
    public var acceptsGain: Bool { !isDataDependent && scheme(gain: nil).gain != nil }

    /// Whether the weights depend on data beyond the scheme (`lsuv`).
    public var isDataDependent: Bool { self == .lsuv }

    /// The scheme, with `gain` (a number or a rule such as `.critical`) replacing the default of
    /// the schemes that take one.
    public func scheme(gain: Gain?) -> Initializer {
        let explicit = gain
        let root2 = Gain.value(Activation.relu.gain)
        switch self {
        case .standard: return .standard
        case .xavierUniform: return .xavierUniform(gain: explicit ?? 1)
        case .xavierNormal: return .xavierNormal(gain: explicit ?? 1)
        case .heUniform: return .heUniform(mode: .fanIn, gain: explicit ?? root2)
        case .heNormal: return .heNormal(mode: .fanIn, gain: explicit ?? root2)
        case .heUniformFanOut: return .heUniform(mode: .fanOut, gain: explicit ?? root2)
        case .heNormalFanOut: return .heNormal(mode: .fanOut, gain: explicit ?? root2)
        case .lecunUniform: return .lecunUniform
        case .lecunNormal: return .lecunNormal
        case .orthogonal: return .orthogonal(gain: explicit ?? .ofActivation)
        case .identity: return .identity(gain: explicit ?? 1)
        case .truncatedNormal: return .varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal)
        case .normal: return .normal(mean: 0, standardDeviation: 0.01)
        case .uniform: return .uniform(low: -0.05, high: 0.05)
        case .lsuv: return .orthogonal(gain: 1)
        }
    }
}
