// The sweep's own cost per configuration beside the configuration's run, measured side by side
// in one process: `swift run -c release SweepOverhead [repetitions]` from Benchmarks/.
//
// For the smallest configuration of the trainability preset (the cheapest a real sweep runs), it
// times, interleaved and repeated, the run itself (`SweepRunner.run`) and the sweep's work around
// it: reading and checking the grid, resolving the configuration and the shard's positions (per
// configuration), appending its
// line to a results file, and reading a results file back on resume (per line). It prints the
// medians and the overhead as a fraction of the run. Then it runs the preset's 16 cheapest
// configurations with 1 and with 2 jobs (one thread each) and prints the wall-time ratio.
import Foundation
import VarianceKit

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let repetitions = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 15
try ThreadPolicy.setThreadCount(1)
ThreadPolicy.setDeterministic(true)
let grid = SweepPreset.trainability.grid
let costs = (0..<grid.count).map { SweepCost(grid.configuration(at: $0)).operations }
let cheapest = costs.indices.min { costs[$0] < costs[$1] }!
let configuration = grid.configuration(at: cheapest)
let runner = SweepRunner()
let record = try runner.run(configuration)   // builds the dataset once, as a sweep does
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-overhead-\(ProcessInfo.processInfo.processIdentifier)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

var runTimes: [Double] = [], planTimes: [Double] = [], appendTimes: [Double] = [], resumeTimes: [Double] = []
for repetition in 0..<repetitions {
    runTimes.append(try seconds { _ = try runner.run(configuration) })
    let gridText = try JSONEncoder().encode(grid.jsonValue)
    planTimes.append(try seconds {
        _ = try SweepGrid(json: gridText, source: "preset")
        let positions = try SweepShard(index: 1, count: 4).positions(in: grid)
        for position in positions { _ = grid.configuration(at: position).key }
    } / Double(grid.count))
    let path = directory.appendingPathComponent("results-\(repetition).jsonl").path
    let lines = 50
    do {
        let writer = try SweepResultsWriter(path: path, grid: grid, shard: nil, resume: false)
        appendTimes.append(try seconds { for _ in 0..<lines { try writer.append(record) } } / Double(lines))
    }
    resumeTimes.append(try seconds { _ = try SweepResultsWriter(path: path, grid: grid, shard: nil, resume: true) } / Double(lines))
}
if CommandLine.arguments.contains("--parts") {
    let text = try JSONEncoder().encode(grid.jsonValue)
    let n = Double(grid.count)
    // With --parts: the plan and the line split into their pieces.
    print(String(format: "parts per configuration: grid %.2e, costs %.2e, configuration+key %.2e, encode %.2e",
                 median((0..<9).map { _ in try! seconds { _ = try SweepGrid(json: text, source: "p") } }) / n,
                 median((0..<9).map { _ in seconds { for i in 0..<grid.count { _ = SweepCost(grid.configuration(at: i)) } } }) / n,
                 median((0..<9).map { _ in seconds { for i in 0..<grid.count { _ = grid.configuration(at: i).key } } }) / n,
                 median((0..<9).map { _ in try! seconds { let e = SweepRecord.makeEncoder(); for _ in 0..<100 { _ = try e.encode(record) } } }) / 100))
}
let run = median(runTimes), plan = median(planTimes), append = median(appendTimes), resume = median(resumeTimes)
let overhead = plan + append + resume
print("configuration: \(configuration.key)")
print(String(format: "run %.4f s; per configuration: plan %.2e s, append %.2e s, read on resume %.2e s", run, plan, append, resume))
print(String(format: "overhead / run = %.4f%% (median of %d, one thread, kernel %@)", 100 * overhead / run, repetitions, BLAS.kernelName))

let batch = costs.indices.sorted { costs[$0] < costs[$1] }.prefix(16).map(grid.configuration(at:))
var oneJob: [Double] = [], twoJobs: [Double] = []
for _ in 0..<3 {
    oneJob.append(try seconds { try runner.run(batch, jobs: 1, finished: { _ in }, failed: { _ in }) })
    twoJobs.append(try seconds { try runner.run(batch, jobs: 2, finished: { _ in }, failed: { _ in }) })
}
print(String(format: "16 cheapest configurations: 1 job %.3f s, 2 jobs %.3f s, speed-up %.2fx on %d processors",
             median(oneJob), median(twoJobs), median(oneJob) / median(twoJobs), ProcessInfo.processInfo.activeProcessorCount))
