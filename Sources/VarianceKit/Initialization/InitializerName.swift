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
    /// Glorot & Bengio's "standard" `U[-1/sqrt(fanIn), 1/sqrt(fanIn)]`: `Var(W) = 1/(3 fanIn)`.
    case standard
    /// `U[-a, a]`, `a = g sqrt(6/(fanIn + fanOut))`: `Var(W) = 2 g^2/(fanIn + fanOut)`, `g` = 1.
    case xavierUniform = "xavier-uniform"
    /// `N(0, 2 g^2/(fanIn + fanOut))`, `g` = 1.
    case xavierNormal = "xavier-normal"
    /// `U[-a, a]`, `a = g sqrt(3/fanIn)`: `Var(W) = g^2/fanIn`, `g` = sqrt 2.
    case heUniform = "he-uniform"
    /// `N(0, g^2/fanIn)`, `g` = sqrt 2 (He et al. 2015).
    case heNormal = "he-normal"
    /// `U[-a, a]`, `a = g sqrt(3/fanOut)`: `Var(W) = g^2/fanOut` (keeps the backward variance).
    case heUniformFanOut = "he-uniform-fan-out"
    /// `N(0, g^2/fanOut)`, `g` = sqrt 2.
    case heNormalFanOut = "he-normal-fan-out"
    /// `U[-a, a]`, `a = sqrt(3/fanIn)`: `Var(W) = 1/fanIn`.
    case lecunUniform = "lecun-uniform"
    /// `N(0, 1/fanIn)` (LeCun et al. 1998; with SELU, Klambauer et al. 2017).
    case lecunNormal = "lecun-normal"
    /// `W = g Q` with `Q` Haar-orthogonal (Saxe et al. 2014): `Var(W) = g^2/max(fanIn, fanOut)`, `g` the activation's gain.
    case orthogonal
    /// `W[i, i] = g`, zero elsewhere, `g` = 1.
    case identity
    /// The normal truncated at 2 standard deviations, rescaled so that `Var(W) = 1/fanIn`.
    case truncatedNormal = "truncated-normal"
    /// The fixed-scale baseline `N(0, 0.01^2)`, whatever the fans.
    case normal
    /// The fixed-scale baseline `U[-0.05, 0.05]`: `Var(W) = 0.05^2/3`.
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
