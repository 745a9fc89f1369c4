/// One value of a sweep setting: an integer, a number or a name, always in the canonical form
/// its setting gives it (`SweepSetting.canonical(_:)`), so that two spellings of the same
/// configuration have the same key.
public enum SweepValue: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    /// An integer setting (depth, width, steps, seeds, ...).
    case integer(Int)
    /// A real setting (variances, rates, fractions, ...), finite.
    case number(Double)
    /// A name (activation, initializer, optimizer, ...), or a setting written as text.
    case text(String)

    /// The canonical text: `Int.description`, the shortest round-trip `Double.description`, or
    /// the name itself. Keys are built from it.
    public var description: String {
        switch self {
        case let .integer(value): "\(value)"
        case let .number(value): "\(value)"
        case let .text(value): value
        }
    }

    /// The value as a Double (integers and numbers), for axes and figures.
    public var numericValue: Double? {
        switch self {
        case let .integer(value): Double(value)
        case let .number(value): value
        case .text: nil
        }
    }

    /// Integers and numbers in numeric order, before names in text order.
    public static func < (lhs: SweepValue, rhs: SweepValue) -> Bool {
        switch (lhs.numericValue, rhs.numericValue) {
        case let (left?, right?): left < right
        case (.some, nil): true
        case (nil, .some): false
        case (nil, nil): lhs.description < rhs.description
        }
    }

    /// A JSON number or string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .integer(value): try container.encode(value)
        case let .number(value): try container.encode(value)
        case let .text(value): try container.encode(value)
        }
    }

    /// An integer when the JSON number is one, else a number, else a string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else {
            self = .text(try container.decode(String.self))
        }
    }
}
