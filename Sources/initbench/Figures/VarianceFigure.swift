import Foundation
import VarianceKit

/// Per-layer variance on a log scale: one panel per (quantity, activation), one coloured line per
/// initializer (solid: measured; dashed: the mean-field prediction). A diverged run's line stops at
/// its last finite layer, a cross marks layer k, and "<init> diverged @k" is written in the panel's
/// top-left corner.
///
/// Every measured line is a `<path class="measured" data-init=... data-activation=...
/// data-quantity=...>`, every prediction a `<path class="theory" ...>`, so tests and scripts can
/// find the series.
enum VarianceFigure {
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

        for (row, quantity) in quantities.enumerated() {
            for (column, activation) in activations.enumerated() {
                let originX = 10 + Double(column) * cellWidth + marginLeft
                let originY = legendHeight + Double(row) * cellHeight + marginTop
                let runs = report.runs.filter { $0.activation == activation }
                drawPanel(&svg, quantity: quantity, activation: activation, runs: runs, initializers: initializers,
                          depth: report.config.depth, x: originX, y: originY)
            }
        }
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
        initializers: [String], depth: Int, x: Double, y: Double
    ) {
        svg.label("\(quantity.title), \(activation)", x: x, y: y - 10, size: 13, weight: "bold")
        // Decades spanned by every positive finite value, measured or predicted.
        var values = [Double]()
        for run in runs {
            for layer in run.layers {
                for value in [quantity.measured(layer), quantity.predicted(layer)] {
                    if let value, value.isFinite, value > 0 { values.append(value) }
                }
            }
        }
        var lowDecade = floor(log10(values.min() ?? 1e-1))
        var highDecade = ceil(log10(values.max() ?? 10))
        if highDecade - lowDecade < 1 { lowDecade -= 1; highDecade += 1 }

        svg.add("rect", ["x": SVGDocument.number(x), "y": SVGDocument.number(y), "width": SVGDocument.number(panelWidth),
                         "height": SVGDocument.number(panelHeight), "fill": "none", "stroke": "#444"])
        let xOf = { (layer: Double) -> Double in
            depth <= 1 ? x + panelWidth / 2 : x + (layer - 1) / Double(depth - 1) * panelWidth
        }
        let yOf = { (value: Double) -> Double in
            y + panelHeight - (log10(value) - lowDecade) / (highDecade - lowDecade) * panelHeight
        }
        // Decade grid lines and labels (at most ~8 labels).
        let decades = Int(highDecade - lowDecade)
        let labelStep = max(1, Int((Double(decades) / 8).rounded(.up)))
        for d in 0...decades {
            let decade = lowDecade + Double(d)
            let gy = yOf(pow(10, decade))
            svg.line(x, gy, x + panelWidth, gy, stroke: "#e4e4e4")
            if d % labelStep == 0 {
                svg.label("1e\(Int(decade))", x: x - 6, y: gy + 4, anchor: "end", size: 11, color: "#555")
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
            if let k = run.divergedAtLayer {
                let lastFinite = measured.last(where: { ($0.1 ?? 0) > 0 && ($0.1?.isFinite ?? false) })
                let cx = xOf(Double(k)), cy = lastFinite.map { yOf($0.1!) } ?? (y + 12)
                svg.line(cx - 5, cy - 5, cx + 5, cy + 5, stroke: color, width: 2.5)
                svg.line(cx - 5, cy + 5, cx + 5, cy - 5, stroke: color, width: 2.5)
                // Labels stacked in the panel's top-left corner, so that runs diverging at the same
                // layer stay legible.
                svg.label("\(run.initializer) diverged @\(k)", x: x + 6, y: y + 14 + 13 * Double(divergedLabels), size: 11, color: color)
                divergedLabels += 1
            }
        }
    }

    /// `M x y L x y ...`, starting a new subpath after a gap (non-positive or non-finite value).
    static func pathData(_ points: [(Double, Double?)], xOf: (Double) -> Double, yOf: (Double) -> Double) -> String {
        var d = ""
        var penDown = false
        for (layer, value) in points {
            guard let value, value.isFinite, value > 0 else { penDown = false; continue }
            d += (penDown ? " L" : (d.isEmpty ? "M" : " M")) + "\(SVGDocument.number(xOf(layer))) \(SVGDocument.number(yOf(value)))"
            penDown = true
        }
        return d
    }
}
