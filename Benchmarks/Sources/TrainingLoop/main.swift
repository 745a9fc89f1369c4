import Dispatch
import Foundation
import TrainingFixtures
import VarianceKit

// The VarianceKit side of Benchmarks/peers/compare_training.py: steady-state `Trainer` steps
// (AdamW, synthetic data in memory, `TrainingFixture`), one JSON line per round.
//
//     swift build -c release --product TrainingLoop
//     .build/release/TrainingLoop [--shape mnist|deep] [--steps N] [--rounds R] [--bare-steps N] [--samples N]
//
// Each round times `--steps` steps from the trainer's step events (`TrainingFixture.trainerSteps`),
// after the fixture's warm-up steps; the evaluation at the end of the call is not counted.
// `--samples N` replaces the shape's training-split size. `--bare-steps N` then times N bare steps and N `MinibatchIterator.next()` calls (one more line;
// under `valgrind --tool=callgrind` this gives the instruction counts of all three).

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("TrainingLoop: \(message)\n".utf8))
    exit(64)
}

var shapeName = "mnist"
var steps = 200
var rounds = 1
var bareSteps = 0
var samples: Int?
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard let value = arguments.popFirst() else { fail("\(flag) needs a value") }
    switch flag {
    case "--shape": shapeName = value
    case "--steps": steps = Int(value) ?? 0
    case "--rounds": rounds = Int(value) ?? 0
    case "--bare-steps": bareSteps = Int(value) ?? -1
    case "--samples": samples = Int(value) ?? 0
    default: fail("unknown option \(flag); expected --shape mnist|deep, --steps N, --rounds R, --bare-steps N, --samples N")
    }
}
guard var shape = TrainingShape.named[shapeName] else {
    fail("unknown shape \(shapeName); expected one of \(TrainingShape.named.keys.sorted().joined(separator: ", "))")
}
guard steps >= 1, rounds >= 1, bareSteps >= 0 else { fail("--steps and --rounds must be integers >= 1, --bare-steps >= 0") }
if let samples {
    guard samples >= shape.batch else { fail("--samples must be at least the batch size, \(shape.batch)") }
    shape.samples = samples
}

do {
    let fixture = try TrainingFixture(shape)
    for round in 0 ..< rounds {
        let nanoseconds = try fixture.trainerSteps(steps)
        let seconds = Double(nanoseconds) / 1e9
        let line: [String: Any] = [
            "peer": "VarianceKit", "shape": shapeName, "widths": shape.widths, "batch": shape.batch,
            "activation": shape.activation.name, "samples": shape.samples, "threads": ThreadPolicy.threadCount,
            "round": round, "steps": steps, "seconds": seconds, "step_seconds": seconds / Double(steps),
        ]
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
    if bareSteps > 0 {
        let start = DispatchTime.now().uptimeNanoseconds
        try fixture.bareSteps(bareSteps)
        let middle = DispatchTime.now().uptimeNanoseconds
        fixture.gather(bareSteps)
        let end = DispatchTime.now().uptimeNanoseconds
        let line: [String: Any] = [
            "peer": "VarianceKit", "shape": shapeName, "bare_steps": bareSteps,
            "bare_step_seconds": Double(middle - start) / 1e9 / Double(bareSteps),
            "next_seconds": Double(end - middle) / 1e9 / Double(bareSteps),
        ]
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
} catch {
    FileHandle.standardError.write(Data("TrainingLoop: \(error)\n".utf8))
    exit(1)
}
