internal import CKernels

/// Philox words from the AVX2 kernel of the `CKernels` C target, used by the fills when the
/// processor has AVX2 (the Swift code is built for baseline x86-64, so its own kernel is SSE2).
/// The kernel writes the same words as `words(group:)`, in element order. Whether the fills use
/// it is `CPUFeatures.usesAVX2`.
extension PhiloxLanes {
    /// The words of `groups` in element order at `words` (32 per group); requires
    /// `CPUFeatures.hasAVX2`.
    func writeWordsAVX2(groups: Range<Int>, to words: UnsafeMutablePointer<UInt32>) {
        vk_philox_words_avx2(key0, key1, stream0, stream1, blockOffset,
                             Int64(groups.lowerBound), Int64(groups.count), words)
    }

    /// The normal fill (`NormalTransform(mean:standardDeviation:)`) of `groups` at `output`
    /// (32 elements per group), Philox and Box-Muller both on AVX2; requires `CPUFeatures.hasAVX2`.
    func writeNormalAVX2(groups: Range<Int>, mean: Float, standardDeviation: Float, to output: UnsafeMutablePointer<Float>) {
        vk_philox_normal_avx2(key0, key1, stream0, stream1, blockOffset,
                              Int64(groups.lowerBound), Int64(groups.count), mean, standardDeviation, output)
    }
}
