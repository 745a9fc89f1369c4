import Foundation
import VarianceKit

/// Per-layer variance on a log scale: one panel per (quantity, activation), one coloured line per
/// initializer (solid: measured; dashed: the mean-field prediction). A diverged run's line stops at
/// its last finite layer, a cross marks layer k, and "<init> diverged @k" is written in the panel's
/// top-left corner.
///
/// The axis spans at most `axisFloor` ... `axisCeiling` (1e-300 ... 1e+300). A value off it is not
/// drawn and the line has a gap there: zero, subnormal doubles and values below the floor are marked
/// by a triangle pointing down on the panel's bottom edge at the first layer of each such stretch
/// (`<polygon class="clipped-below">`), values above the ceiling and +inf by one pointing up on the
/// top edge (`clipped-above`); NaN, -inf, negative and missing (nil: not finite in the run) values
/// are plain gaps. `SVGDocument.notes` counts each kind for the caption.
///
/// Every measured line is a `<path class="measured" data-init=... data-activation=...
/// data-quantity=...>`, every prediction a `<path class="theory" ...>`, so tests and scripts can
/// find the series.
enum VarianceFigure {
    /// The lowest and highest value the log axis can show; decades are whole powers of ten in between.
    static let axisFloor = 1e-300, axisCeiling = 1e300
    static let lowestDecade = -300, highestDecade = 300

    /// Where a value goes on the log axis.
    enum Placement {
        /// A normal double within `axisFloor ... axisCeiling`.
        case drawn
        /// Marked on the bottom edge.
        case zero, subnormal, belowFloor
        /// Marked on the top edge.
        case aboveCeiling, infinity
        /// Gaps.
        case notANumber, negativeInfinity, negative, missing

        init(_ value: Double?) {
            guard let value else { self = .missing; return }
            if value.isNaN { self = .notANumber }
            else if value == -.infinity { self = .negativeInfinity }
            else if value < 0 { self = .negative }
            else if value == 0 { self = .zero }
            else if value.isSubnormal { self = .subnormal }
            else if value < axisFloor { self = .belowFloor }
            else if value == .infinity { self = .infinity }
            else if value > axisCeiling { self = .aboveCeiling }
            else { self = .drawn }
        }

        enum Edge { case bottom, top }

        /// The edge a clipped value is marked on; nil for drawn values and gaps.
        var edge: Edge? {
            switch self {
            case .zero, .subnormal, .belowFloor: return .bottom
            case .aboveCeiling, .infinity: return .top
            case .drawn, .notANumber, .negativeInfinity, .negative, .missing: return nil
            }
        }

        var noun: String {
            switch self {
            case .drawn: return "drawn"
            case .zero: return "zero"
            case .subnormal: return "subnormal (nonzero, below 2.2e-308)"
            case .belowFloor: return "other below 1e-300"
            case .aboveCeiling: return "above 1e+300"
            case .infinity: return "+inf"
            case .notANumber: return "NaN"
            case .negativeInfinity: return "-inf"
            case .negative: return "negative"
            case .missing: return "missing (not finite in the run; null in results.json)"
            }
        }
    }

    /// How many values of each placement the figure met (measured and predicted alike).
    struct Tally {
        var counts: [Placement: Int] = [:]

        mutating func count(_ value: Double?) { counts[Placement(value), default: 0] += 1 }

        /// One sentence per kind of trouble, empty when every value was drawn.
        var notes: [String] {
            func list(_ placements: [Placement]) -> String? {
                let parts = placements.compactMap { p in counts[p].map { "\($0) \(p.noun)" } }
                return parts.isEmpty ? nil : parts.joined(separator: ", ")
            }
            var notes = [String]()
            if let below = list([.zero, .subnormal, .belowFloor]) {
                notes.append("Values below the log axis (1e-300) are not drawn (\(below)); the line stops and a downward triangle on the panel's bottom edge marks the layer where it left the axis.")
            }
            if let above = list([.aboveCeiling, .infinity]) {
                notes.append("Values above the log axis (1e+300) are not drawn (\(above)); an upward triangle on the panel's top edge marks the layer where the line left the axis.")
            }
            if let gaps = list([.notANumber, .negativeInfinity, .negative, .missing]) {
                notes.append("Values left as gaps in the lines: \(gaps).")
            }
            return notes
        }
    }
    /// The quantities drawn, one row of panels each.
    enum Quantity: String, CaseIterable {
        case activationVariance, gradientVariance, weightGradientVariance

        var title: String {
            switch self {
            case .activationVariance: return "Var(a) activations, forward"
            case .gradientVariance: return "Var(dL/dz) back-propagated gradients"
            case .weightGradientVariance: return "Var(dL/dW) weight gradients"
            }
        }

        func measured(_ layer: PropagationLayer) -> Double? {
            switch self {
            case .activationVariance: return layer.activationVariance
            case .gradientVariance: return layer.gradientVariance
            case .weightGradientVariance: return layer.weightGradientVariance
            }
        }

        func predicted(_ layer: PropagationLayer) -> Double? {
            switch self {
            case .activationVariance: return layer.theory.activationVariance
            case .gradientVariance: return layer.theory.gradientVariance
            case .weightGradientVariance: return layer.theory.weightGradientVariance
            }
        }
    }

    static let panelWidth = 400.0, panelHeight = 250.0
    static let marginLeft = 70.0, marginRight = 20.0, marginTop = 40.0, marginBottom = 45.0
    static let legendHeight = 60.0

    static func svg(_ report: PropagationDocument) -> SVGDocument {
        let activations = report.config.activations
        let initializers = report.config.initializers
        let quantities = Quantity.allCases
        let cellWidth = marginLeft + panelWidth + marginRight
        let cellHeight = marginTop + panelHeight + marginBottom
        var svg = SVGDocument(width: cellWidth * Double(max(activations.count, 1)) + 20,
                              height: legendHeight + cellHeight * Double(quantities.count) + 10)
        svg.label("Per-layer variance at initialization (log scale): depth \(report.config.depth), width \(report.config.width), batch \(report.config.batch)",
                  x: 10, y: 20, size: 15, weight: "bold")
        drawLegend(&svg, initializers: initializers, y: 42)
        var tally = Tally()

        for (row, quantity) in quantities.enumerated() {
            for (column, activation) in activations.enumerated() {
                let originX = 10 + Double(column) * cellWidth + marginLeft
                let originY = legendHeight + Double(row) * cellHeight + marginTop
                let runs = report.runs.filter { $0.activation == activation }
                drawPanel(&svg, quantity: quantity, activation: activation, runs: runs, initializers: initializers,
                          depth: report.config.depth, x: originX, y: originY, tally: &tally)
            }
        }
        svg.notes = tally.notes
        return svg
    }

    static func drawLegend(_ svg: inout SVGDocument, initializers: [String], y: Double) {
        var x = 10.0
        for (i, name) in initializers.enumerated() {
            let color = SVGDocument.palette[i % SVGDocument.palette.count]
            svg.line(x, y - 4, x + 24, y - 4, stroke: color, width: 3)
            svg.label(name, x: x + 30, y: y)
            x += 40 + Double(name.count) * 7.5
        }
        svg.line(x + 10, y - 4, x + 34, y - 4, stroke: "#444", width: 2)
        svg.label("measured", x: x + 40, y: y)
        svg.line(x + 110, y - 4, x + 134, y - 4, stroke: "#444", width: 1.5, dash: "5,4")
        svg.label("mean-field theory", x: x + 140, y: y)
    }

    static func drawPanel(
        _ svg: inout SVGDocument, quantity: Quantity, activation: String, runs: [RunRecord],
        initializers: [String], depth: Int, x: Double, y: Double, tally: inout Tally
    ) {
        svg.label("\(quantity.title), \(activation)", x: x, y: y - 10, size: 13, weight: "bold")
        // Decades spanned by every value on the axis, measured or predicted.
        var values = [Double]()
        for run in runs {
            for layer in run.layers {
                for value in [quantity.measured(layer), quantity.predicted(layer)] {
                    tally.count(value)
                    if let value, Placement(value) == .drawn { values.append(value) }
                }
            }
        }
        let (lowDecade, highDecade) = decades(spanning: values)

        svg.add("rect", ["x": SVGDocument.number(x), "y": SVGDocument.number(y), "width": SVGDocument.number(panelWidth),
                         "height": SVGDocument.number(panelHeight), "fill": "none", "stroke": "#444"])
        let xOf = { (layer: Double) -> Double in
            depth <= 1 ? x + panelWidth / 2 : x + (layer - 1) / Double(depth - 1) * panelWidth
        }
        // Only ever called with drawn values (normal, within the axis), so log10 is finite.
        let yOf = { (value: Double) -> Double in
            y + panelHeight - (log10(value) - Double(lowDecade)) / Double(highDecade - lowDecade) * panelHeight
        }
        // Decade grid lines and labels (at most ~8 labels), placed by exponent, not by 10^exponent.
        let decadeCount = highDecade - lowDecade
        let labelStep = max(1, (decadeCount + 7) / 8)
        for d in 0...decadeCount {
            let gy = y + panelHeight - Double(d) / Double(decadeCount) * panelHeight
            svg.line(x, gy, x + panelWidth, gy, stroke: "#e4e4e4")
            if d % labelStep == 0 {
                svg.label("1e\(lowDecade + d)", x: x - 6, y: gy + 4, anchor: "end", size: 11, color: "#555")
            }
        }
        // Layer ticks.
        let tickStep = max(1, depth / 10)
        var tick = 1
        while tick <= depth {
            let tx = xOf(Double(tick))
            svg.line(tx, y + panelHeight, tx, y + panelHeight + 4, stroke: "#444")
            svg.label("\(tick)", x: tx, y: y + panelHeight + 17, anchor: "middle", size: 11, color: "#555")
            tick += tickStep
        }
        svg.label("layer", x: x + panelWidth / 2, y: y + panelHeight + 34, anchor: "middle", size: 11, color: "#555")

        var divergedLabels = 0
        for run in runs {
            let colorIndex = initializers.firstIndex(of: run.initializer) ?? 0
            let color = SVGDocument.palette[colorIndex % SVGDocument.palette.count]
            let measured = run.layers.map { (Double($0.index), quantity.measured($0)) }
            let predicted = run.layers.map { (Double($0.index), quantity.predicted($0)) }
            svg.add("path", ["class": "theory", "data-init": run.initializer, "data-activation": activation,
                             "data-quantity": quantity.rawValue, "d": pathData(predicted, xOf: xOf, yOf: yOf),
                             "fill": "none", "stroke": color, "stroke-width": "1.5", "stroke-dasharray": "5,4",
                             "opacity": "0.8"])
            svg.add("path", ["class": "measured", "data-init": run.initializer, "data-activation": activation,
                             "data-quantity": quantity.rawValue, "d": pathData(measured, xOf: xOf, yOf: yOf),
                             "fill": "none", "stroke": color, "stroke-width": "2.2"])
            for (series, points) in [("theory", predicted), ("measured", measured)] {
                for (layer, edge) in clippedStretches(points) {
                    let mx = xOf(layer)
                    let (tipY, baseY) = edge == .bottom ? (y + panelHeight, y + panelHeight - 7) : (y, y + 7)
                    let points = [(mx, tipY), (mx - 4, baseY), (mx + 4, baseY)]
                        .map { "\(SVGDocument.number($0.0)),\(SVGDocument.number($0.1))" }.joined(separator: " ")
                    svg.add("polygon", ["class": edge == .bottom ? "clipped-below" : "clipped-above", "data-init": run.initializer,
                                        "data-activation": activation, "data-quantity": quantity.rawValue, "data-series": series,
                                        "data-layer": SVGDocument.number(layer), "points": points,
                                        "fill": series == "measured" ? color : "white", "stroke": color, "stroke-width": "1"])
                }
            }
            if let k = run.divergedAtLayer {
                let lastDrawn = measured.last(where: { Placement($0.1) == .drawn })?.1
                let cx = xOf(Double(k)), cy = lastDrawn.map(yOf) ?? (y + 12)
                svg.line(cx - 5, cy - 5, cx + 5, cy + 5, stroke: color, width: 2.5)
                svg.line(cx - 5, cy + 5, cx + 5, cy - 5, stroke: color, width: 2.5)
                // Labels stacked in the panel's top-left corner, so that runs diverging at the same
                // layer stay legible.
                svg.label("\(run.initializer) diverged @\(k)", x: x + 6, y: y + 14 + 13 * Double(divergedLabels), size: 11, color: color)
                divergedLabels += 1
            }
        }
    }

    /// The whole decades `low < high` that hold every value (drawn values only, so within
    /// `lowestDecade ... highestDecade`), at least two apart; -1 ... 1 when there are none.
    static func decades(spanning values: [Double]) -> (low: Int, high: Int) {
        guard let smallest = values.min(), let largest = values.max() else { return (-1, 1) }
        let range = lowestDecade...highestDecade
        var low = SVGDocument.clampedInt(floor(log10(smallest)), to: range)
        var high = SVGDocument.clampedInt(ceil(log10(largest)), to: range)
        if high - low < 1 { low -= 1; high += 1 }
        return (low, high)
    }

    /// The layer and edge of the first point of each stretch of values off the axis on one side.
    static func clippedStretches(_ points: [(Double, Double?)]) -> [(layer: Double, edge: Placement.Edge)] {
        var stretches = [(layer: Double, edge: Placement.Edge)]()
        var previous: Placement.Edge?
        for (layer, value) in points {
            let edge = Placement(value).edge
            if let edge, edge != previous { stretches.append((layer, edge)) }
            previous = edge
        }
        return stretches
    }

    /// `M x y L x y ...`, starting a new subpath after a gap (any value `Placement` does not draw).
    static func pathData(_ points: [(Double, Double?)], xOf: (Double) -> Double, yOf: (Double) -> Double) -> String {
        var d = ""
        var penDown = false
        for (layer, value) in points {
            guard let value, Placement(value) == .drawn else { penDown = false; continue }
            d += (penDown ? " L" : (d.isEmpty ? "M" : " M")) + "\(SVGDocument.number(xOf(layer))) \(SVGDocument.number(yOf(value)))"
            penDown = true
        }
        return d
    }
}
