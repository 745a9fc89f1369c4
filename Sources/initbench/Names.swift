import ArgumentParser

/// A command-line name with its list of accepted spellings; comma-separated lists of them parse
/// with a message that lists every accepted value.
protocol CommandLineName: RawRepresentable, CaseIterable, Hashable, Sendable where RawValue == String {
    /// What the list is a list of, for messages ("initializer", "activation").
    static var kind: String { get }
    /// Other spellings accepted on input (e.g. `identity` for `linear`).
    static var aliases: [String: Self] { get }
}

extension CommandLineName {
    static var aliases: [String: Self] { [:] }

    static var acceptedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Parses one name, case-insensitively, `_` accepted for `-`.
    static func named(_ text: String) throws -> Self {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
        if let value = Self(rawValue: key) ?? aliases[key] { return value }
        throw ValidationError("unknown \(kind) '\(text)'; accepted values: \(acceptedValues)")
    }

    /// Parses a comma-separated list, keeping order and dropping repeats; `all` means every case.
    static func list(_ text: String, option: String) throws -> [Self] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1, parts[0].lowercased() == "all" { return Array(allCases) }
        guard !parts.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw ValidationError("invalid \(option) '\(text)': expected a comma-separated list of \(kind) names (\(acceptedValues))")
        }
        var result = [Self]()
        for part in parts {
            let value = try named(part)
            if !result.contains(value) { result.append(value) }
        }
        return result
    }
}

import Foundation

/// The initialization schemes `initbench` can compare, by their command-line names.
enum InitializerName: String, CommandLineName {
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

    static let kind = "initializer"
    static var aliases: [String: InitializerName] {
        ["xavier": .xavierUniform, "glorot": .xavierUniform, "glorot-uniform": .xavierUniform,
         "glorot-normal": .xavierNormal, "he": .heNormal, "kaiming": .heNormal,
         "kaiming-normal": .heNormal, "kaiming-uniform": .heUniform, "lecun": .lecunNormal]
    }

    /// Whether `--gain` changes this scheme (`Var(W)` proportional to `gain^2`).
    var acceptsGain: Bool {
        switch self {
        case .xavierUniform, .xavierNormal, .heUniform, .heNormal, .heUniformFanOut, .heNormalFanOut,
             .orthogonal, .identity:
            return true
        default:
            return false
        }
    }
}

/// The activations `initbench` can put between layers, by their command-line names.
enum ActivationName: String, CommandLineName {
    case linear, tanh, sigmoid, relu
    case leakyReLU = "leaky-relu"
    case softsign, selu, elu, gelu, silu

    static let kind = "activation"
    static var aliases: [String: ActivationName] {
        ["identity": .linear, "none": .linear, "swish": .silu, "leakyrelu": .leakyReLU, "lrelu": .leakyReLU]
    }

    /// Negative-side slope used for `leaky-relu`, and `alpha` for `elu`.
    static let leakySlope = 0.01
    static let eluAlpha = 1.0
}

/// The loss whose gradient is back-propagated: `readout` (a fixed random linear readout, so the
/// top gradient is independent of the forward pass) or `quadratic` (`0.5 * sum A^2 / batch`).
enum LossName: String, CommandLineName, ExpressibleByArgument {
    case readout, quadratic

    static let kind = "loss"
}
