import Foundation
import Testing
@testable import VarianceKit

/// The moments pass on every path the processor runs (the AVX-512 and AVX2 kernels of `CKernels`,
/// the SSE2 Swift loop) against naive Double statistics, at lengths around the 8-lane and
/// 1024-entry block boundaries, with a large common offset and with non-finite entries; and the
/// paths against each other, bit for bit.
@Suite struct StatisticsKernelTests {
    static func values(count: Int, seed: UInt64, offset: Float) -> [Float] {
        var random = TestRandom(seed: seed)
        return (0..<count).map { _ in offset + 3 * random.nextSigned() }
    }

    @Test(arguments: [1, 7, 8, 9, 15, 16, 17, 24, 1023, 1024, 1025, 2048 + 13, 5000])
    func bothPathsMatchNaiveStatistics(count: Int) throws {
        for offset: Float in [0, 1000] {
            let values = Self.values(count: count, seed: UInt64(count), offset: offset)
            for path in KernelPath.available {
                let statistics = values.withUnsafeBufferPointer {
                    TensorStatistics.measure($0.baseAddress!, count: count, options: .standard, path: path)
                }
                try ProbeTests.expectMatches(statistics, values, "count \(count) offset \(offset) path \(path)")
            }
        }
    }

    /// Non-finite entries in some blocks, and in the lane part and the tail of a block: those
    /// blocks are redone in Double, the others keep their lanes.
    @Test func nonFiniteBlocksAreCountedOnBothPaths() throws {
        var values = Self.values(count: 3 * 1024 + 5, seed: 77, offset: -2)
        values[3] = .nan
        values[1024 + 1020] = .infinity          // in the last vector of block 1
        values[3 * 1024 + 4] = -.infinity        // in the scalar tail of the last block
        for path in KernelPath.available {
            let statistics = values.withUnsafeBufferPointer {
                TensorStatistics.measure($0.baseAddress!, count: values.count, options: .standard, path: path)
            }
            try ProbeTests.expectMatches(statistics, values, "path \(path)")
            #expect(statistics.nonFiniteCount == 3)
        }
    }

    /// The lane moments of one run on `path`.
    static func laneMoments(_ values: [Float], shift: Float, path: KernelPath) -> LaneMoments {
        values.withUnsafeBufferPointer { buffer in
            let pointer = buffer.baseAddress!
            switch path {
            case .avx512: return MomentKernels.momentsAVX512(pointer, count: buffer.count, shift: shift)
            case .avx2: return AVX2Kernels.moments(pointer, count: buffer.count, shift: shift)
            case .vector:
                return TensorStatistics.vectorMoments(pointer, count: buffer.count, shift: ActivationMath.Vector(repeating: shift))
            }
        }
    }

    /// Every path the processor runs gives the SSE2 loop's bits for the lane sums, minimum and
    /// maximum (signed zeros included, which `minps`/`maxps` order), at lengths with and without a
    /// last single vector; and those sums are the Double sums to Float rounding (an independent
    /// check of what all of them compute).
    @Test(arguments: [8, 16, 24, 40, 1000, 1024])
    func everyPathGivesTheSameLaneBits(count: Int) throws {
        var values = Self.values(count: count, seed: UInt64(count) + 11, offset: 0.25)
        for index in stride(from: 0, to: count, by: 5) { values[index] = index % 2 == 0 ? 0 : -0.0 }
        let shift: Float = 0.25
        let reference = Self.laneMoments(values, shift: shift, path: .vector)
        let sum = values.reduce(0.0) { $0 + (Double($1) - Double(shift)) }
        let squares = values.reduce(0.0) { $0 + (Double($1) - Double(shift)) * (Double($1) - Double(shift)) }
        #expect(abs(Double(reference.sum) - sum) <= 1e-5 * squares.squareRoot() * Double(count).squareRoot())
        #expect(abs(Double(reference.squares) - squares) <= 1e-5 * squares)
        #expect(reference.minimum == values.min()! && reference.maximum == values.max()!)
        for path in KernelPath.available {
            let moments = Self.laneMoments(values, shift: shift, path: path)
            #expect(moments.sum.bitPattern == reference.sum.bitPattern, "\(path) count \(count)")
            #expect(moments.squares.bitPattern == reference.squares.bitPattern, "\(path) count \(count)")
            #expect(moments.minimum.bitPattern == reference.minimum.bitPattern, "\(path) count \(count)")
            #expect(moments.maximum.bitPattern == reference.maximum.bitPattern, "\(path) count \(count)")
        }
    }

    /// The whole statistics (blocks, tails, the Double combination, the histogram) are the same
    /// on every path, bit for bit, including a block redone in Double and blocks of tiny entries
    /// summed again by `rescaledSquares`.
    @Test func everyPathGivesTheSameStatistics() throws {
        var values = Self.values(count: 100_003, seed: 5, offset: 0.5)
        values[70_001] = .nan
        for index in 20_480..<22_000 { values[index] = values[index] * 1e-30 }
        let statistics = KernelPath.available.map { path in
            values.withUnsafeBufferPointer {
                TensorStatistics.measure($0.baseAddress!, count: values.count, options: .standard, path: path)
            }
        }
        let reference = try #require(statistics.last)
        for (path, other) in zip(KernelPath.available, statistics) {
            #expect(other.mean?.bitPattern == reference.mean?.bitPattern, "\(path)")
            #expect(other.variance?.bitPattern == reference.variance?.bitPattern, "\(path)")
            #expect(other == reference, "\(path)")
        }
        try ProbeTests.expectMatches(reference, values, "vector path")
    }
}
