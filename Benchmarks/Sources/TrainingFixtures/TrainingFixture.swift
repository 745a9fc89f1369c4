internal import CHeapInfo
import Dispatch
import Foundation
import VarianceKit

/// A training problem to time: the network's widths and activation, the batch, and the size of
/// the synthetic training split.
public struct TrainingShape: Sendable, Hashable {
    /// A short name for benchmark and report labels.
    public var name: String
    /// `[inputs, hidden..., classes]`; every hidden layer uses `activation`, the last is linear.
    public var widths: [Int]
    /// The hidden layers' activation.
    public var activation: Activation
    /// Samples per minibatch.
    public var batch: Int
    /// Samples of the training split.
    public var samples: Int
    /// Samples of the validation split (0: none).
    public var validationSamples: Int

    /// A shape of `widths`, trained in batches of `batch` on `samples` samples.
    public init(name: String, widths: [Int], activation: Activation, batch: Int, samples: Int, validationSamples: Int = 0) {
        self.name = name
        self.widths = widths
        self.activation = activation
        self.batch = batch
        self.samples = samples
        self.validationSamples = validationSamples
    }

    /// An MNIST-sized multilayer perceptron: 784-512-512-10, ReLU, batch 128, 60,000 samples.
    public static let mnist = TrainingShape(
        name: "mlp 784-512-512-10 relu batch 128", widths: [784, 512, 512, 10], activation: .relu, batch: 128, samples: 60_000)
    /// Ten Dense layers on 1024 features (nine 1024-wide, then 10 classes), tanh, batch 256,
    /// 4,096 samples (a small split keeps the trainer's end-of-call evaluation short).
    public static let deep = TrainingShape(
        name: "depth 10 width 1024 tanh batch 256", widths: [1024] + Array(repeating: 1024, count: 9) + [10], activation: .tanh,
        batch: 256, samples: 4096)

    /// The shapes by their command-line names.
    public static let named: [String: TrainingShape] = ["mnist": .mnist, "deep": .deep]

    /// Classes of the synthetic labels (the last width).
    public var classes: Int { widths[widths.count - 1] }
    /// Features per sample (the first width).
    public var features: Int { widths[0] }
}

/// Observes a `Trainer`'s steps: the time of the first and the last `.step` event since
/// `reset()`, and an optional action at every step event (numbered from 1), for example a
/// benchmark's `startMeasurement()`.
public final class StepClock: TrainingObserver {
    /// Step events since `reset()`.
    public private(set) var stepEvents = 0
    /// `DispatchTime.now().uptimeNanoseconds` at the first step event since `reset()`.
    public private(set) var firstNanoseconds: UInt64 = 0
    /// The same at the last step event.
    public private(set) var lastNanoseconds: UInt64 = 0
    /// Called after every step event with its number since `reset()`.
    public var action: ((Int) -> Void)?

    /// A clock with no events and no action.
    public init() {}

    /// Forgets the events (the action stays).
    public func reset() {
        stepEvents = 0
        firstNanoseconds = 0
        lastNanoseconds = 0
    }

    /// Nanoseconds from the first to the last step event.
    public var elapsedNanoseconds: UInt64 { lastNanoseconds - firstNanoseconds }

    /// Records step events; never stops the run.
    public func observe(_ event: TrainingEvent, trainer: Trainer) -> TrainingControl {
        guard case .step = event else { return .proceed }
        let now = DispatchTime.now().uptimeNanoseconds
        stepEvents += 1
        if stepEvents == 1 { firstNanoseconds = now }
        lastNanoseconds = now
        action?(stepEvents)
        return .proceed
    }
}

/// A `Trainer` next to the bare kernels of its step, on two identical networks.
///
/// - the trainer: `Trainer` on a synthetic split (features N(0, 1) from `RandomStream.input`,
///   labels `0 ..< classes` from a fixed hash of the sample index), AdamW (η = 1e-3, decoupled
///   decay 0.01), He-uniform weights, zero biases, a linear last layer; a point every
///   `evaluateEvery` steps (by default only at the end of each `train(steps:)` call);
/// - the bare kernels: `Network.forward`, `Network.backward` (softmax cross-entropy) and
///   `optimizer.step` on a fixed batch (the split's first `batch` samples), on a second network
///   and optimizer built the same way;
/// - the gatherer: a `MinibatchIterator` of its own over the same training split.
///
/// `init` takes warm-up steps on all three, so the workspaces and the optimizer state exist
/// before anything is timed.
public final class TrainingFixture {
    /// The problem.
    public let shape: TrainingShape
    /// The trainer, observed by `clock`.
    public let trainer: Trainer
    /// The trainer's step clock.
    public let clock = StepClock()
    /// The network of the bare kernels.
    public let bareNetwork: Network
    /// The optimizer of the bare kernels.
    public let bareOptimizer: any Optimizer
    /// The fixed batch of the bare kernels.
    public let bareFeatures: Matrix
    /// The fixed batch's loss.
    public let bareLoss: Loss
    /// An iterator over the training split for timing the gathering alone.
    public var gatherer: MinibatchIterator

    /// Builds the split, both networks and optimizers, and warms all three up.
    ///
    /// - Throws: errors of the library calls.
    public init(_ shape: TrainingShape, evaluateEvery: Int = TrainingSettings.stepRange.upperBound, seed: UInt64 = 1) throws {
        self.shape = shape
        let train = try Self.dataset(shape, samples: shape.samples, seed: seed)
        let validation = try Self.dataset(shape, samples: shape.validationSamples, seed: seed + 1)
        let empty = try Self.dataset(shape, samples: 0, seed: seed)
        let split = try DatasetSplit(train: train, validation: validation, test: empty)
        let optimizer = try OptimizerSettings(algorithm: .adamw, learningRate: 1e-3, weightDecay: 0.01)
        func network() throws -> Network {
            try Network(widths: shape.widths, activation: shape.activation, initializer: .heUniform(shape.activation),
                        outputActivation: .linear, seed: seed)
        }
        let settings = try TrainingSettings(
            batchSize: shape.batch, steps: TrainingSettings.stepRange.upperBound,
            evaluateEvery: evaluateEvery, shuffleSeed: seed)
        trainer = try Trainer(network: network(), optimizer: optimizer.makeOptimizer(), data: split, settings: settings)
        trainer.observers = [clock]
        bareNetwork = try network()
        bareOptimizer = try optimizer.makeOptimizer()
        bareFeatures = try train.features.rows(0 ..< shape.batch)
        bareLoss = .softmaxCrossEntropy(labels: Array(train.labels![0 ..< shape.batch]))
        gatherer = try MinibatchIterator(dataset: train, batchSize: shape.batch, seed: seed + 2)
        try bareSteps(2)
        _ = try trainerSteps(2)
        gather(2)
    }

    /// `samples` synthetic samples of `shape`.
    static func dataset(_ shape: TrainingShape, samples: Int, seed: UInt64) throws -> Dataset {
        var features = try Matrix(rows: samples, columns: shape.features)
        if samples > 0 {
            try Initializer.normal(mean: 0, standardDeviation: 1).fill(
                &features, fanIn: 1, fanOut: 1, seed: seed, stream: RandomStream.input.id)
        }
        let classes = UInt64(shape.classes)
        let labels = (0 ..< samples).map { index in
            Int((((UInt64(index) &+ seed) &* 0x9E37_79B9_7F4A_7C15) >> 32) % classes)
        }
        return try Dataset(name: "synthetic \(shape.features)-\(shape.classes)", features: features,
                           targets: .classes(labels: labels, classCount: shape.classes))
    }

    /// `count` bare steps: forward, backward and the optimizer step on the fixed batch.
    ///
    /// - Throws: errors of the library calls.
    public func bareSteps(_ count: Int) throws {
        for _ in 0 ..< count {
            try bareNetwork.forward(bareFeatures)
            try bareNetwork.backward(loss: bareLoss)
            try bareOptimizer.step(bareNetwork)
        }
    }

    /// Runs `trainer.train(steps: count + 1)` and returns the nanoseconds of its last `count`
    /// steps: from the first step event to the last, so neither the evaluation at the end of
    /// the call nor the first step after the previous call's evaluation is counted. `action`
    /// runs after every step event (numbered from 1).
    ///
    /// - Throws: errors of the library calls; `TrainingFixtureError` when the run diverged.
    public func trainerSteps(_ count: Int, action: ((Int) -> Void)? = nil) throws -> UInt64 {
        clock.reset()
        clock.action = action
        defer { clock.action = nil }
        let record = try trainer.train(steps: count + 1)
        guard record.status == .ok, clock.stepEvents == count + 1 else {
            throw TrainingFixtureError.runStopped(record.stopReason ?? "\(clock.stepEvents) of \(count + 1) steps")
        }
        return clock.elapsedNanoseconds
    }

    /// `count` calls of `gatherer.next()`.
    public func gather(_ count: Int) {
        for _ in 0 ..< count { gatherer.next() }
    }
}

/// CPU time of the whole process (every thread), in nanoseconds (`CLOCK_PROCESS_CPUTIME_ID`).
public func processCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Why a timed run could not be used.
public enum TrainingFixtureError: Error, CustomStringConvertible {
    /// The trainer stopped before the requested steps.
    case runStopped(String)

    public var description: String {
        switch self {
        case let .runStopped(reason): "the training run stopped early: \(reason)"
        }
    }
}

/// The process's resident set, from `/proc/self/status`, and the heap in use, from glibc's
/// `mallinfo2` (Linux; nil elsewhere or when unreadable).
public struct ResidentMemory: Sendable {
    /// `VmRSS`: resident now, in KiB.
    public var currentKiB: Int
    /// `VmHWM`: the peak resident set so far, in KiB.
    public var peakKiB: Int
    /// `mallinfo2().uordblks + hblkhd`: bytes of malloc's blocks in use (arena and mmapped).
    public var heapInUseBytes: Int

    /// Reads `/proc/self/status` and `mallinfo2`.
    public static func read() -> ResidentMemory? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            return line.split(separator: " ").compactMap { Int($0) }.first
        }
        guard let current = field("VmRSS"), let peak = field("VmHWM") else { return nil }
        return ResidentMemory(currentKiB: current, peakKiB: peak, heapInUseBytes: Int(vk_heap_in_use_bytes()))
    }
}
