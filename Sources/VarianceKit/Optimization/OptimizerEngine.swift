import Foundation

/// The machinery the public optimizers share: per-parameter state, validation before any write,
/// and the dispatch of the fused kernels over blocks and threads.
final class OptimizerEngine {
    enum Algorithm: Equatable {
        case sgd(momentum: Float, dampening: Float, nesterov: Bool)
        case adam(beta1: Float, beta2: Float, epsilon: Float)
    }

    /// What is kept for one parameter; allocated on its first step, never resized.
    final class ParameterState {
        let rows: Int
        let columns: Int
        var stepCount = 0
        /// SGD's momentum buffer or Adam's `m`; 0 x 0 when unused.
        var first: Matrix
        /// Adam's `v`; 0 x 0 when unused.
        var second: Matrix
        /// The buffer the next momentum (SGD) or `m` (Adam) is written into, exchanged with
        /// `first` when the step is taken; allocated on the first step that needs it, 0 x 0 before.
        var spare = Matrix(validatedRows: 0, columns: 0)
        /// Adam: the buffer the next `v` is written into, exchanged with `second` when the step is
        /// taken; allocated on the first step, 0 x 0 before.
        var spareSecond = Matrix(validatedRows: 0, columns: 0)
        /// One slot per block for the partial statistics of a pass.
        let partials: UnsafeMutableBufferPointer<BlockStatistics>
        var statistics: ParameterStepStatistics?
        /// The constants of the pass that ran but is not yet counted.
        var pending = FusedCoefficients()

        /// - Throws: `VarianceKitError.insufficientMemory` or `.allocationFailed`, naming `purpose`,
        ///   when a state buffer cannot be allocated.
        init(rows: Int, columns: Int, buffers: Int, purpose: @autoclosure () -> String) throws(VarianceKitError) {
            self.rows = rows
            self.columns = columns
            first = try Matrix(validatedRows: buffers >= 1 ? rows : 0, columns: buffers >= 1 ? columns : 0, purpose: purpose())
            second = try Matrix(validatedRows: buffers >= 2 ? rows : 0, columns: buffers >= 2 ? columns : 0, purpose: purpose())
            partials = .allocate(capacity: max(ParallelBlocks.blockCount(rows * columns), 1))
            partials.initialize(repeating: BlockStatistics())
        }

        deinit { partials.deallocate() }
    }

    let name: String
    let algorithm: Algorithm
    let learningRate: Float
    /// The `threadCount:` the optimizer was built with; nil follows `ThreadPolicy` at each step.
    let requestedThreadCount: Int?
    var schedule: LearningRateSchedule
    var groups: ParameterGroups
    private(set) var states: [ParameterID: ParameterState] = [:]

    init(name: String, algorithm: Algorithm, learningRate: Float, schedule: LearningRateSchedule,
         groups: ParameterGroups, threadCount: Int?) {
        self.name = name
        self.algorithm = algorithm
        self.learningRate = learningRate
        self.schedule = schedule
        self.groups = groups
        self.requestedThreadCount = threadCount
    }

    /// The most threads one parameter's pass uses now.
    var threadCount: Int { ThreadPolicy.resolve(requestedThreadCount) }

    /// Validation shared by the public initializers.
    static func validate(learningRate: Float, threadCount: Int?) throws {
        try VarianceKitError.requireNonNegativeFinite(learningRate, "learningRate")
        if let threadCount, !(1...ThreadPolicy.maximumThreadCount).contains(threadCount) {
            throw VarianceKitError.invalidParameter(
                name: "threadCount", value: "\(threadCount)", expected: "an integer in 1...\(ThreadPolicy.maximumThreadCount), or nil for ThreadPolicy.threadCount")
        }
    }

    /// State buffers the algorithm needs per parameter.
    var bufferCount: Int {
        switch algorithm {
        case let .sgd(momentum, _, _): return momentum > 0 ? 1 : 0
        case .adam: return 2
        }
    }

    // MARK: Steps
    //
    // No weight and no state changes unless every gradient of the step is finite, and no
    // separate pass checks it: the new weights are written into the gradient buffer, and the new
    // state (SGD's momentum, Adam's `m` and `v`) into the state's spare buffers, while the
    // gradient is checked in the same pass. Only when every block of every parameter passed are
    // the weight and gradient buffers, and each state buffer and its spare, exchanged (O(1), no
    // copy) and the step counted. Bytes per element: 12 for plain SGD, 20 with momentum, 28 for
    // Adam (the spare buffers written with streaming stores when large), as many as the in-place
    // loops move, for one more parameter-sized buffer per state buffer.

    /// Exchanges the state buffers of `id` with the spare ones its step wrote.
    private func exchangeState(id: ParameterID) {
        guard bufferCount > 0, let state = states[id] else { return }
        swap(&state.first, &state.spare)
        if bufferCount > 1 { swap(&state.second, &state.spareSecond) }
    }

    func step<Container: ParameterContainer>(_ parameters: Container) throws -> StepSummary {
        guard parameters.gradientsAreCurrent else {
            throw VarianceKitError.outOfOrder(
                operation: "\(name).step",
                required: "recompute the gradients (Network.backward, or zeroGradients() and backward(accumulate: true)); the previous step consumed them")
        }
        // Phase 1: check shapes and hyperparameters, and allocate any state a first step needs;
        // write nothing.
        try parameters.forEachParameter { id, values, gradient in
            _ = try coefficients(id: id, values: values, gradient: gradient)
            _ = try preparedState(id: id, rows: values.rows, columns: values.columns)
        }
        var summary = StepSummary()
        // Phase 2: the new weights into the gradient buffers, block by block, each block checked.
        // From here on the gradients are consumed, whether the step is taken or refused.
        defer { parameters.markGradientsConsumed() }
        var refused: VarianceKitError?
        try parameters.forEachParameter { id, values, gradient in
            guard refused == nil else { return }
            refused = try computeIntoGradient(id: id, values: values, gradient: &gradient)
        }
        if let refused { throw refused }
        // Phase 3: commit.
        parameters.forEachParameter { id, values, gradient in
            swap(&values, &gradient)
            exchangeState(id: id)
            summary.add(commit(id: id))
        }
        return summary
    }

    func step(parameter: inout Matrix, gradient: inout Matrix, id: ParameterID) throws -> ParameterStepStatistics {
        _ = try coefficients(id: id, values: parameter, gradient: gradient)
        _ = try preparedState(id: id, rows: parameter.rows, columns: parameter.columns)
        // The step writes into both; a copy the caller still holds must not make it trap.
        try parameter.makeUniqueStorage()
        try gradient.makeUniqueStorage()
        if let refused = try computeIntoGradient(id: id, values: parameter, gradient: &gradient) { throw refused }
        swap(&parameter, &gradient)
        exchangeState(id: id)
        return commit(id: id)
    }

    /// The state of `id` with its spare buffers, created (zeroed, uncounted) on its first step.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` or `.allocationFailed` when a buffer cannot
    ///   be allocated (nothing of the step has been written then).
    private func preparedState(id: ParameterID, rows: Int, columns: Int) throws(VarianceKitError) -> ParameterState {
        let purpose = "\(name)'s state for \(id) (\(2 * bufferCount) buffers of \(rows) x \(columns))"
        let state: ParameterState
        if let existing = states[id] {
            state = existing
        } else {
            state = try ParameterState(rows: rows, columns: columns, buffers: bufferCount, purpose: purpose)
            states[id] = state
        }
        if bufferCount >= 1 && state.spare.count != rows * columns {
            state.spare = try Matrix(validatedRows: rows, columns: columns, purpose: purpose)
        }
        if bufferCount >= 2 && state.spareSecond.count != rows * columns {
            state.spareSecond = try Matrix(validatedRows: rows, columns: columns, purpose: purpose)
        }
        return state
    }

    /// Writes the new weights into `gradient` and the new state into the state's spare buffers,
    /// or returns the refusal when a block of the gradient is not finite (the weights and the
    /// state buffers are untouched either way).
    private func computeIntoGradient(id: ParameterID, values: Matrix, gradient: inout Matrix) throws -> VarianceKitError? {
        let c = try coefficients(id: id, values: values, gradient: gradient)
        let state = try preparedState(id: id, rows: values.rows, columns: values.columns)
        let count = values.count
        let partials = state.partials
        let threads = threadCount
        let streaming = count >= StreamingStore.minimumElements
        return values.withUnsafeBufferPointer { w in
            gradient.withUnsafeMutableBufferPointer { g -> VarianceKitError? in
                let wp = w.baseAddress!, gp = g.baseAddress!
                switch (algorithm, bufferCount) {
                case (.sgd, 0):
                    ParallelBlocks.forEachBlock(
                        count: count, threadCount: threads,
                        SGDJob(weights: wp, gradient: gp, partials: partials.baseAddress!, coefficients: c))
                case (.sgd, _):
                    state.first.withUnsafeBufferPointer { b in
                        state.spare.withUnsafeMutableBufferPointer { spare in
                            ParallelBlocks.forEachBlock(
                                count: count, threadCount: threads,
                                MomentumJob(weights: wp, gradient: gp, buffer: b.baseAddress!, spare: spare.baseAddress!,
                                            streaming: streaming, partials: partials.baseAddress!, coefficients: c))
                        }
                    }
                case (.adam, _):
                    state.first.withUnsafeBufferPointer { m in
                        state.second.withUnsafeBufferPointer { v in
                            state.spare.withUnsafeMutableBufferPointer { mOut in
                                state.spareSecond.withUnsafeMutableBufferPointer { vOut in
                                    ParallelBlocks.forEachBlock(
                                        count: count, threadCount: threads,
                                        AdamJob(weights: wp, gradient: gp, firstMoment: m.baseAddress!, secondMoment: v.baseAddress!,
                                                spareFirstMoment: mOut.baseAddress!, spareSecondMoment: vOut.baseAddress!,
                                                streaming: streaming, partials: partials.baseAddress!, coefficients: c))
                                }
                            }
                        }
                    }
                }
                for block in 0..<ParallelBlocks.blockCount(count) where partials[block].nonFinite {
                    // The gradient was overwritten as it was read; the block says where it was.
                    let range = ParallelBlocks.range(ofBlock: block, count: count)
                    return VarianceKitError.nonFiniteGradient(
                        optimizer: name, parameter: id, element: nil, value: nil, elements: range)
                }
                state.pending = c
                return nil
            }
        }
    }

    /// Validates shapes and the decay fraction for parameter `id`'s next step and returns the
    /// kernel constants. Writes nothing.
    private func coefficients(id: ParameterID, values: Matrix, gradient: Matrix) throws -> FusedCoefficients {
        guard gradient.rows == values.rows, gradient.columns == values.columns else {
            throw VarianceKitError.shape(
                "\(name).step", "the gradient of \(id)", actual: [gradient.rows, gradient.columns], expected: [values.rows, values.columns],
                "\(id) is \(values.rows) x \(values.columns) but its gradient is \(gradient.rows) x \(gradient.columns); they must match")
        }
        let state = states[id]
        if let state, state.rows != values.rows || state.columns != values.columns {
            throw VarianceKitError.shape(
                "\(name).step", "\(id)", actual: [values.rows, values.columns], expected: [state.rows, state.columns],
                "\(id) is \(values.rows) x \(values.columns) but its optimizer state is \(state.rows) x \(state.columns); call resetState() after changing a network's shape")
        }
        let t = state?.stepCount ?? 0
        let multiplier = schedule.multiplier(atStep: t)
        let rate = learningRate * multiplier
        let group = groups.group(for: id)
        let decay = group.weightDecay.fraction(learningRate: rate, scheduleMultiplier: multiplier)
        guard decay.isFinite, decay >= 0, decay <= 1 else {
            throw VarianceKitError.invalidParameter(
                name: "weight-decay fraction of \(id) (\(group.weightDecay))", value: "\(decay)",
                expected: "a number in [0, 1] (learningRateScaled: learningRate * weightDecay; scheduleScaled: multiplier * weightDecay)")
        }
        var c = FusedCoefficients()
        c.decay = decay
        c.keep = 1 - decay
        c.l1 = group.penalty.subgradientL1Coefficient
        c.l2 = group.penalty.l2Coefficient
        c.proximal = group.penalty.isProximal
        c.threshold = group.penalty.proximalThreshold(learningRate: rate)
        switch algorithm {
        case let .sgd(momentum, dampening, nesterov):
            c.stepSize = rate
            if momentum > 0 {
                // PyTorch's convention: the first step copies the gradient into the buffer.
                c.bufferDecay = t == 0 ? 0 : momentum
                c.gradientWeight = t == 0 ? 1 : 1 - dampening
                c.nesterovGradient = nesterov ? 1 : 0
                c.nesterovBuffer = nesterov ? momentum : 1
            }
        case let .adam(beta1, beta2, epsilon):
            let step = Double(t + 1)
            let correction1 = 1 - pow(Double(beta1), step)
            let correction2 = 1 - pow(Double(beta2), step)
            c.stepSize = Float(Double(rate) / correction1)
            c.inverseRootCorrection2 = Float(1 / correction2.squareRoot())
            c.beta1 = beta1
            c.oneMinusBeta1 = 1 - beta1
            c.beta2 = beta2
            c.oneMinusBeta2 = 1 - beta2
            c.epsilon = epsilon
        }
        return c
    }

    /// Counts the step of `id` whose pass just ran, and records its statistics.
    private func commit(id: ParameterID) -> ParameterStepStatistics {
        let state = states[id]!
        let c = state.pending
        let count = state.rows * state.columns
        var absoluteSum = 0.0, squareSum = 0.0, zeros = 0
        for block in 0..<ParallelBlocks.blockCount(count) {
            absoluteSum += state.partials[block].absoluteSum
            squareSum += state.partials[block].squareSum
            zeros += state.partials[block].exactZeros
        }
        let penalty = groups.group(for: id).penalty
        let penaltyValue = penalty.isNone
            ? 0 : Double(penalty.l1Coefficient) * absoluteSum + Double(penalty.l2Coefficient) / 2 * squareSum
        let multiplier = schedule.multiplier(atStep: state.stepCount)
        state.stepCount += 1
        let statistics = ParameterStepStatistics(
            id: id, stepCount: state.stepCount, elementCount: count, exactZeroCount: c.proximal ? zeros : nil,
            penaltyValue: penaltyValue, learningRate: learningRate * multiplier, decayFraction: c.decay)
        state.statistics = statistics
        return statistics
    }

    // MARK: Inspection

    func statistics(for id: ParameterID) -> ParameterStepStatistics? { states[id]?.statistics }

    func state(for id: ParameterID) -> OptimizerState? {
        guard let state = states[id], state.stepCount > 0 else { return nil }
        switch algorithm {
        case .sgd:
            return OptimizerState(
                stepCount: state.stepCount, momentumBuffer: bufferCount > 0 ? state.first : nil,
                firstMoment: nil, secondMoment: nil)
        case .adam:
            return OptimizerState(
                stepCount: state.stepCount, momentumBuffer: nil,
                firstMoment: state.first, secondMoment: state.second)
        }
    }

    func resetState() { states = [:] }

    /// Replaces the state of `id` (a `rows x columns` parameter) by `saved`, so the next step
    /// continues where the run that saved it stopped.
    func restoreState(_ saved: OptimizerState, for id: ParameterID, rows: Int, columns: Int) throws {
        guard saved.stepCount >= 1 else {
            throw VarianceKitError.invalidParameter(
                name: "step count of \(id)", value: "\(saved.stepCount)", expected: "an integer >= 1 (a state is saved after a step)")
        }
        let buffers: [(String, Matrix?)]
        switch algorithm {
        case .sgd: buffers = bufferCount > 0 ? [("momentum buffer", saved.momentumBuffer)] : []
        case .adam: buffers = [("first moment", saved.firstMoment), ("second moment", saved.secondMoment)]
        }
        for (name, buffer) in buffers {
            guard let buffer else {
                throw VarianceKitError.missingCapability(
                    operation: "\(self.name).restoreState(for: \(id))", missing: "the saved state has no \(name), which \(self.name) keeps")
            }
            guard buffer.rows == rows, buffer.columns == columns else {
                throw VarianceKitError.shape(
                    "\(self.name).restoreState", "\(name) of \(id)", actual: [buffer.rows, buffer.columns], expected: [rows, columns],
                    "a saved buffer must have its parameter's shape")
            }
            let finite = buffer.withUnsafeBufferPointer { $0.allSatisfy(\.isFinite) }
            guard finite else {
                throw VarianceKitError.invalidParameter(
                    name: "\(name) of \(id)", value: "a buffer holding inf or NaN", expected: "finite values")
            }
        }
        let state = try ParameterState(rows: rows, columns: columns, buffers: bufferCount,
                                       purpose: "\(self.name)'s restored state for \(id)")
        state.stepCount = saved.stepCount
        if let first = buffers.first?.1 { state.first = first }
        if buffers.count > 1, let second = buffers[1].1 { state.second = second }
        states[id] = state
    }
}

// MARK: - Block jobs

/// Plain SGD over one block: new weights into the gradient buffer, statistics into the block's slot.
struct SGDJob: BlockJob {
    static let blockRunEntry: ParallelJobEntry = { BlockRun<SGDJob>.runBlocks($0, $1, $2) }

    let weights: UnsafePointer<Float>
    let gradient: UnsafeMutablePointer<Float>
    let partials: UnsafeMutablePointer<BlockStatistics>
    let coefficients: FusedCoefficients

    func run(block: Int, range: Range<Int>) {
        partials[block] = FusedKernels.sgd(
            weights: weights, gradient: gradient, output: gradient, range: range, coefficients)
    }
}

/// SGD with momentum over one block: new weights into the gradient buffer, new momentum into
/// the spare buffer, statistics into the block's slot.
struct MomentumJob: BlockJob {
    static let blockRunEntry: ParallelJobEntry = { BlockRun<MomentumJob>.runBlocks($0, $1, $2) }

    let weights: UnsafePointer<Float>
    let gradient: UnsafeMutablePointer<Float>
    let buffer: UnsafePointer<Float>
    let spare: UnsafeMutablePointer<Float>
    /// Whether the spare buffer is written with streaming stores (large parameters).
    let streaming: Bool
    let partials: UnsafeMutablePointer<BlockStatistics>
    let coefficients: FusedCoefficients

    func run(block: Int, range: Range<Int>) {
        partials[block] = FusedKernels.sgdMomentum(
            weights: weights, gradient: gradient, buffer: buffer, weightsOutput: gradient, bufferOutput: spare,
            streamingBuffer: streaming, range: range, coefficients)
    }
}

/// Adam over one block: new weights into the gradient buffer, new `m` and `v` into the spare
/// buffers, statistics into the block's slot.
struct AdamJob: BlockJob {
    static let blockRunEntry: ParallelJobEntry = { BlockRun<AdamJob>.runBlocks($0, $1, $2) }

    let weights: UnsafePointer<Float>
    let gradient: UnsafeMutablePointer<Float>
    let firstMoment: UnsafePointer<Float>
    let secondMoment: UnsafePointer<Float>
    let spareFirstMoment: UnsafeMutablePointer<Float>
    let spareSecondMoment: UnsafeMutablePointer<Float>
    /// Whether the spare buffers are written with streaming stores (large parameters).
    let streaming: Bool
    let partials: UnsafeMutablePointer<BlockStatistics>
    let coefficients: FusedCoefficients

    func run(block: Int, range: Range<Int>) {
        partials[block] = FusedKernels.adam(
            weights: weights, gradient: gradient, firstMoment: firstMoment, secondMoment: secondMoment,
            weightsOutput: gradient, firstMomentOutput: spareFirstMoment, secondMomentOutput: spareSecondMoment,
            streamingMoments: streaming, range: range, coefficients)
    }
}
