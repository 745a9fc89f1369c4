import Foundation

/// Runs a sweep's configurations, one at a time or `jobs` at a time side by side, and hands each
/// finished record to a callback (which writes it).
///
/// A configuration's result depends only on its settings: its random streams are keyed by
/// `SweepConfiguration.seed`, and the datasets of `train` configurations by their data settings.
/// The same bits come out in any order, alone or beside others, provided the network products
/// give the same bits for any thread count (`ThreadPolicy.deterministic`; initbench's sweep sets
/// it) on one OpenBLAS kernel.
public final class SweepRunner: Sendable {
    /// The datasets built so far, by their settings (built once per process).
    private let datasets = Locked<[SweepDataSettings: DatasetSplit]>([:])

    /// A runner with no datasets built yet.
    public init() {}

    /// Runs `configuration`.
    ///
    /// - Throws: the library's errors for the configuration (memory, a failed LSUV, ...). A
    ///   diverging network is a result (`RunStatus`), not an error.
    public func run(_ configuration: SweepConfiguration) throws -> SweepRecord {
        let start = Date()
        let outcome: SweepOutcome
        switch configuration.kind {
        case .theory:
            let (weight, bias) = configuration.theoryVariances()
            let theory = MeanFieldTheory(activation: try configuration.activation())
            outcome = SweepOutcome(theory: try theory.analysis(weightScale: weight, biasVariance: bias))
        case .propagate:
            guard var run = try configuration.propagationExperiment().run().runs.first else {
                throw VarianceKitError.invalidParameter(name: "propagate configuration", value: configuration.key, expected: "one run")
            }
            run.seconds = 0
            outcome = SweepOutcome(propagation: run)
        case .train:
            let experiment = try configuration.trainingExperiment()
            let data = try dataset(configuration.dataSettings())
            guard let run = try experiment.run(on: data).runs.first else {
                throw VarianceKitError.invalidParameter(name: "train configuration", value: configuration.key, expected: "one run")
            }
            outcome = SweepOutcome(training: SweepTrainingOutcome(run.record))
        }
        return SweepRecord(configuration: configuration, result: outcome, seconds: Date().timeIntervalSince(start))
    }

    /// The standardized split of `settings`, built on first use.
    func dataset(_ settings: SweepDataSettings) throws -> DatasetSplit {
        try datasets.withLock { cache in
            if let split = cache[settings] { return split }
            let split = try settings.makeSplit()
            if cache.count >= 4 { cache.removeAll() }
            cache[settings] = split
            return split
        }
    }

    /// What became of a configuration that did not finish.
    public struct Failure: Sendable {
        /// The configuration.
        public var configuration: SweepConfiguration
        /// Why, as the library said it.
        public var reason: String
    }

    /// Runs `configurations` on `jobs` threads (each takes the next configuration not yet
    /// started) and calls `finished` with each record, one call at a time, in the order they
    /// finish. A configuration that throws is reported to `failed` and the others go on.
    /// `finished` may throw (the results file cannot be written): nothing more is started, the
    /// running configurations finish, and the error is rethrown.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for `jobs` outside `1...256`; what
    ///   `finished` throws.
    public func run(_ configurations: [SweepConfiguration], jobs: Int,
                    finished: @escaping @Sendable (SweepRecord) throws -> Void,
                    failed: @escaping @Sendable (Failure) -> Void) throws {
        guard (1...ThreadPolicy.maximumThreadCount).contains(jobs) else {
            throw VarianceKitError.invalidParameter(name: "jobs", value: "\(jobs)", expected: "an integer in 1...\(ThreadPolicy.maximumThreadCount)")
        }
        struct State {
            var next = 0
            var stopped: (any Error)?
        }
        let state = Locked(State())
        let delivery = Locked(())
        let worker: @Sendable (Int) -> Void = { _ in
            while true {
                let position: Int? = state.withLock { state in
                    guard state.stopped == nil, state.next < configurations.count else { return nil }
                    defer { state.next += 1 }
                    return state.next
                }
                guard let position else { return }
                let configuration = configurations[position]
                do {
                    let record = try self.run(configuration)
                    try delivery.withLock { _ in try finished(record) }
                } catch let error as VarianceKitError where !Self.isOutputError(error) {
                    delivery.withLock { _ in failed(Failure(configuration: configuration, reason: error.description)) }
                } catch {
                    state.withLock { if $0.stopped == nil { $0.stopped = error } }
                }
            }
        }
        if jobs == 1 {
            worker(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: min(jobs, configurations.count), execute: worker)
        }
        if let error = state.withLock({ $0.stopped }) { throw error }
    }

    /// Whether `error` came from writing a record rather than from running a configuration.
    private static func isOutputError(_ error: VarianceKitError) -> Bool {
        if case .fileAccess = error { return true }
        return false
    }
}
