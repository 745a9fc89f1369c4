import Foundation

/// A sweep: an experiment kind, axes (settings each given as a list of values) and fixed
/// settings. Its configurations are every combination of the axes' values, with the fixed
/// settings and the defaults filled in (`SweepConfiguration`).
///
/// The file schema (`initbench.grid.v1`), a JSON object:
///
/// ```json
/// {
///   "schema": "initbench.grid.v1",
///   "kind": "train",
///   "axes": { "weight-variance": [1, 1.5, 2], "depth": [4, 8, 16] },
///   "fixed": { "activation": "tanh", "bias-variance": 0.05, "steps": 300 }
/// }
/// ```
///
/// - `kind`: `propagate`, `train` or `theory` (required).
/// - `axes`: an object of setting name to a non-empty list of distinct values (at most
///   `maximumAxisValues`); may be empty.
/// - `fixed`: an object of setting name to one value; a setting is an axis or fixed, not both.
/// - `schema` (optional): `initbench.grid.v1`. `description` (optional): free text.
///
/// The settings each kind takes, their values and defaults are `SweepSetting.all`. Enumeration
/// order: axes in name order, the first name varying slowest, each axis's values in the order
/// written. A grid is checked whole when it is read, down to every configuration's experiment
/// (`validateConfigurations()`), so nothing runs from a grid with a bad value in it.
public struct SweepGrid: Sendable, Hashable {
    /// The schema name of grid files.
    public static let schema = "initbench.grid.v1"
    /// The most values one axis may list.
    public static let maximumAxisValues = 10_000
    /// The most configurations a grid may have.
    public static let maximumConfigurations = 1_000_000

    /// The experiment kind.
    public let kind: SweepKind
    /// The axes, canonical values in the order written.
    public let axes: [String: [SweepValue]]
    /// The fixed settings, canonical.
    public let fixed: [String: SweepValue]
    /// Free text describing the sweep.
    public let description: String?

    /// The axes' names in enumeration order.
    public var axisNames: [String] { axes.keys.sorted() }

    /// The number of configurations: the product of the axes' lengths.
    public var count: Int { axes.values.reduce(1) { $0 * $1.count } }

    /// A grid of these settings, checked as a grid file is.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` naming the field (`axes.depth[1]`,
    ///   `fixed.activation`, ...) and the accepted values.
    public init(kind: SweepKind, axes: [String: [JSONValue]], fixed: [String: JSONValue], description: String? = nil) throws {
        try self.init(kind: kind, axes: axes, fixed: fixed, description: description, validatingConfigurations: true)
    }

    /// A grid whose values are checked and made canonical, and whose configurations are checked
    /// too when `validatingConfigurations` (a grid read back from a results file's header, which
    /// is only compared and enumerated, skips that).
    init(kind: SweepKind, axes: [String: [JSONValue]], fixed: [String: JSONValue], description: String?,
         validatingConfigurations: Bool) throws {
        var canonicalAxes: [String: [SweepValue]] = [:]
        for (name, values) in axes {
            let setting = try Self.setting(name, kind: kind, field: "axes.\(name)")
            guard !values.isEmpty, values.count <= Self.maximumAxisValues else {
                throw VarianceKitError.invalidParameter(
                    name: "grid field axes.\(name)", value: values.isEmpty ? "[]" : "\(values.count) values",
                    expected: "a list of 1...\(Self.maximumAxisValues) values (\(setting.accepted))")
            }
            var seen: [SweepValue: Int] = [:]
            var list: [SweepValue] = []
            for (position, value) in values.enumerated() {
                let canonical = try setting.canonical(value, field: "axes.\(name)[\(position)]")
                if let first = seen[canonical] {
                    throw VarianceKitError.invalidParameter(
                        name: "grid field axes.\(name)[\(position)]", value: value.description,
                        expected: "distinct values; it is the same as axes.\(name)[\(first)] (\(canonical))")
                }
                seen[canonical] = position
                list.append(canonical)
            }
            canonicalAxes[name] = list
        }
        var canonicalFixed: [String: SweepValue] = [:]
        for (name, value) in fixed {
            let setting = try Self.setting(name, kind: kind, field: "fixed.\(name)")
            guard canonicalAxes[name] == nil else {
                throw VarianceKitError.invalidParameter(
                    name: "grid field fixed.\(name)", value: value.description, expected: "a setting that is not also an axis (axes.\(name))")
            }
            canonicalFixed[name] = try setting.canonical(value, field: "fixed.\(name)")
        }
        let count = canonicalAxes.values.reduce(1) { product, values in
            let next = product.multipliedReportingOverflow(by: values.count)
            return next.overflow ? Int.max : next.partialValue
        }
        guard count <= Self.maximumConfigurations else {
            throw VarianceKitError.invalidParameter(
                name: "grid axes", value: "\(count == Int.max ? "too many" : "\(count)") configurations",
                expected: "at most \(Self.maximumConfigurations) configurations (the product of the axes' lengths)")
        }
        self.kind = kind
        self.axes = canonicalAxes
        self.fixed = canonicalFixed
        self.description = description
        if validatingConfigurations { try validateConfigurations() }
    }

    private static func setting(_ name: String, kind: SweepKind, field: String) throws -> SweepSetting {
        guard let setting = SweepSetting.named(name), setting.kinds.contains(kind) else {
            let accepted = SweepSetting.settings(of: kind).map(\.name).joined(separator: ", ")
            let known = SweepSetting.named(name) != nil ? " (\(name) is not a setting of \(kind.rawValue) sweeps)" : ""
            throw VarianceKitError.invalidParameter(
                name: "grid field \(field)", value: "\"\(name)\"", expected: "a setting of \(kind.rawValue) sweeps\(known): one of \(accepted)")
        }
        return setting
    }

    /// The configuration at `index` (0-based, in enumeration order).
    public func configuration(at index: Int) -> SweepConfiguration {
        var settings = fixed
        var remainder = index
        for name in axisNames.reversed() {
            let values = axes[name]!
            settings[name] = values[remainder % values.count]
            remainder /= values.count
        }
        let weightVarianceGiven = settings["weight-variance"] != nil
        for setting in SweepSetting.settings(of: kind) where settings[setting.name] == nil {
            if setting.name == "initializer", !weightVarianceGiven {
                settings["initializer"] = .text(InitializerName.xavierNormal.rawValue)
            } else if let value = setting.defaultValue(for: kind) {
                settings[setting.name] = value
            }
        }
        return SweepConfiguration(kind: kind, settings: settings, index: index)
    }

    /// Every configuration, in enumeration order.
    public var configurations: [SweepConfiguration] { (0..<count).map(configuration(at:)) }

    /// Checks every configuration as its run will: settings that exclude each other
    /// (`weight-variance` with `initializer` or `gain`), a gain for a scheme that takes none,
    /// dataset options the dataset does not take, `evaluate-every` beyond `steps`, a batch
    /// larger than the training split, and the experiments' own ranges.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` naming the configuration's axis values.
    public func validateConfigurations() throws {
        var checkedData: Set<SweepDataSettings> = []
        for index in 0..<count {
            let configuration = configuration(at: index)
            do {
                try Self.validate(configuration, checkedData: &checkedData)
            } catch let error as VarianceKitError {
                let label = configuration.label(axisNames)
                throw VarianceKitError.invalidParameter(
                    name: "grid configuration \(index + 1) of \(count)\(label.isEmpty ? "" : " (\(label))")",
                    value: "", expected: error.description)
            }
        }
    }

    private static func validate(_ configuration: SweepConfiguration, checkedData: inout Set<SweepDataSettings>) throws {
        if configuration.kind != .theory, configuration["weight-variance"] != nil {
            for other in ["initializer", "gain"] where configuration[other] != nil {
                throw VarianceKitError.invalidParameter(
                    name: other, value: "\(configuration[other]!) with weight-variance \(configuration["weight-variance"]!)",
                    expected: "weight-variance (he-normal with gain sigma_w) or initializer and gain, not both")
            }
        }
        switch configuration.kind {
        case .propagate:
            _ = try configuration.propagationExperiment()
        case .train:
            let experiment = try configuration.trainingExperiment()
            let data = try configuration.dataSettings()
            if checkedData.insert(data).inserted {
                _ = try data.dataset.configuration(samples: data.samples, seed: data.seed, options: data.options)
                guard data.validationFraction + data.testFraction < 0.95 else {
                    throw VarianceKitError.invalidParameter(
                        name: "validation-fraction + test-fraction", value: "\(data.validationFraction + data.testFraction)",
                        expected: "less than 0.95, leaving samples to train on")
                }
            }
            let trainingSamples = Int((Double(data.samples) * (1 - data.validationFraction - data.testFraction)).rounded(.down))
            guard experiment.settings.batchSize <= max(1, trainingSamples) else {
                throw VarianceKitError.invalidParameter(
                    name: "batch", value: "\(experiment.settings.batchSize)",
                    expected: "at most the training split's \(trainingSamples) samples (samples x (1 - validation-fraction - test-fraction))")
            }
        case .theory:
            _ = try configuration.activation()
        }
    }
}

extension SweepGrid {
    /// Reads a grid from the JSON text `data`, `source` naming it in messages.
    ///
    /// - Throws: `VarianceKitError.malformedFile` for text that is not JSON, or not an object;
    ///   `.invalidParameter` naming the field for anything the schema does not accept.
    public init(json data: Data, source: String) throws {
        try JSONNesting.check(data, path: source, location: "", expected: "a JSON grid object (schema \(Self.schema))")
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw VarianceKitError.malformedFile(path: source, location: "", found: "text that is not JSON (\(Self.reason(error)))",
                                                 expected: "a JSON grid object (schema \(Self.schema))")
        }
        try self.init(value: value, source: source)
    }

    /// Reads the grid file at `url`.
    ///
    /// - Throws: `VarianceKitError.fileAccess` when it cannot be read; as `init(json:source:)`.
    public init(contentsOf url: URL) throws {
        try self.init(json: Data(try FileContents.read(url.path)), source: url.path)
    }

    /// A grid from a decoded JSON value.
    public init(value: JSONValue, source: String) throws {
        try self.init(value: value, source: source, validatingConfigurations: true)
    }

    /// A grid from a decoded JSON value, its configurations checked when `validatingConfigurations`.
    init(value: JSONValue, source: String, validatingConfigurations: Bool) throws {
        guard case let .object(members) = value else {
            throw VarianceKitError.malformedFile(path: source, location: "", found: value.kindName,
                                                 expected: "a JSON object with kind, axes and fixed (schema \(Self.schema))")
        }
        let known = ["schema", "kind", "axes", "fixed", "description"]
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw VarianceKitError.invalidParameter(name: "grid field \(unknown)", value: members[unknown]!.description,
                                                    expected: "only the fields \(known.joined(separator: ", "))")
        }
        if let schema = members["schema"], schema != .string(Self.schema) {
            throw VarianceKitError.invalidParameter(name: "grid field schema", value: schema.description, expected: "\"\(Self.schema)\"")
        }
        guard case let .string(kindName)? = members["kind"], let kind = SweepKind(rawValue: kindName) else {
            throw VarianceKitError.invalidParameter(name: "grid field kind", value: members["kind"]?.description ?? "missing",
                                                    expected: "one of \(SweepKind.acceptedNames)")
        }
        var axes: [String: [JSONValue]] = [:]
        switch members["axes"] {
        case nil: break
        case let .object(entries)?:
            for (name, entry) in entries {
                guard case let .array(values) = entry else {
                    throw VarianceKitError.invalidParameter(name: "grid field axes.\(name)", value: entry.description,
                                                            expected: "a list of values, e.g. [1, 2, 4]")
                }
                axes[name] = values
            }
        case let other?:
            throw VarianceKitError.invalidParameter(name: "grid field axes", value: other.description,
                                                    expected: "an object of setting name to a list of values")
        }
        var fixed: [String: JSONValue] = [:]
        switch members["fixed"] {
        case nil: break
        case let .object(entries)?: fixed = entries
        case let other?:
            throw VarianceKitError.invalidParameter(name: "grid field fixed", value: other.description,
                                                    expected: "an object of setting name to one value")
        }
        var description: String?
        switch members["description"] {
        case nil: break
        case let .string(text)?: description = text
        case let other?:
            throw VarianceKitError.invalidParameter(name: "grid field description", value: other.description, expected: "a string")
        }
        try self.init(kind: kind, axes: axes, fixed: fixed, description: description, validatingConfigurations: validatingConfigurations)
    }

    /// The grid as a JSON value in the file schema (canonical values), which reads back to an
    /// equal grid.
    public var jsonValue: JSONValue {
        func json(_ value: SweepValue) -> JSONValue {
            switch value {
            case let .integer(number): .integer(number)
            case let .number(number): .number(number)
            case let .text(text): .string(text)
            }
        }
        var members: [String: JSONValue] = [
            "schema": .string(Self.schema), "kind": .string(kind.rawValue),
            "axes": .object(axes.mapValues { .array($0.map(json)) }), "fixed": .object(fixed.mapValues(json)),
        ]
        if let description { members["description"] = .string(description) }
        return .object(members)
    }

    /// The canonical JSON text of the grid (sorted keys, no spaces): two grids with equal
    /// configurations in equal order have equal identities.
    public var identity: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var value = jsonValue
        if case var .object(members) = value {
            members["description"] = nil
            value = .object(members)
        }
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    private static func reason(_ error: any Error) -> String {
        if case let DecodingError.dataCorrupted(context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}
