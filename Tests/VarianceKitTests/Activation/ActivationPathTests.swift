import Foundation
import Testing
@testable import VarianceKit

/// The fused element-wise passes on every kernel path the processor runs (`KernelPath`: the
/// AVX-512 and AVX2 kernels of `CKernels`, the Swift SIMD8 loop), for every activation, at odd
/// shapes (tails of every length), with and without a bias, on 1 to 3 threads: each path gives
/// the bits of the Swift path for `Z + b`, `A`, `dZ` and `db`; and the Swift path is checked
/// against Double references (the textbook φ, φ', the column sums of `dZ` in Double).
@Suite struct ActivationPathTests {
    static let activations = allActivations + [.leakyReLU(slope: 0), .elu(alpha: 1)]

    /// (rows, columns, threads); the last shapes reach `Activation.parallelElementThreshold`, so
    /// the columns are split among threads at multiples of 8 that are not multiples of 16.
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 7, 1), (3, 15, 1), (2, 16, 1), (5, 17, 1), (4, 31, 1), (3, 33, 1), (2, 100, 1),
        (65, 1029, 2), (65, 1029, 3), (70, 1000, 2),
    ]

    /// Pre-activations: mostly `3 N(0,1)`-like values, with every special value and the
    /// boundaries of the kernels' ranges sprinkled in.
    static func preActivations(_ count: Int, seed: UInt64) -> [Float] {
        var random = TestRandom(seed: seed)
        let specials: [Float] = [0, -0.0, .infinity, -.infinity, .nan, 1e-30, -1e-30, Float(bitPattern: 0x0000_1234), 9, -9, 9.5, -87.3, -88,
                                 88, 89, 100, -100, .greatestFiniteMagnitude, -.leastNormalMagnitude, 1e-7]
        var values = (0..<count).map { _ in 6 * random.nextSigned() }
        for (index, special) in specials.enumerated() where index * 7 < count { values[index * 7] = special }
        return values
    }

    /// Bits equal, or both NaN (the payload of a NaN that meets another is not fixed).
    static func sameBits(_ x: Float, _ y: Float) -> Bool { x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }

    struct Pass {
        var z: [Float]
        var a: [Float]
        var dz: [Float]
        var db: [Float]
    }

    static func run(_ activation: Activation, rows: Int, columns: Int, threads: Int, bias: Bool,
                    path: KernelPath, seed: UInt64) -> Pass {
        var random = TestRandom(seed: seed &+ 1)
        var z = preActivations(rows * columns, seed: seed)
        let b = (0..<columns).map { _ in random.nextSigned() }
        var a = [Float](repeating: .nan, count: rows * columns)
        var dz = (0..<rows * columns).map { _ in random.nextSigned() }
        var db = (0..<columns).map { _ in random.nextSigned() }
        z.withUnsafeMutableBufferPointer { z in
            a.withUnsafeMutableBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    activation.forward(preActivation: z.baseAddress!, activation: a.baseAddress!,
                                       bias: bias ? b.baseAddress! : nil, rows: rows, columns: columns,
                                       threads: threads, path: path)
                }
                dz.withUnsafeMutableBufferPointer { dz in
                    db.withUnsafeMutableBufferPointer { db in
                        activation.backward(preActivation: z.baseAddress!, activation: a.baseAddress!,
                                            gradient: dz.baseAddress!, biasGradient: db.baseAddress!,
                                            accumulate: bias, rows: rows, columns: columns, threads: threads, path: path)
                    }
                }
            }
        }
        return Pass(z: z, a: a, dz: dz, db: db)
    }

    @Test(arguments: activations)
    func everyPathGivesTheSwiftBits(_ activation: Activation) {
        for (rows, columns, threads) in Self.shapes {
            for bias in [false, true] {
                let seed = UInt64(rows * 1000 + columns)
                let reference = Self.run(activation, rows: rows, columns: columns, threads: threads, bias: bias,
                                         path: .vector, seed: seed)
                for path in KernelPath.available where path != .vector {
                    let pass = Self.run(activation, rows: rows, columns: columns, threads: threads, bias: bias,
                                        path: path, seed: seed)
                    let what = "\(activation) \(path) \(rows)x\(columns) threads \(threads) bias \(bias)"
                    let mismatch = { (x: [Float], y: [Float]) in x.indices.first { !Self.sameBits(x[$0], y[$0]) } }
                    #expect(mismatch(pass.z, reference.z) == nil, "Z + b: \(what)")
                    #expect(mismatch(pass.a, reference.a) == nil, "A: \(what) at \(mismatch(pass.a, reference.a) ?? -1)")
                    #expect(mismatch(pass.dz, reference.dz) == nil, "dZ: \(what) at \(mismatch(pass.dz, reference.dz) ?? -1)")
                    #expect(mismatch(pass.db, reference.db) == nil, "db: \(what) at \(mismatch(pass.db, reference.db) ?? -1)")
                }
            }
        }
    }

    /// The Swift path (and so every path) against Double: `A = φ(Z + b)` within the tolerances of
    /// `ActivationTests`, `dZ = dA φ'(Z)` for finite `Z`, and `db` against the Double sum of the
    /// computed `dZ` column (to Float's rounding of a running sum).
    @Test(arguments: activations)
    func swiftPathMatchesDoubleReferences(_ activation: Activation) {
        let (rows, columns) = (37, 45)
        var random = TestRandom(seed: 3)
        var z = (0..<rows * columns).map { _ in 8 * random.nextSigned() }
        let b = (0..<columns).map { _ in random.nextSigned() }
        let input = z
        let gradientIn = (0..<rows * columns).map { _ in random.nextSigned() }
        var a = [Float](repeating: 0, count: rows * columns)
        var dz = gradientIn
        var db = [Float](repeating: 7, count: columns)
        z.withUnsafeMutableBufferPointer { z in
            a.withUnsafeMutableBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    activation.forward(preActivation: z.baseAddress!, activation: a.baseAddress!, bias: b.baseAddress!,
                                       rows: rows, columns: columns, path: .vector)
                }
                dz.withUnsafeMutableBufferPointer { dz in
                    db.withUnsafeMutableBufferPointer { db in
                        activation.backward(preActivation: z.baseAddress!, activation: a.baseAddress!, gradient: dz.baseAddress!,
                                            biasGradient: db.baseAddress!, accumulate: false, rows: rows, columns: columns,
                                            path: .vector)
                    }
                }
            }
        }
        for row in 0..<rows {
            for column in 0..<columns {
                let index = row * columns + column
                #expect(z[index] == input[index] + b[column])
                let value = ActivationReference.value(activation, Double(z[index]))
                let slope = ActivationReference.derivative(activation, Double(z[index]))
                #expect(abs(Double(a[index]) - value) <= 2e-6 * abs(value) + 1e-9, "\(activation) φ at \(z[index])")
                let expected = Double(gradientIn[index]) * slope
                #expect(abs(Double(dz[index]) - expected) <= 4e-6 * abs(expected) + 2e-7, "\(activation) φ' at \(z[index])")
            }
        }
        for column in 0..<columns {
            let sum = (0..<rows).reduce(0.0) { $0 + Double(dz[$1 * columns + column]) }
            let magnitude = (0..<rows).reduce(0.0) { $0 + abs(Double(dz[$1 * columns + column])) }
            #expect(abs(Double(db[column]) - sum) <= Double(rows) * 6e-8 * magnitude + 1e-30, "db[\(column)]")
        }
    }
}
