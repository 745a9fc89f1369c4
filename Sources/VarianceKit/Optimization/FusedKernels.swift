/// Sums gathered over one block by a fused step: `Σ|w|` and `Σw²` of the weights before the
/// step (for the penalty value) and the exact zeros after it (for the sparsity).
struct BlockStatistics: Sendable {
    var absoluteSum: Double = 0
    var squareSum: Double = 0
    var exactZeros: Int = 0
    /// Set by the plain-SGD kernel when the block's gradient holds inf or NaN (nothing was written).
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
enum FusedKernels {
    typealias Vector = SIMD8<Float>
    typealias Counter = SIMD8<Int32>
    static let width = 8

    // MARK: Lanes

    @inline(__always)
    static func sign(_ x: Vector) -> Vector {
        Vector(repeating: 0).replacing(with: 1, where: x .> 0).replacing(with: -1, where: x .< 0)
    }

    /// `sign(x) max(|x| - t, 0)`, giving `+0` for `|x| <= t`.
    @inline(__always)
    static func softThreshold(_ x: Vector, _ t: Float) -> Vector {
        Vector(repeating: 0).replacing(with: x - t, where: x .> t).replacing(with: x + t, where: x .< -t)
    }

    /// The gradient with the penalty's: `g + (λ₂/n) w + (λ₁/n) sgn(w)`.
    @inline(__always)
    static func penalized(_ g: Vector, _ w: Vector, _ c: FusedCoefficients) -> Vector {
        g + c.l2 * w + c.l1 * sign(w)
    }

    @inline(__always)
    static func finish(_ w: Vector, _ c: FusedCoefficients) -> Vector {
        c.proximal ? softThreshold(w, c.threshold) : w
    }

    /// `√x` lane by lane, to within 1 ulp for normal numbers (0 for 0).
    ///
    /// Swift on Linux has no vector square root: `SIMD.squareRoot()` becomes eight scalar calls
    /// that honour `errno`. This is Newton's iteration instead: the reciprocal root `y ≈ 1/√x`
    /// from the exponent-halving bit trick, three steps `y ← y (3/2 - (x/2) y²)`, then
    /// `s = x y` and one correction `s ← s + (x - s²) y/2`. Subnormal `x` (below 1.2e-38) get a
    /// coarser root; Adam adds `ε` to it, so that cannot matter there.
    @inline(__always)
    static func squareRoot(_ x: Vector) -> Vector {
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        var y = unsafeBitCast(SIMD8<UInt32>(repeating: 0x5f37_5a86) &- (bits &>> 1), to: Vector.self)
        let half = 0.5 * x
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        let s = x * y
        return s + (x - s * s) * (0.5 * y)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ i: Int) -> Vector {
        UnsafeRawPointer(p + i).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: Vector.self)
    }

    /// Loads `n < 8` elements into the low lanes, zeros elsewhere.
    @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Float>, _ i: Int, _ n: Int) -> Vector {
        var v = Vector(repeating: 0)
        for lane in 0..<n { v[lane] = p[i + lane] }
        return v
    }

    @inline(__always)
    static func storePartial(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ i: Int, _ n: Int) {
        for lane in 0..<n { p[i + lane] = v[lane] }
    }

    /// Running per-lane sums of one block.
    struct Accumulator {
        var absoluteSum = Vector(repeating: 0)
        var squareSum = Vector(repeating: 0)
        var zeros = Counter(repeating: 0)

        @inline(__always)
        mutating func add(before w: Vector, after updated: Vector) {
            absoluteSum += w.replacing(with: -w, where: w .< 0)
            squareSum += w * w
            zeros = zeros.replacing(with: zeros &+ 1, where: updated .== 0)
        }

        /// The block's statistics; `padding` zero lanes of a partial vector were counted as zeros.
        func statistics(padding: Int) -> BlockStatistics {
            BlockStatistics(
                absoluteSum: Double(absoluteSum.sum()),
                squareSum: Double(squareSum.sum()),
                exactZeros: Int(zeros.wrappedSum()) - padding)
        }
    }

    // MARK: Kernels

    /// SGD without momentum: `w' = prox((1-d) w - η_t (g + (λ₂/n) w + (λ₁/n) sgn w))`, written
    /// to `output` (the gradient buffer itself: each element of `g` is read before it is
    /// overwritten). The block's gradient is checked first (it is then in L1 cache); if it holds
    /// inf or NaN nothing is written and `nonFinite` is set. Reads `w`, `g`; writes `g`
    /// (12 bytes per element).
    static func sgd(
        weights w: UnsafePointer<Float>, gradient g: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        range: Range<Int>, _ c: FusedCoefficients
    ) -> BlockStatistics {
        guard isFinite(g, range) else { return BlockStatistics(nonFinite: true) }
        var accumulator = Accumulator()
        @inline(__always) func lane(_ w0: Vector, _ g0: Vector) -> Vector {
            finish(c.keep * w0 - c.stepSize * penalized(g0, w0, c), c)
        }
        var i = range.lowerBound
        while i &+ width <= range.upperBound {
            let w0 = load(w, i)
            let w1 = lane(w0, load(g, i))
            accumulator.add(before: w0, after: w1)
            store(w1, output, i)
            i &+= width
        }
        let rest = range.upperBound &- i
        if rest > 0 {
            let w0 = loadPartial(w, i, rest)
            let w1 = lane(w0, loadPartial(g, i, rest))
            accumulator.add(before: w0, after: w1)
            storePartial(w1, output, i, rest)
        }
        return accumulator.statistics(padding: rest > 0 ? width - rest : 0)
    }

    /// SGD with momentum (PyTorch's convention): `ĝ = g + (λ₂/n) w + (λ₁/n) sgn w`,
    /// `buf ← μ buf + (1-τ) ĝ` (`buf ← ĝ` on the first step), `d = buf` or, with Nesterov,
    /// `d = ĝ + μ buf`; `w ← prox((1-d) w - η_t d)`. Reads `w`, `g`, `buf`; writes `w`, `buf`
    /// (20 bytes per element).
    static func sgdMomentum(
        weights w: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
        buffer b: UnsafeMutablePointer<Float>, range: Range<Int>, _ c: FusedCoefficients
    ) -> BlockStatistics {
        var accumulator = Accumulator()
        @inline(__always) func lane(_ w0: Vector, _ g0: Vector, _ b0: Vector) -> (Vector, Vector) {
            let gradient = penalized(g0, w0, c)
            let b1 = c.bufferDecay * b0 + c.gradientWeight * gradient
            let direction = c.nesterovGradient * gradient + c.nesterovBuffer * b1
            return (finish(c.keep * w0 - c.stepSize * direction, c), b1)
        }
        var i = range.lowerBound
        while i &+ width <= range.upperBound {
            let w0 = load(w, i)
            let (w1, b1) = lane(w0, load(g, i), load(b, i))
            accumulator.add(before: w0, after: w1)
            store(w1, w, i)
            store(b1, b, i)
            i &+= width
        }
        let rest = range.upperBound &- i
        if rest > 0 {
            let w0 = loadPartial(w, i, rest)
            let (w1, b1) = lane(w0, loadPartial(g, i, rest), loadPartial(b, i, rest))
            accumulator.add(before: w0, after: w1)
            storePartial(w1, w, i, rest)
            storePartial(b1, b, i, rest)
        }
        return accumulator.statistics(padding: rest > 0 ? width - rest : 0)
    }

    /// Adam/AdamW: `ĝ = g + (λ₂/n) w + (λ₁/n) sgn w`, `m ← β₁ m + (1-β₁) ĝ`,
    /// `v ← β₂ v + (1-β₂) ĝ²`, `w ← prox((1-d) w - (η_t/(1-β₁ᵗ)) m / (√v/√(1-β₂ᵗ) + ε))`.
    /// Reads `w`, `g`, `m`, `v`; writes `w`, `m`, `v` (28 bytes per element).
    static func adam(
        weights w: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
        firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
        range: Range<Int>, _ c: FusedCoefficients
    ) -> BlockStatistics {
        var accumulator = Accumulator()
        @inline(__always) func lane(_ w0: Vector, _ g0: Vector, _ m0: Vector, _ v0: Vector) -> (Vector, Vector, Vector) {
            let gradient = penalized(g0, w0, c)
            let m1 = c.beta1 * m0 + c.oneMinusBeta1 * gradient
            let v1 = c.beta2 * v0 + c.oneMinusBeta2 * (gradient * gradient)
            let denominator = squareRoot(v1) * c.inverseRootCorrection2 + c.epsilon
            return (finish(c.keep * w0 - c.stepSize * (m1 / denominator), c), m1, v1)
        }
        var i = range.lowerBound
        while i &+ width <= range.upperBound {
            let w0 = load(w, i)
            let (w1, m1, v1) = lane(w0, load(g, i), load(m, i), load(v, i))
            accumulator.add(before: w0, after: w1)
            store(w1, w, i)
            store(m1, m, i)
            store(v1, v, i)
            i &+= width
        }
        let rest = range.upperBound &- i
        if rest > 0 {
            let w0 = loadPartial(w, i, rest)
            let (w1, m1, v1) = lane(w0, loadPartial(g, i, rest), loadPartial(m, i, rest), loadPartial(v, i, rest))
            accumulator.add(before: w0, after: w1)
            storePartial(w1, w, i, rest)
            storePartial(m1, m, i, rest)
            storePartial(v1, v, i, rest)
        }
        return accumulator.statistics(padding: rest > 0 ? width - rest : 0)
    }

    /// The index of the first inf or NaN in `values`, if any (error reports only).
    static func firstNonFinite(_ values: UnsafeBufferPointer<Float>) -> Int? {
        values.firstIndex { !$0.isFinite }
    }

    /// `true` when `values[range]` holds no inf and no NaN (`x·0` is NaN exactly for those).
    static func isFinite(_ values: UnsafePointer<Float>, _ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        while i < range.upperBound {
            let end = min(i &+ ParallelBlocks.blockSize, range.upperBound)
            var probe = Vector(repeating: 0)
            while i &+ width <= end {
                probe += load(values, i) * 0
                i &+= width
            }
            while i < end {
                probe[0] += values[i] * 0
                i &+= 1
            }
            if probe != Vector(repeating: 0) { return false }
        }
        return true
    }
}
