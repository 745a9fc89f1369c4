import Foundation
import Testing
@testable import VarianceKit

/// The copy of a shared buffer that a write needs is allocated through `makeUniqueStorage()`,
/// so that it is checked against the memory budget and refused with a thrown error. Run in a
/// child process: the budget is lowered there (`VARIANCEKIT_MEMORY_AVAILABLE_BYTES`) without
/// touching the tests that run beside it.
@Suite struct CopyOnWriteAllocationTests {
    @Test func writesIntoASharedMatrixThrowWhenItsCopyIsRefused() async {
        await #expect(processExitsWith: .success) {
            // The status is taken once every object of the check is released, so that the
            // LeakSanitizer of `make sanitize-address`, which runs at exit, finds nothing.
            exit(Self.refusedCopyStatus())
        }
    }

    /// 0 when every write into a shared 4096 x 4096 matrix is refused under a 1000-byte budget and
    /// leaves both copies' elements as they were; else a status that says which check failed.
    static func refusedCopyStatus() -> Int32 {
        // 4096 x 4096 floats are 64 MiB: large enough to be checked against the budget.
        var original = try! Matrix(rows: 4096, columns: 4096, repeating: 1)
        var copy = original
        setenv(MemoryBudget.overrideVariable, "1000", 1)
        func refused(_ body: () throws -> Void) -> Bool {
            do { try body() } catch VarianceKitError.insufficientMemory(required: 1 << 26, available: 1000, purpose: _) {
                return true
            } catch { return false }
            return false
        }
        let calls: [(String, () throws -> Void)] = [
            ("makeUniqueStorage", { try copy.makeUniqueStorage() }),
            ("RandomFill.normal", { try RandomFill.normal(&copy, seed: 1) }),
            ("Initializer.zeros.fill", { try Initializer.zeros.fill(&copy, fanIn: 4096, fanOut: 4096, seed: 1) }),
            ("BLAS.scal", { try BLAS.scal(2, &copy) }),
            ("Penalty.softThreshold", { _ = try Penalty.softThreshold(&copy, threshold: 0.5) }),
        ]
        for (name, call) in calls where !refused(call) {
            print("\(name) did not throw insufficientMemory")
            return 1
        }
        // Nothing was written: both still share the original elements.
        guard copy == original, copy[4095, 4095] == 1 else { return 2 }
        unsetenv(MemoryBudget.overrideVariable)
        try! copy.makeUniqueStorage()
        copy[0, 0] = 5
        guard original[0, 0] == 1 else { return 3 }
        original[0, 0] = 2
        return 0
    }

    /// An optimizer's first step on a parameter whose state (with its spare buffers) does not
    /// fit is refused before anything is written: the weights keep their values and no state is
    /// kept.
    @Test func optimizerStateThatDoesNotFitIsRefused() async {
        await #expect(processExitsWith: .success) {
            exit(Self.refusedOptimizerStateStatus())
        }
    }

    /// 0 when AdamW and momentum SGD refuse a first step on a 4096 x 4096 parameter under a
    /// 1000-byte budget, naming their state, with the weights untouched; else which check failed.
    static func refusedOptimizerStateStatus() -> Int32 {
        var weights = try! Matrix(rows: 4096, columns: 4096, repeating: 0.5)
        var gradient = try! Matrix(rows: 4096, columns: 4096, repeating: 0.25)
        setenv(MemoryBudget.overrideVariable, "1000", 1)
        defer { unsetenv(MemoryBudget.overrideVariable) }
        let id = ParameterID(layer: 0, kind: .weight)
        for (status, optimizer, name) in [(Int32(1), try! AdamW(learningRate: 0.01) as any Optimizer, "AdamW"),
                                          (Int32(4), try! SGD(learningRate: 0.01, momentum: 0.9), "SGD")] {
            do {
                try optimizer.step(parameter: &weights, gradient: &gradient, id: id)
                return status
            } catch VarianceKitError.insufficientMemory(required: 1 << 26, available: 1000, let purpose) {
                guard purpose.hasPrefix("\(name)'s state for layer 1 weight") else {
                    print("purpose: \(purpose)")
                    return status + 1
                }
            } catch {
                print("\(error)")
                return status + 1
            }
            guard optimizer.state(for: id) == nil, weights[0, 0] == 0.5, weights[4095, 4095] == 0.5,
                  gradient[4095, 4095] == 0.25 else { return status + 2 }
        }
        return 0
    }

    /// A network's forward and backward passes and an optimizer step make the buffers they
    /// write their own first, so a caller's copy of a workspace or weight keeps its values.
    @Test func heldCopiesOfNetworkBuffersKeepTheirValues() throws {
        let network = try Network(widths: [3, 4, 2], activation: .tanh, initializer: .xavierNormal(), seed: 1)
        var random = TestRandom(seed: 2)
        try network.forward(random.matrix(5, 3))
        try network.backward(loss: .quadratic)
        let preActivation = network.preActivation(ofLayer: 0)
        let gradient = network.preActivationGradient(ofLayer: 1)
        let weight = network.layers[0].weight
        let (before, gradientBefore, weightBefore) = (preActivation.elements, gradient.elements, weight.elements)
        try network.forward(random.matrix(5, 3))
        try network.backward(loss: .quadratic)
        _ = try SGD(learningRate: 0.1).step(network)
        #expect(preActivation.elements == before && gradient.elements == gradientBefore && weight.elements == weightBefore)
        #expect(network.layers[0].weight.elements != weightBefore)
    }
}
