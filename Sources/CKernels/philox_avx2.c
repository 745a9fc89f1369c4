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

/* Ten rounds on eight counters, blocks 0-3 in `a` and 4-7 in `b`: word 0 of each counter in the
   low half of a 64-bit lane of a0 (b0), word 1 in that of a1 (b1); words[j] receives word j of
   the eight blocks, in lane order. */
__attribute__((target("avx2")))
static inline void philox_rounds(const philox_keys *keys, __m256i a0, __m256i a1, __m256i b0, __m256i b1, __m256i words[4]) {
    const __m256i multiplier0 = _mm256_set1_epi64x(0xD2511F53);
    const __m256i multiplier1 = _mm256_set1_epi64x(0xCD9E8D57);
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

/* The four words of blocks first_block ..< first_block + 8 (first_block a multiple of 8):
   words[j] lane l is word j of block first_block + l. */
__attribute__((target("avx2")))
static inline void philox_group(const philox_keys *keys, uint64_t first_block, __m256i words[4]) {
    /* Eight consecutive blocks from a multiple of 8 never carry into the high word. */
    __m256i a0 = _mm256_add_epi64(_mm256_set1_epi64x((uint32_t)first_block), _mm256_setr_epi64x(0, 1, 2, 3));
    __m256i b0 = _mm256_add_epi64(a0, _mm256_set1_epi64x(4));
    __m256i high = _mm256_set1_epi64x((uint32_t)(first_block >> 32));
    philox_rounds(keys, a0, high, b0, high, words);
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

/* `NormalTransform.polars` on eight lanes: the unit vector (x, y) and the radius sqrt(-2 ln u). */
__attribute__((target("avx2")))
static inline void box_muller(__m256i radius_words, __m256i angle_words, __m256 *x_out, __m256 *y_out, __m256 *radius_out) {
    __m256 unit = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_srli_epi32(radius_words, 8), _mm256_set1_epi32(1))),
                                _mm256_set1_ps(0x1p-24f));
    *radius_out = _mm256_sqrt_ps(_mm256_mul_ps(_mm256_set1_ps(-2.0f), log_lanes(unit)));
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
    *x_out = _mm256_castsi256_ps(_mm256_xor_si256(_mm256_xor_si256(cosine_bits, swapped),
                                                    _mm256_and_si256(_mm256_xor_si256(angle_words, shifted_angle), sign)));
    *y_out = _mm256_castsi256_ps(_mm256_xor_si256(_mm256_xor_si256(sine_bits, swapped), _mm256_and_si256(angle_words, sign)));
}

__attribute__((target("avx2")))
static inline void normal_pairs(__m256i radius_words, __m256i angle_words, __m256 mean, __m256 standard_deviation,
                                float *first_out, float *second_out) {
    __m256 x, y, radius;
    box_muller(radius_words, angle_words, &x, &y, &radius);
    radius = _mm256_mul_ps(radius, standard_deviation);
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


/* The truncated normal by rejection (`TruncatedNormalRejection` of VarianceKit) on eight lanes:
   candidate slot s < slot_count of group g is the standard Box-Muller output of Philox group
   (slot_count + 1) g + s, accepted where lower <= z <= upper; the first accepted candidate,
   scaled, is the element. */
typedef struct {
    __m256 lower, upper, mean, deviation, lower_value, upper_value;
} truncated_lanes;

/* Eight lanes' mask (bit l for lane l) of the candidates outside [lower, upper]. */
__attribute__((target("avx2")))
static inline unsigned truncated_outside(__m256 z, const truncated_lanes *lanes) {
    __m256 inside = _mm256_and_ps(_mm256_cmp_ps(z, lanes->lower, _CMP_GE_OQ), _mm256_cmp_ps(z, lanes->upper, _CMP_LE_OQ));
    return ~(unsigned)_mm256_movemask_ps(inside) & 0xFFu;
}

/* min(max(z sd + mean, lower_value), upper_value), the forms of `maxps` then `minps`. */
__attribute__((target("avx2")))
static inline __m256 truncated_scaled(__m256 z, const truncated_lanes *lanes) {
    __m256 value = _mm256_add_ps(_mm256_mul_ps(z, lanes->deviation), lanes->mean);
    return _mm256_min_ps(_mm256_max_ps(value, lanes->lower_value), lanes->upper_value);
}

/* Entry m: the lanes l of the set bits of m, in order, one per byte from the lowest (the rest
   zero), for compacting eight lanes by `vpermd`. Filled when the library loads. */
static uint64_t compacting_lanes[256];

__attribute__((constructor))
static void compacting_lanes_init(void) {
    for (unsigned mask = 0; mask < 256; mask++) {
        uint64_t lanes = 0;
        int count = 0;
        for (unsigned l = 0; l < 8; l++) {
            if (mask >> l & 1u) lanes |= (uint64_t)l << (8 * count++);
        }
        compacting_lanes[mask] = lanes;
    }
}

/* Stores the lanes of `offsets` whose bits are set in `mask` at `destination`, in order and
   without branches (compacted by `vpermd`, stored whole: eight offsets are written, so the
   destination needs room for eight); returns how many were kept. A branch on the mask, taken
   unpredictably for a third of the vectors, would flush the next groups' Box-Muller work from the
   pipeline on each misprediction. */
__attribute__((target("avx2,popcnt")))
static inline int64_t compacted_store(__m256i offsets, unsigned mask, uint32_t *destination) {
    __m256i lanes = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)&compacting_lanes[mask]));
    _mm256_storeu_si256((__m256i *)destination, _mm256_permutevar8x32_epi32(offsets, lanes));
    return __builtin_popcount(mask);
}

/* Appends `base + l` to `pending` for each bit l of `outside` (the store reaches no further than
   eight past the elements appended before it, so never past the list's room of one offset per
   element). */
__attribute__((target("avx2,popcnt")))
static inline int64_t truncated_append(unsigned outside, int64_t base, uint32_t *pending, int64_t count) {
    __m256i offsets = _mm256_add_epi32(_mm256_set1_epi32((int)base), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return count + compacted_store(offsets, outside, pending + count);
}

/* Slot 0 of one group at `out + group_offset`: every element written as if accepted, the offsets
   of those outside the bounds appended to `pending`. Elements 0-7 are x of pair (word 0, word 1),
   8-15 its y, 16-23 x of pair (word 2, word 3), 24-31 its y. */
__attribute__((target("avx2")))
static inline int64_t truncated_first_slot(const __m256i words[4], const truncated_lanes *lanes, int64_t group_offset,
                                           float *out, uint32_t *pending, int64_t pending_count) {
    __m256 x, y, radius;
    __m256 z[4];
    box_muller(words[0], words[1], &x, &y, &radius);
    z[0] = _mm256_mul_ps(x, radius);
    z[1] = _mm256_mul_ps(y, radius);
    box_muller(words[2], words[3], &x, &y, &radius);
    z[2] = _mm256_mul_ps(x, radius);
    z[3] = _mm256_mul_ps(y, radius);
    for (int j = 0; j < 4; j++) {
        _mm256_storeu_ps(out + group_offset + 8 * j, truncated_scaled(z[j], lanes));
        pending_count = truncated_append(truncated_outside(z[j], lanes), group_offset + 8 * j, pending, pending_count);
    }
    return pending_count;
}

/* Slot `slot` for up to eight pending elements at once: element `o` of the call's output is
   position o % 32 of group first_group + o / 32, whose candidate is word pair (0, 1) or (2, 3)
   (bit 4 of o) of block 8 ((K + 1) group + slot) + o % 8, x for an even word, y for an odd one
   (bit 3). The rejected ones are appended to `pending` at `kept`: the eight-lane store reaches
   no further than the batch just read (or, for the last, seven past the list), so the list is
   compacted in place. */
__attribute__((target("avx2,popcnt")))
static inline int64_t truncated_retry_batch(const philox_keys *keys, const truncated_lanes *lanes,
                                            uint64_t block_offset, int64_t first_group, int slot_count, int slot,
                                            const uint32_t *batch, int batch_count, float *out,
                                            uint32_t *pending, int64_t kept) {
    uint32_t offsets[8];
    uint64_t blocks[8];
    for (int l = 0; l < 8; l++) {
        offsets[l] = batch[l < batch_count ? l : 0];
        uint64_t group = (uint64_t)first_group + (offsets[l] >> 5);
        blocks[l] = ((group * (uint64_t)(slot_count + 1) + (uint64_t)slot) << 3) + (offsets[l] & 7u) + block_offset;
    }
    __m256i first = _mm256_loadu_si256((const __m256i *)blocks), second = _mm256_loadu_si256((const __m256i *)(blocks + 4));
    __m256i words[4];
    philox_rounds(keys, first, _mm256_srli_epi64(first, 32), second, _mm256_srli_epi64(second, 32), words);
    __m256i offset_lanes = _mm256_loadu_si256((const __m256i *)offsets);
    __m256i second_pair = _mm256_cmpeq_epi32(_mm256_and_si256(offset_lanes, _mm256_set1_epi32(16)), _mm256_set1_epi32(16));
    __m256 odd_word = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(offset_lanes, _mm256_set1_epi32(8)), _mm256_set1_epi32(8)));
    __m256 x, y, radius;
    box_muller(_mm256_blendv_epi8(words[0], words[2], second_pair), _mm256_blendv_epi8(words[1], words[3], second_pair), &x, &y, &radius);
    __m256 z = _mm256_mul_ps(_mm256_blendv_ps(x, y, odd_word), radius);
    /* Every lane's candidate is written, accepted or not: a rejected element is written again by
       a later slot or by the caller's fallback, and the lanes past `batch_count` repeat lane 0. */
    float values[8];
    _mm256_storeu_ps(values, truncated_scaled(z, lanes));
    for (int l = 0; l < 8; l++) out[offsets[l]] = values[l];
    return kept + compacted_store(offset_lanes, truncated_outside(z, lanes) & ((1u << batch_count) - 1u), pending + kept);
}

__attribute__((target("avx2")))
int64_t vk_philox_truncated_normal_avx2(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                                        uint64_t block_offset, int64_t first_group, int64_t group_count,
                                        const vk_truncation *truncation, float *out, uint32_t *fallback) {
    philox_keys keys;
    philox_keys_init(&keys, key0, key1, stream0, stream1);
    const truncated_lanes lanes = {
        _mm256_set1_ps(truncation->lower), _mm256_set1_ps(truncation->upper),
        _mm256_set1_ps(truncation->mean), _mm256_set1_ps(truncation->standard_deviation),
        _mm256_set1_ps(truncation->lower_value), _mm256_set1_ps(truncation->upper_value),
    };
    const int slot_count = truncation->slot_count;
    const uint64_t stride = (uint64_t)(slot_count + 1) * 8;
    /* Slot 0 of every group; `fallback` collects the elements still pending. */
    int64_t pending = 0;
    for (int64_t g = 0; g < group_count; g++) {
        __m256i words[4];
        philox_group(&keys, (uint64_t)(first_group + g) * stride + block_offset, words);
        pending = truncated_first_slot(words, &lanes, 32 * g, out, fallback, pending);
    }
    /* The later slots for the pending elements, eight at a time; the rest fall back. */
    for (int slot = 1; slot < slot_count && pending > 0; slot++) {
        int64_t kept = 0;
        for (int64_t start = 0; start < pending; start += 8) {
            int batch_count = pending - start < 8 ? (int)(pending - start) : 8;
            kept = truncated_retry_batch(&keys, &lanes, block_offset, first_group, slot_count, slot,
                                         fallback + start, batch_count, out, fallback, kept);
        }
        pending = kept;
    }
    return pending;
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

int64_t vk_philox_truncated_normal_avx2(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                                        uint64_t block_offset, int64_t first_group, int64_t group_count,
                                        const vk_truncation *truncation, float *out, uint32_t *fallback) {
    (void)key0; (void)key1; (void)stream0; (void)stream1; (void)block_offset;
    (void)first_group; (void)group_count; (void)truncation; (void)out; (void)fallback;
    return 0;
}

#endif
