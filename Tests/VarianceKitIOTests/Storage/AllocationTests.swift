import Foundation
import Testing
@testable import VarianceKit

/// Sizes a user chose that cannot be allocated are thrown errors, with what was asked for, and
/// never traps.
@Suite struct AllocationTests {
    /// The error for a buffer of `bytes` the machine cannot give: `.insufficientMemory` against
    /// `MemAvailable` (or `.allocationFailed` where no budget can be read).
    static func expectRefused(_ error: any Error, bytes: Int, purpose: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        switch error as? VarianceKitError {
        case let .insufficientMemory(required, available, reportedPurpose)?:
            #expect(required == bytes && available < bytes && reportedPurpose == purpose, "\(error)", sourceLocation: sourceLocation)
            #expect(MemoryBudget.availableBytes() != nil, sourceLocation: sourceLocation)
        case let .allocationFailed(reportedBytes, reportedPurpose)?:
            #expect(reportedBytes == bytes && reportedPurpose == purpose, "\(error)", sourceLocation: sourceLocation)
        default:
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func hugeMatrixThrowsInsteadOfTrapping() throws {
        let error = try #require(throws: VarianceKitError.self) { try Matrix(rows: 1 << 30, columns: 1 << 30) }
        Self.expectRefused(error, bytes: 1 << 62, purpose: "a 1073741824 x 1073741824 matrix")
        let fromElements = try #require(throws: VarianceKitError.self) {
            try Matrix(rows: 1 << 40, columns: 1 << 10, repeating: 1)
        }
        Self.expectRefused(fromElements, bytes: 1 << 52, purpose: "a 1099511627776 x 1024 matrix")
        #expect(throws: VarianceKitError.self) { try Matrix.identity(1 << 31) }
    }

    @Test func overflowingShapesAreInvalidParameters() {
        for (rows, columns) in [(Int.max, 2), (1 << 31, 1 << 32), (1 << 62, 1)] {
            #expect(throws: VarianceKitError.invalidParameter(name: "shape", value: "\(rows) x \(columns)",
                                                               expected: "an element count that fits in memory")) {
                try Matrix(rows: rows, columns: columns)
            }
        }
    }

    /// Below the overflow of `Int`, a byte count that overflows is still refused by the storage
    /// itself (the one allocator of matrices and LAPACK workspaces).
    @Test func storageRefusesOverflowingCounts() {
        #expect(throws: VarianceKitError.allocationFailed(bytes: Int.max, purpose: "a test buffer")) {
            _ = try MatrixStorage(count: Int.max / 2, repeating: 0, purpose: "a test buffer")
        }
    }

    @Test func hugeDenseLayerThrows() throws {
        let error = try #require(throws: VarianceKitError.self) { try Dense(inputs: 1 << 20, outputs: 1 << 20) }
        Self.expectRefused(error, bytes: 2 * ((1 << 40) + (1 << 20)) * 4,
                           purpose: "Dense(inputs: 1048576, outputs: 1048576): its weight, bias and their gradients")
        // The weight fits in Int, the weight, bias and gradients do not.
        #expect(throws: VarianceKitError.invalidParameter(name: "Dense shape", value: "1 x \(1 << 60)",
                                                           expected: "a parameter count whose bytes fit in Int")) {
            try Dense(inputs: 1 << 60, outputs: 1)
        }
    }

    @Test func hugeNetworkThrowsNamingTheLayer() throws {
        let error = try #require(throws: VarianceKitError.self) {
            try Network(widths: [1 << 20, 1 << 20], activation: .relu, initializer: .heNormal(.relu), seed: 1)
        }
        guard case let .inLayer(layer, layers, underlying) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(layer == 1 && layers == 1)
        Self.expectRefused(underlying, bytes: 2 * ((1 << 40) + (1 << 20)) * 4,
                           purpose: "Dense(inputs: 1048576, outputs: 1048576): its weight, bias and their gradients")
        // A later layer too large: the first is built and released, the error names the second.
        let second = try #require(throws: VarianceKitError.self) {
            try Network(widths: [4, 1 << 19, 1 << 19], activation: .tanh, initializer: .standard, seed: 1)
        }
        guard case .inLayer(layer: 2, layers: 2, underlying: _) = second else {
            Issue.record("unexpected error \(second)")
            return
        }
    }

    /// `Initializer.fill` with a fan of `Int.max` computes its formula instead of trapping.
    @Test(arguments: Initializer.allDefaults)
    func hugeFansDoNotTrap(initializer: Initializer) throws {
        var matrix = try Matrix(rows: 3, columns: 4, repeating: 9)
        for (fanIn, fanOut) in [(Int.max, 3), (4, Int.max), (Int.max, Int.max)] {
            do {
                try initializer.fill(&matrix, fanIn: fanIn, fanOut: fanOut, seed: 1)
                #expect(matrix.elements.allSatisfy { $0.isFinite })
                let variance = try #require(initializer.targetVariance(fanIn: fanIn, fanOut: fanOut))
                #expect(variance.isFinite && variance >= 0)
            } catch let error as VarianceKitError {
                // The schemes defined by the shape refuse fans that are not the matrix's.
                guard case .shapeMismatch = error else { Issue.record("\(initializer): \(error)"); continue }
                #expect([Initializer.orthogonal(gain: 1), .identity(), .sparse(sparsity: 0.1, standardDeviation: 0.01)].contains(initializer))
            }
        }
        let lecun = try #require(Initializer.lecunNormal.targetVariance(fanIn: Int.max, fanOut: 1))
        #expect(lecun == 1 / Double(Int.max))
        let he = try #require(Initializer.heUniform(mode: .fanAverage, gain: 2).targetVariance(fanIn: Int.max, fanOut: Int.max))
        #expect(he == 4 / Double(Int.max))
    }
}

@Suite(.serialized) struct WorkspaceAllocationTests {
    /// A batch whose workspaces exceed the memory available is refused with the typed error,
    /// and the network keeps its previous batch's workspaces.
    @Test func hugeBatchIsRefusedAndTheNetworkKeepsItsState() throws {
        let network = try Network(widths: [1, 64, 2], activation: .tanh, initializer: .xavierNormal(), seed: 1)
        var random = TestRandom(seed: 1)
        let small = random.matrix(3, 1)
        let before = try network.forward(small)
        // 2^24 rows of one feature: the input is 64 MiB, its workspaces about 13 GiB.
        let rows = 1 << 24
        let input = try Matrix(rows: rows, columns: 1)
        let needed = Network.memoryFootprint(widths: [1, 64, 2], batchSize: rows).workspaces
        #expect(needed > 8 << 30)
        do {
            try MemoryBudgetOverride.with(bytes: 1 << 30) { _ = try network.forward(input) }
            Issue.record("not refused")
        } catch let VarianceKitError.insufficientMemory(required, available, purpose) {
            #expect(required == needed && available == 1 << 30)
            #expect(purpose.contains("\(rows) rows"))
        }
        #expect(network.batchSize == 3)
        #expect(try network.forward(small) == before)
    }
}

/// Sets `VARIANCEKIT_MEMORY_AVAILABLE_BYTES` for the duration of `body` (tests in a serialized suite).
enum MemoryBudgetOverride {
    static func with<R>(bytes: Int, _ body: () throws -> R) rethrows -> R {
        let previous = ProcessInfo.processInfo.environment[MemoryBudget.overrideVariable]
        setenv(MemoryBudget.overrideVariable, "\(bytes)", 1)
        defer {
            if let previous { setenv(MemoryBudget.overrideVariable, previous, 1) } else { unsetenv(MemoryBudget.overrideVariable) }
        }
        return try body()
    }
}
