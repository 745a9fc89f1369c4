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
    for threads in [1, 2] {
        Benchmark("uniform \(size)x\(size) (16.8M elements) threads=\(threads)") { benchmark, state in
            for _ in benchmark.scaledIterations {
                try RandomFill.uniform(&state.matrix, seed: 1, threads: threads)
            }
            blackHole(state.matrix[0, 0])
        } setup: { FillState(rows: size, columns: size) }

        Benchmark("normal \(size)x\(size) (16.8M elements) threads=\(threads)") { benchmark, state in
            for _ in benchmark.scaledIterations {
                try RandomFill.normal(&state.matrix, seed: 1, threads: threads)
            }
            blackHole(state.matrix[0, 0])
        } setup: { FillState(rows: size, columns: size) }

        Benchmark("truncated normal [-2, 2] \(size)x\(size) (16.8M elements) threads=\(threads)") { benchmark, state in
            for _ in benchmark.scaledIterations {
                try RandomFill.truncatedNormal(&state.matrix, lower: -2, upper: 2, seed: 1, threads: threads)
            }
            blackHole(state.matrix[0, 0])
        } setup: { FillState(rows: size, columns: size) }
    }

    for orthogonalSize in [1024, 4096] {
        // A 4096 factorization takes seconds: three samples; 1024 takes a tenth of a second.
        let orthogonalConfiguration = Benchmark.Configuration(
            metrics: [.wallClock], maxDuration: .seconds(20), maxIterations: orthogonalSize > 1024 ? 3 : 10)
        for threads in [1, 2] {
            Benchmark("orthogonal \(orthogonalSize)x\(orthogonalSize) threads=\(threads)",
                      configuration: orthogonalConfiguration) { benchmark, state in
                for _ in benchmark.scaledIterations {
                    try Initializer.orthogonal().fillWeight(&state.matrix, seed: 2, threads: threads)
                }
                blackHole(state.matrix[0, 0])
            } setup: { FillState(rows: orthogonalSize, columns: orthogonalSize) }

            // The bare LAPACK calls on the same kind of matrix (the copy of the Gaussian matrix
            // that the in-place factorization needs is part of these baselines): the compact WY
            // routine the initializer uses, and LAPACK's drivers.
            for routine in LAPACK.HouseholderRoutine.allCases {
                let name = routine == .compactWY ? "compact WY QR" : "sgeqrf+sorgqr"
                Benchmark("\(name) \(orthogonalSize)x\(orthogonalSize) threads=\(threads)",
                          configuration: orthogonalConfiguration) { benchmark, state in
                    try ThreadPolicy.setThreadCount(threads)
                    for _ in benchmark.scaledIterations {
                        state.matrix = state.gaussian
                        blackHole(try LAPACK.orthonormalize(&state.matrix, routine: routine))
                    }
                } setup: { FillState(rows: orthogonalSize, columns: orthogonalSize, gaussian: true) }
            }
        }
    }
}

final class FillState: @unchecked Sendable {
    var matrix: Matrix
    var gaussian: Matrix

    init(rows: Int, columns: Int, gaussian withNormalEntries: Bool = false) {
        matrix = try! Matrix(rows: rows, columns: columns)
        gaussian = try! Matrix(rows: rows, columns: columns)
        if withNormalEntries { try! RandomFill.normal(&gaussian, seed: 2) }
    }
}
