import Benchmark
import VarianceKit

/// One training step of a dense network (forward, then backward with the random readout loss)
/// side by side with the bare sgemm calls that step makes on the same shapes, and with probing
/// every layer after the step. Targets: step <= 1.10x bare sgemm; probe <= 10% of the step at
/// (depth 10, width 1024, batch 256); mallocCountTotal per step at the harness floor.
///
/// The `interleaved ratios` benchmarks time the bare sgemm calls, the step and the probe back to
/// back in every iteration and record the ratios (x1000) as custom metrics, so that load from
/// other processes hits all three alike. Every benchmark drives VarianceKit's `StepMeasurement`:
/// `step()`, `bareProducts()` (the step's `3 depth - 1` sgemm calls on the network's own
/// weights) and `probe(step:)`.
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
        // Xavier uniform weights with the activation's gain and biases; the library's
        // `StepMeasurement` (the one `initbench kernels` runs) builds the network, its batch and
        // the bare products, and runs one warm-up step so that the workspaces exist before timing.
        let configuration = StepMeasurement.Configuration(
            depth: shape.depth, width: shape.width, batch: shape.batch, activation: shape.activation,
            initializer: .xavierUniform(gain: .ofActivation), bias: true, seed: 1)

        Benchmark("network step, \(label)") { benchmark, measurement in
            for _ in benchmark.scaledIterations {
                blackHole(try measurement.step())
            }
        } setup: {
            try StepMeasurement(configuration)
        }

        Benchmark("bare sgemm calls of a step, \(label)") { benchmark, measurement in
            for _ in benchmark.scaledIterations {
                try measurement.bareProducts()
            }
            blackHole(measurement.lastOutput(of: .weightGradient, layer: 0)[0, 0])
        } setup: {
            try StepMeasurement(configuration)
        }

        Benchmark("interleaved ratios, \(label)",
                  configuration: .init(metrics: [.wallClock, stepOverSgemm, probeOverStep],
                                       warmupIterations: 1, maxDuration: .seconds(90), maxIterations: 15)) { benchmark, measurement in
            for iteration in benchmark.scaledIterations {
                let clock = ContinuousClock()
                let gemmTime = try clock.measure { try measurement.bareProducts() }
                let stepTime = try clock.measure { try measurement.step() }
                let probeTime = clock.measure { blackHole(measurement.probe(step: iteration)) }
                benchmark.measurement(stepOverSgemm, Int((1000 * stepTime.seconds / gemmTime.seconds).rounded()))
                benchmark.measurement(probeOverStep, Int((1000 * probeTime.seconds / stepTime.seconds).rounded()))
            }
        } setup: {
            try StepMeasurement(configuration)
        }

        Benchmark("probe only, \(label)") { benchmark, measurement in
            for iteration in benchmark.scaledIterations {
                blackHole(measurement.probe(step: iteration))
            }
        } setup: {
            try StepMeasurement(configuration)
        }

        Benchmark("network step + probe, \(label)") { benchmark, measurement in
            for iteration in benchmark.scaledIterations {
                try measurement.step()
                blackHole(measurement.probe(step: iteration))
            }
        } setup: {
            try StepMeasurement(configuration)
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
