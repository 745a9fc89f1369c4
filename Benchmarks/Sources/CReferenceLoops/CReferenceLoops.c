#include "CReferenceLoops.h"
#include <math.h>

// A square root without errno semantics, so that the loop vectorizes as it would under
// -fno-math-errno (the Swift side's `squareRoot()` has none either).
#if defined(__has_builtin)
#if __has_builtin(__builtin_elementwise_sqrt)
#define VK_SQRT(x) __builtin_elementwise_sqrt(x)
#endif
#endif
#ifndef VK_SQRT
#define VK_SQRT(x) sqrtf(x)
#endif

void vk_reference_sgd_l2(float *restrict w, const float *restrict g, size_t begin, size_t end,
                         float learning_rate, float l2) {
    for (size_t i = begin; i < end; i++) {
        w[i] = w[i] - learning_rate * (g[i] + l2 * w[i]);
    }
}

void vk_reference_sgd_l1(float *restrict w, const float *restrict g, size_t begin, size_t end,
                         float learning_rate, float l1) {
    for (size_t i = begin; i < end; i++) {
        float x = w[i];
        float sign = (float)(x > 0.0f) - (float)(x < 0.0f);
        w[i] = x - learning_rate * (g[i] + l1 * sign);
    }
}

void vk_reference_sgd_momentum_l2(float *restrict w, const float *restrict g, float *restrict b, size_t begin,
                                  size_t end, float learning_rate, float l2, float momentum) {
    for (size_t i = begin; i < end; i++) {
        float buffer = momentum * b[i] + (g[i] + l2 * w[i]);
        b[i] = buffer;
        w[i] = w[i] - learning_rate * buffer;
    }
}

void vk_reference_adamw(float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                        size_t begin, size_t end, float step_size, float beta1, float beta2,
                        float inverse_root_correction2, float epsilon, float keep) {
    const float one_minus_beta1 = 1.0f - beta1, one_minus_beta2 = 1.0f - beta2;
    for (size_t i = begin; i < end; i++) {
        float gradient = g[i];
        float first = beta1 * m[i] + one_minus_beta1 * gradient;
        float second = beta2 * v[i] + one_minus_beta2 * gradient * gradient;
        m[i] = first;
        v[i] = second;
        w[i] = keep * w[i] - step_size * first / (VK_SQRT(second) * inverse_root_correction2 + epsilon);
    }
}

int vk_reference_all_finite(const float *restrict g, size_t begin, size_t end) {
    // An integer OR-reduction (which vectorizes, unlike a float sum without -ffast-math):
    // a float is inf or NaN exactly when its exponent bits are all ones.
    const unsigned *bits = (const unsigned *)g;
    unsigned found = 0;
    for (size_t i = begin; i < end; i++) {
        found |= (bits[i] & 0x7f800000u) == 0x7f800000u;
    }
    return found == 0;
}
