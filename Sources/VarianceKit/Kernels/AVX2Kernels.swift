internal import CKernels

/// The AVX2 kernels of the `CKernels` C target, behind Swift signatures (the Swift code is built
/// for baseline x86-64, so its own vector code is SSE2; C can be compiled for AVX2 function by
/// function). Call them only where `CPUFeatures.hasAVX2` holds; callers choose them through
/// `CPUFeatures.usesAVX2`.
enum AVX2Kernels {
    /// The Philox4x32-10 words of `groups` in the fills' element order at `words` (32 per group):
    /// word `j` of block `8 g + l` at `words[32 (g - groups.lowerBound) + 8 j + l]`, where block
    /// `b` has the counter `(lo32(b + blockOffset), hi32(b + blockOffset), stream0, stream1)` and
    /// every block the key `(key0, key1)`. `blockOffset` is a multiple of 8.
    @inline(__always)
    static func philoxWords(
        key0: UInt32, key1: UInt32, stream0: UInt32, stream1: UInt32, blockOffset: UInt64,
        groups: Range<Int>, to words: UnsafeMutablePointer<UInt32>
    ) {
        vk_philox_words_avx2(key0, key1, stream0, stream1, blockOffset,
                             Int64(groups.lowerBound), Int64(groups.count), words)
    }

    /// The normal fill `mean + standardDeviation · z` (Box-Muller on the words of `philoxWords`,
    /// the same bits as `NormalTransform`) of `groups` at `output`, 32 elements per group.
    @inline(__always)
    static func philoxNormal(
        key0: UInt32, key1: UInt32, stream0: UInt32, stream1: UInt32, blockOffset: UInt64,
        groups: Range<Int>, mean: Float, standardDeviation: Float, to output: UnsafeMutablePointer<Float>
    ) {
        vk_philox_normal_avx2(key0, key1, stream0, stream1, blockOffset,
                              Int64(groups.lowerBound), Int64(groups.count), mean, standardDeviation, output)
    }

    /// The truncated normal by rejection (`TruncatedNormalRejection`) of `groups` at `output`,
    /// eight lanes at a time: every element whose candidates all fall outside the bounds is left
    /// unwritten and its offset from `output` goes to `fallback` (room for `32 groups.count + 8`, also
    /// the kernel's scratch). Returns how many did.
    @inline(__always)
    static func philoxTruncatedNormal(
        _ lanes: PhiloxLanes, groups: Range<Int>, truncation: TruncatedNormalRejection,
        to output: UnsafeMutablePointer<Float>, fallback: UnsafeMutablePointer<UInt32>
    ) -> Int {
        var parameters = truncation.parameters
        return Int(vk_philox_truncated_normal_avx2(
            lanes.key0, lanes.key1, lanes.stream0, lanes.stream1, lanes.blockOffset,
            Int64(groups.lowerBound), Int64(groups.count), &parameters, output, fallback))
    }

    /// `LaneMoments` of `pointer[0 ..< count]` about `shift`, `count` a multiple of 8, eight lanes
    /// at a time with two accumulator sets, the lanes added pairwise at the end.
    @inline(__always)
    static func moments(_ pointer: UnsafePointer<Float>, count: Int, shift: Float) -> LaneMoments {
        let moments = vk_moments_avx2(pointer, Int64(count), shift)
        return LaneMoments(sum: moments.sum, squares: moments.squares,
                           minimum: moments.minimum, maximum: moments.maximum)
    }
}

/// Sums of a run of floats about `shift`, accumulated in Float lanes: `sum = Σ (x - shift)`,
/// `squares = Σ (x - shift)²`, and the smallest and largest `x` (as `minps`/`maxps` take them).
struct LaneMoments {
    var sum: Float
    var squares: Float
    var minimum: Float
    var maximum: Float
}
