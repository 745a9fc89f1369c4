import Testing
import VarianceKit

@Suite struct StopwatchTests {
    /// Every body runs once to warm up, then once per round, in turns.
    @Test func runsEachBodyInTurns() throws {
        var order: [Int] = []
        let timings = try Stopwatch.timings(of: [{ order.append(0) }, { order.append(1) }], repetitions: 3)
        #expect(order == [0, 1, 0, 1, 0, 1, 0, 1])
        #expect(timings.count == 2)
        for timing in timings { #expect(timing.best >= 0 && timing.best <= timing.median) }
        #expect(throws: VarianceKitError.invalidParameter(name: "repetitions", value: "0", expected: "an integer in 1...1000000")) {
            try Stopwatch.timing(of: {}, repetitions: 0)
        }
    }

    @Test func availableMemoryIsKnownOnLinux() {
        #if os(Linux)
        #expect((MemoryBudget.availableBytes() ?? 0) > 0)
        #endif
    }
}
