#include "CKernels.h"

#if defined(__x86_64__)
int vk_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) ? 1 : 0;
}
#else
int vk_cpu_has_avx512(void) { return 0; }
#endif
