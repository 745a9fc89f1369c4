import Foundation
import Testing

/// `--deterministic`: a propagate run gives the same JSON at every `--threads`, timings and the
/// thread count aside.
@Suite struct DeterministicCommandTests {
    /// The JSON lines of a run, without those that hold a time or the thread count.
    static func propagateLines(threads: Int) throws -> [String] {
        let result = try runInitbench(["propagate", "--init", "he-normal,xavier-uniform", "--activation", "tanh,relu",
                                       "--depth", "3", "--width", "600", "--batch", "70", "--format", "json",
                                       "--threads", "\(threads)", "--deterministic", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"deterministic\" : true"))
        return result.stdout.split(separator: "\n").map(String.init)
            .filter { !$0.contains("\"threads\"") && !$0.contains("seconds\"") && !$0.contains("Seconds\"") }
    }

    @Test func propagateIsTheSameAtEveryThreadCount() throws {
        let one = try Self.propagateLines(threads: 1)
        #expect(one.count > 100)
        for threads in [2, 3] {
            #expect(try Self.propagateLines(threads: threads) == one, "\(threads) threads")
        }
    }
}
