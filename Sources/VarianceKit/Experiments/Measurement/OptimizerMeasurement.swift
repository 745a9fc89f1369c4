/// One optimizer step over a parameter of N elements, for timing its memory bandwidth.
///
/// The parameter `w` (N(0, 0.02²), `RandomStream.measurement(2)`) and its gradient `g`
/// (N(0, 0.001²), `RandomStream.measurement(3)`) are `[parameters / 4096, 4096]` matrices (one
/// `[1, parameters]` row below 4096 elements; the count is rounded down to whole rows). `init`
/// runs one step so that the optimizer's state (momentum buffer, Adam's `m` and `v`) exists before
/// timing: `step()` then allocates nothing. The step consumes its gradient (see `Optimizer`):
/// after plain SGD's buffer swap it holds the previous weights, finite values that serve as the
/// next gradient, so repeated steps stay finite without a refill that would add a pass.
public final class OptimizerMeasurement {
    /// The optimizer steps that can be measured, with their hyperparameters and the bytes one
    /// step moves per parameter (Float32).
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// SGD: reads `w`, `g`, writes `w` (12 bytes).
        case sgd = "sgd"
        /// SGD with momentum 0.9 and the L2 penalty: also reads and writes the buffer (20 bytes).
        case sgdMomentumL2 = "sgd-momentum-l2"
        /// SGD with the L2 penalty, no momentum (12 bytes).
        case sgdL2 = "sgd-l2"
        /// SGD with the L1 penalty (a subgradient), no momentum (12 bytes).
        case sgdL1 = "sgd-l1"
        /// Adam: reads `w`, `g`, `m`, `v`, writes `w`, `m`, `v` (28 bytes).
        case adam = "adam"
        /// AdamW (decoupled weight decay): as Adam (28 bytes).
        case adamW = "adamw"

        /// Bytes read and written per parameter by the fused update, which also checks the
        /// gradient: 12, 20, 12, 12, 28, 28.
        public var bytesPerParameter: Int {
            switch self {
            case .sgd, .sgdL2, .sgdL1: 12
            case .sgdMomentumL2: 20
            case .adam, .adamW: 28
            }
        }

        /// Buffers of the parameter's size the optimizer keeps: 0, 2 (the momentum and its
        /// spare), or 4 (`m`, `v` and their spares).
        public var stateBuffers: Int {
            switch self {
            case .sgd, .sgdL2, .sgdL1: 0
            case .sgdMomentumL2: 2
            case .adam, .adamW: 4
            }
        }

        /// The penalty strength `λ` (sgd-momentum-l2, sgd-l2, sgd-l1) or decoupled weight decay
        /// (adamw) used when none is given: 1e-4, 1e-4, 1e-4, 0.01; none for sgd and adam.
        public var defaultRegularization: Float {
            switch self {
            case .sgd, .adam: 0
            case .sgdMomentumL2, .sgdL2, .sgdL1: 1e-4
            case .adamW: 0.01
            }
        }
    }

    /// Columns of the parameter matrix.
    static let columns = 4096

    /// The optimizer and regularizer measured.
    public let kind: Kind
    /// Threads of the step (`threadCount` of the optimizer).
    public let threads: Int
    /// `η` of every kind.
    public let learningRate: Float
    /// `λ` of the penalty or the decoupled weight decay (see `Kind.defaultRegularization`).
    public let regularization: Float
    /// The optimizer that takes the steps.
    public let optimizer: any Optimizer
    /// `w` and `g`.
    public private(set) var parameter: Matrix
    /// The gradient `g`, the same shape as `parameter`.
    public private(set) var gradient: Matrix
    let id = ParameterID(layer: 0, kind: .weight)

    /// Elements of the parameter actually measured (`parameters` rounded down to whole rows).
    public var parameterCount: Int { parameter.count }

    /// Bytes one step moves: `kind.bytesPerParameter parameterCount`.
    public var bytesPerStep: Int { kind.bytesPerParameter * parameterCount }

    /// - Parameters:
    ///   - kind: the optimizer and regularizer whose step is measured.
    ///   - parameters: elements of the parameter, `>= 1`.
    ///   - threads: the optimizer's thread count (its `threadCount`).
    ///   - learningRate: the optimizer's learning rate.
    ///   - regularization: see `Kind.defaultRegularization` (`nil`: that default).
    ///   - seed: the seed of the parameter's and the gradient's values.
    ///   - availableBytes: the memory the buffers must fit in (default: `MemoryBudget.availableBytes()`;
    ///     `nil` checks nothing).
    /// - Throws: `VarianceKitError.invalidParameter` for `parameters < 1`, when
    ///   `memoryRequirement(kind:parameters:)` exceeds `availableBytes` (naming both, before
    ///   allocating), or for a hyperparameter or thread count the optimizer refuses.
    public init(kind: Kind, parameters: Int, threads: Int, learningRate: Float = 1e-3, regularization: Float? = nil,
                seed: UInt64 = 1, availableBytes: Int? = MemoryBudget.availableBytes()) throws {
        guard parameters >= 1 else {
            throw VarianceKitError.invalidParameter(name: "optimizer parameters", value: "\(parameters)", expected: "an integer >= 1")
        }
        try Self.memoryRequirement(kind: kind, parameters: parameters).check(availableBytes: availableBytes)
        let layout = Layout(kind: kind, parameters: parameters)
        let strength = regularization ?? kind.defaultRegularization
        self.kind = kind
        self.threads = threads
        self.learningRate = learningRate
        self.regularization = strength
        switch kind {
        case .sgd:
            optimizer = try SGD(learningRate: learningRate, threadCount: threads)
        case .sgdMomentumL2:
            optimizer = try SGD(learningRate: learningRate, momentum: 0.9, penalty: .l2(lambda: strength, normalizer: 1),
                                threadCount: threads)
        case .sgdL2:
            optimizer = try SGD(learningRate: learningRate, penalty: .l2(lambda: strength, normalizer: 1), threadCount: threads)
        case .sgdL1:
            optimizer = try SGD(learningRate: learningRate, penalty: .l1(lambda: strength, normalizer: 1), threadCount: threads)
        case .adam:
            optimizer = try Adam(learningRate: learningRate, threadCount: threads)
        case .adamW:
            optimizer = try AdamW(learningRate: learningRate, weightDecay: strength, threadCount: threads)
        }
        parameter = try Matrix(rows: layout.parameterShape.rows, columns: layout.parameterShape.columns)
        gradient = try Matrix(rows: layout.parameterShape.rows, columns: layout.parameterShape.columns)
        try RandomFill.normal(&parameter, standardDeviation: 0.02, seed: seed, stream: MeasurementStream.optimizerParameter.id)
        try RandomFill.normal(&gradient, standardDeviation: 1e-3, seed: seed, stream: MeasurementStream.optimizerGradient.id)
        try step()
    }

    /// One `optimizer.step(parameter:gradient:id:)`. Allocates nothing after `init`.
    public func step() throws {
        try optimizer.step(parameter: &parameter, gradient: &gradient, id: id)
    }

    /// Calls `body` with the parameter and gradient buffers (row-major, `parameterCount`
    /// elements each), for a reference loop over the same memory. The pointers must not escape
    /// `body`; `body` must leave the gradient finite, or the next `step()` refuses it.
    public func withUnsafeMutableBuffers<R, E: Error>(
        _ body: (_ parameter: UnsafeMutableBufferPointer<Float>, _ gradient: UnsafeMutableBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        try parameter.withUnsafeMutableBufferPointer { (w: inout UnsafeMutableBufferPointer<Float>) throws(E) -> R in
            let parameterBuffer = w
            return try gradient.withUnsafeMutableBufferPointer { (g: inout UnsafeMutableBufferPointer<Float>) throws(E) -> R in
                try body(parameterBuffer, g)
            }
        }
    }

    /// A timed step and the bandwidth it reaches.
    public struct Result: Sendable, Hashable, Codable {
        /// One step.
        public var step: Timing
        /// `bytesPerStep / step.median`.
        public var bytesPerSecond: Double
    }

    /// `step()`, `repetitions` runs after a warm-up.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for `repetitions < 1`; what the step throws.
    public func measure(repetitions: Int) throws -> Result {
        let timing = try Stopwatch.timing(of: { try step() }, repetitions: repetitions)
        return Result(step: timing, bytesPerSecond: Double(bytesPerStep) / timing.median)
    }
}
