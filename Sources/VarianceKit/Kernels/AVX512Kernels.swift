internal import CKernels

/// The AVX-512 kernels of the random fills (`philox_avx512.c` in the `CKernels` C target), behind
/// Swift signatures. Each writes whole 32-element groups in the fills' element layout
/// (`PhiloxLanes`) with the same bits as the scalar Swift reference. Call them only where
/// `CPUFeatures.hasAVX512` holds; callers choose them through `CPUFeatures.usesAVX512`.
///
/// With `streaming`, the floats go out by non-temporal stores: `output` must then be 64-byte
/// aligned, and the caller orders them with `StreamingStore.fence()`.
enum AVX512Kernels {
    /// The Philox4x32-10 words of `groups` at `words`, as `AVX2Kernels.philoxWords` writes them:
    /// word `j` of block `8 g + l` at `words[32 (g - groups.lowerBound) + 8 j + l]`.
    @inline(__always)
    static func philoxWords(_ lanes: PhiloxLanes, groups: Range<Int>, to words: UnsafeMutablePointer<UInt32>) {
        vk_philox_words_avx512(lanes.key0, lanes.key1, lanes.stream0, lanes.stream1, lanes.blockOffset,
                               Int64(groups.lowerBound), Int64(groups.count), words)
    }

    /// The uniform fill `min(low + span u, largestBelowHigh)`, `u = (word >> 8) 2^-24`
    /// (`UniformTransform`), of `groups` at `output`.
    @inline(__always)
    static func philoxUniform(
        _ lanes: PhiloxLanes, groups: Range<Int>, low: Float, span: Float, largestBelowHigh: Float,
        streaming: Bool, to output: UnsafeMutablePointer<Float>
    ) {
        vk_philox_uniform_avx512(lanes.key0, lanes.key1, lanes.stream0, lanes.stream1, lanes.blockOffset,
                                 Int64(groups.lowerBound), Int64(groups.count), low, span, largestBelowHigh,
                                 streaming ? 1 : 0, output)
    }

    /// The normal fill `mean + standardDeviation · z` by Box-Muller (`NormalTransform`) of `groups`
    /// at `output`.
    @inline(__always)
    static func philoxNormal(
        _ lanes: PhiloxLanes, groups: Range<Int>, mean: Float, standardDeviation: Float,
        streaming: Bool, to output: UnsafeMutablePointer<Float>
    ) {
        vk_philox_normal_avx512(lanes.key0, lanes.key1, lanes.stream0, lanes.stream1, lanes.blockOffset,
                                Int64(groups.lowerBound), Int64(groups.count), mean, standardDeviation,
                                streaming ? 1 : 0, output)
    }

    /// `count` floats from `source` to the 64-byte-aligned `destination` by non-temporal stores
    /// (`count` a multiple of 16); the caller orders them with `StreamingStore.fence()`.
    @inline(__always)
    static func streamCopy(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        vk_stream_copy_avx512(source, destination, Int64(count))
    }

    /// The truncated normal by rejection (`TruncatedNormalRejection`) of `groups` at `output`, by
    /// plain stores: every element whose candidates all fall outside the bounds is left unwritten
    /// and its offset from `output` goes to `fallback` (room for `32 groups.count + 16`, also the
    /// kernel's scratch). Returns how many did.
    @inline(__always)
    static func philoxTruncatedNormal(
        _ lanes: PhiloxLanes, groups: Range<Int>, truncation: TruncatedNormalRejection,
        to output: UnsafeMutablePointer<Float>, fallback: UnsafeMutablePointer<UInt32>
    ) -> Int {
        var parameters = truncation.parameters
        return Int(vk_philox_truncated_normal_avx512(
            lanes.key0, lanes.key1, lanes.stream0, lanes.stream1, lanes.blockOffset,
            Int64(groups.lowerBound), Int64(groups.count), &parameters, output, fallback))
    }
}

extension TruncatedNormalRejection {
    /// The kernels' description of this truncation (`vk_truncation`).
    var parameters: vk_truncation {
        vk_truncation(lower: lower, upper: upper, mean: mean, standard_deviation: standardDeviation,
                      lower_value: lowerValue, upper_value: upperValue, slot_count: Int32(Self.slotCount))
    }
}
