import Foundation
import Testing
@testable import VarianceKit

/// The input-output Jacobian and its spectrum against finite differences, closed forms of free
/// probability and mean-field theory.
@Suite struct JacobianSpectrumTests {
    static func squareNetwork(width: Int, depth: Int, activation: Activation, initializer: Initializer,
                              bias: Bool = false, seed: UInt64) throws -> Network {
        try Network(widths: [Int](repeating: width, count: depth + 1), activation: activation,
                    initializer: initializer, bias: bias, seed: seed)
    }

    static func normalInputs(rows: Int, columns: Int, seed: UInt64) throws -> Matrix {
        var inputs = try Matrix(rows: rows, columns: columns)
        try RandomFill.normal(&inputs, seed: seed, stream: RandomStream.input.id)
        return inputs
    }

    @Test func jacobianMatchesCentralDifferencesOfADoubleReference() throws {
        let network = try Network(widths: [3, 5, 4, 2], activation: .tanh, initializer: .xavierNormal(gain: 1.5), bias: true, seed: 3)
        var random = TestRandom(seed: 11)
        var bias = random.matrix(1, 5)
        bias.withUnsafeMutableBufferPointer { buffer in for i in buffer.indices { buffer[i] *= 0.5 } }
        try network.layers[0].setBias(bias)
        let x = random.matrix(1, 3)
        let reference = ReferenceNetwork(network)
        let point = x.doubleRows
        for depth in 1...3 {
            let jacobian = try network.inputOutputJacobian(at: x, throughLayer: depth)
            #expect(jacobian.rows == network.widths[depth] && jacobian.columns == 3)
            let h = 1e-6
            for input in 0..<3 {
                var plus = point, minus = point
                plus[0][input] += h
                minus[0][input] -= h
                let up = reference.forward(plus).a[depth - 1][0], down = reference.forward(minus).a[depth - 1][0]
                for output in 0..<network.widths[depth] {
                    let expected = (up[output] - down[output]) / (2 * h)
                    #expect(abs(Double(jacobian[output, input]) - expected) <= 1e-5 + 1e-4 * abs(expected),
                            "J[\(output), \(input)] at depth \(depth): \(jacobian[output, input]) vs \(expected)")
                }
            }
        }
    }

    @Test func orthogonalLinearNetworkIsAnIsometryUpToGainToTheDepth() throws {
        let network = try Self.squareNetwork(width: 16, depth: 5, activation: .linear, initializer: .orthogonal(gain: 1.3), seed: 5)
        let spectrum = try network.jacobianSpectrum(inputs: try Self.normalInputs(rows: 4, columns: 16, seed: 5), samples: 3, depths: [1, 5])
        #expect(spectrum.depths.map(\.depth) == [1, 5])
        for entry in spectrum.depths {
            let expected = Foundation.pow(1.3, Double(entry.depth))
            let summary = try #require(entry.summary)
            #expect(summary.count == 3 * 16)
            for value in [summary.minimum, summary.maximum] {
                let value = try #require(value)
                #expect(abs(value - expected) <= 1e-4 * expected, "depth \(entry.depth): \(value) vs \(expected)")
            }
            #expect(try #require(summary.logSingularValueStandardDeviation) < 1e-4)
            #expect(try #require(summary.conditionNumber) < 1 + 1e-4)
            #expect(entry.histogram.total == 48 && entry.histogram.zeros == 0)
        }
        // The theory states the same point mass.
        let prediction = try SpectrumTheory(activation: .linear, weightScale: 1.69, ensemble: .haarOrthogonal).predictions(depths: [5])[0]
        #expect(prediction.exact)
        #expect(abs(try #require(prediction.squaredSingularValueVariance)) < 1e-12)
        let moments = try #require(prediction.squaredSingularValueMoments)
        for (k, moment) in moments.enumerated() {
            let expected = Foundation.pow(1.3, Double(2 * 5 * (k + 1)))
            #expect(abs(try #require(moment) - expected) <= 1e-9 * expected)
        }
    }

    @Test func fussCatalanNumbersMatchTheirTables() throws {
        // Order 1: Catalan numbers; order 2: binom(3k, k)/(2k+1) (OEIS A001764); order 3: A002293.
        #expect(try (0...5).map { try SpectrumTheory.fussCatalan(order: 1, moment: $0) } == [1, 1, 2, 5, 14, 42])
        #expect(try (0...5).map { try SpectrumTheory.fussCatalan(order: 2, moment: $0) } == [1, 1, 3, 12, 55, 273])
        #expect(try (0...4).map { try SpectrumTheory.fussCatalan(order: 3, moment: $0) } == [1, 1, 4, 22, 140])
    }

    /// Negative arguments are refused; an order whose product with the moment overflows `Int`
    /// overflows Double instead (infinite), without a trap.
    @Test func fussCatalanRefusesNegativeArgumentsAndOverflowsToInfinity() throws {
        for (order, moment, name) in [(-1, 2, "order"), (2, -1, "moment"), (Int.min, 0, "order")] {
            #expect {
                _ = try SpectrumTheory.fussCatalan(order: order, moment: moment)
            } throws: { error in
                guard case let .invalidParameter(parameter, _, expected) = error as? VarianceKitError else { return false }
                return parameter == name && expected == "an integer >= 0"
            }
        }
        #expect(try SpectrumTheory.fussCatalan(order: Int.max, moment: 0) == 1)
        // binom(2^63 + 1, 1) / (Int.max + 1) = 1 in Double.
        #expect(try SpectrumTheory.fussCatalan(order: Int.max, moment: 1) == 1)
        #expect(try SpectrumTheory.fussCatalan(order: 1, moment: 1_000).isInfinite)
    }

    /// Depths outside `predictionDepthRange` and settings that are not finite are refused before
    /// any work; no depths give no predictions.
    @Test func predictionsRefuseBadDepthsAndSettings() throws {
        let theory = SpectrumTheory(activation: .tanh, weightScale: 1, ensemble: .haarOrthogonal)
        #expect(try theory.predictions(depths: []) == [])
        for depths in [[0], [3, -1], [Int.max], [SpectrumTheory.predictionDepthRange.upperBound + 1]] {
            #expect {
                _ = try theory.predictions(depths: depths)
            } throws: { error in
                guard case let .invalidParameter(name, value, expected) = error as? VarianceKitError else { return false }
                return name == "depth" && depths.contains(Int(value) ?? 0) && expected == "an integer in 1...1000000"
            }
        }
        for (weightScale, biasVariance, name) in [(Double.nan, 0.0, "weightScale"), (0, 0, "weightScale"),
                                                  (Double.infinity, 0, "weightScale"), (1, -0.5, "biasVariance"),
                                                  (1, .nan, "biasVariance")] {
            let bad = SpectrumTheory(activation: .relu, weightScale: weightScale, biasVariance: biasVariance, ensemble: nil)
            #expect {
                _ = try bad.predictions(depths: [2])
            } throws: { error in
                guard case let .invalidParameter(parameter, _, _) = error as? VarianceKitError else { return false }
                return parameter == name
            }
        }
        let badInput = SpectrumTheory(activation: .tanh, weightScale: 1, inputSecondMoment: -1, ensemble: nil)
        #expect(throws: VarianceKitError.self) { try badInput.predictions(depths: [1]) }
    }

    @Test func linearGaussianNetworkFollowsFussCatalan() throws {
        let width = 128, depth = 3, networks = 6
        var sums = [0.0, 0.0, 0.0]
        for seed in 1...networks {
            let scale = Float(1.2 / Double(width).squareRoot())
            let network = try Self.squareNetwork(width: width, depth: depth, activation: .linear,
                                                 initializer: .normal(mean: 0, standardDeviation: scale), seed: UInt64(seed))
            let spectrum = try network.jacobianSpectrum(inputs: try Self.normalInputs(rows: 1, columns: width, seed: 1), samples: 1)
            let moments = try #require(spectrum.depths.last?.summary?.squaredSingularValueMoments)
            for k in 0..<3 { sums[k] += try #require(moments[k]) / Double(networks) }
        }
        let weightScale = Double(Float(1.2 / Double(width).squareRoot())) * Double(Float(1.2 / Double(width).squareRoot())) * Double(width)
        // Sampling and finite-width error grow with k (the O(L k^2/width) bias of m_3 is a few percent here).
        let tolerances = [0.03, 0.08, 0.2]
        for k in 1...3 {
            let expected = [1.0, 4, 22][k - 1] * Foundation.pow(weightScale, Double(k * depth))
            #expect(abs(sums[k - 1] - expected) <= tolerances[k - 1] * expected, "E[λ^\(k)] = \(sums[k - 1]) vs Fuss–Catalan \(expected)")
        }
        let prediction = try SpectrumTheory(activation: .linear, weightScale: weightScale, ensemble: .independentEntries).predictions(depths: [depth])[0]
        let predicted = try #require(prediction.squaredSingularValueMoments)
        for k in 1...3 {
            let expected = [1.0, 4, 22][k - 1] * Foundation.pow(weightScale, Double(k * depth))
            #expect(abs(try #require(predicted[k - 1]) - expected) <= 1e-9 * expected)
        }
        // Var(λ) = FC(2) - FC(1)^2 = L for s_w^2 = 1.
        let variance = try #require(prediction.squaredSingularValueVariance)
        #expect(abs(variance - Double(depth) * Foundation.pow(weightScale, Double(2 * depth))) <= 1e-9 * variance)
    }

    /// Mean-field `m_1 = Π_l s_w^2 E[φ'(z_l)^2]` from `MeanFieldTheory`'s own maps, and the
    /// free-probability variance for both ensembles, against wide tanh networks.
    @Test(arguments: [(InitializerName.xavierNormal, WeightEnsemble.independentEntries), (.orthogonal, .haarOrthogonal)])
    func tanhNetworkMeanSquaredSingularValueIsTheProductOfChi1(_ name: InitializerName, _ ensemble: WeightEnsemble) throws {
        let width = 256, depth = 6, gain: Float = 1.4
        let initializer = name == .orthogonal ? Initializer.orthogonal(gain: .value(gain)) : .xavierNormal(gain: .value(gain))
        #expect(initializer.weightEnsemble == ensemble)
        let network = try Self.squareNetwork(width: width, depth: depth, activation: .tanh, initializer: initializer, seed: 9)
        let spectrum = try network.jacobianSpectrum(inputs: try Self.normalInputs(rows: 8, columns: width, seed: 2), samples: 8)
        let summary = try #require(spectrum.depths.last?.summary)
        let weightScale = Double(gain * gain)
        let theory = MeanFieldTheory(activation: .tanh)
        var q = weightScale, product = 1.0
        for _ in 0..<depth {
            product *= theory.chi1(preactivationVariance: q, weightScale: weightScale)
            q = theory.varianceMap(q, weightScale: weightScale)
        }
        let measured = try #require(summary.meanSquaredSingularValue)
        #expect(abs(measured - product) <= 0.1 * product, "E[σ²] = \(measured) vs Π χ_1 = \(product)")
        let prediction = try SpectrumTheory(activation: .tanh, weightScale: weightScale, ensemble: ensemble).predictions(depths: [depth])[0]
        #expect(abs(try #require(prediction.meanSquaredSingularValue) - product) <= 1e-9 * product)
        let variance = try #require(prediction.squaredSingularValueVariance)
        let measuredVariance = try #require(summary.squaredSingularValueVariance)
        #expect(abs(measuredVariance - variance) <= 0.3 * variance, "Var(σ²) = \(measuredVariance) vs free probability \(variance)")
    }

    @Test func summaryAndHistogramOfKnownValues() throws {
        let summary = try #require(SingularValueSummary(singularValues: [[4, 1], [2, 0]]))
        #expect(summary.count == 4 && summary.zeros == 1)
        let expectedMoments: [Double?] = [21.0 / 4, 273.0 / 4, 4161.0 / 4]   // (16 + 1 + 4 + 0)/4, (256 + 1 + 16)/4, (4096 + 1 + 64)/4
        #expect(summary.squaredSingularValueMoments == expectedMoments)
        #expect(summary.meanSquaredSingularValue == 21.0 / 4)
        let expectedConditions: [Double?] = [4, nil]
        #expect(summary.conditionNumbers == expectedConditions)
        #expect(summary.conditionNumber == nil)
        #expect(summary.minimum == 0 && summary.maximum == 4)
        let logs = [log(4.0), 0, log(2.0)], logMean = logs.reduce(0, +) / 3
        let logDeviation = (logs.map { ($0 - logMean) * ($0 - logMean) }.reduce(0, +) / 3).squareRoot()
        #expect(abs(try #require(summary.logSingularValueStandardDeviation) - logDeviation) < 1e-12)
        #expect(SingularValueSummary(singularValues: []) == nil)

        let histogram = try LogHistogram([0.01, 0.1, 1, 10, 100, 0], bins: 4)
        #expect(histogram.lowerLog10 == -2 && histogram.upperLog10 == 2)
        #expect(histogram.counts == [1, 1, 1, 2])
        #expect(histogram.zeros == 1)
        let degenerate = try LogHistogram([3, 3, 3], bins: 5)
        #expect(abs(degenerate.upperLog10 - degenerate.lowerLog10 - LogHistogram.minimumSpan) < 1e-12)
        #expect(degenerate.total == 3)
        #expect(try LogHistogram([0, 0], bins: 5).counts.isEmpty)
    }

    @Test func nonFiniteJacobiansAreCountedNotSummarized() throws {
        let network = try Self.squareNetwork(width: 8, depth: 2, activation: .linear, initializer: .lecunNormal, seed: 1)
        var weight = network.layers[1].weight
        weight.withUnsafeMutableBufferPointer { $0[0] = .infinity }
        try network.layers[1].setWeight(weight)
        let spectrum = try network.jacobianSpectrum(inputs: try Self.normalInputs(rows: 2, columns: 8, seed: 1), samples: 2, depths: [1, 2])
        #expect(spectrum.depths[0].nonFiniteSamples == 0 && spectrum.depths[0].summary != nil)
        #expect(spectrum.depths[1].nonFiniteSamples == 2 && spectrum.depths[1].summary == nil)
        #expect(spectrum.depths[1].histogram == .empty)
        let json = String(decoding: try JSONEncoder().encode(spectrum), as: UTF8.self)
        #expect(json.contains("\"summary\":null"))
    }

    @Test func invalidArgumentsAreRejected() throws {
        let network = try Self.squareNetwork(width: 4, depth: 2, activation: .tanh, initializer: .lecunNormal, seed: 1)
        let inputs = try Self.normalInputs(rows: 3, columns: 4, seed: 1)
        for samples in [0, 4] {
            #expect(throws: VarianceKitError.self) { try network.jacobianSpectrum(inputs: inputs, samples: samples) }
        }
        #expect(throws: VarianceKitError.self) { try network.jacobianSpectrum(inputs: inputs, samples: 1, depths: [3]) }
        #expect(throws: VarianceKitError.self) { try network.jacobianSpectrum(inputs: inputs, samples: 1, depths: []) }
        #expect(throws: VarianceKitError.self) { try network.jacobianSpectrum(inputs: try Self.normalInputs(rows: 3, columns: 5, seed: 1), samples: 1) }
        #expect(throws: VarianceKitError.self) { try network.inputOutputJacobian(at: inputs) }
        #expect(throws: VarianceKitError.self) {
            try PropagationExperiment(initializers: [.standard], activations: [.tanh], depth: 2, width: 4, batch: 8, seed: 1, spectrumSamples: 9)
        }
    }

    @Test func experimentRecordsSpectraWithPredictions() throws {
        let experiment = try PropagationExperiment(initializers: [.orthogonal, .heNormal, .lsuv], activations: [.linear], depth: 6, width: 16,
                                                   batch: 8, seed: 2, gain: nil, spectrumSamples: 2)
        #expect(experiment.spectrumDepths == [2, 3, 5, 6])
        let result = try experiment.run()
        let orthogonal = try #require(result.runs[0].spectrum)
        #expect(orthogonal.samples == 2 && orthogonal.depths.map(\.depth) == [2, 3, 5, 6])
        for entry in orthogonal.depths {
            let prediction = try #require(entry.prediction)
            #expect(prediction.ensemble == .haarOrthogonal && prediction.exact)
            let predicted = try #require(prediction.meanSquaredSingularValue)
            #expect(abs(try #require(entry.summary?.meanSquaredSingularValue) - predicted) <= 1e-4 * predicted)
        }
        #expect(result.runs[1].spectrum?.depths.first?.prediction?.ensemble == .independentEntries)
        #expect(result.runs[2].spectrum?.depths.first?.prediction == nil)
        let unmeasured = try PropagationExperiment(initializers: [.standard], activations: [.tanh], depth: 2, width: 4, batch: 4, seed: 1).run()
        #expect(unmeasured.runs[0].spectrum == nil)
        let decoded = try JSONDecoder().decode(PropagationResult.self, from: try JSONEncoder().encode(result))
        #expect(decoded.runs.map(\.spectrum) == result.runs.map(\.spectrum))
    }
}
