internal import CRandomKernels
import Foundation

/// Philox words from the AVX2 kernel of the `CRandomKernels` C target, used by the fills when the
/// processor has AVX2 (the Swift code is built for baseline x86-64, so its own kernel is SSE2).
/// The kernel writes the same words as `words(group:)`, in element order.
extension PhiloxLanes {
    /// Whether the fills take their words from the AVX2 kernel: the processor runs AVX2 code and
    /// the environment variable `VARIANCEKIT_AVX2` is not `0` (set it to compare the two paths).
    static let usesAVX2: Bool = {
        if ProcessInfo.processInfo.environment["VARIANCEKIT_AVX2"] == "0" { return false }
        return vk_cpu_has_avx2() != 0
    }()

    /// The words of `groups` in element order at `words` (32 per group); requires `usesAVX2`
    /// or at least `vk_cpu_has_avx2()`.
    func writeWordsAVX2(groups: Range<Int>, to words: UnsafeMutablePointer<UInt32>) {
        vk_philox_words_avx2(key0, key1, stream0, stream1, blockOffset,
                             Int64(groups.lowerBound), Int64(groups.count), words)
    }

    /// The normal fill (`NormalTransform(mean:standardDeviation:)`) of `groups` at `output`
    /// (32 elements per group), Philox and Box-Muller both on AVX2; requires `vk_cpu_has_avx2()`.
    func writeNormalAVX2(groups: Range<Int>, mean: Float, standardDeviation: Float, to output: UnsafeMutablePointer<Float>) {
        vk_philox_normal_avx2(key0, key1, stream0, stream1, blockOffset,
                              Int64(groups.lowerBound), Int64(groups.count), mean, standardDeviation, output)
    }

    /// The processor runs the AVX2 kernel (whatever `VARIANCEKIT_AVX2` says); for the tests.
    static var hasAVX2: Bool { vk_cpu_has_avx2() != 0 }
}
