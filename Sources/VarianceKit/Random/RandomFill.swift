/// Bulk random fills of `Float` buffers and matrices from Philox4x32-10.
///
/// Every fill is a fixed function of `(seed, stream)` and the element index: element `i` comes
/// from counter block `8 (i / 32) + i % 8`, word `(i % 32) / 8` (see `PhiloxLanes`), whatever the
/// thread count, so the result is bit-identical with 1, 2 or 64 threads and across runs.
/// `threads: nil` uses `ThreadPolicy.threadCount`. Work is split into contiguous ranges of
/// 32-element groups, the shares of a `ParallelRuntime` run, with at least 32 768 elements each
/// (a `threads` above `ParallelRuntime.maximumWorkers`, 256, runs on 256).
///
/// All fills validate their arguments first and throw `VarianceKitError.invalidParameter` (naming
/// the parameter, its value and the accepted range) before writing anything.
public enum RandomFill {
    static let minimumElementsPerThread = 1 << 15

    /// Uniform on `[low, high)`: `Var = (high - low)^2 / 12`. Draws have 24 random bits
    /// (`low + (high - low) k 2^-24`, `k` uniform on `0 ..< 2^24`).
    public static func uniform(
        _ buffer: UnsafeMutableBufferPointer<Float>, low: Float = 0, high: Float = 1,
        seed: UInt64, stream: UInt64 = 0, threads: Int? = nil
    ) throws {
        try validateUniform(low: low, high: high)
        let threadCount = try resolveThreads(threads)
        run(buffer, lanes: PhiloxLanes(seed: seed, stream: stream), threads: threadCount,
            transform: UniformTransform(low: low, high: high))
    }

    /// Normal `N(mean, standardDeviation^2)` by the Box-Muller transform (vectorized, no rejection).
    public static func normal(
        _ buffer: UnsafeMutableBufferPointer<Float>, mean: Float = 0, standardDeviation: Float = 1,
        seed: UInt64, stream: UInt64 = 0, threads: Int? = nil
    ) throws {
        try validateNormal(mean: mean, standardDeviation: standardDeviation)
        let threadCount = try resolveThreads(threads)
        run(buffer, lanes: PhiloxLanes(seed: seed, stream: stream), threads: threadCount,
            transform: NormalTransform(mean: mean, standardDeviation: standardDeviation))
    }

    /// The normal `N(mean, standardDeviation^2)` conditioned on lying in
    /// `[mean + lower * standardDeviation, mean + upper * standardDeviation]` (bounds in standard
    /// deviations), sampled exactly, never clamped: where the bounds hold at least 0.8 of the
    /// normal's mass (`Z = Phi(b) - Phi(a) >= 0.8`, e.g. `[-2, 2]`), by rejection of Box-Muller
    /// normals from four counter slots per element with inversion when all four are rejected
    /// (`TruncatedNormalRejection`); otherwise by inverting its CDF (`TruncatedNormalTransform`).
    /// Its variance is `standardDeviation^2 * (1 + (a phi(a) - b phi(b))/Z - ((phi(a) - phi(b))/Z)^2)`
    /// (`StandardNormal.truncatedMoments`); for `[-2, 2]` that is `0.7737 standardDeviation^2`.
    public static func truncatedNormal(
        _ buffer: UnsafeMutableBufferPointer<Float>, mean: Float = 0, standardDeviation: Float = 1,
        lower: Float = -2, upper: Float = 2,
        seed: UInt64, stream: UInt64 = 0, threads: Int? = nil
    ) throws {
        try validateTruncatedNormal(mean: mean, standardDeviation: standardDeviation, lower: lower, upper: upper)
        let threadCount = try resolveThreads(threads)
        let lanes = PhiloxLanes(seed: seed, stream: stream)
        if TruncatedNormalRejection.applies(lower: lower, upper: upper) {
            run(buffer, lanes: lanes, threads: threadCount,
                transform: TruncatedNormalRejection(mean: mean, standardDeviation: standardDeviation, lower: lower, upper: upper))
        } else {
            run(buffer, lanes: lanes, threads: threadCount,
                transform: TruncatedNormalTransform(mean: mean, standardDeviation: standardDeviation, lower: lower, upper: upper))
        }
    }

    // MARK: - Matrix overloads (row-major: element (r, c) is element r * columns + c of the fill)

    /// `uniform(_:low:high:seed:stream:threads:)` over the matrix's elements in row-major order.
    public static func uniform(
        _ matrix: inout Matrix, low: Float = 0, high: Float = 1,
        seed: UInt64, stream: UInt64 = 0, threads: Int? = nil
    ) throws {
        try fill(&matrix, threads: threads, validate: { try validateUniform(low: low, high: high) }) {
            try uniform($0, low: low, high: high, seed: seed, stream: stream, threads: threads)
        }
    }

    /// `normal(_:mean:standardDeviation:seed:stream:threads:)` over the matrix's elements.
    public static func normal(
        _ matrix: inout Matrix, mean: Float = 0, standardDeviation: Float = 1,
        seed: UInt64, stream: UInt64 = 0, threads: Int? = nil
    ) throws {
        try fill(&matrix, threads: threads, validate: { try validateNormal(mean: mean, standardDeviation: standardDeviation) }) {
            try normal($0, mean: mean, standardDeviation: standardDeviation, seed: seed, stream: stream, threads: threads)
        }
    }

    /// `truncatedNormal(_:mean:standardDeviation:lower:upper:seed:stream:threads:)` over the matrix's elements.
    public static func truncatedNormal(
        _ matrix: inout Matrix, mean: Float = 0, standardDeviation: Float = 1,
        lower: Float = -2, upper: Float = 2,
        seed: UInt64, stream: UInt64 = 0, threads: Int? = nil
    ) throws {
        try fill(&matrix, threads: threads, validate: {
            try validateTruncatedNormal(mean: mean, standardDeviation: standardDeviation, lower: lower, upper: upper)
        }) {
            try truncatedNormal($0, mean: mean, standardDeviation: standardDeviation,
                                lower: lower, upper: upper, seed: seed, stream: stream, threads: threads)
        }
    }

    /// Validates before touching the matrix (so a shared matrix is not copied for a fill that
    /// will be refused), then runs `body` on its elements.
    private static func fill(
        _ matrix: inout Matrix, threads: Int?, validate: () throws -> Void,
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> Void
    ) throws {
        try validate()
        _ = try resolveThreads(threads)
        try matrix.makeUniqueStorage()
        try matrix.withUnsafeMutableBufferPointer { buffer in try body(buffer) }
    }

    // MARK: - Validation

    static func resolveThreads(_ threads: Int?) throws -> Int {
        guard let threads else { return ThreadPolicy.threadCount }
        guard threads >= 1, threads <= 4096 else {
            throw VarianceKitError.invalidParameter(name: "threads", value: "\(threads)", expected: "an integer in 1...4096, or nil for the default")
        }
        return threads
    }

    static func validateUniform(low: Float, high: Float) throws {
        try VarianceKitError.requireFinite(low, "low")
        try VarianceKitError.requireFinite(high, "high")
        guard low < high else {
            throw VarianceKitError.invalidParameter(name: "high", value: "\(high)", expected: "a number > low = \(low)")
        }
        guard (high - low).isFinite else {
            throw VarianceKitError.invalidParameter(name: "high - low", value: "\(high - low)", expected: "a finite width")
        }
    }

    /// The largest `|z|` the Box-Muller transform draws, `sqrt(-2 ln 2^-24) = sqrt(48 ln 2)`
    /// (5.77; the smallest radius uniform is `2^-24`), rounded up with room for the rounding of the
    /// single-precision logarithm: every normal sample lies in `mean ± normalReach sd`.
    static let normalReach: Double = 5.8

    static func validateNormal(mean: Float, standardDeviation: Float) throws {
        try VarianceKitError.requireFinite(mean, "mean")
        try VarianceKitError.requirePositiveFinite(standardDeviation, "standardDeviation")
        try requireRepresentable(mean: mean, standardDeviation: standardDeviation,
                                 reach: (-normalReach, normalReach), bounds: "mean ± 5.8 standardDeviation")
    }

    /// Throws unless the samples `mean + z sd`, `z` in `reach`, and the product `z sd` itself, are
    /// finite Floats: the check, in Double, that the fill will not write inf.
    private static func requireRepresentable(
        mean: Float, standardDeviation: Float, reach: (lower: Double, upper: Double), bounds: String
    ) throws {
        let largest = Double(Float.greatestFiniteMagnitude)
        let deviation = Double(standardDeviation)
        let extremes = [Double(mean) + reach.lower * deviation, Double(mean) + reach.upper * deviation,
                        max(abs(reach.lower), abs(reach.upper)) * deviation]
        guard extremes.allSatisfy({ abs($0) <= largest }) else {
            throw VarianceKitError.invalidParameter(
                name: "standardDeviation", value: "\(standardDeviation)",
                expected: "samples within Float's range: \(bounds) within ±\(Float.greatestFiniteMagnitude) (mean = \(mean))")
        }
    }

    static func validateTruncatedNormal(mean: Float, standardDeviation: Float, lower: Float, upper: Float) throws {
        try VarianceKitError.requireFinite(mean, "mean")
        try VarianceKitError.requirePositiveFinite(standardDeviation, "standardDeviation")
        try VarianceKitError.requireFinite(lower, "lower")
        try VarianceKitError.requireFinite(upper, "upper")
        guard lower < upper else {
            throw VarianceKitError.invalidParameter(name: "upper", value: "\(upper)", expected: "a number > lower = \(lower) (bounds in standard deviations)")
        }
        try requireRepresentable(mean: mean, standardDeviation: standardDeviation, reach: (Double(lower), Double(upper)),
                                 bounds: "[mean + lower standardDeviation, mean + upper standardDeviation]")
        guard StandardNormal.probability(between: Double(lower), and: Double(upper)) > 1e-300 else {
            throw VarianceKitError.invalidParameter(
                name: "lower", value: "\(lower)", expected: "bounds [lower, upper] holding a representable probability (|bounds| below about 37 standard deviations)")
        }
    }

    // MARK: - The kernel

    /// Fills `buffer` with `transform` of Philox words, whole groups per share.
    static func run<T: FillTransform>(
        _ buffer: UnsafeMutableBufferPointer<Float>, lanes: PhiloxLanes, threads: Int, transform: T
    ) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let count = buffer.count
        let groups = (count + 31) / 32
        let workers = max(1, min(threads, groups / (minimumElementsPerThread / 32)))
        if workers == 1 {
            fillGroups(base, count: count, groups: 0..<groups, lanes: lanes, transform: transform)
            return
        }
        ParallelRuntime.shared.run(
            workers: workers, FillJob(base: base, count: count, groups: groups, lanes: lanes, transform: transform))
    }

    /// Fills the elements of `groups` (clipped to `count`): SIMD code in optimized builds, the
    /// scalar reference in unoptimized ones (both give the same bits). Allocates nothing on the heap.
    static func fillGroups<T: FillTransform>(
        _ base: UnsafeMutablePointer<Float>, count: Int, groups: Range<Int>, lanes: PhiloxLanes, transform: T
    ) {
        let whole = groups.lowerBound..<max(groups.lowerBound, min(groups.upperBound, count / 32))
        #if DEBUG
        fillScalar(base, groups: whole, lanes: lanes, transform: transform)
        #else
        fillSIMD(base, groups: whole, lanes: lanes, transform: transform)
        #endif
        guard whole.upperBound < groups.upperBound else { return }
        // The last, partial group: compute it whole, keep what fits.
        let last = whole.upperBound
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 32) { scratch in
            transform.storeScalar(group: last, lanes: lanes, to: scratch.baseAddress!)
            (base + last * 32).update(from: scratch.baseAddress!, count: count - last * 32)
        }
    }

    /// Groups `groups` into `base + 32 g` in SIMD code on `path` (by default the fastest this
    /// processor runs and the environment allows, `FillPath.fastest`).
    static func fillSIMD<T: FillTransform>(
        _ base: UnsafeMutablePointer<Float>, groups: Range<Int>, lanes: PhiloxLanes, transform: T,
        path: FillPath = .fastest
    ) {
        guard !groups.isEmpty else { return }
        transform.fillSIMD(base, groups: groups, lanes: lanes, path: path)
    }

    /// Groups per chunk of the AVX2 and AVX-512 paths.
    static let groupsPerChunk = 64

    /// Eight words at `pointer`, as element loads (LLVM merges them into vector loads; the
    /// generic `loadUnaligned` can stay an out-of-line call in SwiftPM's release build).
    @inline(__always)
    static func load(_ pointer: UnsafeMutablePointer<UInt32>) -> SIMD8<UInt32> {
        SIMD8(pointer[0], pointer[1], pointer[2], pointer[3], pointer[4], pointer[5], pointer[6], pointer[7])
    }

    /// Groups `groups` into `base + 32 g` in scalar code (`FillTransform.storeScalar`).
    static func fillScalar<T: FillTransform>(
        _ base: UnsafeMutablePointer<Float>, groups: Range<Int>, lanes: PhiloxLanes, transform: T
    ) {
        for group in groups {
            transform.storeScalar(group: group, lanes: lanes, to: base + group &* 32)
        }
    }
}

/// A fill split into the shares of a `ParallelRuntime` run: share `w` of `n` fills the groups
/// `ParallelRuntime.share(w, of: n, count: groups)`. Each transform supplies the entry point
/// (`BlockTransform.fillEntry`), since a C function cannot be formed in generic code.
struct FillJob<Transform: FillTransform>: ParallelJob {
    let base: UnsafeMutablePointer<Float>
    let count: Int
    let groups: Int
    let lanes: PhiloxLanes
    let transform: Transform

    static var entry: ParallelJobEntry { Transform.fillEntry }
    static var leavesCallerProcessor: Bool { false }

    /// Share `worker` of the fill at `pointer`.
    @inline(__always)
    static func fillShare(_ pointer: UnsafeRawPointer, _ worker: Int, _ workers: Int) {
        let job = pointer.assumingMemoryBound(to: FillJob.self).pointee
        RandomFill.fillGroups(job.base, count: job.count, groups: ParallelRuntime.share(worker, of: workers, count: job.groups),
                              lanes: job.lanes, transform: job.transform)
    }
}
