import Foundation
import Testing

/// `initbench sweep` and `initbench merge` end to end: shards, resume after a kill, a cut-off
/// last line, scheduler variables, merge's accounting, and refusals.
@Suite struct SweepCommandTests {
    static let propagateGrid = #"""
        {"schema": "initbench.grid.v1", "kind": "propagate",
         "axes": {"activation": ["tanh", "relu"], "initializer": ["xavier-normal", "he-normal"], "depth": [2, 5]},
         "fixed": {"width": 24, "batch": 16, "bias-variance": 0.02}}
        """#
    static let trainGrid = #"""
        {"kind": "train", "axes": {"weight-variance": [0.5, 1, 1.5, 2, 2.5, 3], "depth": [2, 3]},
         "fixed": {"width": 32, "steps": 150, "samples": 400, "batch": 16, "evaluate-every": 50}}
        """#

    /// A fresh directory holding `grid.json`.
    func directory(grid: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("initbench-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try grid.write(to: url.appendingPathComponent("grid.json"), atomically: true, encoding: .utf8)
        return url
    }

    /// The record lines of a results file without their timings, by key.
    func results(_ path: URL) throws -> [String: String] {
        let lines = try String(contentsOf: path, encoding: .utf8).split(separator: "\n").dropFirst()
        var byKey: [String: String] = [:]
        for line in lines {
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let key = try #require(object["key"] as? String)
            #expect(byKey[key] == nil, "\(key) written twice")
            object["seconds"] = nil
            byKey[key] = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        return byKey
    }

    @Test func shardsMergeToTheUnshardedRun() throws {
        let dir = try directory(grid: Self.propagateGrid)
        defer { try? FileManager.default.removeItem(at: dir) }
        let grid = dir.appendingPathComponent("grid.json").path
        let whole = try runInitbench(["sweep", "--grid", grid, "--output", dir.appendingPathComponent("all.jsonl").path, "--quiet", "--jobs", "2"])
        #expect(whole.status == 0, "\(whole.stderr)")
        var parts: [String] = []
        for k in 1...3 {
            let part = dir.appendingPathComponent("part-\(k).jsonl").path
            parts.append(part)
            let result = try runInitbench(["sweep", "--grid", grid, "--shard", "\(k)/3", "--output", part, "--quiet"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let shardKeys = try parts.map { Set(try results(URL(fileURLWithPath: $0)).keys) }
        #expect(shardKeys.reduce(0) { $0 + $1.count } == 8)
        #expect(shardKeys.reduce(Set<String>()) { $0.union($1) }.count == 8, "the shards overlap")
        let merged = try runInitbench(["merge"] + parts + ["--compare", dir.appendingPathComponent("all.jsonl").path, "--format", "csv"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stderr.contains("all 8 results equal"))
        #expect(merged.stdout.split(separator: "\n").count == 9)
        let json = try runInitbench(["merge"] + parts + ["--format", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["schema"] as? String == "initbench.merge.v1")
        #expect((document["records"] as? [Any])?.count == 8)
        #expect(document["complete"] as? Bool == true)
    }

    @Test func mergeSaysWhatIsMissingOrDuplicated() throws {
        let dir = try directory(grid: Self.propagateGrid)
        defer { try? FileManager.default.removeItem(at: dir) }
        let grid = dir.appendingPathComponent("grid.json").path
        let first = dir.appendingPathComponent("p1.jsonl").path, again = dir.appendingPathComponent("p1-again.jsonl").path
        for path in [first, again] {
            #expect(try runInitbench(["sweep", "--grid", grid, "--shard", "1/2", "--output", path, "--quiet"]).status == 0)
        }
        let missing = try runInitbench(["merge", first])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("missing 4 of 8 configurations"))
        let duplicated = try runInitbench(["merge", first, again])
        #expect(duplicated.status == 1)
        #expect(duplicated.stderr.contains("duplicated (identical results)"))
        #expect(duplicated.stderr.contains("missing 4 of 8"))
        let compared = try runInitbench(["merge", first, "--compare", again])
        #expect(compared.stderr.contains("all 4 results equal"))
    }

    /// The newlines in the file at `path` so far, read with `read(2)`: the file grows while it is
    /// read, and Foundation's whole-file readers can leak their buffer when a read comes up short
    /// (LeakSanitizer saw 4096 bytes from `readBytesFromFile` in `make sanitize-address`).
    static func lineCount(_ path: String) -> Int {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var count = 0
        while true {
            let bytes = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard bytes > 0 else { return count }
            count += buffer[..<bytes].count { $0 == UInt8(ascii: "\n") }
        }
    }

    /// A sweep killed (SIGKILL) after some configurations finished, then resumed, ends with the
    /// lines of an uninterrupted sweep; so does one whose last line was cut off mid-write.
    @Test func resumeAfterKillAndAfterCutOffLine() throws {
        let dir = try directory(grid: Self.trainGrid)
        defer { try? FileManager.default.removeItem(at: dir) }
        let grid = dir.appendingPathComponent("grid.json").path
        let reference = dir.appendingPathComponent("reference.jsonl")
        #expect(try runInitbench(["sweep", "--grid", grid, "--output", reference.path, "--quiet"]).status == 0)
        let expected = try results(reference)
        #expect(expected.count == 12)

        let killed = dir.appendingPathComponent("killed.jsonl")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: initbenchBinaryPath())
        process.arguments = ["sweep", "--grid", grid, "--output", killed.path, "--quiet"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        var lines = 0
        while process.isRunning, lines < 3 {
            usleep(5_000)
            lines = Self.lineCount(killed.path)
        }
        let wasRunning = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let partial = try results(killed)
        #expect(wasRunning, "the sweep finished before it could be killed")
        #expect(partial.count >= 2 && partial.count < 12, "killed after \(partial.count) configurations")
        for (key, line) in partial { #expect(expected[key] == line) }
        let resumed = try runInitbench(["sweep", "--grid", grid, "--output", killed.path, "--resume", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try results(killed) == expected)

        // Cut the last line in half: merge ignores it and says so; resume redoes it.
        let bytes = try Data(contentsOf: killed)
        try bytes.prefix(bytes.count - 200).write(to: killed)
        let merged = try runInitbench(["merge", killed.path])
        #expect(merged.status == 1)
        #expect(merged.stderr.contains("cut off mid-write"))
        #expect(merged.stderr.contains("missing 1 of 12"))
        let redone = try runInitbench(["sweep", "--grid", grid, "--output", killed.path, "--resume", "--quiet"])
        #expect(redone.status == 0)
        #expect(redone.stderr.contains("cut off mid-write"))
        #expect(try results(killed) == expected)
    }

    @Test func shardAutoReadsTheSchedulersVariables() throws {
        let dir = try directory(grid: Self.propagateGrid)
        defer { try? FileManager.default.removeItem(at: dir) }
        let grid = dir.appendingPathComponent("grid.json").path
        func plan(_ environment: [String: String], _ extra: [String] = []) throws -> (Int32, [String: Any]?, String) {
            let result = try runInitbench(["sweep", "--grid", grid, "--shard", "auto", "--dry-run", "--format", "json"] + extra,
                                          environment: environment,
                                          unsetting: ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN",
                                                      "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP", "JOB_COMPLETION_INDEX"]
                                              .filter { environment[$0] == nil })
            return (result.status, try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stderr)
        }
        let slurm = try plan(["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "4"])
        #expect(slurm.0 == 0, "\(slurm.2)")
        #expect(slurm.1?["shard"] as? String == "2/4")
        // The plan estimates each configuration's time (operations over the measured rate) and memory.
        let entries = (slurm.1?["entries"] as? [[String: Any]]) ?? []
        #expect(!entries.isEmpty)
        let rate = (slurm.1?["rate"] as? Double) ?? 0
        #expect(rate > 0)
        for entry in entries {
            let operations = (entry["operations"] as? Double) ?? 0, seconds = (entry["estimatedSeconds"] as? Double) ?? 0
            #expect(operations > 0 && abs(seconds - operations / rate) <= 1e-9 * seconds)
            #expect(((entry["bytes"] as? Int) ?? 0) > 0)
        }
        let total = entries.reduce(0) { $0 + ((($1["estimatedSeconds"] as? Double) ?? 0)) }
        #expect(abs(((slurm.1?["estimatedSeconds"] as? Double) ?? -1) - total) <= 1e-9 * total)
        let range = try plan(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "3"])
        #expect(range.1?["shard"] as? String == "3/3")
        let kubernetes = try plan(["JOB_COMPLETION_INDEX": "0"], ["--shard-count", "2"])
        #expect(kubernetes.1?["shard"] as? String == "1/2")
        let noCount = try plan(["JOB_COMPLETION_INDEX": "0"])
        #expect(noCount.0 == 64)
        #expect(noCount.2.contains("--shard-count"))
        let nothing = try plan([:])
        #expect(nothing.0 == 64)
        #expect(nothing.2.contains("SLURM_ARRAY_TASK_ID"))
        // The parts the variables name cover the grid.
        var positions: [Int] = []
        for id in 0..<4 {
            let part = try plan(["SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_COUNT": "4"])
            positions += ((part.1?["entries"] as? [[String: Any]]) ?? []).compactMap { $0["index"] as? Int }
        }
        #expect(positions.sorted() == Array(0..<8))
    }

    @Test func refusesBadGridsOutputsAndFlags() throws {
        let dir = try directory(grid: Self.propagateGrid)
        defer { try? FileManager.default.removeItem(at: dir) }
        let grid = dir.appendingPathComponent("grid.json").path
        let bad = dir.appendingPathComponent("bad.json")
        try #"{"kind": "propagate", "axes": {"depth": [2, -1]}}"#.write(to: bad, atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("out.jsonl").path
        let badGrid = try runInitbench(["sweep", "--grid", bad.path, "--output", output])
        #expect(badGrid.status == 64)
        #expect(badGrid.stderr.contains("axes.depth[1]"))
        #expect(!FileManager.default.fileExists(atPath: output), "nothing may be written for a bad grid")
        #expect(try runInitbench(["sweep", "--grid", dir.appendingPathComponent("none.json").path, "--output", output]).status == 64)
        #expect(try runInitbench(["sweep", "--grid", grid]).status == 64)
        #expect(try runInitbench(["sweep", "--grid", grid, "--preset", "trainability", "--output", output]).status == 64)
        #expect(try runInitbench(["sweep", "--preset", "trainabilty", "--output", output]).status == 64)
        #expect(try runInitbench(["sweep", "--grid", grid, "--shard", "5/4", "--output", output]).status == 64)
        #expect(try runInitbench(["sweep", "--grid", grid, "--jobs", "0", "--output", output]).status == 64)
        #expect(try runInitbench(["sweep", "--grid", grid, "--output", dir.path]).status == 64)
        #expect(try runInitbench(["sweep", "--grid", grid, "--output", output, "--quiet"]).status == 0)
        let again = try runInitbench(["sweep", "--grid", grid, "--output", output, "--quiet"])
        #expect(again.status == 64)
        #expect(again.stderr.contains("--resume"))
        let notResults = try runInitbench(["merge", grid])
        #expect(notResults.status == 64)
        #expect(try runInitbench(["merge"]).status == 64)
    }

    @Test func presetPrintsItsGridAndHelpSaysWhatItShows() throws {
        let printed = try runInitbench(["sweep", "--preset", "trainability", "--print-grid"])
        #expect(printed.status == 0)
        let grid = try #require(try JSONSerialization.jsonObject(with: Data(printed.stdout.utf8)) as? [String: Any])
        #expect(grid["kind"] as? String == "train")
        #expect((grid["fixed"] as? [String: Any])?["bias-variance"] as? Double == 0.05)
        let help = try runInitbench(["sweep", "--help"])
        #expect(help.stdout.contains("narrows with depth"))
        #expect(help.stdout.contains("weight-variance"))
    }
}
