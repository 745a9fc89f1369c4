#ifndef C_KERNELS_H
#define C_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Implementation details of VarianceKit in C: kernels on AVX2, chosen at run time (the package
/// builds for baseline x86-64; Swift code cannot be compiled for one CPU feature function by
/// function, C can), and the thread placement calls that need C macros.

/// 1 when this processor and its operating system run AVX2 code, 0 otherwise (always 0 off x86-64).
int vk_cpu_has_avx2(void);

/// 1 when this processor and its operating system run the AVX-512 subsets F, BW, DQ and VL
/// (what the AVX-512 kernels use), 0 otherwise (always 0 off x86-64).
int vk_cpu_has_avx512(void);

/// The Philox4x32-10 words of groups `first_group ..< first_group + group_count`, in the fills'
/// element order: word `j` of block `8 g + l` at `out[32 (g - first_group) + 8 j + l]`, where
/// block `b` has the counter `(lo32(b + block_offset), hi32(b + block_offset), stream0, stream1)`
/// and every block the key `(key0, key1)`. `block_offset` must be a multiple of 8. Call only
/// when `vk_cpu_has_avx2()` is 1 (elsewhere it writes nothing).
void vk_philox_words_avx2(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                          uint64_t block_offset, int64_t first_group, int64_t group_count,
                          uint32_t *out);

/// The normal fill (`NormalTransform` of VarianceKit) of groups `first_group ..< first_group +
/// group_count` into `out[32 (g - first_group) ..< 32 (g - first_group) + 32]`, from the same
/// words as `vk_philox_words_avx2`, with the same bits as the Swift code. Requires AVX2.
void vk_philox_normal_avx2(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                           uint64_t block_offset, int64_t first_group, int64_t group_count,
                           float mean, float standard_deviation, float *out);

// MARK: AVX-512 kernels of the random fills (philox_avx512.c)
//
/// Like the AVX2 kernels, each writes groups `first_group ..< first_group + group_count` (32
/// elements per group, group `g` at `out[32 (g - first_group)]`) from the Philox4x32-10 blocks
/// whose counters are `(lo32(b + block_offset), hi32(b + block_offset), stream0, stream1)` under
/// the key `(key0, key1)`, `block_offset` a multiple of 8, with the same bits as VarianceKit's
/// scalar Swift reference. With `streaming` nonzero the floats go out by non-temporal stores, and
/// `out` must then be 64-byte aligned (the caller fences). Call only when `vk_cpu_has_avx512()`
/// is 1 (elsewhere they write nothing).

/// `vk_philox_words_avx2` on AVX-512: word `j` of block `8 g + l` at `out[32 (g - first_group) + 8 j + l]`.
void vk_philox_words_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                            uint64_t block_offset, int64_t first_group, int64_t group_count,
                            uint32_t *out);

/// The uniform fill (`UniformTransform`): element `32 g + 8 j + l` is
/// `min(low + span ((word >> 8) 2^-24), largest_below_high)` of word `j` of block `8 g + l`.
void vk_philox_uniform_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                              uint64_t block_offset, int64_t first_group, int64_t group_count,
                              float low, float span, float largest_below_high, int streaming, float *out);

/// The normal fill (`NormalTransform`, Box-Muller on words (0, 1) and (2, 3) of each block).
void vk_philox_normal_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                             uint64_t block_offset, int64_t first_group, int64_t group_count,
                             float mean, float standard_deviation, int streaming, float *out);

/// The parameters of the truncated normal by rejection: standard bounds, `mean`, standard
/// deviation, the scaled bounds `mean + sd lower` and `mean + sd upper` the results are kept in,
/// and the number of candidate slots per element.
typedef struct {
    float lower;
    float upper;
    float mean;
    float standard_deviation;
    float lower_value;
    float upper_value;
    int32_t slot_count;
} vk_truncation;

/// The truncated normal by rejection (`TruncatedNormalRejection`): element `32 g + i` takes the
/// first of its `slot_count` standard Box-Muller candidates that lies in `[lower, upper]`, the
/// candidate of slot `s` coming from Philox group `(slot_count + 1) g + s` (the same element
/// position of the normal fill), as `min(max(z sd + mean, lower_value), upper_value)`. Slot 0 is
/// computed for whole groups, the later slots for the pending elements only, sixteen at a time.
/// Where all candidates fall outside, the element's offset from `out` goes to `fallback` (room
/// for `32 group_count + 16`, also the kernel's scratch) and its value is left for the caller;
/// returns how many did.
int64_t vk_philox_truncated_normal_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                                          uint64_t block_offset, int64_t first_group, int64_t group_count,
                                          const vk_truncation *truncation, int streaming, float *out,
                                          uint32_t *fallback);

// MARK: end of the AVX-512 kernels of the random fills

/// Orders earlier non-temporal stores before later stores (`sfence`; nothing off x86-64).
void vk_store_fence(void);

/// Sums of a run of floats about `shift`, in float lanes: `sum = Σ (x - shift)`,
/// `squares = Σ (x - shift)²`, and the smallest and largest `x` (as `minps`/`maxps` take them).
typedef struct {
    float sum;
    float squares;
    float minimum;
    float maximum;
} vk_moments;

/// `vk_moments` of `x[0 ..< count]`, `count` a multiple of 8, eight lanes at a time with two
/// accumulator sets; the lanes are added pairwise at the end. Requires AVX2.
vk_moments vk_moments_avx2(const float *x, int64_t count, float shift);

/// The processor the calling thread is running on, or -1 where that is unknown.
int vk_current_cpu(void);

/// Size in bytes of the affinity mask that `vk_leave_cpu` saves.
size_t vk_affinity_mask_size(void);

/// When the calling thread runs on processor `cpu` and its affinity allows another one: saves its
/// affinity mask at `saved` (`vk_affinity_mask_size()` bytes), removes `cpu` from it (the kernel
/// moves the thread at once) and returns 1. Otherwise changes nothing and returns 0.
int vk_leave_cpu(int cpu, void *saved);

/// Sets the calling thread's affinity mask back to the one `vk_leave_cpu` saved.
void vk_restore_affinity(const void *saved);

/// The number of processors the calling thread may run on (0 where unknown).
int vk_allowed_cpu_count(void);

#endif
