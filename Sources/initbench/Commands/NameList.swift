import ArgumentParser
import VarianceKit

/// Comma-separated lists of library names on the command line (`--init`, `--activation`).
enum NameList {
    /// Parses `text`: names separated by commas, in order, repeats dropped; `all` alone means
    /// `all`. Each name goes through `named` (the library's parser, which accepts aliases).
    ///
    /// - Throws: `ValidationError` naming the option and the accepted values.
    static func parse<Value: Equatable>(
        _ text: String, option: String, kind: String, accepted: String, all: [Value],
        named: (String) throws -> Value
    ) throws -> [Value] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "all" { return all }
        guard !parts.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw ValidationError("invalid \(option) '\(text)': expected a comma-separated list of \(kind) names (\(accepted))")
        }
        var result = [Value]()
        for part in parts {
            let value: Value
            do {
                value = try named(part)
            } catch {
                throw ValidationError("invalid \(option): unknown \(kind) '\(part)'; accepted values: \(accepted)")
            }
            if !result.contains(value) { result.append(value) }
        }
        return result
    }

    static func initializers(_ text: String, option: String = "--init") throws -> [InitializerName] {
        try parse(text, option: option, kind: "initializer", accepted: InitializerName.acceptedNames,
                  all: InitializerName.allCases, named: InitializerName.named)
    }

    static func activations(_ text: String, option: String = "--activation") throws -> [Activation] {
        try parse(text, option: option, kind: "activation", accepted: Activation.acceptedNames,
                  all: Activation.allDefaults, named: { try Activation.named($0) })
    }
}
