/// Minibatches of a dataset, reshuffled every epoch, filled into preallocated matrices.
///
/// Epoch `e` visits the samples in a uniform random permutation drawn by Fisher-Yates from
/// Philox4x32 with key `seed` on `RandomStream.shuffle`, starting at counter block `e · 2^40`;
/// so the order of every epoch is a fixed function of `(seed, e)`, and a run resumed at
/// `(epoch, batchIndex)` sees exactly the batches an uninterrupted run would. Each epoch has
/// `⌊samples / batchSize⌋` full batches; the last `samples mod batchSize` samples of the
/// permutation are left out of that epoch (a different set each epoch), so every batch has the
/// same shape and a step allocates nothing.
///
/// `next()` overwrites `features` and `labels` (or `targets`) in place. While a `Loss` made by
/// `loss` is alive it shares the label buffer, so drop it before the next call, or that call copies.
public struct MinibatchIterator: Sendable {
    /// The dataset iterated over.
    public let dataset: Dataset
    /// Samples per batch.
    public let batchSize: Int
    /// The key of the shuffling stream.
    public let seed: UInt64
    /// The current batch's features, `[batchSize, features]`.
    public private(set) var features: Matrix
    /// The current batch's class labels (classification; empty otherwise).
    public private(set) var labels: [Int]
    /// The current batch's regression targets, `[batchSize, outputs]` (regression; `0 x 0` otherwise).
    public private(set) var targets: Matrix
    /// The epoch of the current batch (0-based; -1 before the first `next()`).
    public private(set) var epoch = -1
    /// The index of the current batch within its epoch.
    public private(set) var batchIndex = -1
    private var order: [Int]

    /// Full batches per epoch.
    public var batchesPerEpoch: Int { dataset.sampleCount / batchSize }

    /// Counter blocks reserved for one epoch's permutation.
    static let blocksPerEpoch: UInt64 = 1 << 40

    /// An iterator over `dataset` in batches of `batchSize`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` when `batchSize` is below 1 or above the
    ///   sample count; allocation errors.
    public init(dataset: Dataset, batchSize: Int, seed: UInt64) throws {
        guard batchSize >= 1, batchSize <= dataset.sampleCount else {
            throw VarianceKitError.invalidParameter(
                name: "batch size", value: "\(batchSize)",
                expected: "an integer in 1...\(dataset.sampleCount) (the \(dataset.name) training split has \(dataset.sampleCount) samples)")
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.seed = seed
        features = try Matrix(rows: batchSize, columns: dataset.featureCount)
        switch dataset.targets {
        case .classes:
            labels = [Int](repeating: 0, count: batchSize)
            targets = try Matrix(rows: 0, columns: 0)
        case let .values(values):
            labels = []
            targets = try Matrix(rows: batchSize, columns: values.columns)
        }
        order = Array(0 ..< dataset.sampleCount)
    }

    /// Moves to the next batch (the first of the next epoch after the last one) and fills
    /// `features` and `labels` or `targets` with it.
    ///
    /// Allocates nothing unless a copy of the previous `features` or `targets` is still held: the
    /// batch is then written into a buffer of its own, and, like an `Array`'s copy-on-write copy,
    /// that allocation traps if it fails.
    public mutating func next() {
        if epoch < 0 || batchIndex + 1 >= batchesPerEpoch {
            startEpoch(epoch + 1)
        } else {
            batchIndex += 1
        }
        fill()
    }

    /// Positions the iterator so that the next `next()` yields batch `batchIndex` of `epoch`
    /// (what a run that already took `epoch · batchesPerEpoch + batchIndex` batches sees next).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a negative epoch or a batch index
    ///   outside `0 ..< batchesPerEpoch`.
    public mutating func seek(epoch: Int, batchIndex: Int) throws {
        guard epoch >= 0, epoch < Int(Int32.max) else {
            throw VarianceKitError.invalidParameter(name: "epoch", value: "\(epoch)", expected: "an integer in 0..<\(Int32.max)")
        }
        guard batchIndex >= 0, batchIndex < batchesPerEpoch else {
            throw VarianceKitError.invalidParameter(
                name: "batch index", value: "\(batchIndex)", expected: "an integer in 0..<\(batchesPerEpoch)")
        }
        startEpoch(epoch)
        self.batchIndex = batchIndex - 1
    }

    /// Positions the iterator after `batches` batches have been taken from the start.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a negative count.
    public mutating func seek(afterBatches batches: Int) throws {
        guard batches >= 0 else {
            throw VarianceKitError.invalidParameter(name: "batches taken", value: "\(batches)", expected: "an integer >= 0")
        }
        try seek(epoch: batches / batchesPerEpoch, batchIndex: batches % batchesPerEpoch)
    }

    /// The loss of the current batch: softmax cross-entropy on `labels`, or the mean squared
    /// error against `targets`.
    public var loss: Loss {
        dataset.isClassification ? .softmaxCrossEntropy(labels: labels) : .meanSquaredError(targets: targets)
    }

    /// The sample indices of the current batch, in batch order.
    public var currentIndices: ArraySlice<Int> {
        order[batchIndex * batchSize ..< (batchIndex + 1) * batchSize]
    }

    private mutating func startEpoch(_ newEpoch: Int) {
        epoch = newEpoch
        batchIndex = 0
        for index in order.indices { order[index] = index }
        Dataset.shuffle(&order, seed: seed, stream: RandomStream.shuffle.id,
                        block: UInt64(newEpoch) &* Self.blocksPerEpoch)
    }

    private mutating func fill() {
        let indices = order[batchIndex * batchSize ..< (batchIndex + 1) * batchSize]
        // Indices come from a permutation of the dataset's rows and the shapes were fixed in
        // init, so these cannot fail.
        try! features.gatherRows(indices, from: dataset.features)
        switch dataset.targets {
        case let .classes(all, _):
            labels.withUnsafeMutableBufferPointer { batch in
                for (position, index) in indices.enumerated() { batch[position] = all[index] }
            }
        case let .values(values):
            try! targets.gatherRows(indices, from: values)
        }
    }
}
