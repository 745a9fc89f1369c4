/// Samples labelled by a random teacher network: regression on its outputs, or classification
/// by the argmax of its outputs. A fixed function of the seed.
///
/// The teacher is `Network(widths:activation:initializer:bias: true, outputActivation: .linear,
/// seed:)`: hidden layers with `activation`, an identity output layer, weights drawn by
/// `initializer` (weight of layer `l` on `RandomStream.weight(layer: l)`), zero biases, except
/// for classification, where the output layer's biases are set by the calibration below.
/// Generative model, for sample `i`:
/// - input `x_i ~ N(0, I)` in `widths[0]` dimensions (`RandomFill.normal` on
///   `RandomStream.teacherInput`, element `i * widths[0] + j`);
/// - regression: `y_i = teacher(x_i) + noiseStandardDeviation * e_i`, `e_i ~ N(0, I)`
///   (`RandomFill.normal` on `RandomStream.synthesis`, element `i * outputs + k`), so
///   `Var(y) = Var(teacher(x)) + noiseStandardDeviation^2` per output. The teacher's own output
///   variance is not normalized: in the linear regime it is `prod_l fanIn_l Var(W_l)` (1/3 per
///   layer for `standard`, about 1 for Xavier on equal widths), smaller through saturating tanh units;
/// - classification: `y_i = argmax_k teacher(x_i)_k` (the first on ties), `classCount = widths.last`.
///
/// Class balance. Without biases, the argmax of a random teacher favours the output units with the
/// largest weights (a few classes can take most samples). So the output biases are calibrated:
/// `calibrationSamplesPerClass * classCount` further inputs (`RandomStream.teacherInput`, from
/// counter block `2^63`, disjoint from the dataset's) go through the bias-free teacher, and
/// offsets `b_k` are chosen by exact coordinate steps on the dual of the balanced assignment
/// (each step gives class `k` exactly `calibrationSamplesPerClass` of those inputs given the
/// other offsets), until every class holds exactly its share or `calibrationSweeps` sweeps have
/// passed (a few sweeps suffice in practice). The offsets (their mean subtracted) become the
/// output biases. The teacher's class frequencies are then `1/classCount` up to the
/// calibration's sampling error, a relative standard deviation of about
/// `1/sqrt(calibrationSamplesPerClass)` (3%) per class, to which a dataset of `n` samples adds
/// its own, `sqrt(classCount/n)`: with 32 classes and 20 000 samples the class counts lie within
/// ±20% of `n/classCount` (tested for 2 to 32 classes; the bias-free argmax of the 32-class
/// teacher there gives its classes from 30 to 1889 of the 20 000 samples). A sweep costs
/// `O(classes^2 * calibrationSamplesPerClass)`.
public struct TeacherDataset: Sendable, Hashable {
    /// What the targets are.
    public enum Task: String, Sendable, Hashable, Codable, CaseIterable {
        /// Real targets: the teacher's outputs plus noise.
        case regression
        /// Class labels: the argmax of the teacher's outputs.
        case classification
    }

    /// Regression or classification.
    public private(set) var task: Task
    /// Number of samples, in `SyntheticLimits.sampleRange`.
    public private(set) var samples: Int
    /// The teacher's widths: inputs, hidden..., outputs (the class count for classification).
    public private(set) var widths: [Int]
    /// The hidden layers' activation (the output layer is linear).
    public private(set) var activation: Activation
    /// How the teacher's weights are drawn.
    public private(set) var initializer: Initializer
    /// The standard deviation of the regression noise (0 for classification).
    public private(set) var noiseStandardDeviation: Float
    /// The key of every draw (teacher, inputs, noise).
    public private(set) var seed: UInt64

    /// Class counts accepted for classification.
    public static let classRange = 2...256
    /// Calibration inputs per class.
    public static let calibrationSamplesPerClass = 1024
    /// The most calibration sweeps (one coordinate step per class each).
    public static let calibrationSweeps = 100
    /// Rows the teacher labels per forward pass (its workspaces are this many rows at most).
    static let batchRows = 4096

    /// A teacher task of these parameters.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a sample count outside its range, fewer
    ///   than two widths or a width outside `SyntheticLimits.featureRange`, a classification
    ///   output count outside `classRange`, a noise outside `0 ... SyntheticLimits.maximumNoise`
    ///   or a non-zero noise for classification, or an invalid activation parameter.
    public init(task: Task, samples: Int, widths: [Int], activation: Activation = .tanh,
                initializer: Initializer = .xavierNormal(), noiseStandardDeviation: Float = 0, seed: UInt64) throws {
        try SyntheticLimits.require(samples, in: SyntheticLimits.sampleRange, "samples")
        guard widths.count >= 2, widths.allSatisfy({ SyntheticLimits.featureRange.contains($0) }) else {
            throw VarianceKitError.invalidParameter(
                name: "teacher widths", value: "\(widths)",
                expected: "at least two integers in \(SyntheticLimits.featureRange.lowerBound)...\(SyntheticLimits.featureRange.upperBound) (inputs, hidden..., outputs)")
        }
        if task == .classification {
            try SyntheticLimits.require(widths[widths.count - 1], in: Self.classRange, "classes (teacher outputs)")
        }
        try SyntheticLimits.require(widths.count - 1, in: 1...1000, "teacher layers")
        try SyntheticLimits.requireNoise(noiseStandardDeviation)
        guard task == .regression || noiseStandardDeviation == 0 else {
            throw VarianceKitError.invalidParameter(
                name: "noise standard deviation", value: "\(noiseStandardDeviation)",
                expected: "0 for classification (the labels are the teacher's argmax, without noise)")
        }
        try activation.validate()
        self.task = task
        self.samples = samples
        self.widths = widths
        self.activation = activation
        self.initializer = initializer
        self.noiseStandardDeviation = noiseStandardDeviation
        self.seed = seed
    }

    /// Input features: `widths[0]`.
    public var inputs: Int { widths[0] }
    /// Teacher outputs: the target columns, or the class count.
    public var outputs: Int { widths[widths.count - 1] }
    /// The dataset's name: `teacher-regression` or `teacher-classification`.
    public var name: String {
        (task == .regression ? SyntheticDatasetName.teacherRegression : .teacherClassification).rawValue
    }

    /// Bytes held at the peak: the inputs, the teacher's outputs and the labels, the teacher with
    /// its workspaces for a batch, the batch copies, and for classification the calibration inputs
    /// and outputs with their bookkeeping.
    public var memoryRequirement: Int {
        let batch = min(samples, Self.batchRows)
        let teacher = Network.memoryFootprint(widths: widths, batchSize: batch).total
        var parts = [SyntheticLimits.floatBytes(samples, inputs), SyntheticLimits.floatBytes(samples, outputs), teacher,
                     SyntheticLimits.floatBytes(batch, inputs + outputs)]
        if task == .classification {
            let calibration = Self.calibrationSamplesPerClass * outputs
            parts += [SyntheticLimits.labelBytes(samples), SyntheticLimits.floatBytes(calibration, inputs + outputs),
                      SyntheticLimits.product(calibration, 6 * 8)]
        }
        return SyntheticLimits.sum(parts)
    }

    /// The teacher network (for classification with its calibrated output biases).
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` before allocating when
    ///   `memoryRequirement` does not fit; the errors of `Network(widths:...)` for an initializer
    ///   that cannot fill the teacher's layers (naming the layer); allocation errors.
    public func teacher() throws -> Network {
        try MemoryBudget.require(memoryRequirement, for: "a \(name) dataset of \(samples) samples, teacher widths \(widths)")
        let network = try Network(widths: widths, activation: activation, initializer: initializer, bias: true,
                                  outputActivation: .linear, seed: seed)
        if task == .classification { try calibrate(network) }
        return network
    }

    /// The `samples` samples: features `[samples, inputs]` and regression targets
    /// `[samples, outputs]` or labels in `0 ..< outputs`.
    ///
    /// - Throws: as `teacher()`.
    public func makeDataset() throws -> Dataset {
        let network = try teacher()
        var features = try Matrix(rows: samples, columns: inputs)
        try RandomFill.normal(&features, seed: seed, stream: RandomStream.teacherInput.id)
        var targets = try Matrix(rows: samples, columns: outputs)
        if noiseStandardDeviation > 0 {
            try RandomFill.normal(&targets, standardDeviation: noiseStandardDeviation, seed: seed, stream: RandomStream.synthesis.id)
        }
        try Self.addOutputs(of: network, for: features, to: &targets)
        switch task {
        case .regression:
            return try Dataset(name: name, features: features, targets: .values(targets))
        case .classification:
            let classes = outputs
            let labels = targets.withUnsafeBufferPointer { scores in
                (0 ..< samples).map { row in Self.argmax(scores.baseAddress! + row * classes, count: classes) }
            }
            return try Dataset(name: name, features: features, targets: .classes(labels: labels, classCount: classes))
        }
    }

    // MARK: - Labelling

    /// `targets += network(inputs)`, `batchRows` rows per forward pass through two batch matrices
    /// allocated once (and once more for a shorter last batch).
    static func addOutputs(of network: Network, for inputs: Matrix, to targets: inout Matrix) throws {
        let rows = inputs.rows, (fanIn, fanOut) = (inputs.columns, targets.columns)
        var batchInput = try Matrix(rows: min(rows, batchRows), columns: fanIn)
        var batchOutput = try Matrix(rows: batchInput.rows, columns: fanOut)
        var start = 0
        while start < rows {
            let count = min(batchRows, rows - start)
            if count != batchInput.rows {
                batchInput = try Matrix(rows: count, columns: fanIn)
                batchOutput = try Matrix(rows: count, columns: fanOut)
            }
            inputs.withUnsafeBufferPointer { source in
                batchInput.withUnsafeMutableBufferPointer { target in
                    target.baseAddress!.update(from: source.baseAddress! + start * fanIn, count: count * fanIn)
                }
            }
            try network.forward(batchInput, into: &batchOutput)
            batchOutput.withUnsafeBufferPointer { source in
                targets.withUnsafeMutableBufferPointer { target in
                    let base = target.baseAddress! + start * fanOut
                    for index in 0 ..< count * fanOut { base[index] += source[index] }
                }
            }
            start += count
        }
    }

    /// The index of the largest of `count` scores (the first on ties).
    static func argmax(_ scores: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        for index in 1 ..< count where scores[index] > scores[best] { best = index }
        return best
    }

    // MARK: - Calibration

    /// Sets the output layer's biases to the balancing offsets of the bias-free teacher's outputs
    /// on the calibration inputs.
    func calibrate(_ network: Network) throws {
        let count = Self.calibrationSamplesPerClass * outputs
        var calibrationInputs = try Matrix(rows: count, columns: inputs)
        calibrationInputs.withUnsafeMutableBufferPointer { buffer in
            RandomFill.run(buffer, lanes: PhiloxLanes(seed: seed, stream: RandomStream.teacherInput.id, blockOffset: 1 << 63),
                           threads: ThreadPolicy.threadCount, transform: NormalTransform(mean: 0, standardDeviation: 1))
        }
        var scores = try Matrix(rows: count, columns: outputs)
        try Self.addOutputs(of: network, for: calibrationInputs, to: &scores)
        let offsets = scores.withUnsafeBufferPointer { scores in
            Self.balancingOffsets(scores: scores, classes: outputs, perClass: Self.calibrationSamplesPerClass,
                                  sweeps: Self.calibrationSweeps)
        }
        let last = network.depth - 1
        network.forEachParameter { id, values, _ in
            guard id == ParameterID(layer: last, kind: .bias) else { return }
            values.withUnsafeMutableBufferPointer { bias in
                for k in 0 ..< bias.count { bias[k] = Float(offsets[k]) }
            }
        }
    }

    /// Offsets `b` such that `argmax_k (scores_ik + b_k)` puts `perClass` of the
    /// `perClass * classes` rows in each class (up to the `sweeps` limit), with zero mean.
    ///
    /// Coordinate steps on the dual of the balanced assignment: for class `k`, the rows it wins
    /// are those whose margin `max_{j != k} (s_ij + b_j) - s_ik` lies below `b_k`, so `b_k` is set
    /// midway between the `perClass`-th and `(perClass + 1)`-th smallest margins. Each row's best
    /// and second-best classes are kept up to date, so a step costs `O(rows)` plus a rescan of
    /// the rows whose top two changed. All buffers are allocated before the sweeps.
    static func balancingOffsets(scores: UnsafeBufferPointer<Float>, classes: Int, perClass: Int, sweeps: Int) -> [Double] {
        let rows = perClass * classes
        var offsets = [Double](repeating: 0, count: classes)
        var best = [Int](repeating: 0, count: rows), second = [Int](repeating: 0, count: rows)
        var bestValue = [Double](repeating: 0, count: rows), secondValue = [Double](repeating: 0, count: rows)
        var margins = [Double](repeating: 0, count: rows)
        var wins = [Int](repeating: 0, count: classes)

        func rescan(_ row: Int) {
            var (first, firstValue) = (0, Double(scores[row * classes]) + offsets[0])
            var (runnerUp, runnerUpValue) = (-1, -Double.infinity)
            for k in 1 ..< classes {
                let value = Double(scores[row * classes + k]) + offsets[k]
                if value > firstValue {
                    (runnerUp, runnerUpValue) = (first, firstValue)
                    (first, firstValue) = (k, value)
                } else if value > runnerUpValue {
                    (runnerUp, runnerUpValue) = (k, value)
                }
            }
            (best[row], bestValue[row], second[row], secondValue[row]) = (first, firstValue, runnerUp, runnerUpValue)
        }

        for row in 0 ..< rows { rescan(row) }
        for _ in 0 ..< sweeps {
            for k in 0 ..< classes {
                for row in 0 ..< rows {
                    let others = best[row] == k ? secondValue[row] : bestValue[row]
                    margins[row] = others - Double(scores[row * classes + k])
                }
                let upper = select(&margins, rank: perClass)
                var lower = -Double.infinity
                for row in 0 ..< perClass { lower = max(lower, margins[row]) }
                offsets[k] = (lower + upper) / 2
                for row in 0 ..< rows {
                    let value = Double(scores[row * classes + k]) + offsets[k]
                    if best[row] == k {
                        if value >= secondValue[row] { bestValue[row] = value } else { rescan(row) }
                    } else if second[row] == k {
                        if value > bestValue[row] {
                            (second[row], secondValue[row]) = (best[row], bestValue[row])
                            (best[row], bestValue[row]) = (k, value)
                        } else if value >= secondValue[row] {
                            secondValue[row] = value
                        } else {
                            rescan(row)
                        }
                    } else if value > bestValue[row] {
                        (second[row], secondValue[row]) = (best[row], bestValue[row])
                        (best[row], bestValue[row]) = (k, value)
                    } else if value > secondValue[row] {
                        (second[row], secondValue[row]) = (k, value)
                    }
                }
            }
            for k in 0 ..< classes { wins[k] = 0 }
            for row in 0 ..< rows { wins[best[row]] += 1 }
            if wins.allSatisfy({ $0 == perClass }) { break }
        }
        let mean = offsets.reduce(0, +) / Double(classes)
        return offsets.map { $0 - mean }
    }

    /// Reorders `values` so that `values[rank]` is the value of that rank in sorted order and
    /// every earlier element is `<=` it (Hoare's selection, in place); returns `values[rank]`.
    static func select(_ values: inout [Double], rank: Int) -> Double {
        var (low, high) = (0, values.count - 1)
        while low < high {
            let middle = low + (high - low) / 2
            // Median of three as the pivot.
            if values[middle] < values[low] { values.swapAt(middle, low) }
            if values[high] < values[low] { values.swapAt(high, low) }
            if values[high] < values[middle] { values.swapAt(high, middle) }
            let pivot = values[middle]
            var (i, j) = (low, high)
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if rank <= j { high = j } else if rank >= i { low = i } else { break }
        }
        return values[rank]
    }
}
