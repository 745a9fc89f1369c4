import Foundation
import Testing
@testable import VarianceKit

/// The fused optimizer kernels on every path the processor runs (`KernelPath`: AVX-512, AVX2,
/// the Swift SIMD8 loops): for plain SGD, momentum (plain, dampened, Nesterov) and Adam, with
/// every combination of L1 subgradient, L2, proximal L1 and decoupled decay, over ranges with
/// tails of every length, each path gives the Swift path's bits for every written element and
/// for the block statistics; the statistics are also checked against Double sums.
@Suite struct OptimizerPathTests {
    static let counts = [1, 5, 8, 15, 16, 17, 31, 33, 100, 4096]
    /// (l1 subgradient, l2, proximal, decay)
    static let features: [(Bool, Bool, Bool, Bool)] = [
        (false, false, false, false), (false, true, false, false), (true, false, false, false), (true, true, false, true),
        (false, false, true, false), (false, true, true, false), (true, false, true, true), (true, true, true, false),
        (false, false, false, true),
    ]

    enum Algorithm: CaseIterable { case sgd, momentum, dampenedMomentum, nesterov, firstMomentumStep, adam }

    static func coefficients(_ algorithm: Algorithm, _ feature: (Bool, Bool, Bool, Bool)) -> FusedCoefficients {
        var c = FusedCoefficients()
        c.stepSize = 0.05
        c.l1 = feature.0 ? 0.003 : 0
        c.l2 = feature.1 ? 0.02 : 0
        c.proximal = feature.2
        c.threshold = feature.2 ? 0.004 : 0
        c.decay = feature.3 ? 0.01 : 0
        c.keep = 1 - c.decay
        switch algorithm {
        case .sgd: break
        case .momentum: (c.bufferDecay, c.gradientWeight, c.nesterovGradient, c.nesterovBuffer) = (0.9, 1, 0, 1)
        case .dampenedMomentum: (c.bufferDecay, c.gradientWeight, c.nesterovGradient, c.nesterovBuffer) = (0.9, 0.7, 0, 1)
        case .nesterov: (c.bufferDecay, c.gradientWeight, c.nesterovGradient, c.nesterovBuffer) = (0.9, 1, 1, 0.9)
        case .firstMomentumStep: (c.bufferDecay, c.gradientWeight, c.nesterovGradient, c.nesterovBuffer) = (0, 1, 0, 1)
        case .adam:
            (c.beta1, c.oneMinusBeta1, c.beta2, c.oneMinusBeta2) = (0.9, 1 - 0.9, 0.999, 1 - 0.999)
            (c.stepSize, c.inverseRootCorrection2, c.epsilon) = (0.01 / 0.19, 1 / Float(1 - 0.999 * 0.999).squareRoot(), 1e-8)
        }
        return c
    }

    struct Buffers: Equatable {
        var w: [Float], g: [Float], first: [Float], second: [Float]
    }

    static func buffers(_ count: Int, seed: UInt64) -> Buffers {
        var random = TestRandom(seed: seed)
        var w = (0..<count).map { _ in 0.01 * random.nextSigned() }
        for index in stride(from: 0, to: count, by: 9) { w[index] = index % 2 == 0 ? 0 : -0.0 }
        let g = (0..<count).map { _ in 0.01 * random.nextSigned() }
        let first = (0..<count).map { _ in 0.01 * random.nextSigned() }
        let second = (0..<count).map { _ in 1e-4 * abs(random.nextSigned()) }
        return Buffers(w: w, g: g, first: first, second: second)
    }

    /// One pass over `offset ..< offset + count` of buffers `offset` longer (ranges need not start at 0).
    static func run(_ algorithm: Algorithm, _ c: FusedCoefficients, _ start: Buffers, offset: Int,
                    path: KernelPath) -> (Buffers, BlockStatistics) {
        var b = start
        let range = offset..<b.w.count
        let statistics = b.w.withUnsafeMutableBufferPointer { w in
            b.g.withUnsafeMutableBufferPointer { g in
                b.first.withUnsafeMutableBufferPointer { first in
                    b.second.withUnsafeMutableBufferPointer { second in
                        let (wp, gp, fp, sp) = (w.baseAddress!, g.baseAddress!, first.baseAddress!, second.baseAddress!)
                        switch algorithm {
                        case .sgd:
                            return FusedKernels.sgd(weights: wp, gradient: gp, output: gp, range: range, c, path: path)
                        case .momentum, .dampenedMomentum, .nesterov, .firstMomentumStep:
                            // In place, as the kernel allows; the optimizer writes into g and a spare buffer.
                            return FusedKernels.sgdMomentum(weights: wp, gradient: gp, buffer: fp, weightsOutput: wp,
                                                            bufferOutput: fp, streamingBuffer: offset == 0,
                                                            range: range, c, path: path)
                        case .adam:
                            // In place, as the kernel allows; the optimizer writes into g and two spare buffers.
                            return FusedKernels.adam(weights: wp, gradient: gp, firstMoment: fp, secondMoment: sp,
                                                     weightsOutput: wp, firstMomentOutput: fp, secondMomentOutput: sp,
                                                     streamingMoments: offset == 0, range: range, c, path: path)
                        }
                    }
                }
            }
        }
        return (b, statistics)
    }

    static func sameBits(_ x: [Float], _ y: [Float]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    @Test(arguments: Algorithm.allCases)
    func everyPathGivesTheSwiftBits(_ algorithm: Algorithm) {
        for feature in Self.features {
            let c = Self.coefficients(algorithm, feature)
            for count in Self.counts {
                for offset in [0, 3] {
                    let start = Self.buffers(count + offset, seed: UInt64(count * 10 + offset))
                    let (reference, referenceStatistics) = Self.run(algorithm, c, start, offset: offset, path: .vector)
                    for path in KernelPath.available where path != .vector {
                        let (result, statistics) = Self.run(algorithm, c, start, offset: offset, path: path)
                        let what = "\(algorithm) \(feature) \(path) count \(count) offset \(offset)"
                        #expect(Self.sameBits(result.w, reference.w), "w: \(what)")
                        #expect(Self.sameBits(result.g, reference.g), "g/output: \(what)")
                        #expect(Self.sameBits(result.first, reference.first), "buffer/m: \(what)")
                        #expect(Self.sameBits(result.second, reference.second), "v: \(what)")
                        #expect(statistics.absoluteSum.bitPattern == referenceStatistics.absoluteSum.bitPattern, "Σ|w|: \(what)")
                        #expect(statistics.squareSum.bitPattern == referenceStatistics.squareSum.bitPattern, "Σw²: \(what)")
                        #expect(statistics.exactZeros == referenceStatistics.exactZeros, "zeros: \(what)")
                        #expect(statistics.nonFinite == referenceStatistics.nonFinite, "non-finite: \(what)")
                    }
                    // The statistics the paths agree on, against Double sums of the same weights.
                    let weights = start.w[offset...]
                    let newWeights = algorithm == .sgd ? reference.g[offset...] : reference.w[offset...]
                    let absoluteSum = weights.reduce(0.0) { $0 + abs(Double($1)) }
                    let squareSum = weights.reduce(0.0) { $0 + Double($1) * Double($1) }
                    #expect(abs(referenceStatistics.absoluteSum - (feature.0 || feature.2 ? absoluteSum : 0)) <= 1e-6 * absoluteSum)
                    #expect(abs(referenceStatistics.squareSum - (feature.1 ? squareSum : 0)) <= 1e-6 * squareSum)
                    #expect(referenceStatistics.exactZeros == (feature.2 ? newWeights.filter { $0 == 0 }.count : 0))
                    #expect(!referenceStatistics.nonFinite)
                    if algorithm == .adam {
                        Self.expectAdamIntoSpares(c, start, offset: offset, reference: reference, referenceStatistics)
                    } else if algorithm != .sgd {
                        // Into other buffers (as the optimizer runs it), streaming or not: the same bits.
                        for path in KernelPath.available {
                            for streaming in [false, true] {
                                var output = start
                                let statistics = output.w.withUnsafeBufferPointer { w in
                                    output.first.withUnsafeBufferPointer { b in
                                        output.g.withUnsafeMutableBufferPointer { g in
                                            output.second.withUnsafeMutableBufferPointer { spare in
                                                FusedKernels.sgdMomentum(
                                                    weights: w.baseAddress!, gradient: g.baseAddress!, buffer: b.baseAddress!,
                                                    weightsOutput: g.baseAddress!, bufferOutput: spare.baseAddress!,
                                                    streamingBuffer: streaming, range: offset..<(count + offset), c, path: path)
                                            }
                                        }
                                    }
                                }
                                let what = "\(algorithm) \(feature) \(path) streaming \(streaming) count \(count)"
                                #expect(Self.sameBits(Array(output.g[offset...]), Array(reference.w[offset...])), "w': \(what)")
                                #expect(Self.sameBits(Array(output.second[offset...]), Array(reference.first[offset...])), "buf': \(what)")
                                #expect(Self.sameBits(output.w, start.w) && Self.sameBits(output.first, start.first), "inputs: \(what)")
                                #expect(statistics.squareSum.bitPattern == referenceStatistics.squareSum.bitPattern, "\(what)")
                                #expect(statistics.exactZeros == referenceStatistics.exactZeros && !statistics.nonFinite, "\(what)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adam into other buffers (as the optimizer runs it: `w'` into the gradient buffer, `m'` and
    /// `v'` into spares), streaming or not, on every path: the in-place Swift path's bits, and the
    /// inputs untouched.
    static func expectAdamIntoSpares(_ c: FusedCoefficients, _ start: Buffers, offset: Int, reference: Buffers,
                                     _ referenceStatistics: BlockStatistics) {
        let count = start.w.count - offset
        for path in KernelPath.available {
            for streaming in [false, true] {
                var output = start
                var spareFirst = [Float](repeating: .nan, count: start.w.count)
                var spareSecond = spareFirst
                let statistics = output.w.withUnsafeBufferPointer { w in
                    output.first.withUnsafeBufferPointer { m in
                        output.second.withUnsafeBufferPointer { v in
                            output.g.withUnsafeMutableBufferPointer { g in
                                spareFirst.withUnsafeMutableBufferPointer { mOut in
                                    spareSecond.withUnsafeMutableBufferPointer { vOut in
                                        FusedKernels.adam(
                                            weights: w.baseAddress!, gradient: g.baseAddress!, firstMoment: m.baseAddress!,
                                            secondMoment: v.baseAddress!, weightsOutput: g.baseAddress!,
                                            firstMomentOutput: mOut.baseAddress!, secondMomentOutput: vOut.baseAddress!,
                                            streamingMoments: streaming, range: offset..<(count + offset), c, path: path)
                                    }
                                }
                            }
                        }
                    }
                }
                let what = "adam \(path) streaming \(streaming) count \(count) offset \(offset)"
                #expect(sameBits(Array(output.g[offset...]), Array(reference.w[offset...])), "w': \(what)")
                #expect(sameBits(Array(spareFirst[offset...]), Array(reference.first[offset...])), "m': \(what)")
                #expect(sameBits(Array(spareSecond[offset...]), Array(reference.second[offset...])), "v': \(what)")
                #expect(spareFirst[..<offset].allSatisfy(\.isNaN) && spareSecond[..<offset].allSatisfy(\.isNaN), "outside the range: \(what)")
                #expect(sameBits(output.w, start.w) && sameBits(output.first, start.first) && sameBits(output.second, start.second),
                        "inputs: \(what)")
                #expect(statistics.absoluteSum.bitPattern == referenceStatistics.absoluteSum.bitPattern, "\(what)")
                #expect(statistics.squareSum.bitPattern == referenceStatistics.squareSum.bitPattern, "\(what)")
                #expect(statistics.exactZeros == referenceStatistics.exactZeros && !statistics.nonFinite, "\(what)")
            }
        }
    }

    /// Every step (plain SGD, momentum, Adam) flags a block whose gradient holds inf or NaN, in
    /// the body or the tail, on every path.
    @Test(arguments: [Algorithm.sgd, .momentum, .adam])
    func everyStepFlagsNonFiniteGradientsOnEveryPath(_ algorithm: Algorithm) {
        let c = Self.coefficients(algorithm, (false, true, false, false))
        for count in [7, 16, 40] {
            for position in [0, count / 2, count - 1] {
                for poison in [Float.nan, .infinity, -.infinity, -.nan] {
                    var start = Self.buffers(count, seed: 1)
                    start.g[position] = poison
                    for path in KernelPath.available {
                        #expect(Self.run(algorithm, c, start, offset: 0, path: path).1.nonFinite, "\(path) \(poison) at \(position)")
                    }
                }
            }
        }
    }
}
