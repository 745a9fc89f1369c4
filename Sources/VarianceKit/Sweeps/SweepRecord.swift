import Foundation

/// What one finished configuration of a sweep wrote: one line of a results file.
public struct SweepRecord: Sendable, Codable, SweepResultsFile.Line {
    /// The configuration's canonical key (`SweepConfiguration.key`).
    public var key: String
    /// Its position in the grid (0-based).
    public var index: Int
    /// Every resolved setting.
    public var settings: [String: SweepValue]
    /// What it computed; the same bits whenever and wherever it runs.
    public var result: SweepOutcome
    /// Wall time of the run, seconds (the one field that differs between runs).
    public var seconds: Double

    /// The record of `configuration`.
    public init(configuration: SweepConfiguration, result: SweepOutcome, seconds: Double) {
        key = configuration.key
        index = configuration.index
        settings = configuration.settings
        self.result = result
        self.seconds = seconds
    }

    /// The JSON encoder of results lines: compact, keys sorted, non-finite numbers as the
    /// strings `inf`, `-inf`, `nan`.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// The decoder of what `makeEncoder()` writes.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// The canonical bytes of `result` (sorted keys, shortest round-trip numbers), which two runs
    /// of one configuration share bit for bit.
    public var resultBytes: Data { (try? Self.makeEncoder().encode(result)) ?? Data() }
}

/// The result of one configuration, by kind: exactly one field is set.
public struct SweepOutcome: Sendable, Codable {
    /// A `propagate` configuration's run (its `seconds` is 0; the record holds the time).
    public var propagation: PropagationRun?
    /// A `train` configuration's run.
    public var training: SweepTrainingOutcome?
    /// A `theory` configuration's mean-field quantities.
    public var theory: MeanFieldAnalysis?

    /// An outcome with the field of one kind set.
    public init(propagation: PropagationRun? = nil, training: SweepTrainingOutcome? = nil, theory: MeanFieldAnalysis? = nil) {
        self.propagation = propagation
        self.training = training
        self.theory = theory
    }

    /// The one figure a sweep's table and heat map show, with its name:
    /// - train: test accuracy (classification) or test loss (regression); a diverged run's is nil;
    /// - propagate: the activation variance at the last layer;
    /// - theory: the correlation depth scale `xi_c` (nil where it is infinite or undefined).
    public var headline: (name: String, value: Double?) {
        if let training {
            if let test = training.test {
                return test.accuracy.map { ("test accuracy", $0) } ?? ("test loss", test.loss)
            }
            return ("test accuracy", nil)
        }
        if let propagation {
            return ("last-layer activation variance", propagation.layers.last?.activationVariance)
        }
        if let theory {
            return ("xi_c", theory.correlationDepthScale)
        }
        return ("", nil)
    }
}

/// A trained configuration, without the wall times that differ between runs.
public struct SweepTrainingOutcome: Sendable, Hashable, Codable {
    /// One point of the curve.
    public struct Point: Sendable, Hashable, Codable {
        /// Steps taken.
        public var step: Int
        /// The minibatch loss of the last step.
        public var trainingLoss: Double
        /// Validation loss and accuracy (nil without a validation split).
        public var validation: Evaluation?
    }

    /// `ok`, or how the run ended.
    public var status: RunStatus
    /// Where a diverged run became non-finite.
    public var divergence: TrainingDivergence?
    /// Steps taken.
    public var steps: Int
    /// The final evaluations on the training, validation and test splits.
    public var finalTraining: Evaluation?, finalValidation: Evaluation?, test: Evaluation?
    /// Test loss minus final training loss.
    public var generalizationGap: Double?
    /// The training curve.
    public var curve: [Point]
    /// Per-layer weight norms and exact-zero fractions at the last point.
    public var weightNorms: [Double], zeroFractions: [Double]

    /// The outcome of `record`.
    public init(_ record: TrainingRecord) {
        status = record.status
        divergence = record.divergence
        steps = record.steps
        finalTraining = record.finalTraining
        finalValidation = record.finalValidation
        test = record.test
        generalizationGap = record.generalizationGap
        curve = record.points.map { Point(step: $0.step, trainingLoss: $0.trainingLoss, validation: $0.validation) }
        weightNorms = record.points.last?.weightNorms ?? []
        zeroFractions = record.points.last?.zeroFractions ?? []
    }
}
