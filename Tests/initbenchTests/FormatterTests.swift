import Foundation
import Testing
@testable import initbench
import VarianceKit

/// Synthetic records with hand-chosen values, for the formatters.
enum Fixtures {
    static func layer(_ index: Int, activation: Double?, gradient: Double?, dead: Double = 0, saturated: Double = 0) -> PropagationLayer {
        let empty = HistogramCounts.empty
        return PropagationLayer(
            index: index, preactivationMean: 0, preactivationVariance: activation, activationMean: 0,
            activationVariance: activation, gradientVariance: gradient, weightGradientVariance: 1e-3,
            weightVariance: 0.01, saturatedFraction: saturated, deadFraction: dead,
            histograms: LayerHistograms(preactivation: empty, activation: empty, gradient: empty),
            theory: PredictedVariances(nil))
    }

    static func run(_ initializer: String, _ activation: String, _ layers: [PropagationLayer], diverged: Int? = nil) -> RunRecord {
        RunRecord(PropagationRun(initializer: initializer, activation: activation, formula: "Var(W) = 1/(3*fanIn) = 0.0208", gain: nil,
                                 weightVarianceTarget: 0.0208, status: diverged == nil ? .ok : .diverged, divergedAtLayer: diverged,
                                 seconds: 0.5, layers: layers))
    }

    static func verdict(_ layers: [PropagationLayer], diverged: Int? = nil) -> String {
        run("standard", "tanh", layers, diverged: diverged).verdict
    }

    static func report(_ runs: [RunRecord], depth: Int) throws -> PropagationDocument {
        let experiment = try PropagationExperiment(
            initializers: [.standard], activations: [.tanh], depth: depth, width: 16, batch: 8, seed: 1)
        var config = PropagationConfiguration(experiment: experiment, command: "propagate", threads: 1)
        config.initializers = Array(Set(runs.map(\.initializer))).sorted()
        config.activations = Array(Set(runs.map(\.activation))).sorted()
        return PropagationDocument(config: config, runs: runs)
    }
}

@Suite struct VerdictTests {
    @Test func shrinkingSignalIsSaidWithTheRatio() {
        // Activations 1e-1 -> 1e-10 (ratio 1e-9); gradients 1e-6 at the top, 1e-15 at layer 1 (ratio 1e-9).
        let layers = [Fixtures.layer(1, activation: 1e-1, gradient: 1e-15), Fixtures.layer(2, activation: 1e-5, gradient: 1e-10),
                      Fixtures.layer(3, activation: 1e-10, gradient: 1e-6)]
        #expect(Fixtures.verdict(layers)
                == "activation variance shrinks 1e-09x from layer 1 to layer 3; gradient variance shrinks 1e-09x from layer 3 to layer 1")
    }

    @Test func stableGrowingDeadAndSaturated() {
        let layers = [Fixtures.layer(1, activation: 1, gradient: 8, saturated: 0.25), Fixtures.layer(2, activation: 1.5, gradient: 1, dead: 0.7)]
        #expect(Fixtures.verdict(layers)
                == "activation variance stays within 2x (1.5x) from layer 1 to layer 2; gradient variance grows 8x from layer 2 to layer 1; 70% dead at layer 2; 25% saturated at layer 1")
    }

    /// A variance that reaches 0 (or leaves Float's normal range) is said as an underflow at the
    /// first layer where it does, in the direction the signal travels, not as a ratio of 0.
    @Test func underflowIsSaidWithTheLayer() {
        let layers = [Fixtures.layer(1, activation: 0.3, gradient: 0), Fixtures.layer(2, activation: 1e-30, gradient: 0),
                      Fixtures.layer(3, activation: 0, gradient: 1e-12), Fixtures.layer(4, activation: 0, gradient: 1e-3)]
        #expect(Fixtures.verdict(layers)
                == "activation variance underflows to 0 by layer 3; gradient variance underflows to 0 by layer 2")
        let tiny = [Fixtures.layer(1, activation: 0.3, gradient: 1e-45), Fixtures.layer(2, activation: 1e-40, gradient: 1e-20),
                    Fixtures.layer(3, activation: 1e-42, gradient: 1)]
        #expect(Fixtures.verdict(tiny)
                == "activation variance underflows below Float's smallest normal (1.00e-40 < 1.18e-38) by layer 2; gradient variance underflows below Float's smallest normal (1.00e-45 < 1.18e-38) by layer 1")
        // Just above the threshold, the ratio is still the verdict.
        let small = [Fixtures.layer(1, activation: 1, gradient: 1), Fixtures.layer(2, activation: 2e-38, gradient: 1)]
        #expect(Fixtures.verdict(small).hasPrefix("activation variance shrinks 2e-38x from layer 1 to layer 2"))
    }

    @Test func divergedRunSaysWhere() {
        let layers = [Fixtures.layer(1, activation: 1, gradient: nil), Fixtures.layer(2, activation: nil, gradient: nil)]
        #expect(Fixtures.verdict(layers, diverged: 2) == "diverged at layer 2: inf/NaN from layer 2 on")
    }

    @Test(arguments: [(1e-9, "1e-09x"), (3.2, "3.2x"), (0.5, "0.5x"), (2.5e4, "2.5e+04x"), (0.013, "0.013x")])
    func ratios(value: Double, text: String) {
        #expect(NumberFormat.ratio(value) == text)
    }

    @Test(arguments: [(nil, "inf/nan"), (0.0, "0"), (0.333333, "0.333"), (1.5e-7, "1.50e-07"), (12345.0, "1.23e+04"), (-2.0, "-2")] as [(Double?, String)])
    func shortNumbers(value: Double?, text: String) {
        #expect(NumberFormat.short(value) == text)
    }
}

@Suite struct TableAndCSVTests {
    @Test func alignedPadsColumns() {
        let text = TableFormatter.aligned([["name", "x"], ["a", "100"], ["long", "2"]], leftAligned: [0])
        #expect(text == "name    x\na     100\nlong    2\n")
    }

    @Test func layersTableHasOneRowPerLayer() throws {
        let layers = (1...7).map { Fixtures.layer($0, activation: 1, gradient: 1) }
        let text = TableFormatter.layers(try Fixtures.report([Fixtures.run("standard", "tanh", layers)], depth: 7))
        let rows = text.split(separator: "\n").filter { $0.range(of: #"^\s*\d+\s"#, options: .regularExpression) != nil }
        #expect(rows.count == 7)
        #expect(text.contains("verdict: activation variance stays within 2x (1x)"))
    }

    @Test func compactTableHasOneRowPerRun() throws {
        let layers = [Fixtures.layer(1, activation: 1, gradient: 1), Fixtures.layer(2, activation: nil, gradient: nil)]
        let report = try Fixtures.report([Fixtures.run("a", "tanh", layers), Fixtures.run("b", "tanh", layers, diverged: 2)], depth: 2)
        let lines = TableFormatter.compact(report).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[3].hasPrefix("b "))
        #expect(lines[3].contains("inf/nan"))
        #expect(lines[3].hasSuffix("diverged at layer 2: inf/NaN from layer 2 on"))
    }

    @Test func csvLeavesNonFiniteEmptyAndQuotes() throws {
        let layers = [Fixtures.layer(1, activation: 0.25, gradient: nil)]
        let text = CSVFormatter.layers(try Fixtures.report([Fixtures.run("x,y", "tanh", layers)], depth: 1))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1].hasPrefix("\"x,y\",tanh,1,ok,,0.0,0.25,0.0,0.25,,0.001,0.01,"))
        #expect(CSVWriter.Field.text("a\"b").rendered == "\"a\"\"b\"")
        #expect(CSVWriter.Field.number(.infinity).rendered == "")
    }

    @Test func jsonWritesNullForNonFiniteAndInitKey() throws {
        let layers = [Fixtures.layer(1, activation: nil, gradient: 2)]
        let text = try JSONOutput.text(try Fixtures.report([Fixtures.run("standard", "relu", layers, diverged: 1)], depth: 1))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let run = try #require((root["runs"] as? [[String: Any]])?.first)
        #expect(root["schema"] as? String == "initbench.propagate.v1")
        #expect(run["init"] as? String == "standard")
        #expect(run["verdict"] as? String == "diverged at layer 1: inf/NaN from layer 1 on")
        #expect(run["status"] as? String == "diverged")
        #expect(run["divergedAtLayer"] as? Int == 1)
        let layer = try #require((run["layers"] as? [[String: Any]])?.first)
        #expect(layer["activationVariance"] is NSNull)
        #expect(layer["gradientVariance"] as? Double == 2)
        #expect((layer["theory"] as? [String: Any])?["gradientVariance"] is NSNull)
    }
}

@Suite struct FigureAndHelperTests {
    @Test func svgEscapesMarkup() {
        #expect(SVGDocument.escape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
    }

    @Test func pathBreaksAtGaps() {
        let points: [(Double, Double?)] = [(1, 1), (2, 2), (3, nil), (4, 0), (5, 3), (6, 4)]
        let d = VarianceFigure.pathData(points, xOf: { $0 * 10 }, yOf: { $0 })
        #expect(d == "M10 1 L20 2 M50 3 L60 4")
    }

    @Test func shownLayersKeepFirstAndLast() {
        #expect(HistogramFigure.shownLayers(depth: 4) == [1, 2, 3, 4])
        let layers = HistogramFigure.shownLayers(depth: 100)
        #expect(layers.count == 10)
        #expect(layers.first == 1 && layers.last == 100)
    }

    @Test func namesParseListsAliasesAndAll() throws {
        #expect(try NameList.initializers("standard, Xavier_Uniform,glorot,he") == [.standard, .xavierUniform, .heNormal])
        #expect(try NameList.initializers("kaiming-normal,glorot-uniform") == [.heNormal, .xavierUniform])
        #expect(try NameList.activations("all") == Activation.allDefaults)
        #expect(try NameList.activations("identity,swish") == [.linear, .silu])
        #expect(throws: (any Error).self) { try NameList.initializers("nope") }
        #expect(throws: (any Error).self) { try NameList.activations("tanh,,relu") }
    }
}
