/// An initializer filling a `size x size` matrix, for timing; for the orthogonal scheme also the
/// bare LAPACK calls it makes and LAPACK's drivers, on the same Gaussian matrix.
///
/// `fill()` is `initializer.fillWeight` on the matrix with `threads` threads, from the
/// configuration's seed on `RandomStream.measurement(1)`. With `.orthogonal`,
/// `orthonormalizeCopy(routine:)` copies the N(0, 1) matrix that this fill draws (the same seed
/// and stream) and runs `LAPACK.orthonormalize(&copy, routine:)` on the copy with OpenBLAS set to
/// `threads`: `.compactWY` is what the fill calls, `.lapackDrivers` is sgeqrf + sorgqr. Each
/// copy, like each orthogonal fill's result, is a fresh buffer (copy-on-write of the Gaussian
/// matrix), so the bare calls pay the same allocation the fill pays.
public final class FillMeasurement {
    /// The scheme measured.
    public let initializer: Initializer
    /// Rows and columns of the matrix.
    public let size: Int
    /// Threads of the fill and, for the orthogonal baselines, of OpenBLAS.
    public let threads: Int
    /// The seed of every draw.
    public let seed: UInt64

    /// The matrix the fill writes, `[size, size]`.
    public private(set) var matrix: Matrix
    /// The orthogonal baselines' Gaussian matrix and the copy they factor (`nil` for other schemes).
    var gaussian: Matrix?
    var factored: Matrix?

    /// Whether `orthonormalizeCopy(routine:)` is available: the initializer is `.orthogonal`.
    public var hasLAPACKBaselines: Bool { gaussian != nil }

    /// - Parameters:
    ///   - initializer: the scheme to fill with.
    ///   - size: rows and columns of the matrix, `>= 1`.
    ///   - threads: threads of the fill (and of OpenBLAS for the orthogonal baselines), in `1...256`.
    ///   - seed: the seed of every draw.
    ///   - availableBytes: the memory the buffers must fit in (default:
    ///     `MemoryBudget.availableBytes()`; `nil` checks nothing).
    /// - Throws: `VarianceKitError.invalidParameter` for `size < 1` or `threads` outside `1...256`,
    ///   or when `memoryRequirement(initializer:size:)` exceeds `availableBytes` (naming both,
    ///   before allocating).
    public init(initializer: Initializer, size: Int, threads: Int, seed: UInt64 = 1,
                availableBytes: Int? = MemoryBudget.availableBytes()) throws {
        guard size >= 1 else {
            throw VarianceKitError.invalidParameter(name: "fill size", value: "\(size)", expected: "an integer >= 1")
        }
        guard (1...256).contains(threads) else {
            throw VarianceKitError.invalidParameter(name: "threads", value: "\(threads)", expected: "an integer in 1...256")
        }
        try Self.memoryRequirement(initializer: initializer, size: size).check(availableBytes: availableBytes)
        let layout = Layout(initializer: initializer, size: size)
        self.initializer = initializer
        self.size = size
        self.threads = threads
        self.seed = seed
        matrix = try Matrix(rows: layout.matrixShape.rows, columns: layout.matrixShape.columns)
        if layout.hasLAPACKBaselines {
            var normal = try Matrix(rows: layout.matrixShape.rows, columns: layout.matrixShape.columns)
            try RandomFill.normal(&normal, seed: seed, stream: MeasurementStream.fill.id, threads: threads)
            gaussian = normal
            factored = normal  // shares the storage until the first factorization copies it
        }
    }

    /// `initializer.fillWeight(&matrix, ...)` with `threads` threads.
    public func fill() throws {
        try initializer.fillWeight(&matrix, seed: seed, stream: MeasurementStream.fill.id, threads: threads)
    }

    /// The bare LAPACK calls of an orthogonal fill (`.compactWY`) or LAPACK's drivers
    /// (`.lapackDrivers`) on a fresh copy of the Gaussian matrix the fill factors, with OpenBLAS
    /// set to `threads` threads for the call (`ThreadPolicy`'s count afterwards).
    ///
    /// - Throws: `VarianceKitError.missingCapability` unless the initializer is `.orthogonal`; what
    ///   `LAPACK.orthonormalize` throws.
    public func orthonormalizeCopy(routine: LAPACK.HouseholderRoutine) throws {
        guard let gaussian else {
            throw VarianceKitError.missingCapability(
                operation: "FillMeasurement.orthonormalizeCopy",
                missing: "the LAPACK baselines belong to the orthogonal initializer, not \(initializer)")
        }
        factored = gaussian
        _ = try ThreadPolicy.withBLASThreadCount(threads) { try LAPACK.orthonormalize(&factored!, routine: routine) }
    }

    /// The fill and, for the orthogonal scheme, its two LAPACK baselines timed in turns.
    public struct Result: Sendable, Hashable, Codable {
        /// The fill itself.
        public var fill: Timing
        /// The median fill's elements per second, `size² / fill.median`.
        public var elementsPerSecond: Double
        /// `orthonormalizeCopy(routine: .compactWY)` (orthogonal only).
        public var compactWY: Timing?
        /// `orthonormalizeCopy(routine: .lapackDrivers)` (orthogonal only).
        public var lapackDrivers: Timing?
    }

    /// `fill()` and, when `hasLAPACKBaselines`, both `orthonormalizeCopy` routines, back to back
    /// in each of `repetitions` rounds after a warm-up.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for `repetitions < 1`; what the bodies throw.
    public func measure(repetitions: Int) throws -> Result {
        var bodies: [() throws -> Void] = [{ try self.fill() }]
        if hasLAPACKBaselines {
            bodies += [{ try self.orthonormalizeCopy(routine: .compactWY) },
                       { try self.orthonormalizeCopy(routine: .lapackDrivers) }]
        }
        let measured = try Stopwatch.timings(of: bodies, repetitions: repetitions)
        return Result(fill: measured[0], elementsPerSecond: Double(size * size) / measured[0].median,
                      compactWY: measured.count > 1 ? measured[1] : nil,
                      lapackDrivers: measured.count > 2 ? measured[2] : nil)
    }
}
