import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import VarianceKit

/// `initbench theory --svg` end to end, and the phase diagram in the report.
@Suite struct PhaseDiagramTests {
    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("initbench-phase-\(UUID().uuidString)-\(name)")
    }

    /// The pixel position of `(s_w^2, s_b^2)` from the plot frame's data range and the heat map's
    /// corner rectangles, so that drawn points can be read back in data units.
    struct Axes {
        var left: Double, right: Double, top: Double, bottom: Double
        var weights: ClosedRange<Double>, biases: ClosedRange<Double>

        init(_ svg: SVGElements) throws {
            let cells = svg.elements("rect", class: "depth-scale")
            let w = cells.compactMap { $0["data-weight-variance"].flatMap(Double.init) }
            let b = cells.compactMap { $0["data-bias-variance"].flatMap(Double.init) }
            weights = try #require(w.min())...(try #require(w.max()))
            biases = try #require(b.min())...(try #require(b.max()))
            let xs = cells.compactMap { c in Double(c["x"] ?? "").flatMap { x in Double(c["width"] ?? "").map { (x, x + $0) } } }
            let ys = cells.compactMap { c in Double(c["y"] ?? "").flatMap { y in Double(c["height"] ?? "").map { (y, y + $0) } } }
            left = try #require(xs.map(\.0).min()); right = try #require(xs.map(\.1).max())
            top = try #require(ys.map(\.0).min()); bottom = try #require(ys.map(\.1).max())
        }

        func point(x: Double, y: Double) -> (Double, Double) {
            (weights.lowerBound + (x - left) / (right - left) * (weights.upperBound - weights.lowerBound),
             biases.lowerBound + (bottom - y) / (bottom - top) * (biases.upperBound - biases.lowerBound))
        }
    }

    /// The `M x y L x y` points of a path.
    static func points(_ d: String) -> [(Double, Double)] {
        let numbers = d.split(whereSeparator: { " MLZ".contains($0) }).compactMap { Double($0) }
        return stride(from: 0, to: numbers.count - 1, by: 2).map { (numbers[$0], numbers[$0 + 1]) }
    }

    @Test func theorySVGIsWellFormedWithTheEdgeOfChaosAndTheInitializers() throws {
        let file = Self.temporaryFile("tanh.svg")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try runInitbench(["theory", "--activation", "tanh", "--depth", "10", "--svg", file.path,
                                       "--phase-grid", "6x4", "--phase-critical-points", "5"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("edge of chaos"))
        let text = try String(contentsOf: file, encoding: .utf8)
        let svg = try SVGElements.parse(text)
        #expect(svg.elements.first?.name == "svg")
        #expect(svg.coordinateProblems() == [])
        #expect(!text.lowercased().contains("nan") && !text.contains("inf\""))
        #expect(svg.elements("rect", class: "depth-scale").count == 6 * 4)
        #expect(svg.descriptionText.contains("xi_c is infinite on the edge of chaos"))

        // The edge: data points with chi_1(q*) = 1, recomputed here; tanh's is s_w^2 = 1 at s_b^2 = 0.
        let line = try #require(svg.elements("path", class: "critical-line").first)
        let data = (line["data-points"] ?? "").split(separator: " ").map { $0.split(separator: ",").compactMap { Double($0) } }
        #expect(data.count == 5 && data.allSatisfy { $0.count == 2 })
        #expect(abs(data[0][0] - 1) < 1e-6 && data[0][1] == 0)
        let tanh = MeanFieldTheory(activation: .tanh)
        for point in data.dropFirst().prefix(2) {
            let q = try #require(tanh.fixedPoint(weightScale: point[0], biasVariance: point[1]))
            #expect(abs(tanh.chi1(preactivationVariance: q, weightScale: point[0]) - 1) < 1e-5, "\(point)")
        }
        // The drawn path goes through the same points (to the 0.1 px the file keeps).
        let axes = try Axes(svg)
        let drawn = Self.points(line["d"] ?? "")
        #expect(drawn.count == data.count)
        for (pixel, point) in zip(drawn, data) {
            let (w, b) = axes.point(x: pixel.0, y: pixel.1)
            #expect(abs(w - point[0]) < 0.01 && abs(b - point[1]) < 0.002, "\(pixel) \(point)")
        }
        #expect(!svg.elements("path", class: "trainable-boundary").isEmpty)

        // Every placed initializer, at s_b^2 = 0; orthogonal's gain 5/3 gives s_w^2 = 25/9.
        let markers = svg.elements("circle", class: "initializer")
        let names = Set(markers.compactMap { $0["data-init"] })
        #expect(names.isSuperset(of: ["standard", "xavier-normal", "he-normal", "lecun-normal", "orthogonal"]))
        let orthogonal = try #require(markers.first { $0["data-init"] == "orthogonal" })
        #expect(abs((Double(orthogonal["data-weight-variance"] ?? "") ?? 0) - 25.0 / 9) < 1e-5)
        for marker in markers where marker["data-init"] != "configured" {
            #expect(marker["data-bias-variance"].flatMap(Double.init) == 0)
            let (w, _) = axes.point(x: Double(marker["cx"] ?? "") ?? .nan, y: 0)
            #expect(abs(w - (Double(marker["data-weight-variance"] ?? "") ?? .nan)) < 0.01, "\(marker)")
        }
        let regions = svg.elements.filter { $0.name == "text" && $0.attributes["class"] == "region" }
        #expect(regions.count == 2)
    }

    @Test(arguments: [
        ["--phase-grid", "1x4"], ["--phase-grid", "4x401"], ["--phase-grid", "4by4"], ["--phase-critical-points", "1"],
        ["--phase-weight-variances", "0...4"], ["--phase-weight-variances", "4...1"], ["--phase-weight-variances", "nan...4"],
        ["--phase-weight-variances", "1"], ["--phase-bias-variances", "-0.1...0.3"], ["--phase-bias-variances", "0.3...0.3"],
        ["--svg", "/proc/initbench-phase.svg"], ["--svg", "-"], ["--svg", "/"], ["--svg", "/no-such-directory/x.svg"],
    ])
    func badFlagsExit64(arguments: [String]) throws {
        let result = try runInitbench(["theory", "--depth", "2"] + arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// The report draws one panel per activation with its runs marked at (width Var(W), bias std^2).
    @Test func reportIncludesThePhaseDiagram() throws {
        let directory = Self.temporaryFile("report")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runInitbench(["report", "--quiet", "--output", directory.path, "--depth", "3", "--width", "16", "--batch", "8",
                                       "--init", "xavier-normal,orthogonal", "--activation", "tanh,relu", "--bias", "--bias-std", "0.2"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOf: directory.appendingPathComponent("phase-diagram.svg"), encoding: .utf8)
        let svg = try SVGElements.parse(text)
        #expect(svg.coordinateProblems() == [])
        #expect(Set(svg.elements("path", class: "critical-line").compactMap { $0["data-activation"] }) == ["tanh", "relu"])
        let markers = svg.elements("circle", class: "initializer")
        #expect(Set(markers.map { "\($0["data-init"] ?? "?")/\($0["data-activation"] ?? "?")" })
                == ["xavier-normal/tanh", "orthogonal/tanh", "xavier-normal/relu", "orthogonal/relu"])
        for marker in markers { #expect(abs((marker["data-bias-variance"].flatMap(Double.init) ?? 0) - 0.04) < 1e-6, "\(marker)") }
        let orthogonalTanh = try #require(markers.first { $0["data-init"] == "orthogonal" && $0["data-activation"] == "tanh" })
        #expect(abs((orthogonalTanh["data-weight-variance"].flatMap(Double.init) ?? 0) - 25.0 / 9) < 1e-4)
        let html = try String(contentsOf: directory.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("<h2>Phase diagram (mean-field theory)</h2>"))
        #expect(html.contains("class=\"critical-line\""))
        #expect(html.contains("6 &xi;<sub>c</sub> = 3"))
    }
}
