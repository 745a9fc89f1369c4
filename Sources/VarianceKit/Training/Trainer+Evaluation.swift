import Foundation

extension Trainer {
    /// The network's mean loss on `dataset` (and its accuracy, for class labels), by forward
    /// passes over batches of `settings.batchSize` rows (the last one padded with zero rows that
    /// are not counted), so the network's workspaces keep their size.
    ///
    /// Per sample, in Double: softmax cross-entropy `log Σ_j e^{a_j} - a_y` (with the row
    /// maximum subtracted first), or the squared error `Σ_j (a_j - t_j)² / outputs`; the mean is
    /// over samples. A sample is correct when its label is the first index of its largest output.
    ///
    /// - Throws: `VarianceKitError.shapeMismatch` when the dataset's features or targets do not
    ///   fit the network.
    public func evaluate(_ dataset: Dataset) throws -> Evaluation {
        guard dataset.featureCount == network.inputs, dataset.outputCount == network.outputs,
              dataset.isClassification == data.train.isClassification else {
            throw VarianceKitError.shape(
                "Trainer.evaluate", "dataset", actual: [dataset.featureCount, dataset.outputCount], expected: [network.inputs, network.outputs],
                "\(dataset.name) has \(dataset.featureCount) features and \(dataset.outputCount) outputs; the network takes \(network.inputs) and gives \(network.outputs)")
        }
        let batch = settings.batchSize
        var lossSum = 0.0
        var correct = 0
        var start = 0
        while start < dataset.sampleCount {
            let rows = min(batch, dataset.sampleCount - start)
            let copied = dataset.features.withUnsafeBufferPointer { source in
                evaluationBatch.withUnsafeMutableBufferPointer { target in
                    let columns = dataset.featureCount
                    let count = rows * columns
                    if count > 0 { target.baseAddress!.update(from: source.baseAddress! + start * columns, count: count) }
                    if count < target.count { (target.baseAddress! + count).update(repeating: 0, count: target.count - count) }
                    return rows
                }
            }
            let part = try sums(features: evaluationBatch, rows: copied, targets: dataset.targets,
                                indices: start ..< start + rows)
            lossSum += part.lossSum
            correct += part.correct
            start += rows
        }
        let count = dataset.sampleCount
        return Evaluation(loss: count == 0 ? .nan : lossSum / Double(count),
                          accuracy: dataset.isClassification && count > 0 ? Double(correct) / Double(count) : nil,
                          samples: count)
    }

    /// The loss and accuracy of the first `rows` rows of `features` (`[batchSize, inputs]`),
    /// whose targets are the samples `indices` of `targets`.
    func evaluate<Indices: Collection>(features: Matrix, rows: Int, targets: Dataset.Targets, indices: Indices) throws -> Evaluation
    where Indices.Element == Int {
        let (lossSum, correct) = try sums(features: features, rows: rows, targets: targets, indices: indices)
        let isClassification: Bool
        if case .classes = targets { isClassification = true } else { isClassification = false }
        return Evaluation(loss: rows == 0 ? .nan : lossSum / Double(rows),
                          accuracy: isClassification && rows > 0 ? Double(correct) / Double(rows) : nil, samples: rows)
    }

    /// The summed per-sample losses and the correct count of the first `rows` rows of `features`.
    private func sums<Indices: Collection>(features: Matrix, rows: Int, targets: Dataset.Targets, indices: Indices) throws
        -> (lossSum: Double, correct: Int) where Indices.Element == Int {
        let output = try network.forward(features)
        let outputs = output.columns
        var lossSum = 0.0
        var correct = 0
        output.withUnsafeBufferPointer { a in
            switch targets {
            case let .classes(labels, _):
                for (row, index) in zip(0 ..< rows, indices) {
                    let base = row * outputs
                    var largest = Double(a[base])
                    var best = 0
                    for j in 1 ..< max(outputs, 1) where Double(a[base + j]) > largest {
                        largest = Double(a[base + j])
                        best = j
                    }
                    var sum = 0.0
                    for j in 0 ..< outputs { sum += Foundation.exp(Double(a[base + j]) - largest) }
                    let label = labels[index]
                    lossSum += Foundation.log(sum) + largest - Double(a[base + label])
                    if best == label { correct += 1 }
                }
            case let .values(values):
                values.withUnsafeBufferPointer { t in
                    for (row, index) in zip(0 ..< rows, indices) {
                        var sum = 0.0
                        for j in 0 ..< outputs {
                            let d = Double(a[row * outputs + j]) - Double(t[index * outputs + j])
                            sum += d * d
                        }
                        lossSum += sum / Double(outputs)
                    }
                }
            }
        }
        return (lossSum, correct)
    }
}
