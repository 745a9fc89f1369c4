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
                try Self.checkDensity(entry, run: run)
            }
        }
        // Without --spectrum the fields are there, as null.
        let plain = try runInitbench(["propagate"] + Self.small + ["--init", "standard", "--activation", "tanh", "--format", "json"])
        let plainRoot = try PropagateCommandTests.json(plain.stdout)
        #expect((plainRoot["config"] as? [String: Any])?["spectrumSamples"] is NSNull)
        #expect((plainRoot["runs"] as? [[String: Any]])?.first?["spectrum"] is NSNull)
    }

    /// Orthogonal linear layers have a point mass and no density; every other law has one, on a
    /// grid inside its support, whose rule integrates to 1. Linear layers of independent entries at
    /// depth 1 (here `s_w^2 = 16 Var(W) = 1` for Xavier) follow Marchenko–Pastur with ratio 1,
    /// `ρ(λ) = √((4 - λ) λ) / (2π λ)` on `[0, 4]`.
    static func checkDensity(_ entry: [String: Any], run: [String: Any]) throws {
        let orthogonal = run["init"] as? String == "orthogonal", linear = run["activation"] as? String == "linear"
        if orthogonal && linear {
            #expect(entry["density"] is NSNull)
            #expect((entry["densityUnavailable"] as? String)?.contains("atom") == true, "\(entry["densityUnavailable"] ?? "nil")")
            return
        }
        #expect(entry["densityUnavailable"] is NSNull)
        let density = try #require(entry["density"] as? [String: Any], "\(run["init"] ?? "")/\(run["activation"] ?? "")")
        #expect(density["ensemble"] as? String == (orthogonal ? "haarOrthogonal" : "independentEntries"))
        #expect(density["depth"] as? Int == entry["depth"] as? Int)
        let grid = try #require(density["squaredSingularValues"] as? [Double]), values = try #require(density["density"] as? [Double])
        let lower = try #require(density["lowerEdge"] as? Double), upper = try #require(density["upperEdge"] as? Double)
        // Points near 0 where the equations lose digits may be left out (`densityTruncation`).
        #expect(grid.count <= PropagationExperiment.spectrumDensityPoints && grid.count >= PropagationExperiment.spectrumDensityPoints / 2)
        #expect(values.count == grid.count)
        #expect(zip(grid, grid.dropFirst()).allSatisfy { $0 < $1 } && grid.first! > lower && grid.last! < upper)
        #expect(values.allSatisfy { $0 >= 0 && $0.isFinite })
        let integral = try #require(density["integral"] as? Double), atom = try #require(density["zeroAtomMass"] as? Double)
        // No atom (but quadrature nodes so far out that tanh'^2 underflows), and a total mass of 1 up to
        // the midpoint rule's error at the inverse-square-root edge of orthogonal tanh at depth 1.
        #expect(atom < 1e-20 && abs(integral - 1) < 0.03, "integral \(integral), atom \(atom)")
        if linear && entry["depth"] as? Int == 1 {
            #expect(abs(lower) < 1e-9 && abs(upper - 4) < 1e-6, "[\(lower), \(upper)]")
            for (lambda, rho) in zip(grid, values) where lambda > 1e-3 && lambda < 3.99 {
                let marchenkoPastur = ((4 - lambda) * lambda).squareRoot() / (2 * Double.pi * lambda)
                #expect(abs(rho - marchenkoPastur) <= 1e-4 * marchenkoPastur, "rho(\(lambda)) = \(rho), Marchenko-Pastur \(marchenkoPastur)")
            }
        }
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
        func keys(_ elements: [[String: String]]) -> Set<String> {
            Set(elements.compactMap { line in line["data-init"].map { "\($0)/\(line["data-activation"] ?? "")/\(line["data-depth"] ?? "")" } })
        }
        #expect(keys(lines).count == 2 * 2 * 4)
        // A predicted density beside every measured one that has one in results.json: all but
        // orthogonal ReLU at depth 1, whose law (s_w^2 phi'(h)^2, 0 or 2) is two atoms, and at
        // depth 2, where the density diverges at its upper edge and the solver gives up near it.
        // ReLU's atom at 0 is said in the notes.
        let document = try PropagateCommandTests.json(String(contentsOf: directory.appendingPathComponent("results.json"), encoding: .utf8))
        var withDensity = Set<String>(), unavailable = [String: String]()
        for run in try #require(document["runs"] as? [[String: Any]]) {
            for entry in try #require((run["spectrum"] as? [String: Any])?["depths"] as? [[String: Any]]) {
                let key = "\(run["init"] ?? "")/\(run["activation"] ?? "")/\(entry["depth"] ?? "")"
                if entry["density"] is [String: Any] { withDensity.insert(key) }
                if let reason = entry["densityUnavailable"] as? String { unavailable[key] = reason }
            }
        }
        #expect(Set(unavailable.keys).isSubset(of: ["orthogonal/relu/1", "orthogonal/relu/2"]), "\(unavailable)")
        #expect(unavailable["orthogonal/relu/1"]?.contains("atom") == true)
        #expect(withDensity.union(unavailable.keys) == keys(lines))
        let densities = figure.elements("path", class: "spectrum-density")
        #expect(keys(densities) == withDensity)
        #expect(densities.allSatisfy { ($0["d"] ?? "").hasPrefix("M") })
        let html = try String(contentsOf: directory.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("predicted density (free probability)"))
        #expect(html.contains("do not exist or could not be computed"))
        #expect(html.contains("atom at sigma = 0"))
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
        // A predicted density reaching below the axis (which spans sigma in [0.1, 10]) at depth 1,
        // and one that could not be computed at depth 5.
        let grid = [1e-6, 1e-3, 0.5, 50, 99]
        first.run.spectrum?.depths[0].density = SpectrumDensity(
            depth: 1, ensemble: .independentEntries, squaredSingularValues: grid, density: grid.map { 0.5 / $0 },
            lowerEdge: 0, upperEdge: 100, gridExponent: 4, zeroAtomMass: 0.5, integral: 0.5)
        first.run.spectrum?.depths[4].densityUnavailable = "not solved"
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
        // The density's three points on the axis are drawn; the two below it are cut, and said.
        let densities = svg.elements("path", class: "spectrum-density")
        #expect(densities.map { $0["data-depth"] } == ["1"])
        #expect(densities.first?["d"]?.components(separatedBy: "L").count == 3)
        #expect(figure.notes.contains { $0.contains("cut at its edges") })
        #expect(figure.notes.contains { $0.contains("1 predicted densities do not exist") })
        #expect(figure.notes.contains { $0.contains("atom at sigma = 0") })
        // No spectrum at all: a figure that says so.
        let none = SpectrumFigure.svg(try Fixtures.report([Fixtures.run("standard", "tanh", [Fixtures.layer(1, activation: 1, gradient: 1)])], depth: 1))
        #expect(try SVGElements.parse(none.text).coordinateProblems() == [])
        #expect(none.notes == ["No spectrum was measured."])
    }
}
