/// The one error type VarianceKit throws.
///
/// Every case carries enough context to say what was wrong and what was expected; `description`
/// turns it into a sentence fit for a user (the command-line program prints it as is).
public enum VarianceKitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Two operands (or an operand and an output) have shapes that cannot go together.
    /// `operation` names the call, `details` names both shapes and the rule they break.
    case shapeMismatch(operation: String, details: String)

    /// A parameter is outside its accepted range: `name = value`, `expected` says what is accepted.
    case invalidParameter(name: String, value: String, expected: String)

    /// A LAPACK routine reported failure (`info > 0`: no convergence or a singular factor;
    /// `info < 0`: argument `-info` was illegal, which is a VarianceKit bug).
    case lapackFailure(routine: String, info: Int)

    /// A value that must be finite was not (inf or NaN), with where it was found.
    case nonFinite(location: String)

    /// A file could not be read or written.
    case io(path: String, reason: String)

    /// Anything else that a user asked for and that cannot be done, with the reason.
    case unsupported(String)

    public var description: String {
        switch self {
        case let .shapeMismatch(operation, details):
            return "\(operation): shape mismatch: \(details)"
        case let .invalidParameter(name, value, expected):
            return "invalid \(name) = \(value): expected \(expected)"
        case let .lapackFailure(routine, info):
            if info < 0 {
                return "\(routine) rejected argument \(-info) (info = \(info)); this is a VarianceKit bug"
            }
            return "\(routine) failed to converge or met a singular factor (info = \(info))"
        case let .nonFinite(location):
            return "non-finite value (inf or NaN) in \(location)"
        case let .io(path, reason):
            return "cannot access \(path): \(reason)"
        case let .unsupported(reason):
            return reason
        }
    }
}

extension VarianceKitError {
    /// Throws `.invalidParameter` unless `value` is finite and `> 0`.
    @usableFromInline
    static func requirePositiveFinite<T: BinaryFloatingPoint>(_ value: T, _ name: String) throws {
        guard value.isFinite, value > 0 else {
            throw VarianceKitError.invalidParameter(
                name: name, value: "\(value)", expected: "a finite number > 0")
        }
    }

    /// Throws `.invalidParameter` unless `value` is finite and `>= 0`.
    @usableFromInline
    static func requireNonNegativeFinite<T: BinaryFloatingPoint>(_ value: T, _ name: String) throws {
        guard value.isFinite, value >= 0 else {
            throw VarianceKitError.invalidParameter(
                name: name, value: "\(value)", expected: "a finite number >= 0")
        }
    }

    /// Throws `.invalidParameter` unless `value` is finite.
    @usableFromInline
    static func requireFinite<T: BinaryFloatingPoint>(_ value: T, _ name: String) throws {
        guard value.isFinite else {
            throw VarianceKitError.invalidParameter(
                name: name, value: "\(value)", expected: "a finite number")
        }
    }
}
