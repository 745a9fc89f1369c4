/// One configuration of a sweep grid: every setting of its kind resolved (the grid's values,
/// then the defaults), its canonical key, and the seed of its random streams.
///
/// The key is `kind/name=value;name=value;...` over every resolved setting in name order, with
/// the canonical values (`SweepValue.description`). The seed is a fixed function of the key
/// (FNV-1a 64 of its UTF-8 bytes, then the SplitMix64 finalizer), so a configuration draws the
/// same weights, minibatches and readouts whether it runs alone, in any shard, in any order,
/// or after a resume.
public struct SweepConfiguration: Sendable, Hashable {
    /// The experiment kind.
    public let kind: SweepKind
    /// Every setting of the kind that has a value, canonical.
    public let settings: [String: SweepValue]
    /// The position in the grid's enumeration (0-based).
    public let index: Int
    /// The canonical key.
    public let key: String

    /// A configuration of `settings` at `index`.
    public init(kind: SweepKind, settings: [String: SweepValue], index: Int) {
        self.kind = kind
        self.settings = settings
        self.index = index
        self.key = Self.key(kind: kind, settings: settings)
    }

    /// `kind/name=value;...` in name order.
    public static func key(kind: SweepKind, settings: [String: SweepValue]) -> String {
        kind.rawValue + "/" + settings.keys.sorted().map { "\($0)=\(settings[$0]!)" }.joined(separator: ";")
    }

    /// The seed of the configuration's random streams: SplitMix64's finalizer of FNV-1a 64 of
    /// the key's UTF-8 bytes.
    public var seed: UInt64 { Self.seed(ofKey: key) }

    /// FNV-1a 64 of `key`'s UTF-8 bytes, then SplitMix64's finalizer.
    public static func seed(ofKey key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }

    /// The value of `name`, if it has one.
    public subscript(name: String) -> SweepValue? { settings[name] }

    /// The value of `name`, or `SweepSetting.all`'s default for the kind (a grid's configurations
    /// already hold every default; one built by hand may not). Nil for a setting that is absent
    /// and has no default.
    func resolved(_ name: String) -> SweepValue? {
        settings[name] ?? SweepSetting.named(name)?.defaultValue(for: kind)
    }

    /// The integer `name`, resolved.
    func integer(_ name: String) -> Int? {
        if case let .integer(value)? = resolved(name) { return value }
        return nil
    }

    /// The number `name`, resolved.
    func number(_ name: String) -> Double? { resolved(name)?.numericValue }

    /// The name `name`, resolved.
    func text(_ name: String) -> String? {
        if case let .text(value)? = resolved(name) { return value }
        return nil
    }

    /// The integer `name`, which has a default for the kind.
    func requiredInteger(_ name: String) -> Int {
        guard let value = integer(name) else { preconditionFailure("sweep setting \(name) has no default for \(kind.rawValue)") }
        return value
    }

    /// The number `name`, which has a default for the kind.
    func requiredNumber(_ name: String) -> Double {
        guard let value = number(name) else { preconditionFailure("sweep setting \(name) has no default for \(kind.rawValue)") }
        return value
    }

    /// The name `name`, which has a default for the kind.
    func requiredText(_ name: String) -> String {
        guard let value = text(name) else { preconditionFailure("sweep setting \(name) has no default for \(kind.rawValue)") }
        return value
    }

    /// `name=value` for the settings in `names` (those that have a value), for labels.
    public func label(_ names: [String]) -> String {
        names.compactMap { name in settings[name].map { "\(name)=\($0)" } }.joined(separator: " ")
    }
}
