import Foundation
import Benchmark
import Dispatch
import TrainingFixtures
import VarianceKit

/// Steady-state `Trainer` steps next to the bare kernels of a step, the minibatch gathering
/// alone, and a 10,000-step run for memory. Targets: a trainer step costs at most 1.10x its bare
/// forward + backward + optimizer step on a fixed batch; `MinibatchIterator.next()` at most 5% of
/// the step; no allocation in a steady-state step; memory flat from step 1,000 to step 10,000.
///
/// Everything drives `TrainingFixture` (the `TrainingFixtures` target): a `Trainer` with AdamW on a
/// synthetic split, and a second, identical network and optimizer stepped on a fixed batch.
/// A trainer's steps are timed from its observer's step events, so the evaluation that ends every
/// `train(steps:)` call is left out (and, in the `trainer` benchmarks, so are its allocations:
/// the measurement starts at the first step event and stops at the last).
///
/// No benchmark here asks for `peakMemoryResident`: the harness samples it from a background
/// thread that allocates while it runs, which would add allocations in proportion to the wall
/// time; the memory figures come from `/proc/self/status` and glibc instead (`ResidentMemory`).
///
/// The `side by side` benchmarks time the bare steps, the trainer's steps and the gathering in
/// turns within every iteration (the order alternating between iterations), so that load from
/// other processes hits all three alike, and record per-step times and ratios as custom metrics.
let trainerOverBare = BenchmarkMetric.custom("trainer step / bare step (x1000)", polarity: .prefersSmaller, useScalingFactor: false)
let gatherOverStep = BenchmarkMetric.custom("next() / trainer step (x1000)", polarity: .prefersSmaller, useScalingFactor: false)
let trainerMicroseconds = BenchmarkMetric.custom("trainer step (µs)", polarity: .prefersSmaller, useScalingFactor: false)
let bareMicroseconds = BenchmarkMetric.custom("bare step (µs)", polarity: .prefersSmaller, useScalingFactor: false)
let gatherNanoseconds = BenchmarkMetric.custom("next() (ns)", polarity: .prefersSmaller, useScalingFactor: false)
let trainerOverBareCPU = BenchmarkMetric.custom("trainer / bare, process CPU time (x1000)", polarity: .prefersSmaller, useScalingFactor: false)

let residentAt1000 = BenchmarkMetric.custom("VmRSS at step 1,000 (KiB)", polarity: .prefersSmaller, useScalingFactor: false)
let residentAt10000 = BenchmarkMetric.custom("VmRSS at step 10,000 (KiB)", polarity: .prefersSmaller, useScalingFactor: false)
let peakAt1000 = BenchmarkMetric.custom("VmHWM at step 1,000 (KiB)", polarity: .prefersSmaller, useScalingFactor: false)
let peakAt10000 = BenchmarkMetric.custom("VmHWM at step 10,000 (KiB)", polarity: .prefersSmaller, useScalingFactor: false)
let heapAt1000 = BenchmarkMetric.custom("heap in use at step 1,000 (KiB)", polarity: .prefersSmaller, useScalingFactor: false)
let heapAt10000 = BenchmarkMetric.custom("heap in use at step 10,000 (KiB)", polarity: .prefersSmaller, useScalingFactor: false)

/// `TRAINING_BENCH_DETERMINISTIC=1` runs every benchmark with `ThreadPolicy.deterministic` on (each
/// product a set of single-threaded sgemm calls on fixed column blocks).
let deterministicProducts = ProcessInfo.processInfo.environment["TRAINING_BENCH_DETERMINISTIC"] == "1"

let benchmarks: @Sendable () -> Void = {
    ThreadPolicy.setDeterministic(deterministicProducts)
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        warmupIterations: 1,
        maxDuration: .seconds(20), maxIterations: 15)

    // What the harness itself counts for a body that does nothing: the malloc floor.
    Benchmark("harness floor (empty body)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(0) }
    }

    // Steps per iteration of the timed benchmarks, per shape.
    let shapes: [(shape: TrainingShape, steps: Int)] = [(.mnist, 50), (.deep, 8)]
    for (shape, steps) in shapes {
        Benchmark("side by side, \(shape.name)",
                  configuration: .init(metrics: [trainerOverBare, trainerOverBareCPU, gatherOverStep, trainerMicroseconds, bareMicroseconds, gatherNanoseconds],
                                       warmupIterations: 1, maxDuration: .seconds(120), maxIterations: 15)) { benchmark, fixture in
            // Process CPU time as well as wall time: on a loaded machine the wall time mostly
            // measures waiting for a core, the CPU time less so (OpenBLAS's spinning threads count in it).
            for iteration in benchmark.scaledIterations {
                var trainer: UInt64 = 0
                var bare: UInt64 = 0
                var gather: UInt64 = 0
                var trainerCPU: UInt64 = 0
                var bareCPU: UInt64 = 0
                func timeBare() throws {
                    let cpu = processCPUNanoseconds()
                    let start = DispatchTime.now().uptimeNanoseconds
                    try fixture.bareSteps(steps)
                    bare = DispatchTime.now().uptimeNanoseconds - start
                    bareCPU = processCPUNanoseconds() - cpu
                }
                func timeTrainer() throws {
                    trainer = try fixture.trainerSteps(steps) { event in
                        if event == 1 { trainerCPU = processCPUNanoseconds() }
                        if event == steps + 1 { trainerCPU = processCPUNanoseconds() - trainerCPU }
                    }
                }
                func timeGather() {
                    let start = DispatchTime.now().uptimeNanoseconds
                    fixture.gather(steps)
                    gather = DispatchTime.now().uptimeNanoseconds - start
                }
                if iteration % 2 == 0 {
                    try timeBare()
                    try timeTrainer()
                    timeGather()
                } else {
                    timeGather()
                    try timeTrainer()
                    try timeBare()
                }
                benchmark.measurement(trainerOverBareCPU, Int((1000 * Double(trainerCPU) / Double(bareCPU)).rounded()))
                benchmark.measurement(trainerOverBare, Int((1000 * Double(trainer) / Double(bare)).rounded()))
                benchmark.measurement(gatherOverStep, Int((1000 * Double(gather) / Double(trainer)).rounded()))
                benchmark.measurement(trainerMicroseconds, Int(trainer / UInt64(steps) / 1000))
                benchmark.measurement(bareMicroseconds, Int(bare / UInt64(steps) / 1000))
                benchmark.measurement(gatherNanoseconds, Int(gather / UInt64(steps)))
            }
        } setup: {
            try TrainingFixture(shape)
        }

        // The measurement runs from the first step event to the last: `steps` steady-state steps.
        Benchmark("trainer, \(steps) steps, \(shape.name)") { benchmark, fixture in
            _ = try fixture.trainerSteps(steps) { event in
                if event == 1 { benchmark.startMeasurement() }
                if event == steps + 1 { benchmark.stopMeasurement() }
            }
        } setup: {
            try TrainingFixture(shape)
        }

        Benchmark("bare kernels, \(steps) steps, \(shape.name)") { benchmark, fixture in
            try fixture.bareSteps(steps)
        } setup: {
            try TrainingFixture(shape)
        }

        // One epoch of batches, so the per-epoch reshuffle is counted once per epoch, as in training.
        Benchmark("MinibatchIterator.next, one epoch (\(shape.samples / shape.batch) batches), \(shape.name)") { benchmark, fixture in
            fixture.gather(fixture.gatherer.batchesPerEpoch)
        } setup: {
            try TrainingFixture(shape)
        }
    }

    // 10,000 steps from a new trainer with a point (validation on 10,000 samples, weight norms)
    // every 1,000 steps: the resident set and the heap at steps 1,000 and 10,000, and the
    // allocations between them (the measurement runs from step 1,000 to step 10,000).
    var long = TrainingShape.mnist
    long.validationSamples = 10_000
    Benchmark("10,000 steps with a point every 1,000, \(long.name)",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal,
                                             residentAt1000, residentAt10000, peakAt1000, peakAt10000, heapAt1000, heapAt10000],
                                   warmupIterations: 0, maxDuration: .seconds(900), maxIterations: 1)) { benchmark, fixture in
        let remaining = 10_000 - fixture.trainer.stepsTaken
        var at1000: ResidentMemory?
        var at10000: ResidentMemory?
        _ = try fixture.trainerSteps(remaining - 1) { _ in
            switch fixture.trainer.stepsTaken {
            case 1000:
                at1000 = ResidentMemory.read()
                benchmark.startMeasurement()
            case 10_000:
                benchmark.stopMeasurement()
                at10000 = ResidentMemory.read()
            default:
                break
            }
        }
        if let at1000, let at10000 {
            benchmark.measurement(residentAt1000, at1000.currentKiB)
            benchmark.measurement(residentAt10000, at10000.currentKiB)
            benchmark.measurement(peakAt1000, at1000.peakKiB)
            benchmark.measurement(peakAt10000, at10000.peakKiB)
            benchmark.measurement(heapAt1000, at1000.heapInUseBytes / 1024)
            benchmark.measurement(heapAt10000, at10000.heapInUseBytes / 1024)
        }
    } setup: {
        try TrainingFixture(long, evaluateEvery: 1000)
    }
}
