/// One of `count` disjoint parts of a grid, `index` in `1...count` (written `k/n`).
///
/// The parts are balanced by estimated cost (`SweepCost`), not by count: configurations are
/// taken from the most to the least costly (ties in grid order) and each goes to the part with
/// the least cost so far (ties to the lowest index), the longest-processing-time-first rule, so
/// no part's total exceeds the ideal by more than a third. Every configuration is in exactly one
/// part, and the parts depend only on the grid and `count`.
public struct SweepShard: Sendable, Hashable, CustomStringConvertible {
    /// The part, `1...count`.
    public let index: Int
    /// How many parts.
    public let count: Int

    /// The most parts a grid may be cut into.
    public static let maximumCount = 1_000_000

    /// Part `index` of `count`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` unless `1 <= index <= count <= maximumCount`.
    public init(index: Int, count: Int) throws {
        guard (1...Self.maximumCount).contains(count), (1...count).contains(index) else {
            throw VarianceKitError.invalidParameter(
                name: "shard", value: "\(index)/\(count)", expected: "k/n with 1 <= k <= n <= \(Self.maximumCount) (k counts from 1)")
        }
        self.index = index
        self.count = count
    }

    /// Reads `k/n`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for anything else.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw VarianceKitError.invalidParameter(
                name: "shard", value: "\"\(text)\"", expected: "k/n with 1 <= k <= n (for example 2/4), or auto")
        }
        try self.init(index: index, count: count)
    }

    /// `k/n`.
    public var description: String { "\(index)/\(count)" }

    /// The part a scheduler's environment names:
    /// - Slurm job arrays: `SLURM_ARRAY_TASK_ID`, with `SLURM_ARRAY_TASK_COUNT`, or else
    ///   `SLURM_ARRAY_TASK_MIN` and `SLURM_ARRAY_TASK_MAX` (and `SLURM_ARRAY_TASK_STEP`, default 1):
    ///   the part is `(id - min) / step + 1` of `count` (a count given by `count` must agree);
    /// - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` (0-based), with `count` given (the Job's
    ///   `completions`): part `index + 1` of `count`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` saying which variables were found and what
    ///   is missing or inconsistent.
    public static func fromEnvironment(_ environment: [String: String], count given: Int?) throws -> SweepShard {
        func integer(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw VarianceKitError.invalidParameter(name: name, value: "\"\(text)\"", expected: "an integer (from the scheduler)")
            }
            return value
        }
        if let id = try integer("SLURM_ARRAY_TASK_ID") {
            let minimum = try integer("SLURM_ARRAY_TASK_MIN") ?? 0
            let step = try integer("SLURM_ARRAY_TASK_STEP") ?? 1
            // `id - minimum` and `maximum - minimum` are computed with overflow checks: the
            // variables are text from the environment, and an overflow is an id outside the array.
            let (offset, offsetOverflows) = id.subtractingReportingOverflow(minimum)
            guard step >= 1, id >= minimum, !offsetOverflows, offset % step == 0 else {
                throw VarianceKitError.invalidParameter(
                    name: "SLURM_ARRAY_TASK_ID", value: "\(id) (min \(minimum), step \(step))",
                    expected: "an id min + j x step of the job array")
            }
            var count: Int? = try integer("SLURM_ARRAY_TASK_COUNT")
            if count == nil, let maximum = try integer("SLURM_ARRAY_TASK_MAX") {
                let (span, spanOverflows) = maximum.subtractingReportingOverflow(minimum)
                guard !spanOverflows, span >= 0 else {
                    throw VarianceKitError.invalidParameter(
                        name: "SLURM_ARRAY_TASK_MAX", value: "\(maximum) (min \(minimum))",
                        expected: "the largest id of the job array: at least SLURM_ARRAY_TASK_MIN, and the span between them an Int")
                }
                count = span / step + 1
            }
            if let given, let count, given != count {
                throw VarianceKitError.invalidParameter(
                    name: "--shard-count", value: "\(given)", expected: "the job array's \(count) tasks (SLURM_ARRAY_TASK_COUNT), or no --shard-count")
            }
            guard let count = count ?? given else {
                throw VarianceKitError.invalidParameter(
                    name: "shard auto", value: "SLURM_ARRAY_TASK_ID=\(id) without SLURM_ARRAY_TASK_COUNT or SLURM_ARRAY_TASK_MAX",
                    expected: "a Slurm job array's variables, or --shard-count")
            }
            return try SweepShard(index: offset / step + 1, count: count)
        }
        if let index = try integer("JOB_COMPLETION_INDEX") {
            guard let given else {
                throw VarianceKitError.invalidParameter(
                    name: "shard auto", value: "JOB_COMPLETION_INDEX=\(index) without --shard-count",
                    expected: "--shard-count N, the Indexed Job's completions")
            }
            guard index >= 0, index < given else {
                throw VarianceKitError.invalidParameter(
                    name: "JOB_COMPLETION_INDEX", value: "\(index)", expected: "an index in 0...\(given - 1) (--shard-count \(given))")
            }
            return try SweepShard(index: index + 1, count: given)
        }
        throw VarianceKitError.invalidParameter(
            name: "shard auto", value: "no scheduler variables",
            expected: "SLURM_ARRAY_TASK_ID (a Slurm job array) or JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) in the environment")
    }

    /// The grid positions of every part of `count`, from the configurations' costs
    /// (longest-processing-time first; see the type's documentation). `parts[i]` is part
    /// `i + 1`, its positions ascending.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` unless `1 <= count <= maximumCount`.
    public static func partition(costs: [Double], count: Int) throws -> [[Int]] {
        guard (1...maximumCount).contains(count) else {
            throw VarianceKitError.invalidParameter(
                name: "shard count", value: "\(count)", expected: "an integer in 1...\(maximumCount)")
        }
        return uncheckedPartition(costs: costs, count: count)
    }

    /// `partition(costs:count:)` for a count already known to be in `1...maximumCount`.
    static func uncheckedPartition(costs: [Double], count: Int) -> [[Int]] {
        let order = costs.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }
        var parts = [[Int]](repeating: [], count: count)
        // A binary min-heap of (load, part), ordered by load then part.
        var heap = (0..<count).map { (load: 0.0, part: $0) }
        func before(_ a: (load: Double, part: Int), _ b: (load: Double, part: Int)) -> Bool {
            a.load != b.load ? a.load < b.load : a.part < b.part
        }
        for position in order {
            let lightest = heap[0].part
            parts[lightest].append(position)
            heap[0].load += costs[position]
            var node = 0
            while true {
                let left = 2 * node + 1, right = left + 1
                var smallest = node
                if left < count, before(heap[left], heap[smallest]) { smallest = left }
                if right < count, before(heap[right], heap[smallest]) { smallest = right }
                if smallest == node { break }
                heap.swapAt(node, smallest)
                node = smallest
            }
        }
        return parts.map { $0.sorted() }
    }

    /// The positions of this part of `grid`.
    public func positions(in grid: SweepGrid) -> [Int] {
        let costs = (0..<grid.count).map { SweepCost(grid.configuration(at: $0)).operations }
        return Self.uncheckedPartition(costs: costs, count: count)[index - 1]
    }
}
