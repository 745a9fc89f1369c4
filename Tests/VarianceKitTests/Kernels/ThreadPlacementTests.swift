import Foundation
import Testing
@testable import VarianceKit

/// `ThreadPlacement.awayFrom`: the thread leaves the named processor while the body runs and gets
/// its affinity back afterwards.
@Suite struct ThreadPlacementTests {
    @Test func leavesTheProcessorAndRestoresTheAffinity() async throws {
        let allowed = ThreadPlacement.allowedProcessorCount
        guard allowed > 1 else { return }
        let result: (inside: Int32, here: Int32, insideAllowed: Int, afterAllowed: Int) = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let here = ThreadPlacement.currentProcessor
                let (inside, insideAllowed) = ThreadPlacement.awayFrom(processor: here) {
                    (ThreadPlacement.currentProcessor, ThreadPlacement.allowedProcessorCount)
                }
                continuation.resume(returning: (inside, here, insideAllowed, ThreadPlacement.allowedProcessorCount))
            }
        }
        #expect(result.here >= 0)
        #expect(result.inside != result.here)
        #expect(result.insideAllowed == allowed - 1)
        #expect(result.afterAllowed == allowed)
        // Elsewhere already: nothing changes.
        let untouched = ThreadPlacement.awayFrom(processor: -1) { ThreadPlacement.allowedProcessorCount }
        #expect(untouched == allowed)
    }
}
