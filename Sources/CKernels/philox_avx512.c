#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define VK_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))

/* Each 512-bit register holds one counter word of the eight blocks of a group, one per 64-bit
   lane, in the lane's low half: `vpmuludq` multiplies exactly those halves, so a product lands in
   its lane as hi << 32 | lo, and a round is two multiplies, two shifts and two three-way XORs
   (`vpternlogq`), with no shuffles. The high halves carry garbage that is only ever XORed (lane
   by lane) and ignored by `vpmuludq`. Two groups go through the rounds together, for the
   multiplies' latency. */
#define PHILOX_ROUND_512(c0, c1, c2, c3, k0, k1)                                     \
    do {                                                                             \
        __m512i product0 = _mm512_mul_epu32((c0), multiplier0);                      \
        __m512i product1 = _mm512_mul_epu32((c2), multiplier1);                      \
        (c0) = _mm512_ternarylogic_epi64(_mm512_srli_epi64(product1, 32), (c1), (k0), 0x96); \
        (c1) = product1;                                                             \
        (c2) = _mm512_ternarylogic_epi64(_mm512_srli_epi64(product0, 32), (c3), (k1), 0x96); \
        (c3) = product0;                                                             \
    } while (0)

/* Round keys k + r (0x9E3779B9, 0xBB67AE85), r < 10, broadcast once per call. */
typedef struct {
    __m512i first[10], second[10];
    __m512i stream_low, stream_high;
} philox_keys_512;

VK_AVX512
static inline void philox_keys_init_512(philox_keys_512 *keys, uint32_t key0, uint32_t key1,
                                        uint32_t stream0, uint32_t stream1) {
    for (uint32_t round = 0; round < 10; round++) {
        keys->first[round] = _mm512_set1_epi64((uint32_t)(key0 + round * 0x9E3779B9u));
        keys->second[round] = _mm512_set1_epi64((uint32_t)(key1 + round * 0xBB67AE85u));
    }
    keys->stream_low = _mm512_set1_epi64(stream0);
    keys->stream_high = _mm512_set1_epi64(stream1);
}

/* The counter words of blocks block ..< block + 8 after the ten rounds (block a multiple of 8):
   a[j] and b[j] hold word j of the blocks of `first_block` and `second_block`, block l in the low
   half of lane l. */
VK_AVX512
static inline void philox_two_groups_512(const philox_keys_512 *keys, uint64_t first_block, uint64_t second_block,
                                         __m512i a[4], __m512i b[4]) {
    const __m512i multiplier0 = _mm512_set1_epi64(0xD2511F53);
    const __m512i multiplier1 = _mm512_set1_epi64(0xCD9E8D57);
    const __m512i lane = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    /* Eight consecutive blocks from a multiple of 8 never carry into the high word. */
    __m512i a0 = _mm512_add_epi64(_mm512_set1_epi64((uint32_t)first_block), lane);
    __m512i b0 = _mm512_add_epi64(_mm512_set1_epi64((uint32_t)second_block), lane);
    __m512i a1 = _mm512_set1_epi64((uint32_t)(first_block >> 32));
    __m512i b1 = _mm512_set1_epi64((uint32_t)(second_block >> 32));
    __m512i a2 = keys->stream_low, b2 = a2, a3 = keys->stream_high, b3 = a3;
    _Pragma("clang loop unroll(full)")
    for (int round = 0; round < 10; round++) {
        PHILOX_ROUND_512(a0, a1, a2, a3, keys->first[round], keys->second[round]);
        PHILOX_ROUND_512(b0, b1, b2, b3, keys->first[round], keys->second[round]);
    }
    a[0] = a0; a[1] = a1; a[2] = a2; a[3] = a3;
    b[0] = b0; b[1] = b1; b[2] = b2; b[3] = b3;
}

/* The low halves of the lanes of `first` then those of `second`: word j of a group's eight
   blocks in lanes 0-7 and word k in lanes 8-15. */
VK_AVX512
static inline __m512i low_words_512(__m512i first, __m512i second) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_epi32(first, even, second);
}

VK_AVX512
static inline void store_512(float *out, __m512 values, int streaming) {
    if (streaming) {
        _mm512_stream_ps(out, values);
    } else {
        _mm512_storeu_ps(out, values);
    }
}

VK_AVX512
void vk_philox_words_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                            uint64_t block_offset, int64_t first_group, int64_t group_count,
                            uint32_t *out) {
    philox_keys_512 keys;
    philox_keys_init_512(&keys, key0, key1, stream0, stream1);
    for (int64_t g = 0; g < group_count; g += 2) {
        int pair = g + 1 < group_count;
        uint64_t block = (uint64_t)(first_group + g) * 8 + block_offset;
        __m512i a[4], b[4];
        philox_two_groups_512(&keys, block, pair ? block + 8 : block, a, b);
        _mm512_storeu_si512((void *)(out + 32 * g), low_words_512(a[0], a[1]));
        _mm512_storeu_si512((void *)(out + 32 * g + 16), low_words_512(a[2], a[3]));
        if (pair) {
            _mm512_storeu_si512((void *)(out + 32 * g + 32), low_words_512(b[0], b[1]));
            _mm512_storeu_si512((void *)(out + 32 * g + 48), low_words_512(b[2], b[3]));
        }
    }
}

/* From here on, float operations one for one with VarianceKit's Swift reference: no fused
   multiply-adds (contraction is off; the Swift code has none), so the bits are the same. The
   constants are the hexadecimal literals of `VectorMath`. */
#pragma clang fp contract(off)

/* `UniformTransform.values`: low + span (word >> 8) 2^-24, then min(value, largest_below_high). */
VK_AVX512
static inline __m512 uniform_lanes(__m512i words, __m512 low, __m512 span, __m512 largest_below_high) {
    __m512 unit = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(words, 8)), _mm512_set1_ps(0x1p-24f));
    __m512 value = _mm512_add_ps(_mm512_mul_ps(unit, span), low);
    return _mm512_min_ps(value, largest_below_high);
}

VK_AVX512
void vk_philox_uniform_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                              uint64_t block_offset, int64_t first_group, int64_t group_count,
                              float low, float span, float largest_below_high, int streaming, float *out) {
    philox_keys_512 keys;
    philox_keys_init_512(&keys, key0, key1, stream0, stream1);
    const __m512 low_lanes = _mm512_set1_ps(low), span_lanes = _mm512_set1_ps(span);
    const __m512 largest_lanes = _mm512_set1_ps(largest_below_high);
    for (int64_t g = 0; g < group_count; g += 2) {
        int pair = g + 1 < group_count;
        uint64_t block = (uint64_t)(first_group + g) * 8 + block_offset;
        __m512i a[4], b[4];
        philox_two_groups_512(&keys, block, pair ? block + 8 : block, a, b);
        float *group_out = out + 32 * g;
        store_512(group_out, uniform_lanes(low_words_512(a[0], a[1]), low_lanes, span_lanes, largest_lanes), streaming);
        store_512(group_out + 16, uniform_lanes(low_words_512(a[2], a[3]), low_lanes, span_lanes, largest_lanes), streaming);
        if (pair) {
            store_512(group_out + 32, uniform_lanes(low_words_512(b[0], b[1]), low_lanes, span_lanes, largest_lanes), streaming);
            store_512(group_out + 48, uniform_lanes(low_words_512(b[2], b[3]), low_lanes, span_lanes, largest_lanes), streaming);
        }
    }
}

/* `VectorMath.log` on sixteen lanes. */
VK_AVX512
static inline __m512 log_lanes_512(__m512 x) {
    const __m512i sqrt_half_bits = _mm512_set1_epi32(0x3F3504F3);
    __m512i shifted = _mm512_sub_epi32(_mm512_castps_si512(x), sqrt_half_bits);
    __m512i exponent_bits = _mm512_add_epi32(_mm512_srai_epi32(shifted, 23), _mm512_set1_epi32(0x4B400000));
    __m512 exponent = _mm512_sub_ps(_mm512_castsi512_ps(exponent_bits), _mm512_set1_ps(12582912.0f));
    __m512 mantissa = _mm512_castsi512_ps(_mm512_add_epi32(_mm512_and_si512(shifted, _mm512_set1_epi32(0x007FFFFF)), sqrt_half_bits));
    __m512 one = _mm512_set1_ps(1.0f);
    __m512 s = _mm512_div_ps(_mm512_sub_ps(mantissa, one), _mm512_add_ps(mantissa, one));
    __m512 z = _mm512_mul_ps(s, s);
    __m512 series = _mm512_set1_ps(0x1.c71c72p-3f);
    series = _mm512_add_ps(_mm512_mul_ps(series, z), _mm512_set1_ps(0x1.24924ap-2f));
    series = _mm512_add_ps(_mm512_mul_ps(series, z), _mm512_set1_ps(0x1.99999ap-2f));
    series = _mm512_add_ps(_mm512_mul_ps(series, z), _mm512_set1_ps(0x1.555556p-1f));
    series = _mm512_add_ps(_mm512_mul_ps(series, z), _mm512_set1_ps(2.0f));
    __m512 log_mantissa = _mm512_mul_ps(s, series);
    return _mm512_add_ps(_mm512_mul_ps(exponent, _mm512_set1_ps(0x1.62e4p-1f)),
                         _mm512_add_ps(_mm512_mul_ps(exponent, _mm512_set1_ps(0x1.7f7d1cp-20f)), log_mantissa));
}

/* `NormalTransform.pairs` on sixteen lanes up to the last step: the radius r = sqrt(-2 ln u)
   times `scale`, and the rotated unit vector (x, y), so that the outputs are x r + mean and
   y r + mean. */
VK_AVX512
static inline void box_muller_512(__m512i radius_words, __m512i angle_words, __m512 scale,
                                  __m512 *x_out, __m512 *y_out, __m512 *radius_out) {
    __m512 unit = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(_mm512_srli_epi32(radius_words, 8), _mm512_set1_epi32(1))),
                                _mm512_set1_ps(0x1p-24f));
    __m512 radius = _mm512_sqrt_ps(_mm512_mul_ps(_mm512_set1_ps(-2.0f), log_lanes_512(unit)));
    *radius_out = _mm512_mul_ps(radius, scale);
    __m512 fraction = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_and_si512(_mm512_srli_epi32(angle_words, 6), _mm512_set1_epi32(0x00FFFFFF))),
                                    _mm512_set1_ps(0x1p-24f));
    __m512 phi = _mm512_sub_ps(_mm512_mul_ps(fraction, _mm512_set1_ps(0x1.921fb6p+0f)), _mm512_set1_ps(0x1.921fb6p-1f));
    __m512 z = _mm512_mul_ps(phi, phi);
    __m512 sine = _mm512_set1_ps(-0x1.9943f2p-13f);
    sine = _mm512_add_ps(_mm512_mul_ps(sine, z), _mm512_set1_ps(0x1.11073cp-7f));
    sine = _mm512_add_ps(_mm512_mul_ps(sine, z), _mm512_set1_ps(-0x1.555546p-3f));
    sine = _mm512_add_ps(_mm512_mul_ps(_mm512_mul_ps(sine, z), phi), phi);
    __m512 cosine = _mm512_set1_ps(0x1.99eb9cp-16f);
    cosine = _mm512_add_ps(_mm512_mul_ps(cosine, z), _mm512_set1_ps(-0x1.6c0c34p-10f));
    cosine = _mm512_add_ps(_mm512_mul_ps(cosine, z), _mm512_set1_ps(0x1.55554ap-5f));
    cosine = _mm512_sub_ps(_mm512_mul_ps(cosine, z), _mm512_set1_ps(0.5f));
    cosine = _mm512_add_ps(_mm512_mul_ps(cosine, z), _mm512_set1_ps(1.0f));
    /* Quarter turns q = angle >> 30: odd q swaps (cos, sin); signs from bits 30 ^ 31 and 31. */
    __m512i shifted_angle = _mm512_slli_epi32(angle_words, 1);
    __m512i swap = _mm512_srai_epi32(shifted_angle, 31);
    __m512i cosine_bits = _mm512_castps_si512(cosine), sine_bits = _mm512_castps_si512(sine);
    __m512i swapped = _mm512_and_si512(_mm512_xor_si512(cosine_bits, sine_bits), swap);
    __m512i sign = _mm512_set1_epi32((int)0x80000000u);
    *x_out = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_xor_si512(cosine_bits, swapped),
                                                  _mm512_and_si512(_mm512_xor_si512(angle_words, shifted_angle), sign)));
    *y_out = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_xor_si512(sine_bits, swapped), _mm512_and_si512(angle_words, sign)));
}

/* One group's 32 normals from its words: pairs (word 0, word 1) in lanes 0-7 and (word 2,
   word 3) in lanes 8-15, so x holds elements 0-7 and 16-23, y elements 8-15 and 24-31. */
VK_AVX512
static inline void normal_group_512(const __m512i words[4], __m512 mean, __m512 standard_deviation,
                                    int streaming, float *out) {
    __m512 x, y, radius;
    box_muller_512(low_words_512(words[0], words[2]), low_words_512(words[1], words[3]), standard_deviation, &x, &y, &radius);
    __m512 first = _mm512_add_ps(_mm512_mul_ps(x, radius), mean);
    __m512 second = _mm512_add_ps(_mm512_mul_ps(y, radius), mean);
    store_512(out, _mm512_shuffle_f32x4(first, second, 0x44), streaming);
    store_512(out + 16, _mm512_shuffle_f32x4(first, second, 0xEE), streaming);
}

VK_AVX512
void vk_philox_normal_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                             uint64_t block_offset, int64_t first_group, int64_t group_count,
                             float mean, float standard_deviation, int streaming, float *out) {
    philox_keys_512 keys;
    philox_keys_init_512(&keys, key0, key1, stream0, stream1);
    const __m512 mean_lanes = _mm512_set1_ps(mean), deviation_lanes = _mm512_set1_ps(standard_deviation);
    for (int64_t g = 0; g < group_count; g += 2) {
        int pair = g + 1 < group_count;
        uint64_t block = (uint64_t)(first_group + g) * 8 + block_offset;
        __m512i a[4], b[4];
        philox_two_groups_512(&keys, block, pair ? block + 8 : block, a, b);
        normal_group_512(a, mean_lanes, deviation_lanes, streaming, out + 32 * g);
        if (pair) normal_group_512(b, mean_lanes, deviation_lanes, streaming, out + 32 * g + 32);
    }
}

/* The truncated normal by rejection (`TruncatedNormalRejection` of VarianceKit): candidate slot
   s < slot_count of group g is the standard Box-Muller pair output of Philox group
   (slot_count + 1) g + s, accepted where lower <= z <= upper; the first accepted candidate,
   scaled, is the element. */
typedef struct {
    __m512 lower, upper, mean, deviation, lower_value, upper_value, one;
} truncated_lanes_512;

/* The standard candidates of one Philox group's words: x for elements 0-7 and 16-23, y for
   8-15 and 24-31, and the masks of those inside the bounds. */
VK_AVX512
static inline void truncated_candidates_512(const __m512i words[4], const truncated_lanes_512 *lanes,
                                            __m512 *x, __m512 *y, __mmask16 *x_inside, __mmask16 *y_inside) {
    __m512 unit_x, unit_y, radius;
    box_muller_512(low_words_512(words[0], words[2]), low_words_512(words[1], words[3]), lanes->one, &unit_x, &unit_y, &radius);
    *x = _mm512_mul_ps(unit_x, radius);
    *y = _mm512_mul_ps(unit_y, radius);
    *x_inside = _mm512_cmp_ps_mask(*x, lanes->lower, _CMP_GE_OQ) & _mm512_cmp_ps_mask(*x, lanes->upper, _CMP_LE_OQ);
    *y_inside = _mm512_cmp_ps_mask(*y, lanes->lower, _CMP_GE_OQ) & _mm512_cmp_ps_mask(*y, lanes->upper, _CMP_LE_OQ);
}

/* Element offset (within a group) of lane i of the x (or y) vector. */
static inline int x_element(int lane) { return lane < 8 ? lane : lane + 8; }
static inline int y_element(int lane) { return lane < 8 ? lane + 8 : lane + 16; }

VK_AVX512
static inline void truncated_store_512(__m512 x, __m512 y, const truncated_lanes_512 *lanes, int streaming, float *out) {
    __m512 first = _mm512_add_ps(_mm512_mul_ps(x, lanes->deviation), lanes->mean);
    __m512 second = _mm512_add_ps(_mm512_mul_ps(y, lanes->deviation), lanes->mean);
    first = _mm512_min_ps(_mm512_max_ps(first, lanes->lower_value), lanes->upper_value);
    second = _mm512_min_ps(_mm512_max_ps(second, lanes->lower_value), lanes->upper_value);
    store_512(out, _mm512_shuffle_f32x4(first, second, 0x44), streaming);
    store_512(out + 16, _mm512_shuffle_f32x4(first, second, 0xEE), streaming);
}

/* Slots 1 ..< slot_count for the lanes of group `group` still pending; returns the lanes left. */
VK_AVX512
static inline void truncated_retry_512(const philox_keys_512 *keys, const truncated_lanes_512 *lanes,
                                       uint64_t block_offset, int64_t group, int slot_count,
                                       __m512 *x, __m512 *y, __mmask16 *x_pending, __mmask16 *y_pending) {
    for (int slot = 1; slot < slot_count && (*x_pending | *y_pending); slot++) {
        uint64_t block = ((uint64_t)group * (uint64_t)(slot_count + 1) + (uint64_t)slot) * 8 + block_offset;
        __m512i words[4], unused[4];
        philox_two_groups_512(keys, block, block, words, unused);
        __m512 candidate_x, candidate_y;
        __mmask16 x_inside, y_inside;
        truncated_candidates_512(words, lanes, &candidate_x, &candidate_y, &x_inside, &y_inside);
        __mmask16 x_taken = *x_pending & x_inside, y_taken = *y_pending & y_inside;
        *x = _mm512_mask_blend_ps(x_taken, *x, candidate_x);
        *y = _mm512_mask_blend_ps(y_taken, *y, candidate_y);
        *x_pending &= (__mmask16)~x_taken;
        *y_pending &= (__mmask16)~y_taken;
    }
}

VK_AVX512
static inline int64_t truncated_record_512(__mmask16 x_pending, __mmask16 y_pending, int64_t group_offset,
                                           int64_t count, uint32_t *fallback) {
    for (int lane = 0; lane < 16; lane++) {
        if (x_pending & (1u << lane)) fallback[count++] = (uint32_t)(group_offset + x_element(lane));
        if (y_pending & (1u << lane)) fallback[count++] = (uint32_t)(group_offset + y_element(lane));
    }
    return count;
}

VK_AVX512
int64_t vk_philox_truncated_normal_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                                          uint64_t block_offset, int64_t first_group, int64_t group_count,
                                          const vk_truncation *truncation, int streaming, float *out,
                                          uint32_t *fallback) {
    philox_keys_512 keys;
    philox_keys_init_512(&keys, key0, key1, stream0, stream1);
    const truncated_lanes_512 lanes = {
        _mm512_set1_ps(truncation->lower), _mm512_set1_ps(truncation->upper),
        _mm512_set1_ps(truncation->mean), _mm512_set1_ps(truncation->standard_deviation),
        _mm512_set1_ps(truncation->lower_value), _mm512_set1_ps(truncation->upper_value), _mm512_set1_ps(1.0f),
    };
    const int slot_count = truncation->slot_count;
    const uint64_t stride = (uint64_t)(slot_count + 1) * 8;
    int64_t fallback_count = 0;
    for (int64_t g = 0; g < group_count; g += 2) {
        int pair = g + 1 < group_count;
        int64_t group = first_group + g;
        uint64_t block = (uint64_t)group * stride + block_offset;
        __m512i a[4], b[4];
        philox_two_groups_512(&keys, block, pair ? block + stride : block, a, b);
        __m512 ax, ay, bx, by;
        __mmask16 ax_inside, ay_inside, bx_inside, by_inside;
        truncated_candidates_512(a, &lanes, &ax, &ay, &ax_inside, &ay_inside);
        truncated_candidates_512(b, &lanes, &bx, &by, &bx_inside, &by_inside);
        __mmask16 ax_pending = (__mmask16)~ax_inside, ay_pending = (__mmask16)~ay_inside;
        if (ax_pending | ay_pending) {
            truncated_retry_512(&keys, &lanes, block_offset, group, slot_count, &ax, &ay, &ax_pending, &ay_pending);
            if (ax_pending | ay_pending) fallback_count = truncated_record_512(ax_pending, ay_pending, 32 * g, fallback_count, fallback);
        }
        truncated_store_512(ax, ay, &lanes, streaming, out + 32 * g);
        if (pair) {
            __mmask16 bx_pending = (__mmask16)~bx_inside, by_pending = (__mmask16)~by_inside;
            if (bx_pending | by_pending) {
                truncated_retry_512(&keys, &lanes, block_offset, group + 1, slot_count, &bx, &by, &bx_pending, &by_pending);
                if (bx_pending | by_pending) fallback_count = truncated_record_512(bx_pending, by_pending, 32 * g + 32, fallback_count, fallback);
            }
            truncated_store_512(bx, by, &lanes, streaming, out + 32 * g + 32);
        }
    }
    return fallback_count;
}

#else

void vk_philox_words_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                            uint64_t block_offset, int64_t first_group, int64_t group_count,
                            uint32_t *out) {
    (void)key0; (void)key1; (void)stream0; (void)stream1; (void)block_offset;
    (void)first_group; (void)group_count; (void)out;
}

void vk_philox_uniform_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                              uint64_t block_offset, int64_t first_group, int64_t group_count,
                              float low, float span, float largest_below_high, int streaming, float *out) {
    (void)key0; (void)key1; (void)stream0; (void)stream1; (void)block_offset; (void)first_group;
    (void)group_count; (void)low; (void)span; (void)largest_below_high; (void)streaming; (void)out;
}

void vk_philox_normal_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                             uint64_t block_offset, int64_t first_group, int64_t group_count,
                             float mean, float standard_deviation, int streaming, float *out) {
    (void)key0; (void)key1; (void)stream0; (void)stream1; (void)block_offset; (void)first_group;
    (void)group_count; (void)mean; (void)standard_deviation; (void)streaming; (void)out;
}

int64_t vk_philox_truncated_normal_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                                          uint64_t block_offset, int64_t first_group, int64_t group_count,
                                          const vk_truncation *truncation, int streaming, float *out,
                                          uint32_t *fallback) {
    (void)key0; (void)key1; (void)stream0; (void)stream1; (void)block_offset; (void)first_group;
    (void)group_count; (void)truncation; (void)streaming; (void)out; (void)fallback;
    return 0;
}

#endif
