import Foundation
import Testing

/// `initbench train` end to end, through the executable.
@Suite struct TrainCommandTests {
    struct Document: Decodable {
        struct Config: Decodable {
            struct DatasetSummary: Decodable {
                var name: String
                var features: Int
                var outputs: Int
                var trainSamples: Int
                var validationSamples: Int
                var testSamples: Int
            }
            var dataset: DatasetSummary
            var widths: [Int]
            var steps: Int
        }
        struct Run: Decodable {
            struct Record: Decodable {
                struct Point: Decodable {
                    var step: Int
                    var trainingLoss: Double?
                }
                struct Evaluation: Decodable {
                    var loss: Double?
                    var accuracy: Double?
                }
                var points: [Point]
                var test: Evaluation?
                var status: String
                var steps: Int
            }
            var label: String
            var record: Record
        }
        struct Outcome: Decodable {
            struct Comparison: Decodable {
                var paper: Double?
                var measured: Double?
            }
            struct Grid: Decodable {
                var values: [[Double?]]
            }
            var preset: String
            var shown: Bool
            var findings: [String]
            var comparison: [Comparison]
            var grids: [Grid]
        }
        var schema: String
        var config: Config
        var runs: [Run]
        var outcome: Outcome?
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("initbench-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func decode(_ text: String) throws -> Document {
        try JSONDecoder().decode(Document.self, from: Data(text.utf8))
    }

    /// Every combination of the lists is one run; each learns (the last point's loss is below
    /// the first's) and is evaluated on a test split drawn by seed.
    @Test func configurationsAreTheProductOfTheLists() throws {
        let result = try runInitbench(["train", "--quiet", "--dataset", "gaussian-mixture", "--samples", "600", "--widths", "16",
                                       "--init", "xavier-normal,he-normal", "--optimizer", "sgd,adam", "--penalty", "none,l2:0.001",
                                       "--epochs", "3", "--batch", "32", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try Self.decode(result.stdout)
        #expect(document.schema == "initbench.train.v1")
        #expect(document.runs.count == 8)
        #expect(document.config.widths == [16, 16, 4])
        #expect(document.config.dataset.trainSamples == 420 && document.config.dataset.testSamples == 120)
        #expect(document.config.steps == 3 * (420 / 32))
        for run in document.runs {
            #expect(run.record.status == "ok")
            #expect(run.record.steps == document.config.steps)
            let first = try #require(run.record.points.first?.trainingLoss), last = try #require(run.record.points.last?.trainingLoss)
            #expect(last < first, "\(run.label) did not learn")
            #expect(run.record.test?.accuracy != nil)
        }
    }

    /// MNIST-style IDX files written here (a 4x4 "image" whose bright pixel says the class) train
    /// to high accuracy; the table says where the data came from.
    @Test func idxFilesTrain() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let count = 300
        var images: [UInt8] = [0, 0, 0x08, 3] + [UInt32(count), 4, 4].flatMap { withUnsafeBytes(of: $0.bigEndian, Array.init) }
        var labels: [UInt8] = [0, 0, 0x08, 1] + withUnsafeBytes(of: UInt32(count).bigEndian, Array.init)
        for i in 0..<count {
            let label = i % 3
            var pixels = [UInt8](repeating: 20, count: 16)
            pixels[label * 5] = 250
            pixels[(i * 7) % 16] = UInt8(truncatingIfNeeded: 20 + i % 50)
            images += pixels
            labels.append(UInt8(label))
        }
        let imageURL = directory.appendingPathComponent("images.idx3-ubyte"), labelURL = directory.appendingPathComponent("labels.idx1-ubyte")
        try Data(images).write(to: imageURL)
        try Data(labels).write(to: labelURL)
        let result = try runInitbench(["train", "--quiet", "--idx", imageURL.path, labelURL.path, "--widths", "16", "--epochs", "20",
                                       "--batch", "16", "--optimizer", "adam", "--learning-rate", "0.01"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("IDX \(imageURL.path)"))
        let json = try runInitbench(["train", "--quiet", "--idx", imageURL.path, labelURL.path, "--widths", "16", "--epochs", "20",
                                     "--batch", "16", "--optimizer", "adam", "--learning-rate", "0.01", "--format", "json"])
        let document = try Self.decode(json.stdout)
        #expect(document.config.dataset.features == 16 && document.config.dataset.outputs == 3)
        #expect((document.runs[0].record.test?.accuracy ?? 0) > 0.9)
    }

    /// A CSV file with a header and the label column named.
    @Test func csvWithANamedLabelTrains() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var text = "x1,x2,label,x3\n"
        for i in 0..<200 {
            let label = i % 2
            text += "\(Double(i % 13) / 13),\(label == 0 ? -1.0 : 1.0) ,\(label == 0 ? 7 : 9),\(Double(i % 5))\n"
        }
        let url = directory.appendingPathComponent("data.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let result = try runInitbench(["train", "--quiet", "--csv", url.path, "--label", "label", "--widths", "8", "--epochs", "20", "--learning-rate", "0.01",
                                       "--batch", "16", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try Self.decode(result.stdout)
        #expect(document.config.dataset.features == 3 && document.config.dataset.outputs == 2)
        #expect((document.runs[0].record.test?.accuracy ?? 0) > 0.9)
    }

    @Test(arguments: [
        (["--idx", "/nonexistent/images"], "--idx takes two files"),
        (["--csv", "/tmp/x.csv"], "--csv needs --label"),
        (["--optimizer", "rmsprop"], "unknown optimizer 'rmsprop'"),
        (["--penalty", "l2:-1"], "penalty"),
        (["--weight-decay", "nan"], "--weight-decay"),
        (["--preset", "he", "--dataset", "shapeset"], "--preset sets its own dataset"),
        (["--reduced"], "--reduced applies to --preset only"),
        (["--epochs", "2", "--steps", "3"], "not both"),
        (["--dataset", "cifar"], "cifar"),
        (["--depth", "3"], "--depth and --width go together"),
        (["--validation-fraction", "0.6", "--test-fraction", "0.5"], "leave nothing to train on"),
    ])
    func badFlagsAreUsageErrors(arguments: [String], message: String) throws {
        let result = try runInitbench(["train", "--quiet"] + arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }

    @Test func brokenFilesAreReportedWithTheirPath() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let images = directory.appendingPathComponent("images"), labels = directory.appendingPathComponent("labels")
        try Data([0, 0, 0x08, 3, 0, 0]).write(to: images)
        try Data([0, 0, 0x08, 1, 0, 0, 0, 0]).write(to: labels)
        let result = try runInitbench(["train", "--quiet", "--idx", images.path, labels.path])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(images.path))
        let missing = try runInitbench(["train", "--quiet", "--csv", directory.appendingPathComponent("none.csv").path, "--label", "0"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("none.csv"))
    }

    /// The report holds the page, both figures, the JSON and the CSV, and the page embeds the figures.
    @Test func reportIsWritten() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("report")
        let result = try runInitbench(["train", "--quiet", "--dataset", "teacher-regression", "--samples", "300", "--widths", "8,8",
                                       "--epochs", "2", "--batch", "16", "--probe-every", "3", "--optimizer", "sgd,adamw",
                                       "--report", report.path])
        #expect(result.status == 0, "\(result.stderr)")
        for name in ["index.html", "training-curves.svg", "training-variance.svg", "results.json", "results.csv"] {
            #expect(FileManager.default.fileExists(atPath: report.appendingPathComponent(name).path), "\(name) missing")
        }
        let page = try String(contentsOf: report.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(page.contains("<svg"))
        let curves = try String(contentsOf: report.appendingPathComponent("training-curves.svg"), encoding: .utf8)
        #expect(curves.components(separatedBy: "class=\"run\"").count - 1 == 4)
        let heat = try String(contentsOf: report.appendingPathComponent("training-variance.svg"), encoding: .utf8)
        #expect(heat.contains("<rect"))
        #expect(!heat.contains("nan") && !curves.contains("nan"))
    }

    /// Each preset runs end to end in its reduced mode and says what it should show and whether it did.
    @Test(arguments: ["glorot", "he", "decay", "sparsity"])
    func presetsRunReduced(preset: String) throws {
        let result = try runInitbench(["train", "--quiet", "--preset", preset, "--reduced", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try Self.decode(result.stdout)
        let outcome = try #require(document.outcome)
        #expect(outcome.preset == preset)
        #expect(!outcome.findings.isEmpty)
        #expect(document.runs.allSatisfy { $0.record.steps > 0 })
        switch preset {
        case "glorot":
            #expect(outcome.findings.first?.hasPrefix("scaled down: ") == true)
            #expect(outcome.comparison.map(\.paper) == [0.2715, 0.1560, 0.1627, 0.1606])
            #expect(outcome.comparison.allSatisfy { $0.measured != nil })
        case "decay":
            #expect(outcome.grids.count == 3)
            #expect(outcome.grids.allSatisfy { $0.values.count == 3 && $0.values.allSatisfy { $0.count == 3 } })
        default: break
        }
        let table = try runInitbench(["train", "--quiet", "--preset", preset, "--reduced"])
        #expect(table.stdout.contains("preset \(preset):"))
        #expect(table.stdout.contains("shown: "))
    }

    @Test func presetHelpSaysWhatEachShouldShow() throws {
        let result = try runInitbench(["train", "--help"])
        #expect(result.status == 0)
        for preset in ["glorot", "he", "decay", "sparsity"] { #expect(result.stdout.contains("\(preset): ")) }
        let help = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("27.15%"))
        #expect(help.contains("at least 5 points higher than the normalized (Xavier) one with tanh, and within 5 points of it with softsign"))
        #expect(help.contains("at least 0.5 decades per decade of learning rate"))
    }
}
