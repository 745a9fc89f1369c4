import Benchmark
import VarianceKit

/// One training step of a dense network (forward, then backward with the random readout loss)
/// side by side with the bare sgemm calls that step makes on the same shapes, and with probing
/// every layer after the step. Targets: step <= 1.10x bare sgemm; probe <= 10% of the step at
/// (depth 10, width 1024, batch 256); mallocCountTotal per step at the harness floor.
///
/// The `interleaved ratios` benchmarks time the bare sgemm calls, the step and the probe back to
/// back in every iteration and record the ratios (x1000) as custom metrics, so that load from
/// other processes hits all three alike.
let stepOverSgemm = BenchmarkMetric.custom("step / bare sgemm (x1000)", polarity: .prefersSmaller, useScalingFactor: false)
let probeOverStep = BenchmarkMetric.custom("probe / step (x1000)", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 2,
        maxDuration: .seconds(20), maxIterations: 20)

    let shapes: [(depth: Int, width: Int, batch: Int, activation: Activation)] = [
        (10, 1024, 256, .tanh),
        (20, 2048, 512, .relu),
        // Too small for OpenBLAS to use its threads: shows what the network itself allocates.
        (3, 8, 4, .tanh),
    ]
    // What the harness itself counts for a body that does nothing: the malloc floor.
    Benchmark("harness floor (empty body)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(0) }
    }

    for shape in shapes {
        let label = "depth \(shape.depth) width \(shape.width) batch \(shape.batch) \(shape.activation.name)"

        Benchmark("network step, \(label)") { benchmark, state in
            for _ in benchmark.scaledIterations {
                try state.network.forward(state.input)
                blackHole(try state.network.backward(loss: .randomReadout(seed: 1)))
            }
        } setup: {
            try NetworkState(shape.depth, shape.width, shape.batch, shape.activation)
        }

        Benchmark("bare sgemm calls of a step, \(label)") { benchmark, state in
            for _ in benchmark.scaledIterations {
                try state.run()
            }
            blackHole(state.z[0, 0])
        } setup: {
            try GemmOnlyState(shape.depth, shape.width, shape.batch)
        }

        Benchmark("interleaved ratios, \(label)",
                  configuration: .init(metrics: [.wallClock, stepOverSgemm, probeOverStep],
                                       warmupIterations: 1, maxDuration: .seconds(90), maxIterations: 15)) { benchmark, state in
            for iteration in benchmark.scaledIterations {
                let clock = ContinuousClock()
                let gemmTime = try clock.measure { try state.gemm.run() }
                let stepTime = try clock.measure {
                    try state.network.network.forward(state.network.input)
                    try state.network.network.backward(loss: .randomReadout(seed: 1))
                }
                let probeTime = clock.measure { blackHole(state.network.network.probe(step: iteration)) }
                benchmark.measurement(stepOverSgemm, Int((1000 * stepTime.seconds / gemmTime.seconds).rounded()))
                benchmark.measurement(probeOverStep, Int((1000 * probeTime.seconds / stepTime.seconds).rounded()))
            }
        } setup: {
            InterleavedState(network: try NetworkState(shape.depth, shape.width, shape.batch, shape.activation),
                             gemm: try GemmOnlyState(shape.depth, shape.width, shape.batch))
        }

        Benchmark("probe only, \(label)") { benchmark, state in
            for iteration in benchmark.scaledIterations {
                blackHole(state.network.probe(step: iteration))
            }
        } setup: {
            try NetworkState(shape.depth, shape.width, shape.batch, shape.activation)
        }

        Benchmark("network step + probe, \(label)") { benchmark, state in
            for iteration in benchmark.scaledIterations {
                try state.network.forward(state.input)
                try state.network.backward(loss: .randomReadout(seed: 1))
                blackHole(state.network.probe(step: iteration))
            }
        } setup: {
            try NetworkState(shape.depth, shape.width, shape.batch, shape.activation)
        }
    }
}

/// Both states of one shape, for the interleaved measurement.
final class InterleavedState: @unchecked Sendable {
    let network: NetworkState
    let gemm: GemmOnlyState
    init(network: NetworkState, gemm: GemmOnlyState) {
        self.network = network
        self.gemm = gemm
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

/// A network initialized with Xavier uniform weights and one N(0, 1) batch, warmed by one step
/// so that its workspaces exist before timing.
final class NetworkState: @unchecked Sendable {
    let network: Network
    let input: Matrix

    init(_ depth: Int, _ width: Int, _ batch: Int, _ activation: Activation) throws {
        network = try Network(widths: Array(repeating: width, count: depth + 1), activation: activation,
                              initializer: .xavierUniform(gain: activation.nonlinearity?.gain ?? 1),
                              bias: true, seed: 1)
        var x = try Matrix(rows: batch, columns: width)
        try Initializer.normal(mean: 0, standardDeviation: 1).fill(&x, fanIn: width, fanOut: batch, seed: 2)
        input = x
        try network.forward(input)
        try network.backward(loss: .randomReadout(seed: 1))
    }
}

/// The sgemm calls of one step, with the network's shapes: per layer `Z = X Wᵀ`, `dW = dZᵀ X`, and
/// `dX = dZ W` for every layer but the first.
final class GemmOnlyState: @unchecked Sendable {
    let depth: Int
    let x: Matrix
    let w: Matrix
    var z: Matrix
    var dw: Matrix
    var dx: Matrix

    init(_ depth: Int, _ width: Int, _ batch: Int) throws {
        self.depth = depth
        x = try Matrix(rows: batch, columns: width, repeating: 0.5)
        w = try Matrix(rows: width, columns: width, repeating: 0.01)
        z = try Matrix(rows: batch, columns: width)
        dw = try Matrix(rows: width, columns: width)
        dx = try Matrix(rows: batch, columns: width)
    }

    func run() throws {
        for _ in 0..<depth { try BLAS.gemm(x, w, into: &z, transposeB: true) }
        for layer in 0..<depth {
            try BLAS.gemm(z, x, into: &dw, transposeA: true)
            if layer > 0 { try BLAS.gemm(z, w, into: &dx) }
        }
    }
}
