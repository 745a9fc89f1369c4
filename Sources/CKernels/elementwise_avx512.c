/* The fused element-wise passes on AVX512 (elementwise_body.h), chosen at run time by
   VarianceKit's ElementwiseKernels. */
#include "CKernels.h"

#if defined(__x86_64__)
#define VK_AVX512 1
#define VK_NAME(name) name##_avx512
#include "elementwise_body.h"
#else
void vk_activation_forward_avx512(int kind, float p0, float p1, float *z, float *a, const float *bias,
                               int64_t rows, int64_t columns, int64_t stride) {
    (void)kind; (void)p0; (void)p1; (void)z; (void)a; (void)bias; (void)rows; (void)columns; (void)stride;
}
void vk_activation_backward_avx512(int kind, float p0, float p1, const float *z, const float *a, float *gradient,
                                float *bias_gradient, int64_t rows, int64_t columns, int64_t stride) {
    (void)kind; (void)p0; (void)p1; (void)z; (void)a; (void)gradient; (void)bias_gradient;
    (void)rows; (void)columns; (void)stride;
}
#endif
