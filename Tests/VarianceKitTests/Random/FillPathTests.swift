import Foundation
import Testing
@testable import VarianceKit

/// The SIMD paths of the fills (SSE2, AVX2, AVX-512: `FillPath.supported`, the ones this processor
/// runs) against the scalar Philox4x32-10 reference, element by element and bit for bit, on odd
/// group ranges, odd offsets in memory, and any split of the groups (what different thread
/// counts do). A path the processor lacks is not compared, and the test says so.
@Suite struct FillPathTests {
    static let transforms: [String] = ["uniform", "uniform narrow", "normal", "truncated [-2, 2]", "truncated [-1, 3]",
                                       "truncated [0.5, 1] by rejection", "truncated [-30, -5]"]

    static func fill(_ name: String, _ base: UnsafeMutablePointer<Float>, groups: Range<Int>, lanes: PhiloxLanes, path: FillPath?) {
        func run<T: FillTransform>(_ transform: T) {
            if let path {
                RandomFill.fillSIMD(base, groups: groups, lanes: lanes, transform: transform, path: path)
            } else {
                RandomFill.fillScalar(base, groups: groups, lanes: lanes, transform: transform)
            }
        }
        switch name {
        case "uniform": run(UniformTransform(low: -1, high: 3))
        case "uniform narrow": run(UniformTransform(low: 1, high: 1.000_001))
        case "normal": run(NormalTransform(mean: 0.5, standardDeviation: 3))
        case "truncated [-2, 2]": run(TruncatedNormalRejection(mean: 0.1, standardDeviation: 2, lower: -2, upper: 2))
        case "truncated [-1, 3]": run(TruncatedNormalRejection(mean: -1, standardDeviation: 0.5, lower: -1, upper: 3))
        case "truncated [0.5, 1] by rejection": run(TruncatedNormalRejection(mean: 0, standardDeviation: 1, lower: 0.5, upper: 1))
        default: run(TruncatedNormalTransform(mean: 0, standardDeviation: 1, lower: -30, upper: -5))
        }
    }

    static func pathsNote() -> String {
        let missing = FillPath.allCases.filter { !FillPath.supported.contains($0) }
        return missing.isEmpty ? "" : " (not compared: \(missing) — the processor does not run them)"
    }

    /// Groups 3 ..< 3 + n for n = 1, 2, 3, 5, 66, 131 (odd starts and counts, one and more
    /// chunks of the C kernels), written one float past a 64-byte boundary, on every path, equal
    /// to the scalar reference; and the groups split at odd points equal the whole.
    @Test(arguments: transforms)
    func everyPathGivesTheScalarBits(transform: String) {
        for blockOffset: UInt64 in [0, 1 << 63] {
            let lanes = PhiloxLanes(seed: 0x0123_4567_89AB_CDEF, stream: 0xFFFF_FFFF_0000_0001, blockOffset: blockOffset)
            for groupCount in [1, 2, 3, 5, 66, 131] {
                let groups = 3..<(3 + groupCount)
                let count = (groups.upperBound) * 32
                let scalar = UnsafeMutablePointer<Float>.allocate(capacity: count)
                defer { scalar.deallocate() }
                scalar.initialize(repeating: .nan, count: count)
                FillPathTests.fill(transform, scalar, groups: groups, lanes: lanes, path: nil)
                let storage = UnsafeMutableRawPointer.allocate(byteCount: (count + 17) * 4, alignment: 64)
                defer { storage.deallocate() }
                let simd = storage.bindMemory(to: Float.self, capacity: count + 17) + 1
                for path in FillPath.supported {
                    simd.initialize(repeating: .nan, count: count)
                    FillPathTests.fill(transform, simd, groups: groups, lanes: lanes, path: path)
                    var mismatches = 0
                    for i in (groups.lowerBound * 32)..<count where simd[i].bitPattern != scalar[i].bitPattern { mismatches += 1 }
                    #expect(mismatches == 0, "\(transform), \(path), \(groupCount) groups, offset \(blockOffset): \(mismatches) differ\(FillPathTests.pathsNote())")
                    #expect((0..<(groups.lowerBound * 32)).allSatisfy { simd[$0].isNaN }, "\(transform), \(path): wrote before its groups")
                    // Split at odd points, as different thread counts split the groups.
                    if groupCount >= 5 {
                        simd.initialize(repeating: .nan, count: count)
                        let cuts = [groups.lowerBound, groups.lowerBound + 1, groups.lowerBound + groupCount / 2 + 1, groups.upperBound]
                        for (from, to) in zip(cuts, cuts.dropFirst()) {
                            FillPathTests.fill(transform, simd, groups: from..<to, lanes: lanes, path: path)
                        }
                        var splitMismatches = 0
                        for i in (groups.lowerBound * 32)..<count where simd[i].bitPattern != scalar[i].bitPattern { splitMismatches += 1 }
                        #expect(splitMismatches == 0, "\(transform), \(path), split: \(splitMismatches) differ")
                    }
                }
            }
        }
    }

    /// The AVX-512 words against `Philox4x32.block` (the scalar reference, itself checked against
    /// Random123's known answers), including block indices with a nonzero high word.
    @Test(.enabled(if: CPUFeatures.hasAVX512, "the processor does not run AVX-512 F, BW, DQ and VL"),
          arguments: [0, 1, 536_870_911, Int.max / 8 - 5])
    func avx512WordsMatchTheScalarBlocks(firstGroup: Int) {
        for blockOffset: UInt64 in [0, 1 << 63] {
            let lanes = PhiloxLanes(seed: 0xDEAD_BEEF_0BAD_F00D, stream: 77, blockOffset: blockOffset)
            for groupCount in [1, 2, 3] {
                var words = [UInt32](repeating: 0, count: 32 * groupCount)
                words.withUnsafeMutableBufferPointer {
                    AVX512Kernels.philoxWords(lanes, groups: firstGroup..<(firstGroup + groupCount), to: $0.baseAddress!)
                }
                for g in 0..<groupCount {
                    for lane in 0..<8 {
                        let block = UInt64(firstGroup + g) &* 8 &+ UInt64(lane) &+ blockOffset
                        let expected = Philox4x32.block(counter: Philox4x32.counter(block: block, stream: 77),
                                                        key: Philox4x32.key(seed: 0xDEAD_BEEF_0BAD_F00D))
                        let actual = (words[32 * g + lane], words[32 * g + 8 + lane], words[32 * g + 16 + lane], words[32 * g + 24 + lane])
                        #expect(actual == expected, "group \(firstGroup + g), lane \(lane)")
                    }
                }
            }
        }
    }

    /// The AVX-512 kernels' non-temporal stores (what fills larger than the caches use) write the
    /// scalar reference's bits.
    @Test(.enabled(if: CPUFeatures.hasAVX512, "the processor does not run AVX-512 F, BW, DQ and VL"))
    func avx512StreamingStoresWriteTheSameBits() {
        let groups = 5..<50, count = 50 * 32
        let lanes = PhiloxLanes(seed: 9, stream: 4)
        let scalar = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { scalar.deallocate() }
        let streamed = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(to: Float.self, capacity: count)
        defer { streamed.deallocate() }
        let uniform = UniformTransform(low: -2, high: 2), normal = NormalTransform(mean: 1, standardDeviation: 2)
        let truncated = TruncatedNormalRejection(mean: 0, standardDeviation: 1, lower: -1, upper: 1.5)
        let output = streamed + groups.lowerBound * 32
        for kind in 0..<3 {
            streamed.initialize(repeating: .nan, count: count)
            switch kind {
            case 0:
                RandomFill.fillScalar(scalar, groups: groups, lanes: lanes, transform: uniform)
                AVX512Kernels.philoxUniform(lanes, groups: groups, low: uniform.low, span: uniform.span,
                                            largestBelowHigh: uniform.largestBelowHigh, streaming: true, to: output)
            case 1:
                RandomFill.fillScalar(scalar, groups: groups, lanes: lanes, transform: normal)
                AVX512Kernels.philoxNormal(lanes, groups: groups, mean: 1, standardDeviation: 2, streaming: true, to: output)
            default:
                // The truncated kernel stores plainly; its streamed fill stages each chunk and
                // copies it out by non-temporal stores.
                RandomFill.fillScalar(scalar, groups: groups, lanes: lanes, transform: truncated)
                truncated.fillChunks(streamed, groups: groups, lanes: lanes, path: .avx512, streaming: true)
            }
            StreamingStore.fence()
            let range = (groups.lowerBound * 32)..<count
            #expect(range.allSatisfy { streamed[$0].bitPattern == scalar[$0].bitPattern }, "kind \(kind)")
        }
    }

    /// The truncated fill that streams (fills larger than the caches) draws each chunk into a
    /// staging buffer, patches it there, and streams it out: the same bits as the scalar reference,
    /// over several chunks and a short last one, with fallbacks among them.
    @Test(.enabled(if: CPUFeatures.hasAVX512, "the processor does not run AVX-512 F, BW, DQ and VL"))
    func avx512StreamingTruncatedFillStagesEachChunk() {
        let groups = 2..<(2 + 3 * RandomFill.groupsPerChunk + 5), count = groups.upperBound * 32
        let lanes = PhiloxLanes(seed: 21, stream: 2)
        let scalar = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { scalar.deallocate() }
        let streamed = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(to: Float.self, capacity: count)
        defer { streamed.deallocate() }
        // [-0.8, 1] holds 0.63 of the mass: (0.37)^4 = 1.9% of the elements fall back to inversion.
        for truncated in [TruncatedNormalRejection(mean: 0.5, standardDeviation: 3, lower: -0.8, upper: 1),
                          TruncatedNormalRejection(mean: 0, standardDeviation: 1, lower: -2, upper: 2)] {
            streamed.initialize(repeating: .nan, count: count)
            RandomFill.fillScalar(scalar, groups: groups, lanes: lanes, transform: truncated)
            truncated.fillChunks(streamed, groups: groups, lanes: lanes, path: .avx512, streaming: true)
            let range = (groups.lowerBound * 32)..<count
            let differing = range.filter { streamed[$0].bitPattern != scalar[$0].bitPattern }
            #expect(differing.isEmpty, "[\(truncated.lower), \(truncated.upper)]: \(differing.count) elements differ, first \(differing.first ?? -1)")
            #expect((0..<range.lowerBound).allSatisfy { streamed[$0].isNaN }, "wrote before the first group")
        }
    }
}
