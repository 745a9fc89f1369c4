// The fused, vectorized passes of a Dense layer around its sgemm calls:
// forward  Z += b (broadcast over rows), A = φ(Z)                 (one pass over Z and A)
// backward dZ = dA ⊙ φ'(Z, A) in place, db (+)= column sums of dZ  (one pass over Z, A, dA)
// The kernels below are the Swift path (`KernelPath.vector`) and the reference the C kernels of
// `ElementwiseKernels` (AVX2, AVX-512) follow operation by operation.

/// One activation's value and derivative on a vector of lanes. The derivative receives both the
/// pre-activation `z` and the activation `a = φ(z)`, and uses whichever is cheaper.
protocol VectorActivation {
    func value(_ z: ActivationMath.Vector) -> ActivationMath.Vector
    func derivative(_ z: ActivationMath.Vector, _ a: ActivationMath.Vector) -> ActivationMath.Vector
}

struct LinearKernel: VectorActivation {
    @inline(__always) func value(_ z: ActivationMath.Vector) -> ActivationMath.Vector { z }
    @inline(__always) func derivative(_ z: ActivationMath.Vector, _ a: ActivationMath.Vector) -> ActivationMath.Vector {
        ActivationMath.Vector(repeating: 1)
    }
}

struct TanhKernel: VectorActivation {
    @inline(__always) func value(_ z: ActivationMath.Vector) -> ActivationMath.Vector { ActivationMath.tanh(z) }
    @inline(__always) func derivative(_ z: ActivationMath.Vector, _ a: ActivationMath.Vector) -> ActivationMath.Vector { 1 - a * a }
}

struct SigmoidKernel: VectorActivation {
    @inline(__always) func value(_ z: ActivationMath.Vector) -> ActivationMath.Vector { ActivationMath.sigmoid(z) }
    @inline(__always) func derivative(_ z: ActivationMath.Vector, _ a: ActivationMath.Vector) -> ActivationMath.Vector { a * (1 - a) }
}

/// ReLU: `max(z, 0)`, keeping NaN, with `-inf` giving 0.
struct ReLUKernel: VectorActivation {
    @inline(__always) func value(_ z: ActivationMath.Vector) -> ActivationMath.Vector { z.replacing(with: 0, where: z .< 0) }
    @inline(__always) func derivative(_ z: ActivationMath.Vector, _ a: ActivationMath.Vector) -> ActivationMath.Vector {
        ActivationMath.Vector.zero.replacing(with: 1, where: z .> 0)
    }
}

/// Leaky ReLU with `slope > 0` (a zero slope uses `ReLUKernel`, so that `0 · -inf` never happens).
struct LeakyReLUKernel: VectorActivation {
    var slope: Float
    @inline(__always) func value(_ z: ActivationMath.Vector) -> ActivationMath.Vector {
        // `slope * z` keeps NaN; the select only touches lanes where z > 0 is true.
        (slope * z).replacing(with: z, where: z .> 0)
    }
    @inline(__always) func derivative(_ z: ActivationMath.Vector, _ a: ActivationMath.Vector) -> ActivationMath.Vector {
        ActivationMath.Vector(repeating: slope).replacing(with: 1, where: z .> 0)
    }
}

struct SoftsignKernel: VectorActivation {
    @inline(__always) func value(_ z: ActivationMath.Vector) -> ActivationMath.Vector {
        // ±inf / inf would be NaN; the limits are ±1.
        (z / (1 + ActivationMath.magnitude(z)))
            .replacing(with: 1, where: z .== .infinity)
            .replacing(with: -1, where: z .== -.infinity)
    }
    @inline(__always) func derivative(_ z: ActivationMath.Vector, _ a: ActivationMath.Vector) -> ActivationMath.Vector {
        let denominator = 1 + ActivationMath.magnitude(z)
        return 1 / (denominator * denominator)
    }
}

/// ELU with coefficient `alpha`, times `scale` (SELU is `scale = λ`, `alpha = α`).
struct ScaledELUKernel: VectorActivation {
    var alpha: Float
    var scale: Float
    @inline(__always) func value(_ z: ActivationMath.Vector) -> ActivationMath.Vector {
        let negative = (scale * alpha) * ActivationMath.expm1(z)
        return negative.replacing(with: scale * z, where: z .> 0)
    }
    @inline(__always) func derivative(_ z: ActivationMath.Vector, _ a: ActivationMath.Vector) -> ActivationMath.Vector {
        // For z <= 0: a = scale·alpha·(e^z - 1), so scale·alpha·e^z = a + scale·alpha.
        (a + scale * alpha).replacing(with: scale, where: z .> 0)
    }
}

/// GELU; at `z = ±inf` the products `z Φ(z)`, `z φ(z)` are replaced by their limits.
struct GELUKernel: VectorActivation {
    @inline(__always) func value(_ z: ActivationMath.Vector) -> ActivationMath.Vector {
        (z * ActivationMath.normalCDF(z)).replacing(with: 0, where: z .== -.infinity)
    }
    @inline(__always) func derivative(_ z: ActivationMath.Vector, _ a: ActivationMath.Vector) -> ActivationMath.Vector {
        limitsAtInfinity(ActivationMath.normalCDF(z) + z * ActivationMath.normalDensity(z), z)
    }
}

/// `derivative` with 0 at `z = -inf` and 1 at `z = +inf` (GELU and SiLU).
@inline(__always)
func limitsAtInfinity(_ derivative: ActivationMath.Vector, _ z: ActivationMath.Vector) -> ActivationMath.Vector {
    derivative.replacing(with: 0, where: z .== -.infinity).replacing(with: 1, where: z .== .infinity)
}

struct SiLUKernel: VectorActivation {
    @inline(__always) func value(_ z: ActivationMath.Vector) -> ActivationMath.Vector {
        (z * ActivationMath.sigmoid(z)).replacing(with: 0, where: z .== -.infinity)
    }
    @inline(__always) func derivative(_ z: ActivationMath.Vector, _ a: ActivationMath.Vector) -> ActivationMath.Vector {
        let s = ActivationMath.sigmoid(z)
        return limitsAtInfinity(s + a * (1 - s), z)
    }
}

// MARK: - Dispatch

extension Activation {
    /// Passes over fewer elements than this stay on the calling thread.
    static let parallelElementThreshold = 1 << 16

    /// Forward pass of a layer over `rows x columns` row-major buffers: `z[r, c] += bias[c]` when a
    /// bias is given, then `a[r, c] = φ(z[r, c])`. `z` and `a` may be the same buffer only for
    /// `linear`-like use; they must not overlap otherwise. With `threads > 1` and at least
    /// `parallelElementThreshold` elements, the columns are split into that many ranges (at
    /// multiples of the lane count), the shares of a `ParallelRuntime` run (no allocation); every
    /// element is computed the same way whatever the split. `path` chooses the kernels (see
    /// `KernelPath`: every path gives the same bits).
    func forward(
        preActivation z: UnsafeMutablePointer<Float>, activation a: UnsafeMutablePointer<Float>,
        bias: UnsafePointer<Float>?, rows: Int, columns: Int, threads: Int = 1, path: KernelPath = .preferred
    ) {
        let workers = Activation.workerCount(rows: rows, columns: columns, threads: threads)
        if workers == 1 {
            forwardColumns(z, a, bias, rows, columns, stride: columns, path: path)
            return
        }
        ParallelRuntime.shared.run(workers: workers, ForwardPassJob(
            activation: self, z: z, a: a, bias: bias, rows: rows, columns: columns, path: path))
    }

    /// Backward pass of a layer: `gradient` holds `dL/dA` on entry and `dL/dZ = dL/dA ⊙ φ'(Z)` on
    /// exit; when `biasGradient` is given, the column sums of `dL/dZ` are added to it
    /// (`accumulate`) or written over it. Split over threads like `forward`: each share owns
    /// whole columns, so each column sum is added in row order whatever the split (and whatever
    /// the `path`).
    func backward(
        preActivation z: UnsafePointer<Float>, activation a: UnsafePointer<Float>,
        gradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?,
        accumulate: Bool, rows: Int, columns: Int, threads: Int = 1, path: KernelPath = .preferred
    ) {
        if let biasGradient, !accumulate { biasGradient.update(repeating: 0, count: columns) }
        let workers = Activation.workerCount(rows: rows, columns: columns, threads: threads)
        if workers == 1 {
            backwardColumns(z, a, gradient, biasGradient, rows, columns, stride: columns, path: path)
            return
        }
        ParallelRuntime.shared.run(workers: workers, BackwardPassJob(
            activation: self, z: z, a: a, gradient: gradient, biasGradient: biasGradient,
            rows: rows, columns: columns, path: path))
    }

    /// How many threads share a `rows x columns` pass: one below `parallelElementThreshold`
    /// elements, otherwise up to `threads` (and `ParallelRuntime.maximumWorkers`), at most one per
    /// eight-lane column group.
    static func workerCount(rows: Int, columns: Int, threads: Int) -> Int {
        guard threads > 1, rows * columns >= parallelElementThreshold else { return 1 }
        return max(1, min(threads, ParallelRuntime.maximumWorkers, columns / ActivationMath.lanes))
    }

    /// Worker `worker`'s columns out of `workers`: boundaries at multiples of the lane count, the
    /// last range ending at `columns`.
    static func columnRange(_ worker: Int, of workers: Int, columns: Int) -> Range<Int> {
        let groups = columns / ActivationMath.lanes
        let start = groups * worker / workers * ActivationMath.lanes
        let end = worker == workers - 1 ? columns : groups * (worker + 1) / workers * ActivationMath.lanes
        return start..<end
    }

    /// `forward` on `columns` columns of `rows` rows that start `stride` elements apart.
    func forwardColumns(
        _ z: UnsafeMutablePointer<Float>, _ a: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>?,
        _ rows: Int, _ columns: Int, stride: Int, path: KernelPath = .preferred
    ) {
        if path != .vector {
            ElementwiseKernels.forward(path, self, z, a, bias, rows, columns, stride: stride)
            return
        }
        switch self {
        case .linear: Activation.forwardRows(LinearKernel(), z, a, bias, rows, columns, stride)
        case .tanh: Activation.forwardRows(TanhKernel(), z, a, bias, rows, columns, stride)
        case .sigmoid: Activation.forwardRows(SigmoidKernel(), z, a, bias, rows, columns, stride)
        case .relu, .leakyReLU(slope: 0): Activation.forwardRows(ReLUKernel(), z, a, bias, rows, columns, stride)
        case .leakyReLU(let slope): Activation.forwardRows(LeakyReLUKernel(slope: slope), z, a, bias, rows, columns, stride)
        case .softsign: Activation.forwardRows(SoftsignKernel(), z, a, bias, rows, columns, stride)
        case .selu:
            Activation.forwardRows(ScaledELUKernel(alpha: Activation.seluAlpha, scale: Activation.seluScale),
                                   z, a, bias, rows, columns, stride)
        case .elu(let alpha): Activation.forwardRows(ScaledELUKernel(alpha: alpha, scale: 1), z, a, bias, rows, columns, stride)
        case .gelu: Activation.forwardRows(GELUKernel(), z, a, bias, rows, columns, stride)
        case .silu: Activation.forwardRows(SiLUKernel(), z, a, bias, rows, columns, stride)
        }
    }

    /// `backward` on `columns` columns of `rows` rows that start `stride` elements apart.
    func backwardColumns(
        _ z: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ gradient: UnsafeMutablePointer<Float>,
        _ biasGradient: UnsafeMutablePointer<Float>?, _ rows: Int, _ columns: Int, stride: Int,
        path: KernelPath = .preferred
    ) {
        if path != .vector {
            ElementwiseKernels.backward(path, self, z, a, gradient, biasGradient, rows, columns, stride: stride)
            return
        }
        switch self {
        case .linear:
            Activation.backwardRows(LinearKernel(), z, a, gradient, biasGradient, rows, columns, stride, multiply: false)
        case .tanh: Activation.backwardRows(TanhKernel(), z, a, gradient, biasGradient, rows, columns, stride)
        case .sigmoid: Activation.backwardRows(SigmoidKernel(), z, a, gradient, biasGradient, rows, columns, stride)
        case .relu, .leakyReLU(slope: 0): Activation.backwardRows(ReLUKernel(), z, a, gradient, biasGradient, rows, columns, stride)
        case .leakyReLU(let slope):
            Activation.backwardRows(LeakyReLUKernel(slope: slope), z, a, gradient, biasGradient, rows, columns, stride)
        case .softsign: Activation.backwardRows(SoftsignKernel(), z, a, gradient, biasGradient, rows, columns, stride)
        case .selu:
            Activation.backwardRows(ScaledELUKernel(alpha: Activation.seluAlpha, scale: Activation.seluScale),
                                    z, a, gradient, biasGradient, rows, columns, stride)
        case .elu(let alpha):
            Activation.backwardRows(ScaledELUKernel(alpha: alpha, scale: 1), z, a, gradient, biasGradient, rows, columns, stride)
        case .gelu: Activation.backwardRows(GELUKernel(), z, a, gradient, biasGradient, rows, columns, stride)
        case .silu: Activation.backwardRows(SiLUKernel(), z, a, gradient, biasGradient, rows, columns, stride)
        }
    }

    @inline(__always)
    static func forwardRows<K: VectorActivation>(
        _ kernel: K, _ z: UnsafeMutablePointer<Float>, _ a: UnsafeMutablePointer<Float>,
        _ bias: UnsafePointer<Float>?, _ rows: Int, _ columns: Int, _ stride: Int
    ) {
        let lanes = ActivationMath.lanes
        let fullColumns = columns - columns % lanes
        for row in 0..<rows {
            let zRow = z + row * stride
            let aRow = a + row * stride
            var column = 0
            if let bias {
                while column < fullColumns {
                    let value = ActivationMath.load(zRow + column) + ActivationMath.load(bias + column)
                    ActivationMath.store(value, zRow + column)
                    ActivationMath.store(kernel.value(value), aRow + column)
                    column += lanes
                }
            } else {
                while column < fullColumns {
                    ActivationMath.store(kernel.value(ActivationMath.load(zRow + column)), aRow + column)
                    column += lanes
                }
            }
            if column < columns {
                let remaining = columns - column
                var value = ActivationMath.loadPartial(zRow + column, count: remaining)
                if let bias { value += ActivationMath.loadPartial(bias + column, count: remaining) }
                ActivationMath.storePartial(value, zRow + column, count: remaining)
                ActivationMath.storePartial(kernel.value(value), aRow + column, count: remaining)
            }
        }
    }

    @inline(__always)
    static func backwardRows<K: VectorActivation>(
        _ kernel: K, _ z: UnsafePointer<Float>, _ a: UnsafePointer<Float>,
        _ gradient: UnsafeMutablePointer<Float>, _ biasGradient: UnsafeMutablePointer<Float>?,
        _ rows: Int, _ columns: Int, _ stride: Int, multiply: Bool = true
    ) {
        if !multiply && biasGradient == nil { return }
        let lanes = ActivationMath.lanes
        let fullColumns = columns - columns % lanes
        for row in 0..<rows {
            let offset = row * stride
            var column = 0
            while column < fullColumns {
                let index = offset + column
                var delta = ActivationMath.load(gradient + index)
                if multiply {
                    delta *= kernel.derivative(ActivationMath.load(z + index), ActivationMath.load(a + index))
                    ActivationMath.store(delta, gradient + index)
                }
                if let biasGradient {
                    ActivationMath.store(ActivationMath.load(biasGradient + column) + delta, biasGradient + column)
                }
                column += lanes
            }
            if column < columns {
                let remaining = columns - column
                let index = offset + column
                var delta = ActivationMath.loadPartial(gradient + index, count: remaining)
                if multiply {
                    delta *= kernel.derivative(ActivationMath.loadPartial(z + index, count: remaining),
                                               ActivationMath.loadPartial(a + index, count: remaining))
                    ActivationMath.storePartial(delta, gradient + index, count: remaining)
                }
                if let biasGradient {
                    let sum = ActivationMath.loadPartial(biasGradient + column, count: remaining) + delta
                    ActivationMath.storePartial(sum, biasGradient + column, count: remaining)
                }
            }
        }
    }
}

/// `Activation.forward` split by columns (see `ParallelRuntime`).
struct ForwardPassJob: ParallelJob {
    let activation: Activation
    let z: UnsafeMutablePointer<Float>
    let a: UnsafeMutablePointer<Float>
    let bias: UnsafePointer<Float>?
    let rows: Int
    let columns: Int
    let path: KernelPath

    static let entry: ParallelJobEntry = { pointer, worker, workers in
        let job = pointer.assumingMemoryBound(to: ForwardPassJob.self).pointee
        let range = Activation.columnRange(worker, of: workers, columns: job.columns)
        let start = range.lowerBound
        job.activation.forwardColumns(job.z + start, job.a + start, job.bias.map { $0 + start },
                                      job.rows, range.count, stride: job.columns, path: job.path)
    }
}

/// `Activation.backward` split by columns (see `ParallelRuntime`).
struct BackwardPassJob: ParallelJob {
    let activation: Activation
    let z: UnsafePointer<Float>
    let a: UnsafePointer<Float>
    let gradient: UnsafeMutablePointer<Float>
    let biasGradient: UnsafeMutablePointer<Float>?
    let rows: Int
    let columns: Int
    let path: KernelPath

    static let entry: ParallelJobEntry = { pointer, worker, workers in
        let job = pointer.assumingMemoryBound(to: BackwardPassJob.self).pointee
        let range = Activation.columnRange(worker, of: workers, columns: job.columns)
        let start = range.lowerBound
        job.activation.backwardColumns(job.z + start, job.a + start, job.gradient + start,
                                       job.biasGradient.map { $0 + start }, job.rows, range.count,
                                       stride: job.columns, path: job.path)
    }
}

// MARK: - Scalar entry points

extension Activation {
    /// `φ(z)` for one value, computed by the same vector kernel the network uses.
    public func value(_ z: Float) -> Float {
        var input = z
        var output: Float = 0
        forward(preActivation: &input, activation: &output, bias: nil, rows: 1, columns: 1)
        return output
    }

    /// `φ'(z)` for one value, computed by the same vector kernel the network uses.
    public func derivative(_ z: Float) -> Float {
        var input = z
        var output: Float = 0
        forward(preActivation: &input, activation: &output, bias: nil, rows: 1, columns: 1)
        var gradient: Float = 1
        backward(preActivation: &input, activation: &output, gradient: &gradient, biasGradient: nil,
                 accumulate: false, rows: 1, columns: 1)
        return gradient
    }

    /// `φ` applied to every element of `matrix`, as a new matrix.
    public func apply(to matrix: Matrix) -> Matrix {
        var input = matrix
        var output = Matrix(validatedRows: matrix.rows, columns: matrix.columns)
        let (rows, columns) = (matrix.rows, matrix.columns)
        input.withUnsafeMutableBufferPointer { z in
            output.withUnsafeMutableBufferPointer { a in
                forward(preActivation: z.baseAddress!, activation: a.baseAddress!, bias: nil, rows: rows, columns: columns)
            }
        }
        return output
    }
}
