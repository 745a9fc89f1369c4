#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define VK_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))

/* Each 512-bit register holds one counter word of the eight blocks of a group, one per 64-bit
   lane, in the lane's low half: `vpmuludq` multiplies exactly those halves, so a product lands in
   its lane as hi << 32 | lo, and a round is two multiplies, two shifts and two three-way XORs
   (`vpternlogq`), with no shuffles. The high halves carry garbage that is only ever XORed (lane
   by lane) and ignored by `vpmuludq`. A round's chain (multiply, shift, XOR) takes about five
   cycles, so four groups go through the rounds together; an empty `asm` after each round keeps
   the compiler from ordering one group's ten rounds before the next group's, which leaves the
   processor waiting on a single chain. */
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

/* Ten rounds on four sets of eight counters: set s starts as (first[s], second[s], stream), word 0
   and 1 in the low halves of the lanes, and words[s][j] receives word j of its eight blocks.
   Always inlined: a call would pass the sixteen registers of words through memory. */
VK_AVX512
static inline __attribute__((always_inline)) void philox_rounds_512(const philox_keys_512 *keys, const __m512i first[4], const __m512i second[4],
                                     __m512i words[4][4]) {
    const __m512i multiplier0 = _mm512_set1_epi64(0xD2511F53);
    const __m512i multiplier1 = _mm512_set1_epi64(0xCD9E8D57);
    __m512i a0 = first[0], a1 = second[0], b0 = first[1], b1 = second[1];
    __m512i c0 = first[2], c1 = second[2], d0 = first[3], d1 = second[3];
    __m512i a2 = keys->stream_low, b2 = a2, c2 = a2, d2 = a2;
    __m512i a3 = keys->stream_high, b3 = a3, c3 = a3, d3 = a3;
    _Pragma("clang loop unroll(full)")
    for (int round = 0; round < 10; round++) {
        PHILOX_ROUND_512(a0, a1, a2, a3, keys->first[round], keys->second[round]);
        PHILOX_ROUND_512(b0, b1, b2, b3, keys->first[round], keys->second[round]);
        PHILOX_ROUND_512(c0, c1, c2, c3, keys->first[round], keys->second[round]);
        PHILOX_ROUND_512(d0, d1, d2, d3, keys->first[round], keys->second[round]);
        __asm__("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(b0), "+v"(b1), "+v"(b2), "+v"(b3));
        __asm__("" : "+v"(c0), "+v"(c1), "+v"(c2), "+v"(c3), "+v"(d0), "+v"(d1), "+v"(d2), "+v"(d3));
    }
    words[0][0] = a0; words[0][1] = a1; words[0][2] = a2; words[0][3] = a3;
    words[1][0] = b0; words[1][1] = b1; words[1][2] = b2; words[1][3] = b3;
    words[2][0] = c0; words[2][1] = c1; words[2][2] = c2; words[2][3] = c3;
    words[3][0] = d0; words[3][1] = d1; words[3][2] = d2; words[3][3] = d3;
}

/* The same rounds as a call, for the normal fill: inlined beside its Box-Muller transforms they
   ran about 20% slower there, while the other fills gain from inlining them. */
VK_AVX512
__attribute__((noinline)) static void philox_rounds_called_512(const philox_keys_512 *keys, const __m512i first[4],
                                                               const __m512i second[4], __m512i words[4][4]) {
    philox_rounds_512(keys, first, second, words);
}

/* The words of up to four groups whose first blocks are block + s stride for s < 4 (multiples
   of 8): words[s][j] holds word j of set s's eight blocks, block l in the low half of lane l.
   Only min(remaining, 4) sets are real, and the function returns that count; the sets past it
   repeat the last real one, and the caller stores only the real ones. `called` (a constant at each
   call site) takes the rounds' out-of-line copy. */
VK_AVX512
static inline __attribute__((always_inline)) int philox_four_groups_512(const philox_keys_512 *keys, uint64_t block, uint64_t stride,
                                                                       int64_t remaining, int called, __m512i words[4][4]) {
    const __m512i lane = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    int count = remaining < 4 ? (int)remaining : 4;
    __m512i first[4], second[4];
    for (int s = 0; s < 4; s++) {
        /* Eight consecutive blocks from a multiple of 8 never carry into the high word. */
        uint64_t set_block = block + (uint64_t)(s < count ? s : count - 1) * stride;
        first[s] = _mm512_add_epi64(_mm512_set1_epi64((uint32_t)set_block), lane);
        second[s] = _mm512_set1_epi64((uint32_t)(set_block >> 32));
    }
    if (called) {
        philox_rounds_called_512(keys, first, second, words);
    } else {
        philox_rounds_512(keys, first, second, words);
    }
    return count;
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
    for (int64_t g = 0; g < group_count; g += 4) {
        __m512i words[4][4];
        int count = philox_four_groups_512(&keys, (uint64_t)(first_group + g) * 8 + block_offset, 8, group_count - g, 0, words);
        for (int s = 0; s < 4; s++) if (s < count) {
            _mm512_storeu_si512((void *)(out + 32 * (g + s)), low_words_512(words[s][0], words[s][1]));
            _mm512_storeu_si512((void *)(out + 32 * (g + s) + 16), low_words_512(words[s][2], words[s][3]));
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
    for (int64_t g = 0; g < group_count; g += 4) {
        __m512i words[4][4];
        int count = philox_four_groups_512(&keys, (uint64_t)(first_group + g) * 8 + block_offset, 8, group_count - g, 0, words);
        for (int s = 0; s < 4; s++) if (s < count) {
            float *group_out = out + 32 * (g + s);
            store_512(group_out, uniform_lanes(low_words_512(words[s][0], words[s][1]), low_lanes, span_lanes, largest_lanes), streaming);
            store_512(group_out + 16, uniform_lanes(low_words_512(words[s][2], words[s][3]), low_lanes, span_lanes, largest_lanes), streaming);
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
    for (int64_t g = 0; g < group_count; g += 4) {
        __m512i words[4][4];
        int count = philox_four_groups_512(&keys, (uint64_t)(first_group + g) * 8 + block_offset, 8, group_count - g, 1, words);
        /* One group at a time, not unrolled: four unrolled Box-Muller transforms spill registers. */
        _Pragma("clang loop unroll(disable)")
        for (int s = 0; s < count; s++) normal_group_512(words[s], mean_lanes, deviation_lanes, streaming, out + 32 * (g + s));
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

VK_AVX512
static inline __m512 truncated_scaled_512(__m512 z, const truncated_lanes_512 *lanes) {
    __m512 value = _mm512_add_ps(_mm512_mul_ps(z, lanes->deviation), lanes->mean);
    return _mm512_min_ps(_mm512_max_ps(value, lanes->lower_value), lanes->upper_value);
}

/* Slot 0 of one group: every element written as if accepted, the offsets of those outside the
   bounds appended to `pending` (x lanes hold elements 0-7 and 16-23, y lanes 8-15 and 24-31). */
VK_AVX512
static inline int64_t truncated_first_slot_512(const __m512i words[4], const truncated_lanes_512 *lanes, int64_t group_offset,
                                               float *out, uint32_t *pending, int64_t pending_count) {
    __m512 x, y;
    __mmask16 x_inside, y_inside;
    truncated_candidates_512(words, lanes, &x, &y, &x_inside, &y_inside);
    __m512 first = truncated_scaled_512(x, lanes), second = truncated_scaled_512(y, lanes);
    _mm512_storeu_ps(out + group_offset, _mm512_shuffle_f32x4(first, second, 0x44));
    _mm512_storeu_ps(out + group_offset + 16, _mm512_shuffle_f32x4(first, second, 0xEE));
    __mmask16 x_outside = (__mmask16)~x_inside, y_outside = (__mmask16)~y_inside;
    /* No branch on "any outside": at the common bounds three groups in four have one, so it
       would be mispredicted often. The offsets are compressed in a register and stored whole (a
       compressing store to memory is slow on some processors); the lanes past the count land in
       the buffer's slack, and nothing is appended when all are inside. */
    const __m512i x_elements = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const __m512i base = _mm512_set1_epi32((int)group_offset);
    _mm512_storeu_si512((void *)(pending + pending_count), _mm512_maskz_compress_epi32(x_outside, _mm512_add_epi32(x_elements, base)));
    pending_count += __builtin_popcount(x_outside);
    _mm512_storeu_si512((void *)(pending + pending_count),
                        _mm512_maskz_compress_epi32(y_outside, _mm512_add_epi32(_mm512_add_epi32(x_elements, _mm512_set1_epi32(8)), base)));
    pending_count += __builtin_popcount(y_outside);
    return pending_count;
}

/* Slot `slot` for up to 32 pending elements at once, gathered by offset: element `o` of the
   call's output is position o % 32 of group first_group + o / 32, whose candidate is word pair
   (0, 1) or (2, 3) of block 8 ((K + 1) group + slot) + o % 8, x for an even word, y for an odd
   one. Accepted ones are written; the others are appended to `pending` at `kept` (at most as
   many as were read, so the list is compacted in place; each sixteen-lane store reaches no
   further than the batch just read, or the buffer's slack). */
VK_AVX512
static inline int64_t truncated_retry_batch_512(const philox_keys_512 *keys, const truncated_lanes_512 *lanes,
                                                uint64_t block_offset, int64_t first_group, int slot_count, int slot,
                                                const uint32_t *batch, int batch_count, float *out,
                                                uint32_t *pending, int64_t kept) {
    const __m512i group_base = _mm512_set1_epi64(first_group);
    const __m512i slots = _mm512_set1_epi64((int64_t)(slot_count + 1));
    const __m512i slot_lanes = _mm512_set1_epi64(slot);
    const __m512i offset_lanes = _mm512_set1_epi64((int64_t)block_offset);
    const __m512i seven = _mm512_set1_epi64(7);
    __mmask16 valid[2];
    __m512i offsets[2], first[4], second[4];
    for (int half = 0; half < 2; half++) {
        int count = batch_count - 16 * half;
        count = count < 0 ? 0 : count > 16 ? 16 : count;
        valid[half] = (__mmask16)((1u << count) - 1u);
        offsets[half] = _mm512_maskz_loadu_epi32(valid[half], batch + 16 * half);
        for (int quarter = 0; quarter < 2; quarter++) {
            __m512i element = _mm512_cvtepu32_epi64(quarter ? _mm512_extracti64x4_epi64(offsets[half], 1)
                                                            : _mm512_castsi512_si256(offsets[half]));
            __m512i block = _mm512_add_epi64(_mm512_add_epi64(_mm512_slli_epi64(_mm512_add_epi64(
                _mm512_mullo_epi64(_mm512_add_epi64(group_base, _mm512_srli_epi64(element, 5)), slots), slot_lanes), 3),
                _mm512_and_si512(element, seven)), offset_lanes);
            first[2 * half + quarter] = block;
            second[2 * half + quarter] = _mm512_srli_epi64(block, 32);
        }
    }
    __m512i sets[4][4];
    philox_rounds_512(keys, first, second, sets);
    for (int half = 0; half < 2 && valid[half]; half++) {
        __m512i words[4];
        for (int j = 0; j < 4; j++) words[j] = low_words_512(sets[2 * half][j], sets[2 * half + 1][j]);
        __mmask16 second_pair = _mm512_test_epi32_mask(offsets[half], _mm512_set1_epi32(16));
        __mmask16 odd_word = _mm512_test_epi32_mask(offsets[half], _mm512_set1_epi32(8));
        __m512 unit_x, unit_y, radius;
        box_muller_512(_mm512_mask_blend_epi32(second_pair, words[0], words[2]), _mm512_mask_blend_epi32(second_pair, words[1], words[3]),
                       lanes->one, &unit_x, &unit_y, &radius);
        __m512 z = _mm512_mul_ps(_mm512_mask_blend_ps(odd_word, unit_x, unit_y), radius);
        __mmask16 inside = _mm512_cmp_ps_mask(z, lanes->lower, _CMP_GE_OQ) & _mm512_cmp_ps_mask(z, lanes->upper, _CMP_LE_OQ);
        __mmask16 accepted = inside & valid[half], rejected = (__mmask16)(~inside & valid[half]);
        _mm512_mask_i32scatter_ps(out, accepted, offsets[half], truncated_scaled_512(z, lanes), 4);
        _mm512_storeu_si512((void *)(pending + kept), _mm512_maskz_compress_epi32(rejected, offsets[half]));
        kept += __builtin_popcount(rejected);
    }
    return kept;
}

VK_AVX512
int64_t vk_philox_truncated_normal_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                                          uint64_t block_offset, int64_t first_group, int64_t group_count,
                                          const vk_truncation *truncation, float *out, uint32_t *fallback) {
    philox_keys_512 keys;
    philox_keys_init_512(&keys, key0, key1, stream0, stream1);
    const truncated_lanes_512 lanes = {
        _mm512_set1_ps(truncation->lower), _mm512_set1_ps(truncation->upper),
        _mm512_set1_ps(truncation->mean), _mm512_set1_ps(truncation->standard_deviation),
        _mm512_set1_ps(truncation->lower_value), _mm512_set1_ps(truncation->upper_value), _mm512_set1_ps(1.0f),
    };
    const int slot_count = truncation->slot_count;
    const uint64_t stride = (uint64_t)(slot_count + 1) * 8;
    /* Slot 0 of every group, four groups at a time; `fallback` collects the elements still pending. */
    int64_t pending = 0;
    for (int64_t g = 0; g < group_count; g += 4) {
        __m512i words[4][4];
        int count = philox_four_groups_512(&keys, (uint64_t)(first_group + g) * stride + block_offset, stride, group_count - g, 0, words);
        for (int s = 0; s < 4; s++) if (s < count) pending = truncated_first_slot_512(words[s], &lanes, 32 * (g + s), out, fallback, pending);
    }
    /* The later slots for the pending elements, 32 at a time; the rest fall back. */
    for (int slot = 1; slot < slot_count && pending > 0; slot++) {
        int64_t kept = 0;
        for (int64_t start = 0; start < pending; start += 32) {
            int batch_count = pending - start < 32 ? (int)(pending - start) : 32;
            kept = truncated_retry_batch_512(&keys, &lanes, block_offset, first_group, slot_count, slot,
                                             fallback + start, batch_count, out, fallback, kept);
        }
        pending = kept;
    }
    return pending;
}

VK_AVX512
void vk_stream_copy_avx512(const float *source, float *destination, int64_t count) {
    for (int64_t i = 0; i < count; i += 16) _mm512_stream_ps(destination + i, _mm512_loadu_ps(source + i));
}

#else

void vk_stream_copy_avx512(const float *source, float *destination, int64_t count) {
    (void)source; (void)destination; (void)count;
}

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
                                          const vk_truncation *truncation, float *out, uint32_t *fallback) {
    (void)key0; (void)key1; (void)stream0; (void)stream1; (void)block_offset; (void)first_group;
    (void)group_count; (void)truncation; (void)out; (void)fallback;
    return 0;
}

#endif
