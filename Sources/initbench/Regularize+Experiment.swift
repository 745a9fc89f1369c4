import Foundation
import VarianceKit

/// What `initbench regularize` reports; encoded as its JSON output.
struct RegularizationReport: Codable, Sendable {
    struct Configuration: Codable, Sendable {
        var version: String
        var seed: UInt64
        var widths: [Int]
        var teacherWidths: [Int]
        var activation: String
        var initializer: String
        var loss: String
        var samples: Int
        var steps: Int
        var recordedSteps: [Int]
        var learningRate: Float
        var adamLearningRate: Float
        var lambda: Float
        var normalizer: Float
        /// `η λ/n`: the decay fraction per SGD step equivalent to L2(λ, n).
        var sgdDecayFraction: Float
        /// `η_Adam λ/n`: AdamW's decay fraction per step.
        var adamDecayFraction: Float
        var biasesRegularized: Bool
    }

    struct Run: Codable, Sendable {
        var optimizer: String
        var regularizer: String
        /// Mean squared error at each recorded step (before that step's update).
        var trainingLoss: [Double]
        /// `‖W‖`, the Euclidean norm of all weight matrices (biases excluded), at each recorded step.
        var weightNorm: [Double]
        /// Fraction of weights (biases excluded) exactly zero at the end.
        var sparsity: Double
        /// The same per layer.
        var sparsityByLayer: [Double]
    }

    var config: Configuration
    var runs: [Run]
}

/// The training runs of `initbench regularize`.
struct RegularizationExperiment {
    var seed: UInt64
    var widths: [Int]
    var teacherWidths: [Int]
    var samples: Int
    var steps: Int
    var recordEvery: Int
    var learningRate: Float
    var adamLearningRate: Float
    var lambda: Float
    var normalizer: Float

    /// Philox streams of the inputs (the networks use `2 l` and `2 l + 1`).
    static let inputStream: UInt64 = 0xFFFF_0000
    /// The student's seed is derived from the teacher's so the two differ.
    var studentSeed: UInt64 { seed &+ 0x9E37_79B9_7F4A_7C15 }

    var recordedSteps: [Int] {
        var recorded = Array(stride(from: 0, to: steps, by: recordEvery))
        recorded.append(steps)
        return recorded
    }

    func makeStudent() throws -> Network {
        try Network(widths: widths, activation: .tanh, initializer: .xavierNormal(), bias: true,
                    outputActivation: .identity, seed: studentSeed)
    }

    /// The six optimizers, with the names the report gives them.
    func optimizers() throws -> [(optimizer: String, regularizer: String, make: () throws -> any Optimizer)] {
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

    func run() throws -> RegularizationReport {
        let teacher = try Network(widths: teacherWidths, activation: .tanh, initializer: .xavierNormal(), bias: true,
                                  outputActivation: .identity, seed: seed)
        var inputs = try Matrix(rows: samples, columns: widths[0])
        try RandomFill.normal(&inputs, seed: seed, stream: Self.inputStream)
        let targets = try teacher.forward(inputs)
        let recorded = Set(recordedSteps)
        var runs: [RegularizationReport.Run] = []
        for entry in try optimizers() {
            let student = try makeStudent()
            let optimizer = try entry.make()
            var run = RegularizationReport.Run(
                optimizer: entry.optimizer, regularizer: entry.regularizer,
                trainingLoss: [], weightNorm: [], sparsity: 0, sparsityByLayer: [])
            for step in 0...steps {
                try student.forward(inputs)
                let loss = try student.backward(loss: .meanSquaredError(targets: targets))
                if recorded.contains(step) {
                    run.trainingLoss.append(student.lastLoss ?? Double(loss))
                    run.weightNorm.append(Self.weightNorm(student))
                }
                if step == steps { break }
                try optimizer.step(student)
            }
            (run.sparsity, run.sparsityByLayer) = Self.sparsity(student)
            runs.append(run)
        }
        let configuration = RegularizationReport.Configuration(
            version: VarianceKit.version, seed: seed, widths: widths, teacherWidths: teacherWidths,
            activation: "tanh (identity output)", initializer: "xavier-normal", loss: "mse",
            samples: samples, steps: steps, recordedSteps: recordedSteps,
            learningRate: learningRate, adamLearningRate: adamLearningRate, lambda: lambda, normalizer: normalizer,
            sgdDecayFraction: learningRate * lambda / normalizer,
            adamDecayFraction: adamLearningRate * lambda / normalizer, biasesRegularized: false)
        return RegularizationReport(config: configuration, runs: runs)
    }

    /// `‖W‖` over every weight matrix (biases excluded), accumulated in Double.
    static func weightNorm(_ network: Network) -> Double {
        var sum = 0.0
        network.forEachParameter { id, values, _ in
            guard id.kind == .weight else { return }
            values.withUnsafeBufferPointer { w in
                for x in w { sum += Double(x) * Double(x) }
            }
        }
        return sum.squareRoot()
    }

    /// The fraction of exact zeros over all weight matrices, and per layer.
    static func sparsity(_ network: Network) -> (Double, [Double]) {
        var zeros = 0, total = 0
        var byLayer: [Double] = []
        network.forEachParameter { id, values, _ in
            guard id.kind == .weight else { return }
            let layerZeros = values.withUnsafeBufferPointer { w in w.reduce(0) { $0 + ($1 == 0 ? 1 : 0) } }
            zeros += layerZeros
            total += values.count
            byLayer.append(values.count == 0 ? 0 : Double(layerZeros) / Double(values.count))
        }
        return (total == 0 ? 0 : Double(zeros) / Double(total), byLayer)
    }
}
