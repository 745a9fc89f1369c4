import Dispatch

/// The median and the shortest of a body's timed runs, in seconds.
public struct Timing: Sendable, Hashable, Codable {
    /// The median (the upper one for an even count) of the runs.
    public var median: Double
    /// The shortest run: on a shared machine other work only adds time, so this is the most
    /// repeatable figure for a compute-bound kernel (and what the peer scripts' `best_of` reports).
    public var best: Double

    /// A timing of `median` and `best` seconds.
    public init(median: Double, best: Double) {
        self.median = median
        self.best = best
    }
}

/// Wall-clock timing of measurement bodies.
public enum Stopwatch {
    /// The repetitions a timing accepts (the times of each body are kept until the medians are taken).
    public static let repetitionRange = 1...1_000_000

    /// The timing of each of `bodies`: one warm-up run of each, then `repetitions` rounds that run
    /// every body once, in order, so that all of them see the same machine load. Times come from
    /// the monotonic clock (`DispatchTime`, nanoseconds); timing itself allocates nothing per run
    /// beyond the result arrays, reserved up front.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` when `repetitions` is not in
    ///   `repetitionRange`; whatever a body throws.
    public static func timings(of bodies: [() throws -> Void], repetitions: Int) throws -> [Timing] {
        guard repetitionRange.contains(repetitions) else {
            throw VarianceKitError.invalidParameter(
                name: "repetitions", value: "\(repetitions)",
                expected: "an integer in \(repetitionRange.lowerBound)...\(repetitionRange.upperBound)")
        }
        for body in bodies { try body() }
        var times = [[Double]](repeating: [], count: bodies.count)
        for index in times.indices { times[index].reserveCapacity(repetitions) }
        for _ in 0..<repetitions {
            for (index, body) in bodies.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                times[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
        }
        return times.map { runs in
            let sorted = runs.sorted()
            return Timing(median: sorted[sorted.count / 2], best: sorted[0])
        }
    }

    /// The timing of `body` alone (see `timings(of:repetitions:)`).
    public static func timing(of body: () throws -> Void, repetitions: Int) throws -> Timing {
        try withoutActuallyEscaping(body) { try timings(of: [$0], repetitions: repetitions)[0] }
    }
}
