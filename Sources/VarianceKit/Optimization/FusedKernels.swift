#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Sums gathered over one block by a fused step: `Σ|w|` and `Σw²` of the weights before the
/// step (for the penalty value) and the exact zeros after it (for the sparsity).
struct BlockStatistics: Sendable {
    var absoluteSum: Double = 0
    var squareSum: Double = 0
    var exactZeros: Int = 0
    /// Set by every step kernel when the block's gradient held inf or NaN.
    var nonFinite = false
}

/// The per-step constants of one fused pass (computed once per parameter and step).
struct FusedCoefficients: Sendable {
    /// `η_t` for SGD; the bias-corrected step `η_t / (1 - β₁ᵗ)` for Adam.
    var stepSize: Float = 0
    /// `d`, the decoupled weight-decay fraction, and `1 - d`, the factor that applies it.
    var decay: Float = 0
    var keep: Float = 1
    /// `λ₁/n` as a subgradient (0 under the proximal method).
    var l1: Float = 0
    /// `λ₂/n`.
    var l2: Float = 0
    /// The soft-threshold `η_t λ₁/n` (used only when `proximal`).
    var threshold: Float = 0
    var proximal = false
    // SGD with momentum: buf ← bufferDecay·buf + gradientWeight·g;  d = nesterovGradient·g + nesterovBuffer·buf.
    var bufferDecay: Float = 0
    var gradientWeight: Float = 1
    var nesterovGradient: Float = 0
    var nesterovBuffer: Float = 1
    // Adam: m ← β₁ m + (1-β₁) g;  v ← β₂ v + (1-β₂) g²;  denominator √v / √(1-β₂ᵗ) + ε.
    var beta1: Float = 0
    var oneMinusBeta1: Float = 1
    var beta2: Float = 0
    var oneMinusBeta2: Float = 1
    var inverseRootCorrection2: Float = 1
    var epsilon: Float = 1e-8
}

/// The fused, vectorized update loops. Each reads every buffer once and writes each written
/// buffer once, 8 lanes at a time (`SIMD8<Float>`; the last partial vector is padded with zeros
/// and computed by the same code, so the tail rounds exactly like the body). Unchecked: callers
/// validated shapes, hyperparameters and gradients.
///
/// `path` chooses the kernels (`KernelPath`): the Swift loops here (`vector`), or the C kernels
/// of `OptimizerKernels`, which follow them operation by operation and accumulate the block
/// statistics in the same eight lanes in the same order, so every path gives the same bits.
enum FusedKernels {
    typealias Vector = SIMD8<Float>
    typealias Counter = SIMD8<Int32>
    static let width = 8

    // MARK: Lanes

    typealias Bits = SIMD8<UInt32>

    /// `sgn(x)`: `±1` with the sign bit of `x`, `0` for `±0`.
    @inline(__always)
    static func sign(_ x: Vector) -> Vector {
        let bits = unsafeBitCast(x, to: Bits.self)
        let unit = (bits & Bits(repeating: 0x8000_0000)) | Bits(repeating: 0x3F80_0000)
        return unsafeBitCast(unit & unsafeBitCast(x .!= 0, to: Bits.self), to: Vector.self)
    }

    /// `|x|` (`ActivationMath.magnitude`: the sign bit cleared).
    @inline(__always)
    static func magnitude(_ x: Vector) -> Vector { ActivationMath.magnitude(x) }

    /// `sign(x) max(|x| - t, 0)`, giving `+0` for `|x| <= t`.
    @inline(__always)
    static func softThreshold(_ x: Vector, _ t: Float) -> Vector {
        Vector(repeating: 0).replacing(with: x - t, where: x .> t).replacing(with: x + t, where: x .< -t)
    }

    /// Which terms a pass computes. Each kernel is compiled once per combination (the flags are
    /// constants inside it), so that a plain L2 step spends no instruction on L1 or on counting
    /// zeros: on a memory-bound loop that is the difference between matching the C loop or not.
    /// Everything the loops touch is `@inline(__always)`: SwiftPM compiles with
    /// `-num-threads`, which gives each source file its own LLVM module, and a helper left to
    /// LLVM's inliner in another file becomes a call per vector (measured: 1.5x slower AdamW).
    struct Features {
        /// Add `(λ₁/n) sgn(w)` (L1 by subgradient).
        var subgradientL1: Bool
        /// Add `(λ₂/n) w`.
        var l2: Bool
        /// Soft-threshold after the step and count exact zeros.
        var proximal: Bool
        /// Sum `|w|` (any L1) for the penalty value.
        var absoluteSum: Bool {
            @inline(__always) get { subgradientL1 || proximal }
        }
        /// Sum `w²` (L2) for the penalty value.
        var squareSum: Bool {
            @inline(__always) get { l2 }
        }
    }

    /// Calls `body` with `c`'s features as literal constants, one inlined copy per combination.
    @inline(__always)
    static func specialized<R>(_ c: FusedCoefficients, _ body: (Features) -> R) -> R {
        switch (c.l1 != 0, c.l2 != 0, c.proximal) {
        case (false, false, false): return body(Features(subgradientL1: false, l2: false, proximal: false))
        case (false, true, false): return body(Features(subgradientL1: false, l2: true, proximal: false))
        case (true, false, false): return body(Features(subgradientL1: true, l2: false, proximal: false))
        case (true, true, false): return body(Features(subgradientL1: true, l2: true, proximal: false))
        case (false, false, true): return body(Features(subgradientL1: false, l2: false, proximal: true))
        case (false, true, true): return body(Features(subgradientL1: false, l2: true, proximal: true))
        case (true, false, true): return body(Features(subgradientL1: true, l2: false, proximal: true))
        case (true, true, true): return body(Features(subgradientL1: true, l2: true, proximal: true))
        }
    }

    /// The gradient with the penalty's: `g + (λ₂/n) w + (λ₁/n) sgn(w)`.
    @inline(__always)
    static func penalized(_ g: Vector, _ w: Vector, _ c: FusedCoefficients, _ f: Features) -> Vector {
        var result = g
        if f.l2 { result += c.l2 * w }
        if f.subgradientL1 { result += c.l1 * sign(w) }
        return result
    }

    @inline(__always)
    static func finish(_ w: Vector, _ c: FusedCoefficients, _ f: Features) -> Vector {
        f.proximal ? softThreshold(w, c.threshold) : w
    }

    /// `√x` lane by lane.
    ///
    /// Swift on Linux lowers `Float.squareRoot()` and `SIMD.squareRoot()` to scalar `sqrtf` calls
    /// that honour `errno`, so the loop would not vectorize. On x86-64 this uses the SSE
    /// instruction `sqrtps` (correctly rounded, part of baseline x86-64) on the two halves.
    /// Elsewhere it falls back to Newton's iteration: the reciprocal root `y ≈ 1/√x` from the
    /// exponent-halving bit trick, two steps `y ← y (3/2 - (x/2) y²)`, then `s = x y` and one
    /// correction `s ← s + (x - s²) y/2` (within 1 ulp for normal numbers in all but a few cases
    /// per million, at most 6 ulp; 0 for 0).
    @inline(__always)
    static func squareRoot(_ x: Vector) -> Vector {
        #if arch(x86_64)
        return Vector(lowHalf: _mm_sqrt_ps(x.lowHalf), highHalf: _mm_sqrt_ps(x.highHalf))
        #else
        return newtonSquareRoot(x)
        #endif
    }

    /// The portable Newton square root described at `squareRoot(_:)`.
    @inline(__always)
    static func newtonSquareRoot(_ x: Vector) -> Vector {
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        var y = unsafeBitCast(SIMD8<UInt32>(repeating: 0x5f37_5a86) &- (bits &>> 1), to: Vector.self)
        let half = 0.5 * x
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        let s = x * y
        return s + (x - s * s) * (0.5 * y)
    }

    /// Running per-lane sums of one block.
    struct Accumulator {
        var absoluteSum = Vector(repeating: 0)
        var squareSum = Vector(repeating: 0)
        var zeros = Counter(repeating: 0)

        @inline(__always)
        mutating func add(before w: Vector, after updated: Vector, _ f: Features) {
            if f.absoluteSum { absoluteSum += magnitude(w) }
            if f.squareSum { squareSum += w * w }
            if f.proximal { zeros &-= unsafeBitCast(updated .== 0, to: Counter.self) }
        }

        /// The block's statistics; `padding` zero lanes of a partial vector were counted as zeros.
        func statistics(padding: Int, _ f: Features) -> BlockStatistics {
            BlockStatistics(
                absoluteSum: Double(absoluteSum.sum()),
                squareSum: Double(squareSum.sum()),
                exactZeros: f.proximal ? Int(zeros.wrappedSum()) - padding : 0)
        }
    }

    // MARK: Kernels

    /// SGD without momentum: `w' = prox((1-d) w - η_t (g + (λ₂/n) w + (λ₁/n) sgn w))`, written
    /// to `output` (the gradient buffer itself: each element of `g` is read before it is
    /// overwritten), while checking `g` for inf/NaN in the same pass (`nonFinite`). The weights
    /// are never written here, so a refused step loses nothing but the (consumed) gradient.
    /// Reads `w`, `g`; writes `g` (12 bytes per element).
    static func sgd(
        weights w: UnsafePointer<Float>, gradient g: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        range: Range<Int>, _ c: FusedCoefficients, path: KernelPath = .preferred
    ) -> BlockStatistics {
        if path != .vector { return OptimizerKernels.sgd(path, weights: w, gradient: g, output: output, range: range, c) }
        return specialized(c) { f in
            var accumulator = Accumulator()
            var probe = Vector(repeating: 0)
            @inline(__always) func lane(_ w0: Vector, _ g0: Vector) -> Vector {
                finish(c.keep * w0 - c.stepSize * penalized(g0, w0, c, f), c, f)
            }
            var i = range.lowerBound
            while i &+ width <= range.upperBound {
                let w0 = ActivationMath.load(w + i)
                let g0 = ActivationMath.load(g + i)
                probe += g0 * 0
                let w1 = lane(w0, g0)
                accumulator.add(before: w0, after: w1, f)
                ActivationMath.store(w1, output + i)
                i &+= width
            }
            let rest = range.upperBound &- i
            if rest > 0 {
                let w0 = ActivationMath.loadPartial(w + i, count: rest)
                let g0 = ActivationMath.loadPartial(g + i, count: rest)
                probe += g0 * 0
                let w1 = lane(w0, g0)
                accumulator.add(before: w0, after: w1, f)
                ActivationMath.storePartial(w1, output + i, count: rest)
            }
            var statistics = accumulator.statistics(padding: rest > 0 ? width - rest : 0, f)
            statistics.nonFinite = probe != Vector(repeating: 0)
            return statistics
        }
    }

    /// SGD with momentum (PyTorch's convention): `ĝ = g + (λ₂/n) w + (λ₁/n) sgn w`,
    /// `buf' = μ buf + (1-τ) ĝ` (`buf' = ĝ` on the first step), `d = buf'` or, with Nesterov,
    /// `d = ĝ + μ buf'`; `w' = prox((1-d) w - η_t d)`, written to `weightsOutput` and
    /// `bufferOutput` (which may be `w` and `buf` themselves: each element is read before it is
    /// written), while checking `g` for inf/NaN in the same pass (`nonFinite`). The optimizer
    /// writes `w'` into the gradient buffer and `buf'` into a second buffer and exchanges them
    /// when the step is taken, so a refused step changes neither the weights nor the momentum.
    /// Reads `w`, `g`, `buf`; writes `w'`, `buf'` (20 bytes per element). `streamingBuffer` lets
    /// the C kernels write `buf'`, which is not read again in the pass, with non-temporal stores
    /// (the Swift loop ignores it; the bits are the same).
    static func sgdMomentum(
        weights w: UnsafePointer<Float>, gradient g: UnsafePointer<Float>, buffer b: UnsafePointer<Float>,
        weightsOutput: UnsafeMutablePointer<Float>, bufferOutput: UnsafeMutablePointer<Float>,
        streamingBuffer: Bool = false, range: Range<Int>, _ c: FusedCoefficients, path: KernelPath = .preferred
    ) -> BlockStatistics {
        if path != .vector {
            return OptimizerKernels.sgdMomentum(path, weights: w, gradient: g, buffer: b, weightsOutput: weightsOutput,
                                                bufferOutput: bufferOutput, streamingBuffer: streamingBuffer, range: range, c)
        }
        return specialized(c) { f in
            var accumulator = Accumulator()
            var probe = Vector(repeating: 0)
            @inline(__always) func lane(_ w0: Vector, _ g0: Vector, _ b0: Vector) -> (Vector, Vector) {
                let gradient = penalized(g0, w0, c, f)
                let b1 = c.bufferDecay * b0 + c.gradientWeight * gradient
                let direction = c.nesterovGradient * gradient + c.nesterovBuffer * b1
                return (finish(c.keep * w0 - c.stepSize * direction, c, f), b1)
            }
            var i = range.lowerBound
            while i &+ width <= range.upperBound {
                let w0 = ActivationMath.load(w + i)
                let g0 = ActivationMath.load(g + i)
                probe += g0 * 0
                let (w1, b1) = lane(w0, g0, ActivationMath.load(b + i))
                accumulator.add(before: w0, after: w1, f)
                ActivationMath.store(w1, weightsOutput + i)
                ActivationMath.store(b1, bufferOutput + i)
                i &+= width
            }
            let rest = range.upperBound &- i
            if rest > 0 {
                let w0 = ActivationMath.loadPartial(w + i, count: rest)
                let g0 = ActivationMath.loadPartial(g + i, count: rest)
                probe += g0 * 0
                let (w1, b1) = lane(w0, g0, ActivationMath.loadPartial(b + i, count: rest))
                accumulator.add(before: w0, after: w1, f)
                ActivationMath.storePartial(w1, weightsOutput + i, count: rest)
                ActivationMath.storePartial(b1, bufferOutput + i, count: rest)
            }
            var statistics = accumulator.statistics(padding: rest > 0 ? width - rest : 0, f)
            statistics.nonFinite = probe != Vector(repeating: 0)
            return statistics
        }
    }

    /// Adam/AdamW: `ĝ = g + (λ₂/n) w + (λ₁/n) sgn w`, `m' = β₁ m + (1-β₁) ĝ`,
    /// `v' = β₂ v + (1-β₂) ĝ²`, `w' = prox((1-d) w - (η_t/(1-β₁ᵗ)) m' / (√v'/√(1-β₂ᵗ) + ε))`,
    /// written to `weightsOutput`, `firstMomentOutput` and `secondMomentOutput` (which may be
    /// `w`, `m` and `v` themselves: each element is read before it is written), while checking
    /// `g` for inf/NaN in the same pass (`nonFinite`). The optimizer writes `w'` into the gradient
    /// buffer and `m'`, `v'` into two spare buffers and exchanges them when the step is taken, so
    /// a refused step changes neither the weights nor the moments. Reads `w`, `g`, `m`, `v`;
    /// writes `w'`, `m'`, `v'` (28 bytes per element). `streamingMoments` lets the C kernels
    /// write `m'` and `v'`, which are not read again in the pass, with non-temporal stores (the
    /// Swift loop ignores it; the bits are the same).
    static func adam(
        weights w: UnsafePointer<Float>, gradient g: UnsafePointer<Float>,
        firstMoment m: UnsafePointer<Float>, secondMoment v: UnsafePointer<Float>,
        weightsOutput: UnsafeMutablePointer<Float>, firstMomentOutput: UnsafeMutablePointer<Float>,
        secondMomentOutput: UnsafeMutablePointer<Float>, streamingMoments: Bool = false,
        range: Range<Int>, _ c: FusedCoefficients, path: KernelPath = .preferred
    ) -> BlockStatistics {
        if path != .vector {
            return OptimizerKernels.adam(
                path, weights: w, gradient: g, firstMoment: m, secondMoment: v, weightsOutput: weightsOutput,
                firstMomentOutput: firstMomentOutput, secondMomentOutput: secondMomentOutput,
                streamingMoments: streamingMoments, range: range, c)
        }
        return specialized(c) { f in
            var accumulator = Accumulator()
            var probe = Vector(repeating: 0)
            @inline(__always) func lane(_ w0: Vector, _ g0: Vector, _ m0: Vector, _ v0: Vector) -> (Vector, Vector, Vector) {
                let gradient = penalized(g0, w0, c, f)
                let m1 = c.beta1 * m0 + c.oneMinusBeta1 * gradient
                let v1 = c.beta2 * v0 + c.oneMinusBeta2 * (gradient * gradient)
                let denominator = squareRoot(v1) * c.inverseRootCorrection2 + c.epsilon
                return (finish(c.keep * w0 - c.stepSize * (m1 / denominator), c, f), m1, v1)
            }
            var i = range.lowerBound
            while i &+ width <= range.upperBound {
                let w0 = ActivationMath.load(w + i)
                let g0 = ActivationMath.load(g + i)
                probe += g0 * 0
                let (w1, m1, v1) = lane(w0, g0, ActivationMath.load(m + i), ActivationMath.load(v + i))
                accumulator.add(before: w0, after: w1, f)
                ActivationMath.store(w1, weightsOutput + i)
                ActivationMath.store(m1, firstMomentOutput + i)
                ActivationMath.store(v1, secondMomentOutput + i)
                i &+= width
            }
            let rest = range.upperBound &- i
            if rest > 0 {
                let w0 = ActivationMath.loadPartial(w + i, count: rest)
                let g0 = ActivationMath.loadPartial(g + i, count: rest)
                probe += g0 * 0
                let (w1, m1, v1) = lane(w0, g0, ActivationMath.loadPartial(m + i, count: rest), ActivationMath.loadPartial(v + i, count: rest))
                accumulator.add(before: w0, after: w1, f)
                ActivationMath.storePartial(w1, weightsOutput + i, count: rest)
                ActivationMath.storePartial(m1, firstMomentOutput + i, count: rest)
                ActivationMath.storePartial(v1, secondMomentOutput + i, count: rest)
            }
            var statistics = accumulator.statistics(padding: rest > 0 ? width - rest : 0, f)
            statistics.nonFinite = probe != Vector(repeating: 0)
            return statistics
        }
    }
}
