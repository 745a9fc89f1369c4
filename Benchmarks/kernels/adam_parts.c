/* The parts of VarianceKit's AdamW step, timed apart, on 2^24 float parameters split between two
   threads, block by block like OptimizerEngine, the four variants in turns, medians of 21 steps:
   - the fused update alone, in place (vk_adam_avx512 or vk_adam_avx2);
   - a separate finiteness pass over the gradient (written here), which an in-place update must
     run before its first write to refuse a non-finite gradient with w, m and v untouched;
   - that pass, then the in-place update;
   - the step OptimizerEngine takes: the check fused into the update, the new weights into the
     gradient buffer and the new moments into spare buffers by streaming stores, then the
     buffers exchanged.

       clang -O2 -march=native -I Sources/CKernels/include Benchmarks/kernels/adam_parts.c \
           Sources/CKernels/optimizer_avx512.c Sources/CKernels/optimizer_avx2.c -lpthread -o /tmp/adam_parts
       /tmp/adam_parts [avx2]
*/
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "CKernels.h"

enum { COUNT = 1 << 24, BLOCK = 4096, REPETITIONS = 21, VARIANTS = 4 };

static float *weights, *gradient, *first_moment, *second_moment, *spare_first, *spare_second;
static vk_fused_coefficients coefficients;
static int variant, use_avx2;
static pthread_barrier_t start, finish;

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void update(int64_t begin, int64_t end) {
    if (use_avx2) vk_adam_avx2(weights, gradient, first_moment, second_moment, weights, first_moment, second_moment, begin, end, &coefficients, 0);
    else vk_adam_avx512(weights, gradient, first_moment, second_moment, weights, first_moment, second_moment, begin, end, &coefficients, 0);
}

static void update_into_spares(int64_t begin, int64_t end) {
    vk_block_statistics statistics = use_avx2
        ? vk_adam_avx2(weights, gradient, first_moment, second_moment, gradient, spare_first, spare_second, begin, end, &coefficients, 1)
        : vk_adam_avx512(weights, gradient, first_moment, second_moment, gradient, spare_first, spare_second, begin, end, &coefficients, 1);
    if (statistics.non_finite) abort();
}

static void exchange(float **a, float **b) {
    float *t = *a;
    *a = *b;
    *b = t;
}

/* The separate finiteness pass the library ran before its Adam step fused the check: 1 when no
   element of the gradient's [begin, end) is inf or NaN, by the largest exponent field, the
   range's quarters read in lockstep (one stream per thread is limited by memory latency). */
static int check(int64_t begin, int64_t end) {
    const uint32_t *bits = (const uint32_t *)gradient;
    const int64_t quarter = (end - begin) / 4;
    uint32_t largest0 = 0, largest1 = 0, largest2 = 0, largest3 = 0;
    for (int64_t i = begin; i < begin + quarter; i++) {
        const uint32_t f0 = bits[i] & 0x7F800000u, f1 = bits[i + quarter] & 0x7F800000u;
        const uint32_t f2 = bits[i + 2 * quarter] & 0x7F800000u, f3 = bits[i + 3 * quarter] & 0x7F800000u;
        largest0 = f0 > largest0 ? f0 : largest0;
        largest1 = f1 > largest1 ? f1 : largest1;
        largest2 = f2 > largest2 ? f2 : largest2;
        largest3 = f3 > largest3 ? f3 : largest3;
    }
    uint32_t largest = largest0 > largest1 ? largest0 : largest1;
    largest = largest2 > largest ? largest2 : largest;
    largest = largest3 > largest ? largest3 : largest;
    for (int64_t i = begin + 4 * quarter; i < end; i++) {
        const uint32_t field = bits[i] & 0x7F800000u;
        largest = field > largest ? field : largest;
    }
    return largest != 0x7F800000u;
}

/* Variant 0: the update alone; 1: the check alone; 2: the check of the half, then its update;
   3: the fused update into the gradient and spare buffers. */
static void half(int which) {
    const int64_t begin = which * (COUNT / 2), end = begin + COUNT / 2;
    if (variant == 3) {
        for (int64_t block = begin; block < end; block += BLOCK) update_into_spares(block, block + BLOCK);
        return;
    }
    if (variant >= 1 && !check(begin, end)) abort();
    if (variant == 1) return;
    for (int64_t block = begin; block < end; block += BLOCK) update(block, block + BLOCK);
}

static void *second_thread(void *unused) {
    (void)unused;
    for (;;) {
        pthread_barrier_wait(&start);
        half(1);
        pthread_barrier_wait(&finish);
    }
    return NULL;
}

static float *buffer(float scale) {
    void *memory = NULL;
    if (posix_memalign(&memory, 64, (size_t)COUNT * sizeof(float)) != 0) abort();
    float *values = memory;
    for (int64_t i = 0; i < COUNT; i++) values[i] = scale * (float)((i * 7919) % 1000) / 1000.0f;
    return values;
}

static int ascending(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    use_avx2 = argc > 1 && strcmp(argv[1], "avx2") == 0;
    weights = buffer(0.02f);
    gradient = buffer(0.001f);
    first_moment = buffer(0.0001f);
    second_moment = buffer(0.000001f);
    spare_first = buffer(0);
    spare_second = buffer(0);
    memset(&coefficients, 0, sizeof coefficients);
    coefficients.keep = 1 - 1e-5f;
    coefficients.step_size = 1e-3f;
    coefficients.beta1 = 0.9f;
    coefficients.one_minus_beta1 = 0.1f;
    coefficients.beta2 = 0.999f;
    coefficients.one_minus_beta2 = 0.001f;
    coefficients.inverse_root_correction2 = 1;
    coefficients.epsilon = 1e-8f;
    pthread_barrier_init(&start, NULL, 2);
    pthread_barrier_init(&finish, NULL, 2);
    pthread_t thread;
    pthread_create(&thread, NULL, second_thread, NULL);
    double times[VARIANTS][REPETITIONS];
    for (int repetition = 0; repetition < REPETITIONS; repetition++) {
        for (variant = 0; variant < VARIANTS; variant++) {
            const double begin = seconds();
            pthread_barrier_wait(&start);
            half(0);
            pthread_barrier_wait(&finish);
            times[variant][repetition] = seconds() - begin;
            if (variant == 3) {
                exchange(&weights, &gradient);
                exchange(&first_moment, &spare_first);
                exchange(&second_moment, &spare_second);
            }
        }
    }
    const char *names[VARIANTS] = { "update alone (28 B)", "check alone (4 B)", "check, then update (32 B)",
                                  "fused, into spares (28 B)" };
    printf("%s, %d parameters, 2 threads, median of %d\n", use_avx2 ? "AVX2" : "AVX-512", COUNT, REPETITIONS);
    for (int v = 0; v < VARIANTS; v++) {
        qsort(times[v], REPETITIONS, sizeof(double), ascending);
        printf("%-26s %7.2f ms\n", names[v], times[v][REPETITIONS / 2] * 1e3);
    }
    return 0;
}
