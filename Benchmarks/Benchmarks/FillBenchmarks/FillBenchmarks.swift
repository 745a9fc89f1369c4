import Benchmark
import VarianceKit

/// Fill throughput of the Philox4x32-10 fills on a 4096 x 4096 matrix (16.8M elements per
/// iteration) at 1 and 2 threads, and the orthogonal initializer against its own LAPACK calls
/// (`LAPACK.orthonormalize`: Householder QR in compact WY) and against LAPACK's drivers sgeqrf +
/// sorgqr at 1024 and 4096. The peers doing the same fills are `Benchmarks/peers/fills_numpy.py`
/// and `fills_torch.py`; `compare_orthogonal.py` runs PyTorch's orthogonal_ in turns with ours.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(3), maxIterations: 20)

    let size = 4096
    // The fills through VarianceKit's `FillMeasurement` (the one `initbench kernels` runs).
    let fills: [(name: String, initializer: Initializer)] = [
        ("uniform", .uniform(low: 0, high: 1)),
        ("normal", .normal(mean: 0, standardDeviation: 1)),
        ("truncated normal [-2, 2]", .truncatedNormal(mean: 0, standardDeviation: 1, lower: -2, upper: 2)),
    ]
    for threads in [1, 2] {
        for fill in fills {
            Benchmark("\(fill.name) \(size)x\(size) (16.8M elements) threads=\(threads)") { benchmark, measurement in
                for _ in benchmark.scaledIterations {
                    try measurement.fill()
                }
                blackHole(measurement.matrix[0, 0])
            } setup: { try FillMeasurement(initializer: fill.initializer, size: size, threads: threads, seed: 1) }
        }
    }

    for orthogonalSize in [1024, 4096] {
        // A 4096 factorization takes seconds: three samples; 1024 takes a tenth of a second.
        let orthogonalConfiguration = Benchmark.Configuration(
            metrics: [.wallClock], maxDuration: .seconds(20), maxIterations: orthogonalSize > 1024 ? 3 : 10)
        for threads in [1, 2] {
            Benchmark("orthogonal \(orthogonalSize)x\(orthogonalSize) threads=\(threads)",
                      configuration: orthogonalConfiguration) { benchmark, measurement in
                for _ in benchmark.scaledIterations {
                    try measurement.fill()
                }
                blackHole(measurement.matrix[0, 0])
            } setup: { try FillMeasurement(initializer: .orthogonal(gain: 1), size: orthogonalSize, threads: threads, seed: 2) }

            // The bare LAPACK calls on the Gaussian matrix the fill factors (the copy that the
            // in-place factorization needs is part of these baselines): the compact WY routine
            // the initializer uses, and LAPACK's drivers.
            for routine in LAPACK.HouseholderRoutine.allCases {
                let name = routine == .compactWY ? "compact WY QR" : "sgeqrf+sorgqr"
                Benchmark("\(name) \(orthogonalSize)x\(orthogonalSize) threads=\(threads)",
                          configuration: orthogonalConfiguration) { benchmark, measurement in
                    for _ in benchmark.scaledIterations {
                        try measurement.orthonormalizeCopy(routine: routine)
                    }
                } setup: { try FillMeasurement(initializer: .orthogonal(gain: 1), size: orthogonalSize, threads: threads, seed: 2) }
            }
        }
    }
}
