/// How a `Trainer` runs: the batch size, how long, how often it evaluates and probes, and the
/// seed of the minibatch order.
public struct TrainingSettings: Sendable, Hashable, Codable {
    /// Samples per minibatch.
    public private(set) var batchSize: Int
    /// Optimizer steps of the whole run (`train()` stops there; a resumed run counts the steps
    /// already taken).
    public private(set) var steps: Int
    /// The validation (and training) figures are recorded every this many steps, and after the
    /// last step.
    public private(set) var evaluateEvery: Int
    /// The network is probed every this many steps (0: never).
    public private(set) var probeEvery: Int
    /// The key of the minibatch order (`RandomStream.shuffle`).
    public private(set) var shuffleSeed: UInt64

    /// The most steps a run may take.
    public static let stepRange = 1...10_000_000

    /// Settings of a run.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a batch size below 1, steps outside
    ///   `stepRange`, `evaluateEvery` below 1 or `probeEvery` below 0.
    public init(batchSize: Int, steps: Int, evaluateEvery: Int, probeEvery: Int = 0, shuffleSeed: UInt64 = 0) throws {
        guard batchSize >= 1 else {
            throw VarianceKitError.invalidParameter(name: "batch size", value: "\(batchSize)", expected: "an integer >= 1")
        }
        guard Self.stepRange.contains(steps) else {
            throw VarianceKitError.invalidParameter(
                name: "steps", value: "\(steps)", expected: "an integer in \(Self.stepRange.lowerBound)...\(Self.stepRange.upperBound)")
        }
        guard evaluateEvery >= 1 else {
            throw VarianceKitError.invalidParameter(name: "evaluate every", value: "\(evaluateEvery)", expected: "an integer >= 1 (steps)")
        }
        guard probeEvery >= 0 else {
            throw VarianceKitError.invalidParameter(name: "probe every", value: "\(probeEvery)", expected: "an integer >= 0 (steps; 0 = never)")
        }
        self.batchSize = batchSize
        self.steps = steps
        self.evaluateEvery = evaluateEvery
        self.probeEvery = probeEvery
        self.shuffleSeed = shuffleSeed
    }

    /// The steps a run of `epochs` epochs over `trainingSamples` samples takes: `epochs ·
    /// ⌊trainingSamples / batchSize⌋` (each epoch visits every full batch once).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for `epochs < 1`, `trainingSamples < 0`,
    ///   `batchSize < 1`, or when the product leaves `stepRange`.
    public static func steps(epochs: Int, trainingSamples: Int, batchSize: Int) throws -> Int {
        guard epochs >= 1 else {
            throw VarianceKitError.invalidParameter(name: "epochs", value: "\(epochs)", expected: "an integer >= 1")
        }
        guard trainingSamples >= 0 else {
            throw VarianceKitError.invalidParameter(name: "training samples", value: "\(trainingSamples)", expected: "an integer >= 0")
        }
        guard batchSize >= 1 else {
            throw VarianceKitError.invalidParameter(name: "batch size", value: "\(batchSize)", expected: "an integer >= 1")
        }
        let perEpoch = max(trainingSamples / batchSize, 1)
        let (steps, overflow) = epochs.multipliedReportingOverflow(by: perEpoch)
        guard !overflow, stepRange.contains(steps) else {
            throw VarianceKitError.invalidParameter(
                name: "epochs", value: "\(epochs)",
                expected: "at most \(stepRange.upperBound / perEpoch) epochs (\(perEpoch) steps each, at most \(stepRange.upperBound) steps)")
        }
        return steps
    }

    private enum CodingKeys: String, CodingKey { case batchSize, steps, evaluateEvery, probeEvery, shuffleSeed }

    /// Decodes and validates as `init` does.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(batchSize: c.decode(Int.self, forKey: .batchSize), steps: c.decode(Int.self, forKey: .steps),
                      evaluateEvery: c.decode(Int.self, forKey: .evaluateEvery), probeEvery: c.decode(Int.self, forKey: .probeEvery),
                      shuffleSeed: c.decode(UInt64.self, forKey: .shuffleSeed))
    }
}
