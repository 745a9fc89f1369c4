import Foundation
import Testing
@testable import initbench
import VarianceKit

/// `--spectrum` end to end, and the spectrum figure on values it cannot place.
@Suite struct SpectrumCommandTests {
    static let small = ["--depth", "4", "--width", "16", "--batch", "16", "--quiet"]

    @Test func propagateSpectrumJSONHasTheFields() throws {
        let result = try runInitbench(["propagate"] + Self.small + ["--init", "orthogonal,xavier-normal", "--activation", "linear,tanh",
                                                                    "--spectrum", "--spectrum-samples", "3", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let root = try PropagateCommandTests.json(result.stdout)
        let config = try #require(root["config"] as? [String: Any])
        #expect(config["spectrumSamples"] as? Int == 3)
        let runs = try #require(root["runs"] as? [[String: Any]])
        #expect(runs.count == 4)
        for run in runs {
            let spectrum = try #require(run["spectrum"] as? [String: Any], "\(run["init"] ?? "?")")
            #expect(spectrum["samples"] as? Int == 3)
            #expect(spectrum["seconds"] is Double)
            let depths = try #require(spectrum["depths"] as? [[String: Any]])
            #expect(depths.map { $0["depth"] as? Int } == [1, 2, 3, 4])
            for entry in depths {
                #expect(entry["nonFiniteSamples"] as? Int == 0)
                let summary = try #require(entry["summary"] as? [String: Any])
                for key in ["count", "zeros", "meanSquaredSingularValue", "squaredSingularValueMoments", "squaredSingularValueVariance",
                            "meanSingularValue", "singularValueStandardDeviation", "logSingularValueStandardDeviation",
                            "minimum", "maximum", "conditionNumbers", "conditionNumber"] {
                    #expect(summary[key] != nil, "summary.\(key) missing")
                }
                #expect(summary["count"] as? Int == 3 * 16)
                let histogram = try #require(entry["histogram"] as? [String: Any])
                #expect((histogram["counts"] as? [Int])?.reduce(0, +) == 48)
                let prediction = try #require(entry["prediction"] as? [String: Any])
                for key in ["depth", "ensemble", "meanSquaredSingularValue", "squaredSingularValueVariance", "squaredSingularValueMoments", "exact"] {
                    #expect(prediction[key] != nil, "prediction.\(key) missing")
                }
                let linear = run["activation"] as? String == "linear"
                #expect(prediction["exact"] as? Bool == linear)
                #expect((prediction["squaredSingularValueMoments"] is NSNull) == !linear)
                #expect(prediction["ensemble"] as? String == (run["init"] as? String == "orthogonal" ? "haarOrthogonal" : "independentEntries"))
            }
        }
        // Without --spectrum the fields are there, as null.
        let plain = try runInitbench(["propagate"] + Self.small + ["--init", "standard", "--activation", "tanh", "--format", "json"])
        let plainRoot = try PropagateCommandTests.json(plain.stdout)
        #expect((plainRoot["config"] as? [String: Any])?["spectrumSamples"] is NSNull)
        #expect((plainRoot["runs"] as? [[String: Any]])?.first?["spectrum"] is NSNull)
    }

    @Test(arguments: [["--spectrum", "--spectrum-samples", "0"], ["--spectrum", "--spectrum-samples", "17"],
                      ["--spectrum", "--spectrum-samples", "many"], ["--spectrum-samples", "2"]])
    func badSpectrumSamplesExit64(_ arguments: [String]) throws {
        let result = try runInitbench(["propagate"] + Self.small + arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("spectrum-samples"))
    }

    @Test func tableShowsTheSpectrumLines() throws {
        let result = try runInitbench(["propagate"] + Self.small + ["--init", "orthogonal", "--activation", "linear", "--spectrum"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("input-output Jacobian J, singular values s (4 samples"))
        #expect(result.stdout.contains("  depth 4: E[s^2] "))
    }

    @Test func reportWritesTheSpectrumFigure() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("initbench-spectrum-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runInitbench(["report", "--output", directory.path] + Self.small
                                      + ["--init", "orthogonal,he-normal", "--activation", "tanh,relu", "--spectrum"])
        #expect(result.status == 0, "\(result.stderr)")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        #expect(files.contains(SpectrumFigure.fileName))
        let figure = try SVGElements.parse(try String(contentsOf: directory.appendingPathComponent(SpectrumFigure.fileName), encoding: .utf8))
        #expect(figure.coordinateProblems() == [])
        let lines = figure.elements("path", class: "spectrum")
        #expect(Set(lines.compactMap { line in line["data-init"].map { "\($0)/\(line["data-activation"] ?? "")/\(line["data-depth"] ?? "")" } }).count == 2 * 2 * 4)
        let html = try String(contentsOf: directory.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("Singular values of the input-output Jacobian"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 5)  // variance, two histograms, the phase diagram, the spectrum
        // A report without --spectrum has no such file nor section, and may replace this one.
        let again = try runInitbench(["report", "--output", directory.path] + Self.small + ["--init", "standard", "--activation", "tanh"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: directory.path)).contains(SpectrumFigure.fileName))
    }

    @Test func spectrumFigureSurvivesZeroInfiniteAndNaNValues() throws {
        func entry(_ depth: Int, _ histogram: LogHistogram, summary: Bool = true, mean: Double?) -> DepthSpectrum {
            DepthSpectrum(depth: depth, nonFiniteSamples: summary ? 0 : 2,
                          summary: summary ? SingularValueSummary(singularValues: [[1, 0]]) : nil, histogram: histogram,
                          prediction: SpectrumPrediction(depth: depth, meanSquaredSingularValue: mean))
        }
        let histograms = [
            LogHistogram(lowerLog10: -1, upperLog10: 1, counts: [1, 2, 3], zeros: 4),
            LogHistogram(lowerLog10: -.infinity, upperLog10: .infinity, counts: [1, 2], zeros: 0),
            LogHistogram(lowerLog10: .nan, upperLog10: 1, counts: [1, 2], zeros: 0),
            LogHistogram(lowerLog10: 2, upperLog10: 2, counts: [5], zeros: 0),
            LogHistogram(lowerLog10: -300, upperLog10: 300, counts: [1, 0, 9], zeros: 0),
            .empty,
        ]
        let means: [Double?] = [1, .infinity, .nan, 0, 1e-300, nil]
        var first = Fixtures.run("orthogonal", "tanh", [Fixtures.layer(1, activation: 1, gradient: 1)])
        first.run.spectrum = JacobianSpectrum(samples: 2, depths: histograms.indices.map { entry($0 + 1, histograms[$0], mean: means[$0]) }, seconds: 0)
        var second = Fixtures.run("standard", "tanh", [Fixtures.layer(1, activation: 1, gradient: 1)])
        second.run.spectrum = JacobianSpectrum(samples: 2, depths: histograms.indices.map { entry($0 + 1, .empty, summary: false, mean: .nan) }, seconds: 0)
        var report = try Fixtures.report([first, second], depth: 6)
        report.config.spectrumSamples = 2
        let figure = SpectrumFigure.svg(report)
        let svg = try SVGElements.parse(figure.text)
        #expect(svg.coordinateProblems() == [])
        // Drawn: the usable histograms (depths 1 and 5) of the first run.
        #expect(svg.elements("path", class: "spectrum").compactMap { $0["data-depth"] }.sorted() == ["1", "5"])
        #expect(figure.notes.contains { $0.contains("exactly zero") })
        #expect(figure.notes.contains { $0.contains("not finite or not in order") })
        #expect(figure.notes.contains { $0.contains("no finite Jacobian") })
        #expect(figure.notes.contains { $0.contains("inf or NaN") })
        #expect(figure.notes.contains { $0.contains("predictions are not finite") })
        // No spectrum at all: a figure that says so.
        let none = SpectrumFigure.svg(try Fixtures.report([Fixtures.run("standard", "tanh", [Fixtures.layer(1, activation: 1, gradient: 1)])], depth: 1))
        #expect(try SVGElements.parse(none.text).coordinateProblems() == [])
        #expect(none.notes == ["No spectrum was measured."])
    }
}
