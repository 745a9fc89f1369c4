/* The fused element-wise passes of a Dense layer for one instruction set (see vector_ops.h),
   included by elementwise_avx2.c and elementwise_avx512.c, which name the entry points with
   VK_NAME. Every function mirrors, operation by operation, the Swift `SIMD8<Float>` code of
   `ActivationMath` and of the `VectorActivation` kernels in Activation+Kernels.swift, so each lane
   gives the bits of the Swift path. The constants are the Swift literals, which round to the same
   floats in C (both convert the decimal to the nearest float). */
#include "vector_ops.h"
#include "CKernels.h"

#pragma clang attribute push(__attribute__((target(VK_TARGET))), apply_to = function)

/* (2^k, expm1(r)) with x = k ln 2 + r, for x in [-87.3, 88] (ActivationMath.reducedExponentialParts). */
static inline __attribute__((always_inline)) vk_v reduced_exponential(vk_v x, vk_v *scale) {
    const vk_v rounding = V_SET1(12582912.0f);
    const vk_v shifted = V_ADD(V_MUL(x, V_SET1(1.44269504f)), rounding);
    const vk_v k = V_SUB(shifted, rounding);
    const vk_v r = V_ADD(V_SUB(x, V_MUL(k, V_SET1(0.693359375f))), V_MUL(k, V_SET1(2.12194440e-4f)));
    vk_v p = V_SET1(1.0f / 40320.0f);
    p = V_ADD(V_MUL(p, r), V_SET1(1.0f / 5040.0f));
    p = V_ADD(V_MUL(p, r), V_SET1(1.0f / 720.0f));
    p = V_ADD(V_MUL(p, r), V_SET1(1.0f / 120.0f));
    p = V_ADD(V_MUL(p, r), V_SET1(1.0f / 24.0f));
    p = V_ADD(V_MUL(p, r), V_SET1(1.0f / 6.0f));
    p = V_ADD(V_MUL(p, r), V_SET1(0.5f));
    p = V_ADD(V_MUL(p, r), V_SET1(1.0f));
    const vk_vi k_integer = VI_SUB(V_AS_INT(shifted), VI_SET1(0x4B400000));
    *scale = V_AS_FLOAT(VI_SHL(VI_ADD(k_integer, VI_SET1(127)), 23));
    return V_MUL(p, r);
}

/* NaN wherever x is NaN (ActivationMath.restoringNaN). */
static inline __attribute__((always_inline)) vk_v restoring_nan(vk_v value, vk_v x) {
    return V_SELECT(V_CMP(x, x, _CMP_NEQ_UQ), x, value);
}

/* x clamped to [-87.3, 88] by two selects (ActivationMath.clamp). */
static inline __attribute__((always_inline)) vk_v clamp_exponent(vk_v x) {
    const vk_v low = V_SET1(-87.3f), high = V_SET1(88.0f);
    x = V_SELECT(V_CMP(x, low, _CMP_LT_OQ), low, x);
    return V_SELECT(V_CMP(x, high, _CMP_GT_OQ), high, x);
}

static inline __attribute__((always_inline)) vk_v vector_exp(vk_v x) {
    vk_v scale;
    const vk_v fraction = reduced_exponential(clamp_exponent(x), &scale);
    return restoring_nan(V_MUL(scale, V_ADD(fraction, V_SET1(1.0f))), x);
}

static inline __attribute__((always_inline)) vk_v vector_expm1(vk_v x) {
    vk_v scale;
    const vk_v fraction = reduced_exponential(clamp_exponent(x), &scale);
    return restoring_nan(V_ADD(V_MUL(scale, fraction), V_SUB(scale, V_SET1(1.0f))), x);
}

static inline __attribute__((always_inline)) vk_v vector_tanh(vk_v x) {
    const vk_v magnitude = V_MAGNITUDE(x);
    const vk_v limited = V_SELECT(V_CMP(magnitude, V_SET1(9.0f), _CMP_GT_OQ), V_SET1(9.0f), magnitude);
    vk_v scale;
    const vk_v fraction = reduced_exponential(V_MUL(V_SET1(2.0f), limited), &scale);
    const vk_v m = V_ADD(V_MUL(scale, fraction), V_SUB(scale, V_SET1(1.0f)));
    const vk_v positive = V_DIV(m, V_ADD(m, V_SET1(2.0f)));
    return V_OR(positive, V_AND_BITS(x, 0x80000000u));
}

static inline __attribute__((always_inline)) vk_v vector_sigmoid(vk_v x) {
    const vk_v e = vector_exp(V_NEGATE(V_MAGNITUDE(x)));
    const vk_v s = V_DIV(V_SET1(1.0f), V_ADD(V_SET1(1.0f), e));
    return restoring_nan(V_SELECT(V_CMP(x, V_ZERO(), _CMP_LT_OQ), V_MUL(e, s), s), x);
}

static inline __attribute__((always_inline)) vk_v erfc_non_negative(vk_v x) {
    const vk_v t = V_DIV(V_SET1(1.0f), V_ADD(V_SET1(1.0f), V_MUL(V_SET1(0.5f), x)));
    vk_v p = V_SET1(0.17087277f);
    p = V_SUB(V_MUL(p, t), V_SET1(0.82215223f));
    p = V_ADD(V_MUL(p, t), V_SET1(1.48851587f));
    p = V_SUB(V_MUL(p, t), V_SET1(1.13520398f));
    p = V_ADD(V_MUL(p, t), V_SET1(0.27886807f));
    p = V_SUB(V_MUL(p, t), V_SET1(0.18628806f));
    p = V_ADD(V_MUL(p, t), V_SET1(0.09678418f));
    p = V_ADD(V_MUL(p, t), V_SET1(0.37409196f));
    p = V_ADD(V_MUL(p, t), V_SET1(1.00002368f));
    p = V_SUB(V_MUL(p, t), V_SET1(1.26551223f));
    return V_MUL(t, vector_exp(V_SUB(p, V_MUL(x, x))));
}

static inline __attribute__((always_inline)) vk_v normal_cdf(vk_v x) {
    const vk_v upper = V_MUL(V_SET1(0.5f), erfc_non_negative(V_MUL(V_MAGNITUDE(x), V_SET1(0.7071067811865475f))));
    return restoring_nan(V_SELECT(V_CMP(x, V_ZERO(), _CMP_GT_OQ), V_SUB(V_SET1(1.0f), upper), upper), x);
}

static inline __attribute__((always_inline)) vk_v normal_density(vk_v x) {
    return V_MUL(V_SET1(0.3989422804014327f), vector_exp(V_MUL(V_MUL(V_SET1(-0.5f), x), x)));
}

/* 0 at z = -inf and 1 at z = +inf (limitsAtInfinity). */
static inline __attribute__((always_inline)) vk_v limits_at_infinity(vk_v derivative, vk_v z) {
    derivative = V_SELECT(V_CMP(z, V_SET1(-__builtin_inff()), _CMP_EQ_OQ), V_ZERO(), derivative);
    return V_SELECT(V_CMP(z, V_SET1(__builtin_inff()), _CMP_EQ_OQ), V_SET1(1.0f), derivative);
}

/* φ(z) of activation `kind` (the `value` of its VectorActivation). */
static inline __attribute__((always_inline)) vk_v activation_value(int kind, vk_v z, float p0, float p1) {
    switch (kind) {
    case VK_ACTIVATION_TANH: return vector_tanh(z);
    case VK_ACTIVATION_SIGMOID: return vector_sigmoid(z);
    case VK_ACTIVATION_RELU: return V_SELECT(V_CMP(z, V_ZERO(), _CMP_LT_OQ), V_ZERO(), z);
    case VK_ACTIVATION_LEAKY_RELU: return V_SELECT(V_CMP(z, V_ZERO(), _CMP_GT_OQ), z, V_MUL(V_SET1(p0), z));
    case VK_ACTIVATION_SOFTSIGN: {
        vk_v q = V_DIV(z, V_ADD(V_SET1(1.0f), V_MAGNITUDE(z)));
        q = V_SELECT(V_CMP(z, V_SET1(__builtin_inff()), _CMP_EQ_OQ), V_SET1(1.0f), q);
        return V_SELECT(V_CMP(z, V_SET1(-__builtin_inff()), _CMP_EQ_OQ), V_SET1(-1.0f), q);
    }
    case VK_ACTIVATION_SCALED_ELU: {
        const vk_v negative = V_MUL(V_SET1(p1 * p0), vector_expm1(z));
        return V_SELECT(V_CMP(z, V_ZERO(), _CMP_GT_OQ), V_MUL(V_SET1(p1), z), negative);
    }
    case VK_ACTIVATION_GELU:
        return V_SELECT(V_CMP(z, V_SET1(-__builtin_inff()), _CMP_EQ_OQ), V_ZERO(), V_MUL(z, normal_cdf(z)));
    case VK_ACTIVATION_SILU:
        return V_SELECT(V_CMP(z, V_SET1(-__builtin_inff()), _CMP_EQ_OQ), V_ZERO(), V_MUL(z, vector_sigmoid(z)));
    default: return z;
    }
}

/* φ'(z) of activation `kind` from z and a = φ(z) (the `derivative` of its VectorActivation). */
static inline __attribute__((always_inline)) vk_v activation_derivative(int kind, vk_v z, vk_v a, float p0, float p1) {
    switch (kind) {
    case VK_ACTIVATION_TANH: return V_SUB(V_SET1(1.0f), V_MUL(a, a));
    case VK_ACTIVATION_SIGMOID: return V_MUL(a, V_SUB(V_SET1(1.0f), a));
    case VK_ACTIVATION_RELU: return V_SELECT(V_CMP(z, V_ZERO(), _CMP_GT_OQ), V_SET1(1.0f), V_ZERO());
    case VK_ACTIVATION_LEAKY_RELU: return V_SELECT(V_CMP(z, V_ZERO(), _CMP_GT_OQ), V_SET1(1.0f), V_SET1(p0));
    case VK_ACTIVATION_SOFTSIGN: {
        const vk_v denominator = V_ADD(V_SET1(1.0f), V_MAGNITUDE(z));
        return V_DIV(V_SET1(1.0f), V_MUL(denominator, denominator));
    }
    case VK_ACTIVATION_SCALED_ELU:
        return V_SELECT(V_CMP(z, V_ZERO(), _CMP_GT_OQ), V_SET1(p1), V_ADD(a, V_SET1(p1 * p0)));
    case VK_ACTIVATION_GELU:
        return limits_at_infinity(V_ADD(normal_cdf(z), V_MUL(z, normal_density(z))), z);
    case VK_ACTIVATION_SILU: {
        const vk_v s = vector_sigmoid(z);
        return limits_at_infinity(V_ADD(s, V_MUL(a, V_SUB(V_SET1(1.0f), s))), z);
    }
    default: return V_SET1(1.0f);
    }
}

static inline __attribute__((always_inline)) void forward_rows(
    int kind, float p0, float p1, float *z, float *a, const float *bias,
    int64_t rows, int64_t columns, int64_t stride) {
    const int64_t full = columns - columns % VK_LANES;
    const int remaining = (int)(columns - full);
    const vk_tail tail = V_TAIL(remaining > 0 ? remaining : 1);
    for (int64_t row = 0; row < rows; row++) {
        float *z_row = z + row * stride, *a_row = a + row * stride;
        int64_t column = 0;
        if (bias) {
            for (; column < full; column += VK_LANES) {
                const vk_v value = V_ADD(V_LOAD(z_row + column), V_LOAD(bias + column));
                V_STORE(z_row + column, value);
                V_STORE(a_row + column, activation_value(kind, value, p0, p1));
            }
        } else {
            for (; column < full; column += VK_LANES) {
                V_STORE(a_row + column, activation_value(kind, V_LOAD(z_row + column), p0, p1));
            }
        }
        if (remaining > 0) {
            vk_v value = V_LOAD_TAIL(z_row + column, tail);
            if (bias) {
                value = V_ADD(value, V_LOAD_TAIL(bias + column, tail));
                V_STORE_TAIL(z_row + column, value, tail);
            }
            V_STORE_TAIL(a_row + column, activation_value(kind, value, p0, p1), tail);
        }
    }
}

static inline __attribute__((always_inline)) void backward_rows(
    int kind, float p0, float p1, const float *z, const float *a, float *gradient, float *bias_gradient,
    int64_t rows, int64_t columns, int64_t stride) {
    const int multiply = kind != VK_ACTIVATION_LINEAR;
    if (!multiply && !bias_gradient) return;
    const int64_t full = columns - columns % VK_LANES;
    const int remaining = (int)(columns - full);
    const vk_tail tail = V_TAIL(remaining > 0 ? remaining : 1);
    for (int64_t row = 0; row < rows; row++) {
        const int64_t offset = row * stride;
        int64_t column = 0;
        for (; column < full; column += VK_LANES) {
            const int64_t index = offset + column;
            vk_v delta = V_LOAD(gradient + index);
            if (multiply) {
                delta = V_MUL(delta, activation_derivative(kind, V_LOAD(z + index), V_LOAD(a + index), p0, p1));
                V_STORE(gradient + index, delta);
            }
            if (bias_gradient) V_STORE(bias_gradient + column, V_ADD(V_LOAD(bias_gradient + column), delta));
        }
        if (remaining > 0) {
            const int64_t index = offset + column;
            vk_v delta = V_LOAD_TAIL(gradient + index, tail);
            if (multiply) {
                delta = V_MUL(delta, activation_derivative(kind, V_LOAD_TAIL(z + index, tail),
                                                           V_LOAD_TAIL(a + index, tail), p0, p1));
                V_STORE_TAIL(gradient + index, delta, tail);
            }
            if (bias_gradient) {
                V_STORE_TAIL(bias_gradient + column, V_ADD(V_LOAD_TAIL(bias_gradient + column, tail), delta), tail);
            }
        }
    }
}

/* One copy of each loop per activation, with the activation a constant inside it. */
#define VK_EACH_ACTIVATION(CALL) \
    switch (kind) { \
    case VK_ACTIVATION_LINEAR: CALL(VK_ACTIVATION_LINEAR); break; \
    case VK_ACTIVATION_TANH: CALL(VK_ACTIVATION_TANH); break; \
    case VK_ACTIVATION_SIGMOID: CALL(VK_ACTIVATION_SIGMOID); break; \
    case VK_ACTIVATION_RELU: CALL(VK_ACTIVATION_RELU); break; \
    case VK_ACTIVATION_LEAKY_RELU: CALL(VK_ACTIVATION_LEAKY_RELU); break; \
    case VK_ACTIVATION_SOFTSIGN: CALL(VK_ACTIVATION_SOFTSIGN); break; \
    case VK_ACTIVATION_SCALED_ELU: CALL(VK_ACTIVATION_SCALED_ELU); break; \
    case VK_ACTIVATION_GELU: CALL(VK_ACTIVATION_GELU); break; \
    case VK_ACTIVATION_SILU: CALL(VK_ACTIVATION_SILU); break; \
    default: break; \
    }

void VK_NAME(vk_activation_forward)(int kind, float p0, float p1, float *z, float *a, const float *bias,
                                    int64_t rows, int64_t columns, int64_t stride) {
#define FORWARD(K) forward_rows(K, p0, p1, z, a, bias, rows, columns, stride)
    VK_EACH_ACTIVATION(FORWARD)
#undef FORWARD
}

void VK_NAME(vk_activation_backward)(int kind, float p0, float p1, const float *z, const float *a, float *gradient,
                                     float *bias_gradient, int64_t rows, int64_t columns, int64_t stride) {
#define BACKWARD(K) backward_rows(K, p0, p1, z, a, gradient, bias_gradient, rows, columns, stride)
    VK_EACH_ACTIVATION(BACKWARD)
#undef BACKWARD
}

#pragma clang attribute pop
