// Generated from README.md by Scripts/readme-tour.py; do not edit. After changing a ```swift block
// of the README, run `python3 Scripts/readme-tour.py --write`. Each block is the body of one
// function; ReadmeTourTests checks that this file matches the README and runs every block.

import VarianceKit
import Foundation

func readmeBlock1() throws {
    let a = try Matrix([[1, 2, 3, 4], [0, 1, 0, 1], [2, 0, 1, 3]])  // 3 x 4
    var c = try Matrix(rows: 3, columns: 3, repeating: 1)
    try BLAS.gemm(a, a, into: &c, transposeB: true, alpha: 2, beta: 1)  // C = 2 A Aᵀ + C
    let (q, r, diagonal) = try LAPACK.qr(try a.transposed())                 // thin QR: sgeqrf + sorgqr
    let sigma = try LAPACK.singularValues(a)                             // sgesdd
    print(c[0, 0], q.shape, r.shape, diagonal, sigma)
    print(BLAS.kernelName, ThreadPolicy.threadCount)                     // e.g. "Haswell 2"
}

func readmeBlock2() throws {
    var generator = Philox4x32(seed: 42, stream: 7)    // also a RandomNumberGenerator
    let coin = Bool.random(using: &generator)

    var noise = try Matrix(rows: 128, columns: 128)
    try RandomFill.truncatedNormal(&noise, standardDeviation: 0.02, lower: -2, upper: 2, seed: 42, stream: 0)

    var weight = try Matrix(rows: 256, columns: 784)   // [outputs, inputs]
    let scheme = Initializer.heNormal(.relu)
    print(scheme.formula(fanIn: 784, fanOut: 256))     // Var(W) = 1.41^2/fanIn = 0.00255; W ~ N(0, Var(W))
    try scheme.fillWeight(&weight, seed: 42, stream: 1)
    if let general = scheme.asVarianceScaling() {      // every named scheme is a variance scaling
        print(general, coin, noise[0, 0], weight[0, 0])
    }

    var square = try Matrix(rows: 64, columns: 64)
    try Initializer.orthogonal(gain: 1).fillWeight(&square, seed: 42, stream: 2)  // W Wᵀ = I
}

func readmeBlock3() throws {
    var batch = try Matrix(rows: 32, columns: 64)      // [batch, features]
    try RandomFill.normal(&batch, seed: 1, stream: 100)
    let labels = (0..<32).map { $0 % 10 }

    let network = try Network(widths: [64, 128, 128, 10], activation: .relu,
                              initializer: .heNormal(), outputActivation: .linear, seed: 42)
    let output = try network.forward(batch)            // [32, 10]: Z = X Wᵀ + b, A = φ(Z) per layer
    let loss = try network.backward(loss: .softmaxCrossEntropy(labels: labels))  // fills dL/dW, dL/db
    var parameters = 0
    network.forEachParameter { id, value, gradient in parameters += value.count }

    let probe = network.probe(step: 0)                 // Codable statistics of W, b, Z, A, dL/dZ, dL/dW
    for layer in probe.layers {
        print(layer.layer, layer.activation?.variance ?? .nan, layer.preActivationGradient?.variance ?? .nan)
    }
    print(output.shape, loss, parameters)               // the loss is a Double, like lastLoss

    let report = try network.initializeLSUV(data: batch, seed: 7)  // orthogonal, then Var(Z) = 1 per layer
    print(report.layers.map(\.finalVariance))
}

func readmeBlock4() throws {
    var inputs = try Matrix(rows: 64, columns: 16)
    try RandomFill.normal(&inputs, seed: 1, stream: 100)
    var targets = try Matrix(rows: 64, columns: 1)
    try RandomFill.normal(&targets, standardDeviation: 0.5, seed: 1, stream: 101)

    // SGD with momentum and L2(lambda, n) on every weight matrix (biases are not regularized by default).
    let sgd = try SGD(learningRate: 0.05, momentum: 0.9, penalty: .l2(lambda: 0.5, normalizer: 64))
    // AdamW: decoupled decay of learningRate * weightDecay per step (PyTorch's convention).
    let adamW = try AdamW(learningRate: 3e-3, weightDecay: 0.01, schedule: .cosine(totalSteps: 100))
    // Proximal L1: soft-thresholding after each step leaves exact zeros.
    let lasso = try SGD(learningRate: 0.05, penalty: .l1(lambda: 2, normalizer: 64, method: .proximal))

    for optimizer in [sgd, adamW, lasso] as [any Optimizer] {
        let network = try Network(widths: [16, 32, 1], activation: .tanh,
                                  initializer: .xavierNormal(), seed: 3)  // the same start for each
        for step in 0..<20 {
            try network.forward(inputs)
            let dataLoss = try network.backward(loss: .meanSquaredError(targets: targets))
            let summary = try optimizer.step(network)
            let objective = dataLoss + summary.penaltyValue  // C = C₀ + R(w), R before the step
            if step == 19 { print(objective, summary.sparsity) }
        }
    }
    print(lasso.statistics(for: ParameterID(layer: 0, kind: .weight))?.sparsity ?? 0)

    var groups = sgd.parameterGroups                   // per-layer and per-parameter overrides
    try groups.setGroup(ParameterGroup(weightDecay: .learningRateScaled(1e-4)), forLayer: 1)
    sgd.parameterGroups = groups
}

func readmeBlock5() throws {
    let data = try SyntheticDatasetName.gaussianMixture.makeDataset(samples: 3000, seed: 1)
    let (split, standardization) = try data.split(validationFraction: 0.1, testFraction: 0.2, seed: 1).standardized()

    let network = try Network(widths: [split.train.featureCount, 64, 64, split.train.outputCount],
                              activation: .relu, initializer: .heNormal(), outputActivation: .linear, seed: 2)
    let optimizer = try OptimizerSettings(algorithm: .adamw, learningRate: 1e-3, weightDecay: 0.01)
    let settings = try TrainingSettings(batchSize: 64, steps: 300, evaluateEvery: 50, probeEvery: 100, shuffleSeed: 3)
    let trainer = try Trainer(network: network, optimizerSettings: optimizer, data: split, settings: settings)
    trainer.observers.append(ClosureObserver { event, _ in
        if case let .point(point) = event { print(point.step, point.trainingLoss, point.validation?.accuracy ?? 0) }
        return .proceed                                // or .stop(reason:)
    })
    try trainer.train(steps: 150)                      // half the run

    let file = FileManager.default.temporaryDirectory.appendingPathComponent("readme-run.npz")
    try Checkpoint.save(trainer, to: file, standardization: standardization)
    let resumed = try Checkpoint.resume(from: file, data: split)
    let record = try resumed.train()                   // the same bits as an uninterrupted run
    print(record.test?.accuracy ?? 0, record.probes.count, record.divergence?.description ?? "finite")
    try? FileManager.default.removeItem(at: file)
}

func readmeBlock6() throws {
    // The standard scheme, Var(W) = 1/(3n): each layer multiplies Var(z) by n Var(W) = 1/3.
    let widths = Array(repeating: 512, count: 21)
    let standard = try LinearRegime.forwardVariances(
        inputVariance: 1, widths: widths, weightVariances: Array(repeating: 1.0 / (3 * 512), count: 20))
    print(standard[0], standard[19])                   // 0.333 and 2.9e-10

    // tanh with the conventional gain 5/3 (s_w² = 25/9, no bias) sits on the chaotic side: χ₁ > 1.
    let theory = MeanFieldTheory(activation: .tanh)
    if let fixedPoint = theory.fixedPoint(weightScale: 25.0 / 9) {
        print(fixedPoint, theory.chi1(preactivationVariance: fixedPoint, weightScale: 25.0 / 9))
    }
    let analysis = try theory.analysis(weightScale: 25.0 / 9, biasVariance: 0.05)  // q*, χ₁, c*, phase, ξ_q, ξ_c, ξ_∇
    print(analysis.phase ?? .critical, analysis.correlationDepthScale ?? .infinity)
    print(try theory.criticalWeightScale(biasVariance: 0.05))                    // the edge of chaos: s_w² ≈ 1.76
}

func readmeBlock7() throws {
    let grid = try SweepGrid(kind: .theory, axes: ["weight-variance": [.number(1), .number(1.76), .number(2.5)]],
                             fixed: ["activation": .string("tanh"), "bias-variance": .number(0.05)])
    let runner = SweepRunner()
    for position in try SweepShard(index: 1, count: 2).positions(in: grid) {
        let record = try runner.run(grid.configuration(at: position))   // the same bits in any shard or order
        print(record.key, record.result.headline.name, record.result.headline.value ?? .infinity)
    }
}

func readmeBlock8() throws {
    let experiment = try PropagationExperiment(
        initializers: [.standard, .xavierUniform], activations: [.tanh], depth: 5, width: 64, batch: 128, seed: 1)
    let result = try experiment.run()                  // Codable: per-run, per-layer statistics and theory
    for run in result.runs {
        print(run.initializer, run.layers.map { $0.activationVariance ?? .nan })
    }
}

/// The README's blocks in order: `readmeTourBlocks[i]` is block `i + 1`.
let readmeTourBlocks: [@Sendable () throws -> Void] = [
    readmeBlock1,
    readmeBlock2,
    readmeBlock3,
    readmeBlock4,
    readmeBlock5,
    readmeBlock6,
    readmeBlock7,
    readmeBlock8,
]
