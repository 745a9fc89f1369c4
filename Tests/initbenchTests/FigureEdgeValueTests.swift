import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import initbench
import VarianceKit

/// Every element of an SVG with its attributes, the text of `<desc>` and of every `<text>`.
final class SVGElements: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var descriptionText = ""
    /// The contents of every `<text>`, in document order.
    var texts: [String] = []
    private var inDescription = false
    private var inText = false

    static func parse(_ text: String) throws -> SVGElements { try parse(Data(text.utf8)) }

    static func parse(_ data: Data) throws -> SVGElements {
        let collector = SVGElements()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        guard parser.parse() else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "not well-formed XML: \(String(describing: parser.parserError))"])
        }
        return collector
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append((elementName, attributes))
        if elementName == "desc" { inDescription = true }
        if elementName == "text" { inText = true; texts.append("") }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == "desc" { inDescription = false }
        if elementName == "text" { inText = false }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inDescription { descriptionText += string }
        if inText { texts[texts.count - 1] += string }
    }

    /// The name of the root element.
    var rootName: String? { elements.first?.name }

    /// The attributes of every `<path>`.
    var paths: [[String: String]] { elements.filter { $0.name == "path" }.map(\.attributes) }

    /// `init/activation/quantity` of every path of class `className`.
    func series(_ className: String) -> Set<String> {
        Set(paths.filter { $0["class"] == className }.map {
            "\($0["data-init"] ?? "?")/\($0["data-activation"] ?? "?")/\($0["data-quantity"] ?? "?")"
        })
    }

    func elements(_ name: String, class className: String) -> [[String: String]] {
        elements.filter { $0.name == name && $0.attributes["class"] == className }.map(\.attributes)
    }

    /// Every geometric attribute's numbers, or the attribute that holds something else.
    func coordinateProblems() -> [String] {
        let geometric: Set<String> = ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "d", "points", "viewBox", "stroke-width", "font-size"]
        var problems = [String]()
        for (name, attributes) in elements {
            for (key, value) in attributes where geometric.contains(key) {
                let lowered = value.lowercased()
                if lowered.contains("nan") || lowered.contains("inf") { problems.append("\(name) \(key)=\(value)"); continue }
                // Path commands and separators aside, every token is a finite decimal number.
                let tokens = value.split(whereSeparator: { " ,MLZ".contains($0) })
                for token in tokens where Double(token).map({ !$0.isFinite }) ?? true {
                    problems.append("\(name) \(key)=\(value)")
                }
            }
        }
        return problems
    }
}

/// The figures on values at and beyond the ends of Double: zero, subnormal, tiny, huge, infinite,
/// NaN and missing. Expectations come from IEEE 754 classes, not from the figure code.
@Suite struct FigureEdgeValueTests {
    /// 5e-324 and 1e-310, the smallest subnormal and one in the middle (as products, since the
    /// literals would warn that they lose precision).
    static let smallestSubnormal = Double.leastNonzeroMagnitude
    static let subnormal = 1e-155 * 1e-155
    /// One value of each kind, in layer order; the layers repeat it for every measured and predicted quantity.
    static let values: [Double?] = [1, 0, smallestSubnormal, subnormal, 1e-305, 0.5, .infinity, 2e305, -.infinity, .nan, nil, -1, 4, 0]

    /// On a log axis from 1e-300 to 1e+300, by the values' IEEE 754 class and size.
    static func expectedEdge(_ value: Double?) -> String? {
        guard let value, !value.isNaN, value >= 0 else { return "gap" }
        if value == 0 || value.isSubnormal || value < 1e-300 { return "below" }
        if value > 1e300 { return "above" }
        return nil
    }

    static func layer(_ index: Int, _ value: Double?, histogram: HistogramCounts) -> PropagationLayer {
        var theory = PredictedVariances(nil)
        theory.preactivationVariance = value
        theory.activationVariance = value
        theory.gradientVariance = value
        theory.weightGradientVariance = value
        return PropagationLayer(
            index: index, preactivationMean: 0, preactivationVariance: value, activationMean: 0,
            activationVariance: value, gradientVariance: value, weightGradientVariance: value,
            weightVariance: 0.01, saturatedFraction: 0, deadFraction: 0,
            histograms: LayerHistograms(preactivation: histogram, activation: histogram, gradient: histogram),
            theory: theory)
    }

    /// Histograms whose bounds are fine, subnormally close, infinite, NaN or equal; some all zeros.
    static let histograms: [HistogramCounts] = [
        HistogramCounts(lower: -1, upper: 1, counts: [1, 2, 5, 2], zeros: 3),
        HistogramCounts(lower: 0, upper: smallestSubnormal, counts: [1, 2, 3, 4], zeros: 1),
        HistogramCounts(lower: -subnormal, upper: subnormal, counts: [1, 2, 3, 4], zeros: 2),
        HistogramCounts(lower: -.infinity, upper: .infinity, counts: [1, 2, 3, 4], zeros: 0),
        HistogramCounts(lower: .nan, upper: 1, counts: [4, 3, 2, 1], zeros: 0),
        HistogramCounts(lower: 2, upper: 2, counts: [0, 7, 0, 0], zeros: 0),
        HistogramCounts(lower: 1e-300, upper: 1e300, counts: [1, 0, 0, 9], zeros: 5),
        HistogramCounts(lower: -1, upper: 1, counts: [0, 0, 4, 0], zeros: 4),
        HistogramCounts.empty,
    ]

    static func document() throws -> PropagationDocument {
        let layers = values.enumerated().map { i, value in layer(i + 1, value, histogram: histograms[i % histograms.count]) }
        // A second run whose only histogram ranges are unusable: its panels have no axis values.
        let badRanges = (1...4).map { layer($0, subnormal, histogram: histograms[3]) }
        let runs = [Fixtures.run("standard", "tanh", layers), Fixtures.run("xavier-uniform", "tanh", badRanges)]
        var report = try Fixtures.report(runs, depth: values.count)
        report.config.depth = values.count
        return report
    }

    @Test func varianceFigureDrawsOnlyAxisValuesAndMarksTheRest() throws {
        let figure = VarianceFigure.svg(try Self.document())
        let svg = try SVGElements.parse(figure.text)
        #expect(svg.coordinateProblems() == [])
        #expect(!figure.text.lowercased().contains("nan\""))
        let expectedDrawn = Self.values.filter { Self.expectedEdge($0) == nil }.count
        // Stretches of values off the axis on one side, from the list: each starts one marker.
        var belowLayers = [String](), aboveLayers = [String]()
        var previous: String?
        for (i, value) in Self.values.enumerated() {
            let edge = Self.expectedEdge(value)
            if edge != previous { if edge == "below" { belowLayers.append("\(i + 1)") } else if edge == "above" { aboveLayers.append("\(i + 1)") } }
            previous = edge
        }
        // 1, 0.5 and 4; zero..1e-305 from layer 2 and zero at 14; +inf and 2e305 from layer 7.
        #expect(expectedDrawn == 3 && belowLayers == ["2", "14"] && aboveLayers == ["7"])
        for className in ["measured", "theory"] {
            for quantity in ["activationVariance", "gradientVariance", "weightGradientVariance"] {
                let path = try #require(svg.elements("path", class: className)
                    .first { $0["data-init"] == "standard" && $0["data-quantity"] == quantity })
                let d = path["d"] ?? ""
                #expect(d.filter { $0 == "M" || $0 == "L" }.count == expectedDrawn, "\(className) \(quantity): \(d)")
                let series = className
                let below = svg.elements("polygon", class: "clipped-below")
                    .filter { $0["data-init"] == "standard" && $0["data-quantity"] == quantity && $0["data-series"] == series }
                let above = svg.elements("polygon", class: "clipped-above")
                    .filter { $0["data-init"] == "standard" && $0["data-quantity"] == quantity && $0["data-series"] == series }
                #expect(below.compactMap { $0["data-layer"] } == belowLayers)
                #expect(above.compactMap { $0["data-layer"] } == aboveLayers)
            }
        }
        let notes = figure.notes.joined(separator: " ")
        for word in ["zero", "subnormal", "below 1e-300", "above 1e+300", "+inf", "-inf", "NaN", "negative", "missing"] {
            #expect(notes.contains(word), "\(word) in \(notes)")
        }
        #expect(svg.descriptionText == notes)
    }

    @Test func histogramFiguresSkipUnusableRangesAndSaySo() throws {
        for quantity in [HistogramFigure.Quantity.activation, .gradient] {
            let figure = HistogramFigure.svg(try Self.document(), quantity: quantity)
            let svg = try SVGElements.parse(figure.text)
            #expect(svg.coordinateProblems() == [])
            // Usable: finite bounds, in order, a normal width apart, some nonzero entries.
            var usable = Set<String>()
            for layer in 1...Self.values.count {
                let h = Self.histograms[(layer - 1) % Self.histograms.count]
                let finiteBounds = h.lower.isFinite && h.upper.isFinite && h.upper > h.lower
                if finiteBounds, (h.upper - h.lower).isNormal, h.counts.reduce(0, +) > h.zeros { usable.insert("\(layer)") }
            }
            // 14 layers: more than 10, so some are not shown.
            let shown = Set(HistogramFigure.shownLayers(depth: Self.values.count).map { "\($0)" })
            let ridges = svg.elements("path", class: "histogram").filter { $0["data-init"] == "standard" }
            let drawnLayers: Set<String> = Set(ridges.compactMap { $0["data-layer"] })
            #expect(drawnLayers == usable.intersection(shown))
            #expect(svg.elements("path", class: "histogram").allSatisfy { $0["data-init"] != "xavier-uniform" })
            let notes = figure.notes.joined(separator: " ")
            #expect(notes.contains("all zeros"), "\(notes)")
            #expect(notes.contains("not finite or narrower than the smallest normal double"), "\(notes)")
            #expect(notes.contains("1 panel(s) have no finite horizontal range"), "\(notes)")
        }
    }

    @Test func theReportCaptionsCarryTheNotes() throws {
        let report = try Self.document()
        let variance = VarianceFigure.svg(report)
        let activations = HistogramFigure.svg(report, quantity: .activation)
        let gradients = HistogramFigure.svg(report, quantity: .gradient)
        // No panels: the phase diagram's caption still says how its colour scale is clipped.
        let phases = PhaseDiagram.svg([], depth: report.config.depth, title: "")
        let html = HTMLReport.html(report, variance: variance, activations: activations, gradients: gradients, phases: phases)
        let captions = html.components(separatedBy: "<figcaption>").dropFirst().map { $0.components(separatedBy: "</figcaption>")[0] }
        #expect(captions.count == 4)
        #expect(captions[0].contains("subnormal") && captions[0].contains("+inf") && captions[0].contains("NaN"))
        #expect(captions[1].contains("no finite horizontal range"))
        #expect(captions[2].contains("all zeros"))
        #expect(captions[3].contains("infinite on the edge of chaos"))
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, 1e300, -1e300, smallestSubnormal, 0, 12.25, -3.04])
    func numbersAreAlwaysFiniteText(value: Double) {
        let text = SVGDocument.number(value)
        let parsed = Double(text)
        #expect(parsed.map { $0.isFinite && abs($0) <= SVGDocument.coordinateLimit } == true, "\(text)")
        if value.isFinite, abs(value) < 1e6 { #expect(abs((parsed ?? .nan) - value) <= 0.05 + 1e-9) }
    }

    /// The integer form against the rounded real quotient, for every depth up to 2000.
    @Test func shownLayersMatchTheRoundedQuotient() {
        for depth in 11...2000 {
            let expected = Set((0..<10).map { 1 + Int((Double($0) * Double(depth - 1) / 9).rounded()) }).sorted()
            #expect(HistogramFigure.shownLayers(depth: depth) == expected, "depth \(depth)")
        }
    }

    @Test func clampedIntNeverTraps() {
        #expect(SVGDocument.clampedIntOrNil(.nan, to: 0...9) == nil)
        #expect(SVGDocument.clampedInt(.infinity, to: 0...9) == 9)
        #expect(SVGDocument.clampedInt(-.infinity, to: 0...9) == 0)
        #expect(SVGDocument.clampedInt(1e300, to: Int.min...Int.max) == Int.max)
        #expect(SVGDocument.clampedInt(4.9, to: 0...9) == 4)
    }

    /// Standard init on tanh: n Var(W) = 1/3, so the predicted variance falls by about 3x per layer
    /// and reaches zero in Double well before layer 700 (3^-700 ~ 1e-334), where the report used to trap.
    @Test(arguments: ["tanh", "relu"])
    func reportSurvivesDepth700(activation: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("initbench-deep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runInitbench(["report", "--quiet", "--init", "standard", "--activation", activation, "--depth", "700",
                                       "--width", "8", "--batch", "8", "--output", directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOf: directory.appendingPathComponent("variance.svg"), encoding: .utf8)
        let svg = try SVGElements.parse(text)
        #expect(svg.coordinateProblems() == [])
        #expect(!svg.elements("polygon", class: "clipped-below").isEmpty)
        for file in ["activation-histograms.svg", "gradient-histograms.svg"] {
            let histogram = try SVGElements.parse(try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8))
            #expect(histogram.coordinateProblems() == [], "\(file)")
        }
        let html = try String(contentsOf: directory.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("Values below the log axis (1e-300) are not drawn ("))
        #expect(html.contains(" zero"))
    }
}
