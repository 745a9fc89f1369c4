import Foundation
import Testing
@testable import VarianceKit

@Suite struct CheckpointTests {
    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("variancekit-checkpoint-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)-\(name)")
    }

    func makeTrainer(_ algorithm: OptimizerSettings.Algorithm, steps: Int) throws -> Trainer {
        let network = try Network(widths: [6, 12, 12, 2], activation: .tanh, initializer: .xavierNormal(), outputActivation: .linear, seed: 4)
        let settings = try OptimizerSettings(algorithm: algorithm, learningRate: algorithm == .sgd || algorithm == .momentum ? 0.05 : 0.005,
                                             penalty: PenaltySettings(l2: 0.001), weightDecay: algorithm == .adamw ? 0.01 : 0)
        return try Trainer(network: network, optimizerSettings: settings, data: blobSplit(),
                           settings: TrainingSettings(batchSize: 16, steps: steps, evaluateEvery: 50, shuffleSeed: 9))
    }

    /// Training 200 steps gives the same bits as training 100, saving, loading and training 100
    /// more (several epochs of 9 batches, so the minibatch order resumes mid-epoch).
    @Test(arguments: [OptimizerSettings.Algorithm.sgd, .momentum, .adam, .adamw])
    func resumeIsBitIdentical(algorithm: OptimizerSettings.Algorithm) throws {
        let whole = try makeTrainer(algorithm, steps: 200)
        try whole.train()

        let first = try makeTrainer(algorithm, steps: 200)
        try first.train(steps: 100)
        let url = Self.temporaryFile("resume.npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint.save(first, to: url)
        let resumed = try Checkpoint.resume(from: url, data: blobSplit())
        #expect(resumed.stepsTaken == 100)
        try resumed.train()
        #expect(resumed.stepsTaken == 200)
        for (a, b) in zip(whole.network.layers, resumed.network.layers) {
            #expect(a.weight == b.weight)
            #expect(a.bias! == b.bias!)
        }
        #expect(resumed.record.points.map(\.step) == whole.record.points.map(\.step))
        #expect(resumed.record.test == whole.record.test)
    }

    @Test func savedNetworkLoadsWithTheSameParametersAndDescription() throws {
        let trainer = try makeTrainer(.adam, steps: 10)
        try trainer.train()
        let url = Self.temporaryFile("network.npz")
        defer { try? FileManager.default.removeItem(at: url) }
        let standardization = try Standardization(means: [1, 2, 3, 4, 5, 6], scales: [1, 1, 2, 2, 3, 3])
        try Checkpoint.save(trainer, to: url, standardization: standardization)
        let loaded = try Checkpoint.loadNetwork(from: url)
        #expect(loaded.widths == trainer.network.widths)
        for (a, b) in zip(loaded.layers, trainer.network.layers) {
            #expect(a.weight == b.weight)
            #expect(a.activation == b.activation)
        }
        let (description, arrays) = try Checkpoint.read(from: url)
        #expect(description.standardization == standardization)
        #expect(description.optimizerState.count == 6)
        #expect(description.optimizerState.allSatisfy { $0.stepCount == 10 })
        #expect(arrays["optimizer.layer1.weight.first_moment"] != nil)
        #expect(arrays["optimizer.layer3.bias.second_moment"] != nil)
    }

    /// numpy reads the arrays and the JSON description (skipped without python3 and numpy).
    @Test func numpyReadsTheCheckpoint() throws {
        guard Self.pythonHasNumpy() else {
            print("skipped: python3 with numpy is not available")
            return
        }
        let trainer = try makeTrainer(.momentum, steps: 5)
        try trainer.train()
        let url = Self.temporaryFile("numpy.npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint.save(trainer, to: url)
        let script = """
            import json, sys, numpy
            a = numpy.load(sys.argv[1])
            d = json.loads(a["checkpoint.json"])
            w = a["layer2.weight"]
            m = a["optimizer.layer2.weight.momentum"]
            print(d["schema"], d["stepsTaken"], w.dtype, w.shape[0], w.shape[1], repr(float(w[3, 5])), m.shape[0])
            """
        let output = try Self.python(script, arguments: [url.path])
        let fields = output.split(separator: " ").map(String.init)
        #expect(fields.count == 7)
        #expect(fields[0] == Checkpoint.schema)
        #expect(fields[1] == "5")
        #expect(fields[2] == "float32")
        #expect(fields[3] == "12" && fields[4] == "12")
        #expect(Float(fields[5]) == trainer.network.layers[1].weight[3, 5])
        #expect(fields[6] == "12")
    }

    @Test func brokenCheckpointsAreRefusedWithTheirPath() throws {
        let url = Self.temporaryFile("broken.npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("not a zip file".utf8).write(to: url)
        #expect { try Checkpoint.resume(from: url, data: blobSplit()) } throws: { "\($0)".contains(url.path) }
        // An archive of arrays without the description.
        try NumpyArchive.write(["layer1.weight": NumpyArray(try Matrix(rows: 2, columns: 2))], to: url)
        #expect { try Checkpoint.loadNetwork(from: url) } throws: { "\($0)".contains("checkpoint.json") }
        // A checkpoint whose network does not fit the data.
        let trainer = try makeTrainer(.sgd, steps: 3)
        try trainer.train()
        try Checkpoint.save(trainer, to: url)
        var random = TestRandom(seed: 2)
        let other = try Dataset(name: "other", features: random.matrix(40, 5), targets: .classes(labels: (0..<40).map { $0 % 2 }, classCount: 2))
        #expect(throws: VarianceKitError.self) { try Checkpoint.resume(from: url, data: other.split(validationFraction: 0, testFraction: 0, seed: 1)) }
        // A missing file.
        #expect(throws: VarianceKitError.self) { try Checkpoint.loadNetwork(from: Self.temporaryFile("missing.npz")) }
    }

    @Test func aTrainerWithoutSettingsCannotBeSaved() throws {
        let network = try Network(widths: [6, 2], activation: .linear, initializer: .xavierNormal(), seed: 1)
        let trainer = try Trainer(network: network, optimizer: SGD(learningRate: 0.1), data: blobSplit(),
                                  settings: TrainingSettings(batchSize: 8, steps: 2, evaluateEvery: 2))
        #expect(throws: VarianceKitError.self) { try Checkpoint.save(trainer, to: Self.temporaryFile("x.npz")) }
    }

    static func pythonHasNumpy() -> Bool {
        (try? python("import numpy; print('ok')", arguments: [])) == "ok"
    }

    static func python(_ script: String, arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
