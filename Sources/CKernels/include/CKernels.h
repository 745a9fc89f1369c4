#ifndef C_KERNELS_H
#define C_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Implementation details of VarianceKit in C: kernels on AVX2, chosen at run time (the package
/// builds for baseline x86-64; Swift code cannot be compiled for one CPU feature function by
/// function, C can), and the thread placement calls that need C macros.

/// 1 when this processor and its operating system run AVX2 code, 0 otherwise (always 0 off x86-64).
int vk_cpu_has_avx2(void);

/// 1 when this processor and its operating system run the AVX-512 subsets F, BW, DQ and VL
/// (what the AVX-512 kernels use), 0 otherwise (always 0 off x86-64).
int vk_cpu_has_avx512(void);

/// The Philox4x32-10 words of groups `first_group ..< first_group + group_count`, in the fills'
/// element order: word `j` of block `8 g + l` at `out[32 (g - first_group) + 8 j + l]`, where
/// block `b` has the counter `(lo32(b + block_offset), hi32(b + block_offset), stream0, stream1)`
/// and every block the key `(key0, key1)`. `block_offset` must be a multiple of 8. Call only
/// when `vk_cpu_has_avx2()` is 1 (elsewhere it writes nothing).
void vk_philox_words_avx2(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                          uint64_t block_offset, int64_t first_group, int64_t group_count,
                          uint32_t *out);

/// The normal fill (`NormalTransform` of VarianceKit) of groups `first_group ..< first_group +
/// group_count` into `out[32 (g - first_group) ..< 32 (g - first_group) + 32]`, from the same
/// words as `vk_philox_words_avx2`, with the same bits as the Swift code. Requires AVX2.
void vk_philox_normal_avx2(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                           uint64_t block_offset, int64_t first_group, int64_t group_count,
                           float mean, float standard_deviation, float *out);

// MARK: AVX-512 kernels of the random fills (philox_avx512.c)
//
/// Like the AVX2 kernels, each writes groups `first_group ..< first_group + group_count` (32
/// elements per group, group `g` at `out[32 (g - first_group)]`) from the Philox4x32-10 blocks
/// whose counters are `(lo32(b + block_offset), hi32(b + block_offset), stream0, stream1)` under
/// the key `(key0, key1)`, `block_offset` a multiple of 8, with the same bits as VarianceKit's
/// scalar Swift reference. With `streaming` nonzero the floats go out by non-temporal stores, and
/// `out` must then be 64-byte aligned (the caller fences). Call only when `vk_cpu_has_avx512()`
/// is 1 (elsewhere they write nothing).

/// `vk_philox_words_avx2` on AVX-512: word `j` of block `8 g + l` at `out[32 (g - first_group) + 8 j + l]`.
void vk_philox_words_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                            uint64_t block_offset, int64_t first_group, int64_t group_count,
                            uint32_t *out);

/// The uniform fill (`UniformTransform`): element `32 g + 8 j + l` is
/// `min(low + span ((word >> 8) 2^-24), largest_below_high)` of word `j` of block `8 g + l`.
void vk_philox_uniform_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                              uint64_t block_offset, int64_t first_group, int64_t group_count,
                              float low, float span, float largest_below_high, int streaming, float *out);

/// The normal fill (`NormalTransform`, Box-Muller on words (0, 1) and (2, 3) of each block).
void vk_philox_normal_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                             uint64_t block_offset, int64_t first_group, int64_t group_count,
                             float mean, float standard_deviation, int streaming, float *out);

/// The parameters of the truncated normal by rejection: standard bounds, `mean`, standard
/// deviation, the scaled bounds `mean + sd lower` and `mean + sd upper` the results are kept in,
/// and the number of candidate slots per element.
typedef struct {
    float lower;
    float upper;
    float mean;
    float standard_deviation;
    float lower_value;
    float upper_value;
    int32_t slot_count;
} vk_truncation;

/// The truncated normal by rejection (`TruncatedNormalRejection`): element `32 g + i` takes the
/// first of its `slot_count` standard Box-Muller candidates that lies in `[lower, upper]`, the
/// candidate of slot `s` coming from Philox group `(slot_count + 1) g + s` (the same element
/// position of the normal fill), as `min(max(z sd + mean, lower_value), upper_value)`. Slot 0 is
/// computed for whole groups, the later slots for the pending elements only, 32 at a time.
/// Where all candidates fall outside, the element's offset from `out` goes to `fallback` (room
/// for `32 group_count + 16`, also the kernel's scratch) and its value is left for the caller;
/// returns how many did. Its stores are plain: a streamed fill stages each chunk in the cache,
/// patches it there and streams it out with `vk_stream_copy_avx512`.
int64_t vk_philox_truncated_normal_avx512(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                                          uint64_t block_offset, int64_t first_group, int64_t group_count,
                                          const vk_truncation *truncation, float *out, uint32_t *fallback);

/// The same truncated normal by rejection on AVX2, eight lanes at a time, with plain stores:
/// the same bits, `fallback` filled and the count returned as by the AVX-512 kernel (room for
/// `32 group_count + 8`: the list is written eight offsets at a time). Requires AVX2.
int64_t vk_philox_truncated_normal_avx2(uint32_t key0, uint32_t key1, uint32_t stream0, uint32_t stream1,
                                        uint64_t block_offset, int64_t first_group, int64_t group_count,
                                        const vk_truncation *truncation, float *out, uint32_t *fallback);

/// `destination[i] = source[i]` for `i < count` by non-temporal stores: `count` a multiple of 16,
/// `destination` 64-byte aligned. A fill that patches its output after writing it (the truncated
/// normal's retries and fallbacks) writes into a buffer that stays in the cache and streams it
/// out whole with this, rather than patching lines that streaming stores have already sent to
/// memory, which would read each back.
void vk_stream_copy_avx512(const float *source, float *destination, int64_t count);

// MARK: end of the AVX-512 kernels of the random fills

/// Orders earlier non-temporal stores before later stores (`sfence`; nothing off x86-64).
void vk_store_fence(void);

/// Sums of a run of floats about `shift`, in float lanes: `sum = Σ (x - shift)`,
/// `squares = Σ (x - shift)²`, and the smallest and largest `x` (as `minps`/`maxps` take them).
typedef struct {
    float sum;
    float squares;
    float minimum;
    float maximum;
} vk_moments;

/// `vk_moments` of `x[0 ..< count]`, `count` a multiple of 8, eight lanes at a time with two
/// accumulator sets; the lanes are added pairwise at the end. Requires AVX2.
vk_moments vk_moments_avx2(const float *x, int64_t count, float shift);

/* ---- Element-wise passes, optimizer steps and moments on AVX2 and AVX-512 -------------------
   (elementwise_*.c, optimizer_*.c, moments_avx512.c). Every kernel gives, element by element,
   the bits of VarianceKit's Swift SIMD8<Float> code for the same computation (the same
   operations in the same order, no fused multiply-add) and accumulates its sums in the same
   order. Call the `_avx2` functions only when `vk_cpu_has_avx2()` is 1 and the `_avx512`
   functions only when `vk_cpu_has_avx512()` is 1 (off x86-64 they do nothing). */

/// The activations of the element-wise kernels (`p0`, `p1` are their parameters).
enum {
    VK_ACTIVATION_LINEAR = 0,      ///< φ(z) = z
    VK_ACTIVATION_TANH = 1,
    VK_ACTIVATION_SIGMOID = 2,
    VK_ACTIVATION_RELU = 3,        ///< max(z, 0), NaN kept
    VK_ACTIVATION_LEAKY_RELU = 4,  ///< z > 0 ? z : p0 z, with p0 > 0
    VK_ACTIVATION_SOFTSIGN = 5,
    VK_ACTIVATION_SCALED_ELU = 6,  ///< p1 z for z > 0, p1 p0 (e^z - 1) otherwise (SELU, ELU)
    VK_ACTIVATION_GELU = 7,
    VK_ACTIVATION_SILU = 8,
};

/// Forward pass of a layer on `rows x columns` elements whose rows start `stride` apart:
/// `z[r, c] += bias[c]` when `bias` is not NULL, then `a[r, c] = φ(z[r, c])`.
void vk_activation_forward_avx2(int kind, float p0, float p1, float *z, float *a, const float *bias,
                                int64_t rows, int64_t columns, int64_t stride);
void vk_activation_forward_avx512(int kind, float p0, float p1, float *z, float *a, const float *bias,
                                  int64_t rows, int64_t columns, int64_t stride);

/// Backward pass: `gradient = gradient ⊙ φ'(z, a)` (not for `VK_ACTIVATION_LINEAR`, whose
/// derivative is 1), then, when `bias_gradient` is not NULL, `bias_gradient[c] += gradient[r, c]`
/// for r = 0, 1, ... in order.
void vk_activation_backward_avx2(int kind, float p0, float p1, const float *z, const float *a, float *gradient,
                                 float *bias_gradient, int64_t rows, int64_t columns, int64_t stride);
void vk_activation_backward_avx512(int kind, float p0, float p1, const float *z, const float *a, float *gradient,
                                   float *bias_gradient, int64_t rows, int64_t columns, int64_t stride);

/// The constants of one fused optimizer pass (VarianceKit's `FusedCoefficients`, field by field).
typedef struct {
    float step_size;
    float decay;
    float keep;
    float l1;
    float l2;
    float threshold;
    int32_t proximal;
    float buffer_decay;
    float gradient_weight;
    float nesterov_gradient;
    float nesterov_buffer;
    float beta1;
    float one_minus_beta1;
    float beta2;
    float one_minus_beta2;
    float inverse_root_correction2;
    float epsilon;
} vk_fused_coefficients;

/// What a fused pass gathers over its range: `Σ|w|` (when L1 or proximal) and `Σw²` (when L2)
/// of the weights before the step, in float, the exact zeros after it (when proximal), and, for
/// plain SGD, whether the gradient held inf or NaN.
typedef struct {
    float absolute_sum;
    float square_sum;
    int64_t exact_zeros;
    int32_t non_finite;
} vk_block_statistics;

/// SGD without momentum on [begin, end): `output = prox((1-d) w - η (g + l2 w + l1 sgn w))`
/// (`output` may be `g`).
vk_block_statistics vk_sgd_avx2(const float *w, const float *g, float *output, int64_t begin, int64_t end,
                                const vk_fused_coefficients *c);
vk_block_statistics vk_sgd_avx512(const float *w, const float *g, float *output, int64_t begin, int64_t end,
                                  const vk_fused_coefficients *c);

/// SGD with momentum on [begin, end): `ĝ = g + l2 w + l1 sgn w`,
/// `b_out = buffer_decay b + gradient_weight ĝ`,
/// `w_out = prox((1-d) w - η (nesterov_gradient ĝ + nesterov_buffer b_out))`, in place when
/// `w_out == w` and `b_out == b`; `non_finite` says whether `g` held inf or NaN. With `stream`
/// nonzero, `b_out` is written with non-temporal stores (where its vectors are aligned) and the
/// call ends with a store fence.
vk_block_statistics vk_sgd_momentum_avx2(const float *w, const float *g, const float *b, float *w_out, float *b_out,
                                         int64_t begin, int64_t end, const vk_fused_coefficients *c, int stream);
vk_block_statistics vk_sgd_momentum_avx512(const float *w, const float *g, const float *b, float *w_out, float *b_out,
                                           int64_t begin, int64_t end, const vk_fused_coefficients *c, int stream);

/// Adam/AdamW on [begin, end): `ĝ = g + l2 w + l1 sgn w`, `m' = β₁ m + (1-β₁) ĝ`,
/// `v' = β₂ v + (1-β₂) ĝ²`, `w' = prox((1-d) w - step_size m' / (√v' inverse_root_correction2 + ε))`
/// written to `w_out`, `m_out`, `v_out` (each may be its input: every element is read before it
/// is written), `non_finite` set when `g` held inf or NaN. `stream` writes `m'` and `v'` with
/// non-temporal stores (when both are aligned to a vector).
vk_block_statistics vk_adam_avx2(const float *w, const float *g, const float *m, const float *v,
                                 float *w_out, float *m_out, float *v_out, int64_t begin, int64_t end,
                                 const vk_fused_coefficients *c, int stream);
vk_block_statistics vk_adam_avx512(const float *w, const float *g, const float *m, const float *v,
                                   float *w_out, float *m_out, float *v_out, int64_t begin, int64_t end,
                                   const vk_fused_coefficients *c, int stream);

/// `vk_moments_avx2` on AVX-512, with the same bits.
vk_moments vk_moments_avx512(const float *x, int64_t count, float shift);

/* ---- end of the element-wise, optimizer and moments kernels ---------------------------------- */

/// The processor the calling thread is running on, or -1 where that is unknown.
int vk_current_cpu(void);

/// Size in bytes of the affinity mask that `vk_leave_cpu` saves.
size_t vk_affinity_mask_size(void);

/// When the calling thread runs on processor `cpu` and its affinity allows another one: saves its
/// affinity mask at `saved` (`vk_affinity_mask_size()` bytes), removes `cpu` from it (the kernel
/// moves the thread at once) and returns 1. Otherwise changes nothing and returns 0.
int vk_leave_cpu(int cpu, void *saved);

/// Sets the calling thread's affinity mask back to the one `vk_leave_cpu` saved.
void vk_restore_affinity(const void *saved);

/// The number of processors the calling thread may run on (0 where unknown).
int vk_allowed_cpu_count(void);

#endif
