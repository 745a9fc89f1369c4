import Foundation
import VarianceKit

/// The `(s_w^2, s_b^2)` phase diagram of mean-field theory (`MeanFieldPhaseDiagram`), one panel
/// per activation: a heat map of the correlation depth scale `xi_c` on a log colour scale from
/// `depthScaleFloor` to `depthScaleCeiling` (values beyond are drawn in the end colours and counted
/// in the notes; `xi_c` is infinite on the edge of chaos itself), the edge of chaos `chi_1 = 1`,
/// the boundary `6 xi_c = depth` of the trainable band around it when a depth is given, the
/// ordered and chaotic regions labelled, and initializers marked at their `(s_w^2, s_b^2)`.
///
/// Elements tests and scripts can find: `<rect class="depth-scale">` per grid point (with
/// `data-weight-variance`, `data-bias-variance`, `data-phase`), `<path class="critical-line"
/// data-points="s_w^2,s_b^2 ...">` (the points drawn, in data units, full precision),
/// `<path class="trainable-boundary" data-depth=...>`, `<circle class="initializer" data-init=...
/// data-weight-variance=... data-bias-variance=...>` (`data-clipped="true"` when it lies off the
/// axes and is drawn on their edge), `<text class="region">`.
enum PhaseDiagram {
    /// A point to mark: an initializer (or the configured `(s_w^2, s_b^2)`).
    struct Marker: Equatable {
        var name: String
        var weightVariance: Double
        var biasVariance: Double
    }

    /// One panel's content.
    struct Panel {
        var activation: String
        var diagram: MeanFieldPhaseDiagram
        var markers: [Marker]
    }

    /// The grid, ranges and edge resolution of a diagram.
    struct Resolution: Equatable {
        var weightVariances: ClosedRange<Double>
        var biasVariances: ClosedRange<Double>
        var columns: Int
        var rows: Int
        var criticalPoints: Int

        /// `initbench theory --svg` unless told otherwise.
        static let standard = Resolution(weightVariances: 0.25...4, biasVariances: 0...0.3, columns: 40, rows: 30, criticalPoints: 40)
        /// The report's: coarse, so that a report (and its tests, in debug builds) stays quick.
        static let report = Resolution(weightVariances: 0.25...4, biasVariances: 0...0.3, columns: 16, rows: 10, criticalPoints: 12)
    }

    /// The colour scale's ends: `xi_c` below the floor takes the first colour, above the ceiling
    /// (and infinite) the last.
    static let depthScaleFloor = 1.0, depthScaleCeiling = 1000.0
    /// Viridis at six stops: short depth scales dark, long ones bright.
    static let colourStops: [(Double, Double, Double)] = [
        (0x44, 0x01, 0x54), (0x41, 0x44, 0x87), (0x2a, 0x78, 0x8e), (0x22, 0xa8, 0x84), (0x7a, 0xd1, 0x51), (0xfd, 0xe7, 0x25),
    ]
    static let divergedColour = "#d0d0d0", undefinedColour = "#f4c6c6"

    static let plotWidth = 440.0, plotHeight = 300.0
    static let marginLeft = 62.0, marginRight = 170.0, marginTop = 48.0, marginBottom = 48.0

    /// Computes a panel: the diagram of `activation` at `resolution` with `markers`.
    static func panel(activation: Activation, resolution: Resolution, markers: [Marker]) throws -> Panel {
        let diagram = try MeanFieldTheory(activation: activation).phaseDiagram(
            weightScales: resolution.weightVariances, biasVariances: resolution.biasVariances,
            columns: resolution.columns, rows: resolution.rows, criticalPoints: resolution.criticalPoints,
            criticalTolerance: 1e-8)
        return Panel(activation: activation.name, diagram: diagram, markers: markers)
    }

    /// The figure: `panels` side by side under `title`; `depth` draws the `6 xi_c = depth` boundary.
    static func svg(_ panels: [Panel], depth: Int?, title: String) -> SVGDocument {
        let cellWidth = marginLeft + plotWidth + marginRight
        var svg = SVGDocument(width: 10 + cellWidth * Double(max(panels.count, 1)),
                              height: 30 + marginTop + plotHeight + marginBottom)
        svg.label(title, x: 10, y: 20, size: 15, weight: "bold")
        var tally = Tally()
        for (index, panel) in panels.enumerated() {
            drawPanel(&svg, panel, depth: depth, x: 10 + Double(index) * cellWidth + marginLeft, y: 30 + marginTop, tally: &tally)
        }
        svg.notes = tally.notes(depth: depth)
        return svg
    }

    /// What the panels clipped or could not draw.
    struct Tally {
        var aboveCeiling = 0, infinite = 0, belowFloor = 0, diverged = 0, undefined = 0
        var offPlot: [String] = []
        var noEdge: [String] = []

        func notes(depth: Int?) -> [String] {
            var notes = ["xi_c is infinite on the edge of chaos; the colour scale is clipped to \(NumberFormat.short(depthScaleFloor))...\(NumberFormat.short(depthScaleCeiling)) layers."]
            if infinite + aboveCeiling > 0 {
                let infinity = infinite > 0 ? " (\(infinite) of them on the edge, where it is infinite)" : ""
                notes.append("\(infinite + aboveCeiling) grid point(s) with xi_c above \(NumberFormat.short(depthScaleCeiling))\(infinity) are drawn in the top colour.")
            }
            if belowFloor > 0 { notes.append("\(belowFloor) grid point(s) with xi_c below \(NumberFormat.short(depthScaleFloor)) are drawn in the bottom colour.") }
            if diverged > 0 { notes.append("\(diverged) grid point(s) where q* diverges (no fixed point of the length map) are grey.") }
            if undefined > 0 { notes.append("\(undefined) grid point(s) where c* was not found are pink.") }
            if !noEdge.isEmpty { notes.append("No edge of chaos \(noEdge.joined(separator: "; ")).") }
            if !offPlot.isEmpty { notes.append("Off the axes, marked on their edge: \(offPlot.joined(separator: "; ")).") }
            return notes
        }
    }

    static func drawPanel(_ svg: inout SVGDocument, _ panel: Panel, depth: Int?, x: Double, y: Double, tally: inout Tally) {
        let diagram = panel.diagram
        let weights = diagram.weightScales, biases = diagram.biasVariances
        guard let wMin = weights.first, let wMax = weights.last, let bMin = biases.first, let bMax = biases.last,
              wMax > wMin, bMax > bMin else { return }
        let xOf = { (w: Double) -> Double in x + (w - wMin) / (wMax - wMin) * plotWidth }
        let yOf = { (b: Double) -> Double in y + plotHeight - (b - bMin) / (bMax - bMin) * plotHeight }
        let n = SVGDocument.number
        svg.label("\(panel.activation): correlation depth scale xi_c and the edge of chaos", x: x, y: y - 12, size: 13, weight: "bold")

        // Heat map: one rectangle per grid point, reaching halfway to its neighbours.
        func edges(_ values: [Double]) -> [Double] {
            var result = [values[0]]
            for i in 1..<values.count { result.append((values[i - 1] + values[i]) / 2) }
            result.append(values[values.count - 1])
            return result
        }
        let xEdges = edges(weights), yEdges = edges(biases)
        for (row, cells) in diagram.cells.enumerated() {
            for (column, cell) in cells.enumerated() {
                let colour: String
                if cell.phase == nil {
                    colour = divergedColour
                    tally.diverged += 1
                } else if let scale = cell.correlationDepthScale {
                    if scale > depthScaleCeiling { tally.aboveCeiling += 1 }
                    if scale < depthScaleFloor { tally.belowFloor += 1 }
                    colour = self.colour(scale)
                } else if cell.phase == .critical {
                    tally.infinite += 1
                    colour = self.colour(.infinity)
                } else {
                    tally.undefined += 1
                    colour = undefinedColour
                }
                // Edges rounded as `number` writes them, so that neighbours meet without a seam.
                let left = pixel(xOf(xEdges[column])), right = pixel(xOf(xEdges[column + 1]))
                let top = pixel(yOf(yEdges[row + 1])), bottom = pixel(yOf(yEdges[row]))
                svg.add("rect", ["class": "depth-scale", "data-weight-variance": "\(weights[column])", "data-bias-variance": "\(biases[row])",
                                 "data-phase": cell.phase?.rawValue ?? "diverged", "x": n(left), "y": n(top),
                                 "width": n(right - left), "height": n(bottom - top), "fill": colour, "shape-rendering": "crispEdges"])
            }
        }
        svg.add("rect", ["x": n(x), "y": n(y), "width": n(plotWidth), "height": n(plotHeight), "fill": "none", "stroke": "#444"])
        drawAxes(&svg, weights: wMin...wMax, biases: bMin...bMax, x: x, y: y, xOf: xOf, yOf: yOf)

        if let depth {
            let level = log(Double(depth) / 6)
            let d = contour(diagram, level: level, xOf: xOf, yOf: yOf)
            svg.add("path", ["class": "trainable-boundary", "data-activation": panel.activation, "data-depth": "\(depth)", "d": d,
                             "fill": "none", "stroke": "white", "stroke-width": "2", "stroke-dasharray": "6,4"])
        }

        // The edge of chaos; points off the axes leave a gap.
        var d = "", points = [String]()
        var penDown = false
        for point in diagram.criticalLine {
            guard let w = point.weightScale, (wMin...wMax).contains(w) else { penDown = false; continue }
            d += (penDown ? " L" : (d.isEmpty ? "M" : " M")) + "\(n(xOf(w))) \(n(yOf(point.biasVariance)))"
            points.append(String(format: "%.12g,%.12g", w, point.biasVariance))
            penDown = true
        }
        svg.add("path", ["class": "critical-line", "data-activation": panel.activation, "data-points": points.joined(separator: " "),
                         "d": d, "fill": "none", "stroke": "black", "stroke-width": "2.5"])
        // A point with no neighbour on the line (ReLU's only edge, s_w^2 = 2 at s_b^2 = 0) draws no
        // segment: a dot instead.
        let line = diagram.criticalLine
        for (i, point) in line.enumerated() {
            guard let w = point.weightScale, (wMin...wMax).contains(w) else { continue }
            let isolated = (i == 0 || line[i - 1].weightScale.map { !(wMin...wMax).contains($0) } ?? true)
                && (i == line.count - 1 || line[i + 1].weightScale.map { !(wMin...wMax).contains($0) } ?? true)
            if isolated {
                svg.add("circle", ["class": "critical-point", "data-activation": panel.activation, "cx": n(xOf(w)),
                                   "cy": n(yOf(point.biasVariance)), "r": "3.5", "fill": "black"])
            }
        }
        let missing = line.filter { $0.weightScale == nil }.count
        if missing > 0 {
            tally.noEdge.append("\(panel.activation): at \(missing) of the \(line.count) s_b^2 values (q* diverges before chi_1 reaches 1)")
        }

        drawRegionLabels(&svg, diagram, xOf: xOf, yOf: yOf)
        drawMarkers(&svg, panel, range: (wMin...wMax, bMin...bMax), xOf: xOf, yOf: yOf, tally: &tally)
        drawLegend(&svg, depth: depth, x: x + plotWidth + 22, y: y)
    }

    static func drawAxes(
        _ svg: inout SVGDocument, weights: ClosedRange<Double>, biases: ClosedRange<Double>, x: Double, y: Double,
        xOf: (Double) -> Double, yOf: (Double) -> Double
    ) {
        for tick in ticks(weights) {
            let tx = xOf(tick)
            svg.line(tx, y + plotHeight, tx, y + plotHeight + 4, stroke: "#444")
            svg.label(tickLabel(tick), x: tx, y: y + plotHeight + 17, anchor: "middle", size: 11, color: "#555")
        }
        for tick in ticks(biases) {
            let ty = yOf(tick)
            svg.line(x - 4, ty, x, ty, stroke: "#444")
            svg.label(tickLabel(tick), x: x - 7, y: ty + 4, anchor: "end", size: 11, color: "#555")
        }
        svg.label("s_w^2 (fan-in x Var(W))", x: x + plotWidth / 2, y: y + plotHeight + 36, anchor: "middle", size: 12, color: "#333")
        svg.add("text", ["x": "0", "y": "0", "transform": "translate(\(SVGDocument.number(x - 46)) \(SVGDocument.number(y + plotHeight / 2))) rotate(-90)",
                         "text-anchor": "middle", "font-size": "12", "fill": "#333"], text: "s_b^2 (Var(b))")
    }

    /// "ordered" left of the edge and "chaotic" right of it (or "q* diverges"), at the row of the
    /// grid nearest two thirds of the way up, each where its region meets the axes.
    static func drawRegionLabels(_ svg: inout SVGDocument, _ diagram: MeanFieldPhaseDiagram, xOf: (Double) -> Double, yOf: (Double) -> Double) {
        let row = min(diagram.cells.count - 1, diagram.cells.count * 2 / 3)
        let cells = diagram.cells[row], b = diagram.biasVariances[row]
        func place(_ text: String, column: Int, anchor: String) {
            let offset = anchor == "start" ? 6.0 : -6.0
            svg.add("text", ["class": "region", "x": SVGDocument.number(xOf(diagram.weightScales[column]) + offset),
                             "y": SVGDocument.number(yOf(b) + 5), "text-anchor": anchor, "font-size": "15", "font-weight": "bold",
                             "fill": "#111", "stroke": "white", "stroke-width": "3", "paint-order": "stroke"], text: text)
        }
        if let first = cells.firstIndex(where: { $0.phase == .ordered }) { place("ordered", column: first, anchor: "start") }
        if let last = cells.lastIndex(where: { $0.phase == .chaotic }) {
            place("chaotic", column: last, anchor: "end")
        } else if let last = cells.lastIndex(where: { $0.phase == nil }) {
            place("q* diverges", column: last, anchor: "end")
        }
    }

    static func drawMarkers(
        _ svg: inout SVGDocument, _ panel: Panel, range: (ClosedRange<Double>, ClosedRange<Double>),
        xOf: (Double) -> Double, yOf: (Double) -> Double, tally: inout Tally
    ) {
        // Markers at the same point share one label.
        var groups = [(point: (Double, Double), names: [String])]()
        for marker in panel.markers where marker.weightVariance.isFinite && marker.biasVariance.isFinite {
            let point = (marker.weightVariance, marker.biasVariance)
            if let index = groups.firstIndex(where: { abs($0.point.0 - point.0) <= 1e-9 * max(1, point.0) && abs($0.point.1 - point.1) <= 1e-12 }) {
                groups[index].names.append(marker.name)
            } else {
                groups.append((point, [marker.name]))
            }
        }
        groups.sort { $0.point.0 < $1.point.0 }
        // Label boxes drawn so far (left, right, baseline), to keep labels from overlapping.
        var boxes = [(left: Double, right: Double, baseline: Double)]()
        for group in groups {
            let (w, b) = group.point
            let clipped = !range.0.contains(w) || !range.1.contains(b)
            let cx = xOf(min(max(w, range.0.lowerBound), range.0.upperBound))
            let cy = yOf(min(max(b, range.1.lowerBound), range.1.upperBound))
            if clipped { tally.offPlot.append("\(group.names.joined(separator: ", ")) (\(panel.activation)) at s_w^2 = \(NumberFormat.short(w)), s_b^2 = \(NumberFormat.short(b))") }
            for name in group.names {
                svg.add("circle", ["class": "initializer", "data-init": name, "data-activation": panel.activation,
                              "data-weight-variance": "\(w)", "data-bias-variance": "\(b)", "data-clipped": clipped ? "true" : "false",
                              "cx": SVGDocument.number(cx), "cy": SVGDocument.number(cy), "r": "5",
                              "fill": "white", "stroke": "#111", "stroke-width": "1.8", "stroke-dasharray": clipped ? "2,2" : "none"])
            }
            // Right of the marker (left of it near the right edge), raised a line at a time until
            // it overlaps no earlier label; about 6.2 px per character at 11 px.
            let text = group.names.joined(separator: ", ")
            let textWidth = 6.2 * Double(text.count)
            let startsRight = cx + 7 + textWidth <= xOf(range.0.upperBound)
            let left = startsRight ? cx + 7 : cx - 7 - textWidth, right = left + textWidth
            var baseline = cy - 8
            while boxes.contains(where: { $0.left < right + 4 && left < $0.right + 4 && abs($0.baseline - baseline) < 13 }) { baseline -= 14 }
            boxes.append((left, right, baseline))
            svg.add("text", ["class": "initializer-label", "x": SVGDocument.number(startsRight ? left : right), "y": SVGDocument.number(baseline),
                             "text-anchor": startsRight ? "start" : "end", "font-size": "11", "fill": "#111", "stroke": "white",
                             "stroke-width": "3", "paint-order": "stroke"], text: text)
        }
    }

    static func drawLegend(_ svg: inout SVGDocument, depth: Int?, x: Double, y: Double) {
        let barHeight = 150.0, steps = 30
        svg.label("xi_c (layers)", x: x, y: y + 4, size: 11, color: "#333")
        let top = y + 14
        let logFloor = log10(depthScaleFloor), logCeiling = log10(depthScaleCeiling)
        for step in 0..<steps {
            let fraction = (Double(step) + 0.5) / Double(steps)
            let value = pow(10, logFloor + fraction * (logCeiling - logFloor))
            let stepTop = top + barHeight * (1 - Double(step + 1) / Double(steps))
            svg.add("rect", ["x": SVGDocument.number(x), "y": SVGDocument.number(stepTop), "width": "14",
                             "height": SVGDocument.number(barHeight / Double(steps) + 0.5), "fill": colour(value), "shape-rendering": "crispEdges"])
        }
        svg.add("rect", ["x": SVGDocument.number(x), "y": SVGDocument.number(top), "width": "14", "height": SVGDocument.number(barHeight),
                         "fill": "none", "stroke": "#444"])
        var decade = logFloor
        while decade <= logCeiling + 1e-9 {
            let ty = top + barHeight * (1 - (decade - logFloor) / (logCeiling - logFloor))
            let text = decade == logCeiling ? ">= \(NumberFormat.short(pow(10, decade))) (inf)" : (decade == logFloor ? "<= " : "") + NumberFormat.short(pow(10, decade))
            svg.line(x + 14, ty, x + 18, ty, stroke: "#444")
            svg.label(text, x: x + 21, y: ty + 4, size: 10, color: "#555")
            decade += 1
        }
        var itemY = top + barHeight + 24
        svg.line(x, itemY - 4, x + 22, itemY - 4, stroke: "black", width: 2.5)
        svg.label("edge of chaos", x: x + 28, y: itemY, size: 11, color: "#333")
        if let depth {
            itemY += 16
            svg.add("rect", ["x": SVGDocument.number(x - 2), "y": SVGDocument.number(itemY - 10), "width": "26", "height": "12", "fill": colour(30)])
            svg.line(x, itemY - 4, x + 22, itemY - 4, stroke: "white", width: 2, dash: "6,4")
            svg.label("6 xi_c = depth \(depth)", x: x + 28, y: itemY, size: 11, color: "#333")
        }
        itemY += 16
        svg.add("rect", ["x": SVGDocument.number(x + 4), "y": SVGDocument.number(itemY - 10), "width": "14", "height": "12", "fill": divergedColour])
        svg.label("q* diverges", x: x + 28, y: itemY, size: 11, color: "#333")
        itemY += 16
        svg.add("circle", ["cx": SVGDocument.number(x + 11), "cy": SVGDocument.number(itemY - 4), "r": "5", "fill": "white", "stroke": "#111", "stroke-width": "1.8"])
        svg.label("initializer", x: x + 28, y: itemY, size: 11, color: "#333")
    }

    /// `value` rounded to the 0.1 px `SVGDocument.number` writes.
    static func pixel(_ value: Double) -> Double { (value * 10).rounded() / 10 }

    /// The heat map's colour of `xi_c` (log scale, clipped to the floor and ceiling).
    static func colour(_ depthScale: Double) -> String {
        let logFloor = log10(depthScaleFloor), logCeiling = log10(depthScaleCeiling)
        let position = depthScale.isNaN ? 0 : (log10(max(depthScale, .leastNormalMagnitude)) - logFloor) / (logCeiling - logFloor)
        return colourRamp(position)
    }

    /// The colour at `position` along `colourStops` (0: the first stop, 1: the last; clamped, NaN as 0).
    static func colourRamp(_ position: Double) -> String {
        let t = (position.isNaN ? 0 : min(max(position, 0), 1)) * Double(colourStops.count - 1)
        let index = min(SVGDocument.clampedInt(t, to: 0...(colourStops.count - 2)), colourStops.count - 2)
        let f = t - Double(index)
        let (a, b) = (colourStops[index], colourStops[index + 1])
        func channel(_ p: Double, _ q: Double) -> Int { SVGDocument.clampedInt((p + (q - p) * f).rounded(), to: 0...255) }
        return String(format: "#%02x%02x%02x", channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    }

    /// Marching squares on `ln xi_c` at `level`: the segments where it crosses, linearly
    /// interpolated along the grid's edges. Infinite `xi_c` (the critical phase) counts as above
    /// every level; squares with a point whose `xi_c` is undefined are skipped.
    static func contour(_ diagram: MeanFieldPhaseDiagram, level: Double, xOf: (Double) -> Double, yOf: (Double) -> Double) -> String {
        func value(_ row: Int, _ column: Int) -> Double? {
            let cell = diagram.cells[row][column]
            if let scale = cell.correlationDepthScale, scale > 0 { return log(scale) }
            return cell.phase == .critical ? level + 50 : nil
        }
        let w = diagram.weightScales, b = diagram.biasVariances
        var d = ""
        for row in 0..<(b.count - 1) {
            for column in 0..<(w.count - 1) {
                // Corners counter-clockwise from the bottom left.
                let corners = [(row, column), (row, column + 1), (row + 1, column + 1), (row + 1, column)]
                let values = corners.compactMap { value($0.0, $0.1) }
                guard values.count == 4 else { continue }
                var crossings = [(Double, Double)]()
                for k in 0..<4 {
                    let (p, q) = (values[k] - level, values[(k + 1) % 4] - level)
                    guard (p < 0) != (q < 0) else { continue }
                    let t = p / (p - q)
                    let (r0, c0) = corners[k], (r1, c1) = corners[(k + 1) % 4]
                    crossings.append((w[c0] + (w[c1] - w[c0]) * t, b[r0] + (b[r1] - b[r0]) * t))
                }
                // Two crossings: one segment; four (a saddle): the pairs in order around the square.
                for pair in stride(from: 0, to: crossings.count - 1, by: 2) {
                    let (start, end) = (crossings[pair], crossings[pair + 1])
                    d += (d.isEmpty ? "M" : " M") + "\(SVGDocument.number(xOf(start.0))) \(SVGDocument.number(yOf(start.1)))"
                        + " L\(SVGDocument.number(xOf(end.0))) \(SVGDocument.number(yOf(end.1)))"
                }
            }
        }
        return d
    }

    /// About five round ticks (steps of 1, 2 or 5 times a power of ten) within `range`.
    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / 5
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var ticks = [Double]()
        var tick = (range.lowerBound / step).rounded(.up) * step
        while tick <= range.upperBound + step * 1e-9, ticks.count < 50 {
            ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return ticks
    }

    static func tickLabel(_ value: Double) -> String { String(format: "%g", value) }
}
