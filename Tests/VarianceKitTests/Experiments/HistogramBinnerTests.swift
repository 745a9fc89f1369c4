import Testing
import VarianceKit

@Suite struct HistogramBinnerTests {
    @Test func histogramMatchesNaiveBinning() throws {
        let values: [Float] = [-2, -0.5, 0, 0, 0.49, 0.5, 0.99, 3, .nan, .infinity]
        let matrix = try Matrix(rows: 1, columns: values.count, elements: values)
        let histogram = try HistogramBinner(bins: 50, sampleLimit: 1 << 16).histogram(matrix, on: -1.0...1.0)
        // 50 bins of width 0.04 on [-1, 1]: -2 -> bin 0 (clamped), -0.5 -> 12, 0 -> 25 (twice),
        // 0.49 -> 37, 0.5 -> 37 (0.5 + 1 = 1.5, / 0.04 = 37.5), 0.99 -> 49, 3 -> 49 (clamped).
        var expected = [Int](repeating: 0, count: 50)
        for bin in [0, 12, 25, 25, 37, 37, 49, 49] { expected[bin] += 1 }
        #expect(histogram.counts == expected)
        #expect(histogram.zeros == 2)
        #expect(histogram.total == 8)
        // Values whose bin position overflows Int go to the end bins.
        let huge = try Matrix(rows: 1, columns: 3, elements: [3e38, -3e38, .greatestFiniteMagnitude])
        let clamped = try HistogramBinner(bins: 50, sampleLimit: 1 << 16).histogram(huge, on: -1e-30...1e-30)
        #expect(clamped.counts.first == 1 && clamped.counts.last == 2)
    }

    @Test func sampleIsEvenlyStrided() throws {
        // 10 entries, sample limit 3: every 3rd entry (indices 0, 3, 6, 9) is binned.
        let matrix = try Matrix(rows: 1, columns: 10, elements: (0..<10).map(Float.init))
        let histogram = try HistogramBinner(bins: 10, sampleLimit: 3).histogram(matrix, on: 0.0...10.0)
        var expected = [Int](repeating: 0, count: 10)
        for bin in [0, 3, 6, 9] { expected[bin] = 1 }
        #expect(histogram.counts == expected)
    }

    @Test func noBinsOrDegenerateRangeGiveEmpty() throws {
        let matrix = try Matrix(rows: 1, columns: 2, elements: [1, 2])
        #expect(try HistogramBinner(bins: 0, sampleLimit: 10).histogram(matrix, on: 0.0...1.0) == .empty)
        #expect(try HistogramBinner(bins: 5, sampleLimit: 10).histogram(matrix, on: nil) == .empty)
        #expect(try HistogramBinner(bins: 5, sampleLimit: 10).histogram(matrix, on: 1.0...1.0) == .empty)
    }
}

@Suite struct HistogramBinnerRangeTests {
    /// A range narrower than Float resolves (scale beyond Float's range) neither traps nor
    /// produces NaN positions: the entry at the lower bound lands in bin 0.
    @Test func extremelyNarrowRangesDoNotTrap() throws {
        let matrix = try Matrix(rows: 1, columns: 3, elements: [1e-38, 2e-38, 0])
        let histogram = try HistogramBinner(bins: 10, sampleLimit: 100).histogram(matrix, on: 1e-38...1.0000001e-38)
        #expect(histogram.total == 3)
        #expect(histogram.counts[0] == 2 && histogram.counts[9] == 1)
        let degenerate = try HistogramBinner(bins: 10, sampleLimit: 100).histogram(matrix, on: 0...Double.leastNonzeroMagnitude)
        #expect(degenerate.total == 3 || degenerate == .empty)
    }
}
