#ifndef C_RANDOM_KERNELS_H
#define C_RANDOM_KERNELS_H

#include <stdint.h>

/// Implementation detail of VarianceKit's random fills: Philox4x32-10 words on AVX2, chosen at
/// run time (the package builds for baseline x86-64; Swift code cannot be compiled for one CPU
/// feature function by function, C can).

/// 1 when this processor and its operating system run AVX2 code, 0 otherwise (always 0 off x86-64).
int vk_cpu_has_avx2(void);

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

/// Orders earlier non-temporal stores before later stores (`sfence`; nothing off x86-64).
void vk_store_fence(void);

#endif
