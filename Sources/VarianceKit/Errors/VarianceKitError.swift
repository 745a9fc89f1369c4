import Foundation

/// The one error type VarianceKit throws.
///
/// Every case carries enough context to say what was wrong and what was expected; `description`
/// turns it into a sentence fit for a user (the command-line program prints it as is).
public enum VarianceKitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An operand's shape does not fit the operation: what it was, what was needed, and the rule
    /// (see `ShapeMismatch`).
    case shapeMismatch(ShapeMismatch)

    /// `underlying` happened while building or filling layer `layer` (1-based) of a network of
    /// `layers` layers.
    indirect case inLayer(layer: Int, layers: Int, underlying: VarianceKitError)

    /// A parameter is outside its accepted range: `name = value`, `expected` says what is accepted.
    case invalidParameter(name: String, value: String, expected: String)

    /// A LAPACK routine reported failure (`info > 0`: no convergence or a singular factor;
    /// `info = -1010` or `-1011`: LAPACKE could not allocate its workspace or its transposed copy
    /// of a row-major argument; any other `info < 0`: argument `-info` was illegal, which is a
    /// VarianceKit bug, since the wrappers check shapes and reject non-finite input first).
    case lapackFailure(routine: String, info: Int)

    /// The matrix given to LAPACK routine `routine` holds inf or NaN, first (in row-major order)
    /// at `(row, column)`, where it is `value`. Nothing was computed: LAPACK's results for such
    /// input are NaN, or an error blamed on an argument.
    case nonFiniteInput(routine: String, row: Int, column: Int, value: Float)

    /// An optimizer step met a gradient that holds inf or NaN: `parameter`'s gradient, first at
    /// row-major element `element` (value `value` when it could still be read), or somewhere in
    /// `elements`. The step was refused: no weight and no optimizer state changed.
    case nonFiniteGradient(optimizer: String, parameter: ParameterID, element: Int?, value: Float?, elements: Range<Int>?)

    /// A network's values stopped being finite (inf or NaN) at `location`: the tensor, the
    /// layer and the step of the probe or pass that found them.
    case nonFinite(NonFiniteLocation)

    /// A call came out of order: `operation` needs `required` first (e.g. a backward pass after
    /// a forward pass, an optimizer step on gradients no step has consumed yet).
    case outOfOrder(operation: String, required: String)

    /// What `operation` needs is missing from this object (e.g. a bias on a layer built without one).
    case missingCapability(operation: String, missing: String)

    /// An iterative procedure could not meet its target: `operation` on layer `layer` (1-based,
    /// when it concerns one) stopped at `value` after `iterations` iterations; `reason` says why.
    case notConverged(operation: String, layer: Int?, iterations: Int, value: Double?, reason: String)

    /// An experiment or buffer needs `required` bytes but only `available` are free
    /// (`MemoryBudget.availableBytes()`); nothing was allocated.
    case insufficientMemory(required: Int, available: Int, purpose: String)

    /// A buffer of `bytes` bytes for `purpose` could not be allocated (the allocator refused);
    /// nothing was built.
    case allocationFailed(bytes: Int, purpose: String)

    /// The file at `path` could not be read or written: `operation` (e.g. `open`, `write`,
    /// `rename`) failed for `reason` (the system's message, in words). Nothing was loaded, and a
    /// file being replaced keeps its previous contents.
    case fileAccess(path: String, operation: String, reason: String)

    /// The file at `path` does not hold what it should: at `location` (a line, a byte offset, an
    /// entry of an archive) it has `found` where `expected` was needed. Nothing was loaded.
    case malformedFile(path: String, location: String, found: String, expected: String)

    /// The error in words: what was wrong and what was expected.
    public var description: String {
        switch self {
        case let .shapeMismatch(mismatch):
            return mismatch.description
        case let .inLayer(layer, layers, underlying):
            return "layer \(layer) of \(layers): \(underlying)"
        case let .invalidParameter(name, value, expected):
            return "invalid \(name) = \(value): expected \(expected)"
        case let .lapackFailure(routine, info):
            if info == -1010 {
                return "\(routine): LAPACKE could not allocate its workspace (info = \(info)): out of memory"
            }
            if info == -1011 {
                return "\(routine): LAPACKE could not allocate a transposed copy of a row-major argument (info = \(info)): out of memory"
            }
            if info < 0 {
                return "\(routine) rejected argument \(-info) (info = \(info)); this is a VarianceKit bug"
            }
            return "\(routine) failed to converge or met a singular factor (info = \(info))"
        case let .nonFiniteGradient(optimizer, parameter, element, value, elements):
            var place = ""
            if let element { place = " at element \(element)" } else if let elements { place = " in elements \(elements.lowerBound)..<\(elements.upperBound) (row-major)" }
            let shown = value.map { ", value \($0)" } ?? ""
            return "non-finite value (inf or NaN) in the gradient of \(parameter)\(place)\(shown) (\(optimizer) step refused: no weight or optimizer state was changed)"
        case let .nonFinite(location):
            return "non-finite value (inf or NaN) in \(location)"
        case let .outOfOrder(operation, required):
            return "\(operation): \(required) first"
        case let .missingCapability(operation, missing):
            return "\(operation): \(missing)"
        case let .notConverged(operation, layer, iterations, value, reason):
            let at = layer.map { " at layer \($0)" } ?? ""
            let reached = value.map { ", reached \($0)" } ?? ""
            return "\(operation)\(at) did not converge after \(iterations) iterations\(reached): \(reason)"
        case let .nonFiniteInput(routine, row, column, value):
            return "\(routine): the input matrix holds a non-finite value (inf or NaN): \(value) at row \(row), column \(column) (the first in row-major order); LAPACK needs finite input"
        case let .allocationFailed(bytes, purpose):
            return "\(purpose): could not allocate \(bytes) bytes (\(MemoryRequirement.formatted(bytes)))"
        case let .fileAccess(path, operation, reason):
            return "\(path): cannot \(operation): \(reason)"
        case let .malformedFile(path, location, found, expected):
            return "\(path): \(location): found \(found), expected \(expected)"
        case let .insufficientMemory(required, available, purpose):
            return "\(purpose) needs \(required) bytes (\(MemoryRequirement.formatted(required))) but \(available) bytes (\(MemoryRequirement.formatted(available))) are available (\(MemoryBudget.source))"
        }
    }
}

/// An operand whose shape does not fit an operation, as values: `actual` is its shape (rows and
/// columns, or an element count), `expected` the shape it needed (nil entries: any size), and
/// `rule` the relation it breaks, in words.
public struct ShapeMismatch: Hashable, Sendable, CustomStringConvertible {
    /// The call, e.g. `gemm`, `Network.forward`.
    public var operation: String
    /// The operand, e.g. `C`, `input batch`, `targets`.
    public var operand: String
    /// Its shape.
    public var actual: [Int]
    /// The shape it needed.
    public var expected: [Int?]
    /// Why, e.g. `C must be op(A).rows x op(B).columns`.
    public var rule: String

    /// A mismatch of `operand` in `operation`: its shape `actual`, the shape `expected` and the `rule` it breaks.
    public init(operation: String, operand: String, actual: [Int], expected: [Int?], rule: String) {
        self.operation = operation
        self.operand = operand
        self.actual = actual
        self.expected = expected
        self.rule = rule
    }

    /// The mismatch in words: the operation, the operand, both shapes and the rule.
    public var description: String {
        let shown = actual.map(String.init).joined(separator: " x ")
        let needed = expected.map { $0.map(String.init) ?? "any" }.joined(separator: " x ")
        return "\(operation): shape mismatch: \(operand) is \(shown) but \(needed) is needed; \(rule)"
    }
}

extension VarianceKitError {
    /// `.shapeMismatch` with its fields.
    static func shape(_ operation: String, _ operand: String, actual: [Int], expected: [Int?], _ rule: String) -> VarianceKitError {
        .shapeMismatch(ShapeMismatch(operation: operation, operand: operand, actual: actual, expected: expected, rule: rule))
    }

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
