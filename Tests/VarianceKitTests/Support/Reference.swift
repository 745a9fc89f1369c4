import VarianceKit

/// A small deterministic generator for test data (SplitMix64), independent of VarianceKit's own
/// random engine so that tests of that engine don't lean on it.
struct TestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    mutating func nextSigned() -> Float {
        Float(Double(nextUInt64() >> 11) / Double(1 << 53) * 2 - 1)
    }

    /// Uniform in `[-scale, scale)`: `nextSigned() * scale`.
    mutating func uniform(_ scale: Float = 1) -> Float { nextSigned() * scale }

    /// Uniform in `0 ..< bound` (`bound >= 1`; modulo bias is immaterial for tests).
    mutating func below(_ bound: Int) -> Int { Int(nextUInt64() % UInt64(bound)) }

    /// A `rows x columns` matrix of `uniform(scale)` values, row by row.
    mutating func matrix(_ rows: Int, _ columns: Int, scale: Float = 1) -> Matrix {
        let elements = (0..<(rows * columns)).map { _ in uniform(scale) }
        return try! Matrix(rows: rows, columns: columns, elements: elements)
    }

    mutating func array(_ count: Int) -> [Float] {
        (0..<count).map { _ in nextSigned() }
    }
}

/// Naive Double-precision references.
enum Reference {
    /// `op(A)[i, k]` read from a row-major matrix.
    static func element(_ m: Matrix, _ i: Int, _ k: Int, transposed: Bool) -> Double {
        Double(transposed ? m[k, i] : m[i, k])
    }

    /// `alpha * op(A) op(B) + beta * C` by a triple loop in Double.
    static func gemm(_ a: Matrix, _ b: Matrix, _ c: Matrix, transposeA: Bool, transposeB: Bool,
                     alpha: Double, beta: Double) -> [[Double]] {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let n = transposeB ? b.rows : b.columns
        var result = [[Double]](repeating: [Double](repeating: 0, count: n), count: m)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    sum += element(a, i, p, transposed: transposeA) * element(b, p, j, transposed: transposeB)
                }
                result[i][j] = alpha * sum + (beta == 0 ? 0 : beta * Double(c[i, j]))
            }
        }
        return result
    }

    /// `AᵀA` (or `A Aᵀ`) in Double, for orthogonality checks.
    static func gram(_ a: Matrix, ofColumns: Bool) -> [[Double]] {
        let n = ofColumns ? a.columns : a.rows
        let inner = ofColumns ? a.rows : a.columns
        var g = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<inner {
                    sum += ofColumns ? Double(a[p, i]) * Double(a[p, j]) : Double(a[i, p]) * Double(a[j, p])
                }
                g[i][j] = sum
            }
        }
        return g
    }
}
