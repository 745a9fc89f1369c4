/* The fused optimizer steps on AVX2 (optimizer_body.h), chosen at run time by VarianceKit's
   OptimizerKernels. */
#include "CKernels.h"

#if defined(__x86_64__)
#define VK_AVX2 1
#define VK_NAME(name) name##_avx2
#include "optimizer_body.h"
#else
static vk_block_statistics vk_no_statistics(void) {
    vk_block_statistics nothing = { 0, 0, 0, 0 };
    return nothing;
}
vk_block_statistics vk_sgd_avx2(const float *w, const float *g, float *output, int64_t begin, int64_t end,
                                const vk_fused_coefficients *c) {
    (void)w; (void)g; (void)output; (void)begin; (void)end; (void)c;
    return vk_no_statistics();
}
vk_block_statistics vk_sgd_momentum_avx2(const float *w, const float *g, const float *b, float *w_out, float *b_out,
                                         int64_t begin, int64_t end, const vk_fused_coefficients *c, int stream) {
    (void)w; (void)g; (void)b; (void)w_out; (void)b_out; (void)begin; (void)end; (void)c; (void)stream;
    return vk_no_statistics();
}
vk_block_statistics vk_adam_avx2(const float *w, const float *g, const float *m, const float *v,
                                 float *w_out, float *m_out, float *v_out, int64_t begin, int64_t end,
                                 const vk_fused_coefficients *c, int stream) {
    (void)w; (void)g; (void)m; (void)v; (void)w_out; (void)m_out; (void)v_out; (void)begin; (void)end; (void)c; (void)stream;
    return vk_no_statistics();
}
#endif
