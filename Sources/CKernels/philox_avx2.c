#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

void vk_store_fence(void) { _mm_sfence(); }

int vk_cpu_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

/* Each 256-bit register holds one counter word of four blocks, one per 64-bit lane, in the
   lane's low half: `vpmuludq` multiplies exactly those halves, so a product lands in its lane as
   hi << 32 | lo and a round is two multiplies, two shifts and four XORs, with no shuffles. The
   high halves carry garbage that is only ever XORed (lane by lane) and ignored by `vpmuludq`. */
#define PHILOX_ROUND(c0, c1, c2, c3, k0, k1)                                        \
    do {                                                                            \
        __m256i product0 = _mm256_mul_epu32((c0), multiplier0);                     \
        __m256i product1 = _mm256_mul_epu32((c2), multiplier1);                     \
        (c0) = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(product1, 32), (c1)), (k0)); \
        (c1) = product1;                                                            \
        (c2) = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(product0, 32), (c3)), (k1)); \
        (c3) = product0;                                                            \
    } while (0)

/* Word j of eight blocks (low halves of the lanes of `first` and `second`), in block order. */
__attribute__((target("avx2")))
static inline __m256i low_words(__m256i first, __m256i second) {
    __m256i interleaved = _mm256_blend_epi32(first, _mm256_slli_epi64(second, 32), 0xAA);
    return _mm256_permutevar8x32_epi32(interleaved, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
}

/* Round keys k + r (0x9E3779B9, 0xBB67AE85), r < 10, broadcast once per call. */
typedef struct {
    __m256i first[10], second[10];
    __m256i stream_low, stream_high;
} philox_keys;

__attribute__((target("avx2")))
static inline void philox_keys_init(philox_keys *keys, uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1) {
    for (uint32_t round = 0; round < 10; round++) {
        keys->first[round] = _mm256_set1_epi64x((uint32_t)(key0 + round * 0x9E3779B9u));
        keys->second[round] = _mm256_set1_epi64x((uint32_t)(key1 + round * 0xBB67AE85u));
    }
    keys->stream_low = _mm256_set1_epi64x(stream0);
    keys->stream_high = _mm256_set1_epi64x(stream1);
}

/* The four words of blocks first_block ..< first_block + 8 (first_block a multiple of 8):
   words[j] lane l is word j of block first_block + l. */
__attribute__((target("avx2")))
static inline void philox_group(const philox_keys *keys, uint64_t first_block, __m256i words[4]) {
    const __m256i multiplier0 = _mm256_set1_epi64x(0xD2511F53);
    const __m256i multiplier1 = _mm256_set1_epi64x(0xCD9E8D57);
    /* Eight consecutive blocks from a multiple of 8 never carry into the high word. */
    __m256i a0 = _mm256_add_epi64(_mm256_set1_epi64x((uint32_t)first_block), _mm256_setr_epi64x(0, 1, 2, 3));
    __m256i b0 = _mm256_add_epi64(a0, _mm256_set1_epi64x(4));
    __m256i a1 = _mm256_set1_epi64x((uint32_t)(first_block >> 32)), b1 = a1;
    __m256i a2 = keys->stream_low, b2 = a2, a3 = keys->stream_high, b3 = a3;
    _Pragma("clang loop unroll(full)")
    for (int round = 0; round < 10; round++) {
        PHILOX_ROUND(a0, a1, a2, a3, keys->first[round], keys->second[round]);
        PHILOX_ROUND(b0, b1, b2, b3, keys->first[round], keys->second[round]);
    }
    words[0] = low_words(a0, b0);
    words[1] = low_words(a1, b1);
    words[2] = low_words(a2, b2);
    words[3] = low_words(a3, b3);
}

__attribute__((target("avx2")))
void vk_philox_words_avx2(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                          uint64_t block_offset, int64_t first_group, int64_t group_count,
                          uint32_t *out) {
    philox_keys keys;
    philox_keys_init(&keys, key0, key1, stream0, stream1);
    for (int64_t g = 0; g < group_count; g++) {
        __m256i words[4];
        philox_group(&keys, (uint64_t)(first_group + g) * 8 + block_offset, words);
        for (int j = 0; j < 4; j++) {
            _mm256_storeu_si256((__m256i *)(out + 32 * g + 8 * j), words[j]);
        }
    }
}

/* VarianceKit's `NormalTransform.pair` on eight lanes, operation for operation (no fused
   multiply-adds: the avx2 target has none, and contraction is off), so the bits are those of the
   Swift reference. The constants are the hexadecimal literals of `VectorMath`. */
#pragma clang fp contract(off)

__attribute__((target("avx2")))
static inline __m256 log_lanes(__m256 x) {
    const __m256i sqrt_half_bits = _mm256_set1_epi32(0x3F3504F3);
    __m256i shifted = _mm256_sub_epi32(_mm256_castps_si256(x), sqrt_half_bits);
    __m256i exponent_bits = _mm256_add_epi32(_mm256_srai_epi32(shifted, 23), _mm256_set1_epi32(0x4B400000));
    __m256 exponent = _mm256_sub_ps(_mm256_castsi256_ps(exponent_bits), _mm256_set1_ps(12582912.0f));
    __m256 mantissa = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_and_si256(shifted, _mm256_set1_epi32(0x007FFFFF)), sqrt_half_bits));
    __m256 one = _mm256_set1_ps(1.0f);
    __m256 s = _mm256_div_ps(_mm256_sub_ps(mantissa, one), _mm256_add_ps(mantissa, one));
    __m256 z = _mm256_mul_ps(s, s);
    __m256 series = _mm256_set1_ps(0x1.c71c72p-3f);
    series = _mm256_add_ps(_mm256_mul_ps(series, z), _mm256_set1_ps(0x1.24924ap-2f));
    series = _mm256_add_ps(_mm256_mul_ps(series, z), _mm256_set1_ps(0x1.99999ap-2f));
    series = _mm256_add_ps(_mm256_mul_ps(series, z), _mm256_set1_ps(0x1.555556p-1f));
    series = _mm256_add_ps(_mm256_mul_ps(series, z), _mm256_set1_ps(2.0f));
    __m256 log_mantissa = _mm256_mul_ps(s, series);
    return _mm256_add_ps(_mm256_mul_ps(exponent, _mm256_set1_ps(0x1.62e4p-1f)),
                         _mm256_add_ps(_mm256_mul_ps(exponent, _mm256_set1_ps(0x1.7f7d1cp-20f)), log_mantissa));
}

__attribute__((target("avx2")))
static inline void normal_pairs(__m256i radius_words, __m256i angle_words, __m256 mean, __m256 standard_deviation,
                                float *first_out, float *second_out) {
    __m256 unit = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_srli_epi32(radius_words, 8), _mm256_set1_epi32(1))),
                                _mm256_set1_ps(0x1p-24f));
    __m256 radius = _mm256_mul_ps(_mm256_sqrt_ps(_mm256_mul_ps(_mm256_set1_ps(-2.0f), log_lanes(unit))), standard_deviation);
    __m256 fraction = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(angle_words, 6), _mm256_set1_epi32(0x00FFFFFF))),
                                    _mm256_set1_ps(0x1p-24f));
    __m256 phi = _mm256_sub_ps(_mm256_mul_ps(fraction, _mm256_set1_ps(0x1.921fb6p+0f)), _mm256_set1_ps(0x1.921fb6p-1f));
    __m256 z = _mm256_mul_ps(phi, phi);
    __m256 sine = _mm256_set1_ps(-0x1.9943f2p-13f);
    sine = _mm256_add_ps(_mm256_mul_ps(sine, z), _mm256_set1_ps(0x1.11073cp-7f));
    sine = _mm256_add_ps(_mm256_mul_ps(sine, z), _mm256_set1_ps(-0x1.555546p-3f));
    sine = _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(sine, z), phi), phi);
    __m256 cosine = _mm256_set1_ps(0x1.99eb9cp-16f);
    cosine = _mm256_add_ps(_mm256_mul_ps(cosine, z), _mm256_set1_ps(-0x1.6c0c34p-10f));
    cosine = _mm256_add_ps(_mm256_mul_ps(cosine, z), _mm256_set1_ps(0x1.55554ap-5f));
    cosine = _mm256_sub_ps(_mm256_mul_ps(cosine, z), _mm256_set1_ps(0.5f));
    cosine = _mm256_add_ps(_mm256_mul_ps(cosine, z), _mm256_set1_ps(1.0f));
    /* Quarter turns q = angle >> 30: odd q swaps (cos, sin); signs from bits 30 ^ 31 and 31. */
    __m256i shifted_angle = _mm256_slli_epi32(angle_words, 1);
    __m256i swap = _mm256_srai_epi32(shifted_angle, 31);
    __m256i cosine_bits = _mm256_castps_si256(cosine), sine_bits = _mm256_castps_si256(sine);
    __m256i swapped = _mm256_and_si256(_mm256_xor_si256(cosine_bits, sine_bits), swap);
    __m256i sign = _mm256_set1_epi32((int)0x80000000u);
    __m256 x = _mm256_castsi256_ps(_mm256_xor_si256(_mm256_xor_si256(cosine_bits, swapped),
                                                    _mm256_and_si256(_mm256_xor_si256(angle_words, shifted_angle), sign)));
    __m256 y = _mm256_castsi256_ps(_mm256_xor_si256(_mm256_xor_si256(sine_bits, swapped), _mm256_and_si256(angle_words, sign)));
    _mm256_storeu_ps(first_out, _mm256_add_ps(_mm256_mul_ps(x, radius), mean));
    _mm256_storeu_ps(second_out, _mm256_add_ps(_mm256_mul_ps(y, radius), mean));
}

__attribute__((target("avx2")))
void vk_philox_normal_avx2(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                           uint64_t block_offset, int64_t first_group, int64_t group_count,
                           float mean, float standard_deviation, float *out) {
    philox_keys keys;
    philox_keys_init(&keys, key0, key1, stream0, stream1);
    const __m256 mean_lanes = _mm256_set1_ps(mean), deviation_lanes = _mm256_set1_ps(standard_deviation);
    for (int64_t g = 0; g < group_count; g++) {
        __m256i words[4];
        philox_group(&keys, (uint64_t)(first_group + g) * 8 + block_offset, words);
        float *group_out = out + 32 * g;
        normal_pairs(words[0], words[1], mean_lanes, deviation_lanes, group_out, group_out + 8);
        normal_pairs(words[2], words[3], mean_lanes, deviation_lanes, group_out + 16, group_out + 24);
    }
}

#else

int vk_cpu_has_avx2(void) { return 0; }

void vk_store_fence(void) {}

void vk_philox_words_avx2(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                          uint64_t block_offset, int64_t first_group, int64_t group_count,
                          uint32_t *out) {
    (void)key0; (void)key1; (void)stream0; (void)stream1; (void)block_offset;
    (void)first_group; (void)group_count; (void)out;
}

void vk_philox_normal_avx2(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                           uint64_t block_offset, int64_t first_group, int64_t group_count,
                           float mean, float standard_deviation, float *out) {
    (void)key0; (void)key1; (void)stream0; (void)stream1; (void)block_offset;
    (void)first_group; (void)group_count; (void)mean; (void)standard_deviation; (void)out;
}

#endif
