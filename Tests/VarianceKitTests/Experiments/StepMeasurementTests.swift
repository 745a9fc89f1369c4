import Testing
import VarianceKit

/// The bare products against naive Double loops, and the memory figure against an independent count.
@Suite struct StepMeasurementTests {
    static let tiny = StepMeasurement.Configuration(depth: 2, width: 8, batch: 4, activation: .tanh, seed: 7)

    /// `Z[i, j] = Σ_k X[i, k] W[j, k]` (`Z = X Wᵀ`).
    static func forward(_ x: [[Double]], _ w: [[Double]]) -> [[Double]] {
        x.indices.map { i in w.indices.map { j in x[i].indices.reduce(0) { $0 + x[i][$1] * w[j][$1] } } }
    }

    /// `dW[i, j] = Σ_r dZ[r, i] X[r, j]` (`dW = dZᵀ X`).
    static func weightGradient(_ dz: [[Double]], _ x: [[Double]]) -> [[Double]] {
        dz[0].indices.map { i in x[0].indices.map { j in dz.indices.reduce(0) { $0 + dz[$1][i] * x[$1][j] } } }
    }

    /// `dX[i, j] = Σ_k dZ[i, k] W[k, j]` (`dX = dZ W`).
    static func inputGradient(_ dz: [[Double]], _ w: [[Double]]) -> [[Double]] {
        dz.indices.map { i in w[0].indices.map { j in w.indices.reduce(0) { $0 + dz[i][$1] * w[$1][j] } } }
    }

    static func rows(_ m: Matrix) -> [[Double]] {
        (0..<m.rows).map { r in (0..<m.columns).map { Double(m[r, $0]) } }
    }

    static func expectClose(_ actual: Matrix, _ expected: [[Double]], _ what: String) {
        #expect(actual.rows == expected.count && actual.columns == expected[0].count, "\(what): shape")
        let worst = (0..<actual.rows).flatMap { r in (0..<actual.columns).map { abs(Double(actual[r, $0]) - expected[r][$0]) } }.max() ?? 0
        #expect(worst < 1e-4, "\(what): largest difference \(worst)")
    }

    @Test func eachProductComputesItsFormula() throws {
        let measurement = try StepMeasurement(Self.tiny)
        let x = Self.rows(measurement.input)
        let dz = Self.rows(measurement.outputGradient)
        let w = measurement.network.layers.map { Self.rows($0.weight) }
        #expect(x.count == 4 && x[0].count == 8 && w[1].count == 8 && w[1][0].count == 8)

        try measurement.run(.forward, layer: 0)
        let z1 = Self.forward(x, w[0])
        Self.expectClose(measurement.lastOutput(of: .forward, layer: 0), z1, "Z1 = X W1^T")
        try measurement.run(.forward, layer: 1)
        Self.expectClose(measurement.lastOutput(of: .forward, layer: 1), Self.forward(z1, w[1]), "Z2 = Z1 W2^T")
        try measurement.run(.weightGradient, layer: 1)
        Self.expectClose(measurement.lastOutput(of: .weightGradient, layer: 1), Self.weightGradient(dz, z1), "dW2 = dZ^T Z1")
        try measurement.run(.inputGradient, layer: 1)
        Self.expectClose(measurement.lastOutput(of: .inputGradient, layer: 1), Self.inputGradient(dz, w[1]), "dX = dZ W2")
        #expect(throws: VarianceKitError.self) { try measurement.run(.forward, layer: 2) }
    }

    /// The whole sequence ends with the first layer's `dW = dZᵀ X` (no `dX` below it) and leaves
    /// the top layer's `dX = dZ W` from before.
    @Test func bareProductsRunTheStepsSequence() throws {
        let measurement = try StepMeasurement(Self.tiny)
        try measurement.bareProducts()
        let x = Self.rows(measurement.input), dz = Self.rows(measurement.outputGradient)
        let w = measurement.network.layers.map { Self.rows($0.weight) }
        let z1 = Self.forward(x, w[0])
        Self.expectClose(measurement.lastOutput(of: .forward, layer: 1), Self.forward(z1, w[1]), "Z2")
        Self.expectClose(measurement.lastOutput(of: .weightGradient, layer: 0), Self.weightGradient(dz, x), "dW1")
        Self.expectClose(measurement.lastOutput(of: .inputGradient, layer: 1), Self.inputGradient(dz, w[1]), "dX of layer 2")
        let timing = try measurement.measureStep(repetitions: 2)
        #expect(timing.productFlops == Double(3 * 2 - 1) * 2 * 4 * 8 * 8)
        #expect(timing.step.best > 0 && timing.step.best <= timing.step.median)
        #expect(abs(timing.probeOverStep - timing.probe.median / timing.step.median) < 1e-12)
    }

    @Test func productsNameTheirShapes() throws {
        let timings = try StepMeasurement(Self.tiny).measureProducts(repetitions: 1)
        #expect(timings.map(\.product.description) == ["forward Z = X W^T", "backward dW = dZ^T X", "backward dX = dZ W"])
        #expect(timings.map { [$0.m, $0.n, $0.k] } == [[4, 8, 8], [8, 8, 4], [4, 8, 8]])
    }

    /// Counted here from the shapes: the network holds per layer W, dW (8 x 8), b, db (1 x 8) and
    /// Z, A, dL/dZ (4 x 8), plus its input copy and readout (4 x 8); the bare products X, Z1, Z2,
    /// dZ, dX (4 x 8) and one dW (8 x 8).
    @Test(arguments: [false, true]) func memoryRequirementIsWhatIsAllocated(bias: Bool) throws {
        var configuration = Self.tiny
        configuration.bias = bias
        let (depth, width, batch) = (2, 8, 4)
        let network = depth * (2 * width * width + 2 * width + 3 * batch * width) + 2 * batch * width
        let products = (depth + 3) * batch * width + width * width
        let requirement = StepMeasurement.memoryRequirement(for: configuration)
        #expect(requirement.elements == network + products)
        #expect(requirement.bytes == 4 * (network + products))
        let measurement = try StepMeasurement(configuration)
        let footprint = measurement.network.memoryFootprint
        #expect(footprint.parameters + footprint.gradients + footprint.workspaces == 4 * network)
    }

    @Test func refusedWhenItDoesNotFit() throws {
        let requirement = StepMeasurement.memoryRequirement(for: Self.tiny)
        try requirement.check(availableBytes: requirement.bytes)
        try requirement.check(availableBytes: nil)
        #expect(throws: VarianceKitError.self) { try requirement.check(availableBytes: requirement.bytes - 1) }
        // A shape of terabytes is refused before anything is allocated.
        let huge = StepMeasurement.Configuration(depth: 1000, width: 16384, batch: 65536)
        do {
            _ = try StepMeasurement(huge, availableBytes: 1 << 30)
            Issue.record("a \(StepMeasurement.memoryRequirement(for: huge).bytes)-byte measurement was not refused")
        } catch let VarianceKitError.insufficientMemory(required, available, purpose) {
            #expect(required == StepMeasurement.memoryRequirement(for: huge).bytes)
            #expect(available == 1 << 30)
            #expect(purpose.hasPrefix("network shape = depth 1000, width 16384, batch 65536"))
        }
        #expect(throws: VarianceKitError.invalidParameter(name: "batch", value: "0", expected: "an integer >= 1")) {
            try StepMeasurement(.init(depth: 1, width: 4, batch: 0))
        }
    }
}
