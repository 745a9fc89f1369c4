import Dispatch
import Foundation
import TrainingFixtures
import VarianceKit

// The VarianceKit side of Benchmarks/peers/compare_training.py: steady-state `Trainer` steps
// (AdamW, synthetic data in memory, `TrainingFixture`), one JSON line per round.
//
//     swift build -c release --product TrainingLoop
//     .build/release/TrainingLoop [--shape mnist|deep] [--steps N] [--rounds R]
//
// Each round times `--steps` steps from the trainer's step events (`TrainingFixture.trainerSteps`),
// after the fixture's warm-up steps; the evaluation at the end of the call is not counted.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("TrainingLoop: \(message)\n".utf8))
    exit(64)
}

var shapeName = "mnist"
var steps = 200
var rounds = 1
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard let value = arguments.popFirst() else { fail("\(flag) needs a value") }
    switch flag {
    case "--shape": shapeName = value
    case "--steps": steps = Int(value) ?? 0
    case "--rounds": rounds = Int(value) ?? 0
    default: fail("unknown option \(flag); expected --shape mnist|deep, --steps N, --rounds R")
    }
}
guard let shape = TrainingShape.named[shapeName] else {
    fail("unknown shape \(shapeName); expected one of \(TrainingShape.named.keys.sorted().joined(separator: ", "))")
}
guard steps >= 1, rounds >= 1 else { fail("--steps and --rounds must be integers >= 1") }

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
} catch {
    FileHandle.standardError.write(Data("TrainingLoop: \(error)\n".utf8))
    exit(1)
}
