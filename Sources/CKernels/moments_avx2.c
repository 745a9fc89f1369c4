#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

/* Two sets of accumulators so that consecutive vectors do not wait on each other's additions.
   No fused multiply-add: the avx2 target has none, so the squares round as in the Swift loop.
   Minima and maxima take the new entry as the first operand of `minps`/`maxps` (`x < m ? x : m`),
   as the Swift loop does, so ties between -0 and +0 resolve alike. */
__attribute__((target("avx2")))
vk_moments vk_moments_avx2(const float *x, int64_t count, float shift) {
    const __m256 centre = _mm256_set1_ps(shift);
    __m256 sum0 = _mm256_setzero_ps(), sum1 = sum0, squares0 = sum0, squares1 = sum0;
    __m256 minimum0 = _mm256_set1_ps(__builtin_inff()), minimum1 = minimum0;
    __m256 maximum0 = _mm256_set1_ps(-__builtin_inff()), maximum1 = maximum0;
    int64_t index = 0;
    for (; index + 16 <= count; index += 16) {
        const __m256 value0 = _mm256_loadu_ps(x + index), value1 = _mm256_loadu_ps(x + index + 8);
        const __m256 centred0 = _mm256_sub_ps(value0, centre), centred1 = _mm256_sub_ps(value1, centre);
        sum0 = _mm256_add_ps(sum0, centred0);
        sum1 = _mm256_add_ps(sum1, centred1);
        squares0 = _mm256_add_ps(squares0, _mm256_mul_ps(centred0, centred0));
        squares1 = _mm256_add_ps(squares1, _mm256_mul_ps(centred1, centred1));
        minimum0 = _mm256_min_ps(value0, minimum0);
        minimum1 = _mm256_min_ps(value1, minimum1);
        maximum0 = _mm256_max_ps(value0, maximum0);
        maximum1 = _mm256_max_ps(value1, maximum1);
    }
    if (index < count) {
        const __m256 value = _mm256_loadu_ps(x + index);
        const __m256 centred = _mm256_sub_ps(value, centre);
        sum0 = _mm256_add_ps(sum0, centred);
        squares0 = _mm256_add_ps(squares0, _mm256_mul_ps(centred, centred));
        minimum0 = _mm256_min_ps(value, minimum0);
        maximum0 = _mm256_max_ps(value, maximum0);
    }
    float sums[8], squares[8], minima[8], maxima[8];
    _mm256_storeu_ps(sums, _mm256_add_ps(sum0, sum1));
    _mm256_storeu_ps(squares, _mm256_add_ps(squares0, squares1));
    _mm256_storeu_ps(minima, _mm256_min_ps(minimum1, minimum0));
    _mm256_storeu_ps(maxima, _mm256_max_ps(maximum1, maximum0));
    vk_moments result = { 0, 0, minima[0], maxima[0] };
    for (int width = 4; width >= 1; width /= 2) {
        for (int lane = 0; lane < width; lane++) {
            sums[lane] += sums[lane + width];
            squares[lane] += squares[lane + width];
        }
    }
    for (int lane = 1; lane < 8; lane++) {
        result.minimum = minima[lane] < result.minimum ? minima[lane] : result.minimum;
        result.maximum = maxima[lane] > result.maximum ? maxima[lane] : result.maximum;
    }
    result.sum = sums[0];
    result.squares = squares[0];
    return result;
}

#else

vk_moments vk_moments_avx2(const float *x, int64_t count, float shift) {
    (void)x; (void)count; (void)shift;
    vk_moments nothing = { 0, 0, 0, 0 };
    return nothing;
}

#endif
