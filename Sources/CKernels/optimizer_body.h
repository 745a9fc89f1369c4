/* The fused optimizer steps for one instruction set (see vector_ops.h), included by
   optimizer_avx2.c and optimizer_avx512.c, which name the entry points with VK_NAME. Each lane
   mirrors, operation by operation, `FusedKernels` in Optimization/FusedKernels.swift, so every
   element of `w`, `buf`, `m` and `v` gets the bits of the Swift path. The block statistics are
   accumulated as the Swift path accumulates them: eight float lanes, element i of the range in
   lane i mod 8, each lane in element order, the lanes then added in lane order (16-lane vectors
   add their low and then their high half). Zero padding lanes add +0, which changes no sum. */
#include "vector_ops.h"
#include "CKernels.h"

#pragma clang attribute push(__attribute__((target(VK_TARGET))), apply_to = function)

typedef struct {
    __m256 absolute_sum;
    __m256 square_sum;
    int64_t zeros;
} accumulator;

static inline __attribute__((always_inline)) void add_lanes(__m256 *sum, vk_v x) {
#if defined(VK_AVX512)
    *sum = _mm256_add_ps(*sum, _mm512_castps512_ps256(x));
    *sum = _mm256_add_ps(*sum, _mm512_extractf32x8_ps(x, 1));
#else
    *sum = _mm256_add_ps(*sum, x);
#endif
}

static inline __attribute__((always_inline)) float lane_sum(__m256 x) {
    float lanes[8];
    _mm256_storeu_ps(lanes, x);
    float total = lanes[0];
    for (int lane = 1; lane < 8; lane++) total += lanes[lane];
    return total;
}

/* sgn(x): ±1 with the sign of x, 0 for ±0 (and ±1 for NaN, as `x .!= 0` holds there). */
static inline __attribute__((always_inline)) vk_v sign_of(vk_v x) {
    const vk_v unit = V_OR(V_AND_BITS(x, 0x80000000u), V_SET1(1.0f));
    return V_SELECT(V_CMP(x, V_ZERO(), _CMP_NEQ_UQ), unit, V_ZERO());
}

/* ĝ = g + (λ₂/n) w + (λ₁/n) sgn w, the terms present as the flags say. */
static inline __attribute__((always_inline)) vk_v penalized(vk_v g, vk_v w, const vk_fused_coefficients *c, int l1, int l2) {
    vk_v result = g;
    if (l2) result = V_ADD(result, V_MUL(V_SET1(c->l2), w));
    if (l1) result = V_ADD(result, V_MUL(V_SET1(c->l1), sign_of(w)));
    return result;
}

/* The soft threshold sign(x) max(|x| - t, 0) when proximal, +0 for |x| <= t; x otherwise. */
static inline __attribute__((always_inline)) vk_v finish(vk_v x, const vk_fused_coefficients *c, int proximal) {
    if (!proximal) return x;
    const vk_v t = V_SET1(c->threshold);
    vk_v result = V_SELECT(V_CMP(x, t, _CMP_GT_OQ), V_SUB(x, t), V_ZERO());
    return V_SELECT(V_CMP(x, V_SET1(-c->threshold), _CMP_LT_OQ), V_ADD(x, t), result);
}

static inline __attribute__((always_inline)) void accumulate(accumulator *sums, vk_v before, vk_v after,
                                                              int absolute, int squares, int proximal, int full, vk_tail tail) {
    if (absolute) add_lanes(&sums->absolute_sum, V_MAGNITUDE(before));
    if (squares) add_lanes(&sums->square_sum, V_MUL(before, before));
    if (proximal) {
        const vk_mask zero = V_CMP(after, V_ZERO(), _CMP_EQ_OQ);
        sums->zeros += full ? V_COUNT(zero) : V_COUNT_TAIL(zero, tail);
    }
}

static inline __attribute__((always_inline)) vk_block_statistics statistics(const accumulator *sums) {
    vk_block_statistics result;
    result.absolute_sum = lane_sum(sums->absolute_sum);
    result.square_sum = lane_sum(sums->square_sum);
    result.exact_zeros = sums->zeros;
    result.non_finite = 0;
    return result;
}

/* The three kernels, each with its element update `STEP(LOAD, STORE, full)` expanded once for
   whole vectors and once, masked, for the last partial vector. */

static inline __attribute__((always_inline)) vk_block_statistics sgd_body(
    const float *w, const float *g, float *output, int64_t begin, int64_t end,
    const vk_fused_coefficients *c, int l1, int l2, int proximal) {
    accumulator sums = { _mm256_setzero_ps(), _mm256_setzero_ps(), 0 };
    vk_v probe = V_ZERO();
    const vk_v keep = V_SET1(c->keep), step = V_SET1(c->step_size);
    int64_t i = begin;
    vk_tail tail = V_TAIL(1);
#define SGD_STEP(LOAD, STORE, FULL) do { \
        const vk_v w0 = LOAD(w + i), g0 = LOAD(g + i); \
        probe = V_ADD(probe, V_MUL(g0, V_ZERO())); \
        const vk_v w1 = finish(V_SUB(V_MUL(keep, w0), V_MUL(step, penalized(g0, w0, c, l1, l2))), c, proximal); \
        accumulate(&sums, w0, w1, l1 || proximal, l2, proximal, FULL, tail); \
        STORE(output + i, w1); \
    } while (0)
#define LOAD_FULL(p) V_LOAD(p)
#define STORE_FULL(p, v) V_STORE(p, v)
#define LOAD_PART(p) V_LOAD_TAIL(p, tail)
#define STORE_PART(p, v) V_STORE_TAIL(p, v, tail)
    for (; i + VK_LANES <= end; i += VK_LANES) SGD_STEP(LOAD_FULL, STORE_FULL, 1);
    if (i < end) {
        tail = V_TAIL((int)(end - i));
        SGD_STEP(LOAD_PART, STORE_PART, 0);
    }
    vk_block_statistics result = statistics(&sums);
    result.non_finite = V_ANY(V_CMP(probe, V_ZERO(), _CMP_NEQ_UQ));
    return result;
}

static inline __attribute__((always_inline)) vk_block_statistics momentum_body(
    const float *w, const float *g, const float *b, float *w_out, float *b_out, int64_t begin, int64_t end,
    const vk_fused_coefficients *c, int stream, int l1, int l2, int proximal) {
    accumulator sums = { _mm256_setzero_ps(), _mm256_setzero_ps(), 0 };
    vk_v probe = V_ZERO();
    const vk_v keep = V_SET1(c->keep), step = V_SET1(c->step_size);
    const vk_v buffer_decay = V_SET1(c->buffer_decay), gradient_weight = V_SET1(c->gradient_weight);
    const vk_v nesterov_gradient = V_SET1(c->nesterov_gradient), nesterov_buffer = V_SET1(c->nesterov_buffer);
    int64_t i = begin;
    vk_tail tail = V_TAIL(1);
#define MOMENTUM_STEP(LOAD, STORE, STORE_BUFFER, FULL) do { \
        const vk_v w0 = LOAD(w + i), g0 = LOAD(g + i); \
        probe = V_ADD(probe, V_MUL(g0, V_ZERO())); \
        const vk_v gradient = penalized(g0, w0, c, l1, l2); \
        const vk_v b1 = V_ADD(V_MUL(buffer_decay, LOAD(b + i)), V_MUL(gradient_weight, gradient)); \
        const vk_v direction = V_ADD(V_MUL(nesterov_gradient, gradient), V_MUL(nesterov_buffer, b1)); \
        const vk_v w1 = finish(V_SUB(V_MUL(keep, w0), V_MUL(step, direction)), c, proximal); \
        accumulate(&sums, w0, w1, l1 || proximal, l2, proximal, FULL, tail); \
        STORE(w_out + i, w1); \
        STORE_BUFFER(b_out + i, b1); \
    } while (0)
#define STREAM_FULL(p, v) V_STREAM(p, v)
    if (stream) {
        for (; i + VK_LANES <= end; i += VK_LANES) MOMENTUM_STEP(LOAD_FULL, STORE_FULL, STREAM_FULL, 1);
    } else {
        for (; i + VK_LANES <= end; i += VK_LANES) MOMENTUM_STEP(LOAD_FULL, STORE_FULL, STORE_FULL, 1);
    }
    if (i < end) {
        tail = V_TAIL((int)(end - i));
        MOMENTUM_STEP(LOAD_PART, STORE_PART, STORE_PART, 0);
    }
    if (stream) _mm_sfence();
    vk_block_statistics result = statistics(&sums);
    result.non_finite = V_ANY(V_CMP(probe, V_ZERO(), _CMP_NEQ_UQ));
    return result;
}

static inline __attribute__((always_inline)) vk_block_statistics adam_body(
    const float *w, const float *g, const float *m, const float *v, float *w_out, float *m_out, float *v_out,
    int64_t begin, int64_t end, const vk_fused_coefficients *c, int stream, int l1, int l2, int proximal) {
    accumulator sums = { _mm256_setzero_ps(), _mm256_setzero_ps(), 0 };
    vk_v probe = V_ZERO();
    const vk_v keep = V_SET1(c->keep), step = V_SET1(c->step_size);
    const vk_v beta1 = V_SET1(c->beta1), one_minus_beta1 = V_SET1(c->one_minus_beta1);
    const vk_v beta2 = V_SET1(c->beta2), one_minus_beta2 = V_SET1(c->one_minus_beta2);
    const vk_v correction = V_SET1(c->inverse_root_correction2), epsilon = V_SET1(c->epsilon);
    int64_t i = begin;
    vk_tail tail = V_TAIL(1);
#define ADAM_STEP(LOAD, STORE, STORE_STATE, FULL) do { \
        const vk_v w0 = LOAD(w + i), g0 = LOAD(g + i); \
        probe = V_ADD(probe, V_MUL(g0, V_ZERO())); \
        const vk_v gradient = penalized(g0, w0, c, l1, l2); \
        const vk_v m1 = V_ADD(V_MUL(beta1, LOAD(m + i)), V_MUL(one_minus_beta1, gradient)); \
        const vk_v v1 = V_ADD(V_MUL(beta2, LOAD(v + i)), V_MUL(one_minus_beta2, V_MUL(gradient, gradient))); \
        const vk_v denominator = V_ADD(V_MUL(V_SQRT(v1), correction), epsilon); \
        const vk_v w1 = finish(V_SUB(V_MUL(keep, w0), V_MUL(step, V_DIV(m1, denominator))), c, proximal); \
        accumulate(&sums, w0, w1, l1 || proximal, l2, proximal, FULL, tail); \
        STORE(w_out + i, w1); \
        STORE_STATE(m_out + i, m1); \
        STORE_STATE(v_out + i, v1); \
    } while (0)
    if (stream) {
        for (; i + VK_LANES <= end; i += VK_LANES) ADAM_STEP(LOAD_FULL, STORE_FULL, STREAM_FULL, 1);
    } else {
        for (; i + VK_LANES <= end; i += VK_LANES) ADAM_STEP(LOAD_FULL, STORE_FULL, STORE_FULL, 1);
    }
    if (i < end) {
        tail = V_TAIL((int)(end - i));
        ADAM_STEP(LOAD_PART, STORE_PART, STORE_PART, 0);
    }
    if (stream) _mm_sfence();
    vk_block_statistics result = statistics(&sums);
    result.non_finite = V_ANY(V_CMP(probe, V_ZERO(), _CMP_NEQ_UQ));
    return result;
}

/* One copy of each kernel per combination of the three flags, the flags constants inside it. */
#define VK_EACH_FEATURE(CALL) \
    switch ((c->l1 != 0.0f ? 4 : 0) | (c->l2 != 0.0f ? 2 : 0) | (c->proximal ? 1 : 0)) { \
    case 0: return CALL(0, 0, 0); \
    case 1: return CALL(0, 0, 1); \
    case 2: return CALL(0, 1, 0); \
    case 3: return CALL(0, 1, 1); \
    case 4: return CALL(1, 0, 0); \
    case 5: return CALL(1, 0, 1); \
    case 6: return CALL(1, 1, 0); \
    default: return CALL(1, 1, 1); \
    }

vk_block_statistics VK_NAME(vk_sgd)(const float *w, const float *g, float *output, int64_t begin, int64_t end,
                                    const vk_fused_coefficients *c) {
#define SGD(L1, L2, P) sgd_body(w, g, output, begin, end, c, L1, L2, P)
    VK_EACH_FEATURE(SGD)
#undef SGD
}

vk_block_statistics VK_NAME(vk_sgd_momentum)(const float *w, const float *g, const float *b, float *w_out, float *b_out,
                                             int64_t begin, int64_t end, const vk_fused_coefficients *c, int stream) {
    /* Streaming stores need aligned vectors. */
    const int aligned = ((uintptr_t)(b_out + begin) & (sizeof(vk_v) - 1)) == 0;
#define MOMENTUM(L1, L2, P) momentum_body(w, g, b, w_out, b_out, begin, end, c, stream && aligned, L1, L2, P)
    VK_EACH_FEATURE(MOMENTUM)
#undef MOMENTUM
}

vk_block_statistics VK_NAME(vk_adam)(const float *w, const float *g, const float *m, const float *v,
                                     float *w_out, float *m_out, float *v_out, int64_t begin, int64_t end,
                                     const vk_fused_coefficients *c, int stream) {
    /* Streaming stores need aligned vectors. */
    const int aligned = (((uintptr_t)(m_out + begin) | (uintptr_t)(v_out + begin)) & (sizeof(vk_v) - 1)) == 0;
#define ADAM(L1, L2, P) adam_body(w, g, m, v, w_out, m_out, v_out, begin, end, c, stream && aligned, L1, L2, P)
    VK_EACH_FEATURE(ADAM)
#undef ADAM
}

#pragma clang attribute pop
