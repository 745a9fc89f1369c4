import Foundation
import Synchronization
import Testing
@testable import VarianceKit

/// `ThreadPolicy.deterministic`: fixed column blocks, products against a Double reference, and a
/// network's passes, gradients and optimizer steps bit for bit at 1, 2, 3 and 5 threads. Part of
/// `ThreadPolicyTests` (an extension), so serialized with the other tests that change the
/// process-wide policy.
extension ThreadPolicyTests {
    /// Runs `body` with `ThreadPolicy.deterministic` on, then restores it.
    static func deterministically<Result>(_ body: () throws -> Result) rethrows -> Result {
        let original = ThreadPolicy.deterministic
        ThreadPolicy.setDeterministic(true)
        defer { ThreadPolicy.setDeterministic(original) }
        return try body()
    }

    /// The blocks of `columns` columns, restated: `⌈columns / 512⌉` of them, in order, covering
    /// every column once, each nonempty and at most 512 wide, every boundary but the last a
    /// multiple of 16.
    @Test(arguments: [1, 15, 16, 17, 300, 511, 512, 513, 1024, 1100, 2048, 2049, 5000])
    func columnBlocksCoverTheColumnsInOrder(columns: Int) {
        let blocks = BLAS.columnBlocks(columns: columns)
        #expect(blocks.count == (columns + 511) / 512)
        var next = 0
        for index in 0..<blocks.count {
            let range = blocks.columns(ofBlock: index)
            #expect(range.lowerBound == next)
            #expect(!range.isEmpty && range.count <= 512)
            #expect(range.lowerBound % 16 == 0)
            next = range.upperBound
        }
        #expect(next == columns)
    }

    /// How many threads a product's blocks get: `min(threads, blocks)`.
    @Test func blocksAreSharedByAtMostOneThreadEach() {
        #expect(BLAS.columnBlockWorkerCount(columns: 1100, threads: 1) == 1)
        #expect(BLAS.columnBlockWorkerCount(columns: 1100, threads: 2) == 2)
        #expect(BLAS.columnBlockWorkerCount(columns: 1100, threads: 5) == 3)
        #expect(BLAS.columnBlockWorkerCount(columns: 300, threads: 5) == 1)
    }

    /// `withBLASThreadCount` nests on one thread and sets back the count it found.
    @Test func blasThreadCountNestsAndRestores() throws {
        _ = try Self.withEachCount([2]) { _ in
            let settled = ThreadPolicy.settledBLASThreadCount
            ThreadPolicy.withBLASThreadCount(1) {
                #expect(BLAS.threadCount == 1)
                ThreadPolicy.withBLASThreadCount(2) { #expect(BLAS.threadCount == 2) }
                #expect(BLAS.threadCount == 1)
            }
            #expect(ThreadPolicy.settledBLASThreadCount == settled)
        }
    }

    /// A single-threaded section on one thread sees one OpenBLAS thread from start to end while
    /// another thread runs `LAPACK.orthonormalize` over and over (each run sets OpenBLAS to one
    /// thread and back to the count it found): sections take turns, so neither's change of the
    /// process-wide count lands inside the other.
    @Test func singleThreadedSectionsAreNotUndoneByAnotherThread() throws {
        _ = try Self.withEachCount([2]) { _ in
            let stop = Atomic<Bool>(false)
            let finished = DispatchSemaphore(value: 0)
            let source = try Matrix(rows: 12, columns: 40, repeating: 0)
            var gaussian = source
            try RandomFill.normal(&gaussian, seed: 4, stream: 9, threads: 1)
            let template = gaussian
            let other = Thread {
                while !stop.load(ordering: .relaxed) {
                    var copy = template
                    _ = try? LAPACK.orthonormalize(&copy, threads: 1)
                }
                finished.signal()
            }
            other.start()
            var readsOfAnotherCount = 0, reads = 0
            let deadline = Date().addingTimeInterval(1.5)
            while Date() < deadline {
                ThreadPolicy.withBLASThreadCount(1) {
                    for _ in 0..<200 {
                        reads += 1
                        if BLAS.threadCount != 1 { readsOfAnotherCount += 1 }
                    }
                }
            }
            stop.store(true, ordering: .relaxed)
            finished.wait()
            #expect(readsOfAnotherCount == 0, "\(readsOfAnotherCount) of \(reads) reads inside a one-thread section saw another count")
            #expect(ThreadPolicy.settledBLASThreadCount == 2)
        }
    }

    /// `C = alpha op(A) op(B) + beta C` for the four transpose cases, with a ragged last block
    /// and padded row strides: within `1e-5` (relative, Frobenius) of naive Double loops, and the
    /// same bits at 1, 2, 3 and 5 threads.
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func deterministicProductMatchesDoubleReference(transposeA: Bool, transposeB: Bool) throws {
        let (m, n, k) = (23, 1100, 301)
        let (alpha, beta): (Float, Float) = (0.75, -0.5)
        var random = TestRandom(seed: 77)
        // Stored shapes, each with 3 columns of padding beyond what op() reads.
        let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
        let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
        let a = random.matrix(aRows, aColumns + 3), b = random.matrix(bRows, bColumns + 3)
        let start = random.matrix(m, n + 3)
        func opA(_ i: Int, _ l: Int) -> Double { Double(transposeA ? a[l, i] : a[i, l]) }
        func opB(_ l: Int, _ j: Int) -> Double { Double(transposeB ? b[j, l] : b[l, j]) }
        var expected = [Double](), reference = [Double]()
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for l in 0..<k { sum += opA(i, l) * opB(l, j) }
                expected.append(Double(alpha) * sum + Double(beta) * Double(start[i, j]))
            }
        }
        var results = [[UInt32]]()
        for threads in [1, 2, 3, 5] {
            var c = start
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        BLAS.uncheckedDeterministicSgemm(
                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                            a: pa.baseAddress!, lda: aColumns + 3, b: pb.baseAddress!, ldb: bColumns + 3,
                            beta: beta, c: pc.baseAddress!, ldc: n + 3, threads: threads)
                    }
                }
            }
            if threads == 1 {
                reference = (0..<m).flatMap { i in (0..<n).map { j in Double(c[i, j]) } }
                // The padding columns are left alone.
                #expect((0..<m).allSatisfy { i in (n..<(n + 3)).allSatisfy { c[i, $0] == start[i, $0] } })
            }
            results.append(Self.bits(c))
        }
        #expect(relativeError(reference, expected) < 1e-5)
        for (index, threads) in [2, 3, 5].enumerated() {
            #expect(results[index + 1] == results[0], "\(threads) threads")
        }
    }

    /// A network shape for the bit-identity tests.
    struct Shape: Sendable, CustomStringConvertible {
        var widths: [Int]
        var batch: Int
        var activation: Activation
        var description: String { "\(widths), batch \(batch), \(activation)" }
    }

    /// Widths that are not multiples of the 512-column blocks (600, 1030 in three blocks, 513,
    /// 520), widths within one block, and batches that are not multiples of anything.
    static let deterministicShapes = [
        Shape(widths: [600, 1030, 10], batch: 11, activation: .tanh),
        Shape(widths: [513, 520, 33], batch: 45, activation: .relu),
        Shape(widths: [40, 24, 5], batch: 9, activation: .linear),
    ]

    /// Everything one deterministic training run produces, as bits.
    struct RunBits: Equatable {
        var output: [UInt32]
        var layers: [[[UInt32]]]        // per layer: Z, A, dL/dZ, dW, db
        var inputGradient: [UInt32]
        var loss: UInt64
        var weightsAfterSteps: [[UInt32]]
    }

    /// At 1, 2, 3 and 5 policy threads with `deterministic` on: the output, every `Z`, `A`,
    /// `dL/dZ`, `dW`, `db` and `dL/dX` of one forward and backward pass, and every weight and
    /// bias after three AdamW steps (forward, backward, step), bit for bit. The 1-thread pass is
    /// checked against the Double reference network: output and loss within `1e-5`, `dW`, `db`
    /// and `dL/dX` within `1e-4` (relative, Frobenius).
    @Test(arguments: deterministicShapes)
    func networkPassesAndStepsAreBitIdenticalAcrossThreadCounts(_ shape: Shape) throws {
        var random = TestRandom(seed: 31)
        let input = random.matrix(shape.batch, shape.widths[0])
        let targets = random.matrix(shape.batch, shape.widths.last!)
        let depth = shape.widths.count - 1
        let widest = shape.widths.max()!
        var reference: ReferenceNetwork?
        let runs = try Self.deterministically {
            try Self.withEachCount([1, 2, 3, 5]) { count -> RunBits in
                let blocks = BLAS.columnBlocks(columns: widest).count
                #expect(BLAS.columnBlockWorkerCount(columns: widest, threads: count) == min(count, blocks))
                let network = try NetworkFixture.make(
                    widths: shape.widths, activations: Array(repeating: shape.activation, count: depth), bias: true, seed: 8)
                if count == 1 { reference = ReferenceNetwork(network) }
                try network.forward(input)
                let loss = try network.backward(loss: .meanSquaredError(targets: targets), computeInputGradient: true)
                var run = RunBits(
                    output: Self.bits(network.output),
                    layers: network.layers.indices.map { index in
                        [Self.bits(network.preActivation(ofLayer: index)), Self.bits(network.activation(ofLayer: index)),
                         Self.bits(network.preActivationGradient(ofLayer: index)), Self.bits(network.layers[index].weightGradient),
                         network.layers[index].biasGradient.map(Self.bits) ?? []]
                    },
                    inputGradient: Self.bits(try #require(network.inputGradient)),
                    loss: loss.bitPattern, weightsAfterSteps: [])
                if count == 1, let reference {
                    let x = input.doubleRows
                    let referenceLoss = ReferenceLoss.meanSquaredError(targets.doubleRows)
                    let expected = reference.backward(x, referenceLoss)
                    #expect(relativeError(network.output.doubleElements, reference.forward(x).a.last!.flatMap { $0 }) < 1e-5)
                    #expect(Swift.abs(loss - reference.loss(x, referenceLoss)) <= 1e-5 * Swift.abs(reference.loss(x, referenceLoss)))
                    for index in 0..<depth {
                        #expect(relativeError(network.layers[index].weightGradient.doubleElements, expected.dw[index].flatMap { $0 }) < 1e-4,
                                "dW of layer \(index + 1)")
                        #expect(relativeError(try #require(network.layers[index].biasGradient).doubleElements, expected.db[index]) < 1e-4,
                                "db of layer \(index + 1)")
                    }
                    // dL/dX = dL/dZ₁ W₁, from the reference's dZ of the first layer.
                    let w = reference.weights[0]
                    let inputGradient = expected.dz[0].flatMap { row in
                        (0..<shape.widths[0]).map { i in row.indices.reduce(0.0) { $0 + row[$1] * w[$1][i] } }
                    }
                    #expect(relativeError(try #require(network.inputGradient).doubleElements, inputGradient) < 1e-4)
                }
                let optimizer = try AdamW(learningRate: 0.01, weightDecay: 0.1)
                try optimizer.step(network)
                for _ in 0..<2 {
                    try network.forward(input)
                    try network.backward(loss: .meanSquaredError(targets: targets))
                    try optimizer.step(network)
                }
                run.weightsAfterSteps = network.layers.flatMap { [Self.bits($0.weight), Self.bits($0.bias!)] }
                return run
            }
        }
        for (index, count) in [2, 3, 5].enumerated() {
            let run = runs[index + 1]
            #expect(Self.difference(run.output, runs[0].output) == nil, "output at \(count) threads")
            #expect(run.loss == runs[0].loss, "loss at \(count) threads")
            for layer in 0..<depth {
                for (tensor, name) in ["Z", "A", "dL/dZ", "dW", "db"].enumerated() {
                    #expect(Self.difference(run.layers[layer][tensor], runs[0].layers[layer][tensor]) == nil, "\(name) of layer \(layer + 1) at \(count) threads")
                }
            }
            #expect(Self.difference(run.inputGradient, runs[0].inputGradient) == nil, "dL/dX at \(count) threads")
            #expect(Self.difference(run.weightsAfterSteps, runs[0].weightsAfterSteps) == nil, "weights after 3 steps at \(count) threads")
        }
        // The steps moved the weights (the comparison above is not between untouched copies).
        let untouched = try NetworkFixture.make(
            widths: shape.widths, activations: Array(repeating: shape.activation, count: depth), bias: true, seed: 8)
        #expect(Self.bits(untouched.layers[0].weight) != runs[0].weightsAfterSteps[0])
    }
}

extension ThreadPolicyTests {
    /// nil when `a` and `b` are equal; else where they first differ and how many elements do,
    /// short enough for a failure message (comparing the arrays in `#expect` would print and diff
    /// every element, which takes minutes for the large ones).
    static func difference<Element: Equatable>(_ a: [Element], _ b: [Element]) -> String? {
        guard a != b else { return nil }
        guard a.count == b.count else { return "\(a.count) elements against \(b.count)" }
        let differing = a.indices.filter { a[$0] != b[$0] }
        return "\(differing.count) of \(a.count) elements differ, the first at index \(differing[0])"
    }
}
