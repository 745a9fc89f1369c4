import Foundation
import Testing

/// `initbench regularize` end to end, through the executable (`INITBENCH_BINARY` when set, else
/// the debug build's `.build/debug/initbench`).
@Suite struct RegularizeCommandTests {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static func run(_ arguments: [String]) throws -> Result {
        let result = try runInitbench(["regularize"] + arguments)
        return Result(status: result.status, standardOutput: result.stdout, standardError: result.stderr)
    }

    struct Report: Decodable {
        struct Config: Decodable {
            var seed: UInt64
            var steps: Int
            var recordedSteps: [Int]
            var lambda: Float
            var normalizer: Float
            var learningRate: Float
            var sgdDecayFraction: Float
        }
        struct Run: Decodable {
            var optimizer: String
            var regularizer: String
            var trainingLoss: [Double]
            var weightNorm: [Double]
            var heldOutLoss: [Double]
            var sparsity: Double
        }
        var config: Config
        var runs: [Run]
    }

    static let small = [
        "--widths", "8,16,1", "--teacher-widths", "8,4,1", "--samples", "64",
        "--steps", "120", "--record-every", "40", "--seed", "7",
    ]

    @Test func jsonShowsTheSixRunsAndSectionTwo() throws {
        let result = try Self.run(Self.small + ["--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.standardOutput.utf8))
        #expect(report.config.recordedSteps == [0, 40, 80, 120])
        #expect(abs(report.config.sgdDecayFraction - report.config.learningRate * report.config.lambda / report.config.normalizer) < 1e-9)
        #expect(report.runs.map(\.optimizer) == ["SGD", "SGD", "Adam", "AdamW", "SGD", "SGD"])
        for run in report.runs {
            #expect(run.trainingLoss.count == 4 && run.weightNorm.count == 4)
            #expect(run.trainingLoss.allSatisfy { $0.isFinite })
            // The held-out loss is measured on samples the student never trains on, and falls too.
            #expect(run.heldOutLoss.count == 4 && run.heldOutLoss.allSatisfy { $0.isFinite })
            #expect(run.heldOutLoss.last! < run.heldOutLoss.first!, "\(run.optimizer) + \(run.regularizer): held-out loss did not fall")
            #expect(run.trainingLoss.last! < run.trainingLoss.first!, "\(run.optimizer) + \(run.regularizer) did not learn")
        }
        // Every run starts from the same student.
        #expect(Set(report.runs.map { $0.trainingLoss[0] }).count == 1)
        #expect(Set(report.runs.map { $0.weightNorm[0] }).count == 1)
        // SGD: L2(lambda, n) and decay lr*lambda/n agree to rounding; Adam+L2 and AdamW do not.
        let (l2, decay, adam, adamW) = (report.runs[0], report.runs[1], report.runs[2], report.runs[3])
        for i in 0..<4 {
            #expect(abs(l2.trainingLoss[i] - decay.trainingLoss[i]) <= 1e-4 * l2.trainingLoss[i])
            #expect(abs(l2.weightNorm[i] - decay.weightNorm[i]) <= 1e-4 * l2.weightNorm[i])
        }
        #expect(abs(adam.weightNorm[3] - adamW.weightNorm[3]) > 1e-3 * adam.weightNorm[3])
        // L1: the proximal step makes exact zeros, the subgradient (almost) none.
        let (subgradient, proximal) = (report.runs[4], report.runs[5])
        #expect(proximal.sparsity > 0.05)
        #expect(subgradient.sparsity < proximal.sparsity / 10)
        #expect(l2.sparsity == 0)
    }

    @Test func tableAndCSV() throws {
        let table = try Self.run(Self.small)
        #expect(table.status == 0)
        #expect(table.standardOutput.contains("AdamW"))
        #expect(table.standardOutput.contains("proximal"))
        let csv = try Self.run(Self.small + ["--format", "csv"])
        #expect(csv.status == 0)
        let lines = csv.standardOutput.split(separator: "\n")
        #expect(lines.first == "optimizer,regularizer,status,step,trainingLoss,weightNorm,heldOutLoss,finalSparsity")
        #expect(lines.count == 1 + 6 * 4)
    }

    @Test func outputIsWrittenAtomically() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("regularize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("report.json").path
        let result = try Self.run(Self.small + ["--format", "json", "--output", path])
        #expect(result.status == 0)
        #expect(result.standardOutput.isEmpty)
        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(report.runs.count == 6)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["report.json"])
    }

    @Test(arguments: [
        ["--output", "/nonexistent-folder-for-initbench/report.json"],
        ["--output", "/"],
        ["--lambda", "-1"],
        ["--learning-rate", "nan"],
        ["--widths", "16,0,1"],
        ["--widths", "8,4,1", "--teacher-widths", "16,8,1"],
        ["--steps", "0"],
        ["--format", "xml"],
    ])
    func badInputExitsWith64AndSaysWhy(arguments: [String]) throws {
        let result = try Self.run(arguments)
        #expect(result.status == 64)
        #expect(!result.standardError.isEmpty)
        if arguments[0] == "--output" { #expect(result.standardError.contains("cannot write \(arguments[1])")) }
    }

    /// A study larger than the memory available is refused before anything is allocated, with
    /// exit status 64 and the sizes (the available figure is injected).
    @Test func tooLargeForMemoryIsRefused() throws {
        let result = try runInitbench(["regularize", "--quiet"] + Self.small,
                                      environment: ["VARIANCEKIT_MEMORY_AVAILABLE_BYTES": "1000"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("Error: "))
        #expect(result.stderr.contains("1000 bytes"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func jsonHasASchemaAndNullPolicy() throws {
        let result = try Self.run(Self.small + ["--format", "json"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(root["schema"] as? String == "initbench.regularize.v1")
        let runs = try #require(root["runs"] as? [[String: Any]])
        #expect(runs.allSatisfy { $0["status"] as? String == "ok" })
    }

    /// The output options are the same as every other command's.
    @Test func sharedOutputOptions() throws {
        let result = try Self.run(Self.small + ["--threads", "1", "--quiet", "--format", "csv"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("optimizer,"))
    }
}
