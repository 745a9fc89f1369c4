/// L2, decoupled weight decay and L1 made visible: a student network learns a teacher network's
/// function from the same initial weights under six regularized optimizers, and the training
/// loss, the weight norm and the exact zeros are recorded.
///
/// The teacher (`teacherWidths`, tanh hidden layers, identity output, Xavier-normal weights and
/// zero biases from `seed`) labels `samples` i.i.d. standard-normal inputs (`seed`,
/// `RandomStream.input`). The student (`widths`, same activations and scheme, from
/// `studentSeed`) is trained full-batch on the mean squared error with each of:
///
/// | optimizer | regularizer |
/// |---|---|
/// | SGD | `L2(λ, n)`: gradient `+ (λ/n) w` |
/// | SGD | decoupled decay `η λ/n` per step: the same weights as SGD + L2 |
/// | Adam | `L2(λ, n)`: rescaled by Adam's per-parameter step |
/// | AdamW | decoupled decay `η_Adam λ/n`: every weight shrunk by the same fraction |
/// | SGD | `L1(λ, n)` by subgradient: oscillates around zero |
/// | SGD | `L1(λ, n)` proximal (soft threshold): exact zeros |
///
/// Biases are not regularized.
public struct RegularizationExperiment: Sendable, Hashable, Codable {
    /// The seed of the teacher, the inputs and (through `studentSeed`) the student.
    public private(set) var seed: UInt64
    /// Student widths: inputs, hidden..., outputs.
    public private(set) var widths: [Int]
    /// Teacher widths, with the student's inputs and outputs.
    public private(set) var teacherWidths: [Int]
    /// Training samples (one full batch), in `sampleRange`.
    public private(set) var samples: Int
    /// Optimizer steps per run, in `stepRange`.
    public private(set) var steps: Int
    /// The loss and weight norm are recorded every this many steps, and after the last.
    public private(set) var recordEvery: Int
    /// SGD's `η`.
    public private(set) var learningRate: Float
    /// Adam's and AdamW's `η`.
    public private(set) var adamLearningRate: Float
    /// `λ` of L1 and L2.
    public private(set) var lambda: Float
    /// `n` of `λ/n`.
    public private(set) var normalizer: Float

    /// The largest width and sample count accepted.
    public static let widthRange = 1...65536
    /// The sample counts accepted.
    public static let sampleRange = 1...1_000_000
    /// The step counts accepted.
    public static let stepRange = 1...100_000

    /// - Throws: `VarianceKitError.invalidParameter` naming the first setting out of range;
    ///   `.shapeMismatch` when the teacher's inputs or outputs differ from the student's.
    public init(
        seed: UInt64, widths: [Int], teacherWidths: [Int], samples: Int, steps: Int, recordEvery: Int,
        learningRate: Float, adamLearningRate: Float, lambda: Float, normalizer: Float? = nil
    ) throws {
        for (name, list) in [("widths", widths), ("teacherWidths", teacherWidths)] {
            guard list.count >= 2, list.allSatisfy({ Self.widthRange.contains($0) }) else {
                throw VarianceKitError.invalidParameter(
                    name: name, value: "\(list)", expected: "at least two integers in 1...65536 (inputs, ..., outputs)")
            }
        }
        guard widths.first == teacherWidths.first, widths.last == teacherWidths.last else {
            throw VarianceKitError.shape(
                "RegularizationExperiment", "teacher inputs and outputs",
                actual: [teacherWidths[0], teacherWidths[teacherWidths.count - 1]], expected: [widths[0], widths[widths.count - 1]],
                "student widths \(widths) and teacher widths \(teacherWidths) must have the same inputs and outputs")
        }
        for (name, value, range) in [("samples", samples, Self.sampleRange), ("steps", steps, Self.stepRange)]
        where !range.contains(value) {
            throw VarianceKitError.invalidParameter(name: name, value: "\(value)", expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        guard recordEvery >= 1 else {
            throw VarianceKitError.invalidParameter(name: "recordEvery", value: "\(recordEvery)", expected: "an integer >= 1")
        }
        try VarianceKitError.requirePositiveFinite(learningRate, "learningRate")
        try VarianceKitError.requirePositiveFinite(adamLearningRate, "adamLearningRate")
        try VarianceKitError.requireNonNegativeFinite(lambda, "lambda")
        if let normalizer { try VarianceKitError.requirePositiveFinite(normalizer, "normalizer") }
        self.seed = seed
        self.widths = widths
        self.teacherWidths = teacherWidths
        self.samples = samples
        self.steps = steps
        self.recordEvery = recordEvery
        self.learningRate = learningRate
        self.adamLearningRate = adamLearningRate
        self.lambda = lambda
        self.normalizer = normalizer ?? Float(samples)
    }

    /// The student's seed, derived from the teacher's so the two differ.
    public var studentSeed: UInt64 { seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// The steps at which the loss and norm are recorded: `0, recordEvery, ...` and `steps`.
    public var recordedSteps: [Int] {
        var recorded = Array(stride(from: 0, to: steps, by: recordEvery))
        recorded.append(steps)
        return recorded
    }

    /// `η λ/n`: the decay fraction per SGD step equivalent to `L2(λ, n)`.
    public var sgdDecayFraction: Float { learningRate * lambda / normalizer }
    /// `η_Adam λ/n`: AdamW's decay fraction per step.
    public var adamDecayFraction: Float { adamLearningRate * lambda / normalizer }

    /// Bytes held at the peak: the training and held-out inputs and targets, the teacher, and one
    /// student with its optimizer state (at most two buffers the size of its parameters).
    public var memoryRequirement: Int {
        let floatSize = MemoryLayout<Float>.stride
        let teacher = Network.memoryFootprint(widths: teacherWidths, batchSize: samples)
        let student = Network.memoryFootprint(widths: widths, batchSize: samples)
        let data = samples.multipliedReportingOverflow(by: 3 * (widths[0] + widths[widths.count - 1]) * floatSize)
        let parts = [teacher.total, student.total, student.parameters.multipliedReportingOverflow(by: 2).partialValue,
                     data.overflow ? Int.max : data.partialValue]
        return parts.reduce(0) { total, part in
            let sum = total.addingReportingOverflow(part)
            return sum.overflow ? Int.max : sum.partialValue
        }
    }

    /// The six optimizers, in the order of the type's table.
    public func optimizers() throws -> [(optimizer: String, regularizer: String, make: () throws -> any Optimizer)] {
        let (eta, adamEta, lambda, n) = (learningRate, adamLearningRate, self.lambda, normalizer)
        return [
            ("SGD", "L2(lambda, n)", { try SGD(learningRate: eta, penalty: .l2(lambda: lambda, normalizer: n)) }),
            ("SGD", "decoupled decay lr*lambda/n", { try SGD(learningRate: eta, weightDecay: .learningRateScaled(lambda / n)) }),
            ("Adam", "L2(lambda, n)", { try Adam(learningRate: adamEta, penalty: .l2(lambda: lambda, normalizer: n)) }),
            ("AdamW", "decoupled decay lr*lambda/n", { try AdamW(learningRate: adamEta, weightDecay: lambda / n) }),
            ("SGD", "L1(lambda, n) subgradient", { try SGD(learningRate: eta, penalty: .l1(lambda: lambda, normalizer: n)) }),
            ("SGD", "L1(lambda, n) proximal", {
                try SGD(learningRate: eta, penalty: .l1(lambda: lambda, normalizer: n, method: .proximal))
            }),
        ]
    }

    /// Trains the student once per optimizer, through `Trainer` (full batch: every step sees all
    /// `samples` training inputs), and records at every recorded step the training loss before
    /// that step's update, the weight norm and the loss on `samples` held-out inputs the teacher
    /// labels (`RandomStream.teacherInput`), which the student never trains on.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` before allocating when
    ///   `memoryRequirement` does not fit; errors of the library calls.
    public func run() throws -> RegularizationResult {
        try MemoryBudget.require(memoryRequirement, for: "a regularization study with \(samples) samples, widths \(widths)")
        let teacher = try Network(widths: teacherWidths, activation: .tanh, initializer: .xavierNormal(), bias: true,
                                  outputActivation: .linear, seed: seed)
        var inputs = try Matrix(rows: samples, columns: widths[0])
        try RandomFill.normal(&inputs, seed: seed, stream: RandomStream.input.id)
        let targets = try teacher.forward(inputs)
        var heldOutInputs = try Matrix(rows: samples, columns: widths[0])
        try RandomFill.normal(&heldOutInputs, seed: seed, stream: RandomStream.teacherInput.id)
        let heldOutTargets = try teacher.forward(heldOutInputs)
        let train = try Dataset(name: "teacher", features: inputs, targets: .values(targets))
        let heldOut = try Dataset(name: "teacher (held out)", features: heldOutInputs, targets: .values(heldOutTargets))
        let data = try DatasetSplit(train: train, validation: heldOut, test: heldOut.subset(0 ..< 0))
        let settings = try TrainingSettings(batchSize: samples, steps: steps, evaluateEvery: recordEvery, shuffleSeed: seed)
        let recorded = recordedSteps
        var runs: [RegularizationRun] = []
        for entry in try optimizers() {
            let student = try Network(widths: widths, activation: .tanh, initializer: .xavierNormal(), bias: true,
                                      outputActivation: .linear, seed: studentSeed)
            let trainer = try Trainer(network: student, optimizer: try entry.make(), data: data, settings: settings)
            // The loss of step s before its update reaches the observer as `.step(s + 1, loss)`.
            var lossBeforeStep: [Int: Double] = [:]
            trainer.observers.append(ClosureObserver { event, _ in
                if case let .step(step, loss) = event { lossBeforeStep[step - 1] = loss }
                return .proceed
            })
            let record = try trainer.train()
            var run = RegularizationRun(optimizer: entry.optimizer, regularizer: entry.regularizer)
            let points = Dictionary(record.points.map { ($0.step, $0) }, uniquingKeysWith: { first, _ in first })
            for step in recorded {
                let point = points[step]
                let loss = step == steps ? record.finalTraining?.loss : lossBeforeStep[step]
                run.trainingLoss.append(loss ?? .nan)
                run.weightNorm.append(point.map { $0.weightNorms.reduce(0) { $0 + $1 * $1 }.squareRoot() } ?? .nan)
                run.heldOutLoss.append(point?.validation?.loss ?? .nan)
            }
            (run.sparsity, run.sparsityByLayer) = Self.sparsity(student)
            let finite = run.trainingLoss.allSatisfy(\.isFinite) && run.weightNorm.allSatisfy(\.isFinite)
            run.status = record.status == .ok && finite ? .ok : .diverged
            runs.append(run)
        }
        return RegularizationResult(runs: runs)
    }

    /// `‖W‖` over every weight matrix (biases excluded): `sqrt` of the layers' sums of squares
    /// (`Network.weightStatistics()`), each accumulated in Double.
    public static func weightNorm(_ network: Network) -> Double {
        network.weightStatistics().reduce(0) { $0 + $1.sumOfSquares }.squareRoot()
    }

    /// The fraction of exact zeros over all weight matrices, and per layer.
    public static func sparsity(_ network: Network) -> (Double, [Double]) {
        let weights = network.weightStatistics()
        let zeros = weights.reduce(0) { $0 + $1.exactZeros }, total = weights.reduce(0) { $0 + $1.count }
        return (total == 0 ? 0 : Double(zeros) / Double(total), weights.map(\.zeroFraction))
    }
}

extension RegularizationExperiment {
    enum CodingKeys: String, CodingKey {
        case seed, widths, teacherWidths, samples, steps, recordEvery, learningRate, adamLearningRate, lambda, normalizer
    }

    /// Decodes the settings and validates them as `init` does.
    ///
    /// - Throws: `DecodingError` for missing or mistyped fields; the initializer's
    ///   `VarianceKitError` for values out of range.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            seed: try c.decode(UInt64.self, forKey: .seed), widths: try c.decode([Int].self, forKey: .widths),
            teacherWidths: try c.decode([Int].self, forKey: .teacherWidths), samples: try c.decode(Int.self, forKey: .samples),
            steps: try c.decode(Int.self, forKey: .steps), recordEvery: try c.decode(Int.self, forKey: .recordEvery),
            learningRate: try c.decode(Float.self, forKey: .learningRate),
            adamLearningRate: try c.decode(Float.self, forKey: .adamLearningRate),
            lambda: try c.decode(Float.self, forKey: .lambda), normalizer: try c.decode(Float.self, forKey: .normalizer))
    }
}

/// What `RegularizationExperiment.run` recorded, one run per optimizer.
public struct RegularizationResult: Codable, Sendable, Equatable {
    /// One run per optimizer, in the order of `RegularizationExperiment.optimizers()`.
    public var runs: [RegularizationRun]

    /// A result of these runs.
    public init(runs: [RegularizationRun]) {
        self.runs = runs
    }
}

/// One optimizer's training run.
public struct RegularizationRun: Codable, Sendable, Equatable {
    /// The optimizer's name, e.g. `SGD`, `AdamW`.
    public var optimizer: String
    /// The regularizer, e.g. `L2(lambda, n)`.
    public var regularizer: String
    /// `ok`, or `diverged` when a recorded loss or norm is not finite.
    public var status: RunStatus = .ok
    /// Mean squared error at each recorded step (before that step's update).
    public var trainingLoss: [Double] = []
    /// `‖W‖`, the Euclidean norm of all weight matrices (biases excluded), at each recorded step.
    public var weightNorm: [Double] = []
    /// Mean squared error on the held-out samples at each recorded step (after that many steps).
    public var heldOutLoss: [Double] = []
    /// Fraction of weights (biases excluded) exactly zero at the end.
    public var sparsity: Double = 0
    /// The same per layer.
    public var sparsityByLayer: [Double] = []

    /// A run of `optimizer` with `regularizer`, nothing recorded yet.
    public init(optimizer: String, regularizer: String) {
        self.optimizer = optimizer
        self.regularizer = regularizer
    }

    enum CodingKeys: String, CodingKey {
        case optimizer, regularizer, status, trainingLoss, weightNorm, heldOutLoss, sparsity, sparsityByLayer
    }

    /// Writes the losses and norms that are not finite as null.
    public func encode(to encoder: Encoder) throws {
        // Non-finite values are written as null (the status says the run diverged).
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(optimizer, forKey: .optimizer)
        try container.encode(regularizer, forKey: .regularizer)
        try container.encode(status, forKey: .status)
        try container.encode(trainingLoss.map { $0.isFinite ? $0 : nil }, forKey: .trainingLoss)
        try container.encode(weightNorm.map { $0.isFinite ? $0 : nil }, forKey: .weightNorm)
        try container.encode(heldOutLoss.map { $0.isFinite ? $0 : nil }, forKey: .heldOutLoss)
        try container.encode(sparsity, forKey: .sparsity)
        try container.encode(sparsityByLayer, forKey: .sparsityByLayer)
    }

    /// Reads what `encode(to:)` writes; a null loss or norm becomes NaN.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        optimizer = try container.decode(String.self, forKey: .optimizer)
        regularizer = try container.decode(String.self, forKey: .regularizer)
        status = try container.decode(RunStatus.self, forKey: .status)
        trainingLoss = try container.decode([Double?].self, forKey: .trainingLoss).map { $0 ?? .nan }
        weightNorm = try container.decode([Double?].self, forKey: .weightNorm).map { $0 ?? .nan }
        heldOutLoss = try container.decodeIfPresent([Double?].self, forKey: .heldOutLoss)?.map { $0 ?? .nan } ?? []
        sparsity = try container.decode(Double.self, forKey: .sparsity)
        sparsityByLayer = try container.decode([Double].self, forKey: .sparsityByLayer)
    }
}
