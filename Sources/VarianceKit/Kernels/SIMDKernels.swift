internal import CKernels

/// Which implementation runs the fused element-wise passes of a layer, the fused optimizer steps
/// (which also check the gradients for inf and NaN) and the probe's moments.
///
/// - `avx512`: the 16-lane C kernels of `CKernels` (AVX-512 F, BW, DQ, VL);
/// - `avx2`: the 8-lane C kernels (AVX2);
/// - `vector`: the Swift `SIMD8<Float>` code, which baseline x86-64 runs as SSE2 pairs and every
///   other processor as its own vectors.
///
/// All three compute every element with the same operations in the same order (one IEEE operation
/// at a time, no fused multiply-add) and add their sums (bias gradients, optimizer statistics,
/// moments) in the same order, so they give the same bits; the tests check it.
enum KernelPath: String, CaseIterable, Sendable, CustomStringConvertible {
    case avx512, avx2, vector

    /// What the library uses: `avx512` where `CPUFeatures.usesAVX512` holds, else `avx2` where
    /// `CPUFeatures.usesAVX2` holds, else `vector` (`VARIANCEKIT_AVX512=0` and `VARIANCEKIT_AVX2=0`
    /// step down to compare the paths).
    static let preferred: KernelPath = CPUFeatures.usesAVX512 ? .avx512 : (CPUFeatures.usesAVX2 ? .avx2 : .vector)

    /// The paths this processor runs, whatever the environment says (for the tests).
    static var available: [KernelPath] {
        (CPUFeatures.hasAVX512 ? [.avx512] : []) + (CPUFeatures.hasAVX2 ? [.avx2] : []) + [.vector]
    }

    var description: String { rawValue }
}

/// The C element-wise passes of `CKernels` behind Swift signatures; unchecked (callers own the
/// shapes). `path` must be `avx512` or `avx2` and available.
enum ElementwiseKernels {
    /// An activation as the C kernels name it: a kind and up to two parameters.
    struct Kernel {
        var kind: Int32
        var first: Float = 0
        var second: Float = 0
    }

    /// The C kernel of `activation` (leaky ReLU with slope 0 is ReLU, as on the Swift path;
    /// SELU and ELU are the scaled ELU `scale · (z > 0 ? z : alpha (e^z - 1))`).
    @inline(__always)
    static func kernel(for activation: Activation) -> Kernel {
        switch activation {
        case .linear: Kernel(kind: Int32(VK_ACTIVATION_LINEAR))
        case .tanh: Kernel(kind: Int32(VK_ACTIVATION_TANH))
        case .sigmoid: Kernel(kind: Int32(VK_ACTIVATION_SIGMOID))
        case .relu, .leakyReLU(slope: 0): Kernel(kind: Int32(VK_ACTIVATION_RELU))
        case .leakyReLU(let slope): Kernel(kind: Int32(VK_ACTIVATION_LEAKY_RELU), first: slope)
        case .softsign: Kernel(kind: Int32(VK_ACTIVATION_SOFTSIGN))
        case .selu: Kernel(kind: Int32(VK_ACTIVATION_SCALED_ELU), first: Activation.seluAlpha, second: Activation.seluScale)
        case .elu(let alpha): Kernel(kind: Int32(VK_ACTIVATION_SCALED_ELU), first: alpha, second: 1)
        case .gelu: Kernel(kind: Int32(VK_ACTIVATION_GELU))
        case .silu: Kernel(kind: Int32(VK_ACTIVATION_SILU))
        }
    }

    /// `z[r, c] += bias[c]` (when given), then `a[r, c] = φ(z[r, c])`, on `rows x columns`
    /// elements whose rows start `stride` apart.
    @inline(__always)
    static func forward(
        _ path: KernelPath, _ activation: Activation, _ z: UnsafeMutablePointer<Float>, _ a: UnsafeMutablePointer<Float>,
        _ bias: UnsafePointer<Float>?, _ rows: Int, _ columns: Int, stride: Int
    ) {
        let k = kernel(for: activation)
        if path == .avx512 {
            vk_activation_forward_avx512(k.kind, k.first, k.second, z, a, bias, Int64(rows), Int64(columns), Int64(stride))
        } else {
            vk_activation_forward_avx2(k.kind, k.first, k.second, z, a, bias, Int64(rows), Int64(columns), Int64(stride))
        }
    }

    /// `gradient = gradient ⊙ φ'(z, a)`, then `biasGradient[c] += gradient[r, c]` in row order
    /// (when given), on `rows x columns` elements whose rows start `stride` apart.
    @inline(__always)
    static func backward(
        _ path: KernelPath, _ activation: Activation, _ z: UnsafePointer<Float>, _ a: UnsafePointer<Float>,
        _ gradient: UnsafeMutablePointer<Float>, _ biasGradient: UnsafeMutablePointer<Float>?,
        _ rows: Int, _ columns: Int, stride: Int
    ) {
        let k = kernel(for: activation)
        if path == .avx512 {
            vk_activation_backward_avx512(k.kind, k.first, k.second, z, a, gradient, biasGradient,
                                          Int64(rows), Int64(columns), Int64(stride))
        } else {
            vk_activation_backward_avx2(k.kind, k.first, k.second, z, a, gradient, biasGradient,
                                        Int64(rows), Int64(columns), Int64(stride))
        }
    }
}

/// The C fused optimizer steps of `CKernels` behind Swift signatures (see `FusedKernels` for the
/// formulas); unchecked. `path` must be `avx512` or `avx2` and available.
enum OptimizerKernels {
    @inline(__always)
    static func coefficients(_ c: FusedCoefficients) -> vk_fused_coefficients {
        vk_fused_coefficients(
            step_size: c.stepSize, decay: c.decay, keep: c.keep, l1: c.l1, l2: c.l2, threshold: c.threshold,
            proximal: c.proximal ? 1 : 0, buffer_decay: c.bufferDecay, gradient_weight: c.gradientWeight,
            nesterov_gradient: c.nesterovGradient, nesterov_buffer: c.nesterovBuffer, beta1: c.beta1,
            one_minus_beta1: c.oneMinusBeta1, beta2: c.beta2, one_minus_beta2: c.oneMinusBeta2,
            inverse_root_correction2: c.inverseRootCorrection2, epsilon: c.epsilon)
    }

    @inline(__always)
    static func statistics(_ s: vk_block_statistics) -> BlockStatistics {
        BlockStatistics(absoluteSum: Double(s.absolute_sum), squareSum: Double(s.square_sum),
                        exactZeros: Int(s.exact_zeros), nonFinite: s.non_finite != 0)
    }

    static func sgd(
        _ path: KernelPath, weights w: UnsafePointer<Float>, gradient g: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, range: Range<Int>, _ c: FusedCoefficients
    ) -> BlockStatistics {
        var k = coefficients(c)
        let (begin, end) = (Int64(range.lowerBound), Int64(range.upperBound))
        return statistics(path == .avx512 ? vk_sgd_avx512(w, g, output, begin, end, &k) : vk_sgd_avx2(w, g, output, begin, end, &k))
    }

    static func sgdMomentum(
        _ path: KernelPath, weights w: UnsafePointer<Float>, gradient g: UnsafePointer<Float>,
        buffer b: UnsafePointer<Float>, weightsOutput: UnsafeMutablePointer<Float>,
        bufferOutput: UnsafeMutablePointer<Float>, streamingBuffer: Bool, range: Range<Int>, _ c: FusedCoefficients
    ) -> BlockStatistics {
        var k = coefficients(c)
        let (begin, end) = (Int64(range.lowerBound), Int64(range.upperBound))
        let stream: Int32 = streamingBuffer ? 1 : 0
        return statistics(path == .avx512
            ? vk_sgd_momentum_avx512(w, g, b, weightsOutput, bufferOutput, begin, end, &k, stream)
            : vk_sgd_momentum_avx2(w, g, b, weightsOutput, bufferOutput, begin, end, &k, stream))
    }

    static func adam(
        _ path: KernelPath, weights w: UnsafePointer<Float>, gradient g: UnsafePointer<Float>,
        firstMoment m: UnsafePointer<Float>, secondMoment v: UnsafePointer<Float>,
        weightsOutput: UnsafeMutablePointer<Float>, firstMomentOutput: UnsafeMutablePointer<Float>,
        secondMomentOutput: UnsafeMutablePointer<Float>, streamingMoments: Bool, range: Range<Int>, _ c: FusedCoefficients
    ) -> BlockStatistics {
        var k = coefficients(c)
        let (begin, end) = (Int64(range.lowerBound), Int64(range.upperBound))
        let stream: Int32 = streamingMoments ? 1 : 0
        return statistics(path == .avx512
            ? vk_adam_avx512(w, g, m, v, weightsOutput, firstMomentOutput, secondMomentOutput, begin, end, &k, stream)
            : vk_adam_avx2(w, g, m, v, weightsOutput, firstMomentOutput, secondMomentOutput, begin, end, &k, stream))
    }
}

/// The probe's moments on AVX-512 (`AVX2Kernels.moments` with one 16-lane accumulator per
/// quantity: the same sums in the same order, so the same bits). Call only where
/// `CPUFeatures.hasAVX512` holds.
enum MomentKernels {
    @inline(__always)
    static func momentsAVX512(_ pointer: UnsafePointer<Float>, count: Int, shift: Float) -> LaneMoments {
        let moments = vk_moments_avx512(pointer, Int64(count), shift)
        return LaneMoments(sum: moments.sum, squares: moments.squares,
                           minimum: moments.minimum, maximum: moments.maximum)
    }
}
