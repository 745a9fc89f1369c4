import ArgumentParser
import Foundation
import VarianceKit

/// `initbench sweep`: every configuration of a grid (or of this shard of it), one JSON line
/// each as it finishes, resumable, shardable over a scheduler's job array.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a grid of configurations (propagate, train or theory), one JSON line each; resumable and shardable over Slurm or Kubernetes.",
        discussion: """
            The grid (--grid FILE, schema \(SweepGrid.schema)) is a JSON object: "kind" (\(SweepKind.acceptedNames)), \
            "axes" (setting -> list of values) and "fixed" (setting -> value); every combination of the axes' values \
            is one configuration. It is checked whole before anything runs. The settings each kind takes:
            \(Sweep.settingsTable)
            Results: --output holds a header line, then one JSON line per finished configuration (its canonical key, \
            every setting, its result, its time), written as it finishes. An existing results file is continued only \
            with --resume, which skips what is done and redoes a last line cut off mid-write. A configuration's \
            result is the same bits whether it runs alone, in any shard, beside others (--jobs) or after a resume: \
            its random streams come from its key, and products are deterministic (ThreadPolicy.deterministic).
            Shards: --shard k/n runs the k-th of n parts, balanced by estimated cost; --shard auto takes k and n from \
            SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (or _MIN/_MAX) of a Slurm job array, or from \
            JOB_COMPLETION_INDEX of a Kubernetes Indexed Job with --shard-count N. Combine the parts with initbench merge.
            Presets (--preset): trainability: \(SweepPreset.trainability.expectation)
            Example: initbench sweep --preset trainability --output trainability.jsonl --report trainability-report
            """)

    @Option(help: ArgumentHelp("The grid file (JSON, schema \(SweepGrid.schema)).", valueName: "file"))
    var grid: String?

    @Option(help: ArgumentHelp("A built-in grid instead of --grid: \(SweepPreset.acceptedNames).", valueName: "name"))
    var preset: String?

    @Flag(name: .customLong("print-grid"), help: "Print the grid (canonical JSON) and exit.")
    var printGrid = false

    @Option(help: ArgumentHelp("The results file (JSON Lines); required unless --dry-run or --print-grid.", valueName: "path"))
    var output: String?

    @Flag(help: "Continue the results file: skip the configurations it holds, redo a last line cut off mid-write.")
    var resume = false

    @Option(help: ArgumentHelp("Run part k of n (1 <= k <= n), balanced by estimated cost; or auto, from the scheduler's environment.", valueName: "k/n|auto"))
    var shard: String?

    @Option(name: .customLong("shard-count"), help: "With --shard auto under a Kubernetes Indexed Job: the number of parts (the Job's completions).")
    var shardCount: Int?

    @Option(help: "Configurations run side by side (1...256); the threads are divided between them.")
    var jobs: Int = 1

    @Option(help: "Threads in all (default: what OpenBLAS chose); each of --jobs J gets max(1, threads / J).")
    var threads: Int?

    @Flag(name: .customLong("dry-run"), help: "List this shard's configurations with estimated time and memory, and run nothing.")
    var dryRun = false

    @Option(help: "Output format of --dry-run and of the summary table: table, csv, json.")
    var format: OutputFormat = .table

    @Option(help: ArgumentHelp("After the sweep, write the HTML report of the results file into this directory.", valueName: "directory"))
    var report: String?

    @Flag(help: "Never draw the progress bar on standard error.")
    var quiet = false

    static var settingsTable: String {
        SweepSetting.all.map { setting in
            let defaults = SweepKind.allCases.compactMap { kind in
                setting.defaultValue(for: kind).map { "\(kind.rawValue) \($0)" }
            }
            return "  \(setting.name) (\(setting.kinds.map(\.rawValue).joined(separator: ", "))): \(setting.summary); \(setting.accepted)"
                + (defaults.isEmpty ? "" : "; default \(defaults.joined(separator: ", "))")
        }.joined(separator: "\n")
    }

    func validate() throws {
        guard (grid == nil) != (preset == nil) else {
            throw ValidationError("give one of --grid FILE and --preset NAME (\(SweepPreset.acceptedNames))")
        }
        if let preset, SweepPreset(rawValue: preset) == nil {
            throw ValidationError("invalid --preset \"\(preset)\": expected one of \(SweepPreset.acceptedNames)")
        }
        guard (1...256).contains(jobs) else { throw ValidationError("invalid --jobs \(jobs): expected an integer in 1...256") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("invalid --threads \(threads): expected an integer in 1...256") }
        if let shardCount, !(1...SweepShard.maximumCount).contains(shardCount) {
            throw ValidationError("invalid --shard-count \(shardCount): expected an integer in 1...\(SweepShard.maximumCount)")
        }
        if shardCount != nil, shard != "auto" { throw ValidationError("--shard-count goes with --shard auto") }
        if let shard, shard != "auto" {
            do { _ = try SweepShard(parsing: shard) } catch let error as VarianceKitError { throw ValidationError("--shard: \(error.description)") }
        }
        if !dryRun, !printGrid, output == nil { throw ValidationError("--output PATH is required (the results file), unless --dry-run or --print-grid") }
        if resume, output == nil { throw ValidationError("--resume needs --output, the results file to continue") }
        if let report { try validateReportDirectory(report) }
    }

    func run() throws {
        try reportingFailures {
            let grid = try loadGrid()
            if printGrid {
                print(try JSONOutput.text(grid.jsonValue))
                return
            }
            let part = try resolveShard()
            let positions = part.map { $0.positions(in: grid) } ?? Array(0..<grid.count)
            let configurations = positions.map(grid.configuration(at:))
            if dryRun {
                try printDocument(try SweepPlanDocument(grid: grid, shard: part, configurations: configurations), format: format)
                return
            }
            try runSweep(grid: grid, shard: part, configurations: configurations)
        }
    }

    func loadGrid() throws -> SweepGrid {
        if let preset { return SweepPreset(rawValue: preset)!.grid }
        return try SweepGrid(contentsOf: URL(fileURLWithPath: grid!))
    }

    func resolveShard() throws -> SweepShard? {
        guard let shard else { return nil }
        if shard == "auto" { return try SweepShard.fromEnvironment(ProcessInfo.processInfo.environment, count: shardCount) }
        return try SweepShard(parsing: shard)
    }

    func runSweep(grid: SweepGrid, shard: SweepShard?, configurations: [SweepConfiguration]) throws {
        let total = threads ?? ThreadPolicy.threadCount
        try ThreadPolicy.setThreadCount(max(1, total / jobs))
        ThreadPolicy.setDeterministic(true)
        let writer = try SweepResultsWriter(path: output!, grid: grid, shard: shard, resume: resume)
        let remaining = configurations.filter { !writer.finished.contains($0.key) }
        let skipped = configurations.count - remaining.count
        if writer.removedTruncatedLine {
            StandardError.write("\(output!): its last line was cut off mid-write; removed, and its configuration runs again\n")
        }
        if skipped > 0 { StandardError.write("resuming: \(skipped) of \(configurations.count) configurations already done\n") }
        let progress = Locked(ProgressBar(quiet: quiet))
        let counts = Locked((done: 0, failed: [SweepRunner.Failure]()))
        let start = Date()
        try SweepRunner().run(remaining, jobs: jobs, finished: { record in
            try writer.append(record)
            let done = counts.withLock { state in
                state.done += 1
                return state.done
            }
            progress.withLock { $0.update(done, of: remaining.count, "\(record.index + 1): \(String(format: "%.2f", record.seconds)) s") }
        }, failed: { failure in
            counts.withLock { $0.failed.append(failure) }
            StandardError.write("configuration \(failure.configuration.index + 1) (\(failure.configuration.key)) failed: \(failure.reason)\n")
        })
        progress.withLock { $0.finish() }
        let (done, failed) = counts.withLock { ($0.done, $0.failed) }
        let elapsed = Date().timeIntervalSince(start)
        StandardError.write("\(done) configuration\(done == 1 ? "" : "s") finished in \(String(format: "%.1f", elapsed)) s"
                            + (skipped > 0 ? " (\(skipped) done before)" : "") + (failed.isEmpty ? "" : ", \(failed.count) failed")
                            + "; results in \(output!)\n")
        if let report {
            let file = try SweepResultsFile.read(output!)
            let merge = try SweepMerge([(output!, file)])
            try HTMLReport.write(SweepDocument(merge, sources: [output!]), merge: merge, to: report)
        }
        if !failed.isEmpty {
            StandardError.write("Error: \(failed.count) configuration\(failed.count == 1 ? "" : "s") failed (above); run again with --resume to retry them\n")
            throw ExitCode(1)
        }
    }
}

/// What `sweep --dry-run` prints: the shard's configurations with estimated operations, time
/// and memory (time from this machine's measured product rate).
struct SweepPlanDocument: RenderedDocument {
    struct Entry: Encodable {
        var index: Int
        var key: String
        var operations: Double
        var estimatedSeconds: Double
        var bytes: Int
    }

    var schema = "initbench.sweep-plan.v1"
    var kind: String
    var shard: String?
    var configurations: Int
    var gridConfigurations: Int
    var rate: Double
    var estimatedSeconds: Double
    var peakBytes: Int
    var axes: [String]
    var entries: [Entry]

    init(grid: SweepGrid, shard: SweepShard?, configurations: [SweepConfiguration]) throws {
        ThreadPolicy.setDeterministic(true)
        rate = try SweepCost.measuredRate()
        kind = grid.kind.rawValue
        self.shard = shard?.description
        self.configurations = configurations.count
        gridConfigurations = grid.count
        axes = grid.axisNames
        let rate = self.rate
        entries = configurations.map { configuration in
            let cost = SweepCost(configuration)
            return Entry(index: configuration.index, key: configuration.key, operations: cost.operations,
                         estimatedSeconds: cost.operations / rate, bytes: cost.bytes)
        }
        estimatedSeconds = entries.reduce(0) { $0 + $1.estimatedSeconds }
        peakBytes = entries.map(\.bytes).max() ?? 0
        labels = configurations.map { $0.label(grid.axisNames) }
    }

    private var labels: [String]
    private enum CodingKeys: String, CodingKey {
        case schema, kind, shard, configurations, gridConfigurations, rate, estimatedSeconds, peakBytes, axes, entries
    }

    var table: String {
        var rows = [["#", "configuration", "operations", "est. seconds", "memory"]]
        for (entry, label) in zip(entries, labels) {
            rows.append(["\(entry.index + 1)", label.isEmpty ? entry.key : label, NumberFormat.short(entry.operations),
                         String(format: "%.3f", entry.estimatedSeconds), MemoryRequirement.formatted(entry.bytes)])
        }
        return "\(kind) sweep\(shard.map { ", shard \($0)" } ?? ""): \(configurations) of \(gridConfigurations) configurations; "
            + "estimated \(String(format: "%.1f", estimatedSeconds)) s at \(NumberFormat.short(rate / 1e9)) GFLOP/s (measured now), "
            + "peak memory \(MemoryRequirement.formatted(peakBytes)) per job\n\n" + TableFormatter.aligned(rows, leftAligned: [1])
    }

    var csv: String {
        var writer = CSVWriter(header: ["index", "key", "operations", "estimatedSeconds", "bytes"])
        for entry in entries {
            writer.append([.integer(entry.index), .text(entry.key), .number(entry.operations), .number(entry.estimatedSeconds), .integer(entry.bytes)])
        }
        return writer.text
    }
}
