import Foundation
import Testing

/// `initbench propagate` end to end, through the executable.
@Suite struct PropagateCommandTests {
    static let small = ["propagate", "--depth", "3", "--width", "16", "--batch", "32", "--quiet"]

    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    @Test func jsonHasTheDocumentedSchema() throws {
        let result = try runInitbench(Self.small + ["--init", "standard,xavier-uniform", "--activation", "tanh,relu", "--format", "json", "--seed", "7"])
        #expect(result.status == 0, "\(result.stderr)")
        let root = try Self.json(result.stdout)
        #expect(root["schema"] as? String == "initbench.propagate.v1")
        let config = try #require(root["config"] as? [String: Any])
        for key in ["command", "initializers", "activations", "depth", "width", "batch", "inputs", "seed", "bias", "gain",
                    "loss", "histogramBins", "threads", "deterministic", "blasKernel", "blasConfiguration", "memoryEstimateBytes", "versions"] {
            #expect(config[key] != nil, "config.\(key) missing")
        }
        #expect(config["depth"] as? Int == 3)
        #expect(config["width"] as? Int == 16)
        #expect(config["batch"] as? Int == 32)
        #expect(config["seed"] as? Int == 7)
        #expect(config["bias"] as? Bool == false)
        #expect(config["gain"] is NSNull)
        #expect(config["loss"] as? String == "readout")
        #expect((config["blasKernel"] as? String)?.isEmpty == false)
        let versions = try #require(config["versions"] as? [String: Any])
        #expect(versions["varianceKit"] as? String != nil)
        #expect(versions["swift"] as? String != nil)

        let runs = try #require(root["runs"] as? [[String: Any]])
        #expect(runs.count == 4)
        let pairs = Set(runs.compactMap { run -> String? in
            guard let i = run["init"] as? String, let a = run["activation"] as? String else { return nil }
            return "\(i)/\(a)"
        })
        #expect(pairs == ["standard/tanh", "xavier-uniform/tanh", "standard/relu", "xavier-uniform/relu"])
        for run in runs {
            #expect(run["status"] as? String == "ok")
            #expect(run["divergedAtLayer"] is NSNull)
            #expect((run["verdict"] as? String)?.isEmpty == false)
            let layers = try #require(run["layers"] as? [[String: Any]])
            #expect(layers.map { $0["index"] as? Int } == [1, 2, 3])
            for layer in layers {
                for key in ["preactivationVariance", "activationVariance", "gradientVariance", "weightGradientVariance",
                            "weightVariance", "saturatedFraction", "deadFraction"] {
                    #expect(layer[key] is Double || layer[key] is Int, "layer.\(key) is not a number")
                }
                let histograms = try #require(layer["histograms"] as? [String: Any])
                for key in ["activation", "gradient", "preactivation"] {
                    let histogram = try #require(histograms[key] as? [String: Any])
                    #expect((histogram["counts"] as? [Int])?.count == 50)
                }
                let theory = try #require(layer["theory"] as? [String: Any])
                #expect(theory["gradientVariance"] is Double)
            }
        }
    }

    /// The measured variances follow the closed forms: standard init on a linear network multiplies
    /// Var(z) by n Var(W) = 1/3 per layer (the standard scheme); Xavier keeps it at 1; ReLU under He
    /// keeps the pre-activation variance at 1. Generous tolerance for a 256 x 64 batch.
    @Test func measuredVariancesFollowTheClosedForms() throws {
        let result = try runInitbench(["propagate", "--depth", "4", "--width", "64", "--batch", "256", "--quiet",
                                       "--init", "standard,xavier-normal,he-normal", "--activation", "linear,relu", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let runs = try #require(Self.json(result.stdout)["runs"] as? [[String: Any]])
        func layers(_ initializer: String, _ activation: String) throws -> [[String: Any]] {
            let run = try #require(runs.first { $0["init"] as? String == initializer && $0["activation"] as? String == activation })
            return try #require(run["layers"] as? [[String: Any]])
        }
        for (l, layer) in try layers("standard", "linear").enumerated() {
            let variance = try #require(layer["preactivationVariance"] as? Double)
            let exact = pow(1.0 / 3, Double(l + 1))
            #expect(abs(variance / exact - 1) < 0.3, "standard/linear layer \(l + 1): \(variance) vs \(exact)")
        }
        for layer in try layers("xavier-normal", "linear") {
            let variance = try #require(layer["preactivationVariance"] as? Double)
            #expect(abs(variance - 1) < 0.3)
        }
        for layer in try layers("he-normal", "relu") {
            let variance = try #require(layer["preactivationVariance"] as? Double)
            #expect(abs(variance - 2) < 0.7)
            let dead = try #require(layer["deadFraction"] as? Double)
            #expect(abs(dead - 0.5) < 0.1)
        }
        // Readout loss: the top layer's dL/dz = R/B (linear), variance 1/B^2.
        let top = try #require(try layers("xavier-normal", "linear").last?["gradientVariance"] as? Double)
        #expect(abs(top * 256 * 256 - 1) < 0.1)
    }

    /// Quadratic loss on a linear network: dL/dZ at the top is exactly A/B, so its variance is
    /// Var(A)/B^2; the theory predicts only that top gradient (null below it and for dL/dW).
    @Test func quadraticLossTopGradientIsActivationOverBatch() throws {
        let result = try runInitbench(["propagate", "--quiet", "--init", "xavier-normal", "--activation", "linear", "--depth", "3",
                                       "--width", "32", "--batch", "64", "--loss", "quadratic", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let run = try #require((Self.json(result.stdout)["runs"] as? [[String: Any]])?.first)
        let layers = try #require(run["layers"] as? [[String: Any]])
        let top = try #require(layers.last)
        let activation = try #require(top["activationVariance"] as? Double)
        let gradient = try #require(top["gradientVariance"] as? Double)
        #expect(abs(gradient * 64 * 64 / activation - 1) < 1e-4)
        let theory = try #require(top["theory"] as? [String: Any])
        #expect(theory["gradientVariance"] is Double)
        #expect(theory["weightGradientVariance"] is NSNull)
        #expect((layers[0]["theory"] as? [String: Any])?["gradientVariance"] is NSNull)
    }

    @Test func tableHasOneRowPerLayerAndAVerdictPerRun() throws {
        let result = try runInitbench(["propagate", "--depth", "5", "--width", "16", "--batch", "32", "--quiet",
                                       "--init", "xavier-uniform,orthogonal", "--activation", "tanh"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let headers = lines.indices.filter { lines[$0].hasPrefix("layer ") }
        #expect(headers.count == 2)
        for header in headers {
            let rows = lines[(header + 1)...].prefix { $0.range(of: #"^\s*\d+\s"#, options: .regularExpression) != nil }
            #expect(rows.map { Int($0.split(separator: " ")[0]) } == [1, 2, 3, 4, 5])
            #expect(lines[header + 1 + rows.count].hasPrefix("verdict: "))
        }
        #expect(lines.contains { $0.hasPrefix("orthogonal / tanh") })
    }

    /// The progress bar is drawn only on a terminal: with standard error a pipe, nothing is written
    /// there even without --quiet.
    @Test func noProgressBarWhenStandardErrorIsNotATerminal() throws {
        let result = try runInitbench(["propagate", "--depth", "2", "--width", "8", "--batch", "8", "--init", "standard", "--activation", "tanh"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
    }

    @Test func csvHasAHeaderAndARowPerLayer() throws {
        let result = try runInitbench(Self.small + ["--init", "lecun-normal", "--activation", "selu,gelu", "--format", "csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 1 + 2 * 3)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        #expect(header.prefix(3) == ["init", "activation", "layer"])
        for line in lines.dropFirst() {
            #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == header.count)
            #expect(line.hasPrefix("lecun-normal,"))
        }
    }

    @Test func outputFileIsWrittenWholeWithNoTemporaryLeft() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("initbench-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("result.json").path
        let result = try runInitbench(Self.small + ["--init", "standard", "--activation", "tanh", "--format", "json", "--output", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let root = try Self.json(try String(contentsOfFile: path, encoding: .utf8))
        #expect((root["runs"] as? [Any])?.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["result.json"])
    }

    @Test(arguments: [
        (["--init", "standard,glorious"], ["unknown initializer 'glorious'", "accepted values: standard, xavier-uniform"]),
        (["--activation", "tanh,swoosh"], ["unknown activation 'swoosh'", "accepted values: linear, tanh"]),
        (["--init", "standard,,he-normal"], ["invalid --init", "comma-separated list"]),
        (["--depth", "0"], ["invalid --depth 0", "1...1000"]),
        (["--width=-3"], ["invalid --width -3", "1...16384"]),
        (["--batch", "0"], ["invalid --batch 0"]),
        (["--gain", "2", "--init", "standard,orthogonal"], ["--gain cannot be combined with standard", "orthogonal"]),
        (["--gain=-1", "--init", "orthogonal"], ["invalid --gain -1"]),
        (["--gain", "nan", "--init", "orthogonal"], ["invalid --gain nan"]),
        (["--loss", "hinge"], ["hinge", "readout", "quadratic"]),
        (["--threads", "0"], ["invalid --threads 0"]),
        (["--format", "yaml"], ["yaml", "table", "csv", "json"]),
        (["--output", "/nonexistent-initbench-dir/out.json"], ["/nonexistent-initbench-dir", "does not exist"]),
        (["--output", "/tmp"], ["/tmp", "is a directory"]),
        (["--depth", "1000", "--width", "16384", "--batch", "65536"], ["needs", "are available", "MemAvailable", "depth 1000, width 16384, batch 65536", "reduce --depth, --width or --batch"]),
    ] as [([String], [String])])
    func badInputExits64WithTheReason(arguments: [String], messages: [String]) throws {
        let result = try runInitbench(["propagate", "--quiet"] + arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        for message in messages {
            #expect(result.stderr.contains(message), "\(arguments): stderr was \(result.stderr)")
        }
        #expect(result.stdout.isEmpty)
    }

    /// Orthogonal weights with gain 1e4 multiply a linear network's activations by 1e4 per layer:
    /// Float overflows at layer 10 (|z| ~ 4e36 at layer 9, ~4e40 at layer 10). The tanh network with
    /// the same weights saturates but stays finite, and completes.
    @Test func divergingConfigurationIsReportedAndTheOthersComplete() throws {
        let arguments = ["propagate", "--quiet", "--init", "orthogonal", "--gain", "1e4", "--activation", "linear,tanh",
                         "--depth", "12", "--width", "16", "--batch", "8"]
        let json = try runInitbench(arguments + ["--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let runs = try #require(Self.json(json.stdout)["runs"] as? [[String: Any]])
        #expect(runs.count == 2)
        let linear = try #require(runs.first { $0["activation"] as? String == "linear" })
        #expect(linear["status"] as? String == "diverged")
        #expect(linear["divergedAtLayer"] as? Int == 10)
        #expect((linear["verdict"] as? String)?.contains("diverged at layer 10") == true)
        let layers = try #require(linear["layers"] as? [[String: Any]])
        #expect(layers.count == 12)
        #expect(layers[8]["preactivationVariance"] is Double)
        #expect(layers[9]["preactivationVariance"] is NSNull)
        let tanh = try #require(runs.first { $0["activation"] as? String == "tanh" })
        #expect(tanh["status"] as? String == "ok")
        #expect((tanh["layers"] as? [Any])?.count == 12)

        let table = try runInitbench(arguments)
        #expect(table.status == 0)
        #expect(table.stdout.contains("verdict: diverged at layer 10"))
    }

    /// `--bias --bias-std S`: the biases are N(0, S^2) and the mean-field predictions use
    /// s_b^2 = S^2. Linear layers with Xavier-normal square weights (s_w^2 = 1): the predicted
    /// pre-activation variance grows by exactly S^2 per layer, and the measured one follows it.
    @Test func biasStandardDeviationEntersThePredictions() throws {
        let result = try runInitbench(["propagate", "--quiet", "--init", "xavier-normal", "--activation", "linear",
                                       "--depth", "4", "--width", "256", "--batch", "512", "--bias", "--bias-std", "0.5",
                                       "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let root = try Self.json(result.stdout)
        #expect((root["config"] as? [String: Any])?["biasStandardDeviation"] as? Double == 0.5)
        let run = try #require((root["runs"] as? [[String: Any]])?.first)
        let layers = try #require(run["layers"] as? [[String: Any]])
        for (l, layer) in layers.enumerated() {
            let predicted = try #require((layer["theory"] as? [String: Any])?["preactivationVariance"] as? Double)
            #expect(abs(predicted - (1 + 0.25 * Double(l + 1))) < 1e-9, "layer \(l + 1): \(predicted)")
            let measured = try #require(layer["preactivationVariance"] as? Double)
            #expect(abs(measured - predicted) < 0.15 * predicted, "layer \(l + 1): \(measured) vs \(predicted)")
        }
        let meanField = try #require(run["meanField"] as? [String: Any])
        #expect(abs((meanField["biasVariance"] as? Double ?? 0) - 0.25) < 1e-12)
        #expect(abs((meanField["chi1"] as? Double ?? 0) - 1) < 0.01 || meanField["chi1"] is NSNull)
    }

    /// The run's mean-field summary: tanh with orthogonal gain 5/3 is chaotic, with the verdict
    /// against 6 xi_c in the table and the JSON.
    @Test func meanFieldHeaderAndVerdict() throws {
        let table = try runInitbench(Self.small + ["--init", "orthogonal", "--activation", "tanh"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("mean field: s_w^2 = 2.78"), "\(table.stdout)")
        #expect(table.stdout.contains("chaotic"))
        #expect(table.stdout.contains("depth 3 within 6 xi_c"))
        let json = try runInitbench(["propagate", "--quiet", "--init", "orthogonal", "--activation", "tanh",
                                     "--depth", "100", "--width", "8", "--batch", "8", "--format", "json"])
        let run = try #require((try Self.json(json.stdout)["runs"] as? [[String: Any]])?.first)
        #expect(run["trainability"] as? String == "beyondDepthScale")
        #expect((run["meanField"] as? [String: Any])?["phase"] as? String == "chaotic")
    }

    @Test(arguments: [["--bias-std", "0.1"], ["--bias", "--bias-std", "-1"], ["--bias", "--bias-std", "nan"]])
    func badBiasStandardDeviation(arguments: [String]) throws {
        let result = try runInitbench(Self.small + arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
    }

    /// `--init lsuv`: every layer's measured pre-activation variance is within the tolerance of 1
    /// on the batch LSUV saw, and the report says how many rescalings each took.
    @Test func lsuvFromTheCommandLine() throws {
        let result = try runInitbench(["propagate", "--quiet", "--init", "lsuv", "--activation", "tanh,relu", "--depth", "4",
                                       "--width", "32", "--batch", "64", "--lsuv-tolerance", "0.02", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let runs = try #require(try Self.json(result.stdout)["runs"] as? [[String: Any]])
        #expect(runs.count == 2)
        for run in runs {
            let lsuv = try #require(run["lsuv"] as? [String: Any])
            let layers = try #require(lsuv["layers"] as? [[String: Any]])
            #expect(layers.count == 4)
            for (l, layer) in try #require(run["layers"] as? [[String: Any]]).enumerated() {
                let variance = try #require(layer["preactivationVariance"] as? Double)
                #expect(abs(variance - 1) <= 0.02 + 1e-6, "layer \(l + 1): \(variance)")
                #expect(layers[l]["converged"] as? Bool == true)
            }
        }
    }

    @Test(arguments: [["--init", "lsuv", "--lsuv-tolerance", "0"], ["--init", "lsuv", "--lsuv-tolerance", "1.5"],
                      ["--init", "lsuv", "--lsuv-max-iterations", "0"], ["--init", "lsuv", "--gain", "2"]])
    func badLSUVOptions(arguments: [String]) throws {
        let result = try runInitbench(Self.small + arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
    }
}
