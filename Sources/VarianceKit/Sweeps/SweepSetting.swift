import Foundation

/// One setting a sweep grid may fix or vary: its name, the kinds of experiment that take it, the
/// values it accepts and its default. The table `SweepSetting.all` is the grid schema's
/// vocabulary; `initbench sweep --help` and the README print it.
///
/// Every value is brought to a canonical form when the grid is read (`canonical(_:)`): names to
/// the library's canonical names (`relu`, `he-normal`, `adamw`, `l2:0.0001`), numbers to Double,
/// so that spellings of one configuration share its key.
public struct SweepSetting: Sendable {
    /// The setting's name in a grid, e.g. `weight-variance`.
    public let name: String
    /// What it sets, with the symbol used in the documentation.
    public let summary: String
    /// The kinds that take it.
    public let kinds: [SweepKind]
    /// The accepted values, as a message says them.
    public let accepted: String
    /// The canonical value of a JSON value, or nil when it is not accepted.
    let parse: @Sendable (JSONValue) -> SweepValue?
    /// The value when the grid does not give one, per kind (nil: absent).
    let defaultValue: @Sendable (SweepKind) -> SweepValue?

    /// The default for `kind`, or nil when the setting is absent unless given.
    public func defaultValue(for kind: SweepKind) -> SweepValue? { defaultValue(kind) }

    /// The canonical value of `value`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` naming `field` (for example
    ///   `axes.activation[2]`) and the accepted values.
    public func canonical(_ value: JSONValue, field: String) throws -> SweepValue {
        guard let canonical = parse(value) else {
            throw VarianceKitError.invalidParameter(name: "grid field \(field)", value: value.description, expected: accepted)
        }
        return canonical
    }

    /// The setting called `name`.
    public static func named(_ name: String) -> SweepSetting? { all.first { $0.name == name } }

    /// The settings `kind` takes, in the table's order.
    public static func settings(of kind: SweepKind) -> [SweepSetting] { all.filter { $0.kinds.contains(kind) } }
}

extension SweepSetting {
    private static func integer(_ range: ClosedRange<Int>) -> @Sendable (JSONValue) -> SweepValue? {
        { value in
            switch value {
            case let .integer(number) where range.contains(number): .integer(number)
            case let .number(number) where number.rounded() == number && Double(range.lowerBound) <= number && number <= Double(range.upperBound):
                .integer(Int(number))
            default: nil
            }
        }
    }

    private static func number(_ range: ClosedRange<Double>, excludingLower: Bool = false) -> @Sendable (JSONValue) -> SweepValue? {
        { value in
            let number: Double
            switch value {
            case let .integer(integer): number = Double(integer)
            case let .number(real): number = real
            default: return nil
            }
            guard number.isFinite, range.contains(number), !(excludingLower && number == range.lowerBound) else { return nil }
            return .number(number)
        }
    }

    private static func name(_ canonical: @escaping @Sendable (String) throws -> String) -> @Sendable (JSONValue) -> SweepValue? {
        { value in
            guard case let .string(text) = value, let name = try? canonical(text) else { return nil }
            return .text(name)
        }
    }

    private static func fixed(_ values: [SweepKind: SweepValue]) -> @Sendable (SweepKind) -> SweepValue? {
        { values[$0] }
    }

    private static let allKinds = SweepKind.allCases
    private static let networkKinds: [SweepKind] = [.propagate, .train]

    /// The grid schema's settings.
    public static let all: [SweepSetting] = [
        SweepSetting(
            name: "activation", summary: "the hidden layers' activation phi", kinds: allKinds,
            accepted: "an activation name: one of \(Activation.acceptedNames)",
            parse: name { try Activation.named($0).name }, defaultValue: fixed([.propagate: .text("tanh"), .train: .text("tanh"), .theory: .text("tanh")])),
        SweepSetting(
            name: "weight-variance",
            summary: "sigma_w^2: weights N(0, sigma_w^2 / fan_in) (he-normal with gain sigma_w); instead of initializer and gain",
            kinds: allKinds, accepted: "a finite number in (0, 10000]",
            parse: number(0...10_000, excludingLower: true), defaultValue: fixed([.theory: .number(1)])),
        SweepSetting(
            name: "bias-variance", summary: "sigma_b^2: every layer's biases N(0, sigma_b^2)", kinds: allKinds,
            accepted: "a finite number in [0, 10000]",
            parse: number(0...10_000), defaultValue: fixed([.propagate: .number(0), .train: .number(0), .theory: .number(0)])),
        SweepSetting(
            name: "initializer", summary: "the initialization scheme (unless weight-variance is given)", kinds: networkKinds,
            accepted: "an initializer name: one of \(InitializerName.acceptedNames)",
            parse: name { try InitializerName.named($0).rawValue }, defaultValue: { _ in nil }),
        SweepSetting(
            name: "gain", summary: "the scheme's gain g (a number, of-activation, fixed-point or critical)", kinds: networkKinds,
            accepted: "a finite number > 0, or one of of-activation, fixed-point, critical",
            parse: { value in
                switch value {
                case .integer, .number:
                    guard case let .number(number)? = number(0...1_000, excludingLower: true)(value) else { return nil }
                    return .number(number)
                case let .string(text):
                    guard let gain = try? Gain(parsing: text) else { return nil }
                    switch gain {
                    case .ofActivation: return .text("of-activation")
                    case .fixedPoint: return .text("fixed-point")
                    case .critical: return .text("critical")
                    case let .value(number): return .number(Double(number))
                    }
                default: return nil
                }
            }, defaultValue: { _ in nil }),
        SweepSetting(
            name: "depth", summary: "layers (propagate) or hidden layers (train)", kinds: networkKinds,
            accepted: "an integer in 1...1000", parse: integer(1...1000), defaultValue: fixed([.propagate: .integer(10), .train: .integer(2)])),
        SweepSetting(
            name: "width", summary: "every hidden layer's width", kinds: networkKinds,
            accepted: "an integer in 1...16384", parse: integer(1...16384), defaultValue: fixed([.propagate: .integer(256), .train: .integer(64)])),
        SweepSetting(
            name: "batch", summary: "samples per forward pass (propagate) or per step (train)", kinds: networkKinds,
            accepted: "an integer in 1...65536", parse: integer(1...65536), defaultValue: fixed([.propagate: .integer(256), .train: .integer(32)])),
        SweepSetting(
            name: "seed", summary: "a replicate number; the run's random streams come from the whole key", kinds: networkKinds,
            accepted: "an integer in 0...\(Int.max)", parse: integer(0...Int.max), defaultValue: fixed([.propagate: .integer(0), .train: .integer(0)])),
        SweepSetting(
            name: "steps", summary: "optimizer steps", kinds: [.train],
            accepted: "an integer in 1...10000000", parse: integer(TrainingSettings.stepRange), defaultValue: fixed([.train: .integer(200)])),
        SweepSetting(
            name: "evaluate-every", summary: "steps between validation points (0: only at the end)", kinds: [.train],
            accepted: "an integer in 0...10000000", parse: integer(0...10_000_000), defaultValue: fixed([.train: .integer(0)])),
        SweepSetting(
            name: "optimizer", summary: "the optimizer", kinds: [.train],
            accepted: "one of \(OptimizerSettings.Algorithm.allCases.map(\.rawValue).joined(separator: ", "))",
            parse: name { try OptimizerSettings.algorithm(named: $0).rawValue }, defaultValue: fixed([.train: .text("sgd")])),
        SweepSetting(
            name: "learning-rate", summary: "eta", kinds: [.train], accepted: "a finite number in (0, 100]",
            parse: number(0...100, excludingLower: true), defaultValue: fixed([.train: .number(0.01)])),
        SweepSetting(
            name: "momentum", summary: "mu of momentum and nesterov", kinds: [.train], accepted: "a finite number in [0, 1)",
            parse: { value in
                guard case let .number(mu)? = number(0...1)(value), mu < 1 else { return nil }
                return .number(mu)
            }, defaultValue: fixed([.train: .number(0.9)])),
        SweepSetting(
            name: "penalty", summary: "the coupled penalty", kinds: [.train],
            accepted: "none, l2:LAMBDA, l1:LAMBDA, l1-proximal:LAMBDA or elastic-net:L1:L2 with finite LAMBDA >= 0",
            parse: name { try PenaltySettings(parsing: $0).name }, defaultValue: fixed([.train: .text("none")])),
        SweepSetting(
            name: "weight-decay", summary: "the decoupled decay d (lr-scaled)", kinds: [.train], accepted: "a finite number in [0, 1)",
            parse: { value in
                guard case let .number(decay)? = number(0...1)(value), decay < 1 else { return nil }
                return .number(decay)
            }, defaultValue: fixed([.train: .number(0)])),
        SweepSetting(
            name: "dataset", summary: "the synthetic dataset", kinds: [.train],
            accepted: "one of \(SyntheticDatasetName.acceptedNames)",
            parse: name { try SyntheticDatasetName.named($0).rawValue }, defaultValue: fixed([.train: .text("gaussian-mixture")])),
        SweepSetting(
            name: "samples", summary: "the dataset's samples (split into train, validation, test)", kinds: [.train],
            accepted: "an integer in 10...10000000", parse: integer(10...10_000_000), defaultValue: fixed([.train: .integer(2000)])),
        SweepSetting(
            name: "features", summary: "the dataset's input features (datasets that take it)", kinds: [.train],
            accepted: "an integer in 1...65536", parse: integer(1...65536), defaultValue: { _ in nil }),
        SweepSetting(
            name: "classes", summary: "the dataset's classes (datasets that take it)", kinds: [.train],
            accepted: "an integer in 2...65536", parse: integer(2...65536), defaultValue: { _ in nil }),
        SweepSetting(
            name: "noise", summary: "the dataset's target noise (datasets that take it)", kinds: [.train],
            accepted: "a finite number in [0, 1000]", parse: number(0...1000), defaultValue: { _ in nil }),
        SweepSetting(
            name: "data-seed", summary: "the seed of the dataset and of its split (the same data for every configuration)", kinds: [.train],
            accepted: "an integer in 0...\(Int.max)", parse: integer(0...Int.max), defaultValue: fixed([.train: .integer(1)])),
        SweepSetting(
            name: "validation-fraction", summary: "the fraction of samples held out for validation", kinds: [.train],
            accepted: "a finite number in [0, 0.9]", parse: number(0...0.9), defaultValue: fixed([.train: .number(0.1)])),
        SweepSetting(
            name: "test-fraction", summary: "the fraction of samples held out for the test", kinds: [.train],
            accepted: "a finite number in [0, 0.9]", parse: number(0...0.9), defaultValue: fixed([.train: .number(0.2)])),
    ]
}
