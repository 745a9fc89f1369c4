import Foundation
import Testing
@testable import VarianceKit

@Suite struct SweepGridTests {
    static func grid(_ text: String) throws -> SweepGrid {
        try SweepGrid(json: Data(text.utf8), source: "test.json")
    }

    /// The message of the error `text` is rejected with.
    static func rejection(_ text: String) -> String? {
        do {
            _ = try grid(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func enumeratesEveryCombinationInNameOrderFirstSlowest() throws {
        let grid = try Self.grid("""
            {"schema": "initbench.grid.v1", "kind": "propagate",
             "axes": {"width": [8, 16, 32], "activation": ["ReLU", "tanh"]}, "fixed": {"depth": 3}}
            """)
        #expect(grid.count == 6)
        #expect(grid.axisNames == ["activation", "width"])
        let pairs = grid.configurations.map { "\($0["activation"]!)/\($0["width"]!)" }
        #expect(pairs == ["relu/8", "relu/16", "relu/32", "tanh/8", "tanh/16", "tanh/32"])
        #expect(grid.configurations.map(\.index) == Array(0..<6))
        let first = grid.configuration(at: 0)
        #expect(first.key == "propagate/activation=relu;batch=256;bias-variance=0.0;depth=3;initializer=xavier-normal;seed=0;width=8")
    }

    @Test func spellingsOfOneConfigurationShareKeyAndSeed() throws {
        let a = try Self.grid(#"{"kind": "train", "fixed": {"activation": "Leaky_ReLU", "learning-rate": 1, "optimizer": "adam-w", "penalty": "l2:1e-4", "depth": 3.0}}"#)
        let b = try Self.grid(#"{"kind": "train", "axes": {"activation": ["leaky-relu"]}, "fixed": {"learning-rate": 1.0, "optimizer": "adamw", "penalty": "l2:0.0001", "depth": 3, "steps": 200}}"#)
        #expect(a.configuration(at: 0).key == b.configuration(at: 0).key)
        #expect(a.configuration(at: 0).seed == b.configuration(at: 0).seed)
        let c = try Self.grid(#"{"kind": "train", "fixed": {"activation": "leaky-relu", "learning-rate": 1, "optimizer": "adamw", "penalty": "l2:1e-4", "depth": 3, "seed": 1}}"#)
        #expect(c.configuration(at: 0).seed != a.configuration(at: 0).seed)
        #expect(a.identity != c.identity)
    }

    /// The seed is FNV-1a 64 of the key, then SplitMix64's finalizer: checked against the FNV-1a
    /// test vector ("a" -> 0xaf63dc4c8601ec8c) and the finalizer written out here.
    @Test func seedIsFNV1aThenSplitMixFinalizer() {
        func finalize(_ value: UInt64) -> UInt64 {
            var z = value
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        #expect(SweepConfiguration.seed(ofKey: "a") == finalize(0xaf63_dc4c_8601_ec8c))
        #expect(SweepConfiguration.seed(ofKey: "") == finalize(0xcbf2_9ce4_8422_2325))
    }

    @Test func jsonValueReadsBackToTheSameGrid() throws {
        let grid = try Self.grid(#"{"kind": "theory", "axes": {"weight-variance": [0.5, 1, 2.5], "bias-variance": [0, 0.05]}, "description": "x"}"#)
        let encoded = try JSONEncoder().encode(grid.jsonValue)
        let again = try SweepGrid(json: encoded, source: "again")
        #expect(again == grid)
        #expect(again.identity == grid.identity)
        #expect(again.configurations.map(\.key) == grid.configurations.map(\.key))
    }

    /// Every kind of bad grid is refused before anything runs, naming the field and what is accepted.
    @Test(arguments: [
        ("not json", "not JSON"),
        ("[1, 2]", "an array"),
        (#"{"kind": "train", "axis": {}}"#, "grid field axis"),
        (#"{"schema": "initbench.grid.v9", "kind": "train"}"#, "initbench.grid.v1"),
        (#"{"axes": {}}"#, "propagate, train, theory"),
        (#"{"kind": "fit"}"#, "propagate, train, theory"),
        (#"{"kind": "train", "axes": []}"#, "grid field axes"),
        (#"{"kind": "train", "axes": {"depth": 4}}"#, "axes.depth"),
        (#"{"kind": "train", "axes": {"depth": []}}"#, "axes.depth"),
        (#"{"kind": "train", "axes": {"depht": [1]}}"#, "one of activation"),
        (#"{"kind": "theory", "axes": {"steps": [1]}}"#, "not a setting of theory sweeps"),
        (#"{"kind": "train", "axes": {"depth": [2, "four"]}}"#, "axes.depth[1]"),
        (#"{"kind": "train", "axes": {"depth": [2, 2.5]}}"#, "an integer in 1...1000"),
        (#"{"kind": "train", "axes": {"depth": [0]}}"#, "an integer in 1...1000"),
        (#"{"kind": "train", "axes": {"activation": ["tanh", "tanhh"]}}"#, "an activation name"),
        (#"{"kind": "train", "axes": {"activation": ["relu", "ReLU"]}}"#, "distinct values"),
        (#"{"kind": "train", "axes": {"learning-rate": [true]}}"#, "(0, 100]"),
        (#"{"kind": "train", "fixed": {"learning-rate": -1}}"#, "fixed.learning-rate"),
        (#"{"kind": "train", "fixed": {"penalty": "l3:1"}}"#, "fixed.penalty"),
        (#"{"kind": "train", "axes": {"depth": [2]}, "fixed": {"depth": 3}}"#, "not also an axis"),
        (#"{"kind": "train", "fixed": {"weight-variance": 2, "initializer": "he-normal"}}"#, "not both"),
        (#"{"kind": "train", "fixed": {"initializer": "lecun-normal", "gain": 2}}"#, "schemes that take a gain"),
        (#"{"kind": "train", "fixed": {"dataset": "shapeset", "features": 10, "samples": 100}}"#, "Shapeset"),
        (#"{"kind": "train", "fixed": {"steps": 10, "evaluate-every": 20}}"#, "at most steps"),
        (#"{"kind": "train", "fixed": {"samples": 100, "batch": 80}}"#, "training split"),
        (#"{"kind": "train", "fixed": {"validation-fraction": 0.5, "test-fraction": 0.5}}"#, "less than 0.95"),
        (#"{"kind": "theory", "axes": {"weight-variance": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "bias-variance": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}, "fixed": {}}"#, ""),
    ])
    func rejectsBadGrids(text: String, expectedFragment: String) {
        let message = Self.rejection(text)
        if expectedFragment.isEmpty {
            #expect(message == nil, "a valid grid of 100 configurations was refused: \(message ?? "")")
        } else {
            #expect(message?.contains(expectedFragment) == true, "\(text): \(message ?? "accepted")")
        }
    }

    @Test func refusesTooManyConfigurations() {
        let values = (1...1000).map { "\($0)" }.joined(separator: ", ")
        let message = Self.rejection(#"{"kind": "propagate", "axes": {"depth": [\#(values)], "width": [\#(values)], "batch": [1, 2]}}"#)
        #expect(message?.contains("at most 1000000 configurations") == true)
    }

    @Test func trainabilityPresetIsAValidGridWithTheTheoryCurve() throws {
        let grid = SweepPreset.trainability.grid
        #expect(grid.kind == .train)
        #expect(grid.axisNames == ["depth", "weight-variance"])
        #expect(grid.configuration(at: 0)["activation"] == .text("tanh"))
        #expect(grid.configuration(at: 0)["bias-variance"] == .number(0.05))
        let curve = try #require(grid.correlationDepthScaleCurve(points: 5))
        #expect(curve.count == 5)
        let theory = MeanFieldTheory(activation: .tanh)
        for point in curve {
            let xi = try theory.analysis(weightScale: point.weightVariance, biasVariance: 0.05).correlationDepthScale
            #expect(point.depth == xi.map { 6 * $0 })
        }
        // A grid without a depth axis has no curve.
        let flat = try Self.grid(#"{"kind": "theory", "axes": {"weight-variance": [1, 2]}}"#)
        #expect(flat.correlationDepthScaleCurve() == nil)
    }
}

@Suite struct JSONNestingTests {
    /// Deeply nested text is refused before Foundation's scanner sees it (which traps on some
    /// texts nested hundreds of levels deep); brackets inside strings do not count.
    @Test func deepNestingIsRefusedNotTrapped() throws {
        #expect(JSONNesting.depth(of: Array(#"{"a": [[1], {"b": "[[[["}]}"#.utf8)) == 3)
        #expect(JSONNesting.depth(of: Array(#"["\"[", "\\", []]"#.utf8)) == 2)
        let deep = #"{"kind": "theory", "axes": {"weight-variance": "# + String(repeating: "[", count: 600) + "]}}"
        let error = #expect(throws: VarianceKitError.self) { try SweepGrid(json: Data(deep.utf8), source: "deep.json") }
        #expect(error?.description.contains("nested 602 levels deep") == true)
    }
}
