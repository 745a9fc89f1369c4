import Testing
import VarianceKit

@Suite struct OptimizerMeasurementTests {
    /// SGD reads w, g and writes w; momentum adds the buffer's read and write; Adam(W) read w, g,
    /// m, v and write w, m, v: 4 bytes each.
    @Test func bytesPerParameter() {
        let expected: [OptimizerMeasurement.Kind: Int] = [
            .sgd: 3 * 4, .sgdMomentumL2: 5 * 4, .sgdL2: 3 * 4, .sgdL1: 3 * 4, .adam: 7 * 4, .adamW: 7 * 4,
        ]
        for kind in OptimizerMeasurement.Kind.allCases { #expect(kind.bytesPerParameter == expected[kind]) }
        #expect(OptimizerMeasurement.Kind.allCases.map(\.rawValue) == ["sgd", "sgd-momentum-l2", "sgd-l2", "sgd-l1", "adam", "adamw"])
    }

    /// w and g, plus no state (SGD), a momentum buffer and its spare, or Adam's m and v and their spares.
    @Test(arguments: OptimizerMeasurement.Kind.allCases) func memoryRequirement(kind: OptimizerMeasurement.Kind) throws {
        // The state buffers and their spares, which the step writes the new state into.
        let state = [OptimizerMeasurement.Kind.sgdMomentumL2: 2, .adam: 4, .adamW: 4][kind] ?? 0
        #expect(OptimizerMeasurement.memoryRequirement(kind: kind, parameters: 8192).bytes == (2 + state) * 8192 * 4)
        let measurement = try OptimizerMeasurement(kind: kind, parameters: 8192, threads: 1)
        #expect(measurement.parameterCount == 8192)
        #expect(measurement.bytesPerStep == kind.bytesPerParameter * 8192)
        let result = try measurement.measure(repetitions: 2)
        #expect(result.bytesPerSecond > 0)
        #expect(abs(result.bytesPerSecond * result.step.median - Double(measurement.bytesPerStep)) < 1e-6 * Double(measurement.bytesPerStep))
    }

    @Test func parameterCountIsWholeRows() throws {
        #expect(try OptimizerMeasurement(kind: .sgd, parameters: 100, threads: 1).parameterCount == 100)
        #expect(try OptimizerMeasurement(kind: .sgd, parameters: 4096 * 2 + 5, threads: 1).parameterCount == 8192)
    }

    /// 2^30 Adam parameters need 24 GiB: refused against 1 GiB before anything is allocated.
    @Test func refusedWhenItDoesNotFit() throws {
        do {
            _ = try OptimizerMeasurement(kind: .adam, parameters: 1 << 30, threads: 1, availableBytes: 1 << 30)
            Issue.record("not refused")
        } catch let VarianceKitError.insufficientMemory(required, available, purpose) {
            #expect(required == 25_769_803_776)
            #expect(available == 1 << 30)
            #expect(purpose.hasPrefix("optimizer parameters = 1073741824"))
        }
    }

    @Test func buffersAreTheStepsBuffers() throws {
        let measurement = try OptimizerMeasurement(kind: .sgd, parameters: 4096, threads: 1, learningRate: 0.5)
        measurement.withUnsafeMutableBuffers { parameter, gradient in
            parameter.update(repeating: 1)
            gradient.update(repeating: 0.5)
        }
        try measurement.step()
        // w - η g = 1 - 0.5 · 0.5.
        #expect(measurement.parameter.elements.allSatisfy { $0 == 0.75 })
    }
}
