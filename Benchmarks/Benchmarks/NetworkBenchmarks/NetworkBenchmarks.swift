import Benchmark
import VarianceKit

/// One training step of a dense network (forward, then backward with the random readout loss)
/// side by side with the bare sgemm calls that step makes on the same shapes, and with probing
/// every layer after the step. Targets: step <= 1.10x bare sgemm; probe <= 10% of the step at
/// (depth 10, width 1024, batch 256); mallocCountTotal per step at the harness floor.
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
