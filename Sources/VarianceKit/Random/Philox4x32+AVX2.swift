/// Philox words from the AVX2 kernels (`AVX2Kernels`), used by the fills when the
/// processor has AVX2 (the Swift code is built for baseline x86-64, so its own kernel is SSE2).
/// The kernel writes the same words as `words(group:)`, in element order. The fills use it on
/// `FillPath.avx2` (`CPUFeatures.usesAVX2` without `usesAVX512`).
extension PhiloxLanes {
    /// The words of `groups` in element order at `words` (32 per group); requires
    /// `CPUFeatures.hasAVX2`.
    func writeWordsAVX2(groups: Range<Int>, to words: UnsafeMutablePointer<UInt32>) {
        AVX2Kernels.philoxWords(key0: key0, key1: key1, stream0: stream0, stream1: stream1,
                                blockOffset: blockOffset, groups: groups, to: words)
    }

    /// The normal fill (`NormalTransform(mean:standardDeviation:)`) of `groups` at `output`
    /// (32 elements per group), Philox and Box-Muller both on AVX2; requires `CPUFeatures.hasAVX2`.
    func writeNormalAVX2(groups: Range<Int>, mean: Float, standardDeviation: Float, to output: UnsafeMutablePointer<Float>) {
        AVX2Kernels.philoxNormal(key0: key0, key1: key1, stream0: stream0, stream1: stream1,
                                 blockOffset: blockOffset, groups: groups,
                                 mean: mean, standardDeviation: standardDeviation, to: output)
    }
}
