/* The vector vocabulary shared by the element-wise, optimizer and moments kernels, for one
   instruction set chosen before inclusion: define VK_AVX512 (16 lanes, AVX-512 F/BW/DQ/VL) or
   VK_AVX2 (8 lanes). Every operation is one IEEE operation per lane (no fused multiply-add:
   `fp contract(off)` keeps the compiler from forming one), so a kernel written with these macros
   rounds lane by lane exactly as the Swift `SIMD8<Float>` code that spells the same operations in
   the same order. Compares take the `_CMP_*` predicates of Swift's lane compares: `.<`, `.>`,
   `.==` are ordered (false on NaN), `.!=` is unordered (true on NaN). */
#ifndef VK_VECTOR_OPS_H
#define VK_VECTOR_OPS_H

#include <immintrin.h>
#include <stdint.h>

#pragma clang fp contract(off)

#if defined(VK_AVX512)

#define VK_TARGET "avx512f,avx512bw,avx512dq,avx512vl,avx2,avx,fma"
#define VK_LANES 16
typedef __m512 vk_v;
typedef __m512i vk_vi;
typedef __mmask16 vk_mask;
typedef __mmask16 vk_tail;
#define V_SET1(x) _mm512_set1_ps(x)
#define V_ZERO() _mm512_setzero_ps()
#define V_ADD(a, b) _mm512_add_ps(a, b)
#define V_SUB(a, b) _mm512_sub_ps(a, b)
#define V_MUL(a, b) _mm512_mul_ps(a, b)
#define V_DIV(a, b) _mm512_div_ps(a, b)
#define V_SQRT(a) _mm512_sqrt_ps(a)
#define V_CMP(a, b, predicate) _mm512_cmp_ps_mask(a, b, predicate)
/* `mask ? if_true : if_false`, lane by lane. */
#define V_SELECT(mask, if_true, if_false) _mm512_mask_blend_ps(mask, if_false, if_true)
#define V_AS_INT(v) _mm512_castps_si512(v)
#define V_AS_FLOAT(i) _mm512_castsi512_ps(i)
#define VI_SET1(x) _mm512_set1_epi32((int)(x))
#define VI_ADD(a, b) _mm512_add_epi32(a, b)
#define VI_SUB(a, b) _mm512_sub_epi32(a, b)
#define VI_AND(a, b) _mm512_and_si512(a, b)
#define VI_OR(a, b) _mm512_or_si512(a, b)
#define VI_XOR(a, b) _mm512_xor_si512(a, b)
#define VI_SHL(a, n) _mm512_slli_epi32(a, n)
#define VI_MAX_U(a, b) _mm512_max_epu32(a, b)
#define V_LOAD(p) _mm512_loadu_ps(p)
#define V_STORE(p, v) _mm512_storeu_ps(p, v)
/* A non-temporal store of a whole vector to an aligned address. */
#define V_STREAM(p, v) _mm512_stream_ps(p, v)
/* The first `n` lanes (0 < n < VK_LANES); loads give 0 in the others, stores leave them. */
#define V_TAIL(n) ((__mmask16)((1u << (n)) - 1u))
#define V_LOAD_TAIL(p, tail) _mm512_maskz_loadu_ps(tail, p)
#define V_STORE_TAIL(p, v, tail) _mm512_mask_storeu_ps(p, tail, v)
/* Whether any lane of a compare's mask is set. */
#define V_ANY(mask) ((mask) != 0)
/* The lanes of a mask as a count of set lanes. */
#define V_COUNT(mask) __builtin_popcount((unsigned)(mask))
#define V_COUNT_TAIL(mask, tail) __builtin_popcount((unsigned)((mask) & (tail)))

#elif defined(VK_AVX2)

#define VK_TARGET "avx2,avx"
#define VK_LANES 8
typedef __m256 vk_v;
typedef __m256i vk_vi;
typedef __m256 vk_mask;
typedef __m256i vk_tail;
#define V_SET1(x) _mm256_set1_ps(x)
#define V_ZERO() _mm256_setzero_ps()
#define V_ADD(a, b) _mm256_add_ps(a, b)
#define V_SUB(a, b) _mm256_sub_ps(a, b)
#define V_MUL(a, b) _mm256_mul_ps(a, b)
#define V_DIV(a, b) _mm256_div_ps(a, b)
#define V_SQRT(a) _mm256_sqrt_ps(a)
#define V_CMP(a, b, predicate) _mm256_cmp_ps(a, b, predicate)
#define V_SELECT(mask, if_true, if_false) _mm256_blendv_ps(if_false, if_true, mask)
#define V_AS_INT(v) _mm256_castps_si256(v)
#define V_AS_FLOAT(i) _mm256_castsi256_ps(i)
#define VI_SET1(x) _mm256_set1_epi32((int)(x))
#define VI_ADD(a, b) _mm256_add_epi32(a, b)
#define VI_SUB(a, b) _mm256_sub_epi32(a, b)
#define VI_AND(a, b) _mm256_and_si256(a, b)
#define VI_OR(a, b) _mm256_or_si256(a, b)
#define VI_XOR(a, b) _mm256_xor_si256(a, b)
#define VI_SHL(a, n) _mm256_slli_epi32(a, n)
#define VI_MAX_U(a, b) _mm256_max_epu32(a, b)
#define V_LOAD(p) _mm256_loadu_ps(p)
#define V_STORE(p, v) _mm256_storeu_ps(p, v)
#define V_STREAM(p, v) _mm256_stream_ps(p, v)
#define V_TAIL(n) _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define V_LOAD_TAIL(p, tail) _mm256_maskload_ps(p, tail)
#define V_STORE_TAIL(p, v, tail) _mm256_maskstore_ps(p, tail, v)
#define V_ANY(mask) (_mm256_movemask_ps(mask) != 0)
#define V_COUNT(mask) __builtin_popcount((unsigned)_mm256_movemask_ps(mask))
#define V_COUNT_TAIL(mask, tail) \
    __builtin_popcount((unsigned)(_mm256_movemask_ps(mask) & _mm256_movemask_ps(_mm256_castsi256_ps(tail))))

#else
#error "define VK_AVX512 or VK_AVX2 before including vector_ops.h"
#endif

/* Bit operations on float lanes. */
#define V_AND_BITS(v, bits) V_AS_FLOAT(VI_AND(V_AS_INT(v), VI_SET1(bits)))
#define V_OR(a, b) V_AS_FLOAT(VI_OR(V_AS_INT(a), V_AS_INT(b)))
/* `|x|`: the sign bit cleared. */
#define V_MAGNITUDE(x) V_AND_BITS(x, 0x7FFFFFFF)
/* `-x`: the sign bit flipped. */
#define V_NEGATE(x) V_AS_FLOAT(VI_XOR(V_AS_INT(x), VI_SET1(0x80000000u)))

#endif
