// Plain C fused optimizer loops: the bandwidth reference the Swift optimizers are measured
// against (Benchmarks/OptimizerBenchmarks). Each function updates elements [begin, end) in place
// in one pass; bytes moved per element are given with each. Not part of the VarianceKit library.
#ifndef VARIANCEKIT_C_REFERENCE_LOOPS_H
#define VARIANCEKIT_C_REFERENCE_LOOPS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// SGD + L2: w <- w - lr (g + l2 w). Reads w, g; writes w: 12 bytes per element.
void vk_reference_sgd_l2(float *w, const float *g, size_t begin, size_t end, float learning_rate, float l2);

/// SGD + L1 (subgradient): w <- w - lr (g + l1 sgn w). Reads w, g; writes w: 12 bytes per element.
void vk_reference_sgd_l1(float *w, const float *g, size_t begin, size_t end, float learning_rate, float l1);

/// SGD with momentum + L2 (PyTorch's convention after the first step, no dampening):
/// b <- momentum b + (g + l2 w); w <- w - lr b. Reads w, g, b; writes w, b: 20 bytes per element.
void vk_reference_sgd_momentum_l2(float *w, const float *g, float *b, size_t begin, size_t end,
                                  float learning_rate, float l2, float momentum);

/// AdamW: m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2; w <- keep w - step m / (sqrt(v) c2 + eps).
/// Reads w, g, m, v; writes w, m, v: 28 bytes per element.
void vk_reference_adamw(float *w, const float *g, float *m, float *v, size_t begin, size_t end,
                        float step_size, float beta1, float beta2, float inverse_root_correction2,
                        float epsilon, float keep);

/// Returns 1 when every element of [begin, end) is finite. Reads g: 4 bytes per element.
int vk_reference_all_finite(const float *g, size_t begin, size_t end);

#ifdef __cplusplus
}
#endif

#endif
