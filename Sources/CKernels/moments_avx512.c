#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#pragma clang fp contract(off)

/* One 16-lane accumulator per quantity: lane l holds what lane l of the AVX2 kernel's first
   accumulator set holds (l < 8) or lane l - 8 of its second (the kernel takes 16 entries per
   step, the first eight into its first set): every lane adds the same entries in the same order,
   and the halves are combined and reduced as there, so both kernels give the same bits (and the
   SSE2 Swift loop, which keeps the same two sets). A last single vector of eight goes to the low
   half. */
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))
vk_moments vk_moments_avx512(const float *x, int64_t count, float shift) {
    const __m512 centre = _mm512_set1_ps(shift);
    __m512 sum = _mm512_setzero_ps(), squares = sum;
    __m512 minimum = _mm512_set1_ps(__builtin_inff()), maximum = _mm512_set1_ps(-__builtin_inff());
    int64_t index = 0;
    for (; index + 16 <= count; index += 16) {
        const __m512 value = _mm512_loadu_ps(x + index);
        const __m512 centred = _mm512_sub_ps(value, centre);
        sum = _mm512_add_ps(sum, centred);
        squares = _mm512_add_ps(squares, _mm512_mul_ps(centred, centred));
        minimum = _mm512_min_ps(value, minimum);
        maximum = _mm512_max_ps(value, maximum);
    }
    if (index < count) {
        const __mmask16 low = 0x00FF;
        const __m512 value = _mm512_maskz_loadu_ps(low, x + index);
        const __m512 centred = _mm512_sub_ps(value, centre);
        sum = _mm512_mask_add_ps(sum, low, sum, centred);
        squares = _mm512_mask_add_ps(squares, low, squares, _mm512_mul_ps(centred, centred));
        minimum = _mm512_mask_min_ps(minimum, low, value, minimum);
        maximum = _mm512_mask_max_ps(maximum, low, value, maximum);
    }
    float sums[8], squared[8], minima[8], maxima[8];
    _mm256_storeu_ps(sums, _mm256_add_ps(_mm512_castps512_ps256(sum), _mm512_extractf32x8_ps(sum, 1)));
    _mm256_storeu_ps(squared, _mm256_add_ps(_mm512_castps512_ps256(squares), _mm512_extractf32x8_ps(squares, 1)));
    _mm256_storeu_ps(minima, _mm256_min_ps(_mm512_extractf32x8_ps(minimum, 1), _mm512_castps512_ps256(minimum)));
    _mm256_storeu_ps(maxima, _mm256_max_ps(_mm512_extractf32x8_ps(maximum, 1), _mm512_castps512_ps256(maximum)));
    vk_moments result = { 0, 0, minima[0], maxima[0] };
    for (int width = 4; width >= 1; width /= 2) {
        for (int lane = 0; lane < width; lane++) {
            sums[lane] += sums[lane + width];
            squared[lane] += squared[lane + width];
        }
    }
    for (int lane = 1; lane < 8; lane++) {
        result.minimum = minima[lane] < result.minimum ? minima[lane] : result.minimum;
        result.maximum = maxima[lane] > result.maximum ? maxima[lane] : result.maximum;
    }
    result.sum = sums[0];
    result.squares = squared[0];
    return result;
}

#else

vk_moments vk_moments_avx512(const float *x, int64_t count, float shift) {
    (void)x; (void)count; (void)shift;
    vk_moments nothing = { 0, 0, 0, 0 };
    return nothing;
}

#endif
