import Foundation
import VarianceKit

/// The figures of a training run: loss and accuracy against step (one line per run), and the
/// per-layer variance of activations and gradients over training as layer x step heat maps.
///
/// Every value goes through `VarianceFigure.Placement`: zero, subnormal, infinite and NaN values
/// leave a gap in a line (or a grey cell in a heat map), and the caption says how many.
enum TrainingFigure {
    static let curvesName = "training-curves.svg"
    static let heatMapName = "training-variance.svg"

    static let panelWidth = 420.0, panelHeight = 260.0
    static let marginLeft = 70.0, marginTop = 40.0, marginBottom = 50.0, gap = 90.0

    /// Training loss (log scale) and validation accuracy (classes) or validation loss (log scale).
    static func curves(_ document: TrainingDocument) -> SVGDocument {
        let legendHeight = 18.0 * Double(document.runs.count) + 10
        var svg = SVGDocument(width: marginLeft + 2 * panelWidth + gap + 30,
                              height: marginTop + panelHeight + marginBottom + legendHeight)
        let lastStep = Double(max(document.runs.map { $0.record.points.last?.step ?? 0 }.max() ?? 1, 1))
        var gaps = 0
        let loss = document.runs.map { run in run.record.points.map { (Double($0.step), Optional($0.trainingLoss)) } }
        drawLogPanel(&svg, title: "training loss (mean batch loss)", series: loss, lastStep: lastStep,
                     x: marginLeft, y: marginTop, gaps: &gaps)
        if document.isClassification {
            let accuracy = document.runs.map { run in run.record.points.map { (Double($0.step), $0.validation?.accuracy) } }
            drawLinearPanel(&svg, title: "validation accuracy", series: accuracy, lastStep: lastStep,
                            x: marginLeft + panelWidth + gap, y: marginTop, gaps: &gaps)
        } else {
            let validation = document.runs.map { run in run.record.points.map { (Double($0.step), $0.validation?.loss) } }
            drawLogPanel(&svg, title: "validation loss", series: validation, lastStep: lastStep,
                         x: marginLeft + panelWidth + gap, y: marginTop, gaps: &gaps)
        }
        for (index, run) in document.runs.enumerated() {
            let ly = marginTop + panelHeight + marginBottom + 14 + 18 * Double(index)
            let color = SVGDocument.palette[index % SVGDocument.palette.count]
            svg.line(marginLeft, ly - 4, marginLeft + 24, ly - 4, stroke: color, width: 2.5)
            let status = run.record.status == .ok ? "" : " (diverged at step \(run.record.divergence?.step ?? 0))"
            svg.label("\(index + 1): \(run.label)\(status)", x: marginLeft + 32, y: ly, size: 12)
        }
        if gaps > 0 {
            svg.notes.append("\(gaps) value\(gaps == 1 ? "" : "s") that are zero, subnormal, infinite or NaN (or missing) are left out as gaps in the lines.")
        }
        return svg
    }

    static func frame(_ svg: inout SVGDocument, title: String, lastStep: Double, x: Double, y: Double) -> (Double) -> Double {
        svg.label(title, x: x, y: y - 10, size: 13, weight: "bold")
        svg.add("rect", ["x": SVGDocument.number(x), "y": SVGDocument.number(y), "width": SVGDocument.number(panelWidth),
                         "height": SVGDocument.number(panelHeight), "fill": "none", "stroke": "#444"])
        for tick in ticks(upTo: lastStep) {
            let tx = x + tick / lastStep * panelWidth
            svg.line(tx, y + panelHeight, tx, y + panelHeight + 4, stroke: "#444")
            svg.label(String(format: "%g", tick), x: tx, y: y + panelHeight + 17, anchor: "middle", size: 11, color: "#555")
        }
        svg.label("step", x: x + panelWidth / 2, y: y + panelHeight + 34, anchor: "middle", size: 11, color: "#555")
        return { step in x + step / lastStep * panelWidth }
    }

    static func drawLogPanel(_ svg: inout SVGDocument, title: String, series: [[(Double, Double?)]], lastStep: Double,
                             x: Double, y: Double, gaps: inout Int) {
        let xOf = frame(&svg, title: title, lastStep: lastStep, x: x, y: y)
        let drawn = series.flatMap { $0.compactMap(\.1) }.filter { VarianceFigure.Placement($0) == .drawn }
        let (low, high) = VarianceFigure.decades(spanning: drawn)
        let yOf = { (value: Double) -> Double in
            y + panelHeight - (log10(value) - Double(low)) / Double(high - low) * panelHeight
        }
        let labelStep = max(1, (high - low + 5) / 6)
        for d in 0...(high - low) {
            let gy = y + panelHeight - Double(d) / Double(high - low) * panelHeight
            svg.line(x, gy, x + panelWidth, gy, stroke: "#eee")
            if d % labelStep == 0 { svg.label("1e\(low + d)", x: x - 6, y: gy + 4, anchor: "end", size: 11, color: "#555") }
        }
        drawLines(&svg, series: series, xOf: xOf, yOf: yOf, drawable: { VarianceFigure.Placement($0) == .drawn }, gaps: &gaps)
    }

    static func drawLinearPanel(_ svg: inout SVGDocument, title: String, series: [[(Double, Double?)]], lastStep: Double,
                                x: Double, y: Double, gaps: inout Int) {
        let xOf = frame(&svg, title: title, lastStep: lastStep, x: x, y: y)
        let yOf = { (value: Double) -> Double in y + panelHeight - min(max(value, 0), 1) * panelHeight }
        for tenth in stride(from: 0, through: 10, by: 2) {
            let value = Double(tenth) / 10
            svg.line(x, yOf(value), x + panelWidth, yOf(value), stroke: "#eee")
            svg.label(String(format: "%.0f%%", 100 * value), x: x - 6, y: yOf(value) + 4, anchor: "end", size: 11, color: "#555")
        }
        drawLines(&svg, series: series, xOf: xOf, yOf: yOf, drawable: { $0.isFinite }, gaps: &gaps)
    }

    static func drawLines(_ svg: inout SVGDocument, series: [[(Double, Double?)]], xOf: (Double) -> Double,
                          yOf: (Double) -> Double, drawable: (Double) -> Bool, gaps: inout Int) {
        for (index, points) in series.enumerated() {
            var d = ""
            var penDown = false
            for (step, value) in points {
                guard let value, drawable(value) else { penDown = false; gaps += 1; continue }
                d += (penDown ? " L" : (d.isEmpty ? "M" : " M")) + "\(SVGDocument.number(xOf(step))) \(SVGDocument.number(yOf(value)))"
                penDown = true
            }
            svg.add("path", ["class": "run", "data-run": "\(index + 1)", "d": d, "fill": "none",
                             "stroke": SVGDocument.palette[index % SVGDocument.palette.count], "stroke-width": "2"])
        }
    }

    /// About six round ticks from 0 to `last`.
    static func ticks(upTo last: Double) -> [Double] {
        guard last > 0, last.isFinite else { return [0] }
        let raw = last / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        return Array(stride(from: 0, through: last, by: step))
    }

    // MARK: - Heat map

    static let cellHeight = 14.0, heatWidth = 360.0

    /// One row of panels per run: `log10 Var(A_l)` and `log10 Var(dL/dZ_l)` per probe (columns)
    /// and layer (rows, layer 1 at the bottom), on one colour scale per quantity.
    static func heatMap(_ document: TrainingDocument) -> SVGDocument {
        let runs = document.runs.filter { !$0.record.probes.isEmpty }
        let layers = document.config.widths.count - 1
        let panelH = max(cellHeight * Double(layers), 60)
        let rowHeight = panelH + 60
        var svg = SVGDocument(width: marginLeft + 2 * heatWidth + gap + 140, height: 40 + rowHeight * Double(max(runs.count, 1)) + 20)
        guard !runs.isEmpty else {
            svg.label("No probes were taken (use --probe-every K).", x: 20, y: 30)
            svg.notes.append("No probes were taken.")
            return svg
        }
        var grey = 0
        let quantities: [(String, (TrainingProbe) -> [Double?])] = [
            ("log10 Var(activation)", { $0.activationVariance }),
            ("log10 Var(dL/dz)", { $0.preActivationGradientVariance }),
        ]
        for (q, quantity) in quantities.enumerated() {
            let all = runs.flatMap { $0.record.probes.flatMap { quantity.1($0).compactMap { $0 } } }
                .filter { VarianceFigure.Placement($0) == .drawn }.map(log10)
            let low = all.min() ?? -1, high = max(all.max() ?? 1, (all.min() ?? -1) + 1e-9)
            let x = marginLeft + Double(q) * (heatWidth + gap)
            for (r, run) in runs.enumerated() {
                let y = 40 + Double(r) * rowHeight
                svg.label("\(quantity.0): run \(document.runs.firstIndex { $0.label == run.label }.map { $0 + 1 } ?? r + 1)",
                          x: x, y: y - 8, size: 12, weight: "bold")
                let probes = run.record.probes
                let cellWidth = heatWidth / Double(probes.count)
                let cellH = panelH / Double(layers)
                for (column, probe) in probes.enumerated() {
                    let values = quantity.1(probe)
                    for layer in 0..<layers {
                        let value = layer < values.count ? values[layer] : nil
                        let colour: String
                        if let value, VarianceFigure.Placement(value) == .drawn {
                            colour = PhaseDiagram.colourRamp((log10(value) - low) / (high - low))
                        } else {
                            colour = "#c8c8c8"
                            grey += 1
                        }
                        svg.add("rect", ["x": SVGDocument.number(x + Double(column) * cellWidth),
                                         "y": SVGDocument.number(y + panelH - Double(layer + 1) * cellH),
                                         "width": SVGDocument.number(cellWidth + 0.2), "height": SVGDocument.number(cellH + 0.2),
                                         "fill": colour])
                    }
                }
                svg.add("rect", ["x": SVGDocument.number(x), "y": SVGDocument.number(y), "width": SVGDocument.number(heatWidth),
                                 "height": SVGDocument.number(panelH), "fill": "none", "stroke": "#444"])
                svg.label("layer 1", x: x - 6, y: y + panelH - 2, anchor: "end", size: 10, color: "#555")
                svg.label("\(layers)", x: x - 6, y: y + 10, anchor: "end", size: 10, color: "#555")
                svg.label("step \(probes.first?.step ?? 0)", x: x, y: y + panelH + 14, size: 10, color: "#555")
                svg.label("\(probes.last?.step ?? 0)", x: x + heatWidth, y: y + panelH + 14, anchor: "end", size: 10, color: "#555")
            }
            svg.label(String(format: "scale: %.1f (dark) to %.1f (bright)", low, high), x: x, y: svg.height - 8, size: 11, color: "#555")
        }
        if grey > 0 {
            svg.notes.append("\(grey) cell\(grey == 1 ? "" : "s") whose variance is zero, subnormal, infinite or NaN (or not measured) are grey.")
        }
        return svg
    }

    // MARK: - Settings grids

    static let gridFigureName = "settings-grids.svg"
    static let gridCell = 56.0

    /// Each grid of the outcome as a heat map of its values (log10 scale, darker is lower, i.e.
    /// better for a loss), one panel per grid with a shared scale; diverged cells are grey.
    static func grids(_ grids: [SettingsGrid]) -> SVGDocument {
        let columns = grids.map(\.columns.count).max() ?? 1, rows = grids.map(\.rows.count).max() ?? 1
        let panelWidth = gridCell * Double(columns), panelHeight = gridCell * Double(rows)
        var svg = SVGDocument(width: 90 + Double(grids.count) * (panelWidth + 110), height: 70 + panelHeight + 60)
        let values = grids.flatMap { $0.values.flatMap { $0.compactMap { $0 } } }.filter { VarianceFigure.Placement($0) == .drawn }.map(log10)
        let low = values.min() ?? 0, high = max(values.max() ?? 1, low + 1e-9)
        var grey = 0
        for (index, grid) in grids.enumerated() {
            let x = 90 + Double(index) * (panelWidth + 110), y = 50.0
            svg.label(grid.title, x: x, y: y - 24, size: 12, weight: "bold")
            for (r, rowValue) in grid.rows.enumerated() {
                let cy = y + Double(r) * gridCell
                svg.label(String(format: "%g", rowValue), x: x - 6, y: cy + gridCell / 2 + 4, anchor: "end", size: 11, color: "#555")
                for (c, value) in grid.values[r].enumerated() {
                    let cx = x + Double(c) * gridCell
                    let drawn = value.map { VarianceFigure.Placement($0) == .drawn } ?? false
                    if !drawn { grey += 1 }
                    svg.add("rect", ["x": SVGDocument.number(cx), "y": SVGDocument.number(cy), "width": SVGDocument.number(gridCell),
                                     "height": SVGDocument.number(gridCell),
                                     "fill": drawn ? PhaseDiagram.colourRamp((log10(value!) - low) / (high - low)) : "#c8c8c8", "stroke": "white"])
                    svg.label(NumberFormat.short(value, missing: "x"), x: cx + gridCell / 2, y: cy + gridCell / 2 + 4, anchor: "middle", size: 10,
                              color: "#111")
                }
            }
            for (c, columnValue) in grid.columns.enumerated() {
                svg.label(String(format: "%g", columnValue), x: x + (Double(c) + 0.5) * gridCell, y: y - 6, anchor: "middle", size: 11, color: "#555")
            }
            svg.label("rows: \(grid.rowName); columns: \(grid.columnName)", x: x, y: y + panelHeight + 18, size: 11, color: "#555")
        }
        svg.label(String(format: "colour: log10 of the value, %.2f (dark) to %.2f (bright)", low, high), x: 90, y: svg.height - 10, size: 11, color: "#555")
        if grey > 0 { svg.notes.append("\(grey) cell\(grey == 1 ? "" : "s") whose run diverged (or whose value is not a positive finite number) are grey.") }
        return svg
    }
}
