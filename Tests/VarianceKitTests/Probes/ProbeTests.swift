import Foundation
import Testing
import VarianceKit

/// Naive Double statistics, for comparison with the vectorized probes.
struct NaiveStatistics {
    var finite: [Double]
    var nonFinite: Int

    init(_ values: [Float]) {
        finite = values.filter(\.isFinite).map(Double.init)
        nonFinite = values.count - finite.count
    }

    var mean: Double { finite.reduce(0, +) / Double(finite.count) }
    var variance: Double {
        let m = mean
        return finite.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(finite.count)
    }
}

@Suite struct ProbeTests {
    static func expectMatches(_ statistics: TensorStatistics?, _ values: [Float], _ what: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let statistics = try #require(statistics, sourceLocation: sourceLocation)
        let naive = NaiveStatistics(values)
        #expect(statistics.count == values.count, sourceLocation: sourceLocation)
        #expect(statistics.nonFiniteCount == naive.nonFinite, sourceLocation: sourceLocation)
        let mean = try #require(statistics.mean, sourceLocation: sourceLocation)
        let variance = try #require(statistics.variance, sourceLocation: sourceLocation)
        let scale = naive.variance.squareRoot()
        #expect(Swift.abs(mean - naive.mean) <= 1e-5 * scale + 1e-12, "\(what) mean \(mean) vs \(naive.mean)", sourceLocation: sourceLocation)
        #expect(Swift.abs(variance - naive.variance) <= 1e-5 * naive.variance + 1e-15, "\(what) variance \(variance) vs \(naive.variance)", sourceLocation: sourceLocation)
        #expect(statistics.minimum == naive.finite.min(), sourceLocation: sourceLocation)
        #expect(statistics.maximum == naive.finite.max(), sourceLocation: sourceLocation)
    }

    @Test func networkProbeMatchesNaiveStatistics() throws {
        let network = try Network(widths: [37, 61, 29, 10], activation: .tanh, initializer: .xavierUniform(gain: 3),
                                  bias: true, seed: 12)
        var random = TestRandom(seed: 1)
        try network.forward(random.matrix(19, 37).map(scale: 2))
        try network.backward(loss: .randomReadout(seed: 3))
        let probe = network.probe(step: 4)
        #expect(probe.step == 4)
        #expect(probe.batchSize == 19)
        #expect(probe.loss == network.lastLoss)
        #expect(probe.nonFinite == nil)
        for (index, layer) in probe.layers.enumerated() {
            try Self.expectMatches(layer.weight, network.layers[index].weight.elements, "W\(index)")
            try Self.expectMatches(layer.preActivation, network.preActivation(ofLayer: index).elements, "Z\(index)")
            try Self.expectMatches(layer.activation, network.activation(ofLayer: index).elements, "A\(index)")
            try Self.expectMatches(layer.preActivationGradient, network.preActivationGradient(ofLayer: index).elements, "dZ\(index)")
            try Self.expectMatches(layer.weightGradient, network.layers[index].weightGradient.elements, "dW\(index)")
            let a = network.activation(ofLayer: index).elements
            let saturated = Double(a.filter { Swift.abs($0) > 0.99 }.count) / Double(a.count)
            #expect(layer.saturatedFraction == saturated)
            #expect(layer.deadFraction == nil)
            #expect(layer.activationName == "tanh")
        }
        // Large gain: the tanh layers do saturate, so the check above is not vacuous.
        #expect((probe.layers[1].saturatedFraction ?? 0) > 0.05)
    }

    @Test func deadFractionOfReLU() throws {
        let network = try Network(widths: [20, 50], activation: .relu, initializer: .heNormal(), seed: 2)
        var random = TestRandom(seed: 5)
        try network.forward(random.matrix(9, 20))
        let probe = network.probe(step: 0)
        let a = network.activation(ofLayer: 0).elements
        #expect(probe.layers[0].deadFraction == Double(a.filter { $0 == 0 }.count) / Double(a.count))
        #expect(probe.layers[0].saturatedFraction == nil)
        #expect(probe.layers[0].preActivationGradient == nil)   // no backward yet
        #expect(probe.loss == nil)
    }

    @Test func histogramMatchesNaiveBinning() throws {
        var random = TestRandom(seed: 9)
        let values = (0..<5000).map { _ in random.nextSigned() * 3 + 1 }
        let matrix = try Matrix(rows: 50, columns: 100, elements: values)
        // All 5000 entries; then 16 runs of 64 entries every 312 entries (1000 / 64 rounded up = 16).
        for (limit, runLength, runSpacing) in [(100_000, 5000, 5000), (1000, 64, 312)] {
            let options = try ProbeOptions(histogramBins: 16, histogramSampleLimit: limit)
            let statistics = TensorStatistics(matrix, options: options)
            let histogram = try #require(statistics.histogram)
            #expect(histogram.runLength == runLength && histogram.runSpacing == runSpacing)
            let low = Double(values.min()!)
            let high = Double(values.max()!)
            var counts = [Int](repeating: 0, count: 16)
            var sampled = 0
            for start in Swift.stride(from: 0, to: values.count, by: runSpacing) {
                for index in start..<min(start + runLength, values.count) {
                    counts[min(Int((Double(values[index]) - low) * (16 / (high - low))), 15)] += 1
                    sampled += 1
                }
            }
            #expect(histogram.counts == counts)
            #expect(histogram.sampledCount == sampled)
            #expect(histogram.counts.reduce(0, +) == sampled)
            #expect(histogram.lowerBound == low && histogram.upperBound == high)
        }
    }

    @Test func statisticsSkipAndCountNonFiniteEntries() throws {
        var values = (0..<3000).map { Float($0 % 97) * 0.5 + 1000 }   // a large offset over a small spread
        values[17] = .nan
        values[2500] = .infinity
        values[2999] = -.infinity
        let statistics = TensorStatistics(try Matrix(rows: 3, columns: 1000, elements: values))
        try Self.expectMatches(statistics, values, "mixed")
        #expect(statistics.nonFiniteCount == 3)
        #expect(statistics.histogram?.sampledCount == 2997)
        let allBad = TensorStatistics(try Matrix(rows: 1, columns: 3, elements: [.nan, .infinity, .nan]))
        #expect(allBad.mean == nil && allBad.variance == nil && allBad.histogram == nil && allBad.nonFiniteCount == 3)
    }

    @Test func badProbeOptionsThrow() {
        #expect(throws: VarianceKitError.self) { try ProbeOptions(histogramBins: -1) }
        #expect(throws: VarianceKitError.self) { try ProbeOptions(histogramSampleLimit: 0) }
    }

    @Test func probeRoundTripsThroughJSON() throws {
        let network = try Network(widths: [5, 4, 3], activation: .sigmoid, initializer: .standard, seed: 1)
        var random = TestRandom(seed: 2)
        try network.forward(random.matrix(3, 5))
        try network.backward(loss: .quadratic)
        let probe = network.probe(step: 1)
        let decoded = try JSONDecoder().decode(NetworkProbe.self, from: JSONEncoder().encode(probe))
        #expect(decoded == probe)
    }
}
