import Foundation
import XCTest

/// `Scripts/sweep-slurm.sh` end to end: a private single-node Slurm started on this machine runs
/// the script's default grid as an array job of `initbench sweep --shard auto`, with the initbench
/// the other end-to-end tests run (`INITBENCH_BINARY` when set, else the debug build), and the
/// merged parts must equal an unsharded sweep.
///
/// When it runs: with `VARIANCEKIT_SLURM_TEST=1` (the script then installs Slurm and munge with
/// apt-get when they are missing), or when Slurm's and munge's commands are already installed.
/// Otherwise it is skipped, so that `make test` on a machine without Slurm installs nothing;
/// `VARIANCEKIT_SLURM_TEST=0` skips it always. It is skipped too when the script exits 77: Slurm
/// cannot be installed or started here. XCTest rather than Swift Testing, for that skip decided
/// while the test runs (XCTSkip).
final class SlurmSweepTests: XCTestCase {
    /// The script is stopped (SIGTERM, which makes it cancel its jobs and stop its daemons) when
    /// it runs longer than this.
    static let timeout: TimeInterval = 1200

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Whether the commands the script needs from Slurm and munge are installed (on PATH or in
    /// the sbin directories that a non-root PATH may lack).
    static var slurmIsInstalled: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/local/sbin"]
        return ["slurmctld", "slurmd", "sbatch", "sinfo", "squeue", "scontrol", "scancel", "munged", "munge", "unmunge"]
            .allSatisfy { name in
                directories.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
            }
    }

    func testArrayJobSweepMergesToTheUnshardedResults() throws {
        let requested = ProcessInfo.processInfo.environment["VARIANCEKIT_SLURM_TEST"]
        if requested == "0" { throw XCTSkip("VARIANCEKIT_SLURM_TEST=0") }
        guard requested == "1" || Self.slurmIsInstalled else {
            throw XCTSkip("Slurm and munge are not installed; VARIANCEKIT_SLURM_TEST=1 lets the script install them")
        }

        let work = FileManager.default.temporaryDirectory
            .appendingPathComponent("SlurmSweepTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let out = work.appendingPathComponent("out")
        let logURL = work.appendingPathComponent("sweep-slurm.log")
        XCTAssertTrue(FileManager.default.createFile(atPath: logURL.path, contents: nil), "cannot create \(logURL.path)")
        let log = try FileHandle(forWritingTo: logURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.repository.appendingPathComponent("Scripts/sweep-slurm.sh").path]
        process.currentDirectoryURL = Self.repository
        var environment = ProcessInfo.processInfo.environment
        environment["INITBENCH"] = initbenchBinaryPath()
        environment["OUT"] = out.path
        for name in ["GRID", "PRESET", "KEEP", "SLURM_CONF"] { environment[name] = nil }
        process.environment = environment
        // Into a file, not a pipe: nothing here has to drain it while the script runs.
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice

        let start = Date()
        try process.run()
        while process.isRunning && Date().timeIntervalSince(start) < Self.timeout {
            Thread.sleep(forTimeInterval: 0.2)
        }
        let timedOut = process.isRunning
        if timedOut { process.terminate() }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        try log.close()
        let output = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        print("SlurmSweepTests: Scripts/sweep-slurm.sh exited \(process.terminationStatus) after \(String(format: "%.1f", seconds)) s")

        if process.terminationStatus == 77 && !timedOut {
            try? FileManager.default.removeItem(at: work)
            let reason = output.split(separator: "\n").last { $0.contains("SKIPPED") } ?? "exit 77"
            throw XCTSkip("Scripts/sweep-slurm.sh: \(reason)")
        }
        XCTAssertFalse(timedOut, "Scripts/sweep-slurm.sh ran longer than \(Self.timeout) s:\n\(output)")
        XCTAssertEqual(process.terminationStatus, 0, "Scripts/sweep-slurm.sh failed:\n\(output)")
        let merged = out.appendingPathComponent("merged.json").path
        let size = (try? FileManager.default.attributesOfItem(atPath: merged)[.size] as? Int) ?? nil
        XCTAssertGreaterThan(size ?? 0, 0, "no merged results at \(merged):\n\(output)")
        if process.terminationStatus == 0 && !timedOut {
            try? FileManager.default.removeItem(at: work)
        } else {
            print("SlurmSweepTests: the script's output and results are in \(work.path)")
        }
    }
}
