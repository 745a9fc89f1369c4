import Foundation
import Testing
@testable import VarianceKit

/// `Locked`: bodies on several threads never overlap, and a body's result and error come back.
@Suite struct LockedTests {
    /// Four threads each add 1 to a shared count 20,000 times, reading and writing it in two
    /// separate steps inside the body (so that overlapping bodies would lose increments), and
    /// count the bodies that found another one running. The count must be exactly 80,000.
    @Test func bodiesOnSeveralThreadsNeverOverlap() {
        struct State {
            var count = 0
            var inside = false
            var overlaps = 0
        }
        let shared = Locked(State())
        let threads = 4, increments = 20_000
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<increments {
                shared.withLock { state in
                    if state.inside { state.overlaps += 1 }
                    state.inside = true
                    let read = state.count
                    state.count = read + 1
                    state.inside = false
                }
            }
        }
        let final = shared.withLock { $0 }
        #expect(final.count == threads * increments)
        #expect(final.overlaps == 0)
    }

    struct Refused: Error, Equatable {}

    /// A body's result is returned; a body that throws leaves its changes made so far and the
    /// lock free for the next caller.
    @Test func resultsAndErrorsComeBack() {
        let shared = Locked([1, 2])
        #expect(shared.withLock { values -> Int in values.append(3); return values.count } == 3)
        #expect(throws: Refused.self) {
            try shared.withLock { values in
                values.append(4)
                throw Refused()
            }
        }
        #expect(shared.withLock { $0 } == [1, 2, 3, 4])
    }
}
