import Foundation
import Testing
@testable import VarianceKit

/// The moments pass on both paths (the AVX2 kernel of `CKernels` where the processor has AVX2,
/// and the SSE2 Swift loop) against naive Double statistics, at lengths around the 8-lane and
/// 1024-entry block boundaries, with a large common offset and with non-finite entries.
@Suite struct StatisticsKernelTests {
    static var paths: [Bool] { CPUFeatures.hasAVX2 ? [false, true] : [false] }

    static func values(count: Int, seed: UInt64, offset: Float) -> [Float] {
        var random = TestRandom(seed: seed)
        return (0..<count).map { _ in offset + 3 * random.nextSigned() }
    }

    @Test(arguments: [1, 7, 8, 9, 15, 16, 17, 24, 1023, 1024, 1025, 2048 + 13, 5000])
    func bothPathsMatchNaiveStatistics(count: Int) throws {
        for offset: Float in [0, 1000] {
            let values = Self.values(count: count, seed: UInt64(count), offset: offset)
            for avx2 in Self.paths {
                let statistics = values.withUnsafeBufferPointer {
                    TensorStatistics.measure($0.baseAddress!, count: count, options: .standard, avx2: avx2)
                }
                try ProbeTests.expectMatches(statistics, values, "count \(count) offset \(offset) avx2 \(avx2)")
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
        for avx2 in Self.paths {
            let statistics = values.withUnsafeBufferPointer {
                TensorStatistics.measure($0.baseAddress!, count: values.count, options: .standard, avx2: avx2)
            }
            try ProbeTests.expectMatches(statistics, values, "avx2 \(avx2)")
            #expect(statistics.nonFiniteCount == 3)
        }
    }

    /// Where the processor has AVX2, the two paths agree to Float rounding of the block sums.
    @Test func pathsAgree() throws {
        guard CPUFeatures.hasAVX2 else { return }
        let values = Self.values(count: 100_003, seed: 5, offset: 0.5)
        let (sse, avx) = values.withUnsafeBufferPointer {
            (TensorStatistics.measure($0.baseAddress!, count: values.count, options: .standard, avx2: false),
             TensorStatistics.measure($0.baseAddress!, count: values.count, options: .standard, avx2: true))
        }
        #expect(sse.minimum == avx.minimum && sse.maximum == avx.maximum && sse.histogram == avx.histogram)
        let (sseVariance, avxVariance) = (try #require(sse.variance), try #require(avx.variance))
        #expect(abs(sseVariance - avxVariance) <= 1e-6 * sseVariance)
    }
}
