import Foundation

/// A training run saved to one `.npz` file: the network's parameters and the optimizer's state
/// as NumPy arrays, and a JSON description of everything else, so the run can be resumed with
/// the same bits and the arrays read by NumPy.
///
/// The archive holds (each as `NAME.npy`, float32 `[rows, columns]`):
/// - `layerL.weight` and `layerL.bias` for layer `L` (1-based);
/// - `optimizer.layerL.weight.momentum` (SGD with momentum), or `optimizer.layerL.weight.first_moment`
///   and `.second_moment` (Adam, AdamW), likewise for the biases;
///
/// and the entry `checkpoint.json` (`Checkpoint.Description`): the layer sizes and activations,
/// the optimizer's settings and per-parameter step counts, the training settings, the steps
/// taken, the record so far and, when given, the standardization of the features. In Python:
/// `a = numpy.load(path); a["layer1.weight"]`; `json.loads(a["checkpoint.json"])`.
///
/// The file is written atomically (`AtomicWrite`): a reader sees the previous checkpoint or the
/// new one, never a mix.
public enum Checkpoint {
    /// What `checkpoint.json` holds.
    public struct Description: Sendable, Codable {
        /// One Dense layer.
        public struct Layer: Sendable, Codable, Equatable {
            /// Outputs of the layer.
            public var outputs: Int
            /// Its activation.
            public var activation: Activation
            /// Whether it has a bias.
            public var bias: Bool
        }

        /// One parameter's optimizer state.
        public struct ParameterState: Sendable, Codable, Equatable {
            /// The parameter, e.g. `layer1.weight`.
            public var parameter: String
            /// Its step count (Adam's bias correction uses it).
            public var stepCount: Int
        }

        /// `variancekit.checkpoint.v1`.
        public var schema: String
        /// The network's inputs.
        public var inputs: Int
        /// Its layers, in order.
        public var layers: [Layer]
        /// The optimizer that trains it.
        public var optimizer: OptimizerSettings
        /// The state kept per parameter (absent before a parameter's first step).
        public var optimizerState: [ParameterState]
        /// The run's settings.
        public var training: TrainingSettings
        /// Steps taken when saved.
        public var stepsTaken: Int
        /// What had been recorded.
        public var record: TrainingRecord
        /// The standardization the features went through, if any (apply it to new samples).
        public var standardization: Standardization?
    }

    /// The schema of `checkpoint.json`.
    public static let schema = "variancekit.checkpoint.v1"
    /// The archive entry holding the description.
    public static let descriptionEntry = "checkpoint.json"

    /// Writes `trainer`'s network, optimizer state and progress to the `.npz` file at `url`.
    ///
    /// - Throws: `VarianceKitError.missingCapability` when the trainer was not built from
    ///   `OptimizerSettings` (they are needed to rebuild the optimizer); `.fileAccess` when the
    ///   path is refused or writing fails (a previous file is left as it was).
    public static func save(_ trainer: Trainer, to url: URL, standardization: Standardization? = nil) throws {
        guard let settings = trainer.optimizerSettings else {
            throw VarianceKitError.missingCapability(
                operation: "Checkpoint.save", missing: "the trainer's optimizer settings (build it with Trainer(network:optimizerSettings:data:settings:))")
        }
        var arrays: [String: NumpyArray] = [:]
        var states: [Description.ParameterState] = []
        trainer.network.forEachParameter { id, values, _ in
            let name = arrayName(id)
            arrays[name] = NumpyArray(values)
            if let state = trainer.optimizer.state(for: id) {
                states.append(.init(parameter: name, stepCount: state.stepCount))
                for (suffix, buffer) in [("momentum", state.momentumBuffer), ("first_moment", state.firstMoment), ("second_moment", state.secondMoment)] {
                    if let buffer { arrays["optimizer.\(name).\(suffix)"] = NumpyArray(buffer) }
                }
            }
        }
        let description = Description(
            schema: schema, inputs: trainer.network.inputs,
            layers: trainer.network.layers.map { .init(outputs: $0.outputs, activation: $0.activation, bias: $0.hasBias) },
            optimizer: settings, optimizerState: states, training: trainer.settings, stepsTaken: trainer.stepsTaken,
            record: trainer.record, standardization: standardization)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = try encoder.encode(description)
        try NumpyArchive.write(arrays, to: url, extraEntries: [descriptionEntry: json])
    }

    /// The description and arrays of the checkpoint at `url`.
    ///
    /// - Throws: the errors of `NumpyArchive.read`; `.malformedFile` when the description is
    ///   missing, is not valid JSON of this schema, or an array it needs is missing or misshapen.
    public static func read(from url: URL) throws -> (description: Description, arrays: [String: NumpyArray]) {
        let (arrays, extras) = try NumpyArchive.readWithEntries(from: url)
        guard let json = extras[descriptionEntry] else {
            throw VarianceKitError.malformedFile(path: url.path, location: "the archive's entries", found: "no \(descriptionEntry)",
                                                 expected: "a VarianceKit checkpoint (an .npz with a \(descriptionEntry) entry)")
        }
        try JSONNesting.check(json, path: url.path, location: "entry \(descriptionEntry)", expected: "a \(schema) description")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let description: Description
        do {
            description = try decoder.decode(Description.self, from: json)
        } catch let error as VarianceKitError {
            throw VarianceKitError.malformedFile(path: url.path, location: "entry \(descriptionEntry)", found: "a value out of range (\(error))", expected: "the settings of a valid run")
        } catch {
            throw VarianceKitError.malformedFile(path: url.path, location: "entry \(descriptionEntry)", found: "JSON that does not decode (\(error))",
                                                 expected: "a \(schema) description")
        }
        guard description.schema == schema else {
            throw VarianceKitError.malformedFile(path: url.path, location: "entry \(descriptionEntry)", found: "schema \(description.schema)", expected: schema)
        }
        return (description, arrays)
    }

    /// The network saved in the checkpoint at `url`, with its parameters.
    ///
    /// - Throws: as `read(from:)`.
    public static func loadNetwork(from url: URL) throws -> Network {
        let (description, arrays) = try read(from: url)
        return try network(description, arrays, path: url.path)
    }

    /// A trainer that resumes the run saved at `url` on `data`: the same network, optimizer
    /// state, minibatch position and record, so that training on gives the bits an
    /// uninterrupted run would have.
    ///
    /// - Throws: as `read(from:)`; as `Trainer.init` when `data` does not fit the network;
    ///   `.malformedFile` for an optimizer state that does not fit its parameter.
    public static func resume(from url: URL, data: DatasetSplit) throws -> Trainer {
        let (description, arrays) = try read(from: url)
        let network = try network(description, arrays, path: url.path)
        let trainer = try Trainer(network: network, optimizerSettings: description.optimizer, data: data, settings: description.training)
        guard let optimizer = trainer.optimizer as? FusedOptimizer else { return trainer }
        let counts = Dictionary(description.optimizerState.map { ($0.parameter, $0.stepCount) }, uniquingKeysWith: { a, _ in a })
        var failure: Error?
        network.forEachParameter { id, values, _ in
            guard failure == nil else { return }
            let name = arrayName(id)
            guard let count = counts[name] else { return }
            do {
                func buffer(_ suffix: String) throws -> Matrix? { try arrays["optimizer.\(name).\(suffix)"]?.matrix() }
                let state = OptimizerState(stepCount: count, momentumBuffer: try buffer("momentum"),
                                           firstMoment: try buffer("first_moment"), secondMoment: try buffer("second_moment"))
                try optimizer.restoreState(state, for: id, rows: values.rows, columns: values.columns)
            } catch {
                failure = VarianceKitError.malformedFile(path: url.path, location: "the optimizer state of \(name)", found: "\(error)",
                                                         expected: "buffers of the parameter's shape for \(description.optimizer.algorithm.rawValue)")
            }
        }
        if let failure { throw failure }
        try trainer.resume(afterSteps: description.stepsTaken, record: description.record)
        return trainer
    }

    /// `layerL.weight` or `layerL.bias` (1-based).
    static func arrayName(_ id: ParameterID) -> String { "layer\(id.layer + 1).\(id.kind.rawValue)" }

    static func network(_ description: Description, _ arrays: [String: NumpyArray], path: String) throws -> Network {
        guard !description.layers.isEmpty else {
            throw VarianceKitError.malformedFile(path: path, location: "entry \(descriptionEntry)", found: "no layers", expected: "at least one layer")
        }
        let network: Network
        do {
            network = try Network(inputs: description.inputs, layers: description.layers.map {
                LayerDescription(outputs: $0.outputs, activation: $0.activation, weightInitializer: .xavierNormal(), bias: $0.bias)
            }, seed: 0)
        } catch {
            throw VarianceKitError.malformedFile(path: path, location: "entry \(descriptionEntry)", found: "layers that do not make a network (\(error))",
                                                 expected: "positive layer sizes")
        }
        for (index, layer) in network.layers.enumerated() {
            for kind in layer.hasBias ? [ParameterID.Kind.weight, .bias] : [.weight] {
                let name = arrayName(ParameterID(layer: index, kind: kind))
                guard let array = arrays[name] else {
                    throw VarianceKitError.malformedFile(path: path, location: "the archive's entries", found: "no \(name).npy", expected: "every layer's parameters")
                }
                do {
                    let matrix = try array.matrix()
                    if kind == .weight { try layer.setWeight(matrix) } else { try layer.setBias(matrix) }
                } catch {
                    throw VarianceKitError.malformedFile(path: path, location: "entry \(name).npy", found: "\(error)",
                                                         expected: kind == .weight ? "a \(layer.outputs) x \(layer.inputs) float32 array" : "a 1 x \(layer.outputs) float32 array")
                }
            }
        }
        return network
    }
}
