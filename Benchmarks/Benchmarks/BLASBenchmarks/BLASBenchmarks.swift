import Benchmark
import VarianceKit

/// The bare sgemm throughput every other figure is compared with: `C = A B` at 2048³,
/// counted as 2 * 2048³ floating-point operations per call.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(3), maxIterations: 50)

    for size in [512, 2048] {
        Benchmark("sgemm \(size)x\(size)x\(size) (\(BLAS.kernelName), \(ThreadPolicy.threadCount) threads)") { benchmark, state in
            for _ in benchmark.scaledIterations {
                try BLAS.gemm(state.a, state.b, into: &state.c)
            }
            blackHole(state.c[0, 0])
        } setup: {
            GemmState(size: size)
        }
    }
}

final class GemmState: @unchecked Sendable {
    let a: Matrix
    let b: Matrix
    var c: Matrix

    init(size: Int) {
        let elements = (0..<(size * size)).map { Float(($0 % 17) - 8) / 8 }
        a = try! Matrix(rows: size, columns: size, elements: elements)
        b = try! Matrix(rows: size, columns: size, elements: elements.reversed())
        c = try! Matrix(rows: size, columns: size)
    }
}
