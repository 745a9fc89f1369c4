import Foundation
import Testing
@testable import VarianceKit

/// `ParallelBlocks.forEachBlock` on the runtime: every block runs exactly once, with the range at
/// its fixed offset, whatever the thread count; each worker takes a contiguous run of blocks.
@Suite struct ParallelBlocksTests {
    /// Records, per block, how often it ran and the range it was given.
    struct RecordingJob: BlockJob {
        static let blockRunEntry: ParallelJobEntry = { BlockRun<RecordingJob>.runBlocks($0, $1, $2) }
        let runs: UnsafeMutablePointer<Int>
        let ranges: UnsafeMutablePointer<Range<Int>>
        func run(block: Int, range: Range<Int>) {
            runs[block] += 1
            ranges[block] = range
        }
    }

    @Test(arguments: [1, 4095, 65_535, 65_536, 70_001, 200_003])
    func everyBlockRunsOnceAtItsFixedOffset(count: Int) {
        let blocks = ParallelBlocks.blockCount(count)
        for threads in [1, 2, 3, 5, 300] {
            let runs = UnsafeMutablePointer<Int>.allocate(capacity: blocks)
            let ranges = UnsafeMutablePointer<Range<Int>>.allocate(capacity: blocks)
            defer { runs.deallocate(); ranges.deallocate() }
            runs.initialize(repeating: 0, count: blocks)
            ranges.initialize(repeating: 0..<0, count: blocks)
            ParallelBlocks.forEachBlock(count: count, threadCount: threads, RecordingJob(runs: runs, ranges: ranges))
            for block in 0..<blocks {
                let expected = block * 4096 ..< min(block * 4096 + 4096, count)
                #expect(runs[block] == 1 && ranges[block] == expected, "count \(count), threads \(threads), block \(block)")
            }
        }
    }

    @Test func workersTakeContiguousRunsOfWholeBlocks() {
        let count = 200_003
        for workers in 1...7 {
            let runs = (0..<workers).map { ParallelBlocks.blocks(ofWorker: $0, of: workers, count: count) }
            #expect(runs.first?.lowerBound == 0 && runs.last?.upperBound == ParallelBlocks.blockCount(count))
            #expect(zip(runs, runs.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        }
        #expect(ParallelBlocks.workerCount(count: 65_535, threadCount: 4) == 1)
        #expect(ParallelBlocks.workerCount(count: 65_536, threadCount: 4) == 4)
        #expect(ParallelBlocks.workerCount(count: 65_536, threadCount: 100) == 16)
    }
}
