import Foundation
import Testing
@testable import VarianceKit

/// The fused forward and backward passes split over threads by columns give, element for element
/// and bit for bit, what one thread gives (each column's bias-gradient sum still runs in row
/// order), including ragged column counts and accumulation into an existing bias gradient.
@Suite struct ActivationSplitTests {
    static let shapes: [(rows: Int, columns: Int)] = [(300, 301), (64, 1030), (9000, 12), (40, 40)]
    static let activations: [Activation] = [.tanh, .relu, .gelu, .linear]

    @Test(arguments: shapes.indices)
    func splitPassesMatchOneThread(shapeIndex: Int) throws {
        let (rows, columns) = Self.shapes[shapeIndex]
        var random = TestRandom(seed: UInt64(shapeIndex + 40))
        let z0 = random.array(rows * columns).map { $0 * 3 }
        let bias = random.array(columns)
        let upstream = random.array(rows * columns)
        let startingBiasGradient = random.array(columns)
        for activation in Self.activations {
            var results = [[Float]]()
            for threads in [1, 2, 3] {
                var z = z0, a = [Float](repeating: .nan, count: rows * columns)
                var gradient = upstream, biasGradient = startingBiasGradient
                z.withUnsafeMutableBufferPointer { z in
                    a.withUnsafeMutableBufferPointer { a in
                        bias.withUnsafeBufferPointer { b in
                            activation.forward(preActivation: z.baseAddress!, activation: a.baseAddress!, bias: b.baseAddress!,
                                               rows: rows, columns: columns, threads: threads)
                        }
                        gradient.withUnsafeMutableBufferPointer { g in
                            biasGradient.withUnsafeMutableBufferPointer { db in
                                activation.backward(preActivation: z.baseAddress!, activation: a.baseAddress!,
                                                    gradient: g.baseAddress!, biasGradient: db.baseAddress!,
                                                    accumulate: true, rows: rows, columns: columns, threads: threads)
                            }
                        }
                    }
                }
                results.append(z + a + gradient + biasGradient)
            }
            // Against the scalar definition for a few entries, so that a split that skipped
            // columns would not pass by agreeing with itself.
            let (z, a) = (Array(results[0][0..<(rows * columns)]), Array(results[0][(rows * columns)..<(2 * rows * columns)]))
            for index in [0, columns - 1, rows * columns / 2, rows * columns - 1] {
                #expect(z[index] == z0[index] + bias[index % columns])
                #expect(a[index] == activation.value(z[index]))
            }
            for threads in 1..<results.count {
                #expect(results[threads].elementsEqual(results[0]) { $0.bitPattern == $1.bitPattern },
                        "\(activation) \(rows)x\(columns) with \(threads + 1) threads")
            }
        }
    }

    @Test func columnRangesCoverTheColumnsAtLaneBoundaries() {
        for columns in [8, 12, 301, 1030] {
            for workers in 1...4 where workers <= columns / ActivationMath.lanes {
                let ranges = (0..<workers).map { Activation.columnRange($0, of: workers, columns: columns) }
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == columns)
                for (left, right) in zip(ranges, ranges.dropFirst()) {
                    #expect(left.upperBound == right.lowerBound && right.lowerBound % ActivationMath.lanes == 0 && !left.isEmpty)
                }
            }
        }
        #expect(Activation.workerCount(rows: 10, columns: 10, threads: 2) == 1)          // too small
        #expect(Activation.workerCount(rows: 10_000, columns: 12, threads: 4) == 1)      // one lane group
        #expect(Activation.workerCount(rows: 300, columns: 301, threads: 2) == 2)
        #expect(Activation.workerCount(rows: 300, columns: 301, threads: 300) == 301 / ActivationMath.lanes)
    }
}
