import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `initbench report` (and the default comparison) end to end: the files, well-formed SVG with the
/// expected series, a self-contained HTML page.
@Suite struct ReportCommandTests {
    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("initbench-report-\(UUID().uuidString)")
    }

    @Test func reportWritesWellFormedFiguresWithTheExpectedSeries() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runInitbench(["report", "--quiet", "--output", directory.path, "--depth", "4", "--width", "16",
                                       "--batch", "32", "--init", "standard,xavier-uniform,orthogonal", "--activation", "tanh,relu"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("report: \(directory.path)/index.html"))
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        #expect(files == ["index.html", "variance.svg", "activation-histograms.svg", "gradient-histograms.svg", "phase-diagram.svg", "results.json", "results.csv"])

        let variance = try SVGElements.parse(try Data(contentsOf: directory.appendingPathComponent("variance.svg")))
        #expect(variance.rootName == "svg")
        var expected = Set<String>()
        for initializer in ["standard", "xavier-uniform", "orthogonal"] {
            for activation in ["tanh", "relu"] {
                for quantity in ["activationVariance", "gradientVariance", "weightGradientVariance"] {
                    expected.insert("\(initializer)/\(activation)/\(quantity)")
                }
            }
        }
        #expect(variance.series("measured") == expected)
        #expect(variance.series("theory") == expected)
        // Every measured line has one point per layer (4 layers: M + 3 L).
        for path in variance.paths where path["class"] == "measured" {
            let d = path["d"] ?? ""
            #expect(d.filter { $0 == "M" }.count == 1 && d.filter { $0 == "L" }.count == 3, "\(path)")
        }
        #expect(variance.texts.contains { $0.contains("xavier-uniform") })

        for (file, quantity) in [("activation-histograms.svg", "activation"), ("gradient-histograms.svg", "gradient")] {
            let histograms = try SVGElements.parse(try Data(contentsOf: directory.appendingPathComponent(file)))
            let ridges = histograms.paths.filter { $0["class"] == "histogram" && $0["data-quantity"] == quantity }
            // Standard init on ReLU shrinks fast but stays non-zero at depth 4: a ridge per layer per panel.
            #expect(ridges.count == 3 * 2 * 4, "\(file)")
            let layers = Set(ridges.compactMap { $0["data-layer"] })
            #expect(layers == ["1", "2", "3", "4"])
        }

        let html = try String(contentsOf: directory.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 4)
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("<link"))
        #expect(html.contains("orthogonal"))
    }

    /// A run that overflows (gain 30 per linear layer: Float's range ends near layer 26) is drawn up
    /// to its last finite layer and marked; its histograms say inf/NaN; the tanh run completes.
    @Test func reportDrawsADivergedRun() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runInitbench(["report", "--quiet", "--output", directory.path, "--init", "orthogonal", "--gain", "30",
                                       "--activation", "linear,tanh", "--depth", "30", "--width", "16", "--batch", "8"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("diverged at layer"))
        let variance = try SVGElements.parse(try Data(contentsOf: directory.appendingPathComponent("variance.svg")))
        #expect(variance.texts.contains { $0.hasPrefix("orthogonal diverged @") })
        let gradients = try SVGElements.parse(try Data(contentsOf: directory.appendingPathComponent("gradient-histograms.svg")))
        #expect(gradients.texts.contains("inf/NaN"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("results.json")))
        let runs = try #require((json as? [String: Any])?["runs"] as? [[String: Any]])
        #expect(runs.map { $0["status"] as? String } == ["diverged", "ok"])
    }

    @Test func reportRefusesAnUnwritableDirectory() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("initbench-file-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try runInitbench(["report", "--quiet", "--output", file.path, "--depth", "2", "--width", "8", "--batch", "8"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("it is a file; expected a directory"))
        #expect(try String(contentsOf: file, encoding: .utf8) == "x")
    }

    /// The default comparison, what `make run` runs: about 15 s of a debug build, a few seconds of
    /// the optimized AddressSanitizer build (CI's `make test`), many times that under
    /// ThreadSanitizer, where it is left out (`make sanitize-thread` sets `VARIANCEKIT_SANITIZER`
    /// to `thread`; the smaller reports above take the same code paths there).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["VARIANCEKIT_SANITIZER"] != "thread"))
    func defaultComparisonPrintsACompactTableAndWritesTheReport() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runInitbench(["--quiet", "--output", directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2 + 8)
        #expect(lines[1].hasPrefix("init"))
        for initializer in ["standard", "xavier-uniform", "he-normal", "orthogonal"] {
            #expect(lines.filter { $0.hasPrefix(initializer + " ") }.count == 2)
        }
        #expect(result.stderr.contains("report written to \(directory.path)/index.html"))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("index.html").path))
    }
}

/// `initbench kernels` end to end on a tiny shape.
@Suite struct KernelsCommandTests {
    @Test func jsonHasNetworksFillsAndOptimizers() throws {
        let result = try runInitbench(["kernels", "--quiet", "--depth", "2", "--width", "32", "--batch", "16", "--activation", "relu",
                                       "--fill-size", "64", "--orthogonal-size", "48", "--orthogonal-size", "64",
                                       "--optimizer-parameters", "8192", "--repetitions", "1", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let networks = try #require(root["networks"] as? [[String: Any]])
        #expect(networks.count == 1)
        #expect(networks[0]["depth"] as? Int == 2)
        #expect(networks[0]["width"] as? Int == 32)
        #expect(networks[0]["batch"] as? Int == 16)
        #expect(networks[0]["activation"] as? String == "relu")
        #expect((networks[0]["stepSeconds"] as? Double ?? 0) > 0)
        #expect((networks[0]["sgemmSeconds"] as? Double ?? 0) > 0)
        let probeSeconds = try #require(networks[0]["probeSeconds"] as? Double)
        let stepSeconds = try #require(networks[0]["stepSeconds"] as? Double)
        #expect(probeSeconds > 0)
        #expect(abs((networks[0]["probeOverStep"] as? Double ?? 0) - probeSeconds / stepSeconds) < 1e-9)
        let fills = try #require(root["fills"] as? [[String: Any]])
        #expect(Set(fills.compactMap { $0["init"] as? String }) == ["xavier-uniform", "xavier-normal", "truncated-normal", "orthogonal"])
        for fill in fills {
            let orthogonal = fill["init"] as? String == "orthogonal"
            #expect(fill["rows"] as? Int == fill["columns"] as? Int)
            #expect(orthogonal ? [48, 64].contains(fill["rows"] as? Int ?? 0) : fill["rows"] as? Int == 64)
            #expect((fill["elementsPerSecond"] as? Double ?? 0) > 0)
            #expect(fill["threads"] as? Int != nil)
            // Orthogonal rows carry the times of their bare LAPACK calls and of sgeqrf + sorgqr; the others none.
            for key in ["lapackSeconds", "driversSeconds"] {
                #expect((fill[key] as? Double).map { $0 > 0 } ?? !orthogonal)
                #expect(orthogonal || fill[key] == nil)
            }
        }
        #expect(fills.filter { $0["init"] as? String == "orthogonal" }.count == 2 * Set(fills.compactMap { $0["threads"] as? Int }).count)
        let optimizers = try #require(root["optimizers"] as? [[String: Any]])
        #expect(optimizers.compactMap { $0["optimizer"] as? String } == ["sgd", "sgd-momentum-l2", "adam", "adamw"])
        for optimizer in optimizers {
            #expect(optimizer["parameters"] as? Int == 8192)
            #expect((optimizer["bytesPerSecond"] as? Double ?? 0) > 0)
        }
    }

    @Test func onlyMeasuresTheNamedSections() throws {
        let result = try runInitbench(["kernels", "--quiet", "--only", "fills", "--fill-size", "40", "--repetitions", "3", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((root["networks"] as? [Any])?.isEmpty == true)
        #expect((root["optimizers"] as? [Any])?.isEmpty == true)
        let fills = try #require(root["fills"] as? [[String: Any]])
        #expect(!fills.isEmpty)
        for fill in fills {
            let median = try #require(fill["seconds"] as? Double), best = try #require(fill["bestSeconds"] as? Double)
            #expect(best > 0 && best <= median)
        }
        let table = try runInitbench(["kernels", "--quiet", "--only", "optimizers", "--optimizer-parameters", "4096", "--repetitions", "1"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("optimizer") && !table.stdout.contains("fill") && !table.stdout.contains("step/sgemm"))
        let bad = try runInitbench(["kernels", "--quiet", "--only", "everything"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("everything"))
    }

    /// Every CSV row has the header's fields; orthogonal rows fill both reference columns, network
    /// rows the deterministic step's time.
    @Test func csvRowsMatchTheHeader() throws {
        let result = try runInitbench(["kernels", "--quiet", "--depth", "2", "--width", "32", "--batch", "16", "--activation", "relu",
                                       "--fill-size", "40", "--orthogonal-size", "24", "--optimizer-parameters", "4096",
                                       "--repetitions", "1", "--format", "csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let header = try #require(lines.first)
        #expect(header.suffix(2) == ["driversSeconds", "deterministicSeconds"])
        let referenceColumn = try #require(header.firstIndex(of: "referenceSeconds"))
        for line in lines.dropFirst() {
            #expect(line.count == header.count, "\(line.joined(separator: ","))")
            if line[1] == "orthogonal" {
                #expect(Double(line[referenceColumn]).map { $0 > 0 } == true)
                #expect(Double(line[header.count - 2]).map { $0 > 0 } == true)
            }
            if line[0] == "network" {
                #expect(Double(line[header.count - 1]).map { $0 > 0 } == true)
            }
        }
        #expect(lines.contains { $0[0] == "network" } && lines.contains { $0[0] == "optimizer" } && lines.contains { $0[1] == "orthogonal" })
    }

    /// Every section checks what it will allocate before it allocates anything (here against an
    /// injected figure, `VARIANCEKIT_MEMORY_AVAILABLE_BYTES`): 2^20 Adam parameters need 24 MiB.
    @Test func sectionsThatDoNotFitAreRefused() throws {
        let available = ["VARIANCEKIT_MEMORY_AVAILABLE_BYTES": "10000000"]
        let optimizers = try runInitbench(["kernels", "--quiet", "--only", "optimizers", "--optimizer-parameters", "1048576"],
                                          environment: available)
        #expect(optimizers.status == 64)
        #expect(optimizers.stdout.isEmpty)
        #expect(optimizers.stderr.contains("optimizer parameters = 1048576"), "\(optimizers.stderr)")
        #expect(optimizers.stderr.contains("needs \(6 * 4 * 1_048_576) bytes"), "\(optimizers.stderr)")
        #expect(optimizers.stderr.contains("but 10000000 bytes"), "\(optimizers.stderr)")
        #expect(optimizers.stderr.contains("VARIANCEKIT_MEMORY_AVAILABLE_BYTES"))
        #expect(optimizers.stderr.contains("--optimizer-parameters"))
        // SGD (w, g) and momentum SGD (w, g, the buffer and its spare) would fit; Adam (w, g, m, v
        // and the spares of m and v) does not: refused as a whole.
        let adam = try runInitbench(["kernels", "--quiet", "--only", "optimizers", "--optimizer-parameters", "1048576"],
                                    environment: ["VARIANCEKIT_MEMORY_AVAILABLE_BYTES": "\(5 * 4 * 1_048_576)"])
        #expect(adam.status == 64)
        #expect(adam.stderr.contains("needs \(6 * 4 * 1_048_576) bytes"), "\(adam.stderr)")
        let fills = try runInitbench(["kernels", "--quiet", "--only", "fills", "--fill-size", "2048", "--orthogonal-size", "32"],
                                     environment: available)
        #expect(fills.status == 64)
        #expect(fills.stderr.contains("fill size = 2048 x 2048") && fills.stderr.contains("--fill-size"), "\(fills.stderr)")
        // Against the machine's own MemAvailable: terabytes of network.
        let networks = try runInitbench(["kernels", "--quiet", "--only", "networks", "--depth", "1000", "--width", "16384", "--batch", "65536"])
        #expect(networks.status == 64)
        #expect(networks.stderr.contains("network shape = depth 1000, width 16384, batch 65536"), "\(networks.stderr)")
        #expect(networks.stderr.contains("MemAvailable"))
        // Sections not selected are not checked: the same small figure lets a small fill run.
        let small = try runInitbench(["kernels", "--quiet", "--only", "fills", "--fill-size", "32", "--orthogonal-size", "32",
                                      "--repetitions", "1"], environment: available)
        #expect(small.status == 0, "\(small.stderr)")
    }

    /// The table of a tiny run has every section, each with its header.
    @Test func tableHasEverySection() throws {
        let result = try runInitbench(["kernels", "--quiet", "--depth", "2", "--width", "16", "--batch", "8",
                                       "--fill-size", "32", "--orthogonal-size", "16", "--optimizer-parameters", "4096",
                                       "--repetitions", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        for header in ["step/sgemm", "forward Z = X W^T", "backward dW = dZ^T X", "backward dX = dZ W", "sgeqrf+sorgqr (s)",
                       "xavier-uniform", "orthogonal", "GB/s", "sgd-momentum-l2", "adamw"] {
            #expect(result.stdout.contains(header), "\(header)")
        }
    }

    @Test func partialShapeIsRefused() throws {
        let result = try runInitbench(["kernels", "--quiet", "--depth", "2"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--depth, --width and --batch go together"))
    }
}
